"""The statistics dashboard (统计): the figures for the user's units as cards, charts and tables, and
each table as a CSV or XLSX file, for one period, unit and dispute type."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, render_template
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from api.extensions import db
from engine import clock, stats_export
from engine import dashboard as figures
from engine.case_codes import CHINA
from engine.errors import FormInvalid, NotFound
from engine.tasks import commit_or_conflict

from ..session import me
from . import checked_args, pages
from .risks import KINDS as RISK_KIND_NAMES
from .risks import SEVERITY_NAMES

TEXT_MAX = 120
# What the filter form says about a filter the engine refused, by the field it names.
PROBLEMS = {"from": _l("Enter the first day as a date (YYYY-MM-DD), not after the last day."),
            "to": _l("Enter the last day as a date (YYYY-MM-DD), not before the first day."),
            "unit": _l("There is no such unit among yours.")}


def _filters() -> dict:
    """The filters as ``engine.stats.scope`` takes them, from the query string."""
    args = checked_args()
    # Dates are passed whole: the engine refuses anything but YYYY-MM-DD, naming the field.
    return {"date_from": args.get("from", "").strip()[:40] or None, "date_to": args.get("to", "").strip()[:40] or None,
            "unit_code": args.get("unit", "").strip()[:40] or None,
            "dispute_type": args.get("dispute_type", "").strip()[:TEXT_MAX] or None}


@pages.get("/dashboard")
@login_required
def dashboard():
    chosen = _filters()
    month = clock.now().astimezone(CHINA).strftime("%Y-%m")
    try:
        data = figures.dashboard(db.session, me(), **chosen)
    except (FormInvalid, NotFound) as err:
        # A filter the engine refused: the form again, naming it, without figures.
        db.session.rollback()
        problems = [PROBLEMS[f] for f in (err.fields or {}) if f in PROBLEMS] or [PROBLEMS["from"]]
        return render_template("dashboard.html", data=None, filters=chosen, problems=problems, month=month,
                               units=figures.unit_choices(db.session, me()), dispute_types=[]), \
            422 if isinstance(err, FormInvalid) else 404
    html = render_template("dashboard.html", data=data, filters=chosen, problems=[], month=month,
                           units=data["units"], dispute_types=data["dispute_types"],
                           kinds=RISK_KIND_NAMES, severities=SEVERITY_NAMES)
    commit_or_conflict(db.session)  # what the risk list's scan found
    return html


@pages.get("/dashboard/export.<fmt>")
@login_required
def dashboard_export(fmt: str):
    table = checked_args().get("table", "summary")[:40]
    out = stats_export.export(db.session, me(), table, fmt, **_filters())
    # An ASCII name for clients that ignore filename*, the Chinese one for the rest.
    disposition = f"attachment; filename=\"statistics-{table}.{fmt}\"; filename*=UTF-8''{quote(out.filename)}"
    return Response(out.content, mimetype=out.mimetype, headers={"Content-Disposition": disposition,
                                                                 "Cache-Control": "private, no-store"})
