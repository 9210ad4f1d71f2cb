"""How a case ended, read from the data its diagrams write: the one table that says so.

The diagrams decide (the ``escalation`` table says ``close``, ``litigation`` or ``withdrawn``, the centre
does not accept a matter at 事项研判, the grid worker or the window clerk records a settlement, the court
confirms an agreement); this module only names the result. ``RULES`` is read top to bottom and the first row whose keys all hold wins, like a FIRST
decision table. The engine applies it after every step (``engine/outcome_columns.py``) and the
migration that introduced the columns applied it to the cases stored before them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from . import spiff

# Every outcome a case can record, with its label. The first three count as resolved (化解).
OUTCOMES = {
    "mediated": "调解化解 Resolved by mediation",
    "on_the_spot": "当场化解 Resolved on the spot (grid or window)",
    "judicially_confirmed": "司法确认 Agreement judicially confirmed",
    "litigation": "导入诉讼/仲裁 Handed to litigation or arbitration",
    "withdrawn": "撤回 Withdrawn",
    "not_accepted": "不予受理 Not accepted",
}
RESOLVED = ("mediated", "on_the_spot", "judicially_confirmed")
# The return-visit ratings a party can give (forms/return_visit_round/return_visit.schema.json).
RATINGS = ("满意", "基本满意", "不满意")
# The risk flag the registration form uses for a repeat petition (重复信访).
REPEAT_PETITION_FLAG = "重复信访"
# Orders the closure rate leaves out: returned or not accepted in time, each was dispatched again as a new order.
ORDERS_NOT_COUNTED = ("returned", "timed_out")
ORDER_CLOSED = "resolved"  # 办结: handled, reviewed and verified by the dispatching centre


@dataclass(frozen=True)
class Rule:
    """``outcome`` when every ``(key, value)`` of ``when`` is in the case's data.

    ``unit_key``: the data key naming the unit that resolved it (None: the unit the case is at).
    ``tier``: ``data`` takes the data's ``tier``; ``unit`` the resolving unit's kind (a window at a
    town centre resolves at the town, whatever tier triage chose for the dispatch that did not happen).
    """

    outcome: str
    when: tuple[tuple[str, object], ...]
    unit_key: str | None = None
    tier: str = "data"


RULES = (
    # 不予受理: the centre declined the matter at 事项研判; nothing else ever ran.
    Rule("not_accepted", (("acceptance", "不予受理"),)),
    # 撤回: the mediator recorded the applicant's withdrawal and the escalation table ended the rounds.
    Rule("withdrawn", (("next_action", "withdrawn"),)),
    # Failed at the top tier, or the centre chose litigation after the court refused confirmation.
    Rule("litigation", (("next_action", "litigation"),)),
    # Confirmation is the last step of a resolution: a refused one sets next_action to retry or litigation.
    Rule("judicially_confirmed", (("confirmation_result", "confirmed"),)),
    # 即采即办: the reporting grid worker settled it where it happened.
    Rule("on_the_spot", (("settled_directly", True), ("spot_resolved", True)), unit_key="location_unit_code",
         tier="unit"),
    # 窗口直办: the clerk at the centre's window settled it.
    Rule("on_the_spot", (("settled_directly", True), ("window_resolved", True)), tier="unit"),
    # The escalation table closed the round: the order was resolved and verified at the current tier.
    Rule("mediated", (("next_action", "close"),)),
)


def match(data: dict) -> Rule | None:
    """The first rule the data satisfies (None: the case has not ended either way yet)."""
    for rule in RULES:
        if all(data.get(key) == value for key, value in rule.when):
            return rule
    return None


@dataclass
class Reading:
    """What the case's data says, before any unit is looked up."""

    outcome: str | None
    rule: Rule | None
    channel: str | None
    rating: str | None
    repeat_petition: bool
    tier: str | None
    unit_code: str | None
    tier_due_at: str | None
    received_at: str | None


def read(data: dict) -> Reading:
    """Everything the outcome columns take from one snapshot of a case's data."""
    rule = match(data)
    channel, rating = data.get("intake_channel"), data.get("rating")
    flags = data.get("risk_flags")
    unit_code = data.get(rule.unit_key) if rule and rule.unit_key else None
    return Reading(
        outcome=rule.outcome if rule else None, rule=rule,
        channel=channel[:40] if isinstance(channel, str) and channel else None,
        rating=rating if rating in RATINGS else None,
        repeat_petition=isinstance(flags, list) and REPEAT_PETITION_FLAG in flags,
        tier=data.get("tier") if isinstance(data.get("tier"), str) else None,
        unit_code=unit_code if isinstance(unit_code, str) and unit_code else None,
        tier_due_at=data.get("tier_due_at") if isinstance(data.get("tier_due_at"), str) else None,
        received_at=data.get("received_at") if isinstance(data.get("received_at"), str) else None)


def parse_time(value: str | None) -> datetime | None:
    """An ISO-8601 time from the data (naive: UTC), or None when there is none or it is no time."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def met(resolved_at: datetime, due: datetime | None) -> bool | None:
    """Whether a resolution came by a deadline (None: there was no deadline)."""
    return None if due is None else resolved_at <= due


def stored_data(state_json: str) -> dict:
    """A stored workflow's current data without its spec: the newest ready task's (a sub-process's
    included), else the last completed task's. For cases stored before the columns existed."""
    state = json.loads(state_json)
    found = []  # (last change, task, its workflow's tasks)
    for workflow in [state, *(state.get("subprocesses") or {}).values()]:
        tasks = workflow.get("tasks") or {}
        found += [(t.get("last_state_change") or 0, t, tasks) for t in tasks.values() if t.get("state") == READY]
    if found:
        _, task, tasks = max(found, key=lambda f: f[0])
        return spiff.stored_task_data(task, tasks)
    tasks = state.get("tasks") or {}
    if state.get("last_task") in tasks:
        return spiff.stored_task_data(tasks[state["last_task"]], tasks)
    return state.get("data") or {}


READY = 16  # SpiffWorkflow's TaskState.READY in a serialised task
