"""One JSON error shape for the whole API: ``{"error": {"code", "message", "fields"?}}``."""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, current_app, jsonify
from flask_limiter import RateLimitExceeded
from marshmallow import ValidationError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from engine import errors

from .extensions import db, limiter

log = logging.getLogger(__name__)

STATUS = {
    errors.BadRequest: 400,
    errors.DeploymentRejected: 400,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.FormInvalid: 422,
}


class Unauthorized(errors.EngineError):
    code = "unauthorized"


class PayloadTooLarge(errors.EngineError):
    """The request body is larger than the configured limit."""

    code = "payload_too_large"


STATUS[Unauthorized] = 401
STATUS[PayloadTooLarge] = 413


def error_response(status: int, code: str, message: str, fields=None, details=None):
    body = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    if details:
        body["details"] = details
    return jsonify({"error": body}), status


def _rollback():
    try:
        db.session.rollback()
    except Exception:  # the session may already be unusable; the response matters more
        log.exception("rollback failed")


def register(app: Flask) -> None:
    """Install the handlers that turn every exception into the one error shape."""
    _register_domain_errors(app)
    _register_http_errors(app)


def _register_domain_errors(app: Flask) -> None:
    """The engine's errors, input validation and the database."""

    @app.errorhandler(errors.EngineError)
    def engine_error(err: errors.EngineError):
        _rollback()
        status = next((s for cls, s in STATUS.items() if isinstance(err, cls)), 400)
        return error_response(status, err.code, err.message, err.fields, err.details)

    @app.errorhandler(ValidationError)
    def schema_error(err: ValidationError):
        _rollback()
        fields = err.messages if isinstance(err.messages, dict) else {"(body)": err.messages}
        flat = {k: (" ".join(v) if isinstance(v, list) and all(isinstance(i, str) for i in v) else v)
                for k, v in fields.items()}
        return error_response(400, "bad_request", f"invalid input: {', '.join(sorted(flat))}", flat)

    @app.errorhandler(StaleDataError)
    def stale(err):
        _rollback()
        return error_response(409, "conflict", "the case was changed by someone else; reload and try again")

    @app.errorhandler(OperationalError)
    def busy(err):
        _rollback()
        if "locked" in str(err).lower():
            return error_response(409, "conflict", "the case is being changed by someone else; try again")
        log.exception("database error")
        return error_response(503, "unavailable", "the database is unavailable")


def _register_http_errors(app: Flask) -> None:
    """HTTP errors (headers kept), throttling, and anything unexpected."""

    @app.errorhandler(RateLimitExceeded)
    def throttled(err: RateLimitExceeded):
        response, status = error_response(429, "too_many_requests", err.description)
        breached = limiter.current_limit
        wait = breached.window.reset_time - time.time() if breached else 60
        response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
        return response, status

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        # A path no route matched, outside /api/: the pages (web/) answer with a page if installed.
        page = current_app.extensions.get("mediate.page_errors")
        if page is not None and (response := page(err)) is not None:
            return response
        _rollback()
        code = (err.name or "error").lower().replace(" ", "_")
        response, status = error_response(err.code or 500, code, err.description or err.name)
        # Allow on 405, Retry-After on 429/503, WWW-Authenticate on 401: the client needs them.
        for name, value in err.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response, status

    @app.errorhandler(Exception)
    def unexpected(err):
        _rollback()
        log.exception("unhandled error")
        return error_response(500, "internal_error", "an internal error occurred; it has been logged")
