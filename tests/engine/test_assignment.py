"""Who does a user task: unit rules, named people, colleagues taking over, "reported by me"."""

import pytest

from engine import assignment, cases, deploy, orgs, tasks
from engine.errors import Conflict, DeploymentRejected, Forbidden, NotFound
from engine.models import UNIT_KINDS, TaskItem
from tests.helpers import FIXTURES, small_org

FORM = 'name="formJsonSchemaFilename" value="simple/mediate.schema.json" />'
REGISTER = {"title": "邻里纠纷", "parties_count": 2}


def _variant(session, **props) -> None:
    """The ``simple`` fixture as process ``assigned``, its mediation task given ``props``."""
    extra = "".join(f'<spiffworkflow:property name="{k}" value="{v}" />' for k, v in props.items())
    xml = (FIXTURES / "simple.bpmn").read_text().replace(FORM, FORM + extra)
    xml = xml.replace('processRef="simple"', 'processRef="assigned"').replace('id="simple"', 'id="assigned"')
    deploy.deploy(session, [deploy.SourceFile("assigned.bpmn", xml.encode())], "test", max_bytes=1_000_000,
                  forms_dir=FIXTURES / "forms")
    session.commit()


@pytest.fixture
def world(session, echo_handler):
    return small_org(session)


def _to_mediation(session, users, opener="staff", **register):
    case = cases.open_case(session, users[opener], "assigned", {})
    session.commit()
    (row,) = cases.open_tasks(session, case)
    tasks.complete(session, users["admin"], row.id, REGISTER | register)
    session.commit()
    (row,) = cases.open_tasks(session, case)
    return case, row


@pytest.mark.parametrize(("rule", "unit"), [("case", "town"), ("centre", "town"), ("parent", "county"),
                                            ("county", "county")])
def test_the_unit_rule_places_the_task(session, world, rule, unit):
    units, users = world
    _variant(session, unit=rule)
    _, row = _to_mediation(session, users)
    assert row.org_unit_id == units[unit].id


def test_a_case_opened_at_a_grid_is_assessed_by_the_centre_above_it(session, world):
    units, users = world
    _variant(session, unit="centre")
    _, row = _to_mediation(session, users, opener="grid_worker")
    assert row.org_unit_id == units["town"].id  # the grid and the village have no centre


def test_order_and_dispatcher_rules_read_the_units_the_data_names(session, world):
    units, users = world
    _variant(session, unit="order")
    _, row = _to_mediation(session, users, unit_code="village-1")
    assert row.org_unit_id == units["village"].id
    _variant(session, unit="dispatcher")
    _, row = _to_mediation(session, users, dispatcher_unit_code="county")
    assert row.org_unit_id == units["county"].id


def test_candidates_are_usernames_of_who_works_the_role_at_that_unit(session, world):
    _, users = world
    _variant(session, unit="case")
    _, row = _to_mediation(session, users)
    assert row.candidates == ["mediator"]


def test_a_named_person_gets_the_task_in_their_own_inbox_and_may_work_it_anywhere(session, world):
    units, users = world
    _variant(session, unit="county", assignee="helper")
    _, row = _to_mediation(session, users, helper="mediator")  # a town mediator, the task at the county
    assert (row.assignee_id, row.org_unit_id, row.open_to_unit) == (users["mediator"].id, units["county"].id, False)
    assert row.candidates[0] == "mediator"
    mine, _ = tasks.inbox(session, users["mediator"], "mine")
    assert [r.id for r in mine] == [row.id]
    with pytest.raises(Conflict):  # not shared: the county's people cannot take it
        tasks.claim(session, users["admin"], row.id)
    tasks.complete(session, users["mediator"], row.id, {"outcome": "resolved"})
    session.commit()
    assert row.state == "completed" and row.completed_by == "mediator"


def test_a_name_the_data_does_not_hold_leaves_the_task_to_its_unit(session, world):
    _, users = world
    _variant(session, unit="case", assignee="helper")
    _, row = _to_mediation(session, users)  # no "helper" in the data
    assert row.assignee_id is None
    _, row = _to_mediation(session, users, helper="nobody_by_that_name")
    assert row.assignee_id is None and row.candidates == ["mediator"]


