"""The administrator's users, units and mediator pool (``/admin/...``); reading and changing both need the admin role."""

from flask import jsonify

from engine import people, pool, unit_import, units

from ..auth import current_user, login_required
from ..extensions import db
from ..schemas import (
    AdminMediatorIn,
    AdminMediatorUpdateIn,
    AdminUnitIn,
    AdminUnitOut,
    AdminUnitRenameIn,
    AdminUnitsOut,
    AdminUserIn,
    AdminUserOut,
    AdminUserQuery,
    AdminUserUpdateIn,
    IssuedOut,
    MediatorOut,
    MediatorQuery,
    PasswordResetIn,
    UnitImportIn,
    UnitImportOut,
    UnitTreeQuery,
)
from . import body, commit, query, v1


def _listing(rows, more, args, schema):
    return jsonify({"items": schema.dump(rows), "page": args["page"], "has_more": more})


def _saved(schema, row, status: int = 200):
    commit()
    return jsonify(schema.dump(row)), status


# -- users ---------------------------------------------------------------------------------------
@v1.get("/admin/users")
@login_required
def admin_users():
    args = query(AdminUserQuery())
    rows, more = people.list_users(db.session, current_user(), **args)
    return _listing(rows, more, args, AdminUserOut(many=True))


@v1.post("/admin/users")
@login_required
def admin_user_create():
    return _saved(IssuedOut(), people.create(db.session, current_user(), **body(AdminUserIn())), 201)


@v1.get("/admin/users/<username>")
@login_required
def admin_user(username: str):
    return jsonify(AdminUserOut().dump(people.find(db.session, current_user(), username)))


@v1.post("/admin/users/<username>")
@login_required
def admin_user_update(username: str):
    return _saved(AdminUserOut(), people.update(db.session, current_user(), username, **body(AdminUserUpdateIn())))


@v1.post("/admin/users/<username>/deactivate")
@login_required
def admin_user_deactivate(username: str):
    return _saved(AdminUserOut(), people.set_active(db.session, current_user(), username, False))


@v1.post("/admin/users/<username>/reactivate")
@login_required
def admin_user_reactivate(username: str):
    return _saved(AdminUserOut(), people.set_active(db.session, current_user(), username, True))


@v1.post("/admin/users/<username>/password")
@login_required
def admin_user_password(username: str):
    args = body(PasswordResetIn())
    return _saved(IssuedOut(), people.reset_password(db.session, current_user(), username, args.get("password")))


# -- units ---------------------------------------------------------------------------------------
@v1.get("/admin/units")
@login_required
def admin_units():
    args = query(UnitTreeQuery())
    return jsonify(AdminUnitsOut().dump({"items": units.tree(db.session, current_user(), **args)}))


@v1.post("/admin/units")
@login_required
def admin_unit_create():
    return _saved(AdminUnitOut(), units.create(db.session, current_user(), **body(AdminUnitIn())), 201)


@v1.post("/admin/units/<code>")
@login_required
def admin_unit_rename(code: str):
    return _saved(AdminUnitOut(), units.rename(db.session, current_user(), code, body(AdminUnitRenameIn())["name"]))


@v1.post("/admin/units/<code>/deactivate")
@login_required
def admin_unit_deactivate(code: str):
    return _saved(AdminUnitOut(), units.set_active(db.session, current_user(), code, False))


@v1.post("/admin/units/<code>/reactivate")
@login_required
def admin_unit_reactivate(code: str):
    return _saved(AdminUnitOut(), units.set_active(db.session, current_user(), code, True))


@v1.post("/admin/unit-imports")
@login_required
def admin_unit_import():
    made = unit_import.run(db.session, current_user(), body(UnitImportIn())["csv"])
    return _saved(UnitImportOut(), {"count": len(made), "codes": [u.code for u in made]}, 201)


# -- the mediator pool ---------------------------------------------------------------------------
@v1.get("/admin/mediators")
@login_required
def admin_mediators():
    args = query(MediatorQuery())
    rows, more = pool.list_pool(db.session, current_user(), **args)
    return _listing(rows, more, args, MediatorOut(many=True))


@v1.post("/admin/mediators")
@login_required
def admin_mediator_create():
    return _saved(MediatorOut(), pool.create(db.session, current_user(), **body(AdminMediatorIn())), 201)


@v1.post("/admin/mediators/<int:id>")
@login_required
def admin_mediator_update(id: int):
    return _saved(MediatorOut(), pool.update(db.session, current_user(), id, **body(AdminMediatorUpdateIn())))


@v1.post("/admin/mediators/<int:id>/deactivate")
@login_required
def admin_mediator_deactivate(id: int):
    return _saved(MediatorOut(), pool.set_active(db.session, current_user(), id, False))


@v1.post("/admin/mediators/<int:id>/reactivate")
@login_required
def admin_mediator_reactivate(id: int):
    return _saved(MediatorOut(), pool.set_active(db.session, current_user(), id, True))
