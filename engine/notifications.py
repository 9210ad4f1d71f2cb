"""Delivering the outbox: one in-app notification per user, and a sender for any other channel.

Handlers only queue ``Outbox`` rows (to a unit and role, or a named user) in the case's
transaction. ``deliver`` turns each pending row into ``Notification`` rows for the active users it
reaches and hands each to the configured ``Sender`` (``MEDIATE_NOTIFY_SENDER``: ``log`` by default;
an SMS or WeCom adapter is one class registered in ``SENDERS``).

Concurrency contract, as in ``engine/sweep.py``: a pending row is claimed with ``FOR UPDATE SKIP
LOCKED`` (PostgreSQL), and each row commits on its own: its notifications, what the sender was
told and the row's ``sent`` state go together. A sender that raises rolls the row's work back; the
row stays pending for the next run until ``MAX_ATTEMPTS``, then it is ``failed`` with the error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import clock, orgs
from .errors import NotFound
from .models import Notification, OrgUnit, Outbox, User

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


class Sender(Protocol):
    """A channel beyond the in-app list: told once per user and notification."""

    name: str

    def send(self, user: User, notification: Notification) -> None:
        """Deliver or raise; raising leaves the outbox row pending for another attempt."""


class LogSender:
    """The default channel: a log line per user (the in-app list is always written)."""

    name = "log"

    def send(self, user: User, notification: Notification) -> None:
        """Log who was told what."""
        log.info("notification %s to %s: %s", notification.kind, user.username, notification.subject)


SENDERS: dict[str, type] = {"log": LogSender}


def sender_named(name: str) -> Sender:
    """The sender registered under ``name`` (``MEDIATE_NOTIFY_SENDER``), or ValueError."""
    if name not in SENDERS:
        raise ValueError(f"unknown notification sender {name!r}; known: {', '.join(sorted(SENDERS))}")
    return SENDERS[name]()


@dataclass
class DeliveryResult:
    """What one run did: rows delivered, notifications written, rows that failed this time."""

    rows: int = 0
    notifications: int = 0
    failed: int = 0

    def as_dict(self) -> dict:
        """The counts, for logs."""
        return {"rows": self.rows, "notifications": self.notifications, "failed": self.failed}


def recipients(session: Session, row: Outbox) -> list[User]:
    """Active users the row reaches: those of its unit who work its role (all of the unit without a
    role), and the user it names."""
    found: dict[int, User] = {}
    unit = session.get(OrgUnit, row.recipient_unit_id) if row.recipient_unit_id is not None else None
    if unit is not None and (row.recipient_role or not row.recipient):
        query = select(User).where(User.org_unit_id == unit.id, User.active.is_(True))
        if row.recipient_role:
            query = query.where(User.role.in_(orgs.roles_working(row.recipient_role, unit)))
        found.update((u.id, u) for u in session.scalars(query.order_by(User.id)))
    if row.recipient:
        named = session.scalar(select(User).where(User.username == row.recipient, User.active.is_(True)))
        if named is not None:
            found.setdefault(named.id, named)
    return list(found.values())


def _claim(session: Session, skip: set[int]) -> Outbox | None:
    query = select(Outbox).where(Outbox.status == "pending")
    if skip:
        query = query.where(Outbox.id.not_in(skip))
    return session.scalar(query.order_by(Outbox.id).limit(1).with_for_update(skip_locked=True))


def deliver_row(session: Session, row: Outbox, sender: Sender) -> int:
    """Write the row's notifications, tell the sender, mark it sent; returns how many users it reached."""
    users = recipients(session, row)
    if not users:
        row.status, row.attempts, row.last_error = "failed", row.attempts + 1, "no active user to notify"
        return 0
    now = clock.now()
    for user in users:
        note = Notification(user_id=user.id, outbox_id=row.id, case_id=row.case_id, kind=row.kind,
                            subject=row.subject, body=row.body, created_at=now)
        session.add(note)
        sender.send(user, note)
    row.status, row.sent_at, row.attempts, row.last_error = "sent", now, row.attempts + 1, None
    return len(users)


def _record_failure(session: Session, row_id: int, err: Exception) -> None:
    row = session.get(Outbox, row_id, with_for_update=True)
    if row is None or row.status != "pending":
        return
    row.attempts += 1
    row.last_error = f"{type(err).__name__}: {err}"[:2000]
    if row.attempts >= MAX_ATTEMPTS:
        row.status = "failed"


def deliver(session: Session, sender: Sender, batch: int = 200) -> DeliveryResult:
    """Deliver up to ``batch`` pending outbox rows, oldest first, each in its own transaction."""
    result = DeliveryResult()
    tried: set[int] = set()
    session.rollback()  # a fresh transaction: nothing of the caller's rides along
    while result.rows + result.failed < batch:
        row = _claim(session, tried)
        if row is None:
            break
        tried.add(row.id)
        row_id = row.id
        try:
            reached = deliver_row(session, row, sender)
            session.commit()
        except Exception as err:  # a sender that fails keeps the row for another attempt
            session.rollback()
            log.warning("notification %s not delivered: %s", row_id, err)
            _record_failure(session, row_id, err)
            session.commit()
            result.failed += 1
            continue
        if reached:
            result.rows += 1
            result.notifications += reached
        else:
            result.failed += 1
    session.rollback()
    return result


# -- the caller's own notifications ------------------------------------------------------------
def list_for(session: Session, user: User, *, unread: bool | None = None, page: int = 1,
             per_page: int = 50) -> tuple[list[Notification], bool]:
    """The user's notifications, newest first; ``unread`` True for unread only, False for read only."""
    query = select(Notification).where(Notification.user_id == user.id)
    if unread is True:
        query = query.where(Notification.read_at.is_(None))
    elif unread is False:
        query = query.where(Notification.read_at.is_not(None))
    rows = list(session.scalars(query.order_by(Notification.id.desc())
                                .offset((page - 1) * per_page).limit(per_page + 1)))
    return rows[:per_page], len(rows) > per_page


def mark_read(session: Session, user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read (again is harmless); another user's is not found."""
    note = session.get(Notification, notification_id)
    if note is None or note.user_id != user.id:
        raise NotFound(f"no notification {notification_id} for you", fields={"id": "not your notification"})
    if note.read_at is None:
        note.read_at = clock.now()
    return note


def mark_all_read(session: Session, user: User) -> int:
    """Mark every unread notification of the user read; returns how many."""
    result = session.execute(update(Notification).where(Notification.user_id == user.id,
                                                        Notification.read_at.is_(None))
                             .values(read_at=clock.now()))
    return result.rowcount or 0
