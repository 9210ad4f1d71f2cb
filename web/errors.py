"""Errors on the pages: a page in the user's language (a banner for htmx), never a stack trace.

The JSON API keeps its own handlers (api/errors.py); the engine's errors map to the same statuses
through its table. A request for a path that matches no route gets a page too, unless it is
under ``/api/``.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from api.errors import STATUS
from api.extensions import db
from engine.errors import EngineError

from .routes import pages

log = logging.getLogger(__name__)

# status -> (heading, what to do); anything else reads as a bad request.
MESSAGES = {
    400: (_l("This request could not be handled"), _l("Check what you entered and try again.")),
    403: (_l("You may not open this"), _l("It belongs to another unit or to another role.")),
    404: (_l("Not found"), _l("This page does not exist, or what it showed has been removed.")),
    405: (_l("This request could not be handled"), _l("This page cannot be used that way.")),
    409: (_l("Someone else just completed this task"), _l("Reload the list to see where it stands now.")),
    413: (_l("Too much data"), _l("What you sent is larger than allowed.")),
    429: (_l("Too many attempts"), _l("Wait a moment, then try again.")),
    500: (_l("Something went wrong"), _l("The error has been logged. Try again in a moment.")),
    503: (_l("Not available right now"), _l("Wait a moment, then try again.")),
}
CSRF_MESSAGE = (_l("This page has expired"), _l("Reload the page and try again."))


def register(app: Flask) -> None:
    """Unmatched paths outside ``/api/`` get pages too (the blueprint's own handlers are below)."""
    app.extensions["mediate.page_errors"] = _unrouted


@pages.errorhandler(CSRFError)
def _csrf_refused(err: CSRFError):
    return page(400, CSRF_MESSAGE)


@pages.errorhandler(EngineError)
def _engine_error(err: EngineError):
    db.session.rollback()
    return page(next((s for cls, s in STATUS.items() if isinstance(err, cls)), 400))


@pages.errorhandler(StaleDataError)
def _stale(err: StaleDataError):
    db.session.rollback()
    return page(409)


@pages.errorhandler(OperationalError)
def _busy(err: OperationalError):
    db.session.rollback()
    if "locked" in str(err).lower():  # SQLite's other writer: the same answer as the API's
        return page(409)
    log.exception("database error on a page")
    return page(503)


@pages.errorhandler(RateLimitExceeded)  # the API's handler for this code would answer JSON otherwise
@pages.errorhandler(HTTPException)
def _http_error(err: HTTPException):
    db.session.rollback()
    response = page(err.code or 500)
    for name, value in err.get_headers():  # Allow on 405, Retry-After on 429
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


@pages.errorhandler(Exception)
def _unexpected(err: Exception):
    db.session.rollback()
    log.exception("unhandled error on a page")
    return page(500)


def _unrouted(err: HTTPException):
    """A page for an HTTP error outside the routes' blueprints, except for the API's paths (None)."""
    if request.path.startswith("/api/") or request.path == "/api" or request.blueprint is not None:
        return None
    return _http_error(err)


def page(status: int, message: tuple | None = None) -> Response:
    """The error page (or, for htmx, a banner retargeted above the list) for ``status``."""
    heading, advice = message or MESSAGES.get(status, MESSAGES[400])
    if request.headers.get("HX-Request"):
        # An htmx command failed: a banner above the list instead of the row it would have replaced.
        response = make_response(render_template("_alert.html", heading=heading, advice=advice), status)
        response.headers.update({"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"})
        return response
    return make_response(render_template("error.html", heading=heading, advice=advice, status=status), status)
