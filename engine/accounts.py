"""Users and passwords (scrypt hashes; no plain password is ever stored)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import inbox
from .errors import BadRequest
from .models import ROLES, OrgUnit, User

_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    """A salted scrypt hash in ``scrypt$n$r$p$salt$hash`` form."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P)
    return "$".join(["scrypt", str(_N), str(_R), str(_P), base64.b64encode(salt).decode(),
                     base64.b64encode(digest).decode()])


def check_password(stored: str, password: str) -> bool:
    """Constant-time comparison of a password with its stored hash."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def add_user(session: Session, username: str, password: str, role: str, unit: OrgUnit,
             display_name: str = "") -> User:
    """Create a user with a hashed password."""
    if role not in ROLES:
        raise BadRequest(f"unknown role {role!r}", fields={"role": f"one of {', '.join(ROLES)}"})
    user = User(username=username, password_hash=hash_password(password), role=role,
                org_unit=unit, display_name=display_name or username)
    session.add(user)
    inbox.forget_candidates()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None or not check_password(user.password_hash, password):
        return None
    return user
