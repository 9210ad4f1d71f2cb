"""Cases: the search list and one case's page with its ledger, timeline and the diagram of its run."""

from __future__ import annotations

from flask import Response, current_app, redirect, render_template, request, url_for
from flask_login import login_required

from api.extensions import db
from engine import case_view, cases
from engine.tasks import commit_or_conflict

from .. import views
from ..session import me
from . import checked_args, pages

MAX_PAGE = 10_000
SEARCH_MAX = 60
STATUSES = ("open", "closed", "incident")


def _filters() -> dict:
    args = checked_args()
    page = request.args.get("page", 1, type=int)
    return {
        "q": args.get("q", "").strip()[:SEARCH_MAX],
        "status": args.get("status", "") if args.get("status") in STATUSES else "",
        "tier": args.get("tier", "") if args.get("tier") in views.TIERS else "",
        "unit": args.get("unit", "").strip()[:40],
        "reported": args.get("reported") == "1",
        "page": min(max(page, 1), MAX_PAGE),
    }


@pages.get("/cases")
@login_required
def case_list():
    f = _filters()
    rows, more = cases.list_cases(db.session, me(), status=f["status"] or None, tier=f["tier"] or None,
                                  unit_code=f["unit"] or None, text=f["q"] or None, reported=f["reported"],
                                  page=f["page"], per_page=current_app.config["MEDIATE"].page_size)
    return render_template("cases.html", rows=rows, more=more, filters=f, statuses=views.CASE_STATUSES)


@pages.get("/cases/<code>")
@login_required
def case_detail(code: str):
    process = checked_args().get("process", "")[:120] or None
    view = case_view.case_view(db.session, me(), code, process)
    db.session.commit()  # a full view of personal data is audited
    return render_template("case.html", view=view, case=view.case, process=process)


@pages.get("/cases/<code>/diagram.xml")
@login_required
def case_diagram(code: str):
    process = checked_args().get("process", "")[:120] or None
    xml = case_view.diagram_xml(db.session, me(), code, process)
    return Response(xml, mimetype="application/xml", headers={"Cache-Control": "private, max-age=300"})


@pages.post("/cases/new")
@login_required
def new_case():
    """登记新纠纷: open a case in the user's unit and go straight to its first task (registration)."""
    case, first = cases.open_new(db.session, me())
    commit_or_conflict(db.session)
    if first is None:
        return redirect(url_for("pages.case_detail", code=case.code))
    return redirect(url_for("pages.task", task_id=first.id))