def test_colleagues_may_take_over_a_named_task_where_the_diagram_allows(session, world):
    _, users = world
    _variant(session, unit="case", assignee="helper", claimable="true")
    users["mediator2"] = tasks_user(session, world, "mediator2", "mediator")
    _, row = _to_mediation(session, users, helper="mediator")
    assert row.open_to_unit
    claimable, _ = tasks.inbox(session, users["mediator2"], "claimable")
    assert [r.id for r in claimable] == [row.id]
    assert tasks.inbox(session, users["mediator"], "claimable")[0] == []  # already theirs
    tasks.claim(session, users["mediator2"], row.id)
    session.commit()
    assert (row.assignee_id, row.open_to_unit) == (users["mediator2"].id, False)
    with pytest.raises(Conflict):  # taken over: now it is the colleague's alone
        tasks.claim(session, users["mediator"], row.id)


def tasks_user(session, world, username, role):
    from engine import accounts
    units, _ = world
    user = accounts.add_user(session, username, "pw", role, units["town"])
    session.commit()
    return user


def test_a_role_that_does_not_work_the_lane_cannot_take_an_unnamed_task(session, world):
    _, users = world
    _variant(session, unit="case")
    _, row = _to_mediation(session, users)
    with pytest.raises(Forbidden):
        tasks.claim(session, users["staff"], row.id)


def test_the_reporter_keeps_reading_the_case_after_it_leaves_their_unit(session, world):
    units, users = world
    _variant(session, unit="county")
    case, _ = _to_mediation(session, users, opener="grid_worker")
    case.org_unit = units["other_town"]  # escalated away from the grid worker's subtree
    session.commit()
    assert cases.get_case(session, users["grid_worker"], case.code).id == case.id
    listed, _ = cases.list_cases(session, users["grid_worker"], reported=True)
    assert [c.id for c in listed] == [case.id]
    assert cases.list_cases(session, users["grid_worker"])[0] == []  # not in their units any more
    reported, _ = tasks.inbox(session, users["grid_worker"], "reported")
    assert [r.case_id for r in reported] == [case.id]
    with pytest.raises(Forbidden):  # reporters only: a town mediator does not see the other town's case
        cases.get_case(session, users["mediator"], case.code)


def test_the_reporter_is_recorded_by_the_engine_and_cannot_be_given(session, world):
    _, users = world
    _variant(session)
    with pytest.raises(Exception) as err:
        cases.open_case(session, users["staff"], "assigned", {"reported_by": "someone_else"})
    assert "reported_by" in str(err.value.fields)


@pytest.mark.parametrize(("props", "message"), [
    ({"unit": "moon"}, "unknown unit rule 'moon'"),
    ({"assignee": "helper.__class__"}, "assignee 'helper.__class__' is not allowed"),
    ({"assignee": "helper +"}, "does not compile"),
    ({"claimable": "yes"}, "claimable must be 'true' or 'false'"),
])
def test_deploy_refuses_a_bad_unit_rule_assignee_or_flag(session, world, props, message):
    with pytest.raises(DeploymentRejected) as err:
        _variant(session, **props)
    assert any(d["element"] == "mediate" and message in d["message"] for d in err.value.details), err.value.details


def test_every_rule_lands_on_kinds_that_exist():
    assert set(assignment.UNIT_RULES) == {"case", "order", "dispatcher", "centre", "parent", "county", "grid"}
    for rule in assignment.UNIT_RULES.values():
        assert rule.kinds and set(rule.kinds) <= set(UNIT_KINDS)


def test_lanes_and_stand_ins_are_inverse(session, world):
    units, users = world
    for user in users.values():
        for lane in orgs.workable_roles(user):
            assert user.role in orgs.roles_working(lane, user.org_unit)
    assert orgs.roles_working("mediator", units["grid"]) == ("mediator", "grid_worker")
    assert "mediator" in orgs.workable_roles(users["grid_worker"])


def test_a_task_row_that_does_not_exist_is_not_found(session, world):
    _, users = world
    with pytest.raises(NotFound):
        tasks.get_task(session, users["staff"], 999)
    assert session.query(TaskItem).count() == 0
