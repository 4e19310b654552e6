"""The one place the admin scope is enforced: every ORM SELECT in a scoped session sees only the scope's sites.

`activate(session, scope)` puts the scope in `session.info`; a `do_orm_execute` listener then adds
`with_loader_criteria` for `Site` (by id) and for every mapped class with a `site_id` column (by that
column), so views, services and other engineers' new pages need no filter of their own: an out-of-scope
site, parcel, message, event, command or request is not found, exactly like one that does not exist.

Statements run on the session's Connection (Core: the SMS caps, the audit inserts) are not affected,
on purpose: those must count across every district. A statement can also opt out with
`.execution_options(**UNSCOPED)` where a rule must see everything.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from ..extensions import db
from ..models import Site
from .service import Scope

SCOPE_KEY = "locker.admin_scope"
UNSCOPED = {"locker_unscoped": True}


def activate(session: Session, scope: Scope) -> None:
    session.info[SCOPE_KEY] = scope


def deactivate(session: Session) -> None:
    session.info.pop(SCOPE_KEY, None)


def active(session: Session) -> Scope | None:
    scope = session.info.get(SCOPE_KEY)
    return scope if isinstance(scope, Scope) else None


@cache
def _site_bound_classes() -> tuple[type[Any], ...]:
    """Every mapped class with a site_id column, found once all models are imported (so new tables of other
    packages are covered without being named here)."""
    return tuple(sorted((m.class_ for m in db.Model.registry.mappers  # type: ignore[attr-defined]
                         if m.class_ is not Site and "site_id" in m.columns), key=lambda c: c.__name__))


def _criteria(ids: frozenset[int]) -> list[Any]:
    visible = sorted(ids)
    # Lambdas taking the class, so that aliases and subqueries of a class get the criterion on themselves.
    options = [with_loader_criteria(Site, lambda c: c.id.in_(visible), include_aliases=True)]
    for cls in _site_bound_classes():
        options.append(with_loader_criteria(cls, lambda c: c.site_id.in_(visible), include_aliases=True))
    return options


@event.listens_for(Session, "do_orm_execute")
def _limit_to_scope(state: ORMExecuteState) -> None:
    scope = active(state.session)
    if scope is None or scope.site_ids is None:
        return
    if not state.is_select or state.is_column_load or state.execution_options.get("locker_unscoped"):
        return
    state.statement = state.statement.options(*_criteria(scope.site_ids))
