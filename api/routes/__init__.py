"""Routes under ``/api/v1``: each validates input, calls one engine function, dumps the result."""

from __future__ import annotations

from flask import Blueprint, current_app, request
from marshmallow import Schema
from werkzeug.exceptions import RequestEntityTooLarge

from engine import json_input
from engine.errors import BadRequest
from engine.tasks import commit_or_conflict

from ..errors import PayloadTooLarge
from ..extensions import db

v1 = Blueprint("v1", __name__, url_prefix="/api/v1")


def body(schema: Schema) -> dict:
    """The JSON body, decoded strictly and loaded through ``schema`` (4xx naming the field otherwise)."""
    limit = request.max_content_length = current_app.config["MEDIATE"].max_json_bytes
    try:
        raw = request.get_data(cache=False) if request.is_json else b""
    except RequestEntityTooLarge:
        raise PayloadTooLarge(f"the request body is larger than {limit} bytes",
                              fields={"(body)": f"larger than {limit} bytes"}) from None
    payload = json_input.loads(raw) if raw else None
    if not isinstance(payload, dict):
        raise BadRequest("the request body must be a JSON object", fields={"(body)": "not a JSON object"})
    return schema.load(payload)


def query(schema: Schema) -> dict:
    """Query-string arguments, loaded through ``schema``."""
    args = request.args.to_dict()
    for name, value in args.items():
        if why := json_input.text_problem(name) or json_input.text_problem(value):
            field = json_input.path_name([name])
            raise BadRequest(f"{field}: {why}", fields={field: why})
    return schema.load(args)


def commit() -> None:
    commit_or_conflict(db.session)


from . import (  # noqa: E402,F401,E501  (routes register on v1)
    admin_people,
    analysis,
    auth,
    cases,
    lookups,
    migrations,
    notifications,
    orders,
    organisation,
    processes,
    risks,
    stats,
    tasks,
    timers,
)
