"""Find the unit of a tier (grid, village, town, county) that covers where the dispute arose."""

from __future__ import annotations

from ._common import unit_for_tier


def handle(params: dict, ctx) -> dict:
    """Return the code and name of the ``tier`` unit above ``location_unit_code``."""
    unit = unit_for_tier(ctx, params["tier"], params.get("location_unit_code"))
    return {"unit_code": unit.code, "unit_name": unit.name, "unit_kind": unit.kind}
