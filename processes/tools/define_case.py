"""The main case process: the ten steps of one dispute (十步流程)."""

from __future__ import annotations

from .bpmn_builder import Process

CS, GRID, LEADER = "centre_staff", "grid_worker", "leader"

ARCHIVE_RESOLVED = (
    "{'outcome': 'resolved', 'dispute_type': dispute_type, 'severity': severity, 'tier': tier, "
    "'rating': rating, 'agreement': agreement_summary, "
    "'judicial_confirmation': request_judicial_confirmation, 'mediated_by': mediated_by, "
    "'subsidy': subsidy_amount if subsidy_mediator['mediator_id'] is not None else 0, "
    "'subsidy_mediator': subsidy_mediator['name'], 'subsidy_note': subsidy_mediator['reason'], "
    "'received_at': received_at, 'due_at': case_due_at}"
)
ARCHIVE_LITIGATION = (
    "{'outcome': 'litigation', 'dispute_type': dispute_type, 'severity': severity, 'tier': tier, "
    "'route': litigation_route, 'court': court_code}"
)
# 不予受理 at 事项研判: nothing was triaged yet, so only what registration and assessment wrote.
ARCHIVE_NOT_ACCEPTED = (
    "{'outcome': 'not_accepted', 'dispute_type': dispute_type, 'reason': not_accepted_reason, "
    "'notes': assessment_notes, 'received_at': received_at}"
)
# 撤回: the mediator recorded the applicant's withdrawal; the escalation table ended the rounds.
ARCHIVE_WITHDRAWN = (
    "{'outcome': 'withdrawn', 'dispute_type': dispute_type, 'severity': severity, 'tier': tier, "
    "'reason': withdrawal_reason, 'mediated_by': mediated_by, 'received_at': received_at, 'due_at': case_due_at}"
)


def dispute_case() -> Process:
    p = Process(
        "dispute_case", "矛盾纠纷案件 Dispute case", [GRID, CS, LEADER], startable=True,
        rows={GRID: 2, CS: 4, LEADER: 3},
        doc="受理登记 → 事项研判 → 制定方案 → 评估分拨 → 实地调查 → 组织调解 → 签订协议 → 司法确认 → "
            "回访反馈 → 结案存档 (调查, 调解 and 签订协议 happen inside the tier rounds). Started with empty data (the engine adds case_code and reported_by); "
            "the first task is registration. Severity, starting tier and leader ownership come from "
            "the 'triage' table; the tier rounds repeat while the 'escalation' table says retry or "
            "escalate. The centre may decline a matter outside mediation's scope at 事项研判 (不予受理), and "
            "an applicant may withdraw during mediation (撤回); both are archived and end the case. "
            "一站式受理: a grid patrol report the "
            "table calls small is resolved on the spot (即采即办), the centre may handle a dispute at the "
            "window (窗口直办); both go straight to closing without dispatch.")
    _intake(p)
    p.col_offset = INTAKE_COLUMNS
    _handling(p)
    _closing(p)
    _direct_closing(p)
    return p


