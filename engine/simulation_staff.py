"""Simulated staff: who answers a simulated case's tasks, with what, and after how long.

Every ready user task is answered with data its own form accepts (the form's validator checks
it, so a form a designer changed is filled as it now reads). A field is filled, in this order:

1. by the mix's behaviour of the tier the case is at, for the fields that decide the flow: an
   order is accepted (``order_accepted``) with the tier's ``accept`` probability, mediation
   succeeds (``mediation_result`` ``agreed``, ``grid_resolved``) with its ``success`` probability,
   and the applicant withdraws (``mediation_result`` ``withdrawn``) with its ``withdraw`` one;
2. by the mix's ``answers`` (field → weights of its values, e.g. ``handling_mode``, ``rating``);
3. with the value the case's data already holds, as the form shows it filled in (``tier`` on the
   routing form is the one triage proposed);
4. else with the field's first choice, ``true``, its minimum, today's date or a short text; a
   reference (``x-ref``) with a row the engine accepts, a leader drawn at random among them.

A task takes the tier's ``handling_days`` (mean of an exponential) when it is the tier's mediation
work, else the mix's ``task_hours``.
"""

from __future__ import annotations

import json
import random
from datetime import datetime

from sqlalchemy import select

from . import references
from .case_codes import CHINA
from .errors import BadRequest
from .models import Mediator, OrgUnit, User
from .simulation_mix import Mix
from .task_forms import compile_form

# Fields decided by the tier's behaviour: (mix attribute, value when it happens, value otherwise).
BY_TIER = {"order_accepted": ("accept", True, False), "mediation_result": ("success", "agreed", "failed"),
           "grid_resolved": ("success", True, False)}
# Tasks whose time is the tier's mediation work rather than a clerk's few hours.
MEDIATION_WORK = frozenset({"mediate", "grid_handle"})
TEXT = "模拟"


def _choices(node: dict) -> list:
    if "oneOf" in node:
        return [option.get("const") for option in node["oneOf"] if "const" in option]
    return list(node.get("enum") or [])


def _types(node: dict) -> list[str]:
    declared = node.get("type", "string")
    return declared if isinstance(declared, list) else [declared]


def _holds(condition: dict, values: dict) -> bool:
    """A form's ``if`` as the library's forms write it: required keys present and ``const`` values equal."""
    if any(key not in values for key in condition.get("required") or ()):
        return False
    for key, node in (condition.get("properties") or {}).items():
        if key in values and "const" in node and values[key] != node["const"]:
            return False
    return True


