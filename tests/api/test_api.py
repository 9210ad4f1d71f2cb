import io

import pytest

from tests.helpers import FIXTURES
from tests.processes import conftest as process_fixtures

http = process_fixtures.http  # the demo county over the API


def _open(client, headers, **body):
    return client.post("/api/v1/cases", json={"process_id": "simple", "data": {}, **body}, headers=headers)


def test_token_required_and_bad_credentials(client, world):
    assert client.get("/api/v1/cases").status_code == 401
    res = client.get("/api/v1/cases", headers={"Authorization": "Bearer nope"})
    assert res.status_code == 401 and res.json["error"]["code"] == "unauthorized"
    res = client.post("/api/v1/auth/token", json={"username": "staff", "password": "wrong"})
    assert res.status_code == 401
    res = client.post("/api/v1/auth/token", json={"username": "staff"})
    assert res.status_code == 400 and "password" in res.json["error"]["fields"]


def test_open_case_and_work_it_to_the_end(client, world, login):
    staff, mediator = login("staff"), login("mediator")
    res = _open(client, staff)
    assert res.status_code == 201
    case = res.json
    assert case["status"] == "open" and case["unit"]["code"] == "town-1"
    task = case["open_tasks"][0]
    assert task["spec_id"] == "register"

    detail = client.get(f"/api/v1/tasks/{task['id']}", headers=staff).json
    assert detail["schema"]["title"].startswith("受理登记")

    res = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"title": "x"}}, headers=staff)
    assert res.status_code == 422 and "parties_count" in res.json["error"]["fields"]

    res = client.post(f"/api/v1/tasks/{task['id']}/complete",
                      json={"data": {"title": "邻里纠纷", "parties_count": 2}}, headers=staff)
    assert res.status_code == 200
    mediate = res.json["case"]["open_tasks"][0]
    assert mediate["role"] == "mediator"

    res = client.post(f"/api/v1/tasks/{task['id']}/complete",
                      json={"data": {"title": "邻里纠纷", "parties_count": 2}}, headers=staff)
    assert res.status_code == 409

    assert client.post(f"/api/v1/tasks/{mediate['id']}/claim", headers=mediator).status_code == 200
    assert [t["id"] for t in client.get("/api/v1/tasks?scope=mine", headers=mediator).json["items"]] == [
        mediate["id"]]
    res = client.post(f"/api/v1/tasks/{mediate['id']}/complete", json={"data": {"outcome": "resolved"}},
                      headers=mediator)
    assert res.status_code == 200 and res.json["case"]["status"] == "closed"

    detail = client.get(f"/api/v1/cases/{case['code']}", headers=staff).json
    kinds = [e["kind"] for e in detail["timeline"]]
    assert kinds[0] == "case_opened" and kinds[-1] == "case_closed"
    assert {"task_completed", "service_called"} <= set(kinds)


def test_other_unit_gets_403_and_unknown_gets_404(client, world, login):
    code = _open(client, login("staff")).json["code"]
    other = login("other_staff")
    assert client.get(f"/api/v1/cases/{code}", headers=other).status_code == 403
    assert client.get("/api/v1/cases/NOPE", headers=other).status_code == 404
    assert client.get("/api/v1/tasks/99999", headers=other).status_code == 404


def test_others_cannot_release_or_draft_over_a_claim(client, world, login):
    staff, staff2, mediator = login("staff"), login("staff2"), login("mediator")
    task_id = _open(client, staff).json["open_tasks"][0]["id"]
    assert client.post(f"/api/v1/tasks/{task_id}/claim", headers=staff).status_code == 200
    res = client.post(f"/api/v1/tasks/{task_id}/unclaim", headers=mediator)
    assert res.status_code == 403 and res.json["error"]["code"] == "forbidden"
    res = client.post(f"/api/v1/tasks/{task_id}/draft", json={"data": {"title": "x"}}, headers=staff2)
    assert res.status_code == 409 and res.json["error"]["message"] == f"task {task_id} is claimed by staff"
    detail = client.get(f"/api/v1/tasks/{task_id}", headers=staff).json
    assert (detail["assignee"], detail["draft"]) == ("staff", None)


