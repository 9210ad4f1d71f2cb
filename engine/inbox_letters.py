"""Warning letters (风险预警函) in the inbox: an open letter is a row of its own kind (``letter``) for the
centre staff and leaders who may answer it, at the unit addressed and at the centre it was escalated
to. The inbox pages its tasks and these letters together, by the time each came in (a letter by its
issue time); letters are read through the ``risk_letter`` indexes on (unit, status) and (escalated
unit, status), tasks through their own covering indexes.
"""

from __future__ import annotations

from bisect import bisect_left

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from . import clock, letter_escalation
from .models import RiskLetter, TaskItem, User
from .risk_letters import ANSWERERS

# The task filter's value for letters only (no BPMN task has this id).
KIND = "risk_letter"
# Tabs that show letters: they are the unit's to answer, so "mine" lists them as "my unit's" does.
SCOPES = ("mine", "unit", "claimable")
# Most open letters one user's inbox reads (a unit owes a handful; past this, later ones page late).
MAX_LETTERS = 500


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
    """One page of tasks (``tasks``: a select of ``TaskItem.id``) and letters, oldest first, as rows.

    The letters a user answers are few (at most ``MAX_LETTERS`` are read), so they are read whole and
    the tasks are paged on their own covering indexes as before: the page's tasks lie within the
    ``len(letters)`` task rows before the page's offset and the page itself. Each row's place in the
    merged list is its place among its own kind plus how many of the other kind come before it.
    (A ``UNION ALL`` ordered as a whole made the database sort every matching task: 50 ms at 100k.)
    """
    letter_keys = [(at, 1, i) for at, i in session.execute(
        letters.order_by(RiskLetter.issued_at, RiskLetter.id).limit(MAX_LETTERS)).all()]
    offset = (page_no - 1) * per_page
    start = max(0, offset - len(letter_keys))
    want = offset + per_page + 1 - start
    task_keys = [(at, 0, i) for at, i in session.execute(
        tasks.with_only_columns(TaskItem.created_at, TaskItem.id).order_by(TaskItem.created_at, TaskItem.id)
        .offset(start).limit(want)).all()]
    full = len(task_keys) == want  # more tasks may follow: letters after the last one read lie past the page
    placed = [(start + n + bisect_left(letter_keys, key), key) for n, key in enumerate(task_keys)]
    for n, key in enumerate(letter_keys):
        before = bisect_left(task_keys, key)
        if (before == 0 and start > 0) or (before == len(task_keys) and full):
            continue  # before the page (tasks not read precede it) or after it
        placed.append((n + start + before, key))
    keys = [key for place, key in sorted(placed) if offset <= place < offset + per_page]
    more = full or start + len(task_keys) + len(letter_keys) > offset + per_page
    return _load(session, keys), more


def _load(session: Session, keys: list[tuple]) -> list:
    task_ids = [i for _, kind, i in keys if kind == 0]
    letter_ids = [i for _, kind, i in keys if kind == 1]
    by_task = {t.id: t for t in session.scalars(select(TaskItem).where(TaskItem.id.in_(task_ids)))} if task_ids else {}
    by_letter = ({x.id: x for x in session.scalars(select(RiskLetter).where(RiskLetter.id.in_(letter_ids)))}
                 if letter_ids else {})
    return [by_task[i] if kind == 0 else by_letter[i] for _, kind, i in keys]


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
