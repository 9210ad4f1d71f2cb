"""The main case process: the ten steps of one dispute (十步流程)."""

from __future__ import annotations

from .bpmn_builder import Process

CS, GRID, LEADER, MED = "centre_staff", "grid_worker", "leader", "mediator"

ARCHIVE_RESOLVED = (
    "{'outcome': 'resolved', 'dispute_type': dispute_type, 'severity': severity, 'tier': tier, "
    "'rating': rating, 'agreement': agreement_summary, "
    "'judicial_confirmation': request_judicial_confirmation, 'subsidy': subsidy_amount}"
)
ARCHIVE_LITIGATION = (
    "{'outcome': 'litigation', 'dispute_type': dispute_type, 'severity': severity, 'tier': tier, "
    "'route': litigation_route, 'court': court_name}"
)


def dispute_case() -> Process:
    p = Process(
        "dispute_case", "矛盾纠纷案件 Dispute case", [GRID, MED, CS, LEADER], startable=True,
        rows={GRID: 2, CS: 4, LEADER: 3},
        doc="受理登记 → 事项研判 → 制定方案 → 评估分拨 → 实地调查 → 组织调解 → 签订协议 → 司法确认 → "
            "回访反馈 → 结案存档. Started with empty data (the engine adds case_code and reported_by); "
            "the first task is registration. Severity, starting tier and leader ownership come from "
            "the 'triage' table; the tier rounds repeat while the 'escalation' table says retry or "
            "escalate. 一站式受理: a grid patrol report the "
            "table calls small is resolved on the spot (即采即办), the centre may handle a dispute at the "
            "window (窗口直办); both go straight to closing without dispatch.")
    _intake(p)
    p.col_offset = INTAKE_COLUMNS
    _handling(p)
    _closing(p)
    _direct_closing(p)
    return p


# Columns the intake takes beyond the plain ten steps; the later parts are drawn to the right of them.
INTAKE_COLUMNS = 11
# Keys every path reads later, set before any of them branches: the handling mode (plan), the joint
# consultation's departments, whether the grid tried on the spot, the mediator (none yet).
INTAKE_DEFAULTS = (
    "handling_mode = '分级处置'\nconsult_units = []\nlead_unit_code = None\nspot_attempted = False\n"
    "mediator_id = None\nmediator_username = None"
)
# Settled without an order: no unit received one (unit_code), so a follow-up goes to the case's unit.
SPOT_POST = (
    "spot_attempted = True\n"
    "if spot_resolved:\n    request_judicial_confirmation = False\n    unit_code = None\n"
    "    case_status = 'agreed'"
)
# The clerk who filed the plan is at the window with the party; 联席会商: the lead department takes part.
PLAN_POST = (
    "window_clerk = last_actor\n"
    "if handling_mode == '联席会商' and lead_unit_code not in consult_units:\n"
    "    consult_units = [lead_unit_code] + consult_units"
)


def _intake(p: Process) -> None:
    p.start("start_case", "受理", 0, CS)
    p.user("register", "受理登记", 1, CS, "dispute_case/register.schema.json",
           unit="centre", assignee="reported_by", claimable=True,
           post="case_status = 'registered'",
           doc="Unified intake (无差别受理) from any channel. 一案一码: the case got its code when it "
               "opened (case_code); the party tracks the case by it.")
    p.script("begin_intake", "受理分流", 3, CS, INTAKE_DEFAULTS)
    p.gateway("gw_channel", "网格巡查?", 4, CS)
    p.gateway("gw_assess_join", "", 10, CS)
    p.user("assess", "事项研判", 11, CS, "dispute_case/assess.schema.json", unit="centre",
           doc="Check the facts and risk flags before triage.")
    p.rule("triage", "分级分类", 12, CS, "triage",
           post="tier = start_tier\ncase_status = 'assessed'",
           doc="severity, start_tier, leader_required, mediation_type, progress_cycle.")
    p.gateway("gw_leader", "重大风险?", 13, CS)
    p.user("plan", "制定方案", 14, CS, "dispute_case/plan.schema.json", unit="centre", post=PLAN_POST,
           doc="普通纠纷窗口直办、复杂纠纷联席会商: the centre chooses window handling, dispatch through "
               "the tiers, or a joint consultation of named departments with one lead.")
    p.call("leader_ownership", "领导包案", 14, LEADER, "leader_ownership",
           doc="重大风险领导包办: one leader, one special team, one plan.")
    p.gateway("gw_plan_join", "", 18, CS)
    p.user("route", "评估分拨", 19, CS, "dispute_case/route.schema.json", unit="centre",
           post="rounds_at_tier = 0\nmediator_id = None\ncase_status = 'routed'",
           doc="Confirm the starting tier and mediation type; record the mediator the party chose "
               "(调解超市), if any.")
    p.flow("start_case", "register")
    p.chain("register", "begin_intake", "gw_channel")
    p.flow("gw_channel", "spot_triage", "网格巡查", condition="intake_channel == '网格巡查'")
    p.flow("gw_channel", "gw_assess_join", "其他渠道", default=True)
    _on_the_spot(p)
    p.chain("gw_assess_join", "assess", "triage", "gw_leader")
    p.flow("gw_leader", "leader_ownership", "领导包案", condition="leader_required")
    p.flow("gw_leader", "plan", "窗口直办/会商", default=True)
    _window(p)
    p.chain("leader_ownership", "gw_plan_join", "route")