@pytest.mark.parametrize("body,field", [
    ({"data": {}}, "process_id"),
    ({"process_id": "simple", "data": []}, "data"),
    ({"process_id": "simple", "data": {}, "colour": "red"}, "colour"),
    ({"process_id": "nope", "data": {}}, "process_id"),
])
def test_bad_case_input_names_the_field_and_writes_nothing(client, world, login, body, field):
    staff = login("staff")
    res = client.post("/api/v1/cases", json=body, headers=staff)
    assert res.status_code in (400, 404)
    assert field in res.json["error"].get("fields", {})
    assert client.get("/api/v1/cases", headers=staff).json["items"] == []


def test_non_json_body_is_400(client, world, login):
    res = client.post("/api/v1/cases", data="{", headers={**login("staff"), "Content-Type": "application/json"})
    assert res.status_code == 400 and res.json["error"]["code"] == "bad_request"


def test_list_filters_and_pagination(client, world, login):
    staff = login("staff")
    for _ in range(3):
        _open(client, staff)
    page = client.get("/api/v1/cases?per_page=2", headers=staff).json
    assert len(page["items"]) == 2 and page["has_more"] is True
    assert client.get("/api/v1/cases?status=closed", headers=staff).json["items"] == []
    assert client.get("/api/v1/cases?status=bogus", headers=staff).status_code == 400
    assert client.get("/api/v1/tasks?scope=everything", headers=staff).status_code == 400
    assert len(client.get("/api/v1/tasks?scope=claimable", headers=staff).json["items"]) == 3


def test_deployment_over_http(client, world, login):
    designer, staff = login("designer"), login("staff")
    files = {"file": (io.BytesIO((FIXTURES / "catch.bpmn").read_bytes()), "catch.bpmn")}
    assert client.post("/api/v1/deployments", data=files, headers=staff).status_code == 403
    files = {"file": (io.BytesIO((FIXTURES / "catch.bpmn").read_bytes()), "catch.bpmn")}
    res = client.post("/api/v1/deployments", data=files, headers=designer)
    assert res.status_code == 201
    assert {v["process_id"]: v["created"] for v in res.json["versions"]} == {"catch": True, "simple": False}
    listing = client.get("/api/v1/processes", headers=staff).json["items"]
    assert {p["process_id"] for p in listing} == {"simple", "catch"}
    xml = client.get("/api/v1/processes/catch/versions/1/xml", headers=staff)
    assert xml.status_code == 200 and b"pick_by_hand" in xml.data
    assert client.get("/api/v1/processes/catch/versions/9/xml", headers=staff).status_code == 404


def test_bad_deployment_is_400_with_element_errors(client, world, login):
    xml = (FIXTURES / "catch.bpmn").read_bytes().replace(b'id="echo"', b'id="nonexistent"')
    res = client.post("/api/v1/deployments", data={"file": (io.BytesIO(xml), "catch.bpmn")},
                      headers=login("designer"))
    assert res.status_code == 400
    assert res.json["error"]["details"][0]["element"] == "assign"
    xxe = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>'
    res = client.post("/api/v1/deployments", data={"file": (io.BytesIO(xxe), "x.bpmn")}, headers=login("designer"))
    assert res.status_code == 400 and "DOCTYPE" in res.json["error"]["message"]


def test_openapi_document(client):
    doc = client.get("/api/openapi.json").json
    assert doc["openapi"].startswith("3.")
    assert "/tasks/{id}/complete" in doc["paths"]
    assert "CaseOut" in doc["components"]["schemas"]


def test_unknown_route_is_json_404(client):
    res = client.get("/api/v1/nothing")
    assert res.status_code == 404 and res.json["error"]["code"] == "not_found"


def test_the_case_list_matches_a_party_s_name_only_for_those_who_work_the_case(app, http):
    from tests.web.conftest import waiting_order

    waiting = waiting_order(app)

    def codes(user, text):
        res = http(user, "GET", "/api/v1/cases", query_string={"text": text})
        assert res.status_code == 200
        return [c["code"] for c in res.json["items"]]

    assert codes("town_staff", " 张  三") == [waiting.case_code]
    assert codes("town_mediator", waiting.case_code) == [waiting.case_code]  # sees the case
    assert codes("town_mediator", "张三") == []  # but does not work it: the name does not match
