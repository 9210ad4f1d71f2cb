"""Routes under ``/api/v1``: each validates input, calls one engine function, dumps the result."""

from __future__ import annotations

from flask import Blueprint, request
from marshmallow import Schema

from engine.errors import BadRequest
from engine.tasks import commit_or_conflict

from ..extensions import db

v1 = Blueprint("v1", __name__, url_prefix="/api/v1")


def body(schema: Schema) -> dict:
    """The JSON body, loaded through ``schema`` (400 naming the fields when it does not fit)."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise BadRequest("the request body must be a JSON object", fields={"(body)": "not a JSON object"})
    return schema.load(payload)


def query(schema: Schema) -> dict:
    """Query-string arguments, loaded through ``schema``."""
    return schema.load(request.args.to_dict())


def commit() -> None:
    commit_or_conflict(db.session)


from . import auth, cases, orders, processes, tasks, timers  # noqa: E402,F401  (routes register on v1)
