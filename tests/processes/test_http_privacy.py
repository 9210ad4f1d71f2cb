"""Parties' personal data over HTTP: masked for readers who do not work the case, audited when shown in full."""

import pytest
from sqlalchemy import Text, cast, select

from api.extensions import db
from engine import demo
from engine.models import AuditEvent

from . import steps
from .test_http_scenario import REGISTER, _work

ID, PHONE, NAME = "441581198001011234", "13800138000", "张三"
MASKED = [{"name": "张*", "role": "申请人", "id_number": "441581********1234", "phone": "138****8000"},
          {"name": "李*", "role": "被申请人", "phone": "066*****2345"}]
assert steps.PARTIES[0]["id_number"] == ID and steps.PARTIES[0]["phone"] == PHONE


def _viewed(app):
    with app.app_context():
        return [(e.actor, e.task_id, e.detail["fields"]) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "personal_data_viewed").order_by(AuditEvent.id))]


def _no_full_values(res):
    body = res.get_data(as_text=True)
    assert res.status_code == 200, body
    assert ID not in body and PHONE not in body and NAME not in body


@pytest.fixture
def routed(http):
    """A town case registered with its parties and routed to the village: ``accept_order`` waits there."""
    code = http("town_staff", "POST", "/api/v1/cases", json={"process_id": "dispute_case", "data": {}}).json["code"]
    code = _work(http, "town_staff", code, "register", REGISTER)["code"]
    _work(http, "town_staff", code, "assess", {"acceptance": "受理", "facts_verified": True, "risk_flags": [],
                                             "assessment_notes": "清楚"})
    _work(http, "town_staff", code, "plan", {"handling_mode": "分级处置", "plan_summary": "属地调解"})
    case = _work(http, "town_staff", code, "route", {"tier": "village", "mediation_type": "人民调解",
                                                     "preferred_mediator_id": None})
    (task,) = case["open_tasks"]
    assert (task["spec_id"], task["unit"]["code"]) == ("accept_order", demo.VILLAGE_1)
    return code, task["id"]


@pytest.mark.parametrize("reader", ["designer", "county_mediator", "admin"])
def test_readers_who_do_not_work_the_case_see_masked_data(app, http, routed, reader):
    code, task_id = routed
    res = http(reader, "GET", f"/api/v1/tasks/{task_id}")
    _no_full_values(res)
    assert res.json["data"]["parties"] == MASKED
    assert res.json["schema"]["properties"]["order_accepted"]  # the rest of the detail is there
    res = http(reader, "GET", f"/api/v1/cases/{code}")
    _no_full_values(res)
    (registered,) = [e for e in res.json["timeline"]
                     if e["kind"] == "task_completed" and e["detail"]["task"] == "register"]
    assert registered["detail"]["data"]["parties"] == MASKED
    assert _viewed(app) == []


def test_the_worker_offered_the_task_sees_full_values_and_the_view_is_audited(app, http, routed):
    code, task_id = routed
    res = http("village_mediator", "GET", f"/api/v1/tasks/{task_id}")
    assert res.json["data"]["parties"] == steps.PARTIES
    assert _viewed(app) == [("village_mediator", task_id, ["data.parties.0.id_number"])]
    timeline = http("village_mediator", "GET", f"/api/v1/cases/{code}").json["timeline"]
    assert timeline[-1]["kind"] == "personal_data_viewed"
    assert timeline[-1]["detail"] == {"fields": ["data.parties.0.id_number"]}  # the path, never the value
    # The town centre above the village works the case too; a county mediator does not.
    assert http("town_staff", "GET", f"/api/v1/tasks/{task_id}").json["data"]["parties"] == steps.PARTIES
    assert http("county_mediator", "GET", f"/api/v1/tasks/{task_id}").json["data"]["parties"] == MASKED
    assert [actor for actor, _, _ in _viewed(app)] == ["village_mediator", "town_staff"]


def test_drafts_are_masked_for_readers(app, http):
    res = http("town_staff", "POST", "/api/v1/cases", json={"process_id": "dispute_case", "data": {}})
    task_id = res.json["open_tasks"][0]["id"]
    assert http("town_staff", "POST", f"/api/v1/tasks/{task_id}/draft",
                json={"data": {"parties": steps.PARTIES}}).status_code == 200
    for reader in ("designer", "county_mediator"):
        res = http(reader, "GET", f"/api/v1/tasks/{task_id}")
        _no_full_values(res)
        assert res.json["draft"] == {"parties": MASKED}
    assert http("town_staff", "GET", f"/api/v1/tasks/{task_id}").json["draft"] == {"parties": steps.PARTIES}
    assert _viewed(app) == [("town_staff", task_id, ["draft.parties.0.id_number"])]


def test_the_audit_log_stores_no_full_value(app, http, routed):
    with app.app_context():
        stored = db.session.scalars(select(cast(AuditEvent.detail, Text))).all()
    assert any("441581********1234" in d for d in stored)  # the registration is there, masked
    assert not [d for d in stored if ID in d or PHONE in d or NAME in d]


def test_lists_carry_no_personal_data(http, routed):
    code, _ = routed
    for user in ("village_mediator", "town_staff", "county_staff", "admin"):
        for url in ("/api/v1/cases?per_page=200", "/api/v1/tasks?scope=unit&per_page=200",
                    f"/api/v1/tasks?scope=claimable&case={code}", "/api/v1/orders?per_page=200",
                    f"/api/v1/cases/{code}/orders"):
            _no_full_values(http(user, "GET", url))
