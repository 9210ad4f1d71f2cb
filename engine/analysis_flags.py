"""研判: which dispute types the ``analysis_flags`` decision table flags, and why.

The thresholds live in ``processes/analysis_flags.dmn`` (hit policy COLLECT), which administrators
change in the rules editor; the deployed table answers, the file in the processes folder only
when none is deployed yet.
"""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy.orm import Session

from . import decisions, stats
from .config import ROOT
from .rule_drafts import ValueTable

TABLE = "analysis_flags"  # the decision; its table is "table_analysis_flags"
TABLE_ID = f"table_{TABLE}"
FILE = ROOT / "processes" / f"{TABLE}.dmn"
REASONS = ("frequent", "rising", "badly_handled", "wide_impact")


def table(session: Session) -> ValueTable:
    """The flag table as deployed now (or as shipped, before the first deployment)."""
    engine = decisions.current_tables(session).get(TABLE_ID)
    if engine is None:
        shipped = SimpleNamespace(name=FILE.name, content=FILE.read_text(encoding="utf-8"), deployment_id=None)
        engine = decisions.parse_files([shipped])[TABLE_ID]
    return ValueTable(engine)


def inputs(counts: dict, previous_received: int) -> dict:
    """The table's inputs for one unit and type: counts, the rates as ``engine.stats`` defines them."""
    figures = stats.figures(counts)
    received = figures["received"]
    rise = stats.percent(received - previous_received, previous_received)
    return {"received": received, "previous_received": previous_received, "rise_percent": rise,
            "resolution_rate": figures["resolution_rate"], "satisfaction_rate": figures["satisfaction_rate"],
            "major_cases": int(counts.get("major_cases") or 0), "repeat_petitions": figures["repeat_petitions"]}


def flag(rules: ValueTable, values: dict) -> tuple[list[str], int | None]:
    """(reasons in the order of ``REASONS``, the fewest days any matching row gives) — ([], None): not flagged."""
    answer = rules.answer(values)
    if "error" in answer:
        raise ValueError(f"decision table {TABLE}: {answer['error']}")
    outcome = answer["outcome"]
    found = set(outcome.get("reason") or [])
    reasons = [r for r in REASONS if r in found] + sorted(found - set(REASONS))
    days = [int(d) for d in outcome.get("due_days") or [] if d is not None]
    return reasons, (min(days) if days else None)
