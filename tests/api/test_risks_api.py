"""GET /api/v1/risks, letters about a risk and their answers: who may, what is shown, what is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from api.extensions import db
from engine import clock, party_keys
from engine.models import AuditEvent, Case, PartyKey, ProcessVersion
from tests.helpers import deploy_fixture, small_org

PHONE = "13800001111"


@pytest.fixture
def repeated(app, echo_handler):
    """Three cases of the first town's village naming the same phone."""
    with app.app_context():
        units, _ = small_org(db.session)
        deploy_fixture(db.session)
        pv = db.session.scalar(select(ProcessVersion.id))
        at = clock.now() - timedelta(days=2)
        db.session.execute(insert(Case), [
            {"code": f"C-{n}", "process_id": "p", "process_version_id": pv, "status": "open", "title": "",
             "opened_by": "staff", "opened_at": at, "received_at": at, "org_unit_id": units["village"].id,
             "received_unit_id": units["village"].id, "county_id": units["county"].id, "repeat_petition": False}
            for n in range(3)])
        for case_id in db.session.scalars(select(Case.id)):
            db.session.add(PartyKey(case_id=case_id, kind="phone", digest=party_keys.digest("phone", PHONE)))
        db.session.commit()


def token(client, username):
    response = client.post("/api/v1/auth/token", json={"username": username, "password": "pw"})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_the_risk_list_is_scoped_and_masked(client, repeated):
    response = client.get("/api/v1/risks", headers=token(client, "staff"))
    assert response.status_code == 200
    [risk] = response.get_json()["items"]
    assert risk["kind"] == "repeat_party" and risk["unit"] == "village-1" and risk["severity"] == "high"
    assert sorted(risk["cases"]) == ["C-0", "C-1", "C-2"] and risk["detail"]["cases"] == 3
    assert PHONE not in response.get_data(as_text=True) and "1111" not in response.get_data(as_text=True)
    assert client.get("/api/v1/risks", headers=token(client, "other_staff")).get_json()["items"] == []
    assert client.get("/api/v1/risks?kind=mass_dispute", headers=token(client, "leader")).get_json()["items"] == []
    assert client.get("/api/v1/risks?unit=town-2", headers=token(client, "staff")).status_code == 403
    for name in ("mediator", "grid_worker", "designer"):
        assert client.get("/api/v1/risks", headers=token(client, name)).status_code == 403
    assert client.get("/api/v1/risks?kind=nonsense", headers=token(client, "staff")).status_code == 400


def test_a_letter_is_issued_numbered_logged_and_answered_once(client, repeated, app):
    leader, staff = token(client, "leader"), token(client, "staff")
    risk_id = client.get("/api/v1/risks", headers=leader).get_json()["items"][0]["id"]
    response = client.post(f"/api/v1/risks/{risk_id}/letters", headers=leader,
                           json={"due_days": 5, "note": "请于三日内走访当事人", "unit": "town-1"})
    assert response.status_code == 201, response.get_json()
    letter = response.get_json()
    year = clock.now().year
    assert letter["number"] == f"风险预警函〔{year}〕第1号" and letter["status"] == "open"
    assert letter["unit"] == "town-1" and "镇一" in letter["text"] and "请于三日内走访当事人" in letter["text"]
    assert "C-0" in letter["text"] and PHONE not in letter["text"]
    second = client.post(f"/api/v1/risks/{risk_id}/letters", headers=leader, json={})
    assert second.get_json()["number"] == f"风险预警函〔{year}〕第2号" and second.get_json()["unit"] == "village-1"

    url = f"/api/v1/risk-letters/{letter['id']}/answer"
    assert client.post(url, headers=token(client, "other_staff"), json={"answer": "x"}).status_code == 404
    assert client.post(url, headers=token(client, "mediator"), json={"answer": "x"}).status_code == 403
    assert client.post(url, headers=leader, json={"answer": "x"}).status_code == 403  # not the addressed unit
    empty = client.post(url, headers=staff, json={"answer": "   "})
    assert empty.status_code == 400 and "answer" in empty.get_json()["error"]["fields"]
    answered = client.post(url, headers=staff, json={"answer": "已走访当事人，落实稳控措施"})
    assert answered.status_code == 200
    assert answered.get_json()["status"] == "answered" and answered.get_json()["answered_by"] == "staff"
    assert client.post(url, headers=token(client, "staff2"), json={"answer": "again"}).status_code == 409
    listed = client.get("/api/v1/risk-letters?status=answered", headers=staff).get_json()["items"]
    assert [item["id"] for item in listed] == [letter["id"]]
    with app.app_context():
        kinds = list(db.session.scalars(select(AuditEvent.kind).where(AuditEvent.kind.like("risk_letter%"))
                                        .order_by(AuditEvent.id)))
    assert kinds == ["risk_letter_issued", "risk_letter_issued", "risk_letter_answered"]


