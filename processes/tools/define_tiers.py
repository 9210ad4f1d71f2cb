"""Tier round, leader ownership and return-visit round: the processes the main case calls."""

from __future__ import annotations

from .bpmn_builder import Process

CS, GRID, LEADER, DEPT = "centre_staff", "grid_worker", "leader", "department"


def tier_round() -> Process:
    p = Process(
        "tier_round", "分级处置一轮 One round at a tier", [CS, GRID], rows={GRID: 2},
        doc="One attempt at the current tier. Deadlines come from the 'deadlines' table (tier x "
            "severity); the grid handles on the spot (即采即办), every other tier dispatches through the "
            "five orders. The 'escalation' table then decides retry / escalate / litigation / close "
            "and the next tier, so a tier is added or removed by editing the tables (and, for a tier "
            "with its own way of working, drawing a branch at the gateway) - never in Python.")
    p.start("start_round", "本级处置开始", 0, CS)
    p.script("begin_round", "本级轮次", 1, CS,
             "rounds_at_tier += 1\ncase_status = 'handling'\norder_outcome = None")
    p.rule("deadlines", "办理时限", 2, CS, "deadlines",
           post="acceptance_timeout = f'PT{acceptance_hours}H'\n"
                "reminder_cycle = 'R/' + reminder_interval",
           doc="Acceptance hours, handling duration, reminder interval, overdue limit and round limits "
               "for this tier and severity; computed before any timer that uses them.")
    p.gateway("gw_tier", "处置层级", 3, CS)
    p.service("locate_grid", "网格定位", 4, GRID, "resolve_unit",
              {"tier": "tier", "location_unit_code": "location_unit_code"}, "grid_unit",
              post="unit_code = grid_unit['unit_code']")
    p.user("grid_handle", "网格即采即办", 5, GRID, "tier_round/grid_handle.schema.json", unit="grid",
           post="order_outcome = 'resolved' if grid_resolved else 'failed'",
           doc="The grid worker handles the dispute on the spot, the same day.")
    p.timer("grid_overdue", "当日未办结", "grid_handle", "timeDuration", "handling_duration")
    p.script("grid_timeout", "网格超时", 6, GRID, "order_outcome = 'timeout'", row=1)
    p.call("five_orders", "五单流转", 5, CS, "five_orders",
           doc="Village, town, county (and any tier added to the tables) work through the five orders.")
    p.gateway("gw_tier_join", "", 7, CS)
    p.rule("escalation", "升级研判", 8, CS, "escalation",
           post="if next_action == 'escalate':\n    tier = next_tier\n    rounds_at_tier = 0\n"
                "    case_status = 'escalated'")
    p.end("end_round", "本级处置结束", 9, CS)
    p.chain("start_round", "begin_round", "deadlines", "gw_tier")
    p.flow("gw_tier", "locate_grid", "网格", condition="tier == 'grid'")
    p.flow("gw_tier", "five_orders", "派单处置", default=True)
    p.chain("locate_grid", "grid_handle", "gw_tier_join")
    p.chain("grid_overdue", "grid_timeout", "gw_tier_join")
    p.chain("five_orders", "gw_tier_join", "escalation", "end_round")
    return p


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
            "whether the responsible unit must follow up (基本满意 or worse), which reopens the case "
            "until a later visit verifies it.")
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
