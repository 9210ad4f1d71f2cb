"""Mediate benchmark: ``.venv/bin/python bench/run.py [--postgres-url URL] [--quick]``.

1. plain SpiffWorkflow: ms per user-task completion (deserialize → complete → serialize);
2. ``engine/``: ms per ``engine.tasks.complete`` + commit on SQLite and PostgreSQL, and the ratio to 1;
3. HTTP: completions per second and p99 latency through gunicorn on PostgreSQL;
4. inbox: p50/p99 of ``engine.tasks.inbox`` with 100,000 open cases, and of the ``/inbox`` page;
5. timer sweep cost with 10x the waiting timers;
6. statistics (opt-in, ``--only 6``): p50/p99 of one county-year summary among 1,000,000 cases in PostgreSQL;
7. what-if (opt-in, ``--only 7``): ``mediate simulate`` over 10,000 synthetic cases, live and draft tables,
   and the rule editor's what-if panel at its bound (``engine.rule_simulation.MAX_CASES``).

Every database is created fresh (a temporary SQLite file; the PostgreSQL database named in the URL
is dropped and recreated), so never point ``--postgres-url`` at a database you want to keep.
"""

from __future__ import annotations

import argparse
import os
import queue
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.extensions import db  # noqa: E402
from bench import bench_sweep, http_load, inbox_load, simulate_load, stats_load, workflow  # noqa: E402
from bench import fixtures as fx  # noqa: E402
from engine import rule_simulation  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/mediate_bench"
SIZES = {
    "full": {"raw_cases": 300, "engine_cases": 150, "http_cases": 1700, "http_warmup": 400,
             "http_budget": 6000, "inbox_cases": 100_000, "inbox_repeats": 60,
             "sweep_due": 1000, "sweep_small": 10_000, "sweep_large": 100_000,
             "stats_cases": 1_000_000, "stats_repeats": 100, "simulate_cases": 10_000},
    "quick": {"raw_cases": 20, "engine_cases": 15, "http_cases": 120, "http_warmup": 40,
              "http_budget": 400, "inbox_cases": 5_000, "inbox_repeats": 10,
              "sweep_due": 100, "sweep_small": 1_000, "sweep_large": 10_000,
             "stats_cases": 50_000, "stats_repeats": 20, "simulate_cases": 1_000},
}
TARGET_RATIO, TARGET_RATE, TARGET_HTTP_P99, TARGET_INBOX_P99 = 2.0, 300.0, 50.0, 20.0
TARGET_PAGE_P99 = 100.0  # server time of the /inbox and /tasks/<id> pages (issue 10)
TARGET_SWEEP_RATIO = 1.2
TARGET_STATS_MS = 200.0  # one county-year summary among 1,000,000 cases (issue 12)
TARGET_SIMULATE_S = 300.0  # mediate simulate --cases 10000 on 2 cores (issue 12)
TARGET_PANEL_S = 60.0  # one request of the rule editor's what-if panel at its largest: within a minute


class Summary:
    """Rows of the final table: figure, measured value, target, verdict."""

    def __init__(self):
        self.rows: list[tuple[str, str, str, str]] = []

    def add(self, figure: str, value: str, target: str = "", ok: bool | None = None) -> None:
        verdict = "" if ok is None else ("PASS" if ok else "MISS")
        self.rows.append((figure, value, target, verdict))

    def skip(self, figure: str, target: str, reason: str) -> None:
        self.rows.append((figure, f"skipped: {reason}"[:60], target, "SKIP"))

    def print(self) -> None:
        widths = [max(len(r[i]) for r in [("figure", "measured", "target", "")] + self.rows) for i in range(4)]
        line = "  ".join(f"{{:<{w}}}" for w in widths)
        say("\n== Summary ==")
        say(line.format("figure", "measured", "target", ""))
        say(line.format(*("-" * w for w in widths)))
        for row in self.rows:
            say(line.format(*row))


def say(message: str = "") -> None:
    print(message, flush=True)


