"""Time commands of ``mediate``: worker, tick, timers recalc, snapshot, risks scan."""

from __future__ import annotations

import json

import click

from engine import analysis, clock, recalc, risks, sweep

from .cli import _app, main
from .extensions import db


def _when(at: str | None):
    if not at:
        return clock.now()
    try:
        return clock.parse(at)
    except ValueError:
        raise click.BadParameter(f"{at!r} is not an ISO-8601 time such as 2026-12-01T09:00") from None


@main.command()
def worker():
    """Run the scheduler alone: timer sweeps and monthly jobs (set MEDIATE_SCHEDULER=off on web processes)."""
    from . import scheduler
    app = _app()
    settings = app.config["MEDIATE"]
    click.echo(f"worker: sweeping every {settings.sweep_seconds:g}s, {settings.sweep_batch} cases at a time")
    scheduler.run_worker(app)


@main.command()
@click.option("--at", "at", help="Sweep as if it were this time (ISO-8601, UTC when no offset).")
@click.option("--batch", type=click.IntRange(min=1), help="Cases per round (default MEDIATE_SWEEP_BATCH).")
def tick(at, batch):
    """Fire every timer due at --at (default now): drills, catching up after downtime, tests."""
    app = _app()
    when = _when(at)
    with app.app_context(), clock.frozen_at(when):
        result = sweep.sweep_all(db.session, batch or app.config["MEDIATE"].sweep_batch)
        db.session.remove()
    click.echo(f"tick at {when.isoformat()}: " + json.dumps(result.as_dict()))


@main.group("timers")
def timers_group():
    """Timer commands."""


@timers_group.command("recalc")
@click.option("--case", "case_code", help="Only this case (by code).")
def timers_recalc(case_code):
    """Re-derive waiting timers' due times from the rules deployed now; lists what moved."""
    app = _app()
    with app.app_context():
        report = recalc.recalc_by_code(db.session, case_code)
        db.session.commit()
    for m in report["moved"]:
        click.echo(f"  {m['case']} {m['task']} ({m['kind']}): {m['from']} -> {m['to']}")
    click.echo(f"{len(report['moved'])} of {report['checked']} waiting timers moved")


@main.command()
@click.option("--month", help="YYYY-MM (default: last month).")
def snapshot(month):
    """Store the monthly snapshot (综合研判) of cases by type, tier and outcome; idempotent."""
    app = _app()
    with app.app_context():
        rows = analysis.monthly_snapshot(db.session, month)
        db.session.commit()
        for row in rows:
            click.echo(f"  {row.month} {row.unit}: {row.counts.get('total', 0)} cases")


@main.group("risks")
def risks_group():
    """Risk early warning (风险预警)."""


@risks_group.command("scan")
def risks_scan():
    """Scan the cases for risks now (the scheduler does so daily); prints how many were found, new, ended."""
    app = _app()
    with app.app_context():
        result = risks.scan(db.session)
        db.session.commit()
    click.echo(f"{result['found']} risks found, {result['new']} new, {result['ended']} ended")