def _on_the_spot(p: Process) -> None:
    """即采即办: a patrol report the 'triage' table starts at the grid is settled by its reporter."""
    p.rule("spot_triage", "网格初判", 5, GRID, "triage", post="tier = start_tier",
           doc="The 'triage' table on what the grid worker registered: is it small enough for the grid?")
    p.gateway("gw_spot", "当场可办?", 6, GRID)
    p.rule("spot_deadlines", "办理时限", 7, GRID, "deadlines",
           doc="The grid's handling duration from the 'deadlines' table, before the timer that uses it.")
    p.user("resolve_on_spot", "即采即办", 8, GRID, "dispute_case/resolve_on_spot.schema.json",
           unit="grid", assignee="reported_by", post=SPOT_POST,
           doc="The grid worker who reported the dispute resolves it in the same visit and records what "
               "was done and what the parties agreed; if they cannot, the centre takes it over.")
    p.timer("spot_overdue", "当日未办结", "resolve_on_spot", "timeDuration", "handling_duration")
    p.script("spot_timeout", "报中心", 9.5, GRID, "spot_attempted = True", row=1)
    p.gateway("gw_spot_result", "当场化解?", 9, GRID)
    p.flow("gw_spot", "spot_deadlines", "即采即办", condition="start_tier == 'grid'")
    p.flow("gw_spot", "gw_assess_join", "报中心", default=True)
    p.chain("spot_triage", "gw_spot")
    p.chain("spot_deadlines", "resolve_on_spot", "gw_spot_result")
    p.flow("gw_spot_result", "gw_assess_join", "未化解", default=True)
    p.chain("spot_overdue", "spot_timeout", "gw_assess_join")


def _window(p: Process) -> None:
    """窗口直办: the plan says window, and the clerk who filed it settles the dispute there."""
    p.gateway("gw_mode", "处置方式", 15, CS)
    p.user("window_handle", "窗口直办", 16, CS, "dispute_case/window_handle.schema.json", row=1,
           unit="centre", assignee="window_clerk",
           post="if window_resolved:\n    unit_code = None\n    case_status = 'agreed'",
           doc="The clerk at the centre's window handles an ordinary dispute directly and records the "
               "result; what cannot be settled there is routed and dispatched.")
    p.gateway("gw_window_result", "当场化解?", 17, CS, row=1)
    p.chain("plan", "gw_mode")
    p.flow("gw_mode", "window_handle", "窗口直办", condition="handling_mode == '窗口直办'")
    p.flow("gw_mode", "gw_plan_join", "分级处置/联席会商", default=True)
    p.chain("window_handle", "gw_window_result")
    p.flow("gw_window_result", "gw_plan_join", "派单", default=True)


def _direct_closing(p: Process) -> None:
    """A dispute settled on the spot or at the window closes like any other, without dispatch."""
    p.gateway("gw_direct_join", "直接结案", 11.5, CS, row=3)
    p.flow("gw_spot_result", "gw_direct_join", "已化解", condition="spot_resolved")
    p.flow("gw_window_result", "gw_direct_join", "已化解", condition="window_resolved")
    p.flow("gw_direct_join", "gw_jc")


