"""The OpenAPI 3 document, built from the marshmallow schemas and one table of operations."""

from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from engine.models import INTEGER_MAX

from . import schemas

# (method, path, summary, request body schema, query schema, response schema, success status(es), error statuses)
# The error statuses are those particular to the operation; _error_statuses adds the ones every
# operation of its kind can answer (401, 400 and 413 for a body, 400 for a query, 404 for a path, 409 for a write).
OPERATIONS = [
    ("post", "/auth/token", "Log in; returns a bearer token", "TokenIn", None, "TokenOut", 200, [401, 429]),
    ("post", "/cases", "Open a case of a process", "CaseIn", None, "CaseOut", 201, [403, 404, 422]),
    ("get", "/cases", "Cases the user may see", None, "CaseQuery", "CaseOut[]", 200, [403, 404]),
    ("get", "/cases/{code}", "One case with open tasks and audit timeline", None, None, "CaseDetailOut", 200, [403]),
    ("get", "/tasks", "The inbox: mine, my unit's, or claimable", None, "TaskQuery", "TaskOut[]", 200, [403, 404]),
    ("get", "/tasks/{id}", "A task with its form schema, current data and draft (personal data masked unless "
     "the reader works the case)", None, None, "TaskDetailOut", 200, [403]),
    ("post", "/tasks/{id}/claim", "Claim a task", None, None, "TaskOut", 200, [403]),
    ("post", "/tasks/{id}/unclaim", "Release a task", None, None, "TaskOut", 200, [403]),
    ("post", "/tasks/{id}/reassign", "Hand a task to another user (supervisors)", "ReassignIn", None, "TaskOut",
     200, [403]),
    ("post", "/tasks/{id}/draft", "Save unfinished form data", "DataIn", None, "TaskOut", 200, [403]),
    ("post", "/tasks/{id}/complete", "Complete a task with its form data", "DataIn", None, "CompletedOut", 200,
     [403, 422]),
    ("get", "/processes", "Deployed processes and their versions", None, None, "ProcessOut[]", 200, []),
    ("get", "/processes/{process_id}/versions/{version}/xml", "The BPMN XML of a version", None, None, "xml", 200,
     []),
    ("post", "/processes/{process_id}/versions/{version}/rollback", "Roll a process back: a new version equal "
     "to an older one (designers, admins)", None, None, "RollbackOut", 201, [400, 403]),
    ("post", "/processes/{process_id}/migrations", "Move running cases to another version: a dry run (the "
     "default) says which can move and why others cannot; dry_run false moves each in its own transaction "
     "(designers, admins)", "MigrationIn", None, "MigrationOut", 200, [403]),
    ("post", "/deployments", "Deploy BPMN, DMN and form files (multipart)", "multipart", None, "DeploymentOut",
     (201, 200), [403]),
    ("get", "/incidents", "Open incidents", None, None, "IncidentOut[]", 200, []),
    ("post", "/incidents/{id}/retry", "Retry the engine steps of an incident's case", None, None, "IncidentOut",
     200, [403]),
    ("get", "/cases/{code}/orders", "A case's orders (派单…核单) with their history and supervision orders",
     None, None, "OrderOut[]", 200, [403]),
    ("get", "/orders", "The order ledger: orders to or from visible units", None, "OrderQuery", "OrderOut[]", 200,
     [403, 404]),
    ("get", "/notifications", "The caller's notifications, newest first", None, "NotificationQuery",
     "NotificationOut[]", 200, []),
    ("post", "/notifications/{id}/read", "Mark one of the caller's notifications read", None, None,
     "NotificationOut", 200, []),
    ("post", "/notifications/read-all", "Mark all the caller's notifications read", None, None, "ReadAllOut",
     200, []),
    ("get", "/timers", "Waiting timers of visible cases, soonest first (supervisors)", None, "TimerQuery",
     "TimerOut[]", 200, [403, 404]),
    ("post", "/timers/recalc", "Re-derive waiting timers from the current rules (admin)", "RecalcIn", None,
     "RecalcOut", 200, [403, 404]),
    ("get", "/admin/organisation", "The organisation check: who can take each task at each unit it can land on "
     "(admin)", None, None, "OrganisationOut", 200, [403]),
    ("get", "/admin/users", "Every user, inactive ones too when asked (admin)", None, "AdminUserQuery",
     "AdminUserOut[]", 200, [403, 404]),
    ("post", "/admin/users", "Create a user; without a password one is generated and returned once (admin)",
     "AdminUserIn", None, "IssuedOut", 201, [403, 422]),
    ("get", "/admin/users/{username}", "One user (admin)", None, None, "AdminUserOut", 200, [403]),
    ("post", "/admin/users/{username}", "Rename a user, change their role or move them to another unit; their "
     "history stays, the tasks they held go back to the unit (admin)", "AdminUserUpdateIn", None, "AdminUserOut",
     200, [403, 422]),
    ("post", "/admin/users/{username}/deactivate", "Stop a user signing in; their sessions and tokens end (admin)",
     None, None, "AdminUserOut", 200, [403, 422]),
    ("post", "/admin/users/{username}/reactivate", "Let a deactivated user sign in again (admin)", None, None,
     "AdminUserOut", 200, [403, 422]),
    ("post", "/admin/users/{username}/password", "Set a typed password or a generated one returned once; the "
     "user's sessions end (admin)", "PasswordResetIn", None, "IssuedOut", 200, [403, 422]),
    ("get", "/admin/units", "The unit tree, depth-first from the county, with active users per unit (admin)",
     None, "UnitTreeQuery", "AdminUnitsOut", 200, [403]),
    ("post", "/admin/units", "Create a unit under an open parent of the right kind (admin)", "AdminUnitIn", None,
     "AdminUnitOut", 201, [403, 422]),
    ("post", "/admin/units/{code}", "Rename a unit (admin)", "AdminUnitRenameIn", None, "AdminUnitOut", 200,
     [403, 422]),
    ("post", "/admin/units/{code}/deactivate", "Close a unit with no active users, mediators, open units below "
     "it or open work; 422 says which remain (admin)", None, None, "AdminUnitOut", 200, [403, 422]),
    ("post", "/admin/units/{code}/reactivate", "Reopen a closed unit whose parent is open (admin)", None, None,
     "AdminUnitOut", 200, [403, 422]),
    ("post", "/admin/unit-imports", "Import units from CSV text; every bad row is reported in `details` with its "
     "line and nothing is written (admin)", "UnitImportIn", None, "UnitImportOut", 201, [403, 422]),
    ("get", "/admin/mediators", "The whole mediator pool with filters (admin)", None, "MediatorQuery",
     "MediatorOut[]", 200, [403]),
    ("post", "/admin/mediators", "Add a mediator to the pool (admin)", "AdminMediatorIn", None, "MediatorOut", 201,
     [403, 422]),
    ("post", "/admin/mediators/{id}", "Change a mediator: tier, unit, type, specialties, gold title, linked user "
     "(admin)", "AdminMediatorUpdateIn", None, "MediatorOut", 200, [403, 422]),
    ("post", "/admin/mediators/{id}/deactivate", "Take a mediator out of the pool (admin)", None, None,
     "MediatorOut", 200, [403]),
    ("post", "/admin/mediators/{id}/reactivate", "Return a mediator to the pool; their unit must be open (admin)",
     None, None, "MediatorOut", 200, [403, 422]),
    ("get", "/units", "Units of the caller's county, for a form's unit references (by code)", None, "UnitQuery",
     "UnitLookupOut[]", 200, [404]),
    ("get", "/mediators", "The county's mediator pool with open workloads, for mediator references (by id)",
     None, "MediatorQuery", "MediatorOut[]", 200, []),
    ("get", "/users", "Users of the caller's county (no password hashes), for user references (by username)",
     None, "UserQuery", "UserOut[]", 200, [404]),
    ("get", "/stats/summary", "The figures for cases received in a period at visible units (centre staff, "
     "leaders, admins): received, resolved, rates, tiers (docs/statistics.md)", None, "StatsQuery",
     "StatsSummaryOut", 200, [403, 404, 422]),
    ("get", "/stats/breakdown", "The same figures per month, unit, dispute type, tier or channel", None,
     "BreakdownQuery", "StatsBreakdownOut", 200, [403, 404, 422]),
    ("get", "/analysis/weekly", "周研判: the week's figures by dispute type and the open ledger entries due within "
     "a week of its end or overdue (centre staff, leaders, admins)", None, "WeeklyQuery", "WeeklyOut", 200,
     [403, 422]),
    ("get", "/analysis/{month}", "综合研判: a stored month (YYYY-MM) at visible units: figures per unit and dispute "
     "type, the types the analysis_flags table flagged and why, their ledger entries", None, None,
     "AnalysisMonthOut", 200, [403, 422]),
    ("get", "/ledger", "三级台账: ledger entries of visible units, soonest due first", None, "LedgerQuery",
     "LedgerListOut", 200, [403, 422]),
    ("post", "/ledger/{id}", "Change an open entry's owner, special team or due date (centre staff and leaders of "
     "its unit or above; audited)", "LedgerUpdateIn", None, "LedgerEntryOut", 200, [403, 422]),
    ("post", "/ledger/{id}/close", "Close an entry with a note of what was done (audited)", "LedgerCloseIn", None,
     "LedgerEntryOut", 200, [403, 422]),
    ("get", "/risks", "The risk list of visible units (centre staff, leaders, admins), scanned now by the rules "
     "of risk_rules.dmn: kind, unit, cases, severity; counts only, never a party's data", None, "RiskQuery",
     "RiskListOut", 200, [403, 404]),
    ("post", "/risks/{id}/letters", "Issue a warning letter (风险预警函) about a risk to its unit or a visible "
     "unit; logged", "RiskLetterIn", None, "RiskLetterOut", 201, [403]),
    ("get", "/risk-letters", "Warning letters addressed to visible units, newest first", None, "RiskLetterQuery",
     "RiskLetterListOut", 200, [403]),
    ("get", "/risk-letters/{id}", "One warning letter with its answer", None, None, "RiskLetterOut", 200, [403]),
    ("post", "/risk-letters/{id}/answer", "The addressed unit's answer (its centre staff or leaders, once); "
     "logged", "RiskAnswerIn", None, "RiskLetterOut", 200, [403]),
]

