"""The initial decision tables. Administrators edit the generated .dmn files afterwards."""

from __future__ import annotations

from .dmn_builder import Table

MAJOR = ["'major'", "'county'", "True"]
WEEKLY_REPORT, NO_REPORT = "'R12/P7D'", "'R0/P7D'"


def triage() -> Table:
    t = Table(
        "triage", "分级分类 Triage", "FIRST",
        [("争议类型 Dispute type", "dispute_type", "string"), ("涉及金额 Amount (yuan)", "amount", "number"),
         ("当事人数 Number of parties", "len(parties)", "integer"),
         ("风险标记 Risk flags", "risk_flags", "string")],
        [("严重程度 Severity", "severity", "string"), ("起始层级 Starting tier", "start_tier", "string"),
         ("领导包案 Leader ownership", "leader_required", "boolean"),
         ("建议调解类型 Mediation type", "mediation_type", "string"),
         ("包案报告周期 Progress report cycle", "progress_cycle", "string")],
        doc="普通纠纷窗口直办、复杂纠纷联席会商、重大风险领导包办. The first matching row wins.")
    t.row(["-", "-", "-", "'群体性' in ?"], [*MAJOR, "'行政调解'", WEEKLY_REPORT], "群体性事件 mass incident")
    t.row(["-", "-", "-", "'极端' in ?"], [*MAJOR, "'人民调解'", WEEKLY_REPORT], "个人极端风险 extreme risk")
    t.row(["? == '征地拆迁'", "-", "-", "-"], [*MAJOR, "'行政调解'", WEEKLY_REPORT], "征地拆迁 land requisition")
    t.row(["-", "? >= 1000000", "-", "-"], [*MAJOR, "'司法调解'", WEEKLY_REPORT], "百万元以上 large amount")
    t.row(["-", "-", "? >= 30", "-"], [*MAJOR, "'行政调解'", WEEKLY_REPORT], "30人以上 many parties")
    complex_ = ["'complex'", "'town'", "False"]
    t.row(["-", "-", "-", "'重复信访' in ?"], [*complex_, "'行政调解'", NO_REPORT], "重复信访 repeat petition")
    t.row(["-", "? >= 100000", "-", "-"], [*complex_, "'司法调解'", NO_REPORT], "十万元以上 larger amount")
    t.row(["-", "-", "? >= 5", "-"], [*complex_, "'人民调解'", NO_REPORT], "多方当事人 several parties")
    t.row(["? in ('医疗纠纷', '劳动争议', '交通事故', '物业纠纷')", "-", "-", "-"],
          [*complex_, "'行业性专业性调解'", NO_REPORT], "专业领域 professional field")
    t.row(["? in ('邻里纠纷', '婚姻家庭')", "? < 5000", "? <= 2", "-"],
          ["'ordinary'", "'grid'", "False", "'人民调解'", NO_REPORT], "小事网格即办 small, on the spot")
    t.row(["-", "-", "-", "-"], ["'ordinary'", "'village'", "False", "'人民调解'", NO_REPORT],
          "小事不出村 ordinary")
    return t


