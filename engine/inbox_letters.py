"""Warning letters (风险预警函) in the inbox: an open letter is a row of its own kind (``letter``) for the
centre staff and leaders who may answer it, at the unit addressed and at the centre it was escalated
to. The inbox pages its tasks and these letters together, by the time each came in (a letter by its
issue time), through the ``risk_letter`` indexes on (unit, status) and (escalated unit, status).
"""

from __future__ import annotations

from sqlalchemy import Select, literal, or_, select, union_all
from sqlalchemy.orm import Session

from . import clock, letter_escalation
from .models import RiskLetter, TaskItem, User
from .risk_letters import ANSWERERS

# The task filter's value for letters only (no BPMN task has this id).
KIND = "risk_letter"
# Tabs that show letters: they are the unit's to answer, so "mine" lists them as "my unit's" does.
SCOPES = ("mine", "unit", "claimable")


def query(user: User, scope: str, *, case_id=None, spec_id=None, overdue: bool | None = None,
          code: str | None = None) -> Select | None:
    """``(at, id)`` of the open letters the user answers that the tab and filters let through; None if none can."""
    if (user.role not in ANSWERERS or scope not in SCOPES or case_id is not None or code
            or spec_id not in (None, KIND)):
        return None
    unit = user.org_unit_id
    found = select(RiskLetter.issued_at, RiskLetter.id).where(
        RiskLetter.status == "open", or_(RiskLetter.unit_id == unit, RiskLetter.escalated_to_id == unit))
    if overdue is True:
        found = found.where(RiskLetter.due_at < clock.now())
    elif overdue is False:
        found = found.where(RiskLetter.due_at >= clock.now())
    return found


def page(session: Session, tasks: Select, letters: Select, page_no: int, per_page: int) -> tuple[list, bool]:
    """One page of task ids (``tasks``: a select of ``TaskItem.id``) and letters, oldest first, as rows."""
    both = union_all(tasks.with_only_columns(TaskItem.created_at.label("at"), TaskItem.id.label("id"),
                                             literal(0).label("kind")),
                     letters.with_only_columns(RiskLetter.issued_at.label("at"), RiskLetter.id.label("id"),
                                               literal(1).label("kind"))).subquery()
    picked = session.execute(select(both.c.kind, both.c.id).order_by(both.c.at, both.c.kind, both.c.id)
                             .offset((page_no - 1) * per_page).limit(per_page + 1)).all()
    wanted = picked[:per_page]
    task_ids = [row.id for row in wanted if row.kind == 0]
    letter_ids = [row.id for row in wanted if row.kind == 1]
    by_task = {t.id: t for t in session.scalars(select(TaskItem).where(TaskItem.id.in_(task_ids)))} if task_ids else {}
    by_letter = ({x.id: x for x in session.scalars(select(RiskLetter).where(RiskLetter.id.in_(letter_ids)))}
                 if letter_ids else {})
    rows = [by_task[row.id] if row.kind == 0 else by_letter[row.id] for row in wanted]
    return rows, len(picked) > per_page


def is_letter(row) -> bool:
    """Whether an inbox row is a letter (else a task)."""
    return isinstance(row, RiskLetter)


def as_row(letter: RiskLetter) -> dict:
    """An open letter as an inbox row: the fields of a task row that apply, and the letter's own."""
    here = letter_escalation.current_unit(letter)
    return {"id": letter.id, "spec_id": KIND, "name": letter.number, "state": "ready", "unit": here,
            "created_at": letter.issued_at, "due_at": letter.due_at, "overdue": clock.now() > letter.due_at,
            "letter": {"id": letter.id, "number": letter.number, "risk": letter.risk_id, "kind": letter.risk.kind,
                       "unit": letter.unit.code, "unit_name": letter.unit.name,
                       "escalated_to": letter.escalated_to.code if letter.escalated_to else None,
                       "escalated_to_name": letter.escalated_to.name if letter.escalated_to else None,
                       "escalated_at": letter.escalated_at, "overdue_at_top": letter.top_overdue_at is not None}}
