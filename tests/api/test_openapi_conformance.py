"""The API against its own OpenAPI document: generated requests, in process, as two demo users.

Every operation gets a bounded number of generated requests, valid and invalid, as an
administrator and as a grid worker. No reply may be a 5xx, carry a status the document does not
list for that operation, or have a body the document does not describe.
"""

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from api.cli import deploy_defaults
from api.extensions import db
from engine import cases, demo
from engine.models import TaskItem, User

EXAMPLES = 15  # per operation, mode and user: the whole run stays around a minute on SQLite
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
BOUNDED = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                   suppress_health_check=list(HealthCheck))


@pytest.fixture
def county(app):
    """The demo county with the real processes and one case opened in the grid, so ids 1… exist."""
    deploy_defaults(app)
    with app.app_context():
        demo.load(db.session)
        worker = db.session.query(User).filter_by(username="grid_worker").one()
        cases.open_case(db.session, worker, "dispute_case", {}, title="邻里纠纷")
        db.session.commit()
    return app


def _token(app, username: str) -> str:
    res = app.test_client().post("/api/v1/auth/token", json={"username": username, "password": demo.DEMO_PASSWORD})
    assert res.status_code == 200, res.json
    return res.json["token"]


def _fuzz(operation, mode, headers, path_parameters=None) -> None:
    @BOUNDED
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def _runs(operation, known: dict):
    """Generated requests in both modes, then valid ones aimed at the seeded case and its task."""
    for mode in schemathesis.GenerationMode:
        yield mode, None
    names = re.findall(r"{(\w+)}", operation.path)
    if names:
        yield schemathesis.GenerationMode.POSITIVE, {name: known[name] for name in names}


@pytest.mark.fuzz
@pytest.mark.parametrize("username", ["admin", "grid_worker"])
def test_every_reply_is_documented(county, username):
    headers = {"Authorization": f"Bearer {_token(county, username)}"}
    with county.app_context():
        seeded = db.session.query(TaskItem).one()
        known = {"id": seeded.id, "code": seeded.case.code, "process_id": "dispute_case", "version": 1,
                 "username": "grid_worker", "month": "2031-03"}
    api = schemathesis.openapi.from_wsgi("/api/openapi.json", county)
    failures, operations = [], 0
    for result in api.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode, path_parameters in _runs(operation, known):
            try:
                _fuzz(operation, mode, headers, path_parameters)
            except (Exception, FailureGroup) as exc:  # every operation runs; failures are reported together
                failures.append(f"{operation.label} ({mode}, {path_parameters}): {exc}")
    assert operations >= 20
    assert not failures, "\n\n".join(failures)


REGISTER = {"intake_channel": "窗口", "dispute_type": "合同债务", "summary": "双方因两千元货款拖欠发生纠纷",
            "parties": [{"name": "张三", "role": "申请人", "phone": "13800138000"},
                        {"name": "李四", "role": "被申请人", "phone": "0660-8812345"}],
            "amount": 2000, "risk_flags": [], "location_unit_code": demo.GRID_1}


@pytest.mark.parametrize("username", ["admin", "grid_worker"])
def test_replies_of_a_worked_case_match_the_document(county, username):
    """Generated requests rarely name a real case or task: walk one, checking each reply the same way."""
    api = schemathesis.openapi.from_wsgi("/api/openapi.json", county)
    headers = {"Authorization": f"Bearer {_token(county, username)}"}

    def call(method, path, status, **parts):
        res = api[path][method].Case(**parts).call_and_validate(headers=headers, checks=CHECKS)
        assert res.status_code == status, res.text
        return res.text if path.endswith("/xml") else res.json()

    admin = username == "admin"
    call("POST", "/auth/token", 200, body={"username": username, "password": demo.DEMO_PASSWORD})
    code = call("POST", "/cases", 201, body={"process_id": "dispute_case", "data": {}, "title": "货款"})["code"]
    call("GET", "/cases", 200, query={"text": "货款"})
    detail = call("GET", "/cases/{code}", 200, path_parameters={"code": code})
    task = detail["open_tasks"][0]["id"]
    call("GET", "/tasks", 200, query={"scope": "unit", "case": code})
    call("GET", "/tasks/{id}", 200, path_parameters={"id": task})
    # Registration is named for whoever reported the case, so the grid worker registers their own report.
    call("POST", "/tasks/{id}/claim", 200, path_parameters={"id": task})
    call("POST", "/tasks/{id}/draft", 200, path_parameters={"id": task}, body={"data": {"summary": "草稿"}})
    done = call("POST", "/tasks/{id}/complete", 200, path_parameters={"id": task}, body={"data": REGISTER})
    code = done["case"]["code"]  # registration gives the case its official code
    call("GET", "/cases/{code}", 200, path_parameters={"code": code})
    call("GET", "/cases/{code}/orders", 200, path_parameters={"code": code})
    call("GET", "/orders", 200, query={"per_page": 5})
    call("GET", "/timers", 200 if admin else 403, query={"case": code})
    call("POST", "/timers/recalc", 200 if admin else 403, body={"case": code})
    call("GET", "/processes", 200)
    assert "bpmn" in call("GET", "/processes/{process_id}/versions/{version}/xml", 200,
                          path_parameters={"process_id": "dispute_case", "version": 1})
    call("GET", "/incidents", 200)


def _shape(path: str) -> str:
    return re.sub(r"<[^>]+>|{[^}]+}", "{}", path)


def test_document_lists_every_route_and_the_errors_it_can_answer(app):
    doc = app.test_client().get("/api/openapi.json").json
    routes = {(method.lower(), _shape(rule.rule.removeprefix("/api/v1"))) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/") for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(method, _shape(path)): op for path, ops in doc["paths"].items() for method, op in ops.items()}
    assert routes == set(documented)
    for (method, path), op in documented.items():
        statuses = set(op["responses"])
        assert ("security" in op) == (path != "/auth/token")
        assert "security" not in op or "401" in statuses, (method, path)
        assert "requestBody" not in op or {"400", "413"} <= statuses, (method, path)
        assert "{}" not in path or "404" in statuses, (method, path)
        for status, response in op["responses"].items():
            if status.startswith("4"):
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
    error = doc["components"]["schemas"]["ErrorBody"]
    assert set(error["properties"]) == {"code", "message", "fields", "details"}
    assert set(error["required"]) == {"code", "message"}


def test_headers_of_http_errors_are_kept(app):
    from werkzeug.exceptions import TooManyRequests

    def busy():
        raise TooManyRequests(retry_after=30)

    app.add_url_rule("/api/v1/busy-for-test", "busy", busy)
    res = app.test_client().get("/api/v1/busy-for-test")
    assert res.status_code == 429 and res.headers["Retry-After"] == "30"
    assert res.json["error"]["code"] == "too_many_requests" and res.content_type == "application/json"
