"""Alembic migrations, packaged so ``upgrade()`` works from an installed wheel."""
