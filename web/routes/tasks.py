"""One task's page: a read-only summary of the task and its case for now."""

from flask import render_template
from flask_login import login_required

from api.extensions import db
from engine import clock, tasks

from .. import views
from ..session import me
from . import pages


@pages.get("/tasks/<int:task_id>")
@login_required
def task(task_id: int):
    user = me()
    row = tasks.get_task(db.session, user, task_id)
    return render_template("task.html", row=views.task_row(user, row, clock.now()))
