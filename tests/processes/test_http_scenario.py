"""One dispute end to end over HTTP, with the demo county's users and the real process library."""

from datetime import datetime, timedelta

from sqlalchemy import select

from api import scheduler
from api.extensions import db
from engine import case_codes, clock, demo, sweep
from engine.models import AuditEvent, Order

from . import steps

REGISTER = {"intake_channel": "窗口", "dispute_type": "合同债务", "summary": "双方因两千元货款拖欠发生纠纷",
            "parties": steps.PARTIES, "amount": 2000, "risk_flags": [], "location_unit_code": demo.GRID_1}


def _work(http, user, code, spec_id, data):
    """Find the case's task in the user's inbox (named for them, else claimable), take it and complete it."""
    inbox = [t for scope in ("mine", "claimable")
             for t in http(user, "GET", f"/api/v1/tasks?scope={scope}&per_page=200").json["items"]]
    task = next(t for t in inbox if t["case_code"] == code and t["spec_id"] == spec_id)
    if task["assignee"] != user:
        assert http(user, "POST", f"/api/v1/tasks/{task['id']}/claim").status_code == 200
    res = http(user, "POST", f"/api/v1/tasks/{task['id']}/complete", json={"data": data})
    assert res.status_code == 200, res.json
    return res.json["case"]


def test_village_case_from_window_to_closed_over_http(app, http):
    res = http("town_staff", "POST", "/api/v1/cases", json={"process_id": "dispute_case", "data": {}})
    assert res.status_code == 201
    code = res.json["code"]
    assert code.startswith(f"{demo.COUNTY}-") and case_codes.is_valid(code)
    assert [t["spec_id"] for t in res.json["open_tasks"]] == ["register"]

    bad = dict(REGISTER, parties=[{"name": "张三", "role": "申请人", "phone": "12345"}])
    task_id = res.json["open_tasks"][0]["id"]
    rejected = http("town_staff", "POST", f"/api/v1/tasks/{task_id}/complete", json={"data": bad})
    assert rejected.status_code == 422 and "parties.0.phone" in rejected.json["error"]["fields"]

    case = _work(http, "town_staff", code, "register", REGISTER)
    assert case["code"] == code  # 一案一码: the code given at opening is the case's for life
    _work(http, "town_staff", code, "assess", {"acceptance": "受理", "facts_verified": True, "risk_flags": [],
                                             "assessment_notes": "事实清楚"})
    _work(http, "town_staff", code, "plan", {"handling_mode": "分级处置", "plan_summary": "属地调解"})
    _work(http, "town_staff", code, "route", {"tier": "village", "mediation_type": "人民调解",
                                              "preferred_mediator_id": None})
    detail = http("town_staff", "GET", f"/api/v1/cases/{code}").json
    assert (detail["tier"], detail["severity"], detail["unit"]["code"]) == ("village", "ordinary", demo.VILLAGE_1)
    # The whole case is due three days after receipt (an ordinary dispute).
    assert datetime.fromisoformat(detail["due_at"]) - datetime.fromisoformat(detail["opened_at"]) == timedelta(days=3)

    _work(http, "village_mediator", code, "accept_order", {"order_accepted": True, "return_reason": ""})
    _work(http, "village_mediator", code, "investigate",
          {"site_visit_date": "2025-03-03", "findings": "双方各执一词", "parties_interviewed": 2})
    _work(http, "village_mediator", code, "mediate", {"mediation_result": "agreed", "sessions": 1,
                                                      "mediation_notes": ""})
    _work(http, "village_mediator", code, "agreement", {
        "agreement_summary": "被申请人三日内还款", "agreement_form": "书面协议",
        "performance_deadline": "2025-03-10", "request_judicial_confirmation": False})
    _work(http, "town_staff", code, "review_order", {"review_score": 5, "review_comment": "处置及时"})
    _work(http, "town_staff", code, "verify_order", {"order_verified": True, "verify_method": "电话",
                                                     "verify_note": "当事人确认"})
    case = _work(http, "town_staff", code, "return_visit", {"rating": "满意", "visit_method": "电话",
                                                            "agreement_fulfilled": True, "visit_notes": ""})
    assert case["status"] == "closed" and case["open_tasks"] == []

    detail = http("county_staff", "GET", f"/api/v1/cases/{code}").json
    kinds = [e["kind"] for e in detail["timeline"]]
    assert kinds.count("task_completed") == 11 and kinds[-1] == "case_closed"
    assert {"service_called", "case_moved", "task_claimed"} <= set(kinds)
    with app.app_context():
        orders = db.session.scalars(select(Order)).all()
        assert [(o.to_unit.code, o.status) for o in orders] == [(demo.VILLAGE_1, "resolved")]
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "incident")) is None