# Settled on the spot or at the window: the resolution round goes straight to judicial confirmation.
DIRECT = "settled_directly = True\nunit_code = None\ncase_status = 'agreed'"
# Columns the intake takes beyond the plain ten steps; the later parts are drawn to the right of them.
INTAKE_COLUMNS = 13
# The whole case's deadline from receipt; a second reading of the table never makes it earlier.
CASE_DUE = "case_due_at = due_after(received_at, case_duration)"
# Keys every path reads later, set before any of them branches: the handling mode (plan), the joint
# consultation's departments, whether the grid tried on the spot, the mediator (none yet).
INTAKE_DEFAULTS = (
    "handling_mode = '分级处置'\nconsult_units = []\nlead_unit_code = None\nspot_attempted = False\n"
    "mediator_id = None\nmediator_username = None\nmediated_by = None\npreferred_mediator_id = None\n"
    "next_action = None\nsettled_directly = False"
)
# Settled without an order: no unit received one (unit_code), so a follow-up goes to the case's unit.
SPOT_POST = (
    "spot_attempted = True\n"
    "if spot_resolved:\n    request_judicial_confirmation = False\n    " + DIRECT.replace("\n", "\n    ")
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
           doc="Check the facts and risk flags before triage, and decide whether mediation takes the matter "
               "(受理) or not (不予受理: already before a court or arbitration, a criminal case, not a civil "
               "dispute, ...).")
    _not_accepted(p)
    p.rule("triage", "分级分类", 13, CS, "triage",
           post="tier = start_tier\ncase_status = 'assessed'\nleader_username = None",
           doc="severity, start_tier, leader_required, mediation_type, progress_cycle.")
    p.rule("case_deadline", "结案时限", 14, CS, "case_deadline", post=CASE_DUE,
           doc="The whole case's deadline, measured from receipt (received_at).")
    p.gateway("gw_leader", "重大风险?", 15, CS)
    p.user("plan", "制定方案", 16, CS, "dispute_case/plan.schema.json", unit="centre", post=PLAN_POST,
           doc="普通纠纷窗口直办、复杂纠纷联席会商: the centre chooses window handling, dispatch through "
               "the tiers, or a joint consultation of named departments with one lead.")
    p.call("leader_ownership", "领导包案", 16, LEADER, "leader_ownership",
           doc="重大风险领导包办: one leader, one special team, one plan.")
    p.gateway("gw_plan_join", "", 20, CS)
    p.user("route", "评估分拨", 21, CS, "dispute_case/route.schema.json", unit="centre",
           post="rounds_at_tier = 0\nmediator_id = None\nmediated_by = None\ncase_status = 'routed'\n"
                "tier_started_at = now().isoformat()\ntier_due_floor = None\ntier_limit_floor = None",
           doc="Confirm the starting tier and mediation type; record the mediator the party chose "
               "(调解超市), if any. The starting tier's deadlines count from here.")
    p.flow("start_case", "register")
    p.chain("register", "begin_intake", "gw_channel")
    p.flow("gw_channel", "spot_triage", "网格巡查", condition="intake_channel == '网格巡查'")
    p.flow("gw_channel", "gw_assess_join", "其他渠道", default=True)
    _on_the_spot(p)
    p.chain("gw_assess_join", "assess", "gw_accepted")
    p.flow("gw_accepted", "triage", "受理", default=True)
    p.chain("triage", "case_deadline", "gw_leader")
    p.flow("gw_leader", "leader_ownership", "领导包案", condition="leader_required")
    p.flow("gw_leader", "plan", "窗口直办/会商", default=True)
    _window(p)
    p.chain("leader_ownership", "gw_plan_join", "route")


def _on_the_spot(p: Process) -> None:
    """即采即办: a patrol report the 'triage' table starts at the grid is settled by its reporter."""
    p.rule("spot_triage", "网格初判", 5, GRID, "triage", post="tier = start_tier",
           doc="The 'triage' table on what the grid worker registered: is it small enough for the grid?")
    p.rule("spot_case_deadline", "结案时限", 5.5, GRID, "case_deadline", post=CASE_DUE, row=1)
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
    p.chain("spot_triage", "spot_case_deadline", "gw_spot")
    p.chain("spot_deadlines", "resolve_on_spot", "gw_spot_result")
    p.flow("gw_spot_result", "gw_assess_join", "未化解", default=True)
    p.chain("spot_overdue", "spot_timeout", "gw_assess_join")


def _not_accepted(p: Process) -> None:
    """不予受理: the centre declines a matter outside mediation's scope; it is archived and the case ends."""
    p.gateway("gw_accepted", "受理?", 12, CS)
    p.service("archive_not_accepted", "存档(不予受理)", 13, CS, "archive",
              {"case_code": "case_code", "outcome": "'not_accepted'", "summary": ARCHIVE_NOT_ACCEPTED},
              "archive_result", row=1, post="case_status = 'closed'")
    p.end("end_not_accepted", "不予受理", 14, CS, row=1)
    p.flow("gw_accepted", "archive_not_accepted", "不予受理", condition="acceptance == '不予受理'")
    p.chain("archive_not_accepted", "end_not_accepted")


def _window(p: Process) -> None:
    """窗口直办: the plan says window, and the clerk who filed it settles the dispute there."""
    p.gateway("gw_mode", "处置方式", 17, CS)
    p.user("window_handle", "窗口直办", 18, CS, "dispute_case/window_handle.schema.json", row=1,
           unit="centre", assignee="window_clerk",
           post="if window_resolved:\n    " + DIRECT.replace("\n", "\n    "),
           doc="The clerk at the centre's window handles an ordinary dispute directly and records the "
               "result; what cannot be settled there is routed and dispatched.")
    p.gateway("gw_window_result", "当场化解?", 19, CS, row=1)
    p.chain("plan", "gw_mode")
    p.flow("gw_mode", "window_handle", "窗口直办", condition="handling_mode == '窗口直办'")
    p.flow("gw_mode", "gw_plan_join", "分级处置/联席会商", default=True)
    p.chain("window_handle", "gw_window_result")
    p.flow("gw_window_result", "gw_plan_join", "派单", default=True)


