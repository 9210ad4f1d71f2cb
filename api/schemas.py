"""Request and response schemas (marshmallow); the OpenAPI document is built from them."""

from __future__ import annotations

from datetime import UTC

from marshmallow import Schema, ValidationError, fields, validate

from engine.models import (
    INTEGER_MAX,
    ORDER_FINAL_STATES,
    ORDER_OPEN_STATES,
    SUPERVISION_STATES,
    TIMER_KINDS,
)
from engine.tasks import SCOPES

from .schemas_risks import InboxLetterOut


class UtcDateTime(fields.AwareDateTime):
    """An ISO date-time with an offset, converted to UTC (refused if that leaves the calendar)."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise ValidationError("out of range once converted to UTC") from None


class Strict(Schema):
    class Meta:
        # Unknown keys are an error, so a typo in a field name is reported, not ignored.
        unknown = "raise"


class TokenIn(Strict):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class TokenOut(Schema):
    token = fields.String()
    username = fields.String()
    role = fields.String()
    unit = fields.String()


class CaseIn(Strict):
    process_id = fields.String(required=True, validate=validate.Length(min=1, max=120))
    version = fields.Integer(validate=validate.Range(min=1, max=INTEGER_MAX))
    unit = fields.String(validate=validate.Length(min=1, max=40))
    title = fields.String(validate=validate.Length(max=255))
    data = fields.Dict(keys=fields.String(), load_default=dict)


class PageIn(Schema):
    class Meta:
        unknown = "raise"

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class CaseQuery(PageIn):
    status = fields.String(validate=validate.OneOf(["open", "closed", "incident"]))
    tier = fields.String(validate=validate.Length(max=20))
    unit = fields.String(validate=validate.Length(max=40))
    text = fields.String(validate=validate.Length(max=100), metadata={"description": (
        "a case code as people type it (that case only); else words of a code, title, dispute type or summary, "
        "or a party's whole name (spacing, width and case ignored) on cases the caller works: readers who may "
        "not see a case's parties in full never get a match on them")})
    reported = fields.Boolean(metadata={"description": "only cases the caller reported (opened), wherever they are now"})


class TaskQuery(PageIn):
    scope = fields.String(load_default="mine", validate=validate.OneOf(SCOPES))
    case = fields.String(validate=validate.Length(max=60))
    task = fields.String(validate=validate.Length(max=120))
    overdue = fields.Boolean()


class DataIn(Strict):
    data = fields.Dict(keys=fields.String(), required=True)


class ReassignIn(Strict):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))


class UnitOut(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.String()


class TaskOut(Schema):
    kind = fields.Constant("task", metadata={"enum": ["task", "letter"], "description": (
        "letter: an open 风险预警函 the caller's unit answers; id is then the letter's, case fields are absent")})
    letter = fields.Nested(InboxLetterOut, metadata={"description": "the letter, on a row of kind letter"})
    id = fields.Integer()
    case_id = fields.Integer()
    case_code = fields.Function(lambda t: t.case.code)
    spec_id = fields.String()
    name = fields.String()
    process_id = fields.String()
    role = fields.String()
    unit = fields.Nested(UnitOut, attribute="org_unit")
    assignee = fields.Function(lambda t: t.assignee.username if t.assignee else None)
    candidates = fields.List(fields.String(), metadata={
        "description": "usernames of who may work it at its unit, the named person first"})
    open_to_unit = fields.Boolean(metadata={
        "description": "named for its assignee, but colleagues of its role at its unit may take it over"})
    state = fields.String()
    form = fields.String(allow_none=True)
    created_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True)
    overdue = fields.Boolean()
    reminders = fields.Integer()
    completed_at = fields.DateTime(allow_none=True)
    completed_by = fields.String(allow_none=True)


class CompletedCaseOut(Schema):
    code = fields.String()
    status = fields.String()
    open_tasks = fields.List(fields.Nested(TaskOut))


class CompletedOut(TaskOut):
    """A completed task with its case's status and open tasks afterwards."""

    case = fields.Nested(CompletedCaseOut)


