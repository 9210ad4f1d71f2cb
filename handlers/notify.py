"""Queue a notification in the outbox; the row is the record, sending is pluggable."""

from __future__ import annotations

from ._common import existing, unit_by_code
from .errors import HandlerError


def handle(params: dict, ctx) -> dict:
    """Write one outbox row to a unit and role (default: the case's current unit) or a person."""
    Outbox = ctx.models.Outbox
    row = existing(ctx, Outbox)
    if row is None:
        subject = str(params.get("subject") or "").strip()
        if not subject:
            raise HandlerError("empty_subject", "a notification needs a subject")
        code = params.get("unit_code")
        unit_id = unit_by_code(ctx, code).id if code else ctx.case.org_unit_id
        row = Outbox(case_id=ctx.case.id, task_id=ctx.task_id, kind=params.get("kind") or "notice",
                     channel=params.get("channel") or "inbox", recipient_unit_id=unit_id,
                     recipient_role=params.get("role"), recipient=params.get("recipient"),
                     subject=subject[:255], body=str(params.get("body") or ""), created_at=ctx.now)
        ctx.session.add(row)
        ctx.session.flush()
    return {"outbox_id": row.id, "status": row.status}
