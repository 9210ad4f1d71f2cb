"""Cases, their workflow state, the task inbox rows, audit events, incidents and service calls."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, JsonType, UtcDateTime, utcnow
from .org import OrgUnit, User
from .process import ProcessVersion

# The columns the statistics read besides the county and the time of receipt.
STATS_COLUMNS = ("received_unit_id", "dispute_type", "channel", "resolved_at", "resolved_tier", "outcome",
                 "resolve_seconds", "met_deadline", "rating", "repeat_petition", "orders_dispatched", "orders_closed")


class Case(Base):
    __tablename__ = "case"
    __table_args__ = (
        Index("ix_case_unit_status", "org_unit_id", "status", "id"),
        Index("ix_case_status_opened", "status", "opened_at"),
        Index("ix_case_opened_by", "opened_by", "id"),  # "reported by me"
        Index("ix_case_version_status", "process_version_id", "status"),  # cases per version (designer)
        # Statistics (engine/stats.py): a county's cases received in a period, read from the index alone
        # on PostgreSQL (its other columns are carried in the index); every unit's, by time.
        Index("ix_case_county_received", "county_id", "received_at", postgresql_include=list(STATS_COLUMNS)),
        Index("ix_case_received", "received_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    process_id: Mapped[str] = mapped_column(String(120), index=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | closed | incident
    severity: Mapped[str | None] = mapped_column(String(20))
    tier: Mapped[str | None] = mapped_column(String(20), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    title: Mapped[str] = mapped_column(String(255), default="")
    # Mirrored from the case's data for lists (engine/runner.py): what the dispute is about, and the
    # names of the people it names, masked as every reader of a list may see them.
    dispute_type: Mapped[str | None] = mapped_column(String(120))
    party_names: Mapped[list | None] = mapped_column(JsonType, default=list)
    # The first words of the dispute's summary, for searching cases by what they are about.
    summary: Mapped[str | None] = mapped_column(String(255))
    # Checks a tracking request (engine/tracking.py): a digest of the code and the reporting phone's
    # last four digits, never the phone itself; None when the case was opened without a phone.
    track_digest: Mapped[str | None] = mapped_column(String(64))
    opened_by: Mapped[str] = mapped_column(String(80))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The whole case's deadline, measured from receipt (the workflow's ``case_due_at``).
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    # How the case ended, written by the engine from its data after every step (engine/outcomes.py
    # names the outcome, engine/outcome_columns.py writes these); read by the statistics.
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    received_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    # The county of the receiving unit (engine.case_codes.county_of), so one county's cases are one index range.
    county_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    channel: Mapped[str | None] = mapped_column(String(40))
    outcome: Mapped[str | None] = mapped_column(String(30))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_tier: Mapped[str | None] = mapped_column(String(20))
    resolved_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    resolve_seconds: Mapped[int | None] = mapped_column(Integer)
    met_deadline: Mapped[bool | None] = mapped_column(Boolean)
    met_tier_deadline: Mapped[bool | None] = mapped_column(Boolean)
    rating: Mapped[str | None] = mapped_column(String(20))
    repeat_petition: Mapped[bool] = mapped_column(Boolean, default=False)
    # The case's dispatched orders as the closure rate counts them (not returned or timed out), and
    # how many of those were resolved (办结); recounted by the step that changes an order.
    orders_dispatched: Mapped[int] = mapped_column(Integer, default=0)
    orders_closed: Mapped[int] = mapped_column(Integer, default=0)

    process_version: Mapped[ProcessVersion] = relationship(lazy="joined")
    org_unit: Mapped[OrgUnit] = relationship(lazy="joined", foreign_keys=[org_unit_id])
    state: Mapped[CaseState] = relationship(uselist=False, back_populates="case", lazy="select")


class PartyName(Base):
    """A keyed digest of one name a case's parties carry, for finding the case by name (engine/party_index.py)."""

    __tablename__ = "party_name"

    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class CaseState(Base):
    """The serialised workflow without its spec (the spec lives once in ``process_version``)."""

    __tablename__ = "case_state"

    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), primary_key=True)
    serializer_version: Mapped[str] = mapped_column(String(20))
    state_json: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Bumped on every write of the state: a second writer holding a stale copy fails (409). The
    # case row itself is written only when its business fields change.
    revision: Mapped[int] = mapped_column(Integer, default=0)

    __mapper_args__ = {"version_id_col": revision}

    case: Mapped[Case] = relationship(back_populates="state")


class TaskItem(Base):
    """One user task of one case, as the inbox sees it; written with the workflow state."""

    __tablename__ = "task"
    __table_args__ = (
        UniqueConstraint("case_id", "spiff_task_id"),
        # The inbox picks its page from these two alone (index-only scans): each carries every column
        # its filters read (unit, role, holder, shared) besides the order (created_at, id).
        Index("ix_task_open_unit_role", "state", "org_unit_id", "role", "created_at", "id", "assignee_id",
              "open_to_unit"),
        Index("ix_task_open_assignee", "state", "assignee_id", "created_at"),
        Index("ix_task_open_due", "state", "due_at"),
        # Inbox order: a wide scope (a county's units) reads the oldest open tasks without sorting them all.
        Index("ix_task_open_created", "state", "created_at", "id", "org_unit_id", "role", "assignee_id",
              "open_to_unit"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    spec_id: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(255))
    process_id: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(30))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # A task its diagram names someone for, which colleagues of its role at its unit may take over.
    open_to_unit: Mapped[bool] = mapped_column(default=False)
    candidates: Mapped[list] = mapped_column(JsonType, default=list)
    state: Mapped[str] = mapped_column(String(12), default="ready")  # ready | completed | cancelled
    form: Mapped[str | None] = mapped_column(String(255))
    draft: Mapped[dict | None] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    overdue: Mapped[bool] = mapped_column(default=False)
    reminders: Mapped[int] = mapped_column(Integer, default=0)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    completed_by: Mapped[str | None] = mapped_column(String(80))

    case: Mapped[Case] = relationship(lazy="joined")
    assignee: Mapped[User | None] = relationship(lazy="joined")
    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")


class AuditEvent(Base):
    """Append-only: rows are inserted, never updated or deleted."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_case", "case_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    task_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    detail: Mapped[dict] = mapped_column(JsonType, default=dict)

    # Set by ``audit.record(task=...)`` for a task row not yet inserted: the flush writes the task
    # first and fills ``task_id``, so events and tasks go out in one flush instead of one each.
    task: Mapped[TaskItem | None] = relationship(primaryjoin="foreign(AuditEvent.task_id) == TaskItem.id",
                                                 lazy="raise")


class Incident(Base):
    """A case whose engine step raised with nothing in the diagram to catch it."""

    __tablename__ = "incident"
    __table_args__ = (Index("ix_incident_state", "state", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    task_spec: Mapped[str] = mapped_column(String(120), default="")
    kind: Mapped[str] = mapped_column(String(30), default="engine")  # engine | timer
    message: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), default="open")  # open | resolved
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    case: Mapped[Case] = relationship(lazy="joined")


class ServiceCall(Base):
    """The recorded result of one service-task instance: a retry returns it instead of calling again."""

    __tablename__ = "service_call"
    __table_args__ = (UniqueConstraint("case_id", "task_instance"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    task_instance: Mapped[str] = mapped_column(String(36))
    operator: Mapped[str] = mapped_column(String(80))
    result: Mapped[dict | list | str | int | float | bool | None] = mapped_column(JsonType)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
