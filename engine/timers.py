"""Timers as rows: every waiting timer of every case, kept in step with the workflow state."""

from __future__ import annotations

from sqlalchemy.orm import Session


def sync(session: Session, case, workflow) -> None:
    """Bring the case's timer rows in line with the workflow's waiting timers."""
    return None
