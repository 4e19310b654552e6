"""A Hypothesis state machine over the services, with the codes kept in its model, checking the locker's
invariants against the database after every step."""

from __future__ import annotations

import sys
import uuid
from collections import Counter

import sqlalchemy as sa
from flask import Flask
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, precondition, rule

from locker_app.clock import FrozenClock
from locker_app.extensions import db
from locker_app.jobs import release_stale_reservations
from locker_app.models import ACTIVE_STATES, SIZES, AccessCode, Compartment, Courier, Message, Parcel, Site
from locker_app.services import compartments, occupancy, parcels, provisioning, returns
from locker_app.services.codes import code_digest
from locker_app.services.errors import CodeRejected, ServiceError
from locker_app.services.pickup import open_with_code
from locker_app.services.storage import expire_parcels
from locker_app.sms.outbox import text_to_send
from tests.conftest import PEPPER, T0, code_from

SITE = "PROP-001"
LAYOUT = "S:2,M:1,L:1"  # small, so that the locker fills up
LABELS = tuple(provisioning.compartment_labels(4))
ACTOR = "admin:property-test"


def wipe(app: Flask) -> None:
    with app.app_context():
        session = db.session()
        for table in reversed(db.metadata.sorted_tables):
            session.execute(table.delete())
        session.commit()


def _caller() -> str:
    return sys._getframe(2).f_code.co_name