class Staff:
    """Answers of one simulated county's staff; references are drawn from the world's database."""

    def __init__(self, mix: Mix, world):
        self.mix, self.world = mix, world
        self._forms: dict[str, object] = {}
        self._allowed: dict[tuple, list] = {}

    # -- time ------------------------------------------------------------------------------
    def hours(self, spec_id: str, tier: str | None, rng: random.Random) -> float:
        behaviour = self.mix.tiers.get(tier or "")
        if spec_id in MEDIATION_WORK and behaviour is not None:
            return rng.expovariate(1 / behaviour.handling_days) * 24
        return rng.expovariate(1 / self.mix.task_hours)

    # -- answers -----------------------------------------------------------------------------
    def answer(self, form: str, data: dict, case, now: datetime, rng: random.Random,
               given: dict | None = None) -> dict:
        """Data for ``form`` that its validator accepts (``given`` values kept); a ``BadRequest`` naming the form otherwise."""
        compiled = self._compiled(form)
        schema = compiled.schema
        ctx = (data, case, now, rng)
        values = dict(given or {})
        for key in schema.get("required") or ():
            if key not in values:
                values[key] = self._value(key, schema["properties"].get(key) or {}, ctx)
        for rule in [schema, *(schema.get("allOf") or ())]:
            if "if" in rule and _holds(rule["if"], values):
                then = rule.get("then") or {}
                narrowed = [k for k in then.get("properties") or {} if k in values]
                for key in dict.fromkeys([*(then.get("required") or ()), *narrowed]):
                    node = {**(schema["properties"].get(key) or {}), **(then.get("properties") or {}).get(key, {})}
                    if key not in (given or {}):
                        values[key] = self._value(key, node, ctx)
        problems = sorted(compiled.validator.iter_errors(values), key=lambda e: list(e.path))
        problems += [p for p in references.problems(self.world.session, compiled.refs, values, case.org_unit)]
        if problems:
            first = problems[0]
            where = ".".join(str(p) for p in getattr(first, "path", ())) or form
            message = getattr(first, "message", str(first))
            raise BadRequest(f"simulated staff cannot fill form {form}: {where}: {message}",
                             fields={"mix": f"{form}: {where}"})
        return values

    def _compiled(self, form: str):
        found = self._forms.get(form)
        if found is None:
            schema = self.world.snapshot.forms.get(form)
            if schema is None:
                raise BadRequest(f"the deployed process names form {form!r}, which is not deployed",
                                 fields={"form": form})
            found = self._forms[form] = compile_form(schema)
        return found

    def _value(self, key: str, node: dict, ctx):
        data, case, now, rng = ctx
        tier = data.get("tier")
        behaviour = self.mix.tiers.get(tier or "")
        if key in BY_TIER and tier and behaviour is None:
            raise BadRequest(f"mix: tiers.{tier}: the tables send cases to tier {tier!r}, the mix has no entry",
                             fields={f"tiers.{tier}": "missing"})
        if key in BY_TIER and behaviour is not None:
            attribute, yes, no = BY_TIER[key]
            draw = rng.random()
            if draw < getattr(behaviour, attribute):
                return yes
            withdrawn = key == "mediation_result" and "withdrawn" in _choices(node)
            return "withdrawn" if withdrawn and draw < behaviour.success + behaviour.withdraw else no
        if key in self.mix.answers:
            values, weights = self.mix.answers[key]
            return self._typed(rng.choices(values, weights)[0], node)
        current = data.get(key)
        if current is not None and "x-ref" not in node and self._fits(current, node):
            return current
        return self._make(key, node, ctx)

    def _make(self, key: str, node: dict, ctx):
        """A value of ``node`` made up: references drawn from the county, lists of their shortest length."""
        data, case, now, rng = ctx
        if "x-ref" in node:
            return self._reference(key, node["x-ref"], data, case, rng)
        kind = _types(node)[0]
        if kind == "array":
            item = node.get("items") or {}
            made = [self._make(key, item, ctx) for _ in range(node.get("minItems", 0))]
            return list(dict.fromkeys(made)) if "x-ref" in item else made
        if kind == "object":
            return {k: self._make(k, v, ctx) for k, v in (node.get("properties") or {}).items()
                    if k in (node.get("required") or ())}
        return self._default(node, now)

    def _typed(self, value, node: dict):
        if "boolean" in _types(node) and isinstance(value, str):
            return value.lower() == "true"
        if "integer" in _types(node) and isinstance(value, str) and value.lstrip("-").isdigit():
            return int(value)
        return value

    def _fits(self, value, node: dict) -> bool:
        choices = _choices(node)
        if choices:
            return value in choices
        if isinstance(value, str) and len(value) < node.get("minLength", 0):
            return False
        kinds = {"string": str, "boolean": bool, "integer": int, "number": (int, float), "array": list,
                 "object": dict, "null": type(None)}
        return any(isinstance(value, kinds.get(t, object)) for t in _types(node))

    def _default(self, node: dict, now: datetime):
        choices = _choices(node)
        if choices:
            return choices[0]
        kind = _types(node)[0]
        if kind == "boolean":
            return True
        if kind in ("integer", "number"):
            return node.get("minimum", 1) if node.get("minimum", 1) > 0 else 1
        if kind == "null":
            return None
        if node.get("format") == "date":
            return now.astimezone(CHINA).date().isoformat()
        return TEXT * max(1, -(-node.get("minLength", 1) // len(TEXT)))

    def _reference(self, key: str, mark: dict, data: dict, case, rng: random.Random):
        allowed = self._allowed_for(mark, case)
        current = data.get(key)
        if current in allowed:
            return current
        if not allowed:
            raise BadRequest(f"simulated staff find no {mark.get('kind')} for {key} in the county",
                             fields={"mix": key})
        if mark.get("kind") == "user":
            return rng.choice(allowed)
        near = [v for v in allowed if isinstance(v, str) and case.org_unit.code.startswith(v)]
        return (near or allowed)[0]

    def _allowed_for(self, mark: dict, case) -> list:
        key = (mark.get("kind"), json.dumps(mark.get("filter") or {}, sort_keys=True))
        if key not in self._allowed:
            session = self.world.session
            kind = mark.get("kind")
            column = {"unit": OrgUnit.code, "mediator": Mediator.id, "user": User.username}.get(kind)
            candidates = list(session.scalars(select(column))) if column is not None else []
            ref = references.Ref(("v",), kind, mark.get("filter") or {}, ("", ""))
            self._allowed[key] = sorted(
                (v for v in candidates if not references.problems(session, [ref], {"v": v}, case.org_unit)), key=str)
        return self._allowed[key]
