"""What the user taught us: the trust-region learner, its steps, events, persisted state and region.

Stage order: ``normalize -> score -> personalize -> learn -> decide -> record``. Nothing here
imports :mod:`personaguard.profile` at run time (profiles hold a
:class:`~personaguard.profile.learned.LearnedState`, not the other way round).
"""
