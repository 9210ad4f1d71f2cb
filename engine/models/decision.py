"""What a decision table was asked and answered for a case, kept to test rule changes against."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, JsonType, UtcDateTime, utcnow


class DecisionRecord(Base):
    """One evaluation of a table by a business-rule task; inserted with the step, never changed.

    ``inputs`` is a list of ``{"expression", "value"}`` (the values of the table's input
    expressions), with ``"withheld": true`` instead of a value that could be personal data;
    ``outcome`` is what the table answered, personal fields masked.
    """

    __tablename__ = "decision_record"
    # "The last N evaluations of a decision" reads this index backwards.
    __table_args__ = (Index("ix_decision_record_decision", "decision_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    decision_id: Mapped[str] = mapped_column(String(120))
    task_spec: Mapped[str] = mapped_column(String(120), default="")
    # The deployment whose DMN file answered, and that file's version (its Nth deployment).
    deployment_id: Mapped[int | None] = mapped_column(ForeignKey("deployment.id"))
    dmn_version: Mapped[int | None] = mapped_column(Integer)
    inputs: Mapped[list] = mapped_column(JsonType, default=list)
    outcome: Mapped[dict] = mapped_column(JsonType, default=dict)
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    case = relationship("Case", lazy="select")