def test_a_department_user_cannot_see_the_village_case(http):
    code = http("town_staff", "POST", "/api/v1/cases", json={"process_id": "dispute_case", "data": {}}).json["code"]
    assert http("department", "GET", f"/api/v1/cases/{code}").status_code == 403
    assert http("grid_worker", "GET", f"/api/v1/cases/{code}").status_code == 403
    assert http("leader", "GET", f"/api/v1/cases/{code}").status_code == 200


def routed_to_the_village(http) -> str:
    """A case the town centre registered, assessed, planned and routed: its order waits at the village."""
    code = http("town_staff", "POST", "/api/v1/cases", json={"process_id": "dispute_case", "data": {}}).json["code"]
    code = _work(http, "town_staff", code, "register", REGISTER)["code"]
    _work(http, "town_staff", code, "assess", {"acceptance": "受理", "facts_verified": True, "risk_flags": [],
                                             "assessment_notes": "清楚"})
    _work(http, "town_staff", code, "plan", {"handling_mode": "分级处置", "plan_summary": "属地调解"})
    _work(http, "town_staff", code, "route", {"tier": "village", "mediation_type": "人民调解",
                                              "preferred_mediator_id": None})
    return code


def test_order_ledger_over_http(http):
    code = routed_to_the_village(http)
    _work(http, "village_mediator", code, "accept_order", {"order_accepted": False, "return_reason": "不属本村"})

    items = http("town_staff", "GET", f"/api/v1/cases/{code}/orders").json["items"]
    assert [(o["to_unit"]["code"], o["status"], o["return_reason"]) for o in items] == [
        (demo.VILLAGE_1, "returned", "不属本村")]
    # The dispatching centre (the town above the village) is on the order; a returned order is closed.
    assert (items[0]["dispatcher"]["code"], items[0]["dispatcher"]["kind"]) == (demo.TOWN_1, "town")
    assert (items[0]["closed"], items[0]["overdue"], items[0]["supervision_orders"]) == (True, False, [])
    assert items[0]["closed_at"] is not None
    assert [e["kind"] for e in items[0]["events"]] == ["returned"]
    listing = http("town_staff", "GET", f"/api/v1/orders?unit={demo.VILLAGE_1}").json["items"]
    assert [o["id"] for o in listing] == [items[0]["id"]]
    assert http("town_staff", "GET", "/api/v1/orders?overdue=true").json["items"] == []
    assert http("town_staff", "GET", "/api/v1/orders?overdue=perhaps").status_code == 400
    assert http("department", "GET", f"/api/v1/orders?unit={demo.VILLAGE_1}").status_code == 403


def test_only_the_dispute_case_is_opened_as_a_case_the_sub_processes_are_not(app, http):
    listed = {p["process_id"]: p["startable"] for p in http("town_staff", "GET", "/api/v1/processes").json["items"]}
    assert len(listed) == 9 and [pid for pid, startable in listed.items() if startable] == ["dispute_case"]
    for process_id in ("mediation", "tier_round"):
        res = http("town_staff", "POST", "/api/v1/cases", json={"process_id": process_id, "data": {}})
        assert res.status_code == 422, res.json
        assert res.json["error"]["fields"] == {"process_id": "not a startable process"}
        assert f"'{process_id}'" in res.json["error"]["message"]
    assert http("town_staff", "GET", "/api/v1/cases").json["items"] == []


def test_supervision_order_and_its_notification_over_http(app, http):
    code = routed_to_the_village(http)
    _work(http, "village_mediator", code, "accept_order", {"order_accepted": True, "return_reason": ""})
    later = clock.now() + timedelta(hours=24, minutes=1)  # village, ordinary: the handling deadline passed
    with app.app_context(), clock.frozen_at(later):
        assert sweep.sweep_all(db.session).failed == 0
    scheduler.deliver_job(app)

    (order,) = http("town_staff", "GET", f"/api/v1/cases/{code}/orders").json["items"]
    (supervision,) = order["supervision_orders"]
    assert (supervision["status"], supervision["from_unit"]["code"], supervision["to_unit"]["code"]) == (
        "open", demo.TOWN_1, demo.VILLAGE_1)
    assert (order["status"], order["closed"], order["supervisions"]) == ("accepted", False, 1)
    notes = http("village_mediator", "GET", "/api/v1/notifications?unread=true").json["items"]
    assert "supervision" in [n["kind"] for n in notes]

    _work(http, "village_mediator", code, "answer_supervision",
          {"supervision_answer_kind": "进展", "supervision_answer": "已约双方明日到村委会调解"})
    (order,) = http("town_staff", "GET", f"/api/v1/cases/{code}/orders").json["items"]
    answered = order["supervision_orders"][0]
    assert (answered["status"], answered["answer_kind"], answered["answered_by"]) == ("answered", "进展",
                                                                                      "village_mediator")
