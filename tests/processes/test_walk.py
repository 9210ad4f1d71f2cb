"""A walk over the demo county: cases reported in every town climb every tier, and every task they
reach has someone at its own unit who can take it (the harness checks it after every step), or is
named for the person the case data names."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.models import TaskItem, ledger

from . import steps

COUNTY = "441581"
# One village and grid per town of the demo county.
PLACES = [(f"{COUNTY}-{t:02d}", f"{COUNTY}-{t:02d}-00{v}", f"{COUNTY}-{t:02d}-00{v}-0{g}")
          for t, v, g in ((1, 2, 2), (2, 1, 1), (3, 3, 2))]


@pytest.mark.parametrize(("town", "village", "grid"), PLACES)
def test_a_grid_report_climbs_every_tier_and_each_task_finds_its_people(run_case, town, village, grid):
    reporter = f"grid_{grid.removeprefix(COUNTY + '-').replace('-', '_')}"
    run = run_case(reporter)
    assert run.offered_to("register") == ("centre_staff", town, reporter)  # their own report, named for them
    steps.intake(run, location_unit_code=grid)
    assert {run.row(t).org_unit.code for t in run.ready()} == {town}  # the town centre assesses and routes
    steps.route(run)
    assert run.offered_to("grid_handle") == ("grid_worker", grid, reporter)
    run.advance(hours=25)  # the grid's day runs out
    assert run.offered_to("accept_order") == ("department", village, _village_mediator(village))
    steps.accept(run)
    assert run.offered_to("investigate")[1:] == (village, _village_mediator(village))
    steps.mediate(run, "failed")
    assert run.where() == ("town", town)
    steps.accept(run)
    steps.mediate(run, "failed")
    assert run.where() == ("county", COUNTY)
    steps.accept(run)
    steps.mediate(run, "agreed")
    steps.review_and_verify(run)
    steps.return_visit(run, "不满意")
    steps.follow_up(run)
    steps.return_visit(run)
    assert run.done
    assert dict(run.worked)["register"] == reporter
    # Reviews and verifications of each tier's order at the centre that dispatched it: none happened
    # below the county here, and the county reviews its own top-tier order.
    assert _units_of(run, "review_order") == _units_of(run, "verify_order") == [COUNTY]
    orders = run.session.scalars(select(ledger.Order).where(ledger.Order.case_id == run.case_id)
                                 .order_by(ledger.Order.id)).all()
    # Village orders are dispatched by the town, town orders by the county, the county's by itself.
    assert [(o.to_unit.code, o.from_unit.code) for o in orders] == [(village, town), (town, COUNTY),
                                                                    (COUNTY, COUNTY)]


def test_review_and_verification_fall_to_the_dispatching_centre_not_the_unit_that_handled(run_case):
    run = run_case()
    steps.intake(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.GRID)
    steps.route(run)
    steps.accept(run)
    steps.mediate(run)
    assert run.offered_to("review_order") == ("centre_staff", "441581-01", "town_staff")
    steps.review_and_verify(run)
    assert _units_of(run, "review_order") == _units_of(run, "verify_order") == ["441581-01"]
    assert {who for task, who in run.worked if task in ("review_order", "verify_order")} == {"town_staff"}


def test_a_department_receives_a_redispatched_order_and_its_officer_mediates(run_case):
    run = run_case()
    steps.intake(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.GRID)
    steps.route(run)
    steps.accept(run, accepted=False, reason="涉及治安,应由公安处理")
    run.complete("choose_unit", target_unit_code=f"{COUNTY}-GA", redispatch_note="改派县公安局")
    assert run.offered_to("accept_order") == ("department", f"{COUNTY}-GA", "department")
    assert run.value("dispatcher_unit_code") == COUNTY  # the county dispatches to its departments
    steps.accept(run)
    assert run.offered_to("investigate")[:2] == ("mediator", f"{COUNTY}-GA")
    steps.mediate(run)
    assert run.row("review_order").org_unit.code == COUNTY


def _units_of(run, spec_id: str) -> list[str]:
    """Unit codes of the completed rows of one task, oldest first."""
    rows = run.session.scalars(select(TaskItem).where(TaskItem.case_id == run.case_id, TaskItem.spec_id == spec_id,
                                                      TaskItem.state == "completed").order_by(TaskItem.id))
    return [row.org_unit.code for row in rows]


def _village_mediator(village: str) -> str:
    return "village_mediator" if village == steps.VILLAGE else f"mediator_{village.removeprefix(COUNTY + '-').replace('-', '_')}"
