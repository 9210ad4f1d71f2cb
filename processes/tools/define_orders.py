"""The five orders (五单) and the processes they call: dispatch round, handling round, mediation."""

from __future__ import annotations

from .bpmn_builder import Process
from .define_tiers import TIER_DUE, TIER_LIMIT

CS, DEPT, MED = "centre_staff", "department", "mediator"


def five_orders() -> Process:
    p = Process(
        "five_orders", "五单流转 Five orders", [CS],
        doc="One dispatched piece of work: 派单 dispatch and 接单 accept (repeated while the unit "
            "returns it, bounded by max_dispatch_rounds), then 处置 handling with 定时催办 reminders and "
            "督办单 supervision, 评单 review and 核单 verification (repeated while not verified, bounded "
            "by max_verify_rounds). Reads the deadlines computed by the calling tier round. "
            "Writes order_outcome: resolved | failed | timeout | unverified | withdrawn | not_accepted.")
    p.start("start_orders", "收到派单任务", 0, CS)
    p.call("dispatch_rounds", "派单·接单(可改派)", 1, CS, "dispatch_round",
           loop="not order_accepted and dispatch_round < max_dispatch_rounds", loop_max=20,
           pre="dispatch_round = 0\norder_accepted = False\nreturn_reason = ''\n"
               "target_unit_code = order_unit_code",
           doc="Dispatch to the responsible unit (order_unit_code if the caller names one, else the "
               "tier's unit of the location); the unit accepts or returns it with a reason and the "
               "centre re-dispatches.")
    p.gateway("gw_accepted", "已接单?", 2, CS)
    p.call("handling_rounds", "处置·评单·核单", 3, CS, "handling_round",
           loop="handling_state == 'unverified' and verify_round < max_verify_rounds", loop_max=20,
           pre="verify_round = 0\nhandling_state = None",
           doc="Handling with reminders and supervision, then review and verification; an order that "
               "is not verified goes back to the unit.")
    p.script("set_outcome", "记录办理结果", 4, CS,
             "order_outcome = 'resolved' if handling_state == 'verified' else handling_state")
    p.end("end_orders", "五单闭环", 5, CS)
    p.script("not_accepted", "无单位接单", 3, CS, "order_outcome = 'not_accepted'", row=1)
    p.end("end_not_accepted", "未接单结束", 4, CS, row=1)
    p.rows[CS] = 2
    p.chain("start_orders", "dispatch_rounds", "gw_accepted")
    p.flow("gw_accepted", "handling_rounds", "已接单", default=True)
    p.flow("gw_accepted", "not_accepted", "未接单", condition="not order_accepted")
    p.chain("handling_rounds", "set_outcome", "end_orders")
    p.chain("not_accepted", "end_not_accepted")
    return p


def dispatch_round() -> Process:
    p = Process(
        "dispatch_round", "派单接单 Dispatch and accept", [CS, DEPT], rows={CS: 2, DEPT: 2},
        doc="One dispatch: the centre sends the order (a re-dispatch first picks the unit), the unit "
            "accepts it or returns it with a reason before acceptance_timeout.")
    p.start("start_dispatch", "派单", 0, CS)
    p.script("begin_dispatch", "派单轮次", 1, CS, "dispatch_round += 1")
    p.gateway("gw_redispatch", "改派?", 2, CS)
    p.user("choose_unit", "改派单位", 3, CS, "dispatch_round/choose_unit.schema.json", row=1,
           unit="dispatcher",
           doc="The order came back (return_reason); choose the unit to re-dispatch to.")
    p.gateway("gw_redispatch_join", "", 4, CS)
    p.service("dispatch", "派单 Dispatch", 5, CS, "dispatch_order", {
        "case_code": "case_code", "tier": "tier", "location_unit_code": "location_unit_code",
        "target_unit_code": "target_unit_code", "order_type": "'dispatch'",
        "round": "dispatch_round", "accept_within": "acceptance_timeout",
        "handle_by": "tier_due_at", "dispute_type": "dispute_type",
    }, "dispatch_result",
        post="unit_code = dispatch_result['unit_code']\norder_id = dispatch_result['order_id']\n"
             "dispatcher_unit_code = dispatch_result['from_unit_code']\n"
             "case_status = 'dispatched'")
    p.user("accept_order", "接单 Accept", 6, DEPT, "dispatch_round/accept_order.schema.json", unit="order",
           doc="The responsible unit accepts the order or returns it with a reason.")
    p.timer("accept_overdue", "接单超时", "accept_order", "timeDuration", "acceptance_timeout",
            timer_kind="acceptance_deadline")
    p.service("record_acceptance", "登记接单/退单", 7, CS, "order_event", {
        "order_id": "order_id", "event": "'accepted' if order_accepted else 'returned'",
        "reason": "return_reason",
    }, "acceptance_event")
    p.script("accept_timeout", "超时未接单", 7, DEPT,
             "order_accepted = False\nreturn_reason = '超时未接单 acceptance deadline passed'", row=1)
    p.service("record_accept_timeout", "登记超时未接单", 8, CS, "order_event", {
        "order_id": "order_id", "event": "'timed_out'", "reason": "return_reason",
    }, "acceptance_event", row=1)
    p.gateway("gw_accept_join", "", 9, CS)
    p.end("end_dispatch", "派单结束", 10, CS)
    p.chain("start_dispatch", "begin_dispatch", "gw_redispatch")
    p.flow("gw_redispatch", "gw_redispatch_join", "首次派单", default=True)
    p.flow("gw_redispatch", "choose_unit", "退单改派", condition="dispatch_round > 1")
    p.chain("choose_unit", "gw_redispatch_join", "dispatch", "accept_order", "record_acceptance",
            "gw_accept_join", "end_dispatch")
    p.chain("accept_overdue", "accept_timeout", "record_accept_timeout", "gw_accept_join")
    return p


