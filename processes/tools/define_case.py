"""The main case process: the ten steps of one dispute (十步流程)."""

from __future__ import annotations

from .bpmn_builder import Process

CS, LEADER, MED = "centre_staff", "leader", "mediator"

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
    "'route': litigation_route, 'court': court_name}"
)


def dispute_case() -> Process:
    p = Process(
        "dispute_case", "矛盾纠纷案件 Dispute case", [CS, LEADER], rows={CS: 3},
        doc="受理登记 → 事项研判 → 制定方案 → 评估分拨 → 实地调查 → 组织调解 → 签订协议 → 司法确认 → "
            "回访反馈 → 结案存档. Started with empty data; the first task is registration. Severity, "
            "starting tier and leader ownership come from the 'triage' table; the tier rounds repeat "
            "while the 'escalation' table says retry or escalate.")
    _intake(p)
    _handling(p)
    _closing(p)
    return p


def _intake(p: Process) -> None:
    p.start("start_case", "受理", 0, CS)
    p.user("register", "受理登记", 1, CS, "dispute_case/register.schema.json",
           unit="centre", assignee="reported_by",
           doc="Unified intake (无差别受理) from any channel; the party can track the case by its code.")
    p.service("issue_case_code", "一案一码", 2, CS, "case_code",
              {"county_code": "county_code", "channel": "intake_channel"}, "case_code_result",
              post="case_code = case_code_result['case_code']\ncase_status = 'registered'")
    p.user("assess", "事项研判", 3, CS, "dispute_case/assess.schema.json", unit="centre",
           doc="Check the facts and risk flags before triage.")
    p.rule("triage", "分级分类", 4, CS, "triage",
           post="tier = start_tier\ncase_status = 'assessed'\nleader_username = None",
           doc="severity, start_tier, leader_required, mediation_type, progress_cycle.")
    p.rule("case_deadline", "结案时限", 5, CS, "case_deadline",
           post="case_due_at = due_after(received_at, case_duration)",
           doc="The whole case's deadline, measured from receipt (received_at).")
    p.gateway("gw_leader", "重大风险?", 6, CS)
    p.user("plan", "制定方案", 7, CS, "dispute_case/plan.schema.json", unit="centre",
           doc="普通纠纷窗口直办、复杂纠纷联席会商: the centre files the handling plan.")
    p.call("leader_ownership", "领导包案", 7, LEADER, "leader_ownership",
           doc="重大风险领导包办: one leader, one special team, one plan.")
    p.gateway("gw_plan_join", "", 8, CS)
    p.user("route", "评估分拨", 9, CS, "dispute_case/route.schema.json", unit="centre",
           post="rounds_at_tier = 0\nmediator_id = None\nmediated_by = None\ncase_status = 'routed'\n"
                "tier_started_at = now().isoformat()\ntier_due_floor = None\ntier_limit_floor = None",
           doc="Confirm the starting tier and mediation type; record the mediator the party chose "
               "(调解超市), if any. The starting tier's deadlines count from here.")
    p.flow("start_case", "register")
    p.chain("register", "issue_case_code", "assess", "triage", "case_deadline", "gw_leader")
    p.flow("gw_leader", "leader_ownership", "领导包案", condition="leader_required")
    p.flow("gw_leader", "plan", "窗口直办/会商", default=True)
    p.chain("plan", "gw_plan_join")
    p.chain("leader_ownership", "gw_plan_join", "route")


def _handling(p: Process) -> None:
    p.call("resolution", "化解(分级处置·协议·司法确认)", 10, CS, "resolution_round",
           loop="next_action == 'retry'", loop_max=10,
           doc="Tier rounds, the agreement and its judicial confirmation; repeated when the court does "
               "not confirm the agreement and the centre sends the case back to mediation.")
    p.gateway("gw_outcome", "化解结果", 11, CS)
    p.user("litigation_handoff", "导入诉讼/速裁", 12, CS, "dispute_case/litigation_handoff.schema.json",
           row=2, unit="centre", post="case_status = 'litigation'",
           doc="调解不成的导入速裁法庭 / 依法导入诉讼程序: record the hand-off to the court.")
    p.service("archive_litigation", "存档(诉讼)", 13, CS, "archive",
              {"case_code": "case_code", "outcome": "'litigation'", "summary": ARCHIVE_LITIGATION},
              "archive_result", row=2)
    p.end("end_litigation", "转入诉讼", 14, CS, row=2)
    p.chain("route", "resolution", "gw_outcome")
    p.flow("gw_outcome", "litigation_handoff", "调解不成", condition="next_action == 'litigation'")
    p.chain("litigation_handoff", "archive_litigation", "end_litigation")


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
    p.flow("gw_signoff", "leader_signoff", "领导包案", condition="leader_required")
    p.flow("gw_signoff", "gw_signoff_join", "否", default=True)
    p.chain("leader_signoff", "gw_signoff_join", "return_visits", "find_mediator", "subsidy_rule", "gw_subsidy")
    p.flow("gw_subsidy", "record_subsidy", "发放",
           condition="subsidy_mediator['mediator_id'] is not None and subsidy_amount > 0")
    p.flow("gw_subsidy", "gw_subsidy_join", "不发放", default=True)
    p.chain("record_subsidy", "gw_subsidy_join", "archive_case", "end_case")


REJECTED = ("rounds_at_tier = 0\ncase_status = 'handling'\ntier_due_floor = tier_due_at\n"
            "tier_limit_floor = tier_overdue_at\ntier_started_at = now().isoformat()\n"
            "next_action = 'retry' if after_rejection == 'mediation' else 'litigation'")


def resolution_round() -> Process:
    p = Process(
        "resolution_round", "化解一轮 Resolution", [MED, CS], rows={CS: 3},
        doc="The tier rounds until the escalation table closes the case or sends it to litigation; "
            "then 签订协议 and, if asked, 司法确认. A rejected confirmation goes back to mediation (another "
            "round at the current tier, next_action 'retry') or to litigation, as the centre chooses.")
    p.start("start_resolution", "化解", 0, CS)
    p.call("tier_rounds", "分级处置(网格→村→镇→县)", 1, CS, "tier_round",
           loop="next_action in ('retry', 'escalate')", loop_max=30,
           doc="One round per tier attempt; the escalation table sets next_action and the next tier.")
    p.gateway("gw_resolved", "化解?", 2, CS)
    p.user("agreement", "签订协议", 3, MED, "dispute_case/agreement.schema.json",
           unit="order", assignee="mediator_username",
           post="case_status = 'agreed'\nconfirmation_result = None")
    p.gateway("gw_jc", "申请司法确认?", 4, CS)
    p.service("jc_request", "申请司法确认", 5, CS, "judicial_confirmation", {
        "action": "'request'", "court": "confirmation_court", "agreement_text": "agreement_summary",
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
    p.chain("start_resolution", "tier_rounds", "gw_resolved")
    p.flow("gw_resolved", "gw_jc_join", "调解不成", condition="next_action == 'litigation'")
    p.flow("gw_resolved", "agreement", "化解", default=True)
    p.chain("agreement", "gw_jc")
    p.flow("gw_jc", "jc_request", "申请", condition="request_judicial_confirmation")
    p.flow("gw_jc", "gw_jc_join", "不申请", default=True)
    p.chain("jc_request", "record_confirmation", "jc_record", "gw_confirmed")
    p.flow("gw_confirmed", "jc_rejected", "不予确认", condition="confirmation_result == 'rejected'")
    p.flow("gw_confirmed", "gw_jc_join", "确认", default=True)
    p.chain("jc_rejected", "gw_jc_join", "end_resolution")
    return p