def part_raw(size: dict, summary: Summary) -> float:
    say("\n== 1. Plain SpiffWorkflow: deserialize → complete → serialize ==")
    raw = workflow.raw_spiff(size["raw_cases"])
    say(f"  {fx.describe(raw['timings'])}; state {raw['state_bytes']} bytes at the end of a case")
    summary.add("1. raw SpiffWorkflow, ms/completion (mean)", f"{raw['mean']:.2f}")
    return raw["mean"]


def part_engine(size: dict, summary: Summary, raw_mean: float, pg_url: str | None, pg_skip: str | None) -> None:
    say("\n== 2. engine.tasks.complete + commit (fresh session per completion) ==")
    for kind in ("sqlite", "postgres"):
        label = f"2. engine on {kind}, ms/completion (ratio to 1)"
        if kind == "postgres" and pg_skip:
            summary.skip(label, f"ratio <= {TARGET_RATIO}", pg_skip)
            continue
        with fx.fresh_database(kind, pg_url) as _:
            org = fx.build_org(db.session)
            fx.deploy_bench(db.session)
            result = workflow.engine_completions(org, size["engine_cases"])
        ratio = result["mean"] / raw_mean
        say(f"  {kind:8s} {fx.describe(result['timings'])}; {result['statements']:.1f} SQL statements "
            f"per completion; ratio to raw {ratio:.1f}")
        summary.add(label, f"{result['mean']:.2f} ms ({ratio:.1f}x)", f"ratio <= {TARGET_RATIO}",
                    ratio <= TARGET_RATIO)


def _http_setup(size: dict, pg_url: str):
    """Org, deployment and open cases in the benchmark database; returns the org and the first tasks."""
    org = fx.build_org(db.session)
    fx.deploy_bench(db.session)
    start = time.perf_counter()
    case_ids = workflow.open_cases(db.session, org, size["http_cases"])
    say(f"  opened {len(case_ids)} cases in {time.perf_counter() - start:.1f} s (in-process, engine.cases.open_case)")
    work = queue.Queue()
    codes = {u.id: u.code for u in org.all_units()}
    for task_id, spec_id, unit_id in db.session.execute(
            workflow.ready_tasks_query().order_by("case_id")):
        work.put((task_id, spec_id, codes[unit_id]))
    db.session.remove()
    return org, work


def part_http(size: dict, summary: Summary, pg_url: str | None, pg_skip: str | None, args) -> None:
    say(f"\n== 3. HTTP: gunicorn -w {args.workers} -k gthread --threads {args.threads}, "
        f"{args.clients} keep-alive clients, PostgreSQL ==")
    if pg_skip:
        summary.skip("3. HTTP completions/s", f">= {TARGET_RATE:.0f}/s", pg_skip)
        summary.skip("3. HTTP p99 latency", f"<= {TARGET_HTTP_P99:.0f} ms", pg_skip)
        return
    with fx.fresh_database("postgres", pg_url) as (url, _app):
        org, work = _http_setup(size, url)
        towns, roles = {u.code for u in org.units["town"]}, set(fx.TASK_ROLES.values())
        users = {key: people[0].username for key, people in org.users.items() if key[0] in towns and key[1] in roles}
        log = Path(tempfile.gettempdir()) / "mediate-bench-gunicorn.log"
        with http_load.gunicorn(url, args.workers, args.threads, log) as (port, master):
            issued = http_load.tokens(port, sorted(set(users.values())))
            auth = {key: issued[name] for key, name in users.items()}
            warm = http_load.Load(port, work, auth, size["http_warmup"]).run(args.clients)
            say(f"  warm-up: {len(warm.latencies_ms)} completions at {warm.rate:.0f}/s")
            servers, pgs = [master] + http_load.children(master), http_load.postgres_backends(url)
            cpu_before = (http_load.cpu_seconds(servers), http_load.cpu_seconds(pgs), http_load.machine_busy_seconds())
            result = http_load.Load(port, work, auth, size["http_budget"]).run(args.clients)
            cpu_after = (http_load.cpu_seconds(servers), http_load.cpu_seconds(pgs), http_load.machine_busy_seconds())
        _report_http(result, cpu_before, cpu_after, log, summary)


