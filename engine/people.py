"""The administrator's user accounts: create, edit, move to another unit, deactivate, reactivate, reset a password.

Each function is one change in the caller's transaction, audited with the administrator's
username. Bad input raises ``FormInvalid`` naming the field (``username``, ``role``, ``unit``,
``password``); a caller who is not an administrator gets ``Forbidden``. A user is never
deleted: their cases, tasks and audit trail name them for good.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import accounts, audit, inbox, lookups, orgs, references
from .errors import BadRequest, Forbidden, FormInvalid
from .models import ROLES, OrgUnit, User

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{1,79}$")
USERNAME_RULE = "2 to 80 letters, digits or _ . @ -, starting with a letter or digit"
DISPLAY_NAME_MAX = 120


@dataclass(frozen=True)
class Issued:
    """A user with the password just set; ``password`` is only there when it was generated, to show once."""

    user: User
    password: str | None


def operator(name: str = "cli") -> User:
    """Whoever runs ``mediate`` on the server: they may do what an administrator may (never stored)."""
    return User(username=name, role="admin")


def require_admin(actor: User) -> None:
    if actor.role != "admin":
        raise Forbidden("only administrators manage users, units and mediators")


def invalid(field: str, zh: str, en: str) -> FormInvalid:
    """``FormInvalid`` naming ``field`` with a "中文 English" message, as the task forms' messages are."""
    return FormInvalid(f"{field}: {en}", fields={field: f"{zh} {en}"})


def kind_name(kind: str) -> str:
    return references.UNIT_NAMES.get(kind, (kind,))[0]


def role_names(roles) -> str:
    return "、".join(references.ROLE_NAMES.get(r, (r,))[0] for r in roles)


def open_unit(session: Session, code: str, field: str = "unit") -> OrgUnit:
    """The active unit with this code; ``FormInvalid`` naming ``field`` otherwise."""
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == (code or "").strip()))
    if unit is None:
        raise invalid(field, f"没有代码为 {code} 的单位", f"no unit with code {code!r}")
    if not unit.active:
        raise invalid(field, f"单位 {unit.code} 已关闭", f"unit {unit.code} is closed")
    return unit


def check_role_at(role: str, unit: OrgUnit) -> None:
    """The role must exist and be one a unit of this kind holds (``orgs.ROLES_AT``)."""
    if role not in ROLES:
        raise invalid("role", f"岗位须为{role_names(ROLES)}之一", f"one of {', '.join(ROLES)}")
    allowed = orgs.ROLES_AT.get(unit.kind, ())
    if role not in allowed:
        raise invalid("role", f"{kind_name(unit.kind)}只设{role_names(allowed)}岗位",
                      f"a {unit.kind} holds {', '.join(allowed)}, not {role}")


def _password(password: str | None) -> tuple[str, str | None]:
    """The password to set and, when generated, the same text to show the administrator once."""
    if password:
        try:
            accounts.check_password_policy(password)
        except BadRequest as err:
            limits = f"{accounts.MIN_PASSWORD_LENGTH} 至 {accounts.MAX_PASSWORD_LENGTH} 个字符"
            raise invalid("password", f"密码须为 {limits}", err.fields["password"]) from None
        return password, None
    made = accounts.generate_password()
    return made, made


def _display_name(text: str | None, fallback: str) -> str:
    name = (text or "").strip()
    if len(name) > DISPLAY_NAME_MAX:
        raise invalid("display_name", f"姓名最多 {DISPLAY_NAME_MAX} 个字", f"at most {DISPLAY_NAME_MAX} characters")
    return name or fallback


def find(session: Session, actor: User, username: str) -> User:
    require_admin(actor)
    return accounts.find_user(session, username)


def list_users(session: Session, actor: User, **filters) -> tuple[list[User], bool]:
    """Every user (inactive ones too when asked), filtered as the lookups filter them."""
    require_admin(actor)
    return lookups.users(session, actor, **filters)


def create(session: Session, actor: User, *, username: str, role: str, unit: str, display_name: str = "",
           password: str | None = None) -> Issued:
    """A new active user; without a password one is generated and returned once."""
    require_admin(actor)
    username = (username or "").strip()
    if not USERNAME.match(username):
        raise invalid("username", "用户名须为 2 至 80 个字母、数字或 _ . @ -,以字母或数字开头", USERNAME_RULE)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise invalid("username", f"用户名 {username} 已被占用", f"{username} is taken")
    place = open_unit(session, unit)
    check_role_at(role, place)
    text, shown = _password(password)
    user = accounts.add_user(session, username, text, role, place, _display_name(display_name, username))
    session.flush()
    audit.record(session, "user_created", actor.username,
                 detail={"username": username, "role": role, "unit": place.code})
    return Issued(user, shown)


def update(session: Session, actor: User, username: str, *, display_name: str | None = None,
           role: str | None = None, unit: str | None = None) -> User:
    """Change the name, role or unit; a move keeps the user's history and hands back the tasks they held."""
    require_admin(actor)
    user = accounts.find_user(session, username)
    place = open_unit(session, unit) if unit else user.org_unit
    new_role = role or user.role
    changes: dict[str, list] = {}
    if place.id != user.org_unit_id or new_role != user.role:
        check_role_at(new_role, place)
        if user.id == actor.id and new_role != "admin":
            raise invalid("role", "不能取消自己的管理员岗位", "you cannot take the administrator role from yourself")
    if display_name is not None:
        name = _display_name(display_name, user.username)
        if name != user.display_name:
            changes["display_name"] = [user.display_name, name]
            user.display_name = name
    if new_role != user.role:
        changes["role"] = [user.role, new_role]
        user.role = new_role
    if place.id != user.org_unit_id:
        changes["unit"] = [user.org_unit.code, place.code]
        user.org_unit = place
    if "role" in changes or "unit" in changes:
        # Tasks held under the old role or unit go back to whoever works them there now; the
        # completed ones, the audit trail and the cases they reported keep naming the user.
        changes["released_tasks"] = accounts.release_tasks(session, user, actor.username, "user_moved")
        user.session_version += 1  # pages and tokens show the new role and unit after signing in again
        inbox.forget_candidates()
    if changes:
        audit.record(session, "user_changed", actor.username, detail={"username": user.username, **changes})
    return user


def set_active(session: Session, actor: User, username: str, active: bool) -> User:
    """Deactivate (sessions end, held tasks go back to the unit) or reactivate a user."""
    require_admin(actor)
    user = accounts.find_user(session, username)
    if user.active == active:
        return user
    if not active:
        if user.id == actor.id:
            raise invalid("username", "不能停用自己", "you cannot deactivate yourself")
        return accounts.deactivate(session, user, actor.username)
    if not user.org_unit.active:
        raise invalid("unit", f"所在单位 {user.org_unit.code} 已关闭,请先调到在用单位",
                      f"unit {user.org_unit.code} is closed; move the user to an open unit first")
    return accounts.reactivate(session, user, actor.username)


def reset_password(session: Session, actor: User, username: str, password: str | None = None) -> Issued:
    """Set the password the administrator typed, or a generated one shown once; the user's sessions end."""
    require_admin(actor)
    user = accounts.find_user(session, username)
    text, shown = _password(password)
    accounts.change_password(session, user, text, actor.username)
    return Issued(user, shown)