def handling_round() -> Process:
    p = Process(
        "handling_round", "处置评单核单 Handle, review, verify", [MED, DEPT, CS], rows={MED: 2, CS: 5},
        doc="One round of handling an accepted order. Reminders every reminder_interval "
            "(定时催办); when the tier's handling deadline passes the dispatching centre issues a "
            "supervision order (超时督办) which the unit answers within supervision_answer_duration, or "
            "it escalates to the centre above; the round ends as 'timeout' at the tier's overdue limit. "
            "Both deadlines count from when the case reached the tier, not from this round. The "
            "dispatching centre reviews (评单, review_duration) and verifies (核单, verify_duration) "
            "the signed agreement. Every path that ends the round records the order's state, and "
            "ends the process (terminate), withdrawing an unanswered supervision order. An application "
            "the applicant withdraws during mediation ends the order as withdrawn. Writes "
            "handling_state: verified | unverified | failed | timeout | withdrawn.")
    p.start("start_handling", "开始处置", 0, CS)
    p.script("begin_handling", "处置轮次", 1, CS, "verify_round += 1\ncase_status = 'mediating'")
    p.service("assign_mediator", "匹配调解员", 2, CS, "match_mediator", {
        "specialty": "dispute_type", "tier": "tier", "unit_code": "unit_code",
        "preferred_mediator_id": "preferred_mediator_id", "mediation_type": "mediation_type",
    }, "mediator_match", post="mediator_id = mediator_match['mediator_id']\n"
             "mediator_username = mediator_match['username']")
    p.call("mediation", "处置(调查·调解·协议)", 3, MED, "mediation",
           doc="实地调查 investigate, 组织调解 mediate and 签订协议 sign the agreement, by the assigned "
               "mediator.")
    p.timer("overdue", "超期", "mediation", "timeDate", TIER_LIMIT, slot=0)
    p.timer("supervise", "超时督办", "mediation", "timeDate", TIER_DUE,
            interrupting=False, slot=1, timer_kind="supervision")
    p.timer("remind", "定时催办", "mediation", "timeCycle", "reminder_cycle", interrupting=False, slot=2,
            timer_kind="reminder")
    _reminders(p)
    _supervision(p)
    p.script("overdue_timeout", "超期未办结", 4, CS, "handling_state = 'timeout'", row=3)
    p.service("record_timeout", "登记超期", 5, CS, "order_event", {
        "order_id": "order_id", "event": "'timed_out'", "reason": "'超期未办结 overdue limit passed'",
    }, "timeout_event", row=3)
    p.end("end_overdue", "超期结束", 6, CS, row=3, terminate=True)
    p.gateway("gw_result", "调解成功?", 4, CS)
    p.script("mediation_failed", "调解不成", 5, MED, "handling_state = 'failed'")
    p.service("record_failure", "登记调解不成", 6, MED, "order_event", {
        "order_id": "order_id", "event": "'failed'", "reason": "mediation_notes",
    }, "failure_event")
    p.script("mediation_withdrawn", "撤回申请", 5, MED, "handling_state = 'withdrawn'", row=1)
    p.service("record_withdrawal", "登记撤回", 6, MED, "order_event", {
        "order_id": "order_id", "event": "'withdrawn'", "reason": "withdrawal_reason",
    }, "withdrawal_event", row=1)
    _review_and_verify(p)
    p.gateway("gw_handling_join", "", 10, CS)
    p.end("end_handling", "本轮结束", 11, CS, terminate=True)
    p.chain("start_handling", "begin_handling", "assign_mediator", "mediation", "gw_result")
    p.flow("gw_result", "review_order", "达成协议", condition="mediation_result == 'agreed'")
    p.flow("gw_result", "mediation_withdrawn", "撤回申请", condition="mediation_result == 'withdrawn'")
    p.flow("gw_result", "mediation_failed", "调解不成", default=True)
    p.chain("mediation_failed", "record_failure", "gw_handling_join")
    p.chain("mediation_withdrawn", "record_withdrawal", "gw_handling_join")
    p.chain("set_verified", "gw_handling_join", "end_handling")
    p.chain("overdue", "overdue_timeout", "record_timeout", "end_overdue")
    return p


