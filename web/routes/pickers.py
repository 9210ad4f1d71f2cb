"""What a form's reference pickers list: units, mediators and users of the signed-in user's county, as JSON.

The JSON API's lookups want a bearer token; the pages use their session, so these small routes
call the same engine lookups. A filter the form declares comes in the query string as it is
declared (a list filter repeats its key).
"""

from __future__ import annotations

from flask import jsonify, request
from flask_login import login_required

from api.extensions import db
from engine import lookups

from ..session import me
from . import checked_args, pages

LISTED = 20
TEXT_MAX = 60


def _text() -> str | None:
    return checked_args().get("q", "").strip()[:TEXT_MAX] or None


@pages.get("/pick/unit")
@login_required
def pick_unit():
    text, found = _text(), []
    for unit_kind in request.args.getlist("kind") or [None]:
        rows, _ = lookups.units(db.session, me(), kind=unit_kind, text=text, per_page=LISTED)
        found += [{"value": u.code, "label": f"{u.name} · {u.code}",
                   "detail": u.parent.name if u.parent else ""} for u in rows]
    return jsonify(items=sorted(found, key=lambda item: item["value"])[:LISTED])


@pages.get("/pick/mediator")
@login_required
def pick_mediator():
    args = request.args
    gold = {"true": True, "false": False}.get(args.get("gold", ""))
    found = []
    for tier in args.getlist("tier") or [None]:
        rows, _ = lookups.mediators(db.session, me(), tier=tier, specialty=args.get("specialty") or None,
                                    mediation_type=args.get("mediation_type") or None, gold=gold,
                                    text=_text(), per_page=LISTED)
        found += [{"value": m.id, "label": f"{m.name} · {m.id}", "detail": m.org_unit.name} for m in rows]
    return jsonify(items=found[:LISTED])


@pages.get("/pick/user")
@login_required
def pick_user():
    unit_kinds = set(request.args.getlist("unit_kind"))
    found = []
    for role in request.args.getlist("role") or [None]:
        rows, _ = lookups.users(db.session, me(), role=role, text=_text(), per_page=200 if unit_kinds else LISTED)
        found += [{"value": u.username, "label": f"{u.display_name or u.username} · {u.username}",
                   "detail": u.org_unit.name} for u in rows if not unit_kinds or u.org_unit.kind in unit_kinds]
    return jsonify(items=found[:LISTED])
