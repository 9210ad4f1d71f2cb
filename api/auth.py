"""Bearer tokens: signed, time-limited, naming the user id and the user's session version."""

from __future__ import annotations

from functools import wraps

from flask import current_app, g, request
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from engine import clock
from engine.models import User

from .errors import Unauthorized
from .extensions import db


class _ClockSigner(TimestampSigner):
    """Stamps and ages tokens by the engine clock, so a test can move time past a token's end."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="mediate-token", signer=_ClockSigner)


def issue_token(user: User) -> str:
    """A token for the user, valid for the configured number of hours or until their version moves on."""
    return _serializer().dumps({"uid": user.id, "sv": user.session_version})


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
    if not isinstance(payload, dict):
        raise Unauthorized("the token is not valid")
    user = db.session.get(User, payload.get("uid"))
    if user is None or not user.active:
        raise Unauthorized("the token's user no longer exists or is disabled")
    if payload.get("sv") != user.session_version:
        raise Unauthorized("the token was revoked (password changed or account deactivated); log in again")
    return user


def bearer_user() -> User:
    """The active user a valid bearer token names (401 otherwise)."""
    return _user_from_request()


def login_required(view):
    """Reject the request with 401 unless it carries a valid token; sets ``g.user``."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        g.user = _user_from_request()
        return view(*args, **kwargs)

    return wrapped


def current_user() -> User:
    return g.user
