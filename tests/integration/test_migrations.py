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


def test_0009_seals_the_codes_of_messages_still_waiting_and_0007_gets_them_back(empty_db_url):
    """A message queued before the upgrade held its code in its body; after it, only masked and sealed."""
    from locker_app.models import Message
    from locker_app.sms.outbox import text_to_send

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_db_url, "SMS_SENDER": RecordingSender(), "TESTING": True})
    body = "[마포구청] 인증번호 48213377. 48시간 무료 보관"
    with app.app_context():
        flask_migrate.upgrade(revision="0007")
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO messages (kind, to_phone, body, code_offset, status, attempts, created_at) "
                "VALUES ('delivery', '+821012345678', :body, :offset, 'pending', 0, CURRENT_TIMESTAMP)"),
                {"body": body, "offset": body.index("4821")})
        flask_migrate.upgrade()
        message = db.session.scalar(sa.select(Message))
        assert message.body == body.replace("48213377", "********") and message.code_sealed
        assert text_to_send(message) == body
        db.session.rollback()
        flask_migrate.downgrade(revision="0007")
        with db.engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT body FROM messages")) == body
        db.engine.dispose()