class TaskDetailOut(TaskOut):
    schema = fields.Dict(attribute="form_schema", allow_none=True)
    data = fields.Dict(attribute="current_data")
    draft = fields.Dict(allow_none=True)


class EventOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    actor = fields.String()
    at = fields.DateTime()
    task_id = fields.Integer(allow_none=True)
    detail = fields.Dict()


class CaseOut(Schema):
    id = fields.Integer()
    code = fields.String()
    process_id = fields.String()
    version = fields.Function(lambda c: c.process_version.version)
    status = fields.String()
    severity = fields.String(allow_none=True)
    tier = fields.String(allow_none=True)
    unit = fields.Nested(UnitOut, attribute="org_unit")
    title = fields.String()
    opened_by = fields.String()
    opened_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    open_tasks = fields.List(fields.Nested(TaskOut))


class CaseDetailOut(CaseOut):
    timeline = fields.List(fields.Nested(EventOut))


class ProcessOut(Schema):
    process_id = fields.String()
    name = fields.String()
    versions = fields.List(fields.Integer())
    latest = fields.Integer()
    startable = fields.Boolean(metadata={"description": "cases can be opened of the latest version"})


class VersionOut(Schema):
    process_id = fields.String()
    version = fields.Integer()
    name = fields.String()
    created = fields.Boolean()


class DeploymentOut(Schema):
    deployment = fields.Integer(allow_none=True)
    versions = fields.List(fields.Nested(VersionOut))


class RollbackOut(DeploymentOut):
    process_id = fields.String()
    from_version = fields.Integer(metadata={"description": "the version rolled back to"})
    version = fields.Integer(metadata={"description": "the new version, equal to from_version"})


class IncidentOut(Schema):
    id = fields.Integer()
    case_code = fields.Function(lambda i: i.case.code)
    task_spec = fields.String()
    kind = fields.String()
    message = fields.String()
    state = fields.String()
    attempts = fields.Integer()
    created_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)


class ProblemOut(Schema):
    """A problem of a rejected deployment (file, element) or of a CSV import (line, field)."""

    file = fields.String()
    element = fields.String()
    line = fields.Integer()
    field = fields.String()
    message = fields.String()


class ErrorBody(Schema):
    """Every error reply: a machine code, a message for people, and where the trouble is."""

    code = fields.String(required=True, metadata={"description": "bad_request, unauthorized, not_found, …"})
    message = fields.String(required=True)
    details = fields.List(fields.Nested(ProblemOut), metadata={
        "description": "a rejected deployment or unit import: one entry per problem, with its file and element "
                       "or its line and field"})
    # Last: from here on, `fields` in this class body is this field and not marshmallow's module.
    fields = fields.Dict(keys=fields.String(), metadata={
        "description": "a message per field path (`data.parties.0.phone`; `(body)` for the whole body)"})


class ErrorOut(Schema):
    error = fields.Nested(ErrorBody, required=True)


class TimerQuery(PageIn):
    due_before = UtcDateTime(default_timezone=UTC)
    kind = fields.String(validate=validate.OneOf(TIMER_KINDS))
    case = fields.String(validate=validate.Length(max=60))
    state = fields.String(load_default="waiting", validate=validate.OneOf(["waiting", "fired", "cancelled"]))


class TimerOut(Schema):
    id = fields.Integer()
    case_code = fields.Function(lambda t: t.case.code)
    task = fields.String(attribute="spec_id")
    kind = fields.String()
    state = fields.String()
    due_at = fields.DateTime()
    fire_at = fields.DateTime()
    fired_count = fields.Integer()
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    fired_at = fields.DateTime(allow_none=True)


class RecalcIn(Strict):
    case = fields.String(validate=validate.Length(min=1, max=60))


class MovedTimerOut(Schema):
    case = fields.String()
    timer = fields.Integer()
    task = fields.String()
    kind = fields.String()
    to = fields.String()
    from_ = fields.String(data_key="from", attribute="from")


