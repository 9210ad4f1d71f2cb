"""What-if before publishing rules: synthetic cases through the live decision tables and a draft set.

``what_if`` draws N cases from a mix (``engine.simulation_mix``), plays them once with the
deployed tables and once with the draft files replacing the tables they define, and returns the
figures of both runs side by side (``engine.simulation_report`` prints them). Nothing is written:
the live tables are read from the deployment, the draft files are checked as publishing checks
them (``rule_drafts.parse``) and kept in memory, so the database stays as it was.

The path of a case is decided by the tables, as the diagrams ask them: ``triage`` (severity,
start tier, whether a leader owns the case), ``case_deadline`` (the whole case's deadline),
``deadlines`` (each tier's acceptance hours, dispatch rounds, handling deadline and overdue
limit, asked every round) and ``escalation`` (after each round: ``close``, ``retry``,
``escalate`` to ``next_tier`` or ``litigation``). Simulated staff stand in for the people: per
round an order is dispatched up to ``max_dispatch_rounds`` times until a unit accepts it (each
refusal costs the acceptance hours), then the tier's work takes an exponentially distributed
time and resolves the case or not, with the mix's probabilities for that tier. A discrete-event clock moves from one due moment to the
next; a round still running at the tier's overdue limit is ended by its timer (outcome
``timeout``), like the ``tier_overdue_at`` timer of ``tier_round``. A tier's deadlines are
counted from the case's arrival at the tier and never shrink on escalation (the floors of the
diagrams). What the model leaves out: the return visit, orders to several departments at once and
the county's second triage.

Every random draw comes from a generator seeded with ``seed``, the case number and the round
number, so a run is reproducible and the live and the draft run see the same cases and the same
staff: differences come from the tables alone.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from . import deploy
from .errors import BadRequest
from .simulation_mix import Mix
from .simulation_tables import Tables, check_asked, draft_tables, live_tables
from .stats import GRASSROOTS_TIERS

MAX_ROUNDS = 40  # a case still going after this many rounds counts as stuck (a draft that loops)
ACTIONS = ("close", "retry", "escalate", "litigation")


# -- synthetic cases ---------------------------------------------------------------------------
def synthetic_cases(mix: Mix, count: int, seed: int) -> list[dict]:
    """``count`` cases' opening data (type, parties, amount, risk flags, arrival day), the same for the same seed."""
    made = []
    for n in range(count):
        rng = random.Random(f"{seed}:case:{n}")
        dispute_type = rng.choices(*mix.dispute_types)[0]
        parties = rng.choices(*mix.parties)[0]
        low, high = rng.choices(*mix.amounts)[0]
        flags = [flag for flag, p in mix.risk_flags if rng.random() < p]
        made.append({"dispute_type": dispute_type, "parties": [{"n": i} for i in range(parties)],
                     "amount": round(rng.uniform(low, high)), "risk_flags": flags,
                     "arrival": n / mix.cases_per_day})
    return made


# -- one run -----------------------------------------------------------------------------------
@dataclass
class _Case:
    n: int
    arrival: float
    severity: str = ""
    leader: bool = False
    due: float = 0.0
    tier: str = ""
    tier_due: float = 0.0
    tier_limit: float = 0.0
    rounds_at_tier: int = 0
    rounds: int = 0
    outcome: str = ""


@dataclass
class TierFigures:
    """One tier in one run: cases that reached it, rounds worked, most cases at once, rounds on time, resolved."""

    reached: int = 0
    rounds: int = 0
    peak: int = 0
    on_time: int = 0
    timed_out: int = 0
    resolved: int = 0
    current: int = 0


@dataclass
class RunFigures:
    """The figures of one run over all cases."""

    cases: int = 0
    resolved: int = 0
    grassroots: int = 0
    on_time: int = 0
    litigation: int = 0
    stuck: int = 0
    escalations: int = 0
    timeouts: int = 0
    not_accepted: int = 0
    leader_cases: int = 0
    leader_peak: int = 0
    total_days: float = 0.0
    tiers: dict[str, TierFigures] = field(default_factory=dict)


