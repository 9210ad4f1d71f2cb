"""Append-only audit events: every change, with actor and time."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import clock
from .models import AuditEvent, TaskItem


def record(session: Session, kind: str, actor: str, *, case_id: int | None = None,
           task_id: int | None = None, task: TaskItem | None = None, detail: dict | None = None) -> AuditEvent:
    """Add one event in the caller's transaction; ``task`` names a task row that may not be inserted yet."""
    event = AuditEvent(kind=kind, actor=actor, case_id=case_id, task_id=task_id,
                       detail=detail or {}, at=clock.now())
    if task is not None:
        event.task = task
    session.add(event)
    return event


def timeline(session: Session, case_id: int, limit: int = 500) -> list[AuditEvent]:
    """A case's events, oldest first."""
    return list(session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id)
                                .order_by(AuditEvent.id).limit(limit)))
