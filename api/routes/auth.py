from flask import current_app, jsonify, request

from engine import accounts

from ..auth import issue_token
from ..errors import Unauthorized
from ..extensions import db, limiter
from ..schemas import TokenIn, TokenOut
from . import body, v1


def _username_key() -> str:
    payload = request.get_json(silent=True)
    name = payload.get("username") if isinstance(payload, dict) else None
    return "user:" + (name[:80] if isinstance(name, str) else "")


# Per username only failed attempts count (401), so a user who signs in often is never slowed down;
# per client address every attempt counts, which also caps the scrypt work one address can cause.
# The scopes are shared with the sign-in page (web/routes/auth.py): one set of counters for both doors.
@v1.post("/auth/token")
@limiter.shared_limit(lambda: current_app.config["MEDIATE"].login_address_limit, "sign-in-address",
                      key_func=lambda: "address:" + (request.remote_addr or ""),
                      error_message="too many sign-in attempts from this address; try again later")
@limiter.shared_limit(lambda: current_app.config["MEDIATE"].login_limit, "sign-in-user", key_func=_username_key,
                      deduct_when=lambda response: response.status_code == 401,
                      error_message="too many failed sign-ins for this user; try again later")
def token():
    creds = body(TokenIn())
    user = accounts.sign_in(db.session, creds["username"], creds["password"], request.remote_addr or "")
    db.session.commit()  # the audit event of a failed attempt is kept too
    if user is None:
        raise Unauthorized("unknown user or wrong password")
    return jsonify(TokenOut().dump({"token": issue_token(user), "username": user.username,
                                    "role": user.role, "unit": user.org_unit.code}))
