"""Tier round, leader ownership and return-visit round: the processes the main case calls."""

from __future__ import annotations

from .bpmn_builder import Process

CS, GRID, LEADER, DEPT = "centre_staff", "grid_worker", "leader", "department"

# A tier's deadlines are measured from when the case reached the tier (tier_started_at), never
# earlier than those the case had at the tier below (the floors the escalation keeps). Timers use
# these expressions (absolute timeDate), so ``recalc`` re-derives them from the current tables.
TIER_DUE = "due_after(tier_started_at, handling_duration, tier_due_floor)"
TIER_LIMIT = "due_after(tier_started_at, overdue_limit, tier_limit_floor)"
ESCALATE = ("if next_action == 'escalate':\n    tier_due_floor = tier_due_at\n    tier_limit_floor = tier_overdue_at\n"
            "    tier_started_at = now().isoformat()\n    tier = next_tier\n    rounds_at_tier = 0\n"
            "    case_status = 'escalated'")


# What each department's order of a joint consultation ended with, collected per instance.
CONSULT_RESULT = (
    "consult_result = {'planned_unit': consult_unit, 'unit_code': unit_code, 'outcome': order_outcome, "
    "'order_id': order_id, 'dispatcher_unit_code': dispatcher_unit_code, 'mediator_id': mediator_id, "
    "'mediator_username': mediator_username, 'mediated_by': mediated_by, "
    "'agreement_summary': agreement_summary, 'request_judicial_confirmation': request_judicial_confirmation, "
    "'confirmation_court_code': confirmation_court_code, 'withdrawal_reason': withdrawal_reason}"
)
# Each department's order starts with no agreement (only the one that settles signs one) and no withdrawal.
CONSULT_START = ("order_unit_code = consult_unit\nagreement_summary = None\nrequest_judicial_confirmation = False\n"
                 "confirmation_court_code = None\nwithdrawal_reason = None")
# The lead department's order decides the round; its unit and mediator carry the case on.
LEAD_DECIDES = (
    "lead_result = [r for r in consult_results if r['planned_unit'] == lead_unit_code][0]\n"
    "order_outcome = lead_result['outcome']\nunit_code = lead_result['unit_code']\n"
    "order_id = lead_result['order_id']\ndispatcher_unit_code = lead_result['dispatcher_unit_code']\n"
    "mediator_id = lead_result['mediator_id']\nmediator_username = lead_result['mediator_username']\n"
    "mediated_by = lead_result['mediated_by']\nagreement_summary = lead_result['agreement_summary']\n"
    "request_judicial_confirmation = lead_result['request_judicial_confirmation']\n"
    "confirmation_court_code = lead_result['confirmation_court_code']\n"
    "withdrawal_reason = lead_result['withdrawal_reason']"
)


