"""Tracking a case without signing in: its code and the last four digits of the reporting phone.

The answer names nothing personal: the case's status, tier and unit, the name of its next step and
its dates. A wrong pair and an unknown code get the same answer (None) for the same work: one query
and one digest compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import case_codes, form_labels
from .models import Case, TaskItem

DIGITS = 4
_NOT_DIGIT = re.compile(r"\D")
# Compared against when the code is unknown, so that answer costs what a wrong phone costs.
_NOBODY = hashlib.sha256(b"no such case").hexdigest()


def last_digits(phone: str) -> str:
    """The phone's last four digits ('' if it has fewer)."""
    digits = _NOT_DIGIT.sub("", phone or "")
    return digits[-DIGITS:] if len(digits) >= DIGITS else ""


def digest(code: str, phone: str) -> str | None:
    """What a case stores to check tracking requests: the code with the phone's last four digits, hashed."""
    tail = last_digits(phone)
    return hashlib.sha256(f"{code}:{tail}".encode()).hexdigest() if tail else None


@dataclass(frozen=True)
class Progress:
    """What anyone holding the code and the phone's digits learns about a case."""

    code: str
    status: str
    tier: str | None
    unit_name: str
    next_step: str | None  # "中文 English" when the step's form titles it in English
    opened_at: datetime
    due_at: datetime | None
    closed_at: datetime | None


def track(session: Session, code_text: str, phone_digits: str) -> Progress | None:
    """The case's progress if the code and the reporting phone's last four digits match, else None."""
    code = case_codes.normalize(code_text or "") or ""
    tail = phone_digits.strip() if isinstance(phone_digits, str) else ""
    case = session.scalar(select(Case).where(Case.code == code)) if code else None
    stored = case.track_digest if case is not None and case.track_digest else _NOBODY
    given = digest(code, tail) if len(tail) == DIGITS and tail.isdigit() else None
    if not hmac.compare_digest(stored, given or "") or case is None:
        return None
    ready = session.execute(select(TaskItem.name, TaskItem.form).where(
        TaskItem.case_id == case.id, TaskItem.state == "ready").order_by(TaskItem.id).limit(1)).first()
    step = form_labels.task_title(ready.name, case.process_version, ready.form) if ready else None
    return Progress(case.code, case.status, case.tier, case.org_unit.name, step, case.opened_at, case.due_at,
                    case.closed_at)