def deadlines() -> Table:
    t = Table(
        "deadlines", "办理时限 Deadlines", "FIRST",
        [("层级 Tier", "tier", "string"), ("严重程度 Severity", "severity", "string")],
        [("接单时限(小时) Acceptance hours", "acceptance_hours", "integer"),
         ("办理时限 Handling duration", "handling_duration", "string"),
         ("催办间隔 Reminder interval", "reminder_interval", "string"),
         ("超期上限 Overdue limit", "overdue_limit", "string"),
         ("派单轮次上限 Max dispatch rounds", "max_dispatch_rounds", "integer"),
         ("核单轮次上限 Max verification rounds", "max_verify_rounds", "integer")],
        doc="接诉即办、定时催办、超时督办. Durations are ISO-8601, measured from when the case reached "
            "the tier (a retry at the same tier does not restart them). handling_duration triggers the "
            "supervision order; overdue_limit ends the round as 'timeout' (escalation). A deadline never "
            "shrinks on escalation: keep each severity's durations non-decreasing up the tiers (the "
            "diagram also keeps the later of the new tier's deadline and the one the case had). The "
            "unit answers a supervision order within supervision_answer_duration; review_duration and "
            "verify_duration are the dispatching centre's time for 评单 and 核单.")
    t.row(["'grid'", "-"], ["1", "'PT24H'", "'PT4H'", "'PT24H'", "1", "1"], "网格即采即办 same day")
    t.row(["'village'", "'ordinary'"], ["2", "'PT24H'", "'PT4H'", "'PT48H'", "2", "2"],
          "一般纠纷村级调，力争当日化解")
    t.row(["'village'", "-"], ["4", "'P3D'", "'PT12H'", "'P5D'", "2", "2"], "一般性矛盾纠纷3天内办结")
    t.row(["'town'", "'ordinary'"], ["8", "'P3D'", "'P1D'", "'P5D'", "2", "2"], "一般性矛盾纠纷3天内办结")
    t.row(["'town'", "'complex'"], ["24", "'P30D'", "'P7D'", "'P40D'", "2", "2"], "复杂矛盾镇级办，一个月内化解")
    t.row(["'town'", "-"], ["24", "'P20D'", "'P3D'", "'P25D'", "2", "2"], "较大矛盾纠纷20天内办结")
    t.row(["'county'", "'major'"], ["24", "'P90D'", "'P7D'", "'P100D'", "3", "3"],
          "重大事项县级统，领导包案，三个月内化解")
    t.row(["'county'", "'complex'"], ["24", "'P30D'", "'P7D'", "'P40D'", "2", "2"],
          "复杂矛盾升至县级，一个月时限不缩短")
    t.row(["'county'", "-"], ["24", "'P20D'", "'P3D'", "'P25D'", "2", "2"], "较大矛盾纠纷20天内办结")
    t.row(["-", "-"], ["24", "'P20D'", "'P3D'", "'P25D'", "2", "2"], "其他层级 any other tier")
    _stage_deadlines(t)
    return t


# The dispatching centre's time for 评单 and 核单, and the unit's time to answer a 督办单, by the
# (tier, severity) cells of a deadlines row, else by its tier cell: (review, verify, answer).
STAGE_DEADLINES = {
    "'grid'": ("'PT24H'", "'PT24H'", "'PT12H'"),
    ("'village'", "'ordinary'"): ("'PT24H'", "'PT48H'", "'PT12H'"),
    "'village'": ("'P1D'", "'P2D'", "'P1D'"),
    "'town'": ("'P1D'", "'P3D'", "'P1D'"),
    ("'town'", "'complex'"): ("'P3D'", "'P7D'", "'P2D'"),
    ("'county'", "'major'"): ("'P3D'", "'P7D'", "'P2D'"),
}
OTHER_STAGE_DEADLINES = ("'P2D'", "'P5D'", "'P1D'")


def _stage_deadlines(t: Table) -> None:
    """Add the review, verification and supervision-answer columns to every deadlines row."""
    t.outputs += [("评单时限 Review duration", "review_duration", "string"),
                  ("核单时限 Verification duration", "verify_duration", "string"),
                  ("督办答复时限 Supervision answer duration", "supervision_answer_duration", "string")]
    t.rules = [(ins, [*outs, *STAGE_DEADLINES.get(tuple(ins), STAGE_DEADLINES.get(ins[0], OTHER_STAGE_DEADLINES))],
                note) for ins, outs, note in t.rules]


def case_deadline() -> Table:
    t = Table(
        "case_deadline", "结案时限 Case deadline", "FIRST",
        [("严重程度 Severity", "severity", "string")],
        [("结案时限 Whole-case duration", "case_duration", "string")],
        doc="The whole case's deadline, an ISO-8601 duration measured from receipt (received_at). It is "
            "set at triage and again when a case escalates to the county and is re-triaged; it never "
            "becomes earlier than it was.")
    t.row(["'major'"], ["'P90D'"], "重大事项三个月内化解")
    t.row(["'complex'"], ["'P30D'"], "复杂矛盾一个月内化解")
    t.row(["'ordinary'"], ["'P3D'"], "一般性矛盾纠纷3天内办结")
    t.row(["-"], ["'P20D'"], "较大矛盾纠纷20天内办结 otherwise")
    return t


