"""以案定补: record the subsidy the 'subsidy' table granted the mediator for this case."""

from __future__ import annotations

from ._common import existing
from .errors import HandlerError


def handle(params: dict, ctx) -> dict:
    """Write one subsidy row for ``mediator_id`` of ``amount`` yuan (the amount comes from the table)."""
    row = existing(ctx, ctx.models.SubsidyRecord)
    if row is None:
        amount = params.get("amount")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            raise HandlerError("bad_amount", f"subsidy amount must be a whole number of yuan: {amount!r}")
        mediator = ctx.session.get(ctx.models.Mediator, params.get("mediator_id"))
        if mediator is None:
            raise HandlerError("mediator_not_found", f"no mediator {params.get('mediator_id')!r}")
        row = ctx.models.SubsidyRecord(case_id=ctx.case.id, task_id=ctx.task_id, mediator_id=mediator.id,
                                       amount=amount, difficulty=str(params.get("difficulty") or ""),
                                       satisfaction=str(params.get("satisfaction") or ""),
                                       created_at=ctx.now)
        ctx.session.add(row)
        ctx.session.flush()
    return {"subsidy_id": row.id, "mediator_id": row.mediator_id, "amount": row.amount}
