"""The Camunda 7 REST subset Camunda Modeler's Deploy uses, under ``/engine-rest``.

``GET /deployment`` (its connection check), ``GET /version`` and ``POST /deployment/create``,
for designers signing in with Basic (username and password, throttled and audited like
``POST /api/v1/auth/token``, sharing its counters) or a bearer token. Answers and errors take
Camunda's shapes (``{"type", "message"}``), so these routes stay out of ``/api/openapi.json``
on purpose: Camunda's REST reference describes them, and the document's error shape is not theirs.

No cookie is read here (and no Basic challenge is sent, so a browser never keeps the password):
every request carries its own credentials, which is why the pages' CSRF check does not apply and
why the Modeler's ``file://`` page may call from the ``null`` origin.
"""

from __future__ import annotations

import logging
import math
import time
from functools import wraps

from flask import Blueprint, current_app, g, jsonify, request
from flask_limiter import RateLimitExceeded
from werkzeug.exceptions import HTTPException

from engine import accounts, camunda
from engine.deploy import SourceFile
from engine.errors import BadRequest, DeploymentRejected, EngineError, Forbidden, NotFound
from engine.models import User

from . import errors
from .auth import bearer_user
from .extensions import db, limiter
from .routes import commit

log = logging.getLogger(__name__)
engine_rest = Blueprint("engine_rest", __name__, url_prefix="/engine-rest")

ALLOWED_ORIGINS = ("null", "file://")  # Camunda Modeler's page; its desktop requests send no origin
TYPES = {401: "AuthenticationException", 403: "AuthorizationException", 404: "NotFoundException",
         429: "TooManyRequestsException"}


def _camunda_error(status: int, message: str, kind: str | None = None, headers: dict | None = None):
    response = jsonify({"type": kind or TYPES.get(status, "InvalidRequestException" if status < 500
                                                   else "ProcessEngineException"), "message": message})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _basic():
    auth = request.authorization
    return auth if auth is not None and auth.type == "basic" else None


def _username_key() -> str:
    auth = _basic()
    return "user:" + ((auth.username or "")[:80] if auth else "")


def _sign_in() -> User:
    auth = _basic()
    if auth is None:
        return bearer_user()
    user = accounts.sign_in(db.session, auth.username or "", auth.password or "", request.remote_addr or "")
    db.session.commit()  # the audit event of a failed attempt is kept too
    if user is None:
        raise errors.Unauthorized("unknown user or wrong password")
    return user


def designer_required(view):
    """Basic or bearer sign-in of a designer; a Basic attempt counts against the sign-in limits."""

    @limiter.shared_limit(lambda: current_app.config["MEDIATE"].login_address_limit, "sign-in-address",
                          key_func=lambda: "address:" + (request.remote_addr or ""), exempt_when=lambda: not _basic(),
                          error_message="too many sign-in attempts from this address; try again later")
    @limiter.shared_limit(lambda: current_app.config["MEDIATE"].login_limit, "sign-in-user", key_func=_username_key,
                          deduct_when=lambda response: response.status_code == 401, exempt_when=lambda: not _basic(),
                          error_message="too many failed sign-ins for this user; try again later")
    @wraps(view)
    def wrapped(*args, **kwargs):
        if request.authorization is None:
            raise errors.Unauthorized("send 'Authorization: Basic …' (username and password) or 'Bearer <token>'")
        g.user = _sign_in()
        if g.user.role != "designer":
            raise Forbidden("only designers deploy from Camunda Modeler")
        return view(*args, **kwargs)

    return wrapped


def _count(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    if not raw.isdigit() or len(raw) > 9:
        raise BadRequest(f"{name}: must be a whole number from 0", fields={name: "not a whole number"})
    return int(raw)


@engine_rest.get("/deployment")
@designer_required
def deployments():
    return jsonify(camunda.list_deployments(db.session, _count("firstResult") or 0, _count("maxResults")))


@engine_rest.get("/version")
@designer_required
def version():
    return jsonify({"version": camunda.VERSION})


def _resources(limit: int) -> list[SourceFile]:
    """Every part but the named fields is a resource, named by its file name (or its field name)."""
    files = [SourceFile(part.filename or field, part.read(limit + 1)) for field, part in request.files.items(multi=True)]
    files += [SourceFile(field, value.encode("utf-8")) for field, value in request.form.items(multi=True)
              if field not in camunda.FIELDS]
    if not files:
        raise BadRequest("no resource: send each diagram as a multipart part named by its file name",
                         fields={"(resources)": "no file uploaded"})
    return files


@engine_rest.post("/deployment/create")
@designer_required
def create_deployment():
    settings = current_app.config["MEDIATE"]
    form = request.form.to_dict()
    camunda.check_flags(form)
    answer = camunda.deploy(db.session, _resources(settings.max_upload_bytes), g.user.username,
                            name=form.get("deployment-name"), source=form.get("deployment-source"),
                            max_bytes=settings.max_upload_bytes, forms_dir=settings.forms_dir)
    commit()
    return jsonify(answer)


@engine_rest.route("/", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
@engine_rest.route("/<path:rest>", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
def not_served(rest):
    raise NotFound(f"/engine-rest/{rest} is not served: Mediate answers Camunda Modeler's deployment calls only")


@engine_rest.after_request
def cors(response):
    origin = request.headers.get("Origin")
    if origin in ALLOWED_ORIGINS:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Authorization, Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
        response.vary.add("Origin")
    return response


@engine_rest.errorhandler(EngineError)
def engine_error(err: EngineError):
    db.session.rollback()
    status = next((s for cls, s in errors.STATUS.items() if isinstance(err, cls)), 400)
    if isinstance(err, DeploymentRejected):
        response = jsonify(camunda.parse_error(err.message, err.details))
        response.status_code = 400
        return response
    # No Basic challenge: a browser would offer its password dialog and keep what was typed.
    headers = {"WWW-Authenticate": 'Bearer realm="engine-rest"'} if status == 401 else None
    return _camunda_error(status, err.message, headers=headers)


@engine_rest.errorhandler(RateLimitExceeded)
def throttled(err: RateLimitExceeded):
    breached = limiter.current_limit
    wait = breached.window.reset_time - time.time() if breached else 60
    return _camunda_error(429, err.description, headers={"Retry-After": str(max(1, math.ceil(wait)))})


@engine_rest.errorhandler(HTTPException)
def http_error(err: HTTPException):
    db.session.rollback()
    headers = {k: v for k, v in err.get_headers() if k.lower() != "content-type"}
    return _camunda_error(err.code or 500, err.description or err.name, headers=headers)


@engine_rest.errorhandler(Exception)
def unexpected(err: Exception):
    db.session.rollback()
    log.exception("unhandled error")
    return _camunda_error(500, "an internal error occurred; it has been logged")
