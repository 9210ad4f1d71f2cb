"""The designer's web modeler: a deployed process in bpmn-js with Mediate's side panel, and the JSON the
page calls to check the edited diagram, compare it with the deployed version and deploy it.

Designers and administrators only (403 otherwise). The edited diagram is posted as the request body
(``application/xml``) with the page's CSRF token in ``X-CSRFToken``.
"""

from __future__ import annotations

from flask import Response, current_app, jsonify, render_template, request
from flask_login import login_required

from api.extensions import db
from engine import modeler
from engine.errors import BadRequest, DeploymentRejected

from .. import forms
from ..session import me
from . import checked_args, pages

PATH_MAX = 200


def _settings():
    return current_app.config["MEDIATE"]


def _body() -> bytes:
    """The posted diagram, read no further than the upload limit (the deploy checks refuse a larger one)."""
    return request.stream.read(_settings().max_upload_bytes + 1)


@pages.get("/designer/processes/<process_id>")
@login_required
def modeler_page(process_id: str):
    bench = modeler.workbench(db.session, me(), process_id)
    return render_template("modeler.html", bench=bench)


@pages.get("/designer/processes/<process_id>/diagram.xml")
@login_required
def modeler_xml(process_id: str):
    bench = modeler.workbench(db.session, me(), process_id)
    return Response(bench["xml"], mimetype="application/xml", headers={"Cache-Control": "no-store"})


@pages.get("/designer/catalogue")
@login_required
def modeler_catalogue():
    return jsonify(modeler.catalogue(db.session, me()))


@pages.get("/designer/forms/preview")
@login_required
def modeler_form_preview():
    path = checked_args().get("path", "")[:PATH_MAX]
    if not path:
        raise BadRequest("name the form to preview", fields={"path": "required"})
    schema = modeler.form_schema(db.session, me(), path)
    return render_template("modeler_form_preview.html", schema=schema, path=path, F=forms, errors={})


@pages.post("/designer/processes/<process_id>/validate")
@login_required
def modeler_validate(process_id: str):
    settings = _settings()
    problems = modeler.check(db.session, me(), process_id, _body(), max_bytes=settings.max_upload_bytes,
                             forms_dir=settings.forms_dir)
    db.session.rollback()  # a check writes nothing
    return jsonify(problems=problems)


@pages.post("/designer/processes/<process_id>/diff")
@login_required
def modeler_diff(process_id: str):
    return jsonify(modeler.diff(db.session, me(), process_id, _body()))


@pages.post("/designer/processes/<process_id>/deploy")
@login_required
def modeler_deploy(process_id: str):
    settings = _settings()
    base = request.args.get("base_version", type=int)
    try:
        result = modeler.deploy_edited(db.session, me(), process_id, _body(), base_version=base,
                                       max_bytes=settings.max_upload_bytes, forms_dir=settings.forms_dir)
    except DeploymentRejected as err:
        db.session.rollback()
        return jsonify(problems=err.details or []), 422
    db.session.commit()
    return jsonify(result), 201 if result["deployment"] else 200
