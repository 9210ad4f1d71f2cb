"""The public's pages, without signing in: report a dispute (网上自报) and track a case by its code.

Both submit forms with a CSRF token and are throttled per client address (MEDIATE_PUBLIC_LIMIT).
A report carries a honeypot field people never see: a form that fills it opens nothing.
"""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask_babel import gettext as _

from api.extensions import db, limiter
from engine import json_input, public, tracking
from engine.errors import FormInvalid

from . import pages

HONEYPOT = "website"
MAX_PARTIES = 5
MAX_BODY = 32 * 1024
LIMITS = {"summary": 2000, "name": 40, "phone": 13}


def _address() -> str:
    return "address:" + (request.remote_addr or "")


def _public_limit() -> str:
    return current_app.config["MEDIATE"].public_limit


def _places(chosen: dict[str, str]) -> list[dict]:
    """The cascade county → town → village → grid: each level's options under the one chosen above."""
    levels, parent = [], None
    for kind in public.PUBLIC_KINDS:
        options = public.unit_choices(db.session, parent) if parent or kind == "county" else []
        value = chosen.get(kind, "")
        value = value if any(code == value for code, _name, _kind in options) else ""
        levels.append({"kind": kind, "options": options, "value": value})
        parent = value or None
    return levels


def _chosen(source) -> dict[str, str]:
    return {kind: str(source.get(kind, ""))[:40] for kind in public.PUBLIC_KINDS}


@pages.get("/report/places")
def report_places():
    return render_template("_places.html", levels=_places(_chosen(request.args)), errors={})


@pages.route("/report", methods=["GET", "POST"])
@limiter.limit(_public_limit, methods=["POST"], key_func=_address, scope="report-address")
def report():
    choices = public.report_choices(db.session)
    if request.method == "GET":
        return render_template("report.html", form={"parties": [{}, {}]}, errors={}, choices=choices,
                               levels=_places({}), limits=LIMITS)
    if request.content_length and request.content_length > MAX_BODY:
        abort(413)
    if request.form.get(HONEYPOT):
        abort(400)
    form, errors = _read_report(choices)
    levels = _places(_chosen(request.form))
    if not errors:
        try:
            case = public.report(db.session, dispute_type=form["dispute_type"], summary=form["summary"],
                                 parties=form["clean_parties"], contact_phone=form["contact_phone"],
                                 location_code=form["grid"])
        except FormInvalid as err:
            db.session.rollback()
            errors = {key.removeprefix("data."): message for key, message in (err.fields or {}).items()}
        else:
            db.session.commit()
            return render_template("report_done.html", code=case.code, digits=tracking.DIGITS)
    return render_template("report.html", form=form, errors=errors, choices=choices, levels=levels,
                           limits=LIMITS), 422


def _read_report(choices: dict) -> tuple[dict, dict[str, str]]:
    """The submitted report and what is wrong with it, field by field (before the engine checks the rest)."""
    f = request.form
    form = {"dispute_type": f.get("dispute_type", ""), "summary": f.get("summary", "").strip(),
            "contact_phone": f.get("contact_phone", "").strip(), "grid": f.get("grid", "")}
    errors: dict[str, str] = {}
    for name, value in f.items():
        if json_input.text_problem(value):
            errors[name] = _("This text contains characters that cannot be stored.")
    if form["dispute_type"] not in {value for value, _ in choices["dispute_types"]}:
        errors["dispute_type"] = _("Choose the kind of dispute.")
    if len(form["summary"]) < 5:
        errors["summary"] = _("Describe the dispute in a few words (at least 5 characters).")
    elif len(form["summary"]) > LIMITS["summary"]:
        errors["summary"] = _("At most %(n)s characters.", n=LIMITS["summary"])
    if not form["contact_phone"]:
        errors["contact_phone"] = _("Enter a phone number we can reach you on.")
    if not form["grid"]:
        errors["location_unit_code"] = _("Choose the place down to its grid.")
    parties, clean = _read_parties(choices, errors)
    form["parties"] = parties or [{}, {}]
    form["clean_parties"] = clean
    return form, errors


def _read_parties(choices: dict, errors: dict[str, str]) -> tuple[list[dict], list[dict]]:
    """The party rows as typed (for the form again) and the filled ones (for the case); errors added."""
    f = request.form
    parties, clean = [], []
    for n in range(MAX_PARTIES):
        row = {key: f.get(f"parties-{n}-{key}", "").strip() for key in ("name", "role", "phone")}
        if not any(row.values()):
            continue
        parties.append(row)
        index = len(clean)
        if not row["name"] or len(row["name"]) > LIMITS["name"]:
            errors[f"parties.{index}.name"] = _("Enter the name (at most %(n)s characters).", n=LIMITS["name"])
        if row["role"] not in dict(choices["roles"]):
            errors[f"parties.{index}.role"] = _("Choose the party's role.")
        if not row["phone"]:
            errors[f"parties.{index}.phone"] = _("Enter the party's phone number.")
        clean.append(row)
    if not clean:
        errors["parties"] = _("Name at least one party.")
    return parties, clean


@pages.route("/track", methods=["GET", "POST"])
@limiter.limit(_public_limit, methods=["POST"], key_func=_address, scope="track-address")
def track():
    if request.method == "GET":
        return render_template("track.html", progress=None, missing=False, code="")
    code = request.form.get("code", "")[:60]
    digits = request.form.get("digits", "")[:8]
    progress = tracking.track(db.session, code, digits)
    if progress is None:
        return render_template("track.html", progress=None, missing=True, code=code), 404
    return render_template("track.html", progress=progress, missing=False, code=progress.code)
