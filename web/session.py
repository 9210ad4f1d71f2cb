"""The signed-in user of a page: a Flask-Login session whose id carries the user's session version."""

from __future__ import annotations

from flask import Response, redirect, request, url_for
from flask_login import UserMixin, current_user

from api.extensions import db
from engine import accounts
from engine.models import User

from .extensions import login_manager


class Staff(UserMixin):
    """A user as Flask-Login keeps them; ``get_id`` is ``"<id>:<session version>"``.

    Changing the password or deactivating the user bumps the version, so every session signed in
    before no longer loads: it ends like the user's API tokens do.
    """

    def __init__(self, user: User):
        self.user = user

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.session_version}"

    @property
    def is_active(self) -> bool:
        return self.user.active


@login_manager.user_loader
def _load(session_id: str) -> Staff | None:
    user = accounts.session_user(db.session, session_id)
    return Staff(user) if user is not None else None


@login_manager.unauthorized_handler
def _sign_in_first():
    target = url_for("pages.login", next=request.full_path.rstrip("?") if request.method == "GET" else None)
    if request.headers.get("HX-Request"):
        # htmx would swap the sign-in page into a table row: tell it to load the page instead.
        return Response(status=401, headers={"HX-Redirect": target})
    return redirect(target)


def me() -> User:
    """The signed-in user (inside ``login_required`` views)."""
    return current_user.user
