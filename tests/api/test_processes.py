import io

from sqlalchemy import select

from api.extensions import db
from engine.models import AuditEvent, Case
from tests.helpers import FIXTURES


def _changed_simple():
    xml = (FIXTURES / "simple.bpmn").read_bytes().replace(b'name="\xe7\xbb\x93\xe6\x9d\x9f"', b'name="end2"')
    return {"file": (io.BytesIO(xml), "simple.bpmn")}


def _url(version, process_id="simple"):
    return f"/api/v1/processes/{process_id}/versions/{version}/rollback"


def test_rollback_over_http(client, world, login):
    designer = login("designer")
    assert client.post("/api/v1/deployments", data=_changed_simple(), headers=designer).status_code == 201
    staff = login("staff")
    running = client.post("/api/v1/cases", json={"process_id": "simple", "data": {}}, headers=staff)
    assert running.status_code == 201, running.json
    res = client.post(_url(1), headers=designer)
    assert res.status_code == 201, res.json
    assert res.json["process_id"] == "simple" and res.json["from_version"] == 1 and res.json["version"] == 3
    assert {"process_id": "simple", "version": 3, "name": "简单流程 Simple", "created": True} in res.json["versions"]
    fresh = client.post("/api/v1/cases", json={"process_id": "simple", "data": {}}, headers=staff)
    with client.application.app_context():
        versions = {c.code: c.process_version.version for c in db.session.scalars(select(Case))}
        event = db.session.scalars(select(AuditEvent).filter_by(kind="rolled_back")).one()
    assert versions == {running.json["code"]: 2, fresh.json["code"]: 3}
    assert (event.actor, event.detail["from_version"]) == ("designer", 1)
    processes = client.get("/api/v1/processes", headers=staff).json["items"]
    assert processes[0]["versions"] == [1, 2, 3]


def test_rollback_refusals(client, world, login):
    designer = login("designer")
    client.post("/api/v1/deployments", data=_changed_simple(), headers=designer)
    assert client.post(_url(1)).status_code == 401
    forbidden = client.post(_url(1), headers=login("staff"))
    assert forbidden.status_code == 403 and forbidden.json["error"]["code"] == "forbidden"
    missing = client.post(_url(9), headers=designer)
    assert missing.status_code == 404 and "no version 9" in missing.json["error"]["message"]
    assert client.post(_url(1, "nope"), headers=designer).status_code == 404
    latest = client.post(_url(2), headers=login("admin"))
    assert latest.status_code == 409 and "already the latest" in latest.json["error"]["message"]
    assert client.post(_url(1), headers=designer).status_code == 201
    again = client.post(_url(1), headers=designer)
    assert again.status_code == 409 and "already equals version 1" in again.json["error"]["message"]
