"""Storage: tenants, API keys, user profiles, feedback and the append-only audit log.

Repository functions (``repos``) are keyword-only and require ``tenant_id``; routes never see a
query. The schema changes only through the Alembic migrations packaged in ``migrations/``.
"""
