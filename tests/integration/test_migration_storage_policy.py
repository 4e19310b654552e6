"""Migration 0002 matches the models and can be undone, on both databases."""

from __future__ import annotations

from collections.abc import Iterator

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from locker_app import create_app
from locker_app.extensions import db
from tests.conftest import PG_URL, RecordingSender, create_pg_schema, drop_pg_schema, pg_url_with_schema


@pytest.fixture
def empty_db_url(backend: str, tmp_path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    if not PG_URL:
        pytest.skip("LOCKER_TEST_DATABASE_URL is not set")
    schema = create_pg_schema("locker_mig")
    yield pg_url_with_schema(schema)
    drop_pg_schema(schema)


def differences() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return [d for d in compare_metadata(context, db.metadata) if "apscheduler_jobs" not in str(d)]


def test_upgrade_downgrade_upgrade_leaves_no_difference_to_the_models(empty_db_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_db_url, "SMS_SENDER": RecordingSender(), "TESTING": True})
    with app.app_context():
        try:
            flask_migrate.upgrade()
            assert differences() == []
            flask_migrate.downgrade(revision="0001")
            names = {str(d) for d in differences()}
            assert any("payments" in n for n in names) and any("reminder_sent_at" in n for n in names)
            flask_migrate.upgrade()
            assert differences() == []
        finally:
            db.session.remove()
            db.engine.dispose()
