"""The administrator's users (/admin/users): list and filter, create, edit or move, deactivate, reset a password.

A refused change re-renders its form with a message beside each field (422); a generated
password is shown on the page that answers the post, once, and is never stored or flashed.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from api.extensions import db
from engine import people, units
from engine.errors import FormInvalid
from engine.models import ROLES
from engine.tasks import commit_or_conflict

from .. import views
from ..session import me
from . import checked_args, form_values, pages

MAX_PAGE = 10_000
USER_FIELDS = ("username", "display_name", "role", "unit", "password")


def _filters() -> dict:
    args = checked_args()
    page = request.args.get("page", 1, type=int)
    return {"q": args.get("q", "").strip()[:100], "role": args.get("role", "") if args.get("role") in ROLES else "",
            "unit": args.get("unit", "").strip()[:40], "all": args.get("all") == "1",
            "page": min(max(page, 1), MAX_PAGE)}


def _users_page(form: dict | None = None, errors: dict | None = None, status: int = 200):
    f = _filters()
    rows, more = people.list_users(db.session, me(), role=f["role"] or None, unit=f["unit"] or None,
                                   text=f["q"] or None, include_inactive=f["all"], page=f["page"],
                                   per_page=current_app.config["MEDIATE"].page_size)
    return render_template("admin_users.html", roles=views.ROLES, rows=rows, more=more, filters=f, form=form or {},
                           errors=errors or {}, unit_choices=units.tree(db.session, me(), False)), status


@pages.get("/admin/users")
@login_required
def admin_users():
    return _users_page()


@pages.post("/admin/users")
@login_required
def admin_user_create():
    values = form_values(*USER_FIELDS)
    try:
        issued = people.create(db.session, me(), **values)
    except FormInvalid as err:
        db.session.rollback()
        return _users_page(values | {"password": ""}, err.fields, 422)
    commit_or_conflict(db.session)
    return _user_page(issued.user.username, password=issued.password, created=True)


def _user_page(username: str, *, password: str | None = None, created: bool = False,
               form: dict | None = None, errors: dict | None = None, status: int = 200):
    user = people.find(db.session, me(), username)
    html = render_template("admin_user.html", roles=views.ROLES, user=user, password=password, created=created,
                           form=form or {}, errors=errors or {}, unit_choices=units.tree(db.session, me(), False))
    # A page showing a generated password is kept by no cache, and the browser's history does not reuse it.
    return html, status, {"Cache-Control": "no-store"} if password else {}


@pages.get("/admin/users/<username>")
@login_required
def admin_user(username: str):
    return _user_page(username)


@pages.post("/admin/users/<username>")
@login_required
def admin_user_update(username: str):
    values = form_values("display_name", "role", "unit")
    try:
        people.update(db.session, me(), username, **values)
    except FormInvalid as err:
        db.session.rollback()
        return _user_page(username, form=values, errors=err.fields, status=422)
    commit_or_conflict(db.session)
    flash(_("Saved."), "success")
    return redirect(url_for("pages.admin_user", username=username))


@pages.post("/admin/users/<username>/active")
@login_required
def admin_user_active(username: str):
    active = request.form.get("active") == "1"
    try:
        people.set_active(db.session, me(), username, active)
    except FormInvalid as err:
        db.session.rollback()
        return _user_page(username, errors=err.fields, status=422)
    commit_or_conflict(db.session)
    flash(_("Reactivated: they can sign in again.") if active
          else _("Deactivated: their sessions have ended and their open tasks went back to their unit."), "success")
    return redirect(url_for("pages.admin_user", username=username))


@pages.post("/admin/users/<username>/password")
@login_required
def admin_user_password(username: str):
    typed = form_values("password")["password"] or None
    try:
        issued = people.reset_password(db.session, me(), username, typed)
    except FormInvalid as err:
        db.session.rollback()
        return _user_page(username, errors=err.fields, status=422)
    commit_or_conflict(db.session)
    if issued.password is None:
        flash(_("Password changed; their sessions have ended."), "success")
        return redirect(url_for("pages.admin_user", username=username))
    return _user_page(username, password=issued.password)
