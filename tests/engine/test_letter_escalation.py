"""A warning letter unanswered by its due date goes up to the centre above, once per due period, and
stays overdue at the top."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import accounts, clock, letter_escalation, notifications, orgs, risk_letters, sweep, tasks
from engine.errors import Forbidden
from engine.models import AuditEvent, Notification, Outbox, RiskLetter
from tests.engine.test_inbox_letters import village  # noqa: F401  (the fixtures)
from tests.engine.test_risk_letters import risk  # noqa: F401


def _events(session, kind: str) -> list[dict]:
    return [e.detail for e in session.scalars(select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.id))]


def _in_inbox(session, user, letter) -> bool:
    rows, _ = tasks.inbox(session, user, "mine", letters=True)
    return any(isinstance(r, RiskLetter) and r.id == letter.id for r in rows)


def test_the_centre_above_skips_units_without_a_centre(session, risk):  # noqa: F811
    _, units, _ = risk
    dept = orgs.add_unit(session, "dept-1", "司法所", "department", units["county"])
    assert letter_escalation.centre_above(units["grid"]).code == "town-1"  # past the village
    assert letter_escalation.centre_above(units["village"]).code == "town-1"
    assert letter_escalation.centre_above(units["town"]).code == "county"
    assert letter_escalation.centre_above(dept).code == "county"
    assert letter_escalation.centre_above(units["county"]) is None


def test_nothing_happens_before_the_due_time(session, village):  # noqa: F811
    letter, _, _ = village
    with clock.frozen_at(letter.due_at - timedelta(seconds=1)):
        assert sweep.sweep(session).letters == 0
    session.refresh(letter)
    assert letter.escalated_to_id is None and letter.escalations == []


def test_unanswered_at_its_due_time_it_goes_to_the_town_centre_once(session, village):  # noqa: F811
    letter, units, users = village
    first_due, period = letter.due_at, letter.due_at - letter.issued_at
    town_leader = accounts.add_user(session, "town_leader", "pw", "leader", units["town"])
    session.commit()
    at = first_due + timedelta(minutes=5)
    with clock.frozen_at(at):
        assert sweep.sweep(session).as_dict()["letters"] == 1
        assert sweep.sweep(session).letters == 0  # idempotent: the new due time is ahead
    letter = session.get(RiskLetter, letter.id)
    assert (letter.escalated_to.code, letter.escalated_at, letter.due_at) == ("town-1", at, at + period)
    assert letter.status == "open" and letter.top_overdue_at is None
    [step] = letter.escalations
    assert (step["from"], step["to"], step["to_name"]) == ("village-1", "town-1", "镇一")
    assert clock.parse(step["previous_due_at"]) == first_due and clock.parse(step["due_at"]) == at + period
    assert _events(session, "risk_letter_escalated") == [
        {"letter": letter.id, "number": letter.number, "from": "village-1", "to": "town-1",
         "due_at": (at + period).isoformat()}]
    told = session.scalars(select(Outbox).where(Outbox.kind == "risk_letter_escalated")).all()
    assert sorted((o.recipient_unit_id, o.recipient_role) for o in told) == [
        (units["town"].id, "centre_staff"), (units["town"].id, "leader")]
    assert letter.number in told[0].subject and "镇一" in told[0].subject
    assert notifications.deliver(session, notifications.LogSender()).notifications == 3
    notes = session.scalars(select(Notification).where(Notification.kind == "risk_letter_escalated")).all()
    assert sorted(n.user_id for n in notes) == sorted([users["staff"].id, users["staff2"].id, town_leader.id])
    # The town's answerers see it now, the village's still do; the other town does not.
    assert _in_inbox(session, users["staff"], letter) and _in_inbox(session, town_leader, letter)
    assert _in_inbox(session, users["village_staff"], letter)
    assert not _in_inbox(session, users["other_staff"], letter) and not _in_inbox(session, users["mediator"], letter)
    assert risk_letters.as_dict(letter)["escalated_to"] == "town-1"
    with clock.frozen_at(at + timedelta(hours=1)):
        risk_letters.answer(session, users["staff"], letter.id, "镇中心已督促村里走访")
    session.commit()
    assert _events(session, "risk_letter_answered")[-1]["late"] is True
    assert not _in_inbox(session, users["staff"], letter) and not _in_inbox(session, users["village_staff"], letter)
    with clock.frozen_at(at + 10 * period):
        assert sweep.sweep(session).letters == 0  # answered: never escalated again


def test_up_to_the_county_then_it_stays_overdue_there(session, village):  # noqa: F811
    letter, _, users = village
    period = letter.due_at - letter.issued_at
    with clock.frozen_at(letter.due_at):
        sweep.sweep(session)
    letter = session.get(RiskLetter, letter.id)
    with clock.frozen_at(letter.due_at + timedelta(hours=1)) as second:
        assert sweep.sweep(session).letters == 1
    letter = session.get(RiskLetter, letter.id)
    assert [s["to"] for s in letter.escalations] == ["town-1", "county"]
    assert letter.escalated_to.code == "county" and letter.due_at == second + period  # the first period again
    assert _in_inbox(session, users["leader"], letter) and not _in_inbox(session, users["staff"], letter)
    with pytest.raises(Forbidden):  # the town had its turn; the village and the county answer now
        risk_letters.answer(session, users["staff"], letter.id, "x")
    with clock.frozen_at(letter.due_at + timedelta(days=1)) as third:
        assert sweep.sweep(session).letters == 1
        assert sweep.sweep(session).letters == 0
    letter = session.get(RiskLetter, letter.id)
    assert letter.top_overdue_at == third and letter.status == "open" and len(letter.escalations) == 2
    assert risk_letters.as_dict(letter)["overdue_at_top"] is True
    with clock.frozen_at(third):
        assert risk_letters.as_dict(letter)["overdue"] is True
    assert [e["unit"] for e in _events(session, "risk_letter_overdue_at_top")] == ["county"]
    assert _in_inbox(session, users["leader"], letter)


def test_a_letter_to_the_county_is_overdue_at_the_top_at_once(session, village):  # noqa: F811
    _, _, users = village
    letter = risk_letters.issue(session, users["leader"], village[0].risk_id, unit_code="county")
    session.commit()
    with clock.frozen_at(letter.due_at):
        assert sweep.sweep(session).letters == 2  # this one at the top, the village's to its town
    letter = session.get(RiskLetter, letter.id)
    assert letter.escalated_to_id is None and letter.top_overdue_at is not None
