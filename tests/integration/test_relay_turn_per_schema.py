"""The relays take turns within one deployment (ADR 0008), not across every schema of a PostgreSQL database:
advisory locks are per database, and with one key a relay in another schema (a staging copy, the bench) held the
turn for this one, whose relays then sent nothing (two of the suite's relay tests failed so while the bench ran)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from locker_app.sms.relay_turn import relay_turn
from tests.conftest import create_pg_schema, drop_pg_schema, pg_url_with_schema


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgresql)])
def test_a_relay_in_another_schema_does_not_take_this_deployments_turn(backend, db_url):
    other_schema = create_pg_schema("locker_other")
    here, elsewhere = sa.create_engine(db_url), sa.create_engine(pg_url_with_schema(other_schema))
    try:
        with Session(elsewhere) as other, relay_turn(other) as theirs:
            assert theirs
            with Session(here) as ours, relay_turn(ours) as mine:
                assert mine, "another schema's relay held this deployment's turn"
                with Session(here) as second, relay_turn(second) as again:
                    assert not again, "within one schema the relays still take turns"
    finally:
        here.dispose()
        elsewhere.dispose()
        drop_pg_schema(other_schema)
