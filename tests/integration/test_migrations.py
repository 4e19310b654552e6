"""Every schema change is a migration, and migrations go down and up again on both databases."""

from __future__ import annotations

import flask_migrate
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from locker_app import create_app
from locker_app.extensions import db
from tests.conftest import RecordingSender


def _tables(app) -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def _schema_diff() -> list:
    with db.engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)


def test_upgrade_downgrade_upgrade(empty_db_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_db_url, "SMS_SENDER": RecordingSender(), "TESTING": True})
    with app.app_context():
        flask_migrate.upgrade()
        expected = {t.name for t in db.metadata.sorted_tables}
        assert expected <= _tables(app)
        flask_migrate.downgrade(revision="base")
        assert _tables(app) & expected == set()
        flask_migrate.upgrade()
        diff = _schema_diff()  # down and up again gives the models' schema, indexes and all
        db.engine.dispose()
    assert diff == []


def test_models_and_migrations_agree(empty_db_url):
    """Autogenerate against a migrated database finds nothing: no schema change lives outside migrations."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_db_url, "SMS_SENDER": RecordingSender(), "TESTING": True})
    with app.app_context():
        flask_migrate.upgrade()
        diff = _schema_diff()
        db.engine.dispose()
    assert diff == []
