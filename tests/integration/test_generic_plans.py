"""PostgreSQL's generic plans still find a free compartment through the partial index, not by reading every parcel.

psycopg prepares a statement after its fifth run and PostgreSQL may then keep one plan for all parameters. The
reservation's queries ask "is a parcel active in this compartment?", which the partial unique index
uq_parcels_one_active_per_compartment answers in one probe; a generic plan may use that index only when the
statement itself names the active states (models.parcel_active). With the states sent as parameters the
reservation hash-joined the whole parcels table (bench/README.md, "quick vs full").
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from psycopg.sql import Literal

from locker_app.extensions import db
from locker_app.services import assignment

PARTIAL_INDEX = "uq_parcels_one_active_per_compartment"


def _generic_plan(conn: sa.Connection, statement: Any, params: dict[str, Any]) -> str:
    """EXPLAIN of `statement` prepared on the server and planned once for any parameters, as psycopg's would be."""
    compiled = statement.compile(dialect=conn.dialect)
    expanded = compiled.construct_expanded_state(params)
    names: list[str] = []

    def positional(match: re.Match[str]) -> str:
        names.append(match.group(1))
        return f"${len(names)}"

    sql = re.sub(r"%\((\w+)\)s", positional, expanded.statement)
    raw = conn.connection.dbapi_connection
    assert raw is not None
    with raw.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        # Tiny test tables would be read whole whatever the plan could use; what is asked is whether the index
        # is usable at all in a generic plan.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"PREPARE generic_probe AS {sql}")
        try:
            values = ", ".join(Literal(expanded.parameters[name]).as_string(raw) for name in names)
            cursor.execute(f"EXPLAIN EXECUTE generic_probe({values})")
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("DEALLOCATE generic_probe")


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgresql)])
def test_the_free_compartment_and_its_recheck_use_the_partial_index_in_a_generic_plan(backend, app, world):
    with app.app_context():
        conn = db.session().connection()
        choose = _generic_plan(conn, assignment._CHOOSE, {"site_id": 1, "accessible": False,
                                                           "sizes": ["S", "M", "L", "XL"]})
        recheck = _generic_plan(conn, assignment._RECHECK, {"compartment_id": 1})
        db.session.rollback()
    for name, plan in (("choose", choose), ("recheck", recheck)):
        assert PARTIAL_INDEX in plan, f"{name}:\n{plan}"
        assert "Seq Scan on parcels" not in plan, f"{name}:\n{plan}"
