"""What-if from the decision-table editor: the draft of one table played with synthetic cases.

``/admin/rules/<decision_id>`` posts the draft it shows; ``simulate`` checks it as the editor's
other panels do (administrators only, the live table's decision and id, the
sandbox on every cell), then runs ``engine.simulation.what_if`` with that draft in place of the
live table and the default mix, and returns the figures side by side
(``engine.simulation_report.split_rows``). A bad number, a refused draft or a draft failing on the
simulated cases is a ``FormInvalid`` naming the field (``cases``, ``seed``, ``xml``): the page answers
it with a 422 in the panel that asked.
Every case runs through the deployed diagrams, so the number of cases is bounded to keep one request
within about half a minute (``bench/run.py --only 7`` times the bound); ``mediate simulate`` plays more.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy.orm import Session

from . import deploy, rule_drafts, rules, simulation, simulation_mix, simulation_report, simulation_tables
from .errors import BadRequest, FormInvalid
from .models import User

DEFAULT_CASES = 60
MAX_CASES = 300
WORKERS = min(2, os.cpu_count() or 1)
MAX_SEED = 2**31 - 1


@dataclass
class Result:
    """A what-if of one draft table: the figures of both runs and the rows to show."""

    comparison: simulation.Comparison
    rows: list[tuple[str | None, str, str, str]]  # (tier or None, figure, live, draft)
    changed: int  # how many figures the draft changes


def played(session: Session, decision_id: str) -> bool:
    """Whether the deployed diagrams ask this table, i.e. whether a draft of it can change the figures."""
    source = simulation_tables.live_sources(session).get(decision_id)
    if source is None:
        return False
    return rule_drafts.parse(decision_id, source).table.id in simulation_tables.diagram_tables(session)


def default_mix() -> simulation_mix.Mix:
    """The mix the page simulates with (``engine/simulation_mix.json``)."""
    return simulation_mix.load()


def _whole(text: str | None, field: str, low: int, high: int, default: int) -> int:
    text = (text or "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise FormInvalid(f"{field}: enter a whole number", fields={field: "enter a whole number"}) from None
    if not low <= value <= high:
        message = f"between {low} and {high}"
        raise FormInvalid(f"{field}: {message}", fields={field: message})
    return value


def simulate(session: Session, user: User, decision_id: str, xml: bytes, cases: str | None,
             seed: str | None) -> Result:
    """Play ``cases`` synthetic cases (default 60) with the live tables and with the draft of this one."""
    rules.require_admin(user)
    count = _whole(cases, "cases", 1, MAX_CASES, DEFAULT_CASES)
    chosen = _whole(seed, "seed", 0, MAX_SEED, 0)
    current = rules.live(session, user, decision_id)
    rule_drafts.parse(decision_id, xml, current.draft.table.id)  # FormInvalid: the problems by rule and column
    if not played(session, decision_id):
        message = f"the deployed diagrams do not ask table {decision_id!r}: a draft of it changes nothing"
        raise FormInvalid(message, fields={"decision_id": message})
    files = [deploy.SourceFile(current.file.name, xml)]
    try:
        comparison = simulation.what_if(session, files, default_mix(), cases=count, seed=chosen, workers=WORKERS)
    except BadRequest as err:  # the draft fails on a simulated case, or leads nowhere the mix knows
        raise FormInvalid(err.message, fields={"xml": err.message}) from None
    found = simulation_report.split_rows(comparison)
    return Result(comparison, found, sum(live != draft for _, _, live, draft in found))
