"""Who does a user task: the unit its diagram's rule places it in, and the person its data names.

A user task's lane names the role. Its ``spiffworkflow:properties`` add:

- ``unit``: the rule that picks the unit taking the task (``UNIT_RULES``; ``case`` when absent);
- ``assignee``: an expression over the task's data giving the username of the person it is for
  (the mediator matched or chosen, the leader who owns the case, the grid worker who reported);
- ``claimable``: ``true`` lets others of the role at that unit take a named task over; a task that
  names nobody is always claimable by its role at its unit.

A named person works the task whatever their role and unit; the diagram named them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import clock, expressions, orgs
from .models import UNIT_KINDS, Case, OrgUnit, User

# Task data the engine writes itself, never a form or the caller opening a case:
# ``reported_by`` (who opened the case), ``received_at`` (when it was opened, ISO-8601 by the engine
# clock: deadlines are measured from it) and ``last_actor`` (who completed the task just finished,
# for a post-script to remember, e.g. ``leader_username = last_actor``).
ENGINE_KEYS = frozenset({"reported_by", "received_at", "last_actor"})

UNIT_PROPERTY, ASSIGNEE_PROPERTY, CLAIMABLE_PROPERTY = "unit", "assignee", "claimable"
# Units with a comprehensive-governance centre (综治中心): intake, assessment, dispatch, review.
CENTRE_KINDS = ("town", "county")


def _ancestors(session: Session, unit: OrgUnit) -> list[OrgUnit]:
    """The unit and the units above it, nearest first (from its materialised path)."""
    ids = [int(part) for part in unit.path.strip("/").split("/") if part] or [unit.id]
    by_id = {u.id: u for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}
    return [by_id[i] for i in reversed(ids) if i in by_id]


def _nearest(session: Session, unit: OrgUnit, kinds: tuple[str, ...]) -> OrgUnit:
    """The unit itself or the nearest one above it of one of ``kinds`` (the unit when there is none)."""
    return next((u for u in _ancestors(session, unit) if u.kind in kinds), unit)


def _named_unit(session: Session, data: dict, key: str) -> OrgUnit | None:
    code = data.get(key)
    if isinstance(code, str) and code:
        return session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    return None


def _case(session, case, data):
    return case.org_unit


def _order(session, case, data):
    return _named_unit(session, data, "unit_code") or case.org_unit


def _centre(session, case, data):
    return _nearest(session, case.org_unit, CENTRE_KINDS)


def _dispatcher(session, case, data):
    return _named_unit(session, data, "dispatcher_unit_code") or _centre(session, case, data)


def _parent(session, case, data):
    return case.org_unit.parent or case.org_unit


def _county(session, case, data):
    return _nearest(session, case.org_unit, ("county",))


def _grid(session, case, data):
    unit = _named_unit(session, data, "unit_code") or _named_unit(session, data, "location_unit_code")
    return unit if unit is not None and unit.kind == "grid" else case.org_unit


@dataclass(frozen=True)
class UnitRule:
    """Where a rule places a task, and the unit kinds it can land on (for the organisation check)."""

    description: str
    kinds: tuple[str, ...]
    resolve: Callable[[Session, Case, dict], OrgUnit]


UNIT_RULES: dict[str, UnitRule] = {
    "case": UnitRule("the case's current unit", UNIT_KINDS, _case),
    "order": UnitRule("the unit the current order went to (unit_code)",
                      ("grid", "village", "town", "county", "department"), _order),
    "dispatcher": UnitRule("the centre that dispatched the current order (dispatcher_unit_code)",
                           CENTRE_KINDS, _dispatcher),
    "centre": UnitRule("the nearest town or county centre at or above the case's unit", CENTRE_KINDS, _centre),
    "parent": UnitRule("the unit above the case's unit", ("village", "town", "county"), _parent),
    "county": UnitRule("the county centre", ("county",), _county),
    "grid": UnitRule("the grid of the dispute's location (unit_code, location_unit_code)", ("grid",), _grid),
}


def properties(task_spec) -> dict:
    """The task spec's ``spiffworkflow:properties``."""
    return (getattr(task_spec, "extensions", None) or {}).get("properties", {})


def unit_rule(task_spec) -> str:
    return properties(task_spec).get(UNIT_PROPERTY) or "case"


def problems(task_spec) -> list[str]:
    """Deploy-time problems of a user task's unit rule, assignee expression and claimable flag."""
    props, found = properties(task_spec), []
    rule = props.get(UNIT_PROPERTY)
    if rule is not None and rule not in UNIT_RULES:
        found.append(f"unknown unit rule {rule!r} (one of: {', '.join(UNIT_RULES)})")
    source = props.get(ASSIGNEE_PROPERTY)
    if source is not None:
        try:
            expressions.check(source, "eval")
        except SyntaxError as err:
            found.append(f"assignee {source!r} does not compile: {err.msg}")
        except expressions.UnsafeExpression as err:
            found.append(f"assignee {source!r} is not allowed: {err}")
    if props.get(CLAIMABLE_PROPERTY) not in (None, "true", "false"):
        found.append(f"claimable must be 'true' or 'false', not {props[CLAIMABLE_PROPERTY]!r}")
    return found


@dataclass(frozen=True)
class Placement:
    """The unit a task lands in, the person it names (if any), and whether colleagues may take it."""

    unit: OrgUnit
    assignee: User | None
    shared: bool


def place(session: Session, case: Case, task) -> Placement:
    """Where a ready task goes, from its diagram's properties and its data."""
    props = properties(task.task_spec)
    unit = UNIT_RULES[props.get(UNIT_PROPERTY) or "case"].resolve(session, case, task.data)
    person = _named(session, props.get(ASSIGNEE_PROPERTY), task.data)
    shared = person is None or props.get(CLAIMABLE_PROPERTY) == "true"
    return Placement(unit, person, shared)


def _named(session: Session, source: str | None, data: dict) -> User | None:
    """The active user the assignee expression names; nobody when it names no one (None, a name not
    yet in the data, an unknown or inactive username)."""
    if not source:
        return None
    try:
        username = expressions.evaluate(source, dict(data), clock.now)
    except NameError:
        return None
    if not isinstance(username, str) or not username:
        return None
    return session.scalar(select(User).where(User.username == username, User.active.is_(True)))


def can_work(session: Session, user: User, role: str, unit: OrgUnit) -> bool:
    """Whether the user holds a role that works a ``role`` task at ``unit`` and sees that unit."""
    if user.role == "admin":
        return True
    return user.role in orgs.roles_working(role, unit) and orgs.can_see_unit(session, user, unit.id)