EXTRA_OPERATIONS: list[tuple] = []

ERRORS = {
    400: "Malformed input; `fields` names each field (`data.parties.0.phone`, `(body)` for the whole body)",
    401: "No valid bearer token",
    403: "Another unit's case or task, or the wrong role",
    404: "Nothing by that name or id",
    409: "Claimed by someone else, already done, changed concurrently, or (rollback) already the latest version",
    413: "The body is larger than MEDIATE_MAX_JSON_BYTES (files: MEDIATE_MAX_UPLOAD_BYTES)",
    422: "The data does not satisfy the task's form or the rules of what it changes (or a query's dates are no "
         "dates); `fields` has a message "
         "per field",
    429: "Too many requests; retry after the Retry-After header's seconds",
}
# Path parameters that are ids or version numbers: <int:…> in the routes, bounded by the columns.
INTEGER_PARAMS = {"id", "version"}
PUBLIC = {"/auth/token"}  # every other operation needs a bearer token


def _error_statuses(method: str, path: str, body, query, errors) -> list[int]:
    """The operation's own statuses plus those every operation of its kind can answer."""
    statuses = set(errors)
    if path not in PUBLIC:
        statuses.add(401)
    if body:
        statuses |= {400, 413}
    if query:
        statuses.add(400)
    if "{" in path:
        statuses.add(404)
    if method == "post" and path not in PUBLIC:
        statuses.add(409)  # a concurrent writer got there first (or SQLite is busy): try again
    return sorted(statuses)