def _reminders(p: Process) -> None:
    p.service("log_reminder", "催办登记", 4, CS, "order_event",
              {"order_id": "order_id", "event": "'reminder'", "reason": "''"}, "reminder_event", row=1)
    p.service("send_reminder", "催办通知", 5, CS, "notify", {
        "kind": "'reminder'", "unit_code": "unit_code", "role": "'mediator'",
        "subject": "'催办 Reminder ' + case_code", "body": "'请按时办理 Please handle the order in time'",
    }, "reminder_notice", row=1)
    p.end("end_reminder", "已催办", 6, CS, row=1)
    p.chain("remind", "log_reminder", "send_reminder", "end_reminder")


def _supervision(p: Process) -> None:
    """督办单: issued by the dispatching centre, answered by the unit, escalated when unanswered."""
    p.service("issue_supervision", "督办单", 4, CS, "supervision_order", {
        "action": "'issue'", "order_id": "order_id", "reason": "'超时督办 handling deadline passed'",
        "answer_within": "supervision_answer_duration",
    }, "supervision", row=2, post="supervision_id = supervision['supervision_id']")
    p.service("send_supervision", "督办通知", 5, CS, "notify", {
        "kind": "'supervision'", "unit_code": "unit_code", "role": "'department'",
        "subject": "'督办单 Supervision order ' + case_code",
        "body": "'办理期限已过，请于 ' + supervision['due'] + ' 前答复办理进展或说明情况 "
                "The handling deadline has passed: answer with progress or an explanation'",
    }, "supervision_notice", row=2)
    p.user("answer_supervision", "答复督办", 6, DEPT, "handling_round/answer_supervision.schema.json",
           unit="order", doc="The receiving unit answers the supervision order: progress or an explanation.")
    p.timer("supervision_unanswered", "督办逾期未复", "answer_supervision", "timeDuration",
            "supervision_answer_duration", timer_kind="answer_deadline")
    p.service("record_supervision_answer", "登记督办答复", 7, DEPT, "supervision_order", {
        "action": "'answer'", "supervision_id": "supervision_id", "answer_kind": "supervision_answer_kind",
        "answer": "supervision_answer",
    }, "supervision_answer_result")
    p.end("end_supervision", "已答复", 8, DEPT)
    p.service("escalate_supervision", "督办升级", 7, CS, "supervision_order", {
        "action": "'escalate'", "supervision_id": "supervision_id",
    }, "supervision_escalation", row=2)
    p.service("notify_escalation", "通知上级中心", 8, CS, "notify", {
        "kind": "'supervision_escalated'", "unit_code": "supervision_escalation['notify_unit_code']",
        "role": "'centre_staff'", "subject": "'督办单逾期未复 Supervision unanswered ' + case_code",
        "body": "'责任单位未按期答复督办单 The unit did not answer the supervision order in time'",
    }, "escalation_notice", row=2)
    p.end("end_escalated", "已升级督办", 9, CS, row=2)
    p.chain("supervise", "issue_supervision", "send_supervision", "answer_supervision",
            "record_supervision_answer", "end_supervision")
    p.chain("supervision_unanswered", "escalate_supervision", "notify_escalation", "end_escalated")


