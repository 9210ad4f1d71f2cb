"""Schemas of the statistics calls. Re-exported by ``api.schemas``, where the OpenAPI document finds them."""

from marshmallow import Schema, fields, validate

from engine.stats_breakdown import BY


class StatsQuery(Schema):
    class Meta:
        unknown = "raise"

    # Local dates (China Standard Time), both included; checked by the engine (422 naming the field).
    date_from = fields.String(data_key="from", validate=validate.Length(max=40),
                              metadata={"description": "first day received, YYYY-MM-DD (default: 1 January)"})
    date_to = fields.String(data_key="to", validate=validate.Length(max=40),
                            metadata={"description": "last day received, YYYY-MM-DD (default: today)"})
    unit_code = fields.String(data_key="unit", validate=validate.Length(min=1, max=40),
                         metadata={"description": "a visible unit's code: its subtree only"})
    dispute_type = fields.String(validate=validate.Length(min=1, max=120))


class BreakdownQuery(StatsQuery):
    by = fields.String(required=True, validate=validate.OneOf(BY))


class PeriodOut(Schema):
    date_from = fields.String(attribute="from", data_key="from")
    date_to = fields.String(attribute="to", data_key="to")


class FiguresOut(Schema):
    received = fields.Integer()
    resolved = fields.Integer()
    resolution_rate = fields.Float(allow_none=True)
    grassroots = fields.Integer()
    grassroots_share = fields.Float(allow_none=True)
    on_time = fields.Integer()
    with_deadline = fields.Integer()
    on_time_rate = fields.Float(allow_none=True)
    average_days_to_resolve = fields.Float(allow_none=True)
    visited = fields.Integer()
    satisfied = fields.Integer()
    satisfaction_rate = fields.Float(allow_none=True)
    orders_dispatched = fields.Integer()
    orders_closed = fields.Integer()
    order_closure_rate = fields.Float(allow_none=True)
    litigation = fields.Integer()
    judicial_confirmations = fields.Integer()
    repeat_petitions = fields.Integer()


class DefinitionOut(Schema):
    numerator = fields.String()
    denominator = fields.String()
    definition = fields.String()


class StatsSummaryOut(FiguresOut):
    resolved_by_tier = fields.Dict(keys=fields.String(), values=fields.Integer())
    outcomes = fields.Dict(keys=fields.String(), values=fields.Integer())
    period = fields.Nested(PeriodOut)
    definitions = fields.Dict(keys=fields.String(), values=fields.Nested(DefinitionOut))


class BreakdownItemOut(FiguresOut):
    key = fields.String(allow_none=True)
    label = fields.String(allow_none=True)


class StatsBreakdownOut(Schema):
    by = fields.String()
    items = fields.List(fields.Nested(BreakdownItemOut))
    period = fields.Nested(PeriodOut)
    definitions = fields.Dict(keys=fields.String(), values=fields.Nested(DefinitionOut))
