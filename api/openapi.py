"""The OpenAPI 3 document, built from the marshmallow schemas and one table of operations."""

from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from . import schemas

# (method, path, summary, request body schema, query schema, response schema, success status, error statuses)
OPERATIONS = [
    ("post", "/auth/token", "Log in; returns a bearer token", "TokenIn", None, "TokenOut", 200, [400, 401, 429]),
    ("post", "/cases", "Open a case of a process", "CaseIn", None, "CaseOut", 201, [400, 401, 403, 404, 422]),
    ("get", "/cases", "Cases the user may see", None, "CaseQuery", "CaseOut[]", 200, [400, 401]),
    ("get", "/cases/{code}", "One case with open tasks and audit timeline", None, None, "CaseDetailOut", 200,
     [401, 403, 404]),
    ("get", "/tasks", "The inbox: mine, my unit's, or claimable", None, "TaskQuery", "TaskOut[]", 200, [400, 401]),
    ("get", "/tasks/{id}", "A task with its form schema, current data and draft (personal data masked unless "
     "the reader works the case)", None, None, "TaskDetailOut", 200, [401, 403, 404]),
    ("post", "/tasks/{id}/claim", "Claim a task", None, None, "TaskOut", 200, [401, 403, 404, 409]),
    ("post", "/tasks/{id}/unclaim", "Release a task", None, None, "TaskOut", 200, [401, 403, 404, 409]),
    ("post", "/tasks/{id}/reassign", "Hand a task to another user (supervisors)", "ReassignIn", None, "TaskOut",
     200, [400, 401, 403, 404, 409]),
    ("post", "/tasks/{id}/draft", "Save unfinished form data", "DataIn", None, "TaskOut", 200,
     [400, 401, 403, 404, 409]),
    ("post", "/tasks/{id}/complete", "Complete a task with its form data", "DataIn", None, "TaskOut", 200,
     [400, 401, 403, 404, 409, 422]),
    ("get", "/processes", "Deployed processes and their versions", None, None, "ProcessOut[]", 200, [401]),
    ("get", "/processes/{process_id}/versions/{version}/xml", "The BPMN XML of a version", None, None, None, 200,
     [401, 404]),
    ("post", "/deployments", "Deploy BPMN, DMN and form files (multipart)", "multipart", None, "DeploymentOut",
     201, [400, 401, 403]),
    ("get", "/incidents", "Open incidents", None, None, "IncidentOut[]", 200, [401]),
    ("post", "/incidents/{id}/retry", "Retry the engine steps of an incident's case", None, None, "IncidentOut",
     200, [401, 403, 404]),
    ("get", "/cases/{code}/orders", "A case's orders (派单…核单) with their history", None, None, "OrderOut[]",
     200, [401, 403, 404]),
    ("get", "/orders", "The order ledger: orders to or from visible units", None, "OrderQuery", "OrderOut[]", 200,
     [400, 401, 403, 404]),
    ("get", "/timers", "Waiting timers of visible cases, soonest first (supervisors)", None, "TimerQuery",
     "TimerOut[]", 200, [400, 401, 403]),
    ("post", "/timers/recalc", "Re-derive waiting timers from the current rules (admin)", "RecalcIn", None,
     "RecalcOut", 200, [400, 401, 403, 404]),
]

EXTRA_OPERATIONS: list[tuple] = []


def _ref(name: str) -> dict:
    if name.endswith("[]"):
        return {"type": "object", "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{name[:-2]}"}},
            "page": {"type": "integer"}, "has_more": {"type": "boolean"}}}
    return {"$ref": f"#/components/schemas/{name}"}


def _operation(method, path, summary, body, query, response, status, errors) -> dict:
    op = {"summary": summary, "responses": {str(status): {"description": "OK"}}}
    if response:
        op["responses"][str(status)]["content"] = {"application/json": {"schema": _ref(response)}}
    for code in errors:
        op["responses"][str(code)] = {"description": "error",
                                      "content": {"application/json": {"schema": _ref("ErrorOut")}}}
    if body == "multipart":
        op["requestBody"] = {"content": {"multipart/form-data": {"schema": {
            "type": "object", "properties": {"files": {"type": "array",
                                                       "items": {"type": "string", "format": "binary"}}}}}}}
    elif body:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(body)}}}
    params = [{"in": "path", "name": p.strip("{}"), "required": True, "schema": {"type": "string"}}
              for p in path.split("/") if p.startswith("{")]
    if query:
        params.append({"in": "query", "schema": getattr(schemas, query)})
    if params:
        op["parameters"] = params
    if path != "/auth/token":
        op["security"] = [{"bearer": []}]
    return op


def build() -> dict:
    """The whole document as a dict."""
    spec = APISpec(title="Mediate API", version="1", openapi_version="3.0.3", plugins=[MarshmallowPlugin()],
                   servers=[{"url": "/api/v1"}])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    names = {op[3] for op in OPERATIONS + EXTRA_OPERATIONS} | {op[5] for op in OPERATIONS + EXTRA_OPERATIONS}
    for name in sorted(n.rstrip("[]") for n in names if n and n != "multipart") + ["ErrorOut"]:
        if name not in spec.components.schemas:
            spec.components.schema(name, schema=getattr(schemas, name))
    paths: dict[str, dict] = {}
    for op in OPERATIONS + EXTRA_OPERATIONS:
        paths.setdefault(op[1], {})[op[0]] = _operation(*op)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
