"""Administrators' units: placement rules, renaming, closing refused while anything depends on the unit."""

import pytest
from sqlalchemy import select

from engine import cases, people, units
from engine.errors import Forbidden, FormInvalid, NotFound
from engine.models import AuditEvent, Mediator, OrgUnit
from tests.helpers import deploy_fixture, small_org


@pytest.fixture
def org(session):
    return small_org(session)


def test_create_places_units_by_kind_and_audits(session, org):
    admin = org[1]["admin"]
    village = units.create(session, admin, code="village-2", name="村二", kind="village", parent="town-2")
    grid = units.create(session, admin, code="grid-2", name="网格二", kind="grid", parent="village-2")
    dept = units.create(session, admin, code="dept-1", name="县公安局", kind="department", parent="county")
    assert grid.path.startswith(village.path) and village.parent.code == "town-2" and dept.parent.code == "county"
    event = session.scalar(select(AuditEvent).where(AuditEvent.kind == "unit_created"))
    assert event.actor == "admin" and event.detail["code"] == "village-2"


@pytest.mark.parametrize("values, field", [
    ({"kind": "grid", "parent": "town-1"}, "parent"),        # a grid sits under a village
    ({"kind": "town", "parent": None}, "parent"),            # a town needs its county
    ({"kind": "county", "parent": "county"}, "parent"),      # a county is the top
    ({"kind": "province"}, "kind"),
    ({"parent": "nowhere"}, "parent"),
    ({"code": "county"}, "code"),                            # taken
    ({"code": "a b"}, "code"),
    ({"name": " "}, "name"),
])
def test_bad_units_are_refused_naming_the_field(session, org, values, field):
    with pytest.raises(FormInvalid) as err:
        units.create(session, org[1]["admin"], **({"code": "new", "name": "新", "kind": "village",
                                                    "parent": "town-1"} | values))
    assert set(err.value.fields) == {field}
    assert session.scalar(select(OrgUnit).where(OrgUnit.code == "new")) is None


def test_only_administrators_change_units(session, org):
    with pytest.raises(Forbidden):
        units.create(session, org[1]["staff"], code="x", name="x", kind="village", parent="town-1")
    with pytest.raises(Forbidden):
        units.tree(session, org[1]["staff"])


def test_tree_lists_children_under_their_parents(session, org):
    admin = org[1]["admin"]
    units.create(session, admin, code="a-dept", name="部门", kind="department", parent="county")
    nodes = units.tree(session, admin)
    assert [(n.unit.code, n.depth) for n in nodes] == [
        ("county", 0), ("town-1", 1), ("village-1", 2), ("grid-1", 3), ("town-2", 1), ("a-dept", 1)]
    assert {n.unit.code: n.users for n in nodes}["town-1"] == 3  # staff, staff2, mediator


def test_rename_keeps_code_and_audits(session, org):
    unit = units.rename(session, org[1]["admin"], "town-1", "城关镇")
    assert unit.name == "城关镇" and unit.code == "town-1"
    with pytest.raises(NotFound):
        units.rename(session, org[1]["admin"], "nowhere", "x")


def test_closing_a_unit_says_what_still_depends_on_it(session, org, echo_handler):
    unit_rows, users = org
    admin = users["admin"]
    deploy_fixture(session)
    cases.open_case(session, users["staff"], "simple", {})
    session.add(Mediator(name="调解员", tier="town", org_unit=unit_rows["town"], specialties=[]))
    session.flush()
    with pytest.raises(FormInvalid) as err:
        units.set_active(session, admin, "town-1", False)
    message = err.value.fields["code"]
    for reason in ("3 active users", "1 active mediators", "1 open units below it", "1 open cases", "1 open tasks"):
        assert reason in message
    assert unit_rows["town"].active


def test_close_and_reopen_an_empty_unit(session, org):
    unit_rows, users = org
    admin = users["admin"]
    people.set_active(session, admin, "other_staff", False)
    units.set_active(session, admin, "town-2", False)
    assert not unit_rows["other_town"].active
    with pytest.raises(FormInvalid) as err:
        people.create(session, admin, username="late", role="centre_staff", unit="town-2")
    assert set(err.value.fields) == {"unit"}
    child = units.create(session, admin, code="v-closed", name="村", kind="village", parent="town-1")
    units.set_active(session, admin, "v-closed", False)
    with pytest.raises(FormInvalid):
        units.create(session, admin, code="g", name="网格", kind="grid", parent="v-closed")
    units.set_active(session, admin, "town-2", True)
    assert unit_rows["other_town"].active and not child.active
    kinds = list(session.scalars(select(AuditEvent.kind).where(AuditEvent.kind.like("unit_%")).order_by(AuditEvent.id)))
    assert kinds == ["unit_closed", "unit_created", "unit_closed", "unit_reopened"]


def test_a_unit_under_a_closed_parent_cannot_reopen(session, org):
    admin = org[1]["admin"]
    units.create(session, admin, code="v2", name="村", kind="village", parent="town-2")
    units.set_active(session, admin, "v2", False)
    people.set_active(session, admin, "other_staff", False)
    units.set_active(session, admin, "town-2", False)
    with pytest.raises(FormInvalid) as err:
        units.set_active(session, admin, "v2", True)
    assert set(err.value.fields) == {"parent"}
