"""Delivering the outbox: one in-app notification per active user the row reaches, through a sender."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import accounts, clock, notifications
from engine.errors import NotFound
from engine.models import Notification, Outbox
from tests.helpers import small_org


class RecordingSender:
    name = "recording"

    def __init__(self, fail: bool = False):
        self.sent, self.fail = [], fail

    def send(self, user, notification):
        if self.fail:
            raise ConnectionError("SMS gateway down")
        self.sent.append((user.username, notification.subject))


@pytest.fixture
def world(session):
    units, users = small_org(session)
    users["off_duty"] = accounts.add_user(session, "off_duty", "pw", "centre_staff", units["town"])
    users["off_duty"].active = False
    session.commit()
    return units, users


def _outbox(session, unit, role=None, recipient=None, subject="督办单 Supervision order"):
    row = Outbox(task_id=f"task-{session.query(Outbox).count() + 1}", kind="supervision", recipient_unit_id=unit.id,
                 recipient_role=role, recipient=recipient, subject=subject, body="请答复", created_at=clock.now())
    session.add(row)
    session.commit()
    return row


def _mine(session, user):
    return session.scalars(select(Notification).where(Notification.user_id == user.id)).all()


def test_a_row_reaches_the_active_users_of_its_unit_and_role_and_the_named_user(session, world):
    units, users = world
    row = _outbox(session, units["town"], role="centre_staff", recipient="leader")
    sender = RecordingSender()
    result = notifications.deliver(session, sender)
    assert (result.rows, result.notifications, result.failed) == (1, 3, 0)
    assert sorted(sender.sent) == [("leader", row.subject), ("staff", row.subject), ("staff2", row.subject)]
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, None) and row.sent_at is not None
    assert _mine(session, users["off_duty"]) == [] and _mine(session, users["mediator"]) == []
    assert notifications.deliver(session, sender).rows == 0  # nothing pending: nothing twice
    assert len(sender.sent) == 3


def test_a_department_role_at_a_village_or_town_reaches_its_mediators_and_centre_staff(session, world):
    units, users = world
    _outbox(session, units["town"], role="department")
    notifications.deliver(session, RecordingSender())
    reached = {u for u in users if _mine(session, users[u])}
    assert reached == {"staff", "staff2", "mediator"}


def test_a_failing_sender_keeps_the_row_pending_then_fails_it_with_the_error(session, world):
    units, _ = world
    row = _outbox(session, units["town"], role="centre_staff")
    failing = RecordingSender(fail=True)
    for attempt in range(1, notifications.MAX_ATTEMPTS + 1):
        assert notifications.deliver(session, failing).failed == 1
        assert row.attempts == attempt
    assert (row.status, row.last_error) == ("failed", "ConnectionError: SMS gateway down")
    assert session.scalars(select(Notification)).all() == []  # nothing half-delivered


def test_a_row_nobody_can_receive_fails_at_once(session, world):
    units, _ = world
    row = _outbox(session, units["village"], role="mediator")
    assert notifications.deliver(session, RecordingSender()).failed == 1
    assert (row.status, row.last_error) == ("failed", "no active user to notify")


def test_users_read_their_own_notifications(session, world):
    units, users = world
    _outbox(session, units["town"], role="centre_staff", subject="一")
    _outbox(session, units["town"], role="centre_staff", subject="二")
    notifications.deliver(session, notifications.sender_named("log"))
    rows, more = notifications.list_for(session, users["staff"], unread=True, per_page=1)
    assert ([n.subject for n in rows], more) == (["二"], True)
    notifications.mark_read(session, users["staff"], rows[0].id)
    with pytest.raises(NotFound):
        notifications.mark_read(session, users["staff2"], rows[0].id)
    assert [n.subject for n in notifications.list_for(session, users["staff"], unread=True)[0]] == ["一"]
    assert [n.subject for n in notifications.list_for(session, users["staff"], unread=False)[0]] == ["二"]
    assert notifications.mark_all_read(session, users["staff"]) == 1
    assert notifications.list_for(session, users["staff"], unread=True)[0] == []
    assert len(notifications.list_for(session, users["staff2"], unread=True)[0]) == 2


def test_senders_are_chosen_by_name():
    assert isinstance(notifications.sender_named("log"), notifications.LogSender)
    with pytest.raises(ValueError, match="unknown notification sender 'sms'"):
        notifications.sender_named("sms")
