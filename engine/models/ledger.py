"""Ledger tables written by the service-task handlers: orders, supervision orders, outbox, mediators,
subsidies, archive.

Every row a handler writes carries ``(case_id, task_id)`` with a unique constraint, where
``task_id`` is the service-task instance: running a handler twice cannot duplicate its effect.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, JsonType, UtcDateTime, utcnow
from .org import OrgUnit, User

# An order is open while its unit or its dispatching centre still owes work on it:
# dispatched (waiting to be accepted), accepted (being handled), handled (reviewed, waiting for
# 核单), not_verified (核单 failed, back to the unit for another round).
ORDER_OPEN_STATES = ("dispatched", "accepted", "handled", "not_verified")
# Every order ends in one of these, written in the transaction of the step that ends it:
# resolved (核单 verified the signed agreement), failed (调解不成), returned (the unit sent it
# back), timed_out (not accepted in time, or the overdue limit passed), unverified (核单 failed in
# the last round), withdrawn (the case ended while the order was still open).
ORDER_FINAL_STATES = ("resolved", "failed", "returned", "timed_out", "unverified", "withdrawn")


class Order(Base):
    """One dispatched order (派单) and what became of it: accepted or returned, reminded, supervised,
    reviewed (评单) and verified (核单). ``from_unit`` is the dispatching centre, which reviews and
    verifies; ``to_unit`` the receiving unit, which handles."""

    __tablename__ = "dispatch_order"
    __table_args__ = (
        UniqueConstraint("case_id", "task_id"),
        Index("ix_dispatch_order_unit_status", "to_unit_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    order_type: Mapped[str] = mapped_column(String(20), default="dispatch")
    round: Mapped[int] = mapped_column(Integer, default=1)
    tier: Mapped[str | None] = mapped_column(String(20))
    from_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    to_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    # ORDER_OPEN_STATES, then one of ORDER_FINAL_STATES
    status: Mapped[str] = mapped_column(String(20), default="dispatched")
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    accept_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    return_reason: Mapped[str | None] = mapped_column(Text)
    reminders: Mapped[int] = mapped_column(Integer, default=0)
    supervisions: Mapped[int] = mapped_column(Integer, default=0)
    review_score: Mapped[int | None] = mapped_column(Integer)
    review_comment: Mapped[str | None] = mapped_column(Text)
    verified: Mapped[bool | None] = mapped_column(Boolean)
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # When the order reached its final state.
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    to_unit: Mapped[OrgUnit] = relationship(foreign_keys=[to_unit_id], lazy="joined")
    from_unit: Mapped[OrgUnit | None] = relationship(foreign_keys=[from_unit_id], lazy="joined")


# open: waiting for the unit's answer; answered; escalated: unanswered by its deadline, the centre
# above was told; closed: the handling round ended before an answer came.
SUPERVISION_STATES = ("open", "answered", "escalated", "closed")


class Supervision(Base):
    """督办单: a supervision order the dispatching centre issues on an overdue order, with a reason and
    a deadline; the receiving unit answers it (progress or explanation) or it escalates."""

    __tablename__ = "supervision"
    __table_args__ = (UniqueConstraint("case_id", "task_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    order_id: Mapped[int] = mapped_column(ForeignKey("dispatch_order.id"), index=True)
    from_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    to_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="open")
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answer_kind: Mapped[str | None] = mapped_column(String(20))  # 进展 progress | 说明 explanation
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(80))
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    escalated_to_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    from_unit: Mapped[OrgUnit | None] = relationship(foreign_keys=[from_unit_id], lazy="joined")
    to_unit: Mapped[OrgUnit] = relationship(foreign_keys=[to_unit_id], lazy="joined")
    escalated_to: Mapped[OrgUnit | None] = relationship(foreign_keys=[escalated_to_unit_id], lazy="joined")


class OrderEvent(Base):
    """Append-only history of an order: accepted, returned, reminder, supervision, review, verified,
    not_verified, failed, timed_out, withdrawn, supervision_answered, escalated (a supervision order
    went unanswered)."""

    __tablename__ = "order_event"
    __table_args__ = (UniqueConstraint("case_id", "task_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("dispatch_order.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    task_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(80), default="system")
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    detail: Mapped[dict] = mapped_column(JsonType, default=dict)


class Outbox(Base):
    """A notification to send; the row is the record, a pluggable sender delivers it later."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("case_id", "task_id"),
        Index("ix_outbox_status", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    task_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20), default="inbox")
    recipient_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    recipient_role: Mapped[str | None] = mapped_column(String(30))
    recipient: Mapped[str | None] = mapped_column(String(120))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Mediator(Base):
    """A mediator in the shared pool (调解员资源库 / 调解超市)."""

    __tablename__ = "mediator"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    tier: Mapped[str] = mapped_column(String(20), index=True)
    # Dispute types the mediator specialises in, e.g. ["劳动争议", "合同债务"].
    specialties: Mapped[list] = mapped_column(JsonType, default=list)
    # 人民调解 / 行政调解 / 司法调解 / 行业性专业性调解
    mediation_type: Mapped[str] = mapped_column(String(20), default="人民调解")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    active_load: Mapped[int] = mapped_column(Integer, default=0)
    gold: Mapped[bool] = mapped_column(Boolean, default=False)  # 金牌调解员

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")
    user: Mapped[User | None] = relationship(lazy="joined")


class MediatorAssignment(Base):
    """Which mediator took a case, and whether the party chose them; released when archived."""

    __tablename__ = "mediator_assignment"
    __table_args__ = (UniqueConstraint("case_id", "task_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    mediator_id: Mapped[int] = mapped_column(ForeignKey("mediator.id"), index=True)
    chosen_by_party: Mapped[bool] = mapped_column(Boolean, default=False)
    counts_load: Mapped[bool] = mapped_column(Boolean, default=True)
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    mediator: Mapped[Mediator] = relationship(lazy="joined")


class SubsidyRecord(Base):
    """以案定补: the subsidy due to a mediator for one resolved case."""

    __tablename__ = "subsidy_record"
    __table_args__ = (UniqueConstraint("case_id", "task_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    mediator_id: Mapped[int] = mapped_column(ForeignKey("mediator.id"), index=True)
    amount: Mapped[int] = mapped_column(Integer)  # yuan
    difficulty: Mapped[str] = mapped_column(String(20))
    satisfaction: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class JudicialConfirmation(Base):
    """司法确认: a request to the court to confirm a mediation agreement, and its result."""

    __tablename__ = "judicial_confirmation"
    __table_args__ = (UniqueConstraint("case_id", "task_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    court: Mapped[str] = mapped_column(String(120))
    agreement_text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="requested")  # requested | confirmed | rejected
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    ruling_no: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Archive(Base):
    """结案存档: the summary kept when a case is closed or handed to the court."""

    __tablename__ = "case_archive"
    __table_args__ = (UniqueConstraint("case_id", "task_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    case_code: Mapped[str] = mapped_column(String(60), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    summary: Mapped[dict] = mapped_column(JsonType, default=dict)
    archived_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CaseCodeSequence(Base):
    """Last sequence number issued per code prefix (county and day), for 一案一码."""

    __tablename__ = "case_code_sequence"

    prefix: Mapped[str] = mapped_column(String(40), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Notification(Base):
    """One delivered outbox row in one user's in-app list (通知), read or not."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("outbox_id", "user_id"),
        Index("ix_notification_user_read", "user_id", "read_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


LEDGER_MODELS = (Order, Supervision, OrderEvent, Outbox, Notification, Mediator, MediatorAssignment,
                 SubsidyRecord, JudicialConfirmation, Archive, CaseCodeSequence)