def escalation() -> Table:
    t = Table(
        "escalation", "升级规则 Escalation", "FIRST",
        [("层级 Tier", "tier", "string"), ("办理结果 Outcome", "order_outcome", "string"),
         ("本级轮次 Rounds used at this tier", "rounds_at_tier", "integer")],
        [("下一步 Next action", "next_action", "string"), ("下一层级 Next tier", "next_tier", "string")],
        doc="网格探头 → 村级前哨 → 镇街主阵地 → 县级终点站. Outcome is resolved, failed, timeout, "
            "unverified, not_accepted (no unit took the order) or withdrawn (the applicant withdrew the "
            "application). next_action: retry | escalate | litigation | close | withdrawn.")
    t.row(["-", "'resolved'", "-"], ["'close'", "tier"], "化解 resolved: close")
    t.row(["-", "'withdrawn'", "-"], ["'withdrawn'", "tier"], "申请人撤回申请：结案，不再升级")
    t.row(["-", "'not_accepted'", "? < 2"], ["'retry'", "tier"], "无单位接单：本级重新派单")
    t.row(["'grid'", "-", "-"], ["'escalate'", "'village'"], "小事不出村")
    t.row(["'village'", "-", "-"], ["'escalate'", "'town'"], "大事不出镇")
    t.row(["'town'", "-", "-"], ["'escalate'", "'county'"], "矛盾不上交")
    t.row(["'county'", "-", "-"], ["'litigation'", "tier"], "终点站调解不成，导入诉讼")
    t.row(["-", "-", "-"], ["'litigation'", "tier"], "其他 otherwise")
    return t


SUBSIDY_YUAN = (  # severity, rating, gold mediator, other mediator
    ("major", "满意", 500, 400), ("major", "基本满意", 350, 300),
    ("complex", "满意", 350, 300), ("complex", "基本满意", 250, 200),
    ("ordinary", "满意", 150, 100), ("ordinary", "基本满意", 80, 50),
)


def subsidy() -> Table:
    t = Table(
        "subsidy", "以案定补 Per-case subsidy", "FIRST",
        [("调处难度 Difficulty", "severity", "string"), ("满意度 Satisfaction", "rating", "string"),
         ("金牌调解员 Gold mediator", "gold", "boolean")],
        [("补贴(元) Amount (yuan)", "subsidy_amount", "integer")],
        doc="结合调处难度和被调解人满意度，每调解成功一案最高500元; 金牌调解员 get more, within the cap. "
            "Paid to the pool mediator who completed 组织调解.")
    for sev, rating, gold, other in SUBSIDY_YUAN:
        t.row([f"'{sev}'", f"'{rating}'", "True"], [str(gold)], f"{sev} {rating} 金牌")
        t.row([f"'{sev}'", f"'{rating}'", "False"], [str(other)], f"{sev} {rating}")
    t.row(["-", "-", "-"], ["0"], "不满意或其他 no subsidy")
    return t


def follow_up() -> Table:
    t = Table(
        "follow_up", "回访跟踪 Follow-up rule", "FIRST",
        [("回访评价 Rating", "rating", "string"), ("回访次数 Visit round", "visit_round", "integer"),
         ("协议已履行 Agreement fulfilled", "agreement_fulfilled", "boolean")],
        [("需跟踪 Follow up", "follow_up_required", "boolean"),
         ("跟踪事由 Reason", "follow_up_reason", "string")],
        doc="对“基本满意”及以下的，督促责任部门加强跟踪管理，监督协议履行. An agreement not "
            "fulfilled needs a follow-up whatever the rating.")
    t.row(["-", "? < 3", "? == False"], ["True", "'协议未履行，请责任单位督促履行 The agreement is not fulfilled'"],
          "协议未履行 agreement not fulfilled")
    t.row(["'满意'", "-", "-"], ["False", "''"], "满意 satisfied")
    t.row(["? in ('基本满意', '不满意')", "? < 3", "-"],
          ["True", "'回访评价为' + rating + '，请责任单位跟踪管理、督促协议履行'"], "跟踪整改 follow up")
    t.row(["-", "-", "-"], ["False", "'回访次数已满 visits exhausted'"], "回访已满三次 stop after three visits")
    return t


