"""Schemas of the administrator's calls on users, units and the mediator pool (``/admin/...``).
Re-exported by ``api.schemas``, where the OpenAPI document finds every schema by name."""

from marshmallow import Schema, fields, validate

from engine.models import ROLES, UNIT_KINDS
from engine.pool import MEDIATION_TYPES
from engine.references import TIERS

from .schemas import Strict, UnitOut
from .schemas_org import UserOut, UserQuery

CODE = validate.Length(min=1, max=40)
PASSWORD = validate.Length(min=1, max=200)


class AdminUserQuery(UserQuery):
    pass


class AdminUserOut(UserOut):
    id = fields.Integer()
    parent_unit = fields.Function(lambda u: u.org_unit.parent.code if u.org_unit.parent else None, allow_none=True)


class AdminUserIn(Strict):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    unit = fields.String(required=True, validate=CODE, metadata={"description": "the unit's code"})
    display_name = fields.String(validate=validate.Length(max=120))
    password = fields.String(validate=PASSWORD, metadata={
        "description": "at least 8 characters; leave out to have one generated and returned once"})


class AdminUserUpdateIn(Strict):
    display_name = fields.String(validate=validate.Length(max=120))
    role = fields.String(validate=validate.OneOf(ROLES))
    unit = fields.String(validate=CODE, metadata={"description": "move the user to this unit (history stays)"})


class PasswordResetIn(Strict):
    password = fields.String(validate=PASSWORD, metadata={"description": "leave out to have one generated"})


class IssuedOut(Schema):
    user = fields.Nested(AdminUserOut)
    password = fields.String(allow_none=True, metadata={
        "description": "the generated password, shown this once; null when the administrator typed it"})


class UnitTreeQuery(Schema):
    class Meta:
        unknown = "raise"

    include_inactive = fields.Boolean(load_default=True)


class AdminUnitOut(UnitOut):
    parent = fields.Function(lambda u: u.parent.code if u.parent else None, allow_none=True)
    active = fields.Boolean()


class UnitNodeOut(Schema):
    """A unit in the tree (``engine.units.Node``)."""

    unit = fields.Nested(AdminUnitOut)
    depth = fields.Integer(metadata={"description": "0 for a county, 1 for its towns and departments, …"})
    users = fields.Integer(metadata={"description": "active users at the unit"})


class AdminUnitsOut(Schema):
    items = fields.List(fields.Nested(UnitNodeOut), metadata={"description": "units depth-first from the county"})


class AdminUnitIn(Strict):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    kind = fields.String(required=True, validate=validate.OneOf(UNIT_KINDS))
    parent = fields.String(validate=CODE, metadata={"description": "the parent unit's code; none for a county"})


class AdminUnitRenameIn(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))


class UnitImportIn(Strict):
    csv = fields.String(required=True, validate=validate.Length(min=1, max=2_000_000), metadata={
        "description": "the file's text: header code,name,kind,parent_code"})


class UnitImportOut(Schema):
    count = fields.Integer()
    codes = fields.List(fields.String())


class AdminMediatorUpdateIn(Strict):
    name = fields.String(validate=validate.Length(min=1, max=80))
    tier = fields.String(validate=validate.OneOf(TIERS))
    unit = fields.String(validate=CODE)
    mediation_type = fields.String(validate=validate.OneOf(MEDIATION_TYPES))
    specialties = fields.List(fields.String(validate=validate.Length(min=1, max=40)), validate=validate.Length(max=20))
    gold = fields.Boolean(metadata={"description": "金牌调解员 gold title"})
    username = fields.String(allow_none=True, validate=validate.Length(max=80), metadata={
        "description": "the linked user; null or empty unlinks"})


class AdminMediatorIn(AdminMediatorUpdateIn):
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    tier = fields.String(required=True, validate=validate.OneOf(TIERS))
    unit = fields.String(required=True, validate=CODE)

