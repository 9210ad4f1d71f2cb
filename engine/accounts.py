"""Users and passwords (scrypt hashes; no plain password is ever stored)."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit, inbox
from .errors import BadRequest, NotFound
from .models import INTEGER_MAX, ROLES, OrgUnit, TaskItem, User

_N, _R, _P = 2**14, 8, 1
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 200  # what POST /auth/token accepts


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


def add_user(session: Session, username: str, password: str | None, role: str, unit: OrgUnit,
             display_name: str = "", *, password_hash: str | None = None) -> User:
    """Create a user with a hashed password (or a hash already made, for bulk loads of one password)."""
    if role not in ROLES:
        raise BadRequest(f"unknown role {role!r}", fields={"role": f"one of {', '.join(ROLES)}"})
    user = User(username=username, password_hash=password_hash or hash_password(password), role=role,
                org_unit=unit, display_name=display_name or username, session_version=0)
    session.add(user)
    inbox.forget_candidates()
    return user


@functools.cache
def _dummy_hash(n: int) -> str:
    """A well-formed hash with random salt and digest: checking it costs scrypt and never matches."""
    salt, digest = (base64.b64encode(secrets.token_bytes(size)).decode() for size in (16, 64))
    return "$".join(["scrypt", str(n), str(_R), str(_P), salt, digest])


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, or None; every refusal costs one scrypt run."""
    user = session.scalar(select(User).where(User.username == username))
    # An unknown name checks a throw-away hash of the same cost, so the answer's timing does not
    # tell which usernames exist.
    stored = user.password_hash if user is not None else _dummy_hash(_N)
    matches = check_password(stored, password)
    return user if matches and user is not None and user.active else None


def sign_in(session: Session, username: str, password: str, address: str) -> User | None:
    """``authenticate``, with an audit event for the attempt either way (never the password)."""
    user = authenticate(session, username, password)
    kind = "signed_in" if user is not None else "sign_in_failed"
    audit.record(session, kind, username[:80], detail={"username": username, "address": address})
    return user


def session_user(session: Session, session_id: str) -> User | None:
    """The active user a page session ``"<id>:<session version>"`` names, or None once it was revoked."""
    user_id, _, version = session_id.partition(":")
    if not (_whole(user_id) and _whole(version)):
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def _whole(text: str) -> bool:
    """A whole number that fits the database's integer columns."""
    return text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= INTEGER_MAX


def find_user(session: Session, username: str) -> User:
    """The user with this username, active or not; NotFound names the field."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}", fields={"username": "no such user"})
    return user


def check_password_policy(password: str) -> None:
    """``BadRequest`` naming ``password`` unless it is as long as the policy asks."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        limits = f"at least {MIN_PASSWORD_LENGTH} and at most {MAX_PASSWORD_LENGTH} characters"
        raise BadRequest(f"the password must have {limits}", fields={"password": limits})


def generate_password() -> str:
    """A random password for an administrator to hand over once (12 characters, about 72 bits)."""
    return secrets.token_urlsafe(9)


def change_password(session: Session, user: User, password: str, actor: str) -> User:
    """Set a new password and end every token issued before it."""
    check_password_policy(password)
    user.password_hash = hash_password(password)
    user.session_version += 1
    audit.record(session, "password_changed", actor, detail={"username": user.username})
    return user


def deactivate(session: Session, user: User, actor: str) -> User:
    """Stop the user signing in and end their tokens; the open tasks they held go back to their units.

    Their history (audit events, completed tasks, cases they reported) stays.
    """
    user.active = False
    user.session_version += 1
    release_tasks(session, user, actor, "user_deactivated")
    inbox.forget_candidates()
    audit.record(session, "user_deactivated", actor, detail={"username": user.username})
    return user


def reactivate(session: Session, user: User, actor: str) -> User:
    """Let a deactivated user sign in again (with the password they had)."""
    if not user.org_unit.active:
        raise BadRequest(f"{user.username}'s unit {user.org_unit.code} is closed; move them to an open unit first",
                         fields={"unit": "the unit is closed"})
    user.active = True
    inbox.forget_candidates()
    audit.record(session, "user_reactivated", actor, detail={"username": user.username})
    return user


def release_tasks(session: Session, user: User, actor: str, why: str) -> int:
    """Give every open task the user holds back to its unit's role; returns how many."""
    held = list(session.scalars(select(TaskItem).where(TaskItem.assignee_id == user.id,
                                                       TaskItem.state == "ready")))
    for row in held:
        row.assignee_id = None
        row.open_to_unit = False
        audit.record(session, "task_unclaimed", actor, case_id=row.case_id, task_id=row.id,
                     detail={"username": user.username, "reason": why})
    return len(held)
