"""Input that used to break a case or the server gets a 4xx naming the field, and nothing is stored."""

import pytest
from sqlalchemy import func, select

from api import create_app
from api.extensions import db
from engine.json_input import INT_MAX, MAX_DEPTH
from engine.models import INTEGER_MAX, AuditEvent, Case
from tests.conftest import ON_POSTGRES, settings_for

BIG = "99999999999999999999999"
DEEP = "[" * 10_000 + "]" * 10_000


def _rows(app) -> tuple[int, int]:
    with app.app_context():
        counts = (db.session.scalar(select(func.count(Case.id))), db.session.scalar(select(func.count(AuditEvent.id))))
        db.session.remove()
        return counts


def _post_raw(client, url, raw: str, headers):
    return client.post(url, data=raw.encode("utf-8"), headers={**headers, "Content-Type": "application/json"})


def _refused(res, status: int, field: str) -> None:
    assert res.status_code == status, res.json
    error = res.json["error"]
    assert field in error["fields"], error
    assert field.strip("()") in error["message"]


@pytest.fixture
def staff(world, login):
    return login("staff")


@pytest.mark.parametrize("raw,field", [
    ('{"process_id": "simple", "data": {"x": "\\udfff"}}', "data.x"),
    ('{"process_id": "simple", "data": {"\\ud800": 1}}', "data.\\ud800"),
    ('{"process_id": "simple", "data": {}, "title": "a\\udfffb"}', "title"),
    ('{"process_id": "simple", "data": {"x": "a\\u0000b"}}', "data.x"),
    ('{"process_id": "simple", "data": {"x": NaN}}', "data.x"),
    ('{"process_id": "simple", "data": {"x": [1, Infinity]}}', "data.x.1"),
    ('{"process_id": "simple", "data": {"x": -Infinity}}', "data.x"),
    ('{"process_id": "simple", "data": {"x": 1e999}}', "data.x"),
    (f'{{"process_id": "simple", "data": {{"x": {BIG}}}}}', "data.x"),
    (f'{{"process_id": "simple", "data": {{"x": -{BIG}}}}}', "data.x"),
    (f'{{"process_id": "simple", "data": {{"x": {INT_MAX + 1}}}}}', "data.x"),
    ('{"process_id": "simple", "data": {"x": ' + "9" * 5000 + "}}", "data.x"),
    (f'{{"process_id": "simple", "version": {BIG}, "data": {{}}}}', "version"),
    (f'{{"process_id": "simple", "version": {INTEGER_MAX + 1}, "data": {{}}}}', "version"),
    ('{"process_id": "simple", "data": {"x": ' + DEEP + "}}", "data.x"),
    ('{"process_id": "simple", "data": {"x": ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}}", "data.x"),
])
def test_case_open_refuses_values_that_cannot_be_kept(app, client, staff, raw, field):
    before = _rows(app)
    res = _post_raw(client, "/api/v1/cases", raw, staff)
    assert res.status_code == 400, res.json
    (name,) = res.json["error"]["fields"]
    assert name.startswith(field) and field in res.json["error"]["message"]
    assert _rows(app) == before


def test_deep_nesting_names_the_path_down_to_the_limit(client, staff):
    res = _post_raw(client, "/api/v1/cases", '{"process_id": "simple", "data": {"x": ' + DEEP + "}}", staff)
    assert list(res.json["error"]["fields"]) == ["data.x" + ".0" * (MAX_DEPTH - 2)]


def test_values_at_the_limits_are_kept(app, client, staff):
    nested = "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2)
    raw = (f'{{"process_id": "simple", "title": "调解 ✓", "data": {{"big": {INT_MAX}, "small": {-INT_MAX - 1}, '
           f'"f": 1.5e300, "n": {nested}}}}}')
    res = _post_raw(client, "/api/v1/cases", raw, staff)
    assert res.status_code == 201, res.json
    assert client.get(f"/api/v1/cases/{res.json['code']}", headers=staff).status_code == 200


def test_largest_version_reaches_the_database_and_is_404(client, staff):
    res = client.post("/api/v1/cases", json={"process_id": "simple", "version": INTEGER_MAX, "data": {}},
                      headers=staff)
    assert res.status_code == 404 and "process_id" in res.json["error"]["fields"]


def test_reserved_data_key_is_refused_when_the_case_opens(app, client, staff):
    before = _rows(app)
    res = client.post("/api/v1/cases", json={"process_id": "simple", "data": {"now": 1, "ok": 2}}, headers=staff)
    _refused(res, 422, "data.now")
    assert list(res.json["error"]["fields"]) == ["data.now"]
    assert _rows(app) == before


def test_body_over_the_limit_is_413(app, client, staff):
    before = _rows(app)
    raw = '{"process_id": "simple", "data": {"x": "' + "a" * (5 * 1024 * 1024) + '"}}'
    res = _post_raw(client, "/api/v1/cases", raw, staff)
    _refused(res, 413, "(body)")
    assert res.json["error"]["code"] == "payload_too_large"
    assert _rows(app) == before


def test_json_limit_is_a_setting(database_url, world):
    app = create_app(settings_for(database_url, max_json_bytes=400))
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "staff", "password": "pw"}).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    small = client.post("/api/v1/cases", json={"process_id": "simple", "data": {"x": "a" * 100}}, headers=headers)
    assert small.status_code == 201
    large = client.post("/api/v1/cases", json={"process_id": "simple", "data": {"x": "a" * 400}}, headers=headers)
    _refused(large, 413, "(body)")
    assert "400 bytes" in large.json["error"]["message"]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_login_name_with_a_surrogate_is_400(client, world):
    res = _post_raw(client, "/api/v1/auth/token", '{"username": "\\udfff", "password": "pw"}', {})
    _refused(res, 400, "username")


