"""User commands of ``mediate``: add, list, change a password, deactivate and reactivate accounts.

Each runs as the operator at the server (audited as ``cli``) through the same engine functions
as the administrator's pages and API, so the same rules apply: a unique username, a role the
unit's kind holds, an open unit, the password policy.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

from engine import people
from engine.errors import EngineError
from engine.models import ROLES

from .cli import _app, main
from .extensions import db


def _new_password() -> str:
    """From a hidden prompt asked twice, or the first line of standard input when it is not a terminal."""
    if sys.stdin.isatty():
        return click.prompt("New password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


def _run(change: Callable):
    """Run ``change(session, operator)`` in one transaction; an engine error is a message and exit status 1."""
    app = _app()
    with app.app_context():
        try:
            result = change(db.session, people.operator())
            db.session.commit()
        except EngineError as err:
            db.session.rollback()
            fields = "".join(f"\n  {name}: {why}" for name, why in (err.fields or {}).items())
            raise click.ClickException(f"{err.message}{fields}") from None
        return result


def _shown(issued: people.Issued) -> None:
    if issued.password:
        click.echo(f"password (shown once, hand it over and ask them to change it): {issued.password}")


@main.group("users")
def users_group():
    """User account commands."""


@users_group.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES), help="The user's role.")
@click.option("--unit", required=True, help="The code of the user's unit.")
@click.option("--name", "display_name", default="", help="The name shown to others (default: the username).")
@click.option("--ask-password", is_flag=True,
              help="Read the password from a hidden prompt or standard input instead of generating one.")
def users_add(username, role, unit, display_name, ask_password):
    """Create USERNAME at a unit; prints a generated password once unless --ask-password."""
    password = _new_password() if ask_password else None
    issued = _run(lambda s, op: people.create(s, op, username=username, role=role, unit=unit,
                                               display_name=display_name, password=password))
    click.echo(f"{username} added ({role} at {unit})")
    _shown(issued)


@users_group.command("list")
@click.option("--role", type=click.Choice(ROLES), help="Only users of this role.")
@click.option("--unit", help="Only users of this unit (its code).")
@click.option("--all", "include_inactive", is_flag=True, help="Deactivated users too.")
def users_list(role, unit, include_inactive):
    """List users: username, role, unit, state and name, by username."""
    def listing(session, operator):
        rows, page, more = [], 1, True
        while more:
            found, more = people.list_users(session, operator, role=role, unit=unit,
                                            include_inactive=include_inactive, page=page, per_page=200)
            rows += [(u.username, u.role, u.org_unit.code, "active" if u.active else "inactive", u.display_name)
                     for u in found]
            page += 1
        return rows

    for row in _run(listing):
        click.echo("\t".join(row))


@users_group.command("passwd")
@click.argument("username")
@click.option("--generate", is_flag=True, help="Generate a password and print it once instead of reading one.")
def users_passwd(username, generate):
    """Set USERNAME's password, read from a hidden prompt or standard input; their sessions end."""
    password = None if generate else _new_password()
    if not generate and not password:
        raise click.ClickException("no password given")
    issued = _run(lambda s, op: people.reset_password(s, op, username, password))
    click.echo(f"password of {username} changed; their tokens no longer work")
    _shown(issued)


@users_group.command("deactivate")
@click.argument("username")
def users_deactivate(username):
    """Stop USERNAME signing in and end their sessions; their cases and history stay."""
    _run(lambda s, op: people.set_active(s, op, username, False))
    click.echo(f"{username} deactivated")


@users_group.command("reactivate")
@click.argument("username")
def users_reactivate(username):
    """Let USERNAME sign in again with the password they had."""
    _run(lambda s, op: people.set_active(s, op, username, True))
    click.echo(f"{username} reactivated")
