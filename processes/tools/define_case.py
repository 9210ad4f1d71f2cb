"""The main case process: the ten steps of one dispute (十步流程)."""

from __future__ import annotations

from .bpmn_builder import Process

CS, LEADER, MED = "centre_staff", "leader", "mediator"

ARCHIVE_RESOLVED = (
    "{'outcome': 'resolved', 'dispute_type': dispute_type, 'severity': severity, 'tier': tier, "
    "'rating': rating, 'agreement': agreement_summary, "
    "'judicial_confirmation': request_judicial_confirmation, 'subsidy': subsidy_amount}"
)
ARCHIVE_LITIGATION = (
    "{'outcome': 'litigation', 'dispute_type': dispute_type, 'severity': severity, 'tier': tier, "
    "'route': litigation_route, 'court': court_code}"
)


def dispute_case() -> Process:
    p = Process(
        "dispute_case", "矛盾纠纷案件 Dispute case", [MED, CS, LEADER], rows={CS: 3, LEADER: 3},
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
           post="tier = start_tier\ncase_status = 'assessed'",
           doc="severity, start_tier, leader_required, mediation_type, progress_cycle.")
    p.gateway("gw_leader", "重大风险?", 5, CS)
    p.user("plan", "制定方案", 6, CS, "dispute_case/plan.schema.json", unit="centre",
           doc="普通纠纷窗口直办、复杂纠纷联席会商: the centre files the handling plan.")
    p.call("leader_ownership", "领导包案", 6, LEADER, "leader_ownership",
           doc="重大风险领导包办: one leader, one special team, one plan.")
    p.gateway("gw_plan_join", "", 7, CS)
    p.user("route", "评估分拨", 8, CS, "dispute_case/route.schema.json", unit="centre",
           post="rounds_at_tier = 0\nmediator_id = None\ncase_status = 'routed'",
           doc="Confirm the starting tier and mediation type; record the mediator the party chose "
               "(调解超市), if any.")
    p.flow("start_case", "register")
    p.chain("register", "issue_case_code", "assess", "triage", "gw_leader")
    p.flow("gw_leader", "leader_ownership", "领导包案", condition="leader_required")
    p.flow("gw_leader", "plan", "窗口直办/会商", default=True)
    p.chain("plan", "gw_plan_join")
    p.chain("leader_ownership", "gw_plan_join", "route")


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
        "action": "'request'", "court": "confirmation_court_code", "agreement_text": "agreement_summary",
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