class LockerMachine(RuleBasedStateMachine):
    """Set `app` and `clock` on the class before running it (see test_locker_invariants.py)."""

    app: Flask
    clock: FrozenClock
    steps_taken = 0
    examples = 0
    outcomes: Counter[str]

    parcels = Bundle("parcels")

    def __init__(self) -> None:
        super().__init__()
        type(self).examples += 1
        wipe(self.app)
        self.clock.at = T0
        self.ctx = self.app.app_context()
        self.ctx.push()
        self.session = db.session()
        provisioning.create_site(self.session, self.clock(), SITE, "Property test site", LAYOUT,
                                 accessible=(LABELS[2],))
        courier, _ = provisioning.create_courier(self.session, self.clock(), "Prop Express", "Park")
        self.session.commit()
        self.courier_id = courier.id
        self.site_id = self.session.scalar(sa.select(Site.id).where(Site.code == SITE))
        # The model: parcel id -> state, and the one code in clear that must open it (if any).
        self.state: dict[str, str] = {}  # in creation order
        self.code: dict[str, str] = {}
        self.disabled: set[str] = set()

    def teardown(self) -> None:
        self.session.rollback()
        db.session.remove()
        self.ctx.pop()

    # --- helpers -------------------------------------------------------------------------------------

    def _courier(self) -> Courier:
        courier = self.session.get(Courier, self.courier_id)
        assert courier is not None
        return courier

    def _site(self) -> Site:
        site = self.session.get(Site, self.site_id)
        assert site is not None
        return site

    def _done(self) -> None:
        type(self).steps_taken += 1
        self.outcomes[f"{_caller()} done"] += 1
        self.session.commit()

    def _refused(self) -> None:
        type(self).steps_taken += 1
        self.outcomes[f"{_caller()} refused"] += 1
        self.session.rollback()

    def _latest_code(self, parcel_id: str) -> str:
        # The stored body holds the code only masked: open the seal as the relay would.
        message = self.session.scalar(sa.select(Message).where(Message.parcel_id == parcel_id,
                                                               Message.kind == "delivery")
                                      .order_by(Message.id.desc()).limit(1))
        assert message is not None
        body = text_to_send(message)
        assert body
        return code_from(body)

    def _sync_after_jobs(self) -> None:
        """Jobs change parcels on their own; the model follows what they must have done."""
        rows = self.session.execute(sa.select(Parcel.id, Parcel.state)).all()
        for parcel_id, state in rows:
            before = self.state[parcel_id]
            if before != state:
                assert (before, state) in {("reserved", "cancelled"), ("stored", "expired")}, (before, state)
                self.state[parcel_id] = state
                self.code.pop(parcel_id, None)
                self.outcomes[f"job: {before} -> {state}"] += 1

    # --- rules ---------------------------------------------------------------------------------------

    @rule(target=parcels, size=st.sampled_from(SIZES), accessible=st.booleans())
    def reserve(self, size: str, accessible: bool) -> str:
        try:
            parcel = parcels.reserve(self.session, self.clock(), self._courier(), SITE,
                                     tracking_number=f"T{uuid.uuid4().hex[:8]}", recipient_phone="010-1234-5678",
                                     size=size, accessible=accessible)
        except ServiceError:
            self._refused()
            return "none"
        parcel_id = parcel["parcel_id"]
        self._done()
        self.state[parcel_id] = "reserved"
        return parcel_id

    @rule(parcel_id=parcels)
    def deposit(self, parcel_id: str) -> None:
        if parcel_id == "none":
            return
        try:
            parcels.deposit(self.session, self.clock(), self._courier(), parcel_id, PEPPER)
        except ServiceError:
            self._refused()
            assert self.state[parcel_id] != "reserved" or self._reservation_over(parcel_id)
            return
        self._done()
        assert self.state[parcel_id] == "reserved"
        self.state[parcel_id] = "stored"
        self.code[parcel_id] = self._latest_code(parcel_id)

    def _reservation_over(self, parcel_id: str) -> bool:
        until = self.session.scalar(sa.select(Parcel.reserved_until).where(Parcel.id == parcel_id))
        return until is not None and until < self.clock()

    @rule(parcel_id=parcels)
    def cancel(self, parcel_id: str) -> None:
        if parcel_id == "none":
            return
        try:
            parcels.cancel(self.session, self.clock(), self._courier(), parcel_id)
        except ServiceError:
            self._refused()
            assert self.state[parcel_id] != "reserved"
            return
        self._done()
        assert self.state[parcel_id] == "reserved"
        self.state[parcel_id] = "cancelled"

    @precondition(lambda self: bool(self.code))
    @rule(data=st.data())
    def type_a_right_code(self, data: st.DataObject) -> None:
        self.open_with_the_right_code(data.draw(st.sampled_from([p for p in self.state if p in self.code])))

    @rule(code=st.text(alphabet="0123456789", min_size=8, max_size=8))
    def type_a_wrong_code(self, code: str) -> None:
        self.open_with_a_wrong_code(code)

    def open_with_a_wrong_code(self, code: str) -> None:
        if code in self.code.values():
            return
        try:
            open_with_code(self.session, self.clock(), self._site(), code, PEPPER, actor="kiosk:prop")
        except CodeRejected:
            self._refused()
            return
        raise AssertionError("a code nobody was given opened a door")

    def open_with_the_right_code(self, parcel_id: str) -> None:
        code = self.code[parcel_id]
        deadline = self.session.scalar(sa.select(Parcel.pickup_deadline).where(Parcel.id == parcel_id))
        try:
            result = open_with_code(self.session, self.clock(), self._site(), code, PEPPER,
                                    payment_reference=f"PAY-{uuid.uuid4().hex[:10]}", actor="kiosk:prop")
        except CodeRejected:
            self._refused()
            # Only a pickup code past its deadline may stop working before the expiry job runs.
            assert self.state[parcel_id] == "stored" and deadline is not None and self.clock() >= deadline
            return
        self._done()
        opened = {"stored": "picked_up", "expired": "returned"}[self.state[parcel_id]]
        assert result["compartments"]
        self.state[parcel_id] = opened
        del self.code[parcel_id]

    @rule(parcel_id=parcels)
    def issue_a_return_code(self, parcel_id: str) -> None:
        if parcel_id == "none":
            return
        try:
            _, code = returns.issue_return_code(self.session, self.clock(), self._courier(), parcel_id, PEPPER)
        except ServiceError:
            self._refused()
            assert self.state[parcel_id] != "expired"
            return
        self._done()
        assert self.state[parcel_id] == "expired"
        self.code[parcel_id] = code  # the earlier return code, if any, stops working

    def _in_state(self, state: str) -> list[str]:
        # Creation order, not the random ids, so that Hypothesis can replay and shrink a failure.
        return [p for p, s in self.state.items() if s == state]

    @precondition(lambda self: "reserved" in self.state.values())
    @rule(data=st.data())
    def deposit_a_reserved_parcel(self, data: st.DataObject) -> None:
        self.deposit(data.draw(st.sampled_from(self._in_state("reserved"))))

    @precondition(lambda self: "expired" in self.state.values())
    @rule(data=st.data())
    def take_back_an_expired_parcel(self, data: st.DataObject) -> None:
        self.issue_a_return_code(data.draw(st.sampled_from(self._in_state("expired"))))

    @rule(hours=st.sampled_from([0, 1, 12, 24 * 3, 24 * 8]), minutes=st.integers(0, 59))
    def time_passes_and_jobs_run(self, hours: int, minutes: int) -> None:
        self.clock.advance(hours=hours, minutes=minutes)
        release_stale_reservations(self.session, self.clock())
        expire_parcels(self.session, self.clock())
        self._done()
        self._sync_after_jobs()

    @rule(label=st.sampled_from(LABELS))
    def disable_or_enable(self, label: str) -> None:
        if label in self.disabled:
            self.enable(label)
        else:
            self.disable(label)

    def disable(self, label: str) -> None:
        try:
            compartments.disable(self.session, self.clock(), ACTOR, SITE, label, "property test")
        except ServiceError:
            self._refused()
            return
        self._done()
        self.disabled.add(label)

    def enable(self, label: str) -> None:
        try:
            compartments.enable(self.session, self.clock(), ACTOR, SITE, label)
        except ServiceError:
            self._refused()
            return
        self._done()
        self.disabled.discard(label)

    # --- invariants ----------------------------------------------------------------------------------

    @invariant()
    def database_matches_the_model(self) -> None:
        stored = dict(self.session.execute(sa.select(Parcel.id, Parcel.state)).all())
        assert stored == self.state

    @invariant()
    def at_most_one_active_parcel_per_compartment(self) -> None:
        crowded = self.session.execute(
            sa.select(Parcel.compartment_id).where(Parcel.state.in_(ACTIVE_STATES))
            .group_by(Parcel.compartment_id).having(sa.func.count() > 1)).all()
        assert crowded == []

    @invariant()
    def each_parcel_has_exactly_the_codes_the_model_says(self) -> None:
        active = self.session.execute(sa.select(AccessCode.parcel_id, AccessCode.kind, AccessCode.digest)
                                      .where(AccessCode.active.is_(True))).all()
        by_parcel: dict[str, list[tuple[str, str]]] = {}
        for parcel_id, kind, digest in active:
            by_parcel.setdefault(parcel_id, []).append((kind, digest))
        for parcel_id, state in self.state.items():
            codes = by_parcel.get(parcel_id, [])
            if state == "stored":
                assert codes == [("pickup", code_digest(PEPPER, self.site_id, self.code[parcel_id]))]
            elif state == "expired" and parcel_id in self.code:
                assert codes == [("return", code_digest(PEPPER, self.site_id, self.code[parcel_id]))]
            else:
                assert codes == [], (state, codes)

    @invariant()
    def no_message_without_its_parcel(self) -> None:
        orphans = self.session.scalar(
            sa.select(sa.func.count()).select_from(Message)
            .outerjoin(Parcel, Parcel.id == Message.parcel_id)
            .where(sa.or_(Message.parcel_id.is_(None), Parcel.id.is_(None))))
        assert orphans == 0
        for parcel_id, state in self.state.items():
            delivered = self.session.scalar(sa.select(sa.func.count()).select_from(Message).where(
                Message.parcel_id == parcel_id, Message.kind == "delivery"))
            assert (delivered or 0) == (0 if state in ("reserved", "cancelled") else 1)

    @invariant()
    def occupancy_counts_equal_the_parcels(self) -> None:
        counts = occupancy.size_counts(self.session, [self.site_id]).get(self.site_id, {})
        in_service = dict(self.session.execute(sa.select(Compartment.id, Compartment.in_service)
                                               .where(Compartment.site_id == self.site_id)).all())
        active = self.session.execute(sa.select(Parcel.compartment_id, Parcel.state)
                                      .where(Parcel.state.in_(ACTIVE_STATES))).all()
        reserved = sum(1 for cid, s in active if s == "reserved" and in_service[cid])
        occupied = sum(1 for cid, s in active if s in ("stored", "expired") and in_service[cid])
        totals = {key: sum(row[key] for row in counts.values())
                  for key in ("total", "free", "reserved", "occupied", "disabled")}
        assert totals["total"] == len(LABELS)
        assert totals["reserved"] == reserved and totals["occupied"] == occupied
        assert totals["disabled"] == sum(1 for on in in_service.values() if not on)
        assert all(value >= 0 for row in counts.values() for value in row.values()), counts
        assert sorted(self.disabled) == sorted(self.session.scalars(
            sa.select(Compartment.label).where(Compartment.in_service.is_(False))))