class RecalcOut(Schema):
    checked = fields.Integer()
    moved = fields.List(fields.Nested(MovedTimerOut))


class OrderQuery(PageIn):
    unit = fields.String(validate=validate.Length(max=40))
    type = fields.String(validate=validate.Length(max=20))
    overdue = fields.Boolean()


class OrderEventOut(Schema):
    kind = fields.String()
    actor = fields.String()
    at = fields.DateTime()
    detail = fields.Dict()


class SupervisionOut(Schema):
    id = fields.Integer()
    status = fields.String(validate=validate.OneOf(SUPERVISION_STATES))
    reason = fields.String()
    from_unit = fields.Nested(UnitOut, allow_none=True)
    to_unit = fields.Nested(UnitOut)
    issued_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True)
    answer_kind = fields.String(allow_none=True)
    answer = fields.String(allow_none=True)
    answered_by = fields.String(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)
    escalated_to = fields.Nested(UnitOut, allow_none=True)
    escalated_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)


class OrderOut(Schema):
    id = fields.Integer()
    type = fields.String(attribute="order_type")
    case_id = fields.Integer()
    round = fields.Integer()
    tier = fields.String(allow_none=True)
    from_unit = fields.Integer(attribute="from_unit_id", allow_none=True)
    # The dispatching centre (from_unit): it issues supervision orders, reviews (评单) and verifies (核单).
    dispatcher = fields.Nested(UnitOut, attribute="from_unit", allow_none=True)
    to_unit = fields.Nested(UnitOut)
    status = fields.String(validate=validate.OneOf(ORDER_OPEN_STATES + ORDER_FINAL_STATES))
    closed = fields.Function(lambda o: o.status in ORDER_FINAL_STATES)
    closed_at = fields.DateTime(allow_none=True)
    issued_at = fields.DateTime()
    accept_due_at = fields.DateTime(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    accepted_at = fields.DateTime(allow_none=True)
    returned_at = fields.DateTime(allow_none=True)
    return_reason = fields.String(allow_none=True)
    reminders = fields.Integer()
    supervisions = fields.Integer()
    review_score = fields.Integer(allow_none=True)
    review_comment = fields.String(allow_none=True)
    verified = fields.Boolean(allow_none=True)
    verified_at = fields.DateTime(allow_none=True)
    overdue = fields.Boolean()
    events = fields.List(fields.Nested(OrderEventOut))
    supervision_orders = fields.List(fields.Nested(SupervisionOut))


# Defined beside, re-exported for the routes and for the document, which finds schemas by name here.
from .schemas_admin import (  # noqa: E402,F401
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
    PasswordResetIn,
    UnitImportIn,
    UnitImportOut,
    UnitTreeQuery,
)
from .schemas_analysis import (  # noqa: E402,F401
    AnalysisItemOut,
    AnalysisMonthOut,
    LedgerCloseIn,
    LedgerEntryOut,
    LedgerListOut,
    LedgerQuery,
    LedgerUpdateIn,
    WeeklyOut,
    WeeklyQuery,
)
from .schemas_migration import BlockerOut, CasePlanOut, MigrationIn, MigrationOut, TaskMoveOut  # noqa: E402,F401
from .schemas_org import (  # noqa: E402,F401
    KindCoverageOut,
    MediatorOut,
    MediatorQuery,
    NotificationOut,
    NotificationQuery,
    OrganisationOut,
    ReadAllOut,
    TaskCoverageOut,
    UnitLookupOut,
    UnitQuery,
    UserOut,
    UserQuery,
)
from .schemas_risks import (  # noqa: E402,F401
    LetterRowOut,
    RiskAnswerIn,
    RiskLetterIn,
    RiskLetterListOut,
    RiskLetterOut,
    RiskLetterQuery,
    RiskListOut,
    RiskQuery,
)
from .schemas_stats import BreakdownQuery, StatsBreakdownOut, StatsQuery, StatsSummaryOut  # noqa: E402,F401