def tier_round() -> Process:
    p = Process(
        "tier_round", "分级处置一轮 One round at a tier", [CS, GRID, LEADER], rows={CS: 3, GRID: 3, LEADER: 2},
        doc="One attempt at the current tier. Deadlines come from the 'deadlines' table (tier x "
            "severity), measured from when the case reached the tier; the grid handles on the spot "
            "(即采即办) unless its worker already tried when registering, a joint consultation (联席会商) "
            "sends an order to each named department and the lead department's result counts, every "
            "other round dispatches through the five orders. The 'escalation' table then decides retry / "
            "escalate / litigation / close / withdrawn (the applicant withdrew: the case ends, never "
            "escalated) and the next tier, so a tier is added or removed by editing "
            "the tables (and, for a tier with its own way of working, drawing a branch at the gateway) - "
            "never in Python. A case that reaches the county is triaged again and, when major, gets a "
            "leader if it has none.")
    p.start("start_round", "本级处置开始", 0, CS)
    p.script("begin_round", "本级轮次", 1, CS,
             "rounds_at_tier += 1\ncase_status = 'handling'\norder_outcome = None\norder_unit_code = None")
    p.rule("deadlines", "办理时限", 2, CS, "deadlines",
           post="acceptance_timeout = f'PT{acceptance_hours}H'\n"
                "reminder_cycle = 'R/' + reminder_interval\n"
                f"tier_due_at = {TIER_DUE}\ntier_overdue_at = {TIER_LIMIT}",
           doc="Acceptance hours, handling duration, reminder interval, overdue limit and round limits "
               "for this tier and severity; computed before any timer that uses them. The tier's due "
               "time and limit count from tier_started_at and never fall before the floors.")
    p.gateway("gw_tier", "处置层级", 3, CS)
    p.gateway("gw_spot_tried", "已现场处置?", 4, GRID)
    p.script("spot_tried", "现场未化解", 5, GRID, "order_outcome = 'failed'", row=2,
             doc="The grid worker tried on the spot when registering the case: the grid's round is spent.")
    p.service("locate_grid", "网格定位", 5, GRID, "resolve_unit",
              {"tier": "tier", "location_unit_code": "location_unit_code"}, "grid_unit",
              post="unit_code = grid_unit['unit_code']")
    p.user("grid_handle", "网格即采即办", 6, GRID, "tier_round/grid_handle.schema.json", unit="grid",
           post="order_outcome = 'resolved' if grid_resolved else 'failed'",
           doc="The grid worker handles the dispute on the spot, the same day.")
    p.timer("grid_overdue", "当日未办结", "grid_handle", "timeDate", TIER_LIMIT)
    p.gateway("gw_grid_resolved", "化解?", 6.6, GRID)
    p.user("grid_agreement", "记录协议", 7.3, GRID, "tier_round/grid_agreement.schema.json", unit="grid",
           post="case_status = 'agreed'",
           doc="签订协议 on the spot: the grid worker records what the parties agreed (often orally).")
    p.script("grid_timeout", "网格超时", 7, GRID, "order_outcome = 'timeout'", row=1)
    p.call("five_orders", "五单流转", 5, CS, "five_orders",
           doc="Village, town, county (and any tier added to the tables) work through the five orders.")
    _joint_consultation(p)
    p.timer("case_overdue", "结案期限届满", "five_orders", "timeDate", "case_due_at", interrupting=False, slot=1,
            timer_kind="case_deadline",
            doc="The whole case's deadline (from receipt) passed while the tier works on it.")
    p.service("locate_county", "县级中心", 6, CS, "resolve_unit",
              {"tier": "'county'", "location_unit_code": "location_unit_code"}, "county_unit", row=2)
    p.service("notify_case_overdue", "超期督办通知", 7, CS, "notify", {
        "kind": "'case_overdue'", "unit_code": "county_unit['unit_code']", "role": "'centre_staff'",
        "subject": "'结案期限已过 Case deadline passed ' + case_code",
        "body": "'案件超过结案期限，请督办 The case is past its deadline: ' + case_due_at",
    }, "case_overdue_notice", row=2)
    p.end("end_case_overdue", "已督办", 8, CS, row=2)
    p.timer("progress_due", "定期报告", "five_orders", "timeCycle", "progress_cycle", interrupting=False,
            slot=2, timer_kind="progress_report",
            doc="Read each round, so a case found major at the county reports from its next round on.")
    p.gateway("gw_progress", "包案?", 6, LEADER)
    p.user("progress_report", "包案进展报告", 7, LEADER, "tier_round/progress_report.schema.json",
           unit="county", assignee="leader_username")
    p.end("end_progress", "已报告", 8, LEADER)
    p.end("end_no_report", "无需报告", 7, LEADER, row=1)
    p.gateway("gw_tier_join", "", 8, CS)
    p.rule("escalation", "升级研判", 9, CS, "escalation", post=ESCALATE)
    p.gateway("gw_county", "升至县级?", 10, CS)
    p.rule("retriage", "县级重新研判", 11, CS, "triage", row=1,
           doc="The triage table runs again with what is known now; the tier stays the county.")
    p.rule("retriage_deadline", "结案时限", 12, CS, "case_deadline", row=1,
           post="case_due_at = due_after(received_at, case_duration, case_due_at)")
    p.gateway("gw_needs_leader", "需包案?", 13, CS, row=1)
    p.call("county_leader", "领导包案", 14, CS, "leader_ownership", row=1,
           doc="A major case that reached the county without a leader gets one (一事一人一专班一方案).")
    p.gateway("gw_county_join", "", 15, CS)
    p.end("end_round", "本级处置结束", 16, CS)
    p.chain("start_round", "begin_round", "deadlines", "gw_tier")
    p.flow("gw_tier", "gw_spot_tried", "网格", condition="tier == 'grid'")
    p.flow("gw_tier", "begin_joint", "联席会商", condition="handling_mode == '联席会商' and tier != 'grid'")
    p.flow("gw_tier", "five_orders", "派单处置", default=True)
    p.flow("gw_spot_tried", "spot_tried", "已现场处置", condition="spot_attempted")
    p.flow("gw_spot_tried", "locate_grid", "网格处置", default=True)
    p.chain("spot_tried", "gw_tier_join")
    p.chain("locate_grid", "grid_handle", "gw_grid_resolved")
    p.flow("gw_grid_resolved", "grid_agreement", "化解", condition="grid_resolved")
    p.flow("gw_grid_resolved", "gw_tier_join", "未化解", default=True)
    p.chain("grid_agreement", "gw_tier_join")
    p.chain("grid_overdue", "grid_timeout", "gw_tier_join")
    p.chain("five_orders", "gw_tier_join", "escalation", "gw_county")
    p.chain("case_overdue", "locate_county", "notify_case_overdue", "end_case_overdue")
    p.chain("progress_due", "gw_progress")
    p.flow("gw_progress", "progress_report", "领导包案", condition="leader_required")
    p.flow("gw_progress", "end_no_report", "否", default=True)
    p.chain("progress_report", "end_progress")
    p.flow("gw_county", "retriage", "升至县级", condition="next_action == 'escalate' and tier == 'county'")
    p.flow("gw_county", "gw_county_join", "否", default=True)
    p.chain("retriage", "retriage_deadline", "gw_needs_leader")
    p.flow("gw_needs_leader", "county_leader", "重大·无包案领导",
           condition="leader_required and leader_username is None")
    p.flow("gw_needs_leader", "gw_county_join", "否", default=True)
    p.chain("county_leader", "gw_county_join", "end_round")
    return p


