"""综合研判 and 三级台账: the month's figures per unit and dispute type, and the ledger of flagged types."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, JsonType, UtcDateTime, utcnow
from .org import OrgUnit, User

LEDGER_LEVELS = ("county", "town", "village")
LEDGER_STATES = ("open", "closed")


class AnalysisFigure(Base):
    """One month's counts (``engine.stats`` aggregates) of the cases one unit received of one dispute type."""

    __tablename__ = "analysis_figure"
    __table_args__ = (UniqueConstraint("month", "unit_id", "dispute_type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM, local (China Standard Time)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    dispute_type: Mapped[str] = mapped_column(String(120))  # "" when the case names none
    counts: Mapped[dict] = mapped_column(JsonType, default=dict)
    # Why the ``analysis_flags`` table flagged the type (empty: not flagged), and the days it gives.
    reasons: Mapped[list] = mapped_column(JsonType, default=list)
    due_days: Mapped[int | None] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    unit: Mapped[OrgUnit] = relationship(lazy="joined")


class LedgerEntry(Base):
    """三级台账: a flagged dispute type of a unit and month, with who works it and until when."""

    __tablename__ = "ledger_entry"
    __table_args__ = (
        UniqueConstraint("month", "unit_id", "dispute_type"),
        Index("ix_ledger_entry_status_due", "status", "due_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[str] = mapped_column(String(10))  # county | town | village
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))
    dispute_type: Mapped[str] = mapped_column(String(120))
    reasons: Mapped[list] = mapped_column(JsonType, default=list)  # frequent, rising, badly_handled, wide_impact
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    special_team: Mapped[str] = mapped_column(String(255), default="")
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closing_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    unit: Mapped[OrgUnit] = relationship(lazy="joined")
    owner: Mapped[User | None] = relationship(lazy="joined")