def _report_http(result, cpu_before, cpu_after, log: Path, summary: Summary) -> None:
    wall, done = result.wall_s, max(1, len(result.latencies_ms))
    p99 = fx.percentile(result.latencies_ms, 99) if result.latencies_ms else float("nan")
    say(f"  {len(result.latencies_ms)} completions in {wall:.1f} s = {result.rate:.0f}/s; latency "
        f"{fx.describe(result.latencies_ms) if result.latencies_ms else 'n/a'}; errors {result.errors or 'none'}")
    cores = os.cpu_count() or 1
    server, pg, machine = (after - before for after, before in zip(cpu_after, cpu_before, strict=True))
    others = max(0.0, machine - server - pg - result.client_cpu_s)
    say(f"  CPU during the run, % of one core ({cores} cores = {cores * 100}%): gunicorn {server / wall * 100:.0f}%, "
        f"PostgreSQL backends {pg / wall * 100:.0f}%, this load generator {result.client_cpu_s / wall * 100:.0f}%, "
        f"everything else on the machine {others / wall * 100:.0f}%")
    per = (server + pg + result.client_cpu_s) / done * 1000
    say(f"  CPU per completion: gunicorn {server / done * 1000:.1f} ms, PostgreSQL {pg / done * 1000:.1f} ms, "
        f"load generator {result.client_cpu_s / done * 1000:.1f} ms; total {per:.1f} ms, so {cores} idle cores "
        f"could do about {cores * 1000 / per:.0f}/s; server log: {log}")
    summary.add("3. HTTP completions/s", f"{result.rate:.0f}/s", f">= {TARGET_RATE:.0f}/s",
                result.rate >= TARGET_RATE and not result.errors)
    summary.add("3. HTTP p99 latency", f"{p99:.1f} ms", f"<= {TARGET_HTTP_P99:.0f} ms", p99 <= TARGET_HTTP_P99)
    summary.add("3. HTTP CPU ms/completion (capacity on idle cores)", f"{per:.1f} ms (~{cores * 1000 / per:.0f}/s)")


def part_inbox(size: dict, summary: Summary, kind: str, pg_url: str | None) -> None:
    n = size["inbox_cases"]
    say(f"\n== 4. inbox on {kind}: {n:,} open cases ==")
    with fx.fresh_database(kind, pg_url) as (_, app):
        org = fx.build_org(db.session)
        fx.deploy_bench(db.session)
        made = inbox_load.bulk_insert(org, n)
        say(f"  inserted {made['cases']:,} cases and {made['tasks']:,} task rows over "
            f"{len(org.all_units())} units in {made['seconds']:.1f} s (then (VACUUM) ANALYZE)")
        timings = inbox_load.time_inbox(org, size["inbox_repeats"])
        pages = inbox_load.time_inbox_page(app, org, size["inbox_repeats"])
        task_pages = inbox_load.time_task_page(app, org, size["inbox_repeats"] * 4)
    say(f"  {'level':8s} {'scope':10s} {'rows':>5s} {'p50 ms':>8s} {'p99 ms':>8s}")
    every = []
    for (level, scope, *rest), values in timings.items():
        if rest:
            continue
        every += values
        say(f"  {level:8s} {scope:10s} {timings[(level, scope, 'rows')]:5.0f} "
            f"{fx.percentile(values, 50):8.2f} {fx.percentile(values, 99):8.2f}")
    worst = max((fx.percentile(v, 99), k) for k, v in timings.items() if len(k) == 2)
    p50, p99 = fx.percentile(every, 50), fx.percentile(every, 99)
    say(f"  all queries: p50 {p50:.2f} ms, p99 {p99:.2f} ms; worst p99 {worst[0]:.2f} ms ({worst[1][0]}/{worst[1][1]})")
    summary.add(f"4. inbox p99 on {kind}, {n:,} cases (p50)", f"{p99:.1f} ms ({p50:.1f})",
                f"<= {TARGET_INBOX_P99:.0f} ms", p99 <= TARGET_INBOX_P99)
    summary.add(f"4. inbox worst (level/scope) p99 on {kind}", f"{worst[0]:.1f} ms ({worst[1][0]}/{worst[1][1]})",
                f"<= {TARGET_INBOX_P99:.0f} ms", worst[0] <= TARGET_INBOX_P99)
    _page_rows(summary, kind, n, pages)
    p50, p99 = fx.percentile(task_pages, 50), fx.percentile(task_pages, 99)
    say(f"  /tasks/<id> page: p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    summary.add(f"4. /tasks/<id> page p99 on {kind}, {n:,} cases (p50)", f"{p99:.1f} ms ({p50:.1f})",
                f"<= {TARGET_PAGE_P99:.0f} ms", p99 <= TARGET_PAGE_P99)


