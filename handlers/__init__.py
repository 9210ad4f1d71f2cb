"""Service-task handlers, one per file, registered under the operator name the BPMN uses."""

from . import (
    archive,
    case_code,
    dispatch_order,
    judicial_confirmation,
    match_mediator,
    notify,
    order_event,
    pool_mediator,
    resolve_unit,
    subsidy_record,
    supervision_order,
)

REGISTRY = {
    "archive": archive.handle,
    "case_code": case_code.handle,
    "dispatch_order": dispatch_order.handle,
    "judicial_confirmation": judicial_confirmation.handle,
    "match_mediator": match_mediator.handle,
    "notify": notify.handle,
    "order_event": order_event.handle,
    "pool_mediator": pool_mediator.handle,
    "resolve_unit": resolve_unit.handle,
    "subsidy_record": subsidy_record.handle,
    "supervision_order": supervision_order.handle,
}
