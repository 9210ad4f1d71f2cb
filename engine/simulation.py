"""What-if before publishing rules: synthetic cases through the deployed diagrams, live tables beside a draft.

``what_if`` draws N cases from a mix (``engine.simulation_mix``) and plays each of them twice
through the newest deployed startable diagram, once with the deployed decision tables and once
with the draft files in place of the tables they define, and returns the figures of both runs
side by side (``engine.simulation_report`` prints them). A case runs in SpiffWorkflow as the
engine runs it, with the engine's service handlers, on a simulated clock
(``engine.simulation_flow``), in a private copy of the county (``engine.simulation_world``);
simulated staff answer its forms (``engine.simulation_staff``). Nothing is written to the live
database.

Every random draw comes from a generator seeded with ``seed`` and the case number, so a run is
reproducible and the live and the draft run see the same cases and the same staff: differences
come from the tables alone. Cases are split into chunks played by ``workers`` processes; each
worker has its own copy of the county, so mediators' loads are counted per worker.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from multiprocessing import get_context

from sqlalchemy.orm import Session

from . import deploy, simulation_tables
from .errors import BadRequest
from .outcomes import RESOLVED
from .simulation_flow import START, CaseFlow, CaseResult, private_specs
from .simulation_mix import Mix
from .simulation_staff import Staff
from .simulation_world import Snapshot, World, snapshot
from .stats import GRASSROOTS_TIERS

CHUNK = 50  # cases a worker plays before reporting progress


# -- synthetic cases ---------------------------------------------------------------------------
def synthetic_cases(mix: Mix, count: int, seed: int) -> list[dict]:
    """``count`` cases' registration data (type, parties, amount, risk flags) and arrival day, the same for the same seed."""
    made = []
    for n in range(count):
        rng = random.Random(f"{seed}:case:{n}")
        dispute_type = rng.choices(*mix.dispute_types)[0]
        parties = rng.choices(*mix.parties)[0]
        low, high = rng.choices(*mix.amounts)[0]
        flags = [flag for flag, p in mix.risk_flags if rng.random() < p]
        people = [{"name": f"当事人{i + 1}", "role": "申请人" if i == 0 else "被申请人",
                   "phone": f"139{n % 10_000:04d}{i:04d}"} for i in range(parties)]
        made.append({"dispute_type": dispute_type, "parties": people, "amount": round(rng.uniform(low, high)),
                     "risk_flags": flags, "summary": f"模拟案件：{dispute_type}", "arrival": n / mix.cases_per_day})
    return made


# -- figures -----------------------------------------------------------------------------------
@dataclass
class TierFigures:
    """One tier in one run: cases that reached it, rounds worked, most cases at once, rounds on time, resolved."""

    reached: int = 0
    rounds: int = 0
    peak: int = 0
    on_time: int = 0
    timed_out: int = 0
    resolved: int = 0


@dataclass
class RunFigures:
    """The figures of one run over all cases."""

    cases: int = 0
    resolved: int = 0
    grassroots: int = 0
    on_time: int = 0
    litigation: int = 0
    stuck: int = 0
    incidents: int = 0
    escalations: int = 0
    timeouts: int = 0
    not_accepted: int = 0
    leader_cases: int = 0
    leader_peak: int = 0
    leader_most: int = 0
    total_days: float = 0.0
    tiers: dict[str, TierFigures] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)


def _peak(intervals: Iterable[tuple]) -> int:
    """Most intervals open at one moment (an interval ending as another starts does not overlap it)."""
    edges = sorted(edge for start, end in intervals for edge in ((start, 1), (end, -1)))
    most = current = 0
    for _, step in edges:
        current += step
        most = max(most, current)
    return most


def figures(results: list[CaseResult]) -> RunFigures:
    """Sum up what the cases went through."""
    run = RunFigures(cases=len(results))
    ends = {r.n: r.ended or r.arrived for r in results}
    leaders = [r for r in results if r.leader]
    run.leader_cases = len(leaders)
    run.leader_peak = _peak((r.leader_from, ends[r.n]) for r in leaders)
    run.leader_most = max(Counter(r.leader for r in leaders).values(), default=0)
    spans: dict[str, list] = {}
    for r in results:
        run.outcomes[r.outcome or "(open)"] = run.outcomes.get(r.outcome or "(open)", 0) + 1
        run.stuck += r.stuck
        run.incidents += r.failed is not None
        if r.failed is not None:
            run.failures[r.failed] = run.failures.get(r.failed, 0) + 1
        run.not_accepted += r.refused
        if r.ended is not None:
            run.total_days += (r.ended - r.arrived).total_seconds() / 86400
        if r.outcome in RESOLVED:
            run.resolved += 1
            run.grassroots += r.tier in GRASSROOTS_TIERS
            run.on_time += r.on_time
            if r.tier:
                run.tiers.setdefault(r.tier, TierFigures()).resolved += 1
        run.litigation += r.outcome == "litigation"
        reached = set()
        for round_ in r.rounds:
            tier = run.tiers.setdefault(round_.tier, TierFigures())
            tier.rounds += 1
            tier.on_time += round_.on_time
            tier.timed_out += round_.outcome == "timeout"
            run.timeouts += round_.outcome == "timeout"
            run.escalations += round_.action == "escalate"
            reached.add(round_.tier)
            spans.setdefault(round_.tier, []).append((round_.started, round_.ended or ends[r.n]))
        for name in reached:
            run.tiers[name].reached += 1
    for name, found in spans.items():
        run.tiers[name].peak = _peak(found)
    return run


