"""The administrator's users, units and mediator pool over the API: admin only, 422 naming the field, no half-writes."""

import pytest
from sqlalchemy import func, select

from api.extensions import db
from engine.models import AuditEvent, Mediator, OrgUnit, User
from tests.helpers import FIXTURES


@pytest.fixture
def admin(world, login):
    return login("admin")


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("method, path", [
    ("get", "/api/v1/admin/users"), ("post", "/api/v1/admin/users"), ("get", "/api/v1/admin/users/staff"),
    ("post", "/api/v1/admin/users/staff/deactivate"), ("post", "/api/v1/admin/users/staff/password"),
    ("get", "/api/v1/admin/units"), ("post", "/api/v1/admin/units"), ("post", "/api/v1/admin/units/town-1/deactivate"),
    ("post", "/api/v1/admin/unit-imports"), ("get", "/api/v1/admin/mediators"), ("post", "/api/v1/admin/mediators"),
])
@pytest.mark.parametrize("who", ["staff", "leader", "designer"])
def test_everyone_but_administrators_is_refused(client, world, login, method, path, who):
    bodies = {"/api/v1/admin/users": {"username": "x1", "role": "mediator", "unit": "village-1"},
              "/api/v1/admin/units": {"code": "x", "name": "x", "kind": "village", "parent": "town-1"},
              "/api/v1/admin/unit-imports": {"csv": "code,name,kind,parent_code\nx,x,village,town-1\n"},
              "/api/v1/admin/mediators": {"name": "x", "tier": "town", "unit": "town-1"}}
    kwargs = {"json": bodies.get(path, {})} if method == "post" else {}
    res = getattr(client, method)(path, headers=login(who), **kwargs)
    assert res.status_code == 403, res.json
    assert client.get("/api/v1/admin/users").status_code == 401


def test_create_a_user_who_signs_in_with_the_password_shown_once(client, admin):
    res = client.post("/api/v1/admin/users", headers=admin,
                      json={"username": "new_grid", "role": "grid_worker", "unit": "grid-1", "display_name": "新网格员"})
    assert res.status_code == 201, res.json
    assert res.json["user"]["unit"]["code"] == "grid-1" and res.json["user"]["active"] is True
    password = res.json["password"]
    token = client.post("/api/v1/auth/token", json={"username": "new_grid", "password": password})
    assert token.status_code == 200 and token.json["role"] == "grid_worker"
    listed = client.get("/api/v1/admin/users?unit=grid-1", headers=admin).json["items"]
    assert [u["username"] for u in listed] == ["grid_worker", "new_grid"]


@pytest.mark.parametrize("payload, status, field", [
    ({"username": "staff", "role": "mediator", "unit": "village-1"}, 422, "username"),
    ({"username": "fresh", "role": "grid_worker", "unit": "village-1"}, 422, "role"),
    ({"username": "fresh", "role": "mediator", "unit": "nowhere"}, 422, "unit"),
    ({"username": "fresh", "role": "mediator", "unit": "village-1", "password": "short"}, 422, "password"),
    ({"username": "fresh", "role": "wizard", "unit": "village-1"}, 400, "role"),
    ({"username": "fresh", "role": "mediator"}, 400, "unit"),
    ({"username": "fresh", "role": "mediator", "unit": "village-1", "extra": 1}, 400, "extra"),
])
def test_bad_users_are_refused_naming_the_field_and_nothing_is_written(app, client, admin, payload, status, field):
    before = _count(app, User)
    res = client.post("/api/v1/admin/users", headers=admin, json=payload)
    assert res.status_code == status, res.json
    assert field in res.json["error"]["fields"]
    assert _count(app, User) == before


def test_move_deactivate_reactivate_and_reset_password(client, admin, login):
    old = login("staff")
    moved = client.post("/api/v1/admin/users/staff", headers=admin, json={"unit": "town-2"})
    assert moved.status_code == 200 and moved.json["unit"]["code"] == "town-2"
    assert client.get("/api/v1/tasks", headers=old).status_code == 401  # the move ends their tokens
    assert client.post("/api/v1/admin/users/staff/deactivate", headers=admin).json["active"] is False
    assert client.post("/api/v1/auth/token", json={"username": "staff", "password": "pw"}).status_code == 401
    assert client.post("/api/v1/admin/users/staff/reactivate", headers=admin).json["active"] is True
    reset = client.post("/api/v1/admin/users/staff/password", headers=admin, json={"password": "a new password"})
    assert reset.status_code == 200 and reset.json["password"] is None
    assert client.post("/api/v1/auth/token", json={"username": "staff", "password": "a new password"}).status_code == 200
    generated = client.post("/api/v1/admin/users/staff/password", headers=admin, json={}).json["password"]
    assert client.post("/api/v1/auth/token", json={"username": "staff", "password": generated}).status_code == 200
    assert client.post("/api/v1/admin/users/nobody/deactivate", headers=admin).status_code == 404
    selfie = client.post("/api/v1/admin/users/admin/deactivate", headers=admin)
    assert selfie.status_code == 422 and "username" in selfie.json["error"]["fields"]