def _direct_closing(p: Process) -> None:
    """A dispute settled on the spot or at the window closes like any other, without dispatch."""
    p.gateway("gw_direct_join", "直接结案", 9.5, CS, row=3)
    p.flow("gw_spot_result", "gw_direct_join", "已化解", condition="spot_resolved")
    p.flow("gw_window_result", "gw_direct_join", "已化解", condition="window_resolved")
    p.flow("gw_direct_join", "resolution")


def _handling(p: Process) -> None:
    p.call("resolution", "化解(分级处置·协议·司法确认)", 10, CS, "resolution_round",
           loop="next_action == 'retry'", loop_max=10,
           doc="Tier rounds, the agreement and its judicial confirmation; repeated when the court does "
               "not confirm the agreement and the centre sends the case back to mediation.")
    p.gateway("gw_outcome", "化解结果", 11, CS)
    # The exits sit half a column right, clear of the flow from 包案? down to the leader's lane.
    p.user("litigation_handoff", "导入诉讼/速裁", 12.5, CS, "dispute_case/litigation_handoff.schema.json",
           row=2, unit="centre", post="case_status = 'litigation'",
           doc="调解不成的导入速裁法庭 / 依法导入诉讼程序: record the hand-off to the court.")
    p.service("archive_litigation", "存档(诉讼)", 13.5, CS, "archive",
              {"case_code": "case_code", "outcome": "'litigation'", "summary": ARCHIVE_LITIGATION},
              "archive_result", row=2)
    p.end("end_litigation", "转入诉讼", 14.5, CS, row=2)
    p.service("archive_withdrawn", "存档(撤回)", 12.5, CS, "archive",
              {"case_code": "case_code", "outcome": "'withdrawn'", "summary": ARCHIVE_WITHDRAWN},
              "archive_result", row=1, post="case_status = 'closed'",
              doc="The applicant withdrew the application during mediation (the escalation table's "
                  "'withdrawn'): archived, no return visit, no subsidy.")
    p.end("end_withdrawn", "撤回结案", 13.5, CS, row=1)
    p.chain("route", "resolution", "gw_outcome")
    p.flow("gw_outcome", "litigation_handoff", "调解不成", condition="next_action == 'litigation'", label_on=-1)
    p.flow("gw_outcome", "archive_withdrawn", "撤回", condition="next_action == 'withdrawn'")
    p.chain("litigation_handoff", "archive_litigation", "end_litigation")
    p.chain("archive_withdrawn", "end_withdrawn")


def _closing(p: Process) -> None:
    p.gateway("gw_signoff", "包案?", 12, CS)
    p.user("leader_signoff", "领导审核签字", 13, LEADER, "dispute_case/leader_signoff.schema.json",
           unit="county", assignee="leader_username")
    p.gateway("gw_signoff_join", "", 14, CS)
    p.call("return_visits", "回访反馈", 15, CS, "return_visit_round", loop="follow_up_required",
           loop_max=10, pre="visit_round = 0",
           doc="Visit until the 'follow_up' table says no follow-up is needed.")
    p.service("find_mediator", "核定调解员", 16, CS, "pool_mediator", {"username": "mediated_by"},
              "subsidy_mediator", post="gold = subsidy_mediator['gold']",
              doc="以案定补 pays the pool mediator who completed 组织调解, not the last one matched.")
    p.rule("subsidy_rule", "以案定补", 17, CS, "subsidy")
    p.gateway("gw_subsidy", "发放补贴?", 18, CS)
    p.service("record_subsidy", "登记补贴", 19, CS, "subsidy_record", {
        "mediator_id": "subsidy_mediator['mediator_id']", "amount": "subsidy_amount",
        "difficulty": "severity", "satisfaction": "rating",
    }, "subsidy_result", row=1)
    p.gateway("gw_subsidy_join", "", 20, CS)
    p.service("archive_case", "结案存档", 21, CS, "archive",
              {"case_code": "case_code", "outcome": "'resolved'", "summary": ARCHIVE_RESOLVED},
              "archive_result", post="case_status = 'closed'")
    p.end("end_case", "结案", 22, CS)
    p.flow("gw_outcome", "gw_signoff", "化解", default=True)
    p.flow("gw_signoff", "leader_signoff", "领导包案", condition="leader_required", label_on=-1)
    p.flow("gw_signoff", "gw_signoff_join", "否", default=True)
    p.chain("leader_signoff", "gw_signoff_join", "return_visits", "find_mediator", "subsidy_rule", "gw_subsidy")
    p.flow("gw_subsidy", "record_subsidy", "发放",
           condition="subsidy_mediator['mediator_id'] is not None and subsidy_amount > 0")
    p.flow("gw_subsidy", "gw_subsidy_join", "不发放", default=True)
    p.chain("record_subsidy", "gw_subsidy_join", "archive_case", "end_case")


