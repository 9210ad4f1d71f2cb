"""周研判: the week's figures by dispute type and the ledger entries due within a week or overdue."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy.orm import Session

from . import ledger, stats, stats_breakdown
from .errors import FormInvalid
from .models import User

WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def week_days(week: str | None) -> tuple[str, date, date]:
    """(``YYYY-Www``, Monday, Sunday) of an ISO week (this local week by default); 422 naming ``week``."""
    if not week:
        year, number, _ = ledger.today().isocalendar()
        week = f"{year:04d}-W{number:02d}"
    found = WEEK.match(week)
    try:
        monday = date.fromisocalendar(int(found[1]), int(found[2]), 1) if found else None
    except ValueError:
        monday = None
    if monday is None or not 1900 <= monday.year <= 9000:
        raise FormInvalid(f"week must be an ISO week like 2026-W49, not {week!r}", fields={"week": "YYYY-Www"})
    return week, monday, monday + timedelta(days=6)


def weekly(session: Session, user: User, week: str | None = None) -> dict:
    """The cases received in the week (figures as ``engine.stats`` defines them) and the ledger to chase."""
    week, monday, sunday = week_days(week)
    period = {"date_from": monday.isoformat(), "date_to": sunday.isoformat()}
    summary = stats.summary(session, user, **period)
    by_type = stats_breakdown.breakdown(session, user, "dispute_type", **period)["items"]
    due = ledger.listing(session, user, status="open", due_by=sunday + timedelta(days=ledger.DUE_SOON_DAYS))
    return {"week": week, "period": summary["period"], "totals": summary, "by_dispute_type": by_type,
            "ledger_due": due, "definitions": summary["definitions"]}