def _joint_consultation(p: Process) -> None:
    """联席会商: the five orders once per department, in parallel; the lead department's outcome counts."""
    p.script("begin_joint", "联席会商派单", 4, CS, "consult_results = []", row=1)
    p.call("joint_orders", "联席会商(各部门五单)", 5, CS, "five_orders", row=1,
           each=("consult_units", "consult_unit", "consult_results", "consult_result"),
           pre=CONSULT_START, post=CONSULT_RESULT,
           doc="One order of the five orders to each department of the joint consultation, in parallel.")
    p.script("lead_decides", "牵头部门定论", 6, CS, LEAD_DECIDES, row=1)
    p.chain("begin_joint", "joint_orders", "lead_decides", "gw_tier_join")


def leader_ownership() -> Process:
    p = Process(
        "leader_ownership", "领导包案 Leader case ownership", [CS, LEADER],
        doc="一事一人一专班一方案: one leader owns the major case, names the special team and files "
            "the plan. Progress reports and the leader's sign-off are drawn in dispute_case.")
    p.start("start_ownership", "重大事项", 0, CS)
    p.service("notify_leader", "通知包案领导", 1, CS, "notify", {
        "kind": "'leader_assignment'", "role": "'leader'",
        "subject": "'领导包案 Case ownership ' + case_code", "body": "summary",
    }, "leader_notice")
    p.user("accept_ownership", "受领包案", 2, LEADER, "leader_ownership/accept_ownership.schema.json",
           unit="county", post="leader_username = owning_leader")
    p.user("file_plan", "组建专班·制定方案", 3, LEADER, "leader_ownership/file_plan.schema.json",
           unit="county", assignee="leader_username", post="case_status = 'leader_owned'")
    p.end("end_ownership", "包案落实", 4, LEADER)
    p.chain("start_ownership", "notify_leader", "accept_ownership", "file_plan", "end_ownership")
    return p


def return_visit_round() -> Process:
    p = Process(
        "return_visit_round", "回访核实 Return visit", [CS, DEPT],
        doc="回访反馈: the centre visits the party. The 'follow_up' table decides from the rating "
            "and whether the agreement was fulfilled if the responsible unit must follow up (an "
            "unfulfilled agreement, or 基本满意 or worse), which reopens the case until a later visit "
            "verifies it.")
    p.start("start_visit", "回访", 0, CS)
    p.script("begin_visit", "回访轮次", 1, CS, "visit_round += 1")
    p.user("return_visit", "回访反馈", 2, CS, "return_visit_round/return_visit.schema.json",
           unit="centre")
    p.rule("follow_up_rule", "跟踪研判", 3, CS, "follow_up")
    p.gateway("gw_follow_up", "需跟踪?", 4, CS)
    p.script("reopen", "重新打开", 5, DEPT, "case_status = 'reopened'")
    p.service("notify_unit", "通知责任单位", 6, DEPT, "notify", {
        "kind": "'follow_up'", "unit_code": "unit_code", "role": "'department'",
        "subject": "'回访跟踪 Follow-up ' + case_code", "body": "follow_up_reason",
    }, "follow_up_notice")
    p.user("follow_up", "跟踪整改", 7, DEPT, "return_visit_round/follow_up.schema.json", unit="order")
    p.script("mark_verified", "回访核实", 5, CS, "case_status = 'verified'")
    p.gateway("gw_visit_join", "", 8, CS)
    p.end("end_visit", "回访结束", 9, CS)
    p.chain("start_visit", "begin_visit", "return_visit", "follow_up_rule", "gw_follow_up")
    p.flow("gw_follow_up", "reopen", "需跟踪", condition="follow_up_required")
    p.flow("gw_follow_up", "mark_verified", "满意", default=True)
    p.chain("reopen", "notify_unit", "follow_up", "gw_visit_join")
    p.chain("mark_verified", "gw_visit_join", "end_visit")
    return p