REJECTED = ("settled_directly = False\nrounds_at_tier = 0\ncase_status = 'handling'\ntier_due_floor = tier_due_at\n"
            "tier_limit_floor = tier_overdue_at\ntier_started_at = now().isoformat()\n"
            "next_action = 'retry' if after_rejection == 'mediation' else 'litigation'")


def resolution_round() -> Process:
    p = Process(
        "resolution_round", "化解一轮 Resolution", [CS], rows={CS: 3},
        doc="The tier rounds until the escalation table closes the case, sends it to litigation or ends it "
            "as withdrawn (neither of the last two is confirmed) "
            "(the agreement is signed inside them, before 评单 and 核单); then, if asked, 司法确认. A rejected confirmation goes back to mediation (another "
            "round at the current tier, next_action 'retry') or to litigation, as the centre chooses.")
    p.start("start_resolution", "化解", 0, CS)
    p.gateway("gw_direct", "已直接化解?", 0.5, CS)
    p.call("tier_rounds", "分级处置(网格→村→镇→县)", 1, CS, "tier_round",
           loop="next_action in ('retry', 'escalate')", loop_max=30,
           doc="One round per tier attempt; the escalation table sets next_action and the next tier.")
    p.gateway("gw_resolved", "化解?", 2, CS)
    p.gateway("gw_jc", "申请司法确认?", 4, CS)
    p.service("jc_request", "申请司法确认", 5, CS, "judicial_confirmation", {
        "action": "'request'", "court": "confirmation_court_code", "agreement_text": "agreement_summary",
    }, "jc_request_result", row=1, post="jc_id = jc_request_result['confirmation_id']")
    p.user("record_confirmation", "登记确认结果", 6, CS,
           "dispute_case/record_confirmation.schema.json", row=1, unit="centre",
           doc="The court's answer; if it does not confirm the agreement, the centre chooses between "
               "mediating again and litigation.")
    p.service("jc_record", "司法确认归档", 7, CS, "judicial_confirmation", {
        "action": "'record'", "confirmation_id": "jc_id", "result": "confirmation_result",
        "ruling_no": "ruling_no",
    }, "jc_record_result", row=1)
    p.gateway("gw_confirmed", "确认?", 8, CS, row=1)
    p.script("jc_rejected", "不予确认", 9, CS, REJECTED, row=2,
             doc="Back to mediation at the current tier (its deadlines count afresh from now, never "
                 "earlier than before), or on to litigation.")
    p.gateway("gw_jc_join", "", 10, CS)
    p.end("end_resolution", "化解结束", 11, CS)
    p.chain("start_resolution", "gw_direct")
    p.flow("gw_direct", "gw_jc", "即采即办/窗口直办", condition="settled_directly")
    p.flow("gw_direct", "tier_rounds", "分级处置", default=True)
    p.chain("tier_rounds", "gw_resolved")
    p.flow("gw_resolved", "gw_jc_join", "调解不成/撤回", condition="next_action in ('litigation', 'withdrawn')")
    p.flow("gw_resolved", "gw_jc", "化解", default=True)
    p.flow("gw_jc", "jc_request", "申请", condition="request_judicial_confirmation")
    p.flow("gw_jc", "gw_jc_join", "不申请", default=True)
    p.chain("jc_request", "record_confirmation", "jc_record", "gw_confirmed")
    p.flow("gw_confirmed", "jc_rejected", "不予确认", condition="confirmation_result == 'rejected'")
    p.flow("gw_confirmed", "gw_jc_join", "确认", default=True)
    p.chain("jc_rejected", "gw_jc_join", "end_resolution")
    return p
