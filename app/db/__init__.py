"""Persistence: SQLAlchemy 2 models, engine with pragmas, migrations, backup and integrity."""
