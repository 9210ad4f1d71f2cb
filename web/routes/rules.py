"""/admin/rules: decision tables edited in dmn-js, checked as typed, tested, replayed, then published.

The editor page loads the live DMN into dmn-js; the page's script posts the draft to ``check`` on
every change (JSON: problems by rule and column, durations in days and hours). The test, replay,
publish, recalc and what-if panels are htmx forms carrying the draft XML and answer with a fragment.
"""

from __future__ import annotations

from functools import wraps

from flask import Response, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import login_required

from api.extensions import db
from engine import rule_drafts, rule_simulation, rules
from engine.errors import BadRequest, Conflict, FormInvalid
from engine.tasks import commit_or_conflict

from ..session import me
from . import pages

DEFAULT_REPLAY = 50


def _labels() -> dict[str, str]:
    return {"day": _("days"), "hour": _("hours"), "minute": _("minutes"), "every": _("every")}


def _xml() -> bytes:
    xml = request.form.get("xml", "").encode("utf-8")
    if not xml:
        raise BadRequest("xml: the draft is empty", fields={"xml": "required"})
    if len(xml) > current_app.config["MEDIATE"].max_upload_bytes:  # the limit a deployed file has
        raise BadRequest("xml: the draft is larger than a deployment accepts", fields={"xml": "too large"})
    return xml


def _fragment_errors(view):
    """Draft problems and refusals as a fragment in the panel that asked (422, 409, 400)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except (FormInvalid, Conflict, BadRequest) as err:
            db.session.rollback()
            status = 422 if isinstance(err, FormInvalid) else 409 if isinstance(err, Conflict) else 400
            return render_template("_rules_refused.html", error=err, problems=err.details or []), status
    return wrapped


@pages.get("/admin/rules")
@login_required
def rules_list():
    return render_template("rules.html", tables=rules.list_tables(db.session, me()))


@pages.get("/admin/rules/<decision_id>")
@login_required
def rule_edit(decision_id: str):
    table = rules.live(db.session, me(), decision_id)
    return render_template("rule_edit.html", table=table, replay_default=DEFAULT_REPLAY,
                           max_replay=rules.MAX_REPLAY, simulated=rule_simulation.played(db.session, decision_id),
                           mix=rule_simulation.default_mix(), simulate_default=rule_simulation.DEFAULT_CASES,
                           max_simulate=rule_simulation.MAX_CASES)


@pages.get("/admin/rules/<decision_id>/live.dmn")
@login_required
def rule_xml(decision_id: str):
    table = rules.live(db.session, me(), decision_id)
    return Response(table.file.content, mimetype="application/xml", headers={"Cache-Control": "no-store"})


@pages.post("/admin/rules/<decision_id>/check")
@login_required
def rule_check(decision_id: str):
    try:
        draft = rules.check(db.session, me(), decision_id, _xml())
    except FormInvalid as err:
        return jsonify(ok=False, message=err.message, problems=err.details or []), 422
    return jsonify(ok=True, sha256=draft.sha256, problems=[],
                   durations=rule_drafts.duration_cells(draft.table, _labels()))


@pages.post("/admin/rules/<decision_id>/evaluate")
@login_required
@_fragment_errors
def rule_evaluate(decision_id: str):
    typed = {k.removeprefix("inputs."): v for k, v in request.form.items() if k.startswith("inputs.")}
    answer = rules.evaluate(db.session, me(), decision_id, _xml(), typed)
    return render_template("_rules_answer.html", answer=answer, labels=_labels())


@pages.post("/admin/rules/<decision_id>/replay")
@login_required
@_fragment_errors
def rule_replay(decision_id: str):
    try:
        count = int(request.form.get("cases", DEFAULT_REPLAY))
    except ValueError:
        raise BadRequest("cases: enter a number", fields={"cases": "enter a number"}) from None
    result = rules.replay(db.session, me(), decision_id, _xml(), count)
    commit_or_conflict(db.session)  # the audit log remembers that this draft was replayed
    return render_template("_rules_replay.html", result=result, labels=_labels())


@pages.post("/admin/rules/<decision_id>/publish")
@login_required
@_fragment_errors
def rule_publish(decision_id: str):
    settings = current_app.config["MEDIATE"]
    result = rules.publish(db.session, me(), decision_id, _xml(), max_bytes=settings.max_upload_bytes,
                           forms_dir=settings.forms_dir)
    commit_or_conflict(db.session)
    return render_template("_rules_published.html", result=result, decision_id=decision_id)


@pages.post("/admin/rules/<decision_id>/simulate")
@login_required
@_fragment_errors
def rule_simulate(decision_id: str):
    result = rule_simulation.simulate(db.session, me(), decision_id, _xml(), request.form.get("cases"),
                                      request.form.get("seed"))
    db.session.rollback()  # a what-if writes nothing
    return render_template("_rules_simulated.html", result=result)


@pages.post("/admin/rules/<decision_id>/recalc")
@login_required
@_fragment_errors
def rule_recalc(decision_id: str):
    result = rules.recalc_timers(db.session, me())
    commit_or_conflict(db.session)
    return render_template("_rules_recalc.html", result=result)
