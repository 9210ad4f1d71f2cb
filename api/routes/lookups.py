"""The lists a form's pickers choose references from (``x-ref`` in the forms)."""

from flask import jsonify

from engine import lookups

from ..auth import current_user, login_required
from ..extensions import db
from ..schemas import MediatorOut, MediatorQuery, UnitLookupOut, UnitQuery, UserOut, UserQuery
from . import query, v1


def _listing(rows, more, args, schema):
    return jsonify({"items": schema.dump(rows), "page": args["page"], "has_more": more})


@v1.get("/units")
@login_required
def list_units():
    args = query(UnitQuery())
    rows, more = lookups.units(db.session, current_user(), **args)
    return _listing(rows, more, args, UnitLookupOut(many=True))


@v1.get("/mediators")
@login_required
def list_mediators():
    args = query(MediatorQuery())
    rows, more = lookups.mediators(db.session, current_user(), **args)
    return _listing(rows, more, args, MediatorOut(many=True))


@v1.get("/users")
@login_required
def list_users():
    args = query(UserQuery())
    rows, more = lookups.users(db.session, current_user(), **args)
    return _listing(rows, more, args, UserOut(many=True))
