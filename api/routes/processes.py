from flask import Response, current_app, jsonify, request

from engine import deploy, rollback
from engine.errors import BadRequest, Forbidden

from ..auth import current_user, login_required
from ..extensions import db
from ..schemas import DeploymentOut, ProcessOut, RollbackOut
from . import commit, v1

DEPLOYER_ROLES = ("designer", "admin")


@v1.get("/processes")
@login_required
def list_processes():
    return jsonify({"items": ProcessOut(many=True).dump(deploy.list_processes(db.session))})


@v1.get("/processes/<process_id>/versions/<int:version>/xml")
@login_required
def process_xml(process_id, version):
    return Response(deploy.version_xml(db.session, process_id, version), mimetype="application/xml")


@v1.post("/deployments")
@login_required
def create_deployment():
    user = current_user()
    if user.role not in DEPLOYER_ROLES:
        raise Forbidden("only designers and administrators deploy processes")
    settings = current_app.config["MEDIATE"]
    uploads = [f for _, f in request.files.items(multi=True)]
    if not uploads:
        raise BadRequest("send the files as multipart/form-data", fields={"files": "no file uploaded"})
    files = [deploy.SourceFile(f.filename or "", f.read(settings.max_upload_bytes + 1)) for f in uploads]
    result = deploy.deploy(db.session, files, user.username, max_bytes=settings.max_upload_bytes,
                           forms_dir=settings.forms_dir)
    commit()
    return jsonify(DeploymentOut().dump(result)), 201 if result["deployment"] else 200


@v1.post("/processes/<process_id>/versions/<int:version>/rollback")
@login_required
def rollback_version(process_id, version):
    user = current_user()
    if user.role not in DEPLOYER_ROLES:
        raise Forbidden("only designers and administrators roll processes back")
    settings = current_app.config["MEDIATE"]
    result = rollback.rollback(db.session, process_id, version, user.username, max_bytes=settings.max_upload_bytes,
                               forms_dir=settings.forms_dir)
    commit()
    return jsonify(RollbackOut().dump(result)), 201