def test_units_tree_create_rename_and_close(app, client, admin):
    res = client.post("/api/v1/admin/units", headers=admin,
                      json={"code": "village-2", "name": "村二", "kind": "village", "parent": "town-2"})
    assert res.status_code == 201 and res.json["parent"] == "town-2"
    bad = client.post("/api/v1/admin/units", headers=admin,
                      json={"code": "g", "name": "网格", "kind": "grid", "parent": "town-2"})
    assert bad.status_code == 422 and set(bad.json["error"]["fields"]) == {"parent"}
    assert client.post("/api/v1/admin/units/village-2", headers=admin, json={"name": "新村"}).json["name"] == "新村"
    tree = client.get("/api/v1/admin/units", headers=admin).json["items"]
    assert [(n["unit"]["code"], n["depth"]) for n in tree][:4] == [("county", 0), ("town-1", 1), ("village-1", 2),
                                                                   ("grid-1", 3)]
    refused = client.post("/api/v1/admin/units/town-1/deactivate", headers=admin)
    assert refused.status_code == 422 and "active users" in refused.json["error"]["fields"]["code"]
    assert client.post("/api/v1/admin/units/village-2/deactivate", headers=admin).json["active"] is False
    assert client.post("/api/v1/admin/units/village-2/reactivate", headers=admin).json["active"] is True


def test_csv_import_with_a_bad_row_writes_nothing(app, client, admin):
    before = _count(app, OrgUnit)
    res = client.post("/api/v1/admin/unit-imports", headers=admin,
                      json={"csv": (FIXTURES / "units_bad.csv").read_text("utf-8")})
    assert res.status_code == 422
    assert [d["line"] for d in res.json["error"]["details"]] == [4, 5, 6, 7, 8]
    assert _count(app, OrgUnit) == before
    good = client.post("/api/v1/admin/unit-imports", headers=admin,
                       json={"csv": (FIXTURES.parent.parent / "docs" / "units-example.csv").read_text("utf-8")})
    assert good.status_code == 201 and good.json["count"] == 6
    assert _count(app, OrgUnit) == before + 6


def test_mediator_pool(app, client, admin):
    res = client.post("/api/v1/admin/mediators", headers=admin, json={
        "name": "赵红梅", "tier": "town", "unit": "town-1", "specialties": ["劳动争议"], "gold": True,
        "mediation_type": "行政调解", "username": "mediator"})
    assert res.status_code == 201, res.json
    mediator_id = res.json["id"]
    assert res.json["username"] == "mediator" and res.json["gold"] is True
    bad = client.post("/api/v1/admin/mediators", headers=admin, json={"name": "x", "tier": "county", "unit": "town-1"})
    assert bad.status_code == 422 and set(bad.json["error"]["fields"]) == {"tier"}
    assert _count(app, Mediator) == 1
    changed = client.post(f"/api/v1/admin/mediators/{mediator_id}", headers=admin, json={"username": None, "gold": False})
    assert changed.json["username"] is None and changed.json["gold"] is False
    assert client.post(f"/api/v1/admin/mediators/{mediator_id}/deactivate", headers=admin).json["active"] is False
    assert client.get("/api/v1/admin/mediators", headers=admin).json["items"] == []
    listed = client.get("/api/v1/admin/mediators?include_inactive=true&tier=town", headers=admin).json["items"]
    assert [m["id"] for m in listed] == [mediator_id]
    with app.app_context():
        kinds = list(db.session.scalars(select(AuditEvent.kind).where(AuditEvent.actor == "admin")
                                        .where(AuditEvent.kind.like("mediator_%")).order_by(AuditEvent.id)))
    assert kinds == ["mediator_created", "mediator_changed", "mediator_deactivated"]