def analysis_flags() -> Table:
    t = Table(
        "analysis_flags", "综合研判 Monthly analysis flags", "COLLECT",
        [("受理数 Cases received", "received", "integer"),
         ("上月受理数 Received the month before", "previous_received", "integer"),
         ("环比增幅(%) Rise on the month before", "rise_percent", "number"),
         ("化解率(%) Resolution rate", "resolution_rate", "number"),
         ("满意率(%) Satisfaction rate", "satisfaction_rate", "number"),
         ("重大案件 Major cases", "major_cases", "integer"),
         ("重复信访 Repeat petitions", "repeat_petitions", "integer")],
        [("研判事由 Reason", "reason", "string"), ("整治期限(天) Days to deal with it", "due_days", "integer")],
        doc="月调度: each month's cases of one unit and dispute type; every matching row flags the type for the "
            "three-level ledger (三级台账) with its reason. The earliest due date of the matching rows applies. "
            "Rates are per cent (None when there is nothing to divide by).")
    t.row(["? >= 10", "-", "-", "-", "-", "-", "-"], ["'frequent'", "30"], "多发 frequent")
    t.row(["-", "? >= 3", "? is not None and ? >= 50", "-", "-", "-", "-"], ["'rising'", "30"],
          "环比上升 rising")
    t.row(["? >= 5", "-", "-", "? is not None and ? < 60", "-", "-", "-"], ["'badly_handled'", "15"],
          "化解率低 few resolved")
    t.row(["? >= 5", "-", "-", "-", "? is not None and ? < 80", "-", "-"], ["'badly_handled'", "15"],
          "满意率低 few satisfied")
    t.row(["-", "-", "-", "-", "-", "? >= 1", "-"], ["'wide_impact'", "7"], "重大、群体性 major")
    t.row(["-", "-", "-", "-", "-", "-", "? >= 2"], ["'wide_impact'", "7"], "重复信访 repeat petitions")
    return t


def risk_rules() -> Table:
    t = Table(
        "risk_rules", "风险预警规则 Risk early-warning rules", "UNIQUE",
        [("预警规则 Rule", "rule", "string")],
        [("时间窗(天) Window (days)", "window_days", "integer"),
         ("阈值 Threshold", "threshold", "number"),
         ("最少案件数 Minimum cases", "minimum", "integer"),
         ("风险等级 Severity", "severity", "string")],
        doc="风险预警 (engine/risks.py) reads one row per rule. repeat_party: the same ID number or phone in at "
            "least `threshold` cases received within `window_days`. repeat_address: the same address (a party's "
            "or the dispute's) in at least `threshold` cases received within `window_days`. mass_dispute: a case flagged 群体性 or with "
            "at least `threshold` parties, received within `window_days`. extreme_person: a case flagged 极端 "
            "received within `window_days`. overdue_tiers: an open case whose tasks went overdue at "
            "`threshold` or more tiers. rising_type: a unit's cases of one dispute type received in the last "
            "`window_days` are at least `threshold` times those of the `window_days` before, and at least "
            "`minimum`. Severity is low, medium, high or critical.")
    t.row(["'repeat_party'"], ["90", "3", "3", "'high'"], "重复当事人 the same person in several cases")
    t.row(["'mass_dispute'"], ["90", "10", "1", "'high'"], "群体性纠纷 mass dispute")
    t.row(["'extreme_person'"], ["90", "1", "1", "'critical'"], "个人极端风险 extreme-risk person")
    t.row(["'overdue_tiers'"], ["365", "2", "1", "'medium'"], "多级超期 overdue at several tiers")
    t.row(["'rising_type'"], ["30", "1.5", "3", "'medium'"], "类型上升 a dispute type rising in a unit")
    t.row(["'repeat_address'"], ["90", "3", "3", "'medium'"], "重复地址 the same address in several cases")
    return t