@pytest.mark.parametrize("route", ["complete", "draft"])
@pytest.mark.parametrize("value,field", [
    ('"\\udfff"', "data.x"), ("NaN", "data.x"), ("1e999", "data.x"), (BIG, "data.x"), (DEEP, "data.x"),
])
def test_task_data_is_checked_before_anything_is_written(app, client, staff, route, value, field):
    task = client.post("/api/v1/cases", json={"process_id": "simple", "data": {}}, headers=staff).json[
        "open_tasks"][0]
    before = _rows(app)
    res = _post_raw(client, f"/api/v1/tasks/{task['id']}/{route}", '{"data": {"x": ' + value + "}}", staff)
    assert res.status_code == 400, res.json
    (name,) = res.json["error"]["fields"]
    assert name.startswith(field)
    assert _rows(app) == before
    detail = client.get(f"/api/v1/tasks/{task['id']}", headers=staff)
    assert detail.status_code == 200 and detail.json["draft"] is None and detail.json["state"] == "ready"


@pytest.mark.parametrize("url", [
    f"/api/v1/tasks/{BIG}", f"/api/v1/tasks/{INT_MAX + 1}", f"/api/v1/tasks/{INTEGER_MAX + 1}",
    f"/api/v1/tasks/{INTEGER_MAX}", "/api/v1/tasks/" + "9" * 5000, f"/api/v1/processes/simple/versions/{BIG}/xml",
    f"/api/v1/processes/simple/versions/{INTEGER_MAX + 1}/xml", f"/api/v1/processes/simple/versions/{INTEGER_MAX}/xml",
    "/api/v1/cases/a%00b", "/api/v1/cases/a%00b/orders",
])
def test_path_ids_beyond_what_the_database_holds_are_404(client, staff, url):
    res = client.get(url, headers=staff)
    assert res.status_code == 404 and res.json["error"]["code"] == "not_found"


@pytest.mark.parametrize("url", [f"/api/v1/tasks/{BIG}/claim", f"/api/v1/incidents/{BIG}/retry",
                                 f"/api/v1/incidents/{INT_MAX}/retry", f"/api/v1/incidents/{INTEGER_MAX}/retry"])
def test_writes_on_huge_ids_are_404(app, client, staff, url):
    before = _rows(app)
    assert client.post(url, headers=staff).status_code == 404
    assert _rows(app) == before


@pytest.mark.parametrize("url,field", [
    (f"/api/v1/cases?page={BIG}", "page"), (f"/api/v1/cases?per_page={BIG}", "per_page"),
    ("/api/v1/cases?page=" + "9" * 5000, "page"), (f"/api/v1/tasks?page={BIG}", "page"),
    (f"/api/v1/orders?per_page={BIG}", "per_page"), (f"/api/v1/timers?page={BIG}", "page"),
    ("/api/v1/cases?text=a%00b", "text"), ("/api/v1/tasks?case=%00", "case"),
    ("/api/v1/timers?due_before=9999-12-31T23:59:59-23:59", "due_before"),
    ("/api/v1/timers?due_before=0001-01-01T00:00:00%2B23:59", "due_before"),
])
def test_query_parameters_out_of_range_name_the_field(client, world, login, url, field):
    _refused(client.get(url, headers=login("admin")), 400, field)


def test_405_says_which_methods_are_allowed(client):
    res = client.put("/api/v1/cases")
    assert res.status_code == 405 and res.json["error"]["code"] == "method_not_allowed"
    assert {"GET", "POST"} <= {m.strip() for m in res.headers["Allow"].split(",")}


@pytest.mark.skipif(ON_POSTGRES, reason="PostgreSQL's JSON columns never accepted a lone surrogate")
def test_text_stored_before_input_was_checked_is_sent_escaped_not_a_500(app, client, world, staff):
    """Data written by an older version (a lone surrogate inside a case's JSON) still reads."""
    from engine import cases
    from engine.models import User

    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "staff"))
        case = cases.open_case(db.session, user, "simple", {"note": "调解\udfff"})
        db.session.commit()
        code = case.code
        db.session.remove()
    res = client.get(f"/api/v1/cases/{code}", headers=staff)
    assert res.status_code == 200
    assert "\\udfff" in res.get_data(as_text=True)
    assert res.json["code"] == code
