"""The store: SQLAlchemy models, the database, migrations and the group-commit writer."""
