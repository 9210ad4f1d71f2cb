"""The monthly meeting's page (/analysis/<month>): figures per unit and type, flagged types, the ledger."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from api.extensions import db
from engine import analysis_figures, ledger
from engine.errors import FormInvalid
from engine.tasks import commit_or_conflict

from ..session import me
from . import checked_args, form_values, pages


def _page(month: str, errors: dict | None = None, failed: int | None = None, form: dict | None = None,
          status: int = 200):
    view = analysis_figures.month_view(db.session, me(), month)
    first = analysis_figures.month_start(month)
    around = {"previous": analysis_figures.previous_month(first).strftime("%Y-%m"),
              "next": analysis_figures.next_month(first).strftime("%Y-%m")}
    return render_template("analysis.html", view=view, around=around, owners=ledger.owner_choices(db.session, me()),
                           errors=errors or {}, failed=failed, form=form or {}), status


@pages.get("/analysis")
@login_required
def analysis_home():
    month = checked_args().get("month") or analysis_figures.last_month()
    analysis_figures.month_start(month)
    return redirect(url_for("pages.analysis_month", month=month))


@pages.get("/analysis/<month>")
@login_required
def analysis_month(month: str):
    return _page(month)


@pages.post("/analysis/<month>/ledger/<int:entry_id>")
@login_required
def analysis_ledger_update(month: str, entry_id: int):
    values = form_values("owner", "special_team", "due_date", limit=255)
    try:
        ledger.update(db.session, me(), entry_id, values)
    except FormInvalid as err:
        db.session.rollback()
        return _page(month, err.fields, entry_id, values, 422)
    commit_or_conflict(db.session)
    flash(_("Ledger entry %(id)s saved.", id=entry_id), "success")
    return redirect(url_for("pages.analysis_month", month=month) + f"#entry-{entry_id}")


@pages.post("/analysis/<month>/ledger/<int:entry_id>/close")
@login_required
def analysis_ledger_close(month: str, entry_id: int):
    values = form_values("closing_note", limit=4000)
    try:
        ledger.close(db.session, me(), entry_id, values["closing_note"])
    except FormInvalid as err:
        db.session.rollback()
        return _page(month, err.fields, entry_id, values, 422)
    commit_or_conflict(db.session)
    flash(_("Ledger entry %(id)s closed.", id=entry_id), "success")
    return redirect(url_for("pages.analysis_month", month=month) + f"#entry-{entry_id}")