def _review_and_verify(p: Process) -> None:
    """评单 and 核单 by the dispatching centre, each with a deadline that reminds the centre."""
    p.user("review_order", "评单 Review", 5, CS, "handling_round/review_order.schema.json", unit="dispatcher",
           doc="The dispatching centre evaluates how the unit handled the order.")
    p.timer("review_overdue", "评单超时", "review_order", "timeDuration", "review_duration",
            interrupting=False, timer_kind="review_deadline")
    p.service("log_review", "登记评单", 6, CS, "order_event", {
        "order_id": "order_id", "event": "'review'", "reason": "review_comment", "score": "review_score",
    }, "review_event")
    p.user("verify_order", "核单 Verify", 7, CS, "handling_round/verify_order.schema.json", unit="dispatcher",
           doc="Return visit to the party: is the signed agreement real? Not verified sends the order "
               "back, or ends it as unverified in the last round.")
    p.timer("verify_overdue", "核单超时", "verify_order", "timeDuration", "verify_duration",
            interrupting=False, timer_kind="verification_deadline")
    p.service("log_verification", "登记核单", 8, CS, "order_event", {
        "order_id": "order_id", "event": "'verified' if order_verified else 'not_verified'",
        "reason": "verify_note", "last_round": "verify_round >= max_verify_rounds",
    }, "verification_event")
    p.script("set_verified", "核单结论", 9, CS,
             "handling_state = 'verified' if order_verified else 'unverified'")
    for timer, col, zh, en in (("review_overdue", 6, "评单", "review"), ("verify_overdue", 8, "核单", "verification")):
        p.service(f"{timer}_notice", "超时提醒", col, CS, "notify", {
            "kind": "'stage_overdue'", "unit_code": "dispatcher_unit_code", "role": "'centre_staff'",
            "subject": f"'{zh}超时 {en.capitalize()} overdue ' + case_code",
            "body": f"'{zh}期限已过 The {en} deadline has passed'",
        }, f"{timer}_result", row=4)
        p.end(f"end_{timer}", "已提醒", col + 1, CS, row=4)
        p.chain(timer, f"{timer}_notice", f"end_{timer}")
    p.chain("review_order", "log_review", "verify_order", "log_verification", "set_verified")


def mediation() -> Process:
    p = Process("mediation", "调查调解 Investigate and mediate", [MED],
                doc="实地调查 then 组织调解 by the mediator the centre matched (or the party chose); when "
                    "the parties agree, the mediator has them sign the agreement (签订协议), so 评单 and "
                    "核单 look at a signed agreement. The mediator also records an applicant who withdraws "
                    "the application (mediation_result 'withdrawn', with withdrawal_reason).")
    p.start("start_mediation", "开始调解", 0, MED)
    p.user("investigate", "实地调查", 1, MED, "mediation/investigate.schema.json",
           unit="order", assignee="mediator_username",
           pre="case_status = 'investigating'\nrisk_found = []",
           # Flags are only added: a list replaced by one of the same length would not reach the
           # calling processes (SpiffWorkflow's DeepMerge keeps the old items).
           post="risk_flags = sorted(set(risk_flags) | set(risk_found))")
    p.user("mediate", "组织调解", 2, MED, "mediation/mediate.schema.json", unit="order",
           assignee="mediator_username", post="mediated_by = last_actor",
           doc="Whoever completes it is the mediator who did the work (以案定补 pays them).")
    p.gateway("gw_agreed", "达成协议?", 3, MED)
    p.user("agreement", "签订协议", 4, MED, "mediation/agreement.schema.json",
           unit="order", assignee="mediator_username", post="case_status = 'agreed'")
    p.gateway("gw_agreement_join", "", 5, MED)
    p.end("end_mediation", "调解结束", 6, MED)
    p.chain("start_mediation", "investigate", "mediate", "gw_agreed")
    p.flow("gw_agreed", "agreement", "达成协议", condition="mediation_result == 'agreed'")
    p.flow("gw_agreed", "gw_agreement_join", "调解不成/撤回", default=True)
    p.chain("agreement", "gw_agreement_join", "end_mediation")
    return p
