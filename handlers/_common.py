"""Helpers shared by handlers: idempotent look-ups, org units and ISO-8601 durations."""

from __future__ import annotations

from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from sqlalchemy import select

from .errors import HandlerError


def existing(ctx, model):
    """The row this service-task instance already wrote, if any (the idempotency key)."""
    stmt = select(model).where(model.case_id == ctx.case.id, model.task_id == ctx.task_id)
    return ctx.session.scalars(stmt).first()


def unit_by_code(ctx, code: str):
    """The org unit with this code, or a HandlerError."""
    unit = ctx.session.scalars(select(ctx.models.OrgUnit).where(ctx.models.OrgUnit.code == code)).first()
    if unit is None:
        raise HandlerError("unit_not_found", f"no org unit with code {code!r}")
    return unit


def lineage(ctx, unit) -> list:
    """The unit and its ancestors, nearest first (from the materialised path)."""
    ids = [int(part) for part in (unit.path or "").strip("/").split("/") if part]
    if unit.id not in ids:
        ids.append(unit.id)
    OrgUnit = ctx.models.OrgUnit
    by_id = {u.id: u for u in ctx.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}
    return [by_id[i] for i in reversed(ids) if i in by_id]


def unit_for_tier(ctx, tier: str, location_unit_code: str | None):
    """The unit of kind ``tier`` that covers the place where the dispute arose."""
    start = unit_by_code(ctx, location_unit_code) if location_unit_code else ctx.case.org_unit
    for unit in lineage(ctx, start):
        if unit.kind == tier:
            return unit
    raise HandlerError("no_unit_for_tier", f"no {tier} unit above {start.code}")


def due(start: datetime, iso_duration: str | None) -> datetime | None:
    """``start`` plus an ISO-8601 duration, computed the way SpiffWorkflow's timers compute it."""
    if not iso_duration:
        return None
    try:
        parsed = TimerEventDefinition.parse_iso_duration(iso_duration)
    except Exception as exc:  # the library raises a bare Exception
        raise HandlerError("bad_duration", f"not an ISO-8601 duration: {iso_duration!r}") from exc
    return start + TimerEventDefinition.get_timedelta_from_start(parsed, start)


def iso(value: datetime | None) -> str | None:
    """A datetime as ISO-8601 text for JSON results."""
    return value.isoformat() if value is not None else None

