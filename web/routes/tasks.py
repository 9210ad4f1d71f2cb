"""One task's page: its form drawn from the task's JSON Schema, the case beside it; draft and complete."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from api.extensions import db
from engine import cases, clock, tasks
from engine.errors import FormInvalid
from engine.tasks import commit_or_conflict

from .. import forms, views
from ..session import me
from . import pages


@pages.get("/tasks/<int:task_id>")
@login_required
def task(task_id: int):
    detail = tasks.task_detail(db.session, me(), task_id)
    return _page(detail, detail.draft if detail.draft is not None else detail.data, {})


@pages.post("/tasks/<int:task_id>")
@login_required
def submit(task_id: int):
    user = me()
    detail = tasks.task_detail(db.session, user, task_id)
    if problems := forms.text_problems(request.form):
        return _page(detail, forms.read(detail.schema or {}, request.form), problems), 422
    data = forms.read(detail.schema or {}, request.form)
    if request.form.get("action") == "draft":
        tasks.save_draft(db.session, user, task_id, data)
        commit_or_conflict(db.session)
        flash(_("Draft saved."), "success")
        return redirect(url_for("pages.task", task_id=task_id))
    try:
        done = tasks.complete(db.session, user, task_id, data)
    except FormInvalid as invalid:
        db.session.rollback()
        detail = tasks.task_detail(db.session, user, task_id)
        return _page(detail, data, invalid.fields or {}), 422
    name, code = forms.pick(done.task.name), done.task.case.code
    commit_or_conflict(db.session)
    flash(_("“%(task)s” of case %(code)s is done.", task=name, code=code), "success")
    return redirect(url_for("pages.inbox"))


def _page(detail: tasks.TaskDetail, values: dict, errors: dict):
    user = me()
    row = detail.task
    return render_template("task.html", F=forms, row=views.task_row(user, row, clock.now()), schema=detail.schema or {},
                           values=values or {}, errors=errors, timeline=cases.timeline(db.session, row.case),
                           form_errors={k: v for k, v in errors.items() if "." not in k and k not in
                                        (detail.schema or {}).get("properties", {})})
