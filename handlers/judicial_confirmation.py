"""司法确认: request the court's confirmation of an agreement, and record the court's answer."""

from __future__ import annotations

from ._common import existing
from .errors import HandlerError

RESULTS = {"confirmed", "rejected"}


def _request(params: dict, ctx):
    row = existing(ctx, ctx.models.JudicialConfirmation)
    if row is None:
        court = str(params.get("court") or "").strip()
        if not court:
            raise HandlerError("no_court", "a confirmation request names the court")
        row = ctx.models.JudicialConfirmation(case_id=ctx.case.id, task_id=ctx.task_id, court=court[:120],
                                              agreement_text=str(params.get("agreement_text") or ""),
                                              requested_at=ctx.now)
        ctx.session.add(row)
        ctx.session.flush()
    return row


def _record(params: dict, ctx):
    row = ctx.session.get(ctx.models.JudicialConfirmation, params.get("confirmation_id"))
    if row is None or row.case_id != ctx.case.id:
        raise HandlerError("confirmation_not_found", "no confirmation request for this case")
    result = params.get("result")
    if result not in RESULTS:
        raise HandlerError("bad_result", f"result must be one of {sorted(RESULTS)}")
    if row.status == "requested":
        row.status, row.ruling_no, row.decided_at = result, params.get("ruling_no"), ctx.now
        ctx.session.flush()
    return row


ACTIONS = {"request": _request, "record": _record}


def handle(params: dict, ctx) -> dict:
    """``action`` request writes the request; ``action`` record stores the ruling (once)."""
    action = ACTIONS.get(params.get("action"))
    if action is None:
        raise HandlerError("bad_action", f"action must be one of {sorted(ACTIONS)}")
    row = action(params, ctx)
    return {"confirmation_id": row.id, "status": row.status, "court": row.court}