def _ref(name: str) -> dict:
    if name.endswith("[]"):
        return {"type": "object", "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{name[:-2]}"}},
            "page": {"type": "integer"}, "has_more": {"type": "boolean"}}}
    return {"$ref": f"#/components/schemas/{name}"}


def _path_param(name: str) -> dict:
    schema = ({"type": "integer", "minimum": 0, "maximum": INTEGER_MAX} if name in INTEGER_PARAMS
              else {"type": "string"})
    return {"in": "path", "name": name, "required": True, "schema": schema}


def _request_body(body: str) -> dict:
    if body == "multipart":
        return {"content": {"multipart/form-data": {"schema": {
            "type": "object", "properties": {"files": {"type": "array",
                                                       "items": {"type": "string", "format": "binary"}}}}}}}
    return {"required": True, "content": {"application/json": {"schema": _ref(body)}}}


def _operation(method, path, summary, body, query, response, status, errors) -> dict:
    ok = {"description": "OK"}
    if response == "xml":
        ok["content"] = {"application/xml": {"schema": {"type": "string"}}}
    elif response:
        ok["content"] = {"application/json": {"schema": _ref(response)}}
    op = {"summary": summary, "responses": {str(s): ok for s in (status if isinstance(status, tuple) else (status,))}}
    for code in _error_statuses(method, path, body, query, errors):
        op["responses"][str(code)] = {"description": ERRORS[code],
                                      "content": {"application/json": {"schema": _ref("ErrorOut")}}}
    if body:
        op["requestBody"] = _request_body(body)
    params = [_path_param(p.strip("{}")) for p in path.split("/") if p.startswith("{")]
    if query:
        params.append({"in": "query", "schema": getattr(schemas, query)})
    if params:
        op["parameters"] = params
    if path not in PUBLIC:
        op["security"] = [{"bearer": []}]
    return op


def build() -> dict:
    """The whole document as a dict."""
    spec = APISpec(title="Mediate API", version="1", openapi_version="3.0.3", plugins=[MarshmallowPlugin()],
                   servers=[{"url": "/api/v1"}])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    names = {op[3] for op in OPERATIONS + EXTRA_OPERATIONS} | {op[5] for op in OPERATIONS + EXTRA_OPERATIONS}
    for name in sorted(n.rstrip("[]") for n in names if n and n not in ("multipart", "xml")) + ["ErrorOut"]:
        if name not in spec.components.schemas:
            spec.components.schema(name, schema=getattr(schemas, name))
    paths: dict[str, dict] = {}
    for op in OPERATIONS + EXTRA_OPERATIONS:
        paths.setdefault(op[1], {})[op[0]] = _operation(*op)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
