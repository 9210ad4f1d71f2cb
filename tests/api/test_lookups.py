"""The lists pickers choose references from: units, mediators and users of the caller's county."""

import pytest

from api.extensions import db
from engine import accounts, orgs
from engine.models import Mediator
from tests.helpers import small_org


@pytest.fixture
def county(app):
    """The small org (county → towns → village → grid), a department, a neighbouring county, a pool."""
    with app.app_context():
        units, users = small_org(db.session)
        court = orgs.add_unit(db.session, "county-FY", "县人民法院", "department", units["county"])
        far = orgs.add_unit(db.session, "far", "邻县", "county")
        far_town = orgs.add_unit(db.session, "far-town", "邻县城关镇", "town", far)
        accounts.add_user(db.session, "far_staff", "pw", "centre_staff", far_town)
        retired = accounts.add_user(db.session, "retired", "pw", "mediator", units["village"], "退休调解员")
        retired.active = False
        db.session.add_all([
            Mediator(name="赵红梅", tier="town", org_unit=units["town"], specialties=["劳动争议", "合同债务"],
                     mediation_type="行政调解", gold=True, active_load=3, user=users["mediator"]),
            Mediator(name="钱村", tier="village", org_unit=units["village"], specialties=["邻里纠纷"]),
            Mediator(name="孙停", tier="town", org_unit=units["other_town"], specialties=["劳动争议"], active=False),
            Mediator(name="李邻", tier="town", org_unit=far_town, specialties=["劳动争议"]),
            Mediator(name="周法官", tier="county", org_unit=court, specialties=["合同债务"], mediation_type="司法调解"),
        ])
        db.session.commit()


def _items(client, headers, url, status=200):
    res = client.get(f"/api/v1/{url}", headers=headers)
    assert res.status_code == status, res.json
    return res.json["items"] if status == 200 else res.json


def _codes(items):
    return [i["code"] for i in items]


def test_units_of_the_callers_county_filtered_by_kind_parent_and_text(client, county, login):
    staff = login("staff")  # a town clerk: the whole county, not only the town
    assert _codes(_items(client, staff, "units")) == [
        "county", "county-FY", "grid-1", "town-1", "town-2", "village-1"]
    assert _codes(_items(client, staff, "units?kind=department")) == ["county-FY"]
    assert _codes(_items(client, staff, "units?parent=town-1")) == ["village-1"]
    assert _codes(_items(client, staff, "units?text=法院")) == ["county-FY"]
    (village,) = _items(client, staff, "units?kind=village")
    assert village == {"code": "village-1", "name": "村一", "kind": "village", "parent": "town-1"}
    assert _codes(_items(client, login("admin"), "units?kind=county")) == ["county", "far"]  # admins: every county
    assert "far" not in _codes(_items(client, staff, "units?per_page=200"))


def test_units_are_paginated_and_bad_filters_name_their_field(client, county, login):
    staff = login("staff")
    res = client.get("/api/v1/units?per_page=4&page=1", headers=staff).json
    assert (len(res["items"]), res["has_more"]) == (4, True)
    res = client.get("/api/v1/units?per_page=4&page=2", headers=staff).json
    assert (_codes(res["items"]), res["has_more"]) == (["town-2", "village-1"], False)
    assert "kind" in _items(client, staff, "units?kind=city", 400)["error"]["fields"]
    assert _items(client, staff, "units?parent=nowhere", 404)["error"]["fields"] == {"parent": "unknown unit code"}
    assert client.get("/api/v1/units").status_code == 401


def test_a_far_county_sees_its_own_units_only(client, county, login):
    assert _codes(_items(client, login("far_staff"), "units")) == ["far", "far-town"]


def test_the_mediator_pool_with_its_filters_and_workload(client, county, login):
    staff = login("staff")
    names = [m["name"] for m in _items(client, staff, "mediators")]
    assert names == ["赵红梅", "钱村", "周法官"]  # active ones of this county
    (zhao,) = _items(client, staff, "mediators?gold=true")
    assert {k: zhao[k] for k in ("name", "tier", "specialties", "mediation_type", "gold", "username", "active_load")} == {
        "name": "赵红梅", "tier": "town", "specialties": ["劳动争议", "合同债务"], "mediation_type": "行政调解",
        "gold": True, "username": "mediator", "active_load": 3}
    assert zhao["unit"]["code"] == "town-1" and isinstance(zhao["id"], int)
    assert [m["name"] for m in _items(client, staff, "mediators?specialty=合同债务")] == ["赵红梅", "周法官"]
    assert [m["name"] for m in _items(client, staff, "mediators?tier=village")] == ["钱村"]
    assert [m["name"] for m in _items(client, staff, "mediators?mediation_type=司法调解")] == ["周法官"]
    assert [m["name"] for m in _items(client, staff, "mediators?username=mediator")] == ["赵红梅"]
    assert [m["name"] for m in _items(client, staff, "mediators?specialty=劳动争议&include_inactive=true")] == [
        "赵红梅", "孙停"]
    res = client.get("/api/v1/mediators?specialty=合同债务&per_page=1&page=2", headers=staff).json
    assert ([m["name"] for m in res["items"]], res["has_more"]) == (["周法官"], False)


def test_users_by_role_and_unit_without_password_hashes(client, county, login):
    staff = login("staff")
    everyone = _items(client, staff, "users?per_page=200")
    assert all(set(u) == {"username", "display_name", "role", "unit", "active"} for u in everyone)
    assert "far_staff" not in [u["username"] for u in everyone] and "retired" not in [u["username"] for u in everyone]
    assert [u["username"] for u in _items(client, staff, "users?role=leader")] == ["leader"]
    assert [u["username"] for u in _items(client, staff, "users?unit=town-1")] == ["mediator", "staff", "staff2"]
    assert [u["username"] for u in _items(client, staff, "users?unit=town-1&role=centre_staff")] == ["staff", "staff2"]
    (retired,) = _items(client, staff, "users?unit=village-1&include_inactive=true")
    assert (retired["username"], retired["display_name"], retired["active"]) == ("retired", "退休调解员", False)
    assert _items(client, staff, "users?unit=nowhere", 404)["error"]["fields"] == {"unit": "unknown unit code"}
    assert "role" in _items(client, staff, "users?role=boss", 400)["error"]["fields"]
