"""What the templates show of engine rows: labels in the user's language, urgency, the commands offered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import g
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine import form_labels, form_messages, letter_escalation, tasks
from engine.models import RiskLetter, TaskItem, User

# A task due within this time is marked "due soon" (a highlight only; deadlines come from the diagrams).
DUE_SOON = timedelta(hours=24)

SCOPES = [("mine", _l("Mine")), ("unit", _l("My unit")), ("claimable", _l("Claimable")),
          ("reported", _l("Reported by me"))]
ROLES = {"grid_worker": _l("Grid worker"), "mediator": _l("Mediator"), "centre_staff": _l("Centre staff"),
         "department": _l("Department"), "leader": _l("Leader"), "admin": _l("Administrator"),
         "designer": _l("Process designer")}
TIERS = {"grid": _l("Grid"), "village": _l("Village"), "town": _l("Town"), "county": _l("County")}
STATES = {"ready": _l("Open"), "completed": _l("Completed"), "cancelled": _l("Cancelled")}
CASE_STATUSES = {"open": _l("In progress"), "closed": _l("Closed"), "incident": _l("Held up by an error")}
ORDER_STATES = {"dispatched": _l("Dispatched"), "accepted": _l("Accepted"), "handled": _l("Handled"),
                "not_verified": _l("Not verified yet"), "resolved": _l("Resolved"), "failed": _l("Failed"),
                "returned": _l("Returned"), "timed_out": _l("Timed out"), "unverified": _l("Unverified"),
                "withdrawn": _l("Withdrawn")}
SUPERVISION_STATES = {"open": _l("Open"), "answered": _l("Answered"), "escalated": _l("Escalated"),
                      "closed": _l("Closed")}
EVENTS = {"case_opened": _l("Case opened"), "case_moved": _l("Case moved"), "case_closed": _l("Case closed"),
          "task_created": _l("Task created"), "task_completed": _l("Task completed"), "task_claimed": _l("Task claimed"),
          "task_unclaimed": _l("Task released"), "task_reassigned": _l("Task reassigned"),
          "task_cancelled": _l("Task cancelled"), "task_draft_saved": _l("Draft saved"),
          "service_called": _l("System step"), "service_error": _l("System step failed"),
          "error_caught": _l("Error handled"), "incident": _l("Held up by an error"),
          "incident_resolved": _l("Error resolved"), "timer_fired": _l("Deadline reached"),
          "timers_recalculated": _l("Deadlines recalculated"), "case_migrated": _l("Moved to another version"),
          "task_replaced": _l("Task placed anew"), "personal_data_viewed": _l("Personal data viewed")}
MIGRATION_STATUSES = {"can_move": _l("Can move"), "blocked": _l("Cannot move"), "moved": _l("Moved"),
                      "failed": _l("Failed, left as it was")}
MIGRATION_REASONS = {
    "not_found": _l("No such case, or not one you may see"),
    "closed": _l("The case has ended"),
    "incident": _l("The case is held up by an error: retry or resolve it first"),
    "already_on_target": _l("Already on the target version"),
    "other_version": _l("On another version than the one to move from"),
    "removed": _l("Waits on an element the new version does not have: map it"),
    "unknown_target": _l("The mapping names an element this process of the new version does not have"),
    "type_changed": _l("Would wait on an element of another kind"),
    "passed_removed": _l("An element it passed is gone and nothing lines up with it: map it"),
    "subprocess_removed": _l("A sub-process it runs is not in the new version"),
    "call_changed": _l("A call activity it runs calls another process in the new version"),
}
UNIT_KINDS = {"county": _l("County"), "town": _l("Town"), "village": _l("Village"), "grid": _l("Grid"),
              "department": _l("Department")}
MEDIATION_TYPES = {"人民调解": _l("People's mediation"), "行政调解": _l("Administrative mediation"),
                   "司法调解": _l("Judicial mediation"), "行业性专业性调解": _l("Industry and professional mediation")}
# What keeps a unit from being closed (engine.units.blockers).
BLOCKERS = {"active users": _l("active users"), "active mediators": _l("active mediators"),
            "open units below it": _l("open units below it"), "open cases": _l("open cases"),
            "open tasks": _l("open tasks"), "open orders": _l("open orders")}
PLACE_KINDS = {"county": _l("County"), "town": _l("Town"), "village": _l("Village"), "grid": _l("Grid")}
# The figures of a what-if (engine.simulation_report), by the label the engine gives them.
SIMULATION_FIGURES = {
    "cases": _l("cases"), "resolved": _l("resolved"), "resolution rate": _l("resolution rate"),
    "on-time rate (resolved by the case deadline)": _l("on-time rate (resolved by the case deadline)"),
    "grassroots share (resolved at grid or village)": _l("grassroots share (resolved at grid or village)"),
    "litigation": _l("litigation"), "stuck (step limit reached)": _l("stuck (step limit reached)"),
    "incidents (a step failed)": _l("incidents (a step failed)"),
    "not accepted at assessment": _l("not accepted at assessment"),
    "withdrawn by the applicant": _l("withdrawn by the applicant"),
    "escalations": _l("escalations"), "timeouts (tier overdue timer fired)": _l("timeouts (tier overdue timer fired)"),
    "orders returned or not accepted in time": _l("orders returned or not accepted in time"),
    "leader workload: cases owned by leaders": _l("leader workload: cases owned by leaders"),
    "leader workload: most open at once": _l("leader workload: most open at once"),
    "leader workload: most cases of one leader": _l("leader workload: most cases of one leader"),
    "average days to end": _l("average days to end"),
    "load (cases reached)": _l("load (cases reached)"), "rounds": _l("rounds"), "most at once": _l("most at once"),
    "rounds on time": _l("rounds on time")}


def label(table: dict, value: str | None) -> str:
    """The translated label of a code, or the code itself when it has none."""
    return str(table[value]) if value in table else (value or "")


@dataclass(frozen=True)
class TaskRow:
    """One task as a list or summary shows it."""

    task: TaskItem
    urgency: str  # "overdue", "soon" or ""
    actions: tasks.Actions
    kind: str = "task"

    @property
    def case(self):
        return self.task.case


def urgency(row: TaskItem, now: datetime) -> str:
    if row.overdue or (row.due_at is not None and row.due_at <= now):
        return "overdue"
    if row.due_at is not None and row.due_at - now <= DUE_SOON:
        return "soon"
    return ""


def task_row(user: User, row: TaskItem, now: datetime) -> TaskRow:
    return TaskRow(row, urgency(row, now), tasks.actions(user, row))


@dataclass(frozen=True)
class LetterRow:
    """An open warning letter in the inbox: where it is now and how urgent."""

    letter: RiskLetter
    urgency: str
    kind: str = "letter"

    @property
    def current_unit(self):
        return letter_escalation.current_unit(self.letter)


def letter_urgency(letter: RiskLetter, now: datetime) -> str:
    if letter.due_at <= now:
        return "overdue"
    return "soon" if letter.due_at - now <= DUE_SOON else ""


def inbox_row(user: User, row, now: datetime):
    """A task's row, or a warning letter's (``engine.tasks.inbox`` with letters lists both)."""
    return LetterRow(row, letter_urgency(row, now)) if isinstance(row, RiskLetter) else task_row(user, row, now)


def bilingual(title: str) -> str:
    """The part of a "中文 English" title (as forms write them) in the page's language."""
    zh, en = form_messages.split_title(title, title)
    return en if str(get_locale()) == "en" and en else zh


def task_name(task: TaskItem) -> str:
    """A task's name in the page's language (its form's English title when the diagram names it in Chinese)."""
    return bilingual(form_labels.task_title(task.name, task.case.process_version, task.form))


def choice(value, case, field: str) -> str:
    """A stored choice (``邻里纠纷``) as its form titles it, in the page's language."""
    return bilingual(form_labels.choice(case.process_version if case is not None else None, field, value))


def row_labels() -> dict[str, str]:
    """The texts every task row repeats, translated once per request (50 rows would ask 500 times)."""
    if "row_labels" not in g:
        g.row_labels = {"due": _("Due"), "case": _("Case"), "task": _("Task"), "tier": _("Tier"), "unit": _("Unit"),
                        "dispute_type": _("Dispute type"), "parties": _("Parties"), "held_by": _("Held by"),
                        "overdue": _("Overdue"), "soon": _("Due soon"), "unclaimed": _("Unclaimed"),
                        "open_to_unit": _("open to the unit"), "claim": _("Claim"), "reassign": _("Reassign"),
                        "hand_to": _("Hand to"), "hand_over": _("Hand over"),
                        "tiers": {code: str(name) for code, name in TIERS.items()}}
    return g.row_labels
