"""Extensions are created unbound here and bound to an app in create_app."""

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import Session

# Alembic on SQLite rebuilds tables to alter them and can only do so for constraints with names.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate()
# CSRF tokens for the admin's forms; checked only where the admin guard calls csrf.protect() (admin/security.py).
csrf = CSRFProtect()


def current_session() -> Session:
    """The session of the current app context (the unit of work that a request or job commits once)."""
    return db.session()
