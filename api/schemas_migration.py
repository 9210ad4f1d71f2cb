"""Schemas of moving running cases between versions of a process (``POST /processes/<id>/migrations``)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from engine.models import INTEGER_MAX

ELEMENT_ID = validate.Length(min=1, max=120)


class MigrationIn(Schema):
    class Meta:
        unknown = "raise"

    from_version = fields.Integer(required=True, validate=validate.Range(min=1, max=INTEGER_MAX))
    to_version = fields.Integer(required=True, validate=validate.Range(min=1, max=INTEGER_MAX))
    mapping = fields.Dict(keys=fields.String(validate=ELEMENT_ID), values=fields.String(validate=ELEMENT_ID),
                          load_default=dict, validate=validate.Length(max=200),
                          metadata={"description": "old element id → element id of the new version, for "
                                                   "elements whose id changed"})
    dry_run = fields.Boolean(load_default=True, metadata={"description": "report only (the default); false moves"})
    cases = fields.List(fields.String(validate=validate.Length(min=1, max=60)), validate=validate.Length(max=500),
                        metadata={"description": "case codes; every running case of from_version when absent"})


class TaskMoveOut(Schema):
    process = fields.String()
    old = fields.String()
    new = fields.String()
    how = fields.String(metadata={"description": "same (same id), mapped, or blocked (in waiting only)"})
    state = fields.String()


class BlockerOut(Schema):
    code = fields.String()
    element = fields.String()
    process = fields.String()
    suggestion = fields.String(allow_none=True, metadata={"description": "the new element that lines up with it"})
    message = fields.String()


class CasePlanOut(Schema):
    code = fields.String()
    from_version = fields.Integer(allow_none=True)
    to_version = fields.Integer()
    status = fields.String(metadata={"description": "can_move or blocked (dry run); moved, blocked or failed"})
    moves = fields.List(fields.Nested(TaskMoveOut))
    waiting = fields.List(fields.Nested(TaskMoveOut), metadata={
        "description": "every element the case waits on; how is blocked (new empty) where it cannot move"})
    blockers = fields.List(fields.Nested(BlockerOut))
    error = fields.String(allow_none=True)


class MigrationOut(Schema):
    process_id = fields.String()
    from_version = fields.Integer()
    to_version = fields.Integer()
    dry_run = fields.Boolean()
    mapping = fields.Dict(keys=fields.String(), values=fields.String())
    counts = fields.Method("_counts")
    cases = fields.List(fields.Nested(CasePlanOut))

    def _counts(self, report) -> dict:
        return report.counts()