def _page_rows(summary: Summary, kind: str, n: int, pages: dict) -> None:
    """The /inbox page's server time: all requests, and the worst level and scope."""
    every = [ms for values in pages.values() for ms in values]
    p50, p99 = fx.percentile(every, 50), fx.percentile(every, 99)
    worst = max((fx.percentile(v, 99), k) for k, v in pages.items())
    say(f"  /inbox page: p50 {p50:.2f} ms, p99 {p99:.2f} ms; worst p99 {worst[0]:.2f} ms ({worst[1][0]}/{worst[1][1]})")
    summary.add(f"4. /inbox page p99 on {kind}, {n:,} cases (p50)", f"{p99:.1f} ms ({p50:.1f})",
                f"<= {TARGET_PAGE_P99:.0f} ms", p99 <= TARGET_PAGE_P99)


def part_sweep(size: dict, summary: Summary) -> None:
    """5. a timer sweep's cost per due timer with 10x more waiting timers (SQLite)."""
    say("\n5. timer sweep: ms per due timer, 10x the waiting timers (SQLite)")
    with tempfile.TemporaryDirectory() as tmp:
        bench_sweep.run(None, 100, 50, Path(tmp), False)  # warm-up: imports, caches
        small = bench_sweep.run(None, size["sweep_small"], size["sweep_due"], Path(tmp), False)
        large = bench_sweep.run(None, size["sweep_large"], size["sweep_due"], Path(tmp), False)
    ratio = large / small
    summary.add(f"5. sweep, {size['sweep_large']:,} vs {size['sweep_small']:,} waiting",
                f"{large * 1000:.2f} ms/due timer, ratio {ratio:.2f}", f"<= {TARGET_SWEEP_RATIO}",
                ratio <= TARGET_SWEEP_RATIO)


def part_stats(size: dict, summary: Summary, pg_url: str | None, pg_skip: str | None) -> None:
    """6. one county-year statistics summary among many cases, generated in PostgreSQL."""
    n = size["stats_cases"]
    label = f"6. stats summary p99, one county-year of {n:,} cases (p50)"
    say(f"\n== 6. statistics on postgres: {n:,} cases ==")
    if pg_skip:
        summary.skip(label, f"<= {TARGET_STATS_MS:.0f} ms", pg_skip)
        return
    with fx.fresh_database("postgres", pg_url) as _:
        made = stats_load.build(n)
        say(f"  generated {made['cases']:,} cases and {made['orders']:,} orders over {made['units']:,} units in "
            f"{made['seconds']:.1f} s (generate_series in the database, then ANALYZE)")
        timings = stats_load.time_summaries(size["stats_repeats"])
    p50, p99 = fx.percentile(timings["summary"], 50), fx.percentile(timings["summary"], 99)
    b50, b99 = fx.percentile(timings["breakdown"], 50), fx.percentile(timings["breakdown"], 99)
    say(f"  summary: p50 {p50:.1f} ms, p99 {p99:.1f} ms ({timings['received'][0]:,.0f} cases in the last county-year); "
        f"monthly breakdown: p50 {b50:.1f} ms, p99 {b99:.1f} ms")
    summary.add(label, f"{p99:.1f} ms ({p50:.1f})", f"<= {TARGET_STATS_MS:.0f} ms", p99 <= TARGET_STATS_MS)
    summary.add("6. stats monthly breakdown p99 (p50)", f"{b99:.1f} ms ({b50:.1f})")


