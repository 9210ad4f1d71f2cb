"""Regenerate processes/*.bpmn and *.dmn from the definitions in this folder.

Run ``python -m processes.tools.build`` from the repository root. Only do so to start
over: once a designer has edited a diagram in the modeler, the .bpmn file is the source
of truth and regenerating would overwrite the edits (``--force`` is required).
"""

from __future__ import annotations

import sys
from pathlib import Path

from . import define_case, define_orders, define_rules, define_tiers

OUT = Path(__file__).resolve().parent.parent

PROCESSES = [
    define_case.dispute_case, define_case.resolution_round, define_tiers.tier_round, define_tiers.leader_ownership,
    define_tiers.return_visit_round, define_orders.five_orders, define_orders.dispatch_round,
    define_orders.handling_round, define_orders.mediation,
]
TABLES = [define_rules.triage, define_rules.deadlines, define_rules.case_deadline, define_rules.escalation,
          define_rules.subsidy, define_rules.follow_up, define_rules.analysis_flags, define_rules.risk_rules]


def main(argv: list[str]) -> int:
    """Write every diagram and table; refuse to overwrite without --force."""
    outputs = {f"{p().pid}.bpmn": p for p in PROCESSES} | {f"{t().id}.dmn": t for t in TABLES}
    existing = [name for name in outputs if (OUT / name).exists()]
    if existing and "--force" not in argv:
        print(f"refusing to overwrite {', '.join(existing)} (pass --force)", file=sys.stderr)
        return 1
    for name, make in outputs.items():
        (OUT / name).write_text(make().to_xml(), encoding="utf-8")
        print(f"wrote processes/{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
