"""结案存档: keep the case summary and release the mediators' load."""

from __future__ import annotations

from sqlalchemy import select

from ._common import existing


def _release_mediators(ctx) -> int:
    A = ctx.models.MediatorAssignment
    rows = ctx.session.scalars(select(A).where(A.case_id == ctx.case.id, A.released_at.is_(None)))
    released = 0
    for row in rows:
        row.released_at = ctx.now
        if row.counts_load and row.mediator.active_load > 0:
            row.mediator.active_load -= 1
        released += 1
    return released


def handle(params: dict, ctx) -> dict:
    """Write the archive row once; the summary is whatever JSON the diagram assembled."""
    row = existing(ctx, ctx.models.Archive)
    if row is None:
        summary = params.get("summary") or {}
        row = ctx.models.Archive(case_id=ctx.case.id, task_id=ctx.task_id,
                                 case_code=str(params.get("case_code") or ctx.case.code),
                                 outcome=str(params.get("outcome") or "closed"),
                                 summary=summary if isinstance(summary, dict) else {"text": str(summary)},
                                 archived_at=ctx.now)
        ctx.session.add(row)
        _release_mediators(ctx)
        ctx.session.flush()
    return {"archive_id": row.id, "outcome": row.outcome}
