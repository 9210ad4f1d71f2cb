"""Simulated staff fill every deployed form with data the form accepts, deciding what the mix says."""

from __future__ import annotations

import random

import pytest

from engine import simulation, simulation_mix, simulation_world
from engine.errors import BadRequest
from engine.simulation_flow import START
from engine.simulation_staff import Staff
from engine.task_forms import compile_form

from .test_simulation import _default_doc, library  # noqa: F401  (the fixture)


@pytest.fixture
def county(library):  # noqa: F811
    world = simulation_world.World(simulation_world.snapshot(library))
    yield world, world.open_case(1, world.grids[0], START)
    world.close()


def _staff(world, **changes) -> Staff:
    return Staff(simulation_mix.parse({**_default_doc(), **changes}), world)


def test_every_deployed_form_is_filled_with_data_it_accepts(county):
    world, case = county
    staff = _staff(world)
    assert len(world.snapshot.forms) >= 20
    # Registration is given the synthetic case's own data (parties with their phones) and fills the rest.
    opening = {k: v for k, v in simulation.synthetic_cases(staff.mix, 1, 0)[0].items() if k != "arrival"}
    for form, schema in world.snapshot.forms.items():
        given = opening if form == "dispute_case/register.schema.json" else None
        values = staff.answer(form, {"tier": "town"}, case, START, random.Random(form), given)
        assert not list(compile_form(schema).validator.iter_errors(values)), form


def test_the_tier_decides_acceptance_and_success(county):
    world, case = county
    doc = _default_doc()
    doc["tiers"]["town"].update(accept=0, success=1, withdraw=0)
    staff = Staff(simulation_mix.parse(doc), world)
    rng = random.Random(1)
    accepted = staff.answer("dispatch_round/accept_order.schema.json", {"tier": "town"}, case, START, rng)
    # A returned order needs a reason of two characters or more (the form's if/then).
    assert accepted["order_accepted"] is False and len(accepted["return_reason"]) >= 2
    assert staff.answer("mediation/mediate.schema.json", {"tier": "town"}, case, START, rng)["mediation_result"] == "agreed"


def test_answers_are_drawn_by_weight_and_typed_by_the_form(county):
    world, case = county
    doc = _default_doc()
    doc["answers"].update(rating={"不满意": 1}, request_judicial_confirmation={"true": 1})
    staff = Staff(simulation_mix.parse(doc), world)
    rng = random.Random(2)
    assert staff.answer("return_visit_round/return_visit.schema.json", {}, case, START, rng)["rating"] == "不满意"
    agreement = staff.answer("mediation/agreement.schema.json", {"tier": "town"}, case, START, rng)
    # Asking for confirmation makes the court required: a department of the county, as the form's reference says.
    assert agreement["request_judicial_confirmation"] is True
    assert world.units[agreement["confirmation_court_code"]].kind == "department"


def test_what_the_case_already_knows_is_kept(county):
    world, case = county
    staff = _staff(world)
    route = staff.answer("dispute_case/route.schema.json", {"tier": "village", "mediation_type": "行政调解"},
                         case, START, random.Random(3))
    assert route["tier"] == "village" and route["mediation_type"] == "行政调解"


def test_a_value_the_form_refuses_is_named(county):
    world, case = county
    doc = _default_doc()
    doc["answers"]["rating"] = {"很好": 1}
    staff = Staff(simulation_mix.parse(doc), world)
    with pytest.raises(BadRequest) as err:
        staff.answer("return_visit_round/return_visit.schema.json", {}, case, START, random.Random(4))
    assert "return_visit" in err.value.message and "rating" in err.value.message
