"""What a form accepts, the process can handle: random data that passes every form, with references
drawn from the demo county's real rows, takes a dispute case through the engine without an incident.

Each example opens a case and completes whatever task is ready with data drawn for its form,
until the case ends or ``MAX_TASKS`` tasks are done. ``Scenario`` checks after every step that no
incident is open and that the inbox matches the workflow.
"""

from __future__ import annotations

import json
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from engine import references
from engine.models import Mediator, OrgUnit, User

from .form_data import form_data
from .harness import Scenario

MAX_TASKS = 40
EXAMPLES = 20  # 30-50 s on SQLite; 150 found nothing more


def _candidates(session, kind: str) -> list:
    if kind == "unit":
        return list(session.scalars(select(OrgUnit.code)))
    if kind == "mediator":
        return list(session.scalars(select(Mediator.id)))
    return list(session.scalars(select(User.username)))


def _chooser(session, case_unit):
    """The values the engine accepts for a reference, from every row of its kind."""
    @cache
    def allowed(kind: str, filter_: str) -> list:
        ref = references.Ref(("v",), kind, json.loads(filter_), ("", ""))
        found = [v for v in _candidates(session, kind) if not references.problems(session, [ref], {"v": v}, case_unit)]
        assert found, f"no row of the demo county fits {kind} {filter_}"
        return sorted(found, key=str)

    return lambda mark: allowed(mark["kind"], json.dumps(mark.get("filter", {}), sort_keys=True))


@settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
@given(draw=st.data())
def test_random_form_data_never_sends_a_case_into_an_incident(county, draw):
    run = Scenario(county, "town_staff")
    choices = _chooser(county, run.case.org_unit)
    forms = run.case.process_version.forms
    for _ in range(MAX_TASKS):
        if not run.ready():
            break
        # A joint consultation has the same task open once per department: draw a row, not a task name.
        row = draw.draw(st.sampled_from(run.open_rows()), label="task")
        data = draw.draw(form_data(forms[row.form], choices), label=row.spec_id)
        # Administrators may work any task; one named for a person is theirs.
        run.complete_row(row, by=row.assignee.username if row.assignee else "admin", **data)
    assert run.done or run.open_rows()
