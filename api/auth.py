"""Bearer tokens: signed, time-limited, naming the user id."""

from __future__ import annotations

from functools import wraps

from flask import current_app, g, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from engine.models import User

from .errors import Unauthorized
from .extensions import db


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="mediate-token")


def issue_token(user: User) -> str:
    """A token for the user, valid for the configured number of hours."""
    return _serializer().dumps({"uid": user.id})


def _user_from_request() -> User:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("send 'Authorization: Bearer <token>'; get one from POST /api/v1/auth/token")
    max_age = int(current_app.config["MEDIATE"].token_hours * 3600)
    try:
        payload = _serializer().loads(token.strip(), max_age=max_age)
    except SignatureExpired:
        raise Unauthorized("the token has expired; log in again") from None
    except BadSignature:
        raise Unauthorized("the token is not valid") from None
    user = db.session.get(User, payload.get("uid")) if isinstance(payload, dict) else None
    if user is None or not user.active:
        raise Unauthorized("the token's user no longer exists or is disabled")
    return user


def login_required(view):
    """Reject the request with 401 unless it carries a valid token; sets ``g.user``."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        g.user = _user_from_request()
        return view(*args, **kwargs)

    return wrapped


def current_user() -> User:
    return g.user
