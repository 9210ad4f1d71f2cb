"""Valid form submissions for the scenario tests, one function per step a person does."""

from __future__ import annotations

PARTIES = [
    {"name": "张三", "role": "申请人", "id_number": "441581198001011234", "phone": "13800138000"},
    {"name": "李四", "role": "被申请人", "phone": "0660-8812345"},
]
GRID, VILLAGE = "441581-01-001-01", "441581-01-001"
COURT = "441581-FY"  # 县人民法院, a department of the demo county


def parties(count: int) -> list[dict]:
    """``count`` applicants, for disputes whose number of parties matters to triage."""
    return [{"name": f"村民{n}", "role": "申请人", "phone": f"138{n:08d}"} for n in range(1, count + 1)]


def register(run, **over):
    data = {"intake_channel": "窗口", "dispute_type": "邻里纠纷", "summary": "邻居因排水沟堵塞发生争执",
            "parties": PARTIES, "amount": 0, "risk_flags": [], "location_unit_code": GRID,
            "occurred_on": "2031-03-03"}
    return run.complete("register", **(data | over))


def assess(run, **over):
    data = {"acceptance": "受理", "facts_verified": True, "risk_flags": run.value("risk_flags"),
            "assessment_notes": "事实清楚"}
    return run.complete("assess", **(data | over))


def plan(run, mode="分级处置", **over):
    return run.complete("plan", **({"handling_mode": mode, "plan_summary": "属地调解"} | over))


def route(run, **over):
    data = {"tier": run.value("start_tier"), "mediation_type": run.value("mediation_type"),
            "preferred_mediator_id": None}
    return run.complete("route", **(data | over))


def intake(run, **over):
    """Register, assess and, for cases without a leader, plan; stops before routing."""
    register(run, **over)
    assess(run)
    if "plan" in run.ready():
        plan(run)
    return run


def accept(run, accepted=True, reason=""):
    return run.complete("accept_order", order_accepted=accepted, return_reason=reason)


def mediate(run, result="agreed", confirm=False, **over):
    """Investigate and mediate; when the parties agree the mediator has them sign the agreement."""
    run.complete("investigate", site_visit_date="2031-03-03", findings="双方各执一词", parties_interviewed=2)
    run.complete("mediate", **({"mediation_result": result, "sessions": 1, "mediation_notes": ""} | over))
    return agreement(run, confirm) if result == "agreed" else run


def grid_handle(run, resolved=True, confirm=False):
    """The grid worker handles the dispute on the spot and records what the parties agreed."""
    run.complete("grid_handle", grid_resolved=resolved, handling_notes="当场疏通")
    return agreement(run, confirm, task="grid_agreement") if resolved else run


def review_and_verify(run, verified=True):
    run.complete("review_order", review_score=5, review_comment="处置及时")
    return run.complete("verify_order", order_verified=verified, verify_method="电话",
                        verify_note="当事人确认" if verified else "当事人称未落实")


def agreement(run, confirm=False, task="agreement"):
    data = {"agreement_summary": "被申请人三日内疏通排水沟", "agreement_form": "书面协议",
            "performance_deadline": "2031-03-10", "request_judicial_confirmation": confirm}
    if confirm:
        data["confirmation_court_code"] = COURT
    return run.complete(task, **data)


def return_visit(run, rating="满意", fulfilled=True):
    return run.complete("return_visit", rating=rating, visit_method="电话", agreement_fulfilled=fulfilled,
                        visit_notes="")


def follow_up(run):
    return run.complete("follow_up", follow_up_actions="督促履行协议", followed_up_on="2031-03-20")
