from flask import jsonify

from engine import accounts

from ..auth import issue_token
from ..errors import Unauthorized
from ..extensions import db
from ..schemas import TokenIn, TokenOut
from . import body, v1


@v1.post("/auth/token")
def token():
    creds = body(TokenIn())
    user = accounts.authenticate(db.session, creds["username"], creds["password"])
    if user is None:
        raise Unauthorized("unknown user or wrong password")
    return jsonify(TokenOut().dump({"token": issue_token(user), "username": user.username,
                                    "role": user.role, "unit": user.org_unit.code}))
