"""The HTTP service: FastAPI wiring around ``Guard`` and the ``record`` repositories.

Build it with :func:`personaguard.service.app.create_app`; nothing is built at import time.
"""
