"""The inbox: the user's open tasks by tab, filtered, searched and paged; claim and reassign from the list."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_login import login_required

from api.extensions import db
from engine import clock, inbox_letters, risk_letters, tasks
from engine.tasks import commit_or_conflict

from .. import views
from ..session import me
from . import checked_args, local_target, pages
from .risks import KINDS as RISK_KINDS

MAX_PAGE = 10_000
LETTER_KIND = "风险预警函 Risk warning letter"  # "中文 English", as the task filter's names are written
SEARCH_MAX = 60


def _filters() -> dict:
    args = checked_args()
    page = request.args.get("page", 1, type=int)
    return {
        "scope": args.get("scope", "mine"),
        "task": args.get("task", "")[:120],
        "overdue": args.get("overdue") == "1",
        "q": args.get("q", "").strip()[:SEARCH_MAX],
        "page": min(max(page, 1), MAX_PAGE),
    }


@pages.get("/inbox")
@login_required
def inbox():
    f = _filters()
    user = me()
    rows, more = tasks.inbox(db.session, user, f["scope"], spec_id=f["task"] or None,
                             overdue=True if f["overdue"] else None, code=f["q"] or None,
                             page=f["page"], per_page=current_app.config["MEDIATE"].page_size, letters=True)
    now = clock.now()
    kinds = tasks.task_kinds(db.session)
    if user.role in risk_letters.ANSWERERS:
        kinds.append((inbox_letters.KIND, LETTER_KIND))
    return render_template("inbox.html", filters=f, more=more, task_kinds=kinds, risk_kinds=RISK_KINDS,
                           rows=[views.inbox_row(user, row, now) for row in rows], scopes=views.SCOPES)


@pages.post("/tasks/<int:task_id>/claim")
@login_required
def claim(task_id: int):
    row = tasks.claim(db.session, me(), task_id)
    return _row_or_back(row)


@pages.post("/tasks/<int:task_id>/reassign")
@login_required
def reassign(task_id: int):
    row = tasks.reassign(db.session, me(), task_id, request.form.get("username", "")[:80])
    return _row_or_back(row)


def _row_or_back(row):
    """htmx swaps the task's row in place; a plain form post goes back to the list it came from."""
    if request.headers.get("HX-Request"):
        html = render_template("_task_row.html", row=views.task_row(me(), row, clock.now()))
        commit_or_conflict(db.session)
        return html
    commit_or_conflict(db.session)
    return redirect(local_target(request.form.get("next"), url_for("pages.inbox")))
