"""User commands of ``mediate``: change a password, deactivate an account (both end the user's tokens)."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

from engine import accounts
from engine.errors import EngineError

from .cli import _app, main
from .extensions import db


def _new_password() -> str:
    """From a hidden prompt asked twice, or the first line of standard input when it is not a terminal."""
    if sys.stdin.isatty():
        return click.prompt("New password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


def _change(username: str, change: Callable) -> None:
    app = _app()
    with app.app_context():
        try:
            change(accounts.find_user(db.session, username))
        except EngineError as err:
            raise click.ClickException(err.message) from None
        db.session.commit()


@main.group("users")
def users_group():
    """User account commands."""


@users_group.command("passwd")
@click.argument("username")
def users_passwd(username):
    """Set USERNAME's password, read from a hidden prompt or standard input; their sessions end."""
    password = _new_password()
    _change(username, lambda user: accounts.change_password(db.session, user, password, "cli"))
    click.echo(f"password of {username} changed; their tokens no longer work")


@users_group.command("deactivate")
@click.argument("username")
def users_deactivate(username):
    """Stop USERNAME signing in and end their sessions; their cases and history stay."""
    _change(username, lambda user: accounts.deactivate(db.session, user, "cli"))
    click.echo(f"{username} deactivated")