def part_simulate(size: dict, summary: Summary) -> None:
    """7. a what-if over many synthetic cases, live and draft tables."""
    n = size["simulate_cases"]
    say(f"\n== 7. what-if: mediate simulate --cases {n:,} ==")
    found = simulate_load.run(n)
    live, draft = found["live"], found["draft"]
    say(f"  {found['seconds']:.1f} s for {n:,} cases twice ({found['workers']} processes, "
        f"{found['seconds'] * found['workers'] / (2 * n) * 1000:.0f} ms of a core per case run); timeouts live {live.timeouts:,}, draft {draft.timeouts:,}; "
        f"escalations live {live.escalations:,}, draft {draft.escalations:,}")
    summary.add(f"7. mediate simulate, {n:,} cases (live + draft)", f"{found['seconds']:.1f} s",
                f"<= {TARGET_SIMULATE_S:.0f} s", found["seconds"] <= TARGET_SIMULATE_S)
    bound = rule_simulation.MAX_CASES
    panel = simulate_load.run(bound, workers=rule_simulation.WORKERS)
    say(f"  the what-if panel at its bound: {panel['seconds']:.1f} s for {bound:,} cases twice")
    summary.add(f"7. what-if panel, {bound:,} cases (live + draft)", f"{panel['seconds']:.1f} s",
                f"<= {TARGET_PANEL_S:.0f} s", panel["seconds"] <= TARGET_PANEL_S)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres-url", default=DEFAULT_PG,
                        help=f"server and database to use; the database is DROPPED and recreated (default {DEFAULT_PG})")
    parser.add_argument("--quick", action="store_true", help="small counts: a smoke test in under a minute")
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients (default 8)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                        help="gunicorn workers (default: one per core)")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (default 2)")
    parser.add_argument("--http-completions", type=int, help="measured HTTP completions (default 6000, quick 400)")
    parser.add_argument("--only", default="12345",
                        help="parts to run, e.g. 12 or 4 (default 12345; 6, the statistics, and 7, the what-if, "
                             "only when named)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    size = dict(SIZES["quick" if args.quick else "full"])
    if args.http_completions:
        size["http_budget"] = args.http_completions
        size["http_cases"] = max(size["http_cases"], (args.http_completions + size["http_warmup"]) // 4 + 50)
    started = time.perf_counter()
    pg_skip = fx.postgres_available(args.postgres_url)
    say(f"Mediate benchmark ({'quick' if args.quick else 'full'}), {os.cpu_count()} cores; "
        f"PostgreSQL: {'unavailable: ' + pg_skip if pg_skip else args.postgres_url}")
    say(f"load average before start: {' '.join(Path('/proc/loadavg').read_text().split()[:3])} "
        "(other processes on this machine skew every figure)")
    summary = Summary()
    raw_mean = part_raw(size, summary) if set(args.only) & {"1", "2"} else None
    if "2" in args.only:
        part_engine(size, summary, raw_mean, args.postgres_url, pg_skip)
    if "3" in args.only:
        part_http(size, summary, args.postgres_url, pg_skip, args)
    if "4" in args.only:
        if pg_skip:
            summary.skip("4. inbox p99 on postgres", f"<= {TARGET_INBOX_P99:.0f} ms", pg_skip)
        else:
            part_inbox(size, summary, "postgres", args.postgres_url)
        part_inbox(size, summary, "sqlite", None)
    if "5" in args.only:
        part_sweep(size, summary)
    if "6" in args.only:
        part_stats(size, summary, args.postgres_url, pg_skip)
    if "7" in args.only:
        part_simulate(size, summary)
    summary.print()
    say(f"\ntotal time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
