"""The administrator's mediator pool (/admin/mediators) and the organisation check (/admin/organisation)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from api.extensions import db
from engine import doctor, pool, units
from engine.errors import FormInvalid
from engine.references import TIERS
from engine.tasks import commit_or_conflict

from ..session import me
from . import checked_args, form_values, pages

MAX_PAGE = 10_000
FIELDS = ("name", "tier", "unit", "mediation_type", "specialties", "username")


def _filters() -> dict:
    args = checked_args()
    page = request.args.get("page", 1, type=int)
    return {"q": args.get("q", "").strip()[:100], "tier": args.get("tier", "") if args.get("tier") in TIERS else "",
            "specialty": args.get("specialty", "").strip()[:40],
            "type": args.get("type", "") if args.get("type") in pool.MEDIATION_TYPES else "",
            "gold": args.get("gold") == "1", "all": args.get("all") == "1", "page": min(max(page, 1), MAX_PAGE)}


def _posted() -> dict:
    values = form_values(*FIELDS)
    values["gold"] = request.form.get("gold") == "1"
    return values


def _pool_page(form: dict | None = None, errors: dict | None = None, status: int = 200):
    f = _filters()
    rows, more = pool.list_pool(db.session, me(), tier=f["tier"] or None, specialty=f["specialty"] or None,
                                mediation_type=f["type"] or None, gold=True if f["gold"] else None,
                                text=f["q"] or None, include_inactive=f["all"], page=f["page"],
                                per_page=current_app.config["MEDIATE"].page_size)
    return render_template("admin_mediators.html", rows=rows, more=more, filters=f, form=form or {},
                           errors=errors or {}, types=pool.MEDIATION_TYPES,
                           unit_choices=units.tree(db.session, me(), False)), status


@pages.get("/admin/mediators")
@login_required
def admin_mediators():
    return _pool_page()


@pages.post("/admin/mediators")
@login_required
def admin_mediator_create():
    values = _posted()
    try:
        row = pool.create(db.session, me(), **values)
    except FormInvalid as err:
        db.session.rollback()
        return _pool_page(values, err.fields, 422)
    commit_or_conflict(db.session)
    flash(_("Mediator %(name)s added to the pool.", name=row.name), "success")
    return redirect(url_for("pages.admin_mediators"))


def _mediator_page(mediator_id: int, form: dict | None = None, errors: dict | None = None, status: int = 200):
    row = pool.find(db.session, me(), mediator_id)
    return render_template("admin_mediator.html", row=row, form=form or {}, errors=errors or {},
                           types=pool.MEDIATION_TYPES, unit_choices=units.tree(db.session, me(), False)), status


@pages.get("/admin/mediators/<int:mediator_id>")
@login_required
def admin_mediator(mediator_id: int):
    return _mediator_page(mediator_id)


@pages.post("/admin/mediators/<int:mediator_id>")
@login_required
def admin_mediator_update(mediator_id: int):
    values = _posted()
    try:
        pool.update(db.session, me(), mediator_id, **values)
    except FormInvalid as err:
        db.session.rollback()
        return _mediator_page(mediator_id, values, err.fields, 422)
    commit_or_conflict(db.session)
    flash(_("Saved."), "success")
    return redirect(url_for("pages.admin_mediator", mediator_id=mediator_id))


@pages.post("/admin/mediators/<int:mediator_id>/active")
@login_required
def admin_mediator_active(mediator_id: int):
    active = request.form.get("active") == "1"
    try:
        pool.set_active(db.session, me(), mediator_id, active)
    except FormInvalid as err:
        db.session.rollback()
        return _mediator_page(mediator_id, errors=err.fields, status=422)
    commit_or_conflict(db.session)
    flash(_("Back in the pool.") if active else _("Taken out of the pool."), "success")
    return redirect(url_for("pages.admin_mediator", mediator_id=mediator_id))


@pages.get("/admin/organisation")
@login_required
def admin_organisation():
    return render_template("admin_organisation.html", report=doctor.check_as(db.session, me()))
