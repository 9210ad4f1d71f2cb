"""Schemas of the monthly analysis, the ledger and the weekly digest. Re-exported by ``api.schemas``."""

from marshmallow import Schema, fields, validate

from engine.models import LEDGER_STATES

from .schemas_stats import BreakdownItemOut, DefinitionOut, FiguresOut, PeriodOut


class AnalysisItemOut(FiguresOut):
    unit = fields.String()
    unit_name = fields.String()
    level = fields.String(metadata={"description": "county, town or village"})
    dispute_type = fields.String(metadata={"description": "empty when the cases name none"})
    major_cases = fields.Integer()
    previous_received = fields.Integer(metadata={"description": "received the month before"})
    reasons = fields.List(fields.String(), metadata={
        "description": "why the analysis_flags table flagged the type: frequent, rising, badly_handled, wide_impact"})
    due_days = fields.Integer(allow_none=True)


class LedgerEntryOut(Schema):
    id = fields.Integer()
    level = fields.String()
    unit = fields.String()
    unit_name = fields.String()
    month = fields.String()
    dispute_type = fields.String()
    reasons = fields.List(fields.String())
    owner = fields.String(allow_none=True)
    owner_name = fields.String(allow_none=True)
    special_team = fields.String()
    due_date = fields.String()
    status = fields.String()
    overdue = fields.Boolean()
    closed_at = fields.DateTime(allow_none=True)
    closing_note = fields.String(allow_none=True)


class AnalysisMonthOut(Schema):
    month = fields.String()
    computed_at = fields.DateTime(allow_none=True)
    items = fields.List(fields.Nested(AnalysisItemOut))
    flagged = fields.List(fields.Nested(AnalysisItemOut))
    ledger = fields.List(fields.Nested(LedgerEntryOut))
    definitions = fields.Dict(keys=fields.String(), values=fields.Nested(DefinitionOut))


class LedgerQuery(Schema):
    class Meta:
        unknown = "raise"

    month = fields.String(validate=validate.Length(max=40), metadata={"description": "YYYY-MM"})
    status = fields.String(validate=validate.OneOf(LEDGER_STATES))


class LedgerListOut(Schema):
    items = fields.List(fields.Nested(LedgerEntryOut))


class LedgerUpdateIn(Schema):
    class Meta:
        unknown = "raise"

    owner = fields.String(allow_none=True, validate=validate.Length(max=80),
                          metadata={"description": "username of an active user of your units; empty: no owner"})
    special_team = fields.String(allow_none=True, validate=validate.Length(max=255))
    due_date = fields.String(allow_none=True, validate=validate.Length(max=40), metadata={"description": "YYYY-MM-DD"})


class LedgerCloseIn(Schema):
    class Meta:
        unknown = "raise"

    closing_note = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class WeeklyQuery(Schema):
    class Meta:
        unknown = "raise"

    week = fields.String(validate=validate.Length(max=40), metadata={"description": "ISO week, YYYY-Www (default: "
                                                                                    "this week)"})


class WeeklyTotalsOut(FiguresOut):
    resolved_by_tier = fields.Dict(keys=fields.String(), values=fields.Integer())
    outcomes = fields.Dict(keys=fields.String(), values=fields.Integer())


class WeeklyOut(Schema):
    week = fields.String()
    period = fields.Nested(PeriodOut)
    totals = fields.Nested(WeeklyTotalsOut)
    by_dispute_type = fields.List(fields.Nested(BreakdownItemOut))
    ledger_due = fields.List(fields.Nested(LedgerEntryOut), metadata={
        "description": "open entries due within a week of the week's end, or overdue"})
    definitions = fields.Dict(keys=fields.String(), values=fields.Nested(DefinitionOut))
