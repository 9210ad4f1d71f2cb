"""A warning letter (风险预警函) unanswered by its due date goes up to the centre above, as an unanswered
supervision order (督办单) does: a village's letter to its town's centre, a town's to the county's.

The sweep (``engine/sweep.py``) calls ``escalate_due`` every round. Concurrency contract as there: a
due letter is claimed with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL) and each letter commits on its
own, with its audit event and its notifications. Escalating moves ``due_at`` on (by the letter's
first due period), so a second sweep finds nothing due and a letter escalates once per period. At
the top (a county, or a unit without a centre above) the letter is marked ``top_overdue_at`` once
and stays open and overdue.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit, clock
from .case_codes import CHINA
from .models import OrgUnit, Outbox, RiskLetter

log = logging.getLogger(__name__)

ACTOR = "system"
# Units with a centre (综治中心) that takes a letter the unit below let lapse.
CENTRE_KINDS = ("town", "county")
DEFAULT_PERIOD = timedelta(days=7)
# Who at the centre above is told: those who may answer the letter there.
TOLD = ("centre_staff", "leader")


def centre_above(unit: OrgUnit) -> OrgUnit | None:
    """The nearest unit above ``unit`` that has a centre (town or county); None at the top."""
    above = unit.parent
    while above is not None and above.kind not in CENTRE_KINDS:
        above = above.parent
    return above


def current_unit(letter: RiskLetter) -> OrgUnit:
    """Where the letter is now: the centre it was last escalated to, else the unit addressed."""
    return letter.escalated_to if letter.escalated_to_id is not None else letter.unit


def steps(letter: RiskLetter) -> list[dict]:
    """The letter's escalations, oldest first, with their times as datetimes (for pages)."""
    return [dict(step, at=clock.parse(step["at"]), previous_due_at=clock.parse(step["previous_due_at"]),
                 due_at=clock.parse(step["due_at"])) for step in letter.escalations or []]


def first_period(letter: RiskLetter) -> timedelta:
    """How long the addressed unit had to answer: each escalation gives the centre above as long."""
    steps = letter.escalations or []
    first_due = datetime.fromisoformat(steps[0]["previous_due_at"]) if steps else letter.due_at
    period = first_due - letter.issued_at
    return period if period > timedelta(0) else DEFAULT_PERIOD


def escalate(session: Session, letter: RiskLetter, now: datetime) -> str:
    """Send one due, unanswered letter up a tier (``"escalated"``) or mark it overdue at the top (``"top"``)."""
    here = current_unit(letter)
    above = centre_above(here)
    if above is None:
        letter.top_overdue_at = now
        audit.record(session, "risk_letter_overdue_at_top", ACTOR,
                     detail={"letter": letter.id, "number": letter.number, "unit": here.code,
                             "due_at": letter.due_at.isoformat()})
        return "top"
    due_at = now + first_period(letter)
    step = {"from": here.code, "from_name": here.name, "to": above.code, "to_name": above.name,
            "at": now.isoformat(), "previous_due_at": letter.due_at.isoformat(), "due_at": due_at.isoformat()}
    letter.escalations = [*(letter.escalations or []), step]
    letter.escalated_to_id, letter.escalated_to, letter.escalated_at, letter.due_at = above.id, above, now, due_at
    audit.record(session, "risk_letter_escalated", ACTOR,
                 detail={"letter": letter.id, "number": letter.number, "from": here.code, "to": above.code,
                         "due_at": due_at.isoformat()})
    _notify(session, letter, above, len(letter.escalations))
    return "escalated"


def _notify(session: Session, letter: RiskLetter, unit: OrgUnit, step: int) -> None:
    local = letter.due_at.astimezone(CHINA)
    subject = f"{letter.number}逾期未复，已升级至{unit.name}，请于{local.month}月{local.day}日前答复"
    body = f"{letter.unit.name}未在期限内答复{letter.number}。"
    for role in TOLD:
        session.add(Outbox(case_id=None, task_id=f"letter-{letter.id}-{step}-{role}"[:36], kind="risk_letter_escalated",
                           recipient_unit_id=unit.id, recipient_role=role, subject=subject[:255], body=body,
                           created_at=clock.now()))


def _claim(session: Session, now: datetime, tried: set[int]) -> RiskLetter | None:
    query = select(RiskLetter.id).where(RiskLetter.status == "open", RiskLetter.due_at <= now,
                                        RiskLetter.top_overdue_at.is_(None))
    if tried:
        query = query.where(RiskLetter.id.not_in(tried))
    letter_id = session.scalar(query.order_by(RiskLetter.due_at, RiskLetter.id).limit(1)
                               .with_for_update(skip_locked=True))
    return session.get(RiskLetter, letter_id) if letter_id is not None else None


def escalate_due(session: Session, batch: int = 200) -> int:
    """Escalate up to ``batch`` letters due at ``clock.now()``, each in its own transaction; returns how many."""
    now = clock.now()
    tried: set[int] = set()
    done = 0
    session.rollback()
    while len(tried) < batch:
        letter = _claim(session, now, tried)
        if letter is None:
            break
        letter_id = letter.id
        tried.add(letter_id)
        try:
            escalate(session, letter, now)
            session.commit()
            done += 1
        except Exception as err:  # one letter that fails never stops the others; it is due again next round
            session.rollback()
            log.warning("risk letter %s not escalated: %s", letter_id, err)
    session.rollback()
    return done