class _Run:
    """One discrete-event run of the cases through one set of tables."""

    def __init__(self, tables: Tables, mix: Mix, seed: int, progress: Callable[[int], None] | None):
        self.tables, self.mix, self.seed, self.progress = tables, mix, seed, progress
        self.figures = RunFigures()
        self.events: list = []
        self.leaders_now = 0

    def tier(self, name: str) -> TierFigures:
        return self.figures.tiers.setdefault(name, TierFigures())

    def play(self, cases: list[dict]) -> RunFigures:
        for n, opening in enumerate(cases):
            heapq.heappush(self.events, (opening["arrival"], n, "arrive", (n, opening)))
        self.figures.cases = len(cases)
        while self.events:
            now, _, kind, item = heapq.heappop(self.events)
            if kind == "arrive":
                self._arrive(now, item)
            else:
                self._round_ended(now, item)
        return self.figures

    def _schedule(self, at: float, case: _Case) -> None:
        heapq.heappush(self.events, (at, case.n, "round", case))

    def _arrive(self, now: float, item: tuple[int, dict]) -> None:
        n, opening = item
        case = _Case(n=n, arrival=now)
        triage = self.tables.ask("triage", {k: opening[k] for k in ("dispute_type", "amount", "parties", "risk_flags")},
                                 memo=False)
        case.severity, case.leader = triage["severity"], bool(triage.get("leader_required"))
        duration = self.tables.ask("case_deadline", {"severity": case.severity})["case_duration"]
        case.due = now + self.tables.days(duration, "case_deadline")
        if case.leader:
            self.figures.leader_cases += 1
            self.leaders_now += 1
            self.figures.leader_peak = max(self.figures.leader_peak, self.leaders_now)
        self._enter_tier(now, case, triage["start_tier"])
        self._start_round(now, case)

    def _deadlines(self, case: _Case) -> dict:
        return self.tables.ask("deadlines", {"tier": case.tier, "severity": case.severity})

    def _enter_tier(self, now: float, case: _Case, tier: str) -> None:
        if case.tier:
            self.tier(case.tier).current -= 1
        case.tier, case.rounds_at_tier = tier, 0
        figures = self.tier(tier)
        figures.reached += 1
        figures.current += 1
        figures.peak = max(figures.peak, figures.current)
        rows = self._deadlines(case)
        # The floors: a deadline never shrinks when the case moves up.
        case.tier_due = max(case.tier_due, now + self.tables.days(rows["handling_duration"], "deadlines"))
        case.tier_limit = max(case.tier_limit, now + self.tables.days(rows["overdue_limit"], "deadlines"))

    def _behaviour(self, tier: str):
        found = self.mix.tiers.get(tier)
        if found is None:
            raise BadRequest(f"mix: tiers.{tier}: the tables send cases to tier {tier!r}, the mix has no entry",
                             fields={f"tiers.{tier}": "missing"})
        return found

    def _start_round(self, now: float, case: _Case) -> None:
        case.rounds += 1
        case.rounds_at_tier += 1
        self.tier(case.tier).rounds += 1
        staff = self._behaviour(case.tier)
        rng = random.Random(f"{self.seed}:round:{case.n}:{case.rounds}")
        took, success = rng.expovariate(1 / staff.handling_days), rng.random()
        refused = self._dispatch(case, staff.accept)
        if refused is None:
            self.figures.not_accepted += 1
            self._schedule(now + self._dispatch_days(case, None), case)
            return
        finish = now + self._dispatch_days(case, refused) + took
        if finish > case.tier_limit:  # the overdue timer fires first
            case.outcome = "timeout"
            self.figures.timeouts += 1
            self.tier(case.tier).timed_out += 1
            self._schedule(max(now, case.tier_limit), case)
            return
        if finish <= case.tier_due:
            self.tier(case.tier).on_time += 1
        case.outcome = "resolved" if success < staff.success else "failed"
        self._schedule(finish, case)

    def _dispatch(self, case: _Case, accept: float) -> int | None:
        """How many dispatches were returned or not taken before one was accepted; None: none was, within
        the table's ``max_dispatch_rounds`` (the order ends ``not_accepted``)."""
        attempts = max(1, int(self._deadlines(case)["max_dispatch_rounds"]))
        for attempt in range(attempts):
            if random.Random(f"{self.seed}:accept:{case.n}:{case.rounds}:{attempt}").random() < accept:
                return attempt
        case.outcome = "not_accepted"
        return None

    def _dispatch_days(self, case: _Case, refused: int | None) -> float:
        """Days spent on dispatches nobody took: each waits the table's acceptance hours."""
        rows = self._deadlines(case)
        count = max(1, int(rows["max_dispatch_rounds"])) if refused is None else refused
        return count * float(rows["acceptance_hours"]) / 24

    def _round_ended(self, now: float, case: _Case) -> None:
        answer = self.tables.ask("escalation", {"tier": case.tier, "order_outcome": case.outcome,
                                                "rounds_at_tier": case.rounds_at_tier})
        action = answer.get("next_action")
        if action not in ACTIONS:
            raise BadRequest(f"table escalation: next action {action!r} is not one of {', '.join(ACTIONS)}",
                             fields={"from": "escalation"})
        if case.rounds >= MAX_ROUNDS and action in ("retry", "escalate"):
            self._end(now, case, "stuck")
        elif action == "retry":
            self._start_round(now, case)
        elif action == "escalate":
            self.figures.escalations += 1
            self._enter_tier(now, case, answer["next_tier"])
            self._start_round(now, case)
        else:
            self._end(now, case, "resolved" if action == "close" else "litigation")

    def _end(self, now: float, case: _Case, how: str) -> None:
        figures = self.figures
        self.tier(case.tier).current -= 1
        if case.leader:
            self.leaders_now -= 1
        figures.total_days += now - case.arrival
        if how == "resolved":
            figures.resolved += 1
            self.tier(case.tier).resolved += 1
            figures.grassroots += case.tier in GRASSROOTS_TIERS
            figures.on_time += now <= case.due
        elif how == "litigation":
            figures.litigation += 1
        else:
            figures.stuck += 1
        if self.progress is not None:
            self.progress(1)