def test_letters_refuse_bad_input_and_other_units(client, repeated):
    leader = token(client, "leader")
    risk_id = client.get("/api/v1/risks", headers=leader).get_json()["items"][0]["id"]
    url = f"/api/v1/risks/{risk_id}/letters"
    bad = client.post(url, headers=leader, json={"due_days": 0})
    assert bad.status_code == 400 and "due_days" in bad.get_json()["error"]["fields"]
    assert client.post(url, headers=leader, json={"unit": "nowhere"}).status_code == 404
    assert client.post(url, headers=token(client, "other_staff"), json={}).status_code == 404
    assert client.post(url, headers=token(client, "mediator"), json={}).status_code == 403
    assert client.post("/api/v1/risks/999/letters", headers=leader, json={}).status_code == 404
    assert client.get("/api/v1/risk-letters/999", headers=leader).status_code == 404


def test_the_daily_job_scans_before_anyone_asks(app, repeated):
    from api import scheduler
    from engine.models import Risk

    scheduler.risk_job(app)  # what the scheduler runs every day
    with app.app_context():
        [risk] = db.session.scalars(select(Risk)).all()
    assert risk.kind == "repeat_party" and risk.active


def test_an_open_letter_is_an_inbox_row_and_shows_where_it_went(client, repeated, app):
    from engine import sweep

    leader, staff = token(client, "leader"), token(client, "staff")
    risk_id = client.get("/api/v1/risks", headers=leader).get_json()["items"][0]["id"]
    letter = client.post(f"/api/v1/risks/{risk_id}/letters", headers=leader,
                         json={"due_days": 2, "unit": "town-1"}).get_json()
    assert letter["escalated_to"] is None and letter["escalations"] == [] and letter["overdue_at_top"] is False
    items = client.get("/api/v1/tasks", headers=staff).get_json()["items"]
    assert [(i["kind"], i["id"], i["name"], i["spec_id"]) for i in items] == [
        ("letter", letter["id"], letter["number"], "risk_letter")]
    assert items[0]["letter"]["escalated_to"] is None and items[0]["unit"]["code"] == "town-1"
    assert items[0]["due_at"] == letter["due_at"] and items[0]["overdue"] is False
    assert client.get("/api/v1/tasks?task=risk_letter&overdue=true", headers=staff).get_json()["items"] == []
    assert client.get("/api/v1/tasks", headers=token(client, "mediator")).get_json()["items"] == []
    with app.app_context(), clock.frozen_at(clock.parse(letter["due_at"]) + timedelta(minutes=1)):
        assert sweep.sweep(db.session).letters == 1
    after = client.get(f"/api/v1/risk-letters/{letter['id']}", headers=leader).get_json()
    assert after["escalated_to"] == "county" and after["escalated_to_name"] == "县"
    [step] = after["escalations"]
    assert (step["from"], step["to"], step["previous_due_at"]) == ("town-1", "county", letter["due_at"])
    row = client.get("/api/v1/tasks", headers=leader).get_json()["items"][0]
    assert row["kind"] == "letter" and row["letter"]["escalated_to_name"] == "县" and row["unit"]["code"] == "county"
    _documented(row, "TaskOut")
    _documented(after, "RiskLetterOut")


def _documented(body: dict, name: str) -> None:
    """``body`` fits the OpenAPI document's schema ``name`` (3.0's ``nullable`` read as JSON Schema's null type)."""
    import jsonschema

    from api import openapi

    def plain(node):
        if isinstance(node, dict):
            out = {k: plain(v) for k, v in node.items() if k != "nullable"}
            if node.get("nullable") and "type" in node:
                out["type"] = [node["type"], "null"]
            return out
        return [plain(v) for v in node] if isinstance(node, list) else node

    components = plain(openapi.build()["components"])
    jsonschema.validate(body, {"$ref": f"#/components/schemas/{name}", "components": components})


def test_a_repeat_address_is_listed_by_kind_with_counts_only(client, app, repeated):
    address = "五华县水寨镇幸福里小区3栋302室"
    with app.app_context():
        for case_id in db.session.scalars(select(Case.id)):
            db.session.add(PartyKey(case_id=case_id, kind="address", digest=party_keys.digest("address", address)))
        db.session.commit()
    response = client.get("/api/v1/risks?kind=repeat_address", headers=token(client, "staff"))
    assert response.status_code == 200
    [risk] = response.get_json()["items"]
    assert risk["kind"] == "repeat_address" and risk["severity"] == "medium" and risk["unit"] == "village-1"
    assert sorted(risk["cases"]) == ["C-0", "C-1", "C-2"] and risk["detail"] == {"cases": 3, "window_days": 90}
    body = response.get_data(as_text=True)
    assert "幸福里" not in body and "302" not in body and party_keys.digest("address", address) not in body
    letter = client.post(f"/api/v1/risks/{risk['id']}/letters", headers=token(client, "leader"), json={})
    assert letter.status_code == 201 and "重复地址" in letter.get_json()["text"]
    assert "幸福里" not in letter.get_data(as_text=True)
    kinds = {item["kind"] for item in client.get("/api/v1/risks", headers=token(client, "staff")).get_json()["items"]}
    assert kinds == {"repeat_party", "repeat_address"}
