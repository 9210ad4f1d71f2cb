"""The administrator's units (/admin/units): the tree, create, rename, close and reopen, CSV import."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from api.extensions import db
from engine import unit_import, units
from engine.errors import FormInvalid
from engine.tasks import commit_or_conflict

from .. import views
from ..session import me
from . import form_values, pages


def _units_page(form: dict | None = None, errors: dict | None = None, problems=None, status: int = 200):
    return render_template("admin_units.html", nodes=units.tree(db.session, me()), form=form or {},
                           errors=errors or {}, problems=problems or []), status


@pages.get("/admin/units")
@login_required
def admin_units():
    return _units_page()


@pages.post("/admin/units")
@login_required
def admin_unit_create():
    values = form_values("code", "name", "kind", "parent")
    try:
        unit = units.create(db.session, me(), **values | {"parent": values["parent"] or None})
    except FormInvalid as err:
        db.session.rollback()
        return _units_page(values, err.fields, status=422)
    commit_or_conflict(db.session)
    flash(_("Unit %(code)s created.", code=unit.code), "success")
    return redirect(url_for("pages.admin_units"))


@pages.post("/admin/unit-imports")
@login_required
def admin_unit_import():
    upload = request.files.get("file")
    data = upload.read() if upload is not None else b""
    try:
        made = unit_import.run(db.session, me(), data)
    except FormInvalid as err:
        db.session.rollback()
        return _units_page(problems=err.details, status=422)
    commit_or_conflict(db.session)
    flash(_("%(n)s units imported.", n=len(made)), "success")
    return redirect(url_for("pages.admin_units"))


def _unit_page(code: str, form: dict | None = None, errors: dict | None = None, status: int = 200):
    unit = units.find(db.session, me(), code)
    return render_template("admin_unit.html", unit=unit, blocker_labels=views.BLOCKERS, blockers=units.blockers(db.session, unit) if unit.active
                           else [], form=form or {}, errors=errors or {}), status


@pages.get("/admin/units/<code>")
@login_required
def admin_unit(code: str):
    return _unit_page(code)


@pages.post("/admin/units/<code>")
@login_required
def admin_unit_rename(code: str):
    values = form_values("name")
    try:
        units.rename(db.session, me(), code, values["name"])
    except FormInvalid as err:
        db.session.rollback()
        return _unit_page(code, values, err.fields, 422)
    commit_or_conflict(db.session)
    flash(_("Saved."), "success")
    return redirect(url_for("pages.admin_unit", code=code))


@pages.post("/admin/units/<code>/active")
@login_required
def admin_unit_active(code: str):
    active = request.form.get("active") == "1"
    try:
        units.set_active(db.session, me(), code, active)
    except FormInvalid as err:
        db.session.rollback()
        return _unit_page(code, errors=err.fields, status=422)
    commit_or_conflict(db.session)
    flash(_("Unit reopened.") if active else _("Unit closed."), "success")
    return redirect(url_for("pages.admin_unit", code=code))
