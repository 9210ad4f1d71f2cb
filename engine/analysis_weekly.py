"""周研判: the week's figures by dispute type and the ledger entries due within a week or overdue."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy.orm import Session

from . import ledger, orgs, stats, stats_breakdown, stats_export
from .errors import BadRequest, FormInvalid
from .models import User

WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
# The digest's tables as files: the totals and the by-type table (``engine.stats_export``).
TABLES = ("summary", "dispute_type")


def week_of(day: date) -> str:
    """``YYYY-Www`` of the ISO week holding ``day``."""
    year, number, _ = day.isocalendar()
    return f"{year:04d}-W{number:02d}"


def last_week() -> str:
    """``YYYY-Www`` of the local week before this one (the week a Monday's digest reports)."""
    return week_of(ledger.today() - timedelta(days=7))


def week_days(week: str | None) -> tuple[str, date, date]:
    """(``YYYY-Www``, Monday, Sunday) of an ISO week (this local week by default); 422 naming ``week``."""
    if not week:
        week = week_of(ledger.today())
    found = WEEK.match(week)
    try:
        monday = date.fromisocalendar(int(found[1]), int(found[2]), 1) if found else None
    except ValueError:
        monday = None
    if monday is None or not 1900 <= monday.year <= 9000:
        raise FormInvalid(f"week must be an ISO week like 2026-W49, not {week!r}", fields={"week": "YYYY-Www"})
    return week, monday, monday + timedelta(days=6)


def around(week: str) -> dict[str, str]:
    """The weeks before and after ``week``."""
    _, monday, _ = week_days(week)
    return {"previous": week_of(monday - timedelta(days=7)), "next": week_of(monday + timedelta(days=7))}


def weekly(session: Session, user: User, week: str | None = None) -> dict:
    """The cases received in the week (figures as ``engine.stats`` defines them) and the ledger to chase."""
    orgs.require_overseer(user, "the weekly digest is")
    week, monday, sunday = week_days(week)
    period = {"date_from": monday.isoformat(), "date_to": sunday.isoformat()}
    summary = stats.summary(session, user, **period)
    by_type = stats_breakdown.breakdown(session, user, "dispute_type", **period)["items"]
    due_by = sunday + timedelta(days=ledger.DUE_SOON_DAYS)
    due = ledger.listing(session, user, status="open", due_by=due_by)
    return {"week": week, "period": summary["period"], "totals": summary, "by_dispute_type": by_type,
            "ledger_due": due, "due_by": due_by.isoformat(), "definitions": summary["definitions"]}


def export(session: Session, user: User, week: str, table: str, fmt: str) -> stats_export.Export:
    """One of the digest's tables (``TABLES``) as a CSV or XLSX file, the numbers the page shows."""
    orgs.require_overseer(user, "the weekly digest is")
    if table not in TABLES:
        raise BadRequest(f"table must be one of {', '.join(TABLES)}, not {table!r}",
                         fields={"table": "one of " + ", ".join(TABLES)})
    _, monday, sunday = week_days(week)
    return stats_export.export(session, user, table, fmt, date_from=monday.isoformat(), date_to=sunday.isoformat())