def _handling(p: Process) -> None:
    p.call("tier_rounds", "分级处置(网格→村→镇→县)", 9, CS, "tier_round",
           loop="next_action in ('retry', 'escalate')", loop_max=30,
           doc="One round per tier attempt; the escalation table sets next_action and the next tier.")
    p.timer("progress_due", "定期报告", "tier_rounds", "timeCycle", "progress_cycle", interrupting=False,
            timer_kind="progress_report")
    p.gateway("gw_progress", "包案?", 10, LEADER, row=1)
    p.user("progress_report", "包案进展报告", 11, LEADER, "dispute_case/progress_report.schema.json",
           row=1, unit="county", assignee="leader_username")
    p.end("end_progress", "已报告", 12, LEADER, row=1)
    p.end("end_no_report", "无需报告", 11, LEADER, row=2)
    p.gateway("gw_outcome", "化解结果", 10, CS)
    p.user("litigation_handoff", "导入诉讼/速裁", 11, CS, "dispute_case/litigation_handoff.schema.json",
           row=2, unit="centre", post="case_status = 'litigation'",
           doc="调解不成的导入速裁法庭 / 依法导入诉讼程序: record the hand-off to the court.")
    p.service("archive_litigation", "存档(诉讼)", 12, CS, "archive",
              {"case_code": "case_code", "outcome": "'litigation'", "summary": ARCHIVE_LITIGATION},
              "archive_result", row=2)
    p.end("end_litigation", "转入诉讼", 13, CS, row=2)
    p.chain("route", "tier_rounds", "gw_outcome")
    p.chain("progress_due", "gw_progress")
    p.flow("gw_progress", "progress_report", "领导包案", condition="leader_required")
    p.flow("gw_progress", "end_no_report", "否", default=True)
    p.chain("progress_report", "end_progress")
    p.flow("gw_outcome", "litigation_handoff", "调解不成", condition="next_action == 'litigation'")
    p.chain("litigation_handoff", "archive_litigation", "end_litigation")


def _closing(p: Process) -> None:
    p.user("agreement", "签订协议", 11, MED, "dispute_case/agreement.schema.json",
           unit="order", assignee="mediator_username",
           post="case_status = 'agreed'")
    p.gateway("gw_jc", "申请司法确认?", 12, CS)
    p.service("jc_request", "申请司法确认", 13, CS, "judicial_confirmation", {
        "action": "'request'", "court": "confirmation_court", "agreement_text": "agreement_summary",
    }, "jc_request_result", row=1, post="jc_id = jc_request_result['confirmation_id']")
    p.user("record_confirmation", "登记确认结果", 14, CS,
           "dispute_case/record_confirmation.schema.json", row=1,
           unit="centre")
    p.service("jc_record", "司法确认归档", 15, CS, "judicial_confirmation", {
        "action": "'record'", "confirmation_id": "jc_id", "result": "confirmation_result",
        "ruling_no": "ruling_no",
    }, "jc_record_result", row=1)
    p.gateway("gw_jc_join", "", 16, CS)
    p.gateway("gw_signoff", "包案?", 17, CS)
    p.user("leader_signoff", "领导审核签字", 18, LEADER, "dispute_case/leader_signoff.schema.json",
           unit="county", assignee="leader_username")
    p.gateway("gw_signoff_join", "", 19, CS)
    p.call("return_visits", "回访反馈", 20, CS, "return_visit_round", loop="follow_up_required",
           loop_max=10, pre="visit_round = 0",
           doc="Visit until the 'follow_up' table says no follow-up is needed.")
    p.rule("subsidy_rule", "以案定补", 21, CS, "subsidy")
    p.gateway("gw_subsidy", "发放补贴?", 22, CS)
    p.service("record_subsidy", "登记补贴", 23, CS, "subsidy_record", {
        "mediator_id": "mediator_id", "amount": "subsidy_amount", "difficulty": "severity",
        "satisfaction": "rating",
    }, "subsidy_result", row=1)
    p.gateway("gw_subsidy_join", "", 24, CS)
    p.service("archive_case", "结案存档", 25, CS, "archive",
              {"case_code": "case_code", "outcome": "'resolved'", "summary": ARCHIVE_RESOLVED},
              "archive_result", post="case_status = 'closed'")
    p.end("end_case", "结案", 26, CS)
    p.flow("gw_outcome", "agreement", "化解", default=True)
    p.chain("agreement", "gw_jc")
    p.flow("gw_jc", "jc_request", "申请", condition="request_judicial_confirmation")
    p.flow("gw_jc", "gw_jc_join", "不申请", default=True)
    p.chain("jc_request", "record_confirmation", "jc_record", "gw_jc_join", "gw_signoff")
    p.flow("gw_signoff", "leader_signoff", "领导包案", condition="leader_required")
    p.flow("gw_signoff", "gw_signoff_join", "否", default=True)
    p.chain("leader_signoff", "gw_signoff_join", "return_visits", "subsidy_rule", "gw_subsidy")
    p.flow("gw_subsidy", "record_subsidy", "发放",
           condition="mediator_id is not None and subsidy_amount > 0")
    p.flow("gw_subsidy", "gw_subsidy_join", "不发放", default=True)
    p.chain("record_subsidy", "gw_subsidy_join", "archive_case", "end_case")
