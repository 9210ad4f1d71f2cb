"""Signing in and out, the front door and the language switch."""

from __future__ import annotations

from flask import current_app, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from api.extensions import db, limiter
from engine import accounts, json_input

from .. import i18n
from ..session import Staff
from . import local_target, pages

USERNAME_MAX = 80


def _username_key() -> str:
    return "user:" + request.form.get("username", "")[:USERNAME_MAX]


@pages.get("/")
def index():
    return redirect(url_for("pages.inbox" if current_user.is_authenticated else "pages.login"))


# The same limits, keys and counters as POST /api/v1/auth/token: per username only failed attempts
# count, per client address every attempt; a name or address throttled at one door is at the other.
@pages.route("/login", methods=["GET", "POST"])
@limiter.shared_limit(lambda: current_app.config["MEDIATE"].login_address_limit, "sign-in-address", methods=["POST"],
                      key_func=lambda: "address:" + (request.remote_addr or ""))
@limiter.shared_limit(lambda: current_app.config["MEDIATE"].login_limit, "sign-in-user", methods=["POST"],
                      key_func=_username_key, deduct_when=lambda response: response.status_code == 401)
def login():
    target = local_target(request.values.get("next"), url_for("pages.inbox"))
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(target)
        return render_template("login.html", next=target, errors={}, username="")
    username, password = request.form.get("username", ""), request.form.get("password", "")
    errors = _form_errors(username, password)
    if errors:
        return render_template("login.html", next=target, errors=errors, username=username[:USERNAME_MAX]), 400
    user = accounts.sign_in(db.session, username, password, request.remote_addr or "")
    db.session.commit()  # the audit event of a failed attempt is kept too
    if user is None:
        failed = {"form": _("Unknown user or wrong password.")}
        return render_template("login.html", next=target, errors=failed, username=username), 401
    session.clear()  # a fresh session (and CSRF token) for the signed-in user
    login_user(Staff(user))
    session.permanent = True
    return redirect(target)


def _form_errors(username: str, password: str) -> dict[str, str]:
    errors = {}
    if not username.strip():
        errors["username"] = _("Enter your username.")
    elif len(username) > USERNAME_MAX or json_input.text_problem(username):
        errors["username"] = _("This is not a username.")
    if not password:
        errors["password"] = _("Enter your password.")
    elif len(password) > accounts.MAX_PASSWORD_LENGTH or json_input.text_problem(password):
        errors["password"] = _("This is not a password.")
    return errors


@pages.post("/logout")
@login_required
def logout():
    logout_user()
    session.clear()
    return redirect(url_for("pages.login"))


@pages.get("/language/<code>")
def language(code: str):
    """Remember the visitor's language in a cookie and go back to the page they were on."""
    response = make_response(redirect(local_target(request.args.get("next"), url_for("pages.index"))))
    if code in i18n.LANGUAGES:
        response.set_cookie(i18n.COOKIE, code, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response
