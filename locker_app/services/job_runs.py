"""Counting the scheduler's job runs in the database, where /metrics in any web process can read them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..models import JobRun


def record_run(session: Session, now: datetime, name: str, seconds: float, ok: bool) -> None:
    """One upsert, so two schedulers started by mistake add up rather than collide."""
    bind = session.get_bind()
    insert = postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(JobRun).values(name=name, runs=1, failures=0 if ok else 1, seconds_total=seconds,
                                 last_seconds=seconds, last_run_at=now, last_success_at=now if ok else None)
    table = JobRun.__table__
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.name],
        set_={
            "runs": table.c.runs + 1,
            "failures": table.c.failures + (0 if ok else 1),
            "seconds_total": table.c.seconds_total + seconds,
            "last_seconds": seconds,
            "last_run_at": now,
            "last_success_at": now if ok else table.c.last_success_at,
        },
    )
    session.execute(stmt)
