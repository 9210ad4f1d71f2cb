"""Timers as rows (one per waiting timer event of a case) and the monthly analysis snapshots."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, JsonType, UtcDateTime, utcnow
from .case import Case

# What a timer means to the people waiting on it; diagrams name it with the
# ``timerKind`` property, otherwise the engine infers it from the event's shape.
TIMER_KINDS = ("reminder", "acceptance_deadline", "handling_deadline", "supervision", "progress_report",
               "case_deadline", "cycle", "wait", "review_deadline", "verification_deadline", "answer_deadline")


class Timer(Base):
    """A waiting timer event of a case, written with the workflow state; the sweep reads only due rows."""

    __tablename__ = "timer"
    __table_args__ = (
        UniqueConstraint("case_id", "spiff_task_id"),
        # The sweep's only read path: waiting rows in order of when they should fire.
        Index("ix_timer_state_fire_at", "state", "fire_at"),
        Index("ix_timer_state_kind_due", "state", "kind", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    spec_id: Mapped[str] = mapped_column(String(120))
    # The task (or call activity) a boundary timer is attached to, if any.
    host_task_id: Mapped[str | None] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(30))
    cancel_activity: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(12), default="waiting")  # waiting | fired | cancelled
    # When the timer is due by the rules; ``fire_at`` is when the sweep next tries (later after a failure).
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    fire_at: Mapped[datetime] = mapped_column(UtcDateTime)
    fired_count: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    fired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    # Not joined: the sweep and ``sync`` read timers of a case they already hold.
    case: Mapped[Case] = relationship()


class MonthlySnapshot(Base):
    """综合研判: one month's cases of one unit counted by dispute type, tier and status."""

    __tablename__ = "monthly_snapshot"
    __table_args__ = (UniqueConstraint("month", "unit"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    unit: Mapped[str] = mapped_column(String(40))  # org unit code, or "*" for every unit
    counts: Mapped[dict] = mapped_column(JsonType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
