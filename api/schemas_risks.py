"""Schemas of the risk early-warning calls. Re-exported by ``api.schemas``, where the OpenAPI document finds them."""

from marshmallow import Schema, fields, validate

from engine.models import LETTER_STATES, RISK_KINDS, SEVERITIES
from engine.risk_letters import MAX_ANSWER, MAX_DUE_DAYS, MAX_NOTE


class RiskQuery(Schema):
    class Meta:
        unknown = "raise"

    kind = fields.String(validate=validate.OneOf(RISK_KINDS))
    severity = fields.String(validate=validate.OneOf(SEVERITIES))
    unit_code = fields.String(data_key="unit", validate=validate.Length(min=1, max=40),
                              metadata={"description": "a visible unit's code: its subtree only"})
    include_ended = fields.Boolean(load_default=False,
                                   metadata={"description": "also risks the rules no longer find"})


class RiskDetailOut(Schema):
    """Counts only: never a party's name, ID number, phone or address."""

    cases = fields.Integer(metadata={"description": "repeat_party: how many cases name the same person; "
                                                   "repeat_address: how many cases name the same address"})
    window_days = fields.Integer()
    parties = fields.Integer()
    flagged = fields.Boolean()
    tiers = fields.Integer(metadata={"description": "overdue_tiers: at how many tiers tasks went overdue"})
    dispute_type = fields.String()
    current = fields.Integer(metadata={"description": "rising_type: cases in the last window"})
    previous = fields.Integer(metadata={"description": "rising_type: cases in the window before"})


class RiskOut(Schema):
    id = fields.Integer()
    kind = fields.String(validate=validate.OneOf(RISK_KINDS))
    unit = fields.String(metadata={"description": "the responsible unit's code"})
    unit_name = fields.String()
    severity = fields.String(validate=validate.OneOf(SEVERITIES))
    cases = fields.List(fields.String(), metadata={"description": "the codes of the cases involved"})
    detail = fields.Nested(RiskDetailOut)
    detected_at = fields.DateTime()
    last_seen_at = fields.DateTime()
    active = fields.Boolean()


class RiskListOut(Schema):
    items = fields.List(fields.Nested(RiskOut))


class RiskLetterIn(Schema):
    class Meta:
        unknown = "raise"

    due_days = fields.Integer(strict=True, validate=validate.Range(1, MAX_DUE_DAYS),
                              metadata={"description": "days the unit has to answer (default 7)"})
    note = fields.String(validate=validate.Length(max=MAX_NOTE), metadata={"description": "工作要求, added to the text"})
    unit_code = fields.String(data_key="unit", validate=validate.Length(min=1, max=40),
                              metadata={"description": "the unit addressed (default: the risk's unit); one you see"})


class RiskAnswerIn(Schema):
    class Meta:
        unknown = "raise"

    answer = fields.String(required=True, validate=validate.Length(min=1, max=MAX_ANSWER))


class RiskLetterQuery(Schema):
    class Meta:
        unknown = "raise"

    status = fields.String(validate=validate.OneOf(LETTER_STATES))


class EscalationStepOut(Schema):
    from_unit = fields.String(data_key="from", attribute="from", metadata={"description": "the unit that let it lapse"})
    from_name = fields.String()
    to = fields.String(metadata={"description": "the centre above it was sent to"})
    to_name = fields.String()
    at = fields.DateTime()
    previous_due_at = fields.DateTime()
    due_at = fields.DateTime(metadata={"description": "the centre's due time (as long as the first due period)"})


class InboxLetterOut(Schema):
    id = fields.Integer()
    number = fields.String(metadata={"description": "风险预警函〔year〕第N号"})
    risk = fields.Integer()
    kind = fields.String(validate=validate.OneOf(RISK_KINDS))
    unit = fields.String(metadata={"description": "the unit addressed"})
    unit_name = fields.String()
    escalated_to = fields.String(allow_none=True, metadata={"description": "the centre it went up to, if unanswered"})
    escalated_to_name = fields.String(allow_none=True)
    escalated_at = fields.DateTime(allow_none=True)
    overdue_at_top = fields.Boolean(metadata={"description": "unanswered at the top tier: stays overdue"})


class UnitRefOut(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.String()


class LetterRowOut(Schema):
    """An open letter as an inbox row (``GET /tasks``): the fields of a task row that apply, and the letter."""

    kind = fields.Constant("letter")
    id = fields.Integer()
    spec_id = fields.String()
    name = fields.String()
    state = fields.String()
    unit = fields.Nested(UnitRefOut, metadata={"description": "where the letter is now"})
    created_at = fields.DateTime()
    due_at = fields.DateTime()
    overdue = fields.Boolean()
    letter = fields.Nested(InboxLetterOut)


class RiskLetterOut(Schema):
    id = fields.Integer()
    number = fields.String(metadata={"description": "风险预警函〔year〕第N号"})
    risk = fields.Integer()
    kind = fields.String(validate=validate.OneOf(RISK_KINDS))
    unit = fields.String()
    unit_name = fields.String()
    from_unit = fields.String()
    text = fields.String()
    issued_by = fields.String()
    issued_at = fields.DateTime()
    due_at = fields.DateTime()
    overdue = fields.Boolean()
    status = fields.String(validate=validate.OneOf(LETTER_STATES))
    answer = fields.String(allow_none=True)
    answered_by = fields.String(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)
    escalated_to = fields.String(allow_none=True, metadata={"description": "where it is now, if it went up"})
    escalated_to_name = fields.String(allow_none=True)
    escalated_at = fields.DateTime(allow_none=True)
    overdue_at_top = fields.Boolean(metadata={"description": "unanswered at the top tier: stays overdue"})
    escalations = fields.List(fields.Nested(EscalationStepOut), metadata={"description": "oldest first"})


class RiskLetterListOut(Schema):
    items = fields.List(fields.Nested(RiskLetterOut))
