"""Risk early warning (风险预警): keyed digests of the parties' ID numbers and phones and of the
cases' addresses, each case's risk signals, the risks found, and the warning letters (风险预警函) sent about them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, JsonType, UtcDateTime, utcnow
from .org import OrgUnit

RISK_KINDS = ("repeat_party", "repeat_address", "mass_dispute", "extreme_person", "overdue_tiers", "rising_type")
SEVERITIES = ("low", "medium", "high", "critical")
LETTER_STATES = ("open", "answered")


class PartyKey(Base):
    """A keyed digest (HMAC) of one party's ID number or phone, or of one address, in one case: the same
    person or place in several cases is found by equal digests, and the value itself is never stored here."""

    __tablename__ = "party_key"
    __table_args__ = (UniqueConstraint("case_id", "kind", "digest"), Index("ix_party_key_digest", "kind", "digest"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # id_number | phone | address
    digest: Mapped[str] = mapped_column(String(64))


class CaseSignal(Base):
    """What the risk rules read of a case's data: how many parties, and its 群体性 and 极端 flags."""

    __tablename__ = "case_signal"

    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), primary_key=True)
    party_count: Mapped[int] = mapped_column(Integer, default=0)
    mass: Mapped[bool] = mapped_column(Boolean, default=False)
    extreme: Mapped[bool] = mapped_column(Boolean, default=False)


class Risk(Base):
    """One risk the rules found; ``key`` names it across scans (kind, unit and what it is about)."""

    __tablename__ = "risk"
    __table_args__ = (Index("ix_risk_unit_active", "unit_id", "active"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    severity: Mapped[str] = mapped_column(String(10))
    case_codes: Mapped[list] = mapped_column(JsonType, default=list)
    # Counts only, never a party's data: {"cases": 3} or {"parties": 12} or {"current": 6, "previous": 2}.
    detail: Mapped[dict] = mapped_column(JsonType, default=dict)
    detected_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    unit: Mapped[OrgUnit] = relationship(lazy="joined")


class RiskLetter(Base):
    """风险预警函: a warning letter about one risk to the responsible unit, which answers it by ``due_at``."""

    __tablename__ = "risk_letter"
    # The inbox reads open letters by addressed unit and by the unit it was escalated to; the sweep
    # reads open letters by due time.
    __table_args__ = (UniqueConstraint("year", "serial"), Index("ix_risk_letter_unit_status", "unit_id", "status"),
                      Index("ix_risk_letter_escalated_status", "escalated_to_id", "status"),
                      Index("ix_risk_letter_status_due", "status", "due_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risk.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    from_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    issued_by: Mapped[str] = mapped_column(String(80))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(10), default="open")
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(80))
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Unanswered by ``due_at``, the letter goes up to the centre above (``due_at`` moves on with it);
    # ``escalations`` keeps each step: {"from", "to", "to_name", "at", "previous_due_at", "due_at"}.
    escalated_to_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    escalations: Mapped[list] = mapped_column(JsonType, default=list)
    # Overdue at the top tier, with no centre above to take it: marked once, stays open.
    top_overdue_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    risk: Mapped[Risk] = relationship(lazy="joined")
    unit: Mapped[OrgUnit] = relationship(lazy="joined", foreign_keys=[unit_id])
    escalated_to: Mapped[OrgUnit | None] = relationship(lazy="joined", foreign_keys=[escalated_to_id])
    from_unit: Mapped[OrgUnit] = relationship(lazy="joined", foreign_keys=[from_unit_id])
