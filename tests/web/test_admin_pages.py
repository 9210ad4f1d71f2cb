"""The administrator's people pages: admin only (403), CSRF refused, field messages (422), nothing half-written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine import accounts
from engine.models import Mediator, OrgUnit, User
from tests.helpers import FIXTURES

from .conftest import engine_session

PAGES = ["/admin/users", "/admin/users/grid_worker", "/admin/units", "/admin/units/441581-01",
         "/admin/mediators", "/admin/mediators/1", "/admin/organisation"]
POSTS = ["/admin/users", "/admin/users/grid_worker", "/admin/users/grid_worker/active",
         "/admin/users/grid_worker/password", "/admin/units", "/admin/unit-imports", "/admin/units/441581-01",
         "/admin/units/441581-01/active", "/admin/mediators", "/admin/mediators/1", "/admin/mediators/1/active"]


def _text(res) -> str:
    return res.get_data(as_text=True)


def _count(app, model) -> int:
    with engine_session(app) as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def admin(county, browser):
    assert browser.sign_in("admin").status_code == 302
    return browser


@pytest.mark.parametrize("path", PAGES)
def test_every_page_opens_for_the_administrator_in_chinese_and_english(admin, path):
    res = admin.get(path)
    assert res.status_code == 200, path
    assert "组织机构" in _text(res) and 'aria-current="page"' in _text(res)
    admin.get("/language/en?next=/inbox")
    assert "Organisation" in _text(admin.get(path))


@pytest.mark.parametrize("who", ["county_staff", "leader", "designer", "village_mediator"])
def test_everyone_else_gets_403_and_no_nav_entry(county, browser, who):
    browser.sign_in(who)
    assert "/admin/users" not in _text(browser.get("/inbox"))
    for path in PAGES:
        assert browser.get(path).status_code == 403, path
    for path in POSTS:
        assert browser.post(path, {"name": "x", "active": "0"}).status_code == 403, path


def test_signed_out_visitors_are_sent_to_sign_in(county, browser):
    assert browser.get("/admin/users").headers["Location"] == "/login?next=/admin/users"


@pytest.mark.parametrize("path", POSTS)
def test_a_post_without_the_csrf_token_is_refused(admin, path):
    res = admin.post(path, {"username": "x_user", "role": "mediator", "unit": "441581", "active": "0"}, token=False)
    assert res.status_code == 400 and "页面已过期" in _text(res)


def test_creating_a_user_shows_the_password_once_and_they_can_sign_in(admin, county, client):
    res = admin.post("/admin/users", {"username": "new_grid", "display_name": "新网格员", "role": "grid_worker",
                                      "unit": "441581-01-001-01", "password": ""}, page="/admin/users")
    assert res.status_code == 200 and "只显示这一次" in _text(res) and res.headers["Cache-Control"] == "no-store"
    password = _text(res).split('one-time-password" translate="no">')[1].split("<")[0]
    assert "只显示这一次" not in _text(admin.get("/admin/users/new_grid"))
    with engine_session(county) as session:
        assert accounts.authenticate(session, "new_grid", password) is not None


def test_bad_fields_are_named_beside_them_and_nothing_is_written(admin, county):
    before = _count(county, User)
    res = admin.post("/admin/users", {"username": "grid_worker", "role": "admin", "unit": "441581-01-001-01",
                                      "password": "short"}, page="/admin/users")
    assert res.status_code == 422
    html = _text(res)
    assert 'id="username-error"' in html and "用户名 grid_worker 已被占用" in html and 'aria-invalid="true"' in html
    assert 'value="grid_worker"' in html and "short" not in html.split('id="password"')[1].split(">")[0]
    assert _count(county, User) == before
    admin.get("/language/en?next=/inbox")
    english = _text(admin.post("/admin/users", {"username": "grid_worker", "role": "mediator", "unit": "441581"},
                               page="/admin/users"))
    assert "grid_worker is taken" in english and "已被占用" not in english


def test_move_deactivate_reactivate_and_reset(admin, county):
    assert admin.post("/admin/users/town_mediator", {"display_name": "调到村里", "role": "mediator",
                                                     "unit": "441581-01-001"}, page="/admin/users").status_code == 302
    refused = admin.post("/admin/users/town_mediator", {"display_name": "x", "role": "grid_worker",
                                                        "unit": "441581-01-001"}, page="/admin/users")
    assert refused.status_code == 422 and 'id="role-error"' in _text(refused)
    assert admin.post("/admin/users/town_mediator/active", {"active": "0"}, page="/admin/users").status_code == 302
    assert "已停用" in _text(admin.get("/admin/users/town_mediator"))
    assert admin.post("/admin/users/town_mediator/active", {"active": "1"}, page="/admin/users").status_code == 302
    typed = admin.post("/admin/users/town_mediator/password", {"password": "a typed password"}, page="/admin/users")
    assert typed.status_code == 302
    generated = admin.post("/admin/users/town_mediator/password", {"password": ""}, page="/admin/users")
    assert generated.status_code == 200 and "one-time-password" in _text(generated)
    with engine_session(county) as session:
        user = session.scalar(select(User).where(User.username == "town_mediator"))
        assert user.active and user.org_unit.code == "441581-01-001" and user.display_name == "调到村里"


def test_units_tree_create_close_and_import(admin, county):
    tree = _text(admin.get("/admin/units"))
    assert tree.index("441581-01-001-01") < tree.index("441581-02")  # grids under their village, then the next town
    res = admin.post("/admin/units", {"code": "new-grid", "name": "新网格", "kind": "grid", "parent": "441581-01"},
                     page="/admin/units")
    assert res.status_code == 422 and 'id="parent-error"' in _text(res)
    assert admin.post("/admin/units", {"code": "441581-01-004", "name": "北村", "kind": "village",
                                       "parent": "441581-01"}, page="/admin/units").status_code == 302
    busy = _text(admin.get("/admin/units/441581-01"))
    assert "活跃用户" in busy and "disabled" in busy
    assert admin.post("/admin/units/441581-01/active", {"active": "0"}, page="/admin/units").status_code == 422
    assert admin.post("/admin/units/441581-01-004/active", {"active": "0"}, page="/admin/units").status_code == 302
    before = _count(county, OrgUnit)
    token = admin.token("/admin/units")
    bad = admin.client.post("/admin/unit-imports", headers={"X-CSRFToken": token},
                            data={"file": ((FIXTURES / "units_bad.csv").open("rb"), "units.csv")})
    assert bad.status_code == 422 and "第 4 行" in _text(bad) and "第 8 行" in _text(bad)
    assert _count(county, OrgUnit) == before


def test_mediator_pool_filters_create_and_edit(admin, county):
    listed = _text(admin.get("/admin/mediators?tier=county"))
    assert "周法官" in listed and "张秀兰" not in listed
    assert "张秀兰" in _text(admin.get("/admin/mediators?specialty=婚姻家庭"))
    res = admin.post("/admin/mediators", {"name": "新调解员", "tier": "county", "unit": "441581-01",
                                          "mediation_type": "人民调解"}, page="/admin/mediators")
    assert res.status_code == 422 and 'id="tier-error"' in _text(res)
    before = _count(county, Mediator)
    assert admin.post("/admin/mediators", {"name": "新调解员", "tier": "town", "unit": "441581-01",
                                           "mediation_type": "人民调解", "specialties": "劳动争议, 合同债务",
                                           "gold": "1", "username": ""}, page="/admin/mediators").status_code == 302
    assert _count(county, Mediator) == before + 1
    with engine_session(county) as session:
        row = session.scalar(select(Mediator).where(Mediator.name == "新调解员"))
        assert row.specialties == ["劳动争议", "合同债务"] and row.gold
    assert admin.post(f"/admin/mediators/{row.id}/active", {"active": "0"}, page="/admin/mediators").status_code == 302
    assert "新调解员" not in _text(admin.get("/admin/mediators"))


def test_the_organisation_check_lists_the_gaps(admin, county):
    html = _text(admin.get("/admin/organisation"))
    assert "每项任务在其可能落到的每个单位都有人办理" in html  # the demo county is fully staffed
    assert admin.post("/admin/users/grid_02_003_02/active", {"active": "0"}, page="/admin/users").status_code == 302
    html = _text(admin.get("/admin/organisation"))
    assert "无人可办" in html and 'href="/admin/units/441581-02-003-02"' in html
    assert "441581-02-003-01" not in html  # its neighbour still has its grid worker
