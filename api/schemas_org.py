"""Schemas of the organisation-facing calls: lookups for reference pickers, the organisation check,
notifications. Re-exported by ``api.schemas``, where the OpenAPI document finds every schema by name."""

from marshmallow import Schema, fields, validate

from engine.models import ROLES, UNIT_KINDS
from engine.references import TIERS

from .schemas import PageIn, UnitOut


class NotificationQuery(PageIn):
    unread = fields.Boolean()


class NotificationOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    subject = fields.String()
    body = fields.String()
    case_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)
    read = fields.Function(lambda n: n.read_at is not None)


class ReadAllOut(Schema):
    marked = fields.Integer()


class KindCoverageOut(Schema):
    kind = fields.String()
    units = fields.Integer(metadata={"description": "units of this kind the task can land on"})
    uncovered = fields.List(fields.String(), metadata={"description": "codes of those where nobody can take it"})


class TaskCoverageOut(Schema):
    process_id = fields.String()
    version = fields.Integer()
    task = fields.String()
    name = fields.String()
    role = fields.String()
    unit_rule = fields.String()
    assignee = fields.String(allow_none=True, metadata={"description": "the expression naming a person, if any"})
    gaps = fields.Integer()
    kinds = fields.List(fields.Nested(KindCoverageOut))


class OrganisationOut(Schema):
    ok = fields.Boolean(metadata={"description": "every task has someone at every unit it can land on"})
    tasks = fields.List(fields.Nested(TaskCoverageOut))


class UnitQuery(PageIn):
    kind = fields.String(validate=validate.OneOf(UNIT_KINDS))
    parent = fields.String(validate=validate.Length(min=1, max=40), metadata={"description": "a unit's code: its children"})
    text = fields.String(validate=validate.Length(max=100), metadata={"description": "part of the name or code"})


class UnitLookupOut(UnitOut):
    parent = fields.Function(lambda u: u.parent.code if u.parent else None, allow_none=True)


class MediatorQuery(PageIn):
    tier = fields.String(validate=validate.OneOf(TIERS))
    specialty = fields.String(validate=validate.Length(min=1, max=40), metadata={"description": "a dispute type"})
    mediation_type = fields.String(validate=validate.Length(min=1, max=20))
    gold = fields.Boolean()
    username = fields.String(validate=validate.Length(min=1, max=80), metadata={
        "description": "the mediator linked to this user"})
    text = fields.String(validate=validate.Length(max=100), metadata={"description": "part of the name"})
    include_inactive = fields.Boolean(load_default=False)


class MediatorOut(Schema):
    id = fields.Integer(metadata={"description": "what a form's mediator reference holds"})
    name = fields.String()
    tier = fields.String()
    unit = fields.Nested(UnitOut, attribute="org_unit")
    specialties = fields.List(fields.String())
    mediation_type = fields.String()
    gold = fields.Boolean(metadata={"description": "金牌调解员 gold title"})
    username = fields.Function(lambda m: m.user.username if m.user else None, allow_none=True)
    active_load = fields.Integer(metadata={"description": "cases the mediator is working now"})
    active = fields.Boolean()


class UserQuery(PageIn):
    role = fields.String(validate=validate.OneOf(ROLES))
    unit = fields.String(validate=validate.Length(min=1, max=40), metadata={"description": "a unit's code: its users"})
    text = fields.String(validate=validate.Length(max=100), metadata={"description": "part of the username or name"})
    include_inactive = fields.Boolean(load_default=False)


class UserOut(Schema):
    username = fields.String(metadata={"description": "what a form's user reference holds"})
    display_name = fields.String()
    role = fields.String()
    unit = fields.Nested(UnitOut, attribute="org_unit")
    active = fields.Boolean()