def run(engines: dict, mix: Mix, cases: list[dict], seed: int,
        progress: Callable[[int], None] | None = None) -> RunFigures:
    """Play ``cases`` through one set of tables; ``progress(1)`` after each case ends."""
    return _Run(Tables(engines), mix, seed, progress).play(cases)


@dataclass
class Comparison:
    """A what-if's answer: the figures with the live tables and with the draft, and what the draft replaced."""

    live: RunFigures
    draft: RunFigures
    replaced: list[str]
    seed: int
    tier_order: list[str]


def what_if(session: Session, files: list[deploy.SourceFile], mix: Mix, *, cases: int, seed: int = 0,
            progress: Callable[[int], None] | None = None) -> Comparison:
    """Simulate ``cases`` synthetic cases with the live tables and with the draft ``files``; nothing is written.

    The entry point for ``mediate simulate`` and for a page: ``files`` are the draft DMN files
    (as uploaded or read from a directory), ``progress(n)`` is told of every finished case
    (``2 × cases`` in all: the live run, then the draft run).
    """
    if not 1 <= cases <= 1_000_000:
        raise BadRequest("cases must be between 1 and 1000000", fields={"cases": "between 1 and 1000000"})
    live = live_tables(session)
    draft, replaced = draft_tables(live, files)
    check_asked(session, draft)
    opened = synthetic_cases(mix, cases, seed)
    live_run = run(live, mix, opened, seed, progress)
    draft_run = run(draft, mix, opened, seed, progress)
    seen = [*mix.tiers, *live_run.tiers, *draft_run.tiers]
    return Comparison(live_run, draft_run, replaced, seed, list(dict.fromkeys(seen)))
