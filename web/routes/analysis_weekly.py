"""The weekly digest's page (周研判, /analysis/weekly/<YYYY-Www>): the week's figures, by dispute type, the ledger
entries to chase, and its two tables as CSV or XLSX files."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from api.extensions import db
from engine import analysis_weekly, orgs
from engine.errors import FormInvalid

from ..session import me
from . import checked_args, pages


def _no_such_week(week: str):
    """A 422 page that names the week asked for, not the generic one."""
    db.session.rollback()
    return render_template("error.html", heading=_("No such week"), status=422,
                           advice=_("“%(week)s” is not a week. Write the ISO week like 2026-W49.", week=week)), 422


def _page(week: str | None):
    orgs.require_overseer(me(), "the weekly digest is")  # a 403 before anything about the week
    try:
        digest = analysis_weekly.weekly(db.session, me(), week)
    except FormInvalid:
        return _no_such_week(week or "")
    return render_template("analysis_weekly.html", digest=digest, around=analysis_weekly.around(digest["week"]),
                           tables=analysis_weekly.TABLES)


@pages.get("/analysis/weekly")
@login_required
def analysis_this_week():
    week = checked_args().get("week", "").strip()[:40]
    if week:  # the week picker's answer
        return redirect(url_for("pages.analysis_week", week=week))
    return _page(None)


@pages.get("/analysis/weekly/<week>")
@login_required
def analysis_week(week: str):
    return _page(week[:40])


@pages.get("/analysis/weekly/<week>/export.<fmt>")
@login_required
def analysis_week_export(week: str, fmt: str):
    table = checked_args().get("table", "summary")[:40]
    try:
        out = analysis_weekly.export(db.session, me(), week[:40], table, fmt[:10])
    except FormInvalid:
        return _no_such_week(week[:40])
    disposition = f"attachment; filename=\"weekly-{table}.{fmt}\"; filename*=UTF-8''{quote(out.filename)}"
    return Response(out.content, mimetype=out.mimetype, headers={"Content-Disposition": disposition,
                                                                 "Cache-Control": "private, no-store"})