# -- running -----------------------------------------------------------------------------------
_WORKER: dict = {}  # what a worker process plays its chunks with (set by ``_init_worker``)


def _prepare(snap: Snapshot, sources: dict, mix: Mix) -> dict:
    """What one process plays cases with: its county, the specs bound to the run's tables, the staff."""
    world = World(snap)
    return {"world": world, "specs": private_specs(snap.spec_json, simulation_tables.engines(sources)),
            "staff": Staff(mix, world)}


@contextmanager
def _library_quiet():
    """SpiffWorkflow logs every task's state change: a sixth of the time of a simulated case."""
    library_log = logging.getLogger("spiff")
    level = library_log.level
    library_log.setLevel(max(library_log.getEffectiveLevel(), logging.WARNING))
    try:
        yield
    finally:
        library_log.setLevel(level)


def _init_worker(snap: Snapshot, sources: dict, mix: Mix) -> None:
    logging.getLogger("spiff").setLevel(logging.WARNING)
    _WORKER.update(_prepare(snap, sources, mix))


def _play(cases: list[tuple[int, dict]], seed: int, state: dict | None = None) -> list[CaseResult]:
    state = state or _WORKER
    world, specs, staff = state["world"], state["specs"], state["staff"]
    played = []
    for n, opening in cases:
        rng = random.Random(f"{seed}:place:{n}")
        given = {k: v for k, v in opening.items() if k != "arrival"} | {"location_unit_code": rng.choice(world.grids)}
        played.append(CaseFlow(world, specs, staff, n, START + timedelta(days=opening["arrival"]), given, seed).play())
    world.session.commit()  # the orders and assignments stay: mediators' loads carry on to the next chunk
    return played


def run(snap: Snapshot, sources: dict, mix: Mix, cases: list[dict], seed: int, *, workers: int = 1,
        progress: Callable[[int], None] | None = None) -> RunFigures:
    """Play ``cases`` through the diagrams with the tables of ``sources``; ``progress(n)`` as cases end."""
    numbered = list(enumerate(cases))
    chunks = [numbered[i:i + CHUNK] for i in range(0, len(numbered), CHUNK)]
    results: list[CaseResult] = []
    if workers <= 1:
        with _library_quiet():
            state = _prepare(snap, sources, mix)
            try:
                for chunk in chunks:
                    results += _play(chunk, seed, state)
                    if progress is not None:
                        progress(len(chunk))
            finally:
                state["world"].close()
        return figures(results)
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=_init_worker,
                             initargs=(snap, sources, mix)) as pool:
        futures = {pool.submit(_play, chunk, seed): len(chunk) for chunk in chunks}
        for future in as_completed(futures):
            results += future.result()
            if progress is not None:
                progress(futures[future])
    return figures(sorted(results, key=lambda r: r.n))


@dataclass
class Comparison:
    """A what-if's answer: the figures with the live tables and with the draft, and what the draft replaced."""

    live: RunFigures
    draft: RunFigures
    replaced: list[str]
    seed: int
    tier_order: list[str]


TIER_ORDER = ("grid", "village", "town", "county")


def what_if(session: Session, files: list[deploy.SourceFile], mix: Mix, *, cases: int, seed: int = 0,
            workers: int = 1, county: str | None = None,
            progress: Callable[[int], None] | None = None) -> Comparison:
    """Simulate ``cases`` synthetic cases with the live tables and with the draft ``files``; nothing is written.

    The entry point for ``mediate simulate`` and for a page: ``files`` are the draft DMN files
    (as uploaded or read from a directory), ``progress(n)`` is told of finished cases
    (``2 × cases`` in all: the live run, then the draft run).
    """
    if not 1 <= cases <= 1_000_000:
        raise BadRequest("cases must be between 1 and 1000000", fields={"cases": "between 1 and 1000000"})
    live = simulation_tables.live_sources(session)
    draft, replaced = simulation_tables.draft_sources(live, files)
    snap = snapshot(session, county)
    simulation_tables.check_asked(session, draft, replaced)
    opened = synthetic_cases(mix, cases, seed)
    live_run = run(snap, live, mix, opened, seed, workers=workers, progress=progress)
    draft_run = run(snap, draft, mix, opened, seed, workers=workers, progress=progress)
    seen = [*TIER_ORDER, *mix.tiers, *live_run.tiers, *draft_run.tiers]
    return Comparison(live_run, draft_run, replaced, seed, list(dict.fromkeys(seen)))
