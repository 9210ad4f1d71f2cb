"""A what-if's figures as rows, live beside draft: for the ``mediate simulate`` table and a page."""

from __future__ import annotations

from .simulation import Comparison, RunFigures
from .stats import percent


def _rate(numerator: int, denominator: int) -> str:
    value = percent(numerator, denominator)
    return "–" if value is None else f"{value:.2f}%"


def _overall(run: RunFigures) -> list[tuple[str, str]]:
    ended = sum(n for outcome, n in run.outcomes.items() if outcome != "(open)")
    return [
        ("cases", str(run.cases)),
        ("resolved", str(run.resolved)),
        ("resolution rate", _rate(run.resolved, run.cases)),
        ("on-time rate (resolved by the case deadline)", _rate(run.on_time, run.resolved)),
        ("grassroots share (resolved at grid or village)", _rate(run.grassroots, run.resolved)),
        ("litigation", str(run.litigation)),
        ("not accepted at assessment", str(run.outcomes.get("not_accepted", 0))),
        ("withdrawn by the applicant", str(run.outcomes.get("withdrawn", 0))),
        ("stuck (step limit reached)", str(run.stuck)),
        ("incidents (a step failed)", str(run.incidents)),
        ("escalations", str(run.escalations)),
        ("timeouts (tier overdue timer fired)", str(run.timeouts)),
        ("orders returned or not accepted in time", str(run.not_accepted)),
        ("leader workload: cases owned by leaders", str(run.leader_cases)),
        ("leader workload: most open at once", str(run.leader_peak)),
        ("leader workload: most cases of one leader", str(run.leader_most)),
        ("average days to end", f"{run.total_days / ended:.1f}" if ended else "–"),
    ]


def _tier(run: RunFigures, name: str) -> list[tuple[str, str]]:
    t = run.tiers.get(name)
    if t is None:
        return [(f"{name}: {label}", "0") for label in ("load (cases reached)", "rounds", "most at once",
                                                         "resolved")] + [(f"{name}: rounds on time", "–")]
    return [(f"{name}: load (cases reached)", str(t.reached)), (f"{name}: rounds", str(t.rounds)),
            (f"{name}: most at once", str(t.peak)), (f"{name}: resolved", str(t.resolved)),
            (f"{name}: rounds on time", _rate(t.on_time, t.rounds))]


def rows(comparison: Comparison) -> list[tuple[str, str, str]]:
    """``(figure, live, draft)`` for every figure, overall first, then tier by tier."""
    live = _overall(comparison.live)
    draft = _overall(comparison.draft)
    for tier in comparison.tier_order:
        live += _tier(comparison.live, tier)
        draft += _tier(comparison.draft, tier)
    return [(label, a, b) for (label, a), (_, b) in zip(live, draft, strict=True)]


def table(comparison: Comparison) -> str:
    """The rows as a plain-text table with a mark beside each figure the draft changes."""
    found = rows(comparison)
    header = ("figure", "live", "draft")
    widths = [max(len(r[i]) for r in [header, *found]) for i in range(3)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(header, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    for row in found:
        mark = "  *" if row[1] != row[2] else ""
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() + mark)
    replaced = ", ".join(comparison.replaced)
    lines.append(f"draft tables: {replaced}; seed {comparison.seed}; * = changed by the draft")
    for name, run in (("live", comparison.live), ("draft", comparison.draft)):
        for failure, count in sorted(run.failures.items(), key=lambda f: -f[1])[:3]:
            lines.append(f"{name}: {count} case(s) failed at {failure}")
    return "\n".join(lines)


def split_rows(comparison: Comparison) -> list[tuple[str | None, str, str, str]]:
    """``rows`` with each label split into its tier (None for the overall figures) and the figure, for a page
    that translates them."""
    tiers = set(comparison.tier_order)
    found = []
    for label, live, draft in rows(comparison):
        tier, sep, figure = label.partition(": ")
        found.append((tier, figure, live, draft) if sep and tier in tiers else (None, label, live, draft))
    return found
