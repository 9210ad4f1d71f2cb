"""Choose the mediator: the party's choice (调解超市) if available, else by unit, tier, specialty, load."""

from __future__ import annotations

from sqlalchemy import select

from ._common import existing, unit_by_code
from .errors import HandlerError


def _current(ctx, unit_id: int, tier: str):
    """The mediator already on this case at this unit and tier, if any (kept between rounds)."""
    A, M = ctx.models.MediatorAssignment, ctx.models.Mediator
    stmt = (select(A).join(M, A.mediator_id == M.id)
            .where(A.case_id == ctx.case.id, A.released_at.is_(None), M.org_unit_id == unit_id,
                   M.tier == tier, M.active.is_(True))
            .order_by(A.id.desc()))
    found = ctx.session.scalars(stmt).first()
    return found.mediator if found else None


def _candidates(ctx, unit_id: int, tier: str) -> list:
    M = ctx.models.Mediator
    active = select(M).where(M.active.is_(True))
    for stmt in (active.where(M.org_unit_id == unit_id, M.tier == tier), active.where(M.tier == tier), active):
        found = list(ctx.session.scalars(stmt))
        if found:
            return found
    return []


def _choose(ctx, params: dict, unit) -> tuple:
    preferred = params.get("preferred_mediator_id")
    if preferred is not None:
        mediator = ctx.session.get(ctx.models.Mediator, int(preferred))
        if mediator is not None and mediator.active:
            return mediator, True, True
    current = _current(ctx, unit.id, params.get("tier"))
    if current is not None:
        return current, False, False
    specialty, kind = params.get("specialty"), params.get("mediation_type")
    pool = _candidates(ctx, unit.id, params.get("tier"))
    if not pool:
        raise HandlerError("no_mediator", "no active mediator in the pool")
    pool.sort(key=lambda m: (specialty not in (m.specialties or []), m.mediation_type != kind,
                             m.active_load, m.id))
    return pool[0], False, True


def handle(params: dict, ctx) -> dict:
    """Assign a mediator to the case for this round and count it in the mediator's load."""
    A = ctx.models.MediatorAssignment
    row = existing(ctx, A)
    if row is None:
        unit = unit_by_code(ctx, params["unit_code"]) if params.get("unit_code") else ctx.case.org_unit
        mediator, chosen, counts = _choose(ctx, params, unit)
        if counts:
            mediator.active_load += 1
        row = A(case_id=ctx.case.id, task_id=ctx.task_id, mediator_id=mediator.id, chosen_by_party=chosen,
                counts_load=counts, assigned_at=ctx.now)
        ctx.session.add(row)
        ctx.session.flush()
        ctx.session.refresh(row)
    return {"mediator_id": row.mediator_id, "name": row.mediator.name,
            "chosen_by_party": row.chosen_by_party, "unit_code": row.mediator.org_unit.code,
            "username": row.mediator.user.username if row.mediator.user is not None else None}
