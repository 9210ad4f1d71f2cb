"""References in forms (``x-ref``): declared in the schema, refused at deploy when unknown, checked
against real rows when a task is completed."""

import json

import pytest

from engine import accounts, deploy, orgs, references
from engine.errors import DeploymentRejected
from engine.models import Mediator
from tests.helpers import FIXTURES, fixture_file, small_org


def _field(mark, type_="string"):
    return {"type": "object", "properties": {"x": {"type": type_, "title": "单位 Unit", "x-ref": mark}}}


@pytest.mark.parametrize("mark, type_, says", [
    ({"kind": "court"}, "string", "kind"),
    ({"kind": "unit", "filter": {"colour": "red"}}, "string", "no filter 'colour'"),
    ({"kind": "unit", "filter": {"kind": "city"}}, "string", "does not accept 'city'"),
    ({"kind": "unit", "filter": {"kind": []}}, "string", "does not accept []"),
    ({"kind": "user", "filter": {"role": "boss"}}, "string", "does not accept 'boss'"),
    ({"kind": "mediator", "filter": {"gold": "yes"}}, "integer", "does not accept 'yes'"),
    ({"kind": "mediator", "filter": {"tier": "department"}}, "integer", "does not accept 'department'"),
    ({"kind": "mediator"}, "string", "names rows by a integer"),
    ({"kind": "unit", "label": "x"}, "string", "must be"),
    ("unit", "string", "must be"),
    ({"kind": {"a": 1}}, "string", "must be"),  # a kind that is not text is a problem, not a crash
    ({"kind": ["unit"]}, "string", "must be"),
])
def test_unknown_kinds_filters_and_values_are_problems(mark, type_, says):
    (problem,) = references.schema_problems(_field(mark, type_))
    assert problem.startswith("x: ") and says in problem


def test_well_formed_references_have_no_problems():
    assert references.schema_problems(_field({"kind": "unit", "filter": {"kind": ["grid", "village"]}})) == []
    assert references.schema_problems(_field({"kind": "mediator", "filter": {"gold": True, "tier": "town"}},
                                             ["integer", "null"])) == []
    assert references.schema_problems(_field({"kind": "user", "filter": {"role": "leader", "unit_kind": "county"}})) == []


def test_deploy_refuses_a_form_with_an_unknown_reference(session, echo_handler):
    form = json.loads((FIXTURES / "forms/simple/register.schema.json").read_text())
    form["properties"]["title"]["x-ref"] = {"kind": "unit", "filter": {"town": "x"}}
    bad = deploy.SourceFile("simple/register.schema.json", json.dumps(form).encode())
    with pytest.raises(DeploymentRejected) as err:
        deploy.deploy(session, [fixture_file("simple.bpmn"), bad], "test", max_bytes=100_000,
                      forms_dir=FIXTURES / "forms")
    (problem,) = [d["message"] for d in err.value.details if d["element"] == "register"]
    assert "title: x-ref of kind 'unit' has no filter 'town'" in problem


TEAM = {"type": "object", "properties": {
    "target": {"type": "string", "title": "改派单位 Unit", "x-ref": {"kind": "unit", "filter": {"kind": "department"}}},
    "mediator": {"type": ["integer", "null"], "title": "调解员 Mediator",
                 "x-ref": {"kind": "mediator", "filter": {"tier": ["town", "county"]}}},
    "owner": {"type": "string", "title": "包案领导 Leader", "x-ref": {"kind": "user", "filter": {"role": "leader"}}},
    "team": {"type": "array", "title": "专班 Team", "items": {"type": "object", "properties": {
        "unit": {"type": "string", "x-ref": {"kind": "unit"}}}}},
}}


def test_declared_references_with_their_paths_and_titles():
    refs = {r.path: r for r in references.declared(TEAM)}
    assert set(refs) == {("target",), ("mediator",), ("owner",), ("team", "*", "unit")}
    assert refs[("target",)].title == ("改派单位", "Unit")
    assert refs[("team", "*", "unit")].title == ("专班", "Team")  # an item without a title: its list's


@pytest.fixture
def org(session):
    units, users = small_org(session)
    units["court"] = orgs.add_unit(session, "county-FY", "县人民法院", "department", units["county"])
    units["elsewhere"] = orgs.add_unit(session, "other-county", "邻县", "county")
    units["far_court"] = orgs.add_unit(session, "other-FY", "邻县法院", "department", units["elsewhere"])
    users["gone"] = accounts.add_user(session, "gone", "pw", "leader", units["county"])
    users["gone"].active = False
    users["far_leader"] = accounts.add_user(session, "far_leader", "pw", "leader", units["elsewhere"])
    mediators = {name: Mediator(name=name, tier=tier, org_unit=units[unit], active=active)
                 for name, tier, unit, active in [("赵", "town", "town", True), ("钱", "village", "village", True),
                                                  ("孙", "town", "town", False), ("李", "county", "elsewhere", True)]}
    session.add_all(mediators.values())
    session.flush()
    return units, users, mediators


def _check(session, org, **data):
    units = org[0]
    return references.problems(session, references.declared(TEAM), data, units["town"])


def test_rows_that_exist_match_and_lie_in_the_county_pass(session, org):
    units, users, mediators = org
    assert _check(session, org, target="county-FY", mediator=mediators["赵"].id, owner="leader",
                  team=[{"unit": "grid-1"}, {"unit": "county"}]) == {}
    assert _check(session, org, mediator=None) == {}  # nobody chosen


def test_units_unknown_of_the_wrong_kind_or_in_another_county(session, org):
    assert _check(session, org, target="0", team=[{"unit": "town-2"}, {"unit": "other-FY"}]) == {
        "target": "改派单位:找不到代码为“0”的单位 Unit: no unit has the code “0”",
        "team.1.unit": "专班:邻县法院不在县 Team: 邻县法院 is outside 县",
    }
    assert _check(session, org, target="village-1") == {"target": "改派单位只能选择职能部门 Unit must be a department"}


def test_mediators_unknown_inactive_elsewhere_or_not_matching(session, org):
    _, _, mediators = org
    for missing in (99999, 2**40, -1):
        assert _check(session, org, mediator=missing) == {
            "mediator": f"调解员:找不到编号为 {missing} 的调解员 Mediator: no mediator has the id {missing}"}
    assert _check(session, org, mediator=mediators["孙"].id) == {
        "mediator": "调解员:调解员孙已停用 Mediator: mediator 孙 is no longer active"}
    assert _check(session, org, mediator=mediators["李"].id) == {
        "mediator": "调解员:调解员李不在县 Mediator: mediator 李 is outside 县"}
    assert _check(session, org, mediator=mediators["钱"].id) == {
        "mediator": "调解员:调解员钱的层级不符合要求 Mediator: mediator 钱 does not have the tier asked for"}


def test_users_unknown_inactive_elsewhere_or_of_another_role(session, org):
    assert _check(session, org, owner="nobody") == {"owner": "包案领导:找不到用户“nobody” Leader: no user “nobody”"}
    assert _check(session, org, owner="gone") == {"owner": "包案领导:gone已停用 Leader: gone is no longer active"}
    assert _check(session, org, owner="far_leader") == {
        "owner": "包案领导:far_leader不在县 Leader: far_leader is outside 县"}
    assert _check(session, org, owner="staff") == {"owner": "包案领导只能选择领导 Leader must be a leader"}


def test_values_of_the_wrong_type_are_left_to_the_schema(session, org):
    assert _check(session, org, target=3, mediator="赵", owner=None, team="x") == {}
