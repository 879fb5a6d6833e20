"""Domain rules as plain Python: no Qt, no SQLAlchemy."""
