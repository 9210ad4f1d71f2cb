"""APScheduler triggers the sweep, the outbox delivery, the monthly snapshot, the daily risk scan and the
Monday notice of the weekly digest; the engine decides what happens.

``mediate serve`` starts it in-process (one machine); ``mediate worker`` runs it alone for
scale-out, with ``MEDIATE_SCHEDULER=off`` on the web processes. It starts at most once per
process, never in the reloader's watcher process, and never in tests unless a test asks.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import threading

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from engine import analysis, analysis_digest, analysis_figures, notifications, risks, sweep
from engine.case_codes import CHINA

from .extensions import db

log = logging.getLogger(__name__)
_lock = threading.Lock()
_started: tuple[int, BackgroundScheduler] | None = None


def sweep_job(app) -> None:
    """Fire the timers that are due now."""
    with app.app_context():
        try:
            result = sweep.sweep(db.session, app.config["MEDIATE"].sweep_batch)
            if result.cases or result.failed or result.letters:
                log.info("sweep: %s", result.as_dict())
        finally:
            db.session.remove()


def deliver_job(app) -> None:
    """Deliver pending outbox rows as notifications."""
    with app.app_context():
        settings = app.config["MEDIATE"]
        try:
            result = notifications.deliver(db.session, notifications.sender_named(settings.notify_sender),
                                           settings.sweep_batch)
            if result.rows or result.failed:
                log.info("notifications: %s", result.as_dict())
        finally:
            db.session.remove()


def monthly_job(app) -> None:
    """Store last month's snapshot and its figures per unit and dispute type, flag types into the ledger
    (idempotent, so a rerun or a second worker is harmless)."""
    with app.app_context():
        try:
            analysis.monthly_snapshot(db.session)
            db.session.commit()
            log.info("monthly analysis: %s", analysis_figures.run(db.session))
            db.session.commit()
        finally:
            db.session.remove()


def _committed(app, label: str, step) -> None:
    """Run ``step(session)`` in its own transaction and log what it returned."""
    with app.app_context():
        try:
            result = step(db.session)
            db.session.commit()
            log.info("%s: %s", label, result)
        finally:
            db.session.remove()


def risk_job(app) -> None:
    """Scan the cases for risks (风险预警) so the list shows what was found overnight, before anyone asks."""
    _committed(app, "risk scan", risks.scan)


def weekly_job(app) -> None:
    """Queue the notice that last week's digest (周研判) is ready for each centre's leaders and staff
    (once per week and centre, so a rerun or a second worker is harmless)."""
    _committed(app, "weekly digest", analysis_digest.notify)


def build(app, blocking: bool = False):
    """A scheduler with the sweep and the outbox delivery every ``MEDIATE_SWEEP_SECONDS``, the snapshot
    on each 1st, the risk scan daily and the weekly digest's notice when ``MEDIATE_WEEKLY_DIGEST`` says."""
    settings = app.config["MEDIATE"]
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per sweep
    kind = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = kind(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                                    "misfire_grace_time": 300})
    scheduler.add_job(sweep_job, IntervalTrigger(seconds=settings.sweep_seconds), args=[app], id="sweep")
    scheduler.add_job(deliver_job, IntervalTrigger(seconds=settings.sweep_seconds), args=[app],
                      id="deliver_notifications")
    scheduler.add_job(monthly_job, CronTrigger(day=1, hour=0, minute=30), args=[app], id="monthly_snapshot")
    # 01:00 in China (UTC+8), every day.
    scheduler.add_job(risk_job, CronTrigger(hour=17, minute=0), args=[app], id="risk_scan")
    if settings.weekly_digest is not None:
        day, hour, minute = settings.weekly_digest
        scheduler.add_job(weekly_job, CronTrigger(day_of_week=day, hour=hour, minute=minute, timezone=CHINA),
                          args=[app], id="weekly_digest")
    return scheduler


def should_start(app, force: bool = False) -> bool:
    """Whether this process should run the scheduler."""
    if force:
        return True
    if app.config.get("TESTING") or not app.config["MEDIATE"].scheduler:
        return False
    # Under Werkzeug's reloader the watcher process never serves; only its child (RUN_MAIN) schedules.
    return not (app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true")


def start(app, force: bool = False) -> BackgroundScheduler | None:
    """Start the background scheduler once in this process; returns it, or None when it should not run."""
    global _started
    with _lock:
        if _started is not None and _started[0] == os.getpid():
            return _started[1]
        if not should_start(app, force):
            return None
        scheduler = build(app)
        scheduler.start()
        atexit.register(lambda: scheduler.shutdown(wait=False) if scheduler.running else None)
        _started = (os.getpid(), scheduler)
        return scheduler


def stop() -> None:
    """Stop this process's scheduler, if it started one (tests)."""
    global _started
    with _lock:
        if _started is not None and _started[1].running:
            _started[1].shutdown(wait=False)
        _started = None


def run_worker(app) -> None:
    """Run the scheduler in the foreground until interrupted (``mediate worker``)."""
    scheduler = build(app, blocking=True)
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()
