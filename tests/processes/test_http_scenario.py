"""One dispute end to end over HTTP, with the demo county's users and the real process library."""

from sqlalchemy import select

from api.extensions import db
from engine import demo
from engine.models import AuditEvent, Order

from . import steps

REGISTER = {"intake_channel": "窗口", "dispute_type": "合同债务", "summary": "双方因两千元货款拖欠发生纠纷",
            "parties": steps.PARTIES, "party_count": 2, "amount": 2000, "risk_flags": [],
            "county_code": demo.COUNTY, "location_unit_code": demo.GRID_1}


def _work(http, user, code, spec_id, data):
    """Find the case's task in the user's claimable inbox, claim it and complete it."""
    inbox = http(user, "GET", "/api/v1/tasks?scope=claimable&per_page=200").json["items"]
    task = next(t for t in inbox if t["case_code"] == code and t["spec_id"] == spec_id)
    assert http(user, "POST", f"/api/v1/tasks/{task['id']}/claim").status_code == 200
    res = http(user, "POST", f"/api/v1/tasks/{task['id']}/complete", json={"data": data})
    assert res.status_code == 200, res.json
    return res.json["case"]


def test_village_case_from_window_to_closed_over_http(app, http):
    res = http("town_staff", "POST", "/api/v1/cases", json={"process_id": "dispute_case", "data": {}})
    assert res.status_code == 201
    code = res.json["code"]
    assert [t["spec_id"] for t in res.json["open_tasks"]] == ["register"]

    bad = dict(REGISTER, parties=[{"name": "张三", "role": "申请人", "phone": "12345"}])
    task_id = res.json["open_tasks"][0]["id"]
    rejected = http("town_staff", "POST", f"/api/v1/tasks/{task_id}/complete", json={"data": bad})
    assert rejected.status_code == 422 and "parties.0.phone" in rejected.json["error"]["fields"]

    case = _work(http, "town_staff", code, "register", REGISTER)
    code = case["code"]  # the registration issues the 一案一码 code
    assert code.startswith(f"MT-{demo.COUNTY}-")
    _work(http, "town_staff", code, "assess", {"facts_verified": True, "risk_flags": [], "assessment_notes": "事实清楚"})
    _work(http, "town_staff", code, "plan", {"handling_mode": "窗口直办", "plan_summary": "属地调解"})
    _work(http, "town_staff", code, "route", {"tier": "village", "mediation_type": "人民调解",
                                              "preferred_mediator_id": None})
    detail = http("town_staff", "GET", f"/api/v1/cases/{code}").json
    assert (detail["tier"], detail["severity"], detail["unit"]["code"]) == ("village", "ordinary", demo.VILLAGE_1)

    _work(http, "village_mediator", code, "accept_order", {"order_accepted": True, "return_reason": ""})
    _work(http, "village_mediator", code, "investigate",
          {"site_visit_date": "2025-03-03", "findings": "双方各执一词", "parties_interviewed": 2})
    _work(http, "village_mediator", code, "mediate", {"mediation_result": "agreed", "sessions": 1,
                                                      "mediation_notes": ""})
    _work(http, "town_staff", code, "review_order", {"review_score": 5, "review_comment": "处置及时"})
    _work(http, "town_staff", code, "verify_order", {"order_verified": True, "verify_method": "电话",
                                                     "verify_note": "当事人确认"})
    _work(http, "village_mediator", code, "agreement", {
        "agreement_summary": "被申请人三日内还款", "agreement_form": "书面协议",
        "performance_deadline": "2025-03-10", "request_judicial_confirmation": False})
    case = _work(http, "town_staff", code, "return_visit", {"rating": "满意", "visit_method": "电话",
                                                            "agreement_fulfilled": True, "visit_notes": ""})
    assert case["status"] == "closed" and case["open_tasks"] == []

    detail = http("county_staff", "GET", f"/api/v1/cases/{code}").json
    kinds = [e["kind"] for e in detail["timeline"]]
    assert kinds.count("task_completed") == 11 and kinds[-1] == "case_closed"
    assert {"service_called", "case_moved", "task_claimed"} <= set(kinds)
    with app.app_context():
        orders = db.session.scalars(select(Order)).all()
        assert [(o.to_unit.code, o.status) for o in orders] == [(demo.VILLAGE_1, "verified")]
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "incident")) is None


def test_a_department_user_cannot_see_the_village_case(http):
    code = http("town_staff", "POST", "/api/v1/cases", json={"process_id": "dispute_case", "data": {}}).json["code"]
    assert http("department", "GET", f"/api/v1/cases/{code}").status_code == 403
    assert http("grid_worker", "GET", f"/api/v1/cases/{code}").status_code == 403
    assert http("leader", "GET", f"/api/v1/cases/{code}").status_code == 200


def test_order_ledger_over_http(http):
    code = http("town_staff", "POST", "/api/v1/cases", json={"process_id": "dispute_case", "data": {}}).json["code"]
    code = _work(http, "town_staff", code, "register", REGISTER)["code"]
    _work(http, "town_staff", code, "assess", {"facts_verified": True, "risk_flags": [], "assessment_notes": "清楚"})
    _work(http, "town_staff", code, "plan", {"handling_mode": "窗口直办", "plan_summary": "属地调解"})
    _work(http, "town_staff", code, "route", {"tier": "village", "mediation_type": "人民调解",
                                              "preferred_mediator_id": None})
    _work(http, "village_mediator", code, "accept_order", {"order_accepted": False, "return_reason": "不属本村"})

    items = http("town_staff", "GET", f"/api/v1/cases/{code}/orders").json["items"]
    assert [(o["to_unit"]["code"], o["status"], o["return_reason"]) for o in items] == [
        (demo.VILLAGE_1, "returned", "不属本村")]
    assert [e["kind"] for e in items[0]["events"]] == ["returned"]
    listing = http("town_staff", "GET", f"/api/v1/orders?unit={demo.VILLAGE_1}").json["items"]
    assert [o["id"] for o in listing] == [items[0]["id"]]
    assert http("town_staff", "GET", "/api/v1/orders?overdue=true").json["items"] == []
    assert http("town_staff", "GET", "/api/v1/orders?overdue=perhaps").status_code == 400
    assert http("department", "GET", f"/api/v1/orders?unit={demo.VILLAGE_1}").status_code == 403
