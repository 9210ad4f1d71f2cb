"""Running one case's workflow: load, step, call handlers, persist state and inbox rows together."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers import REGISTRY
from handlers.errors import HandlerError

from . import (
    audit,
    clock,
    decision_records,
    decisions,
    inbox,
    models,
    outcome_columns,
    party_index,
    party_keys,
    privacy,
    spiff,
    timers,
)
from .models import Case, CaseState, Incident, ServiceCall

# Workflow data keys the engine mirrors onto the case row after every step, with their column's size.
# The case code goes the other way: the row's code is issued when the case opens and data carries a
# copy (``case_code``).
MIRRORED = {"severity": 20, "tier": 20, "dispute_type": 120, "summary": 255}


@dataclass
class HandlerContext:
    """What a handler may use: the transaction, the models, the case and the clock."""

    session: Session
    case: Case
    task_id: str
    actor: str
    now: datetime
    data: dict
    models: SimpleNamespace = field(default_factory=lambda: SimpleNamespace(**{
        name: getattr(models, name) for name in models.__all__ if name[0].isupper()}))


class StepFailed(Exception):
    """An engine step raised and no boundary event in the diagram caught it."""

    def __init__(self, task_spec: str, message: str):
        super().__init__(message)
        self.task_spec = task_spec
        self.message = message


class CaseRun:
    """One unit of work on one case; the caller owns the transaction."""

    def __init__(self, session: Session, case: Case, actor: str):
        self.session = session
        self.case = case
        self.actor = actor
        self.script_engine = spiff.ScriptEngine(call=self._call_service, decided=self._record_decision)
        self.workflow = None
        self.moved_from: int | None = None
        # Whether the stored state had waiting timers: if it had none and the step made none,
        # the case has no timer rows to bring in line.
        self.had_timers = False
        # Ids of the user tasks ready in the stored state, which have open inbox rows; a caller
        # that closes one of those rows itself takes it out.
        self.open_at_load: set[str] = set()
        # Whether a handler ran or orders were withdrawn in this step: only then can the case's orders
        # have changed, and their counts on the case row be recounted.
        self.orders_may_change = False

    # -- loading and saving ------------------------------------------------------------
    def new_workflow(self, data: dict):
        """A fresh workflow of the case's process version, seeded with ``data``."""
        spec, subprocess_specs = self.specs()
        self.workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=self.script_engine)
        self.workflow.task_tree.data.update(copy.deepcopy(data))
        decisions.bind_current(self.session, self.workflow)
        return self.workflow

    def specs(self) -> tuple:
        """``(spec, subprocess_specs)`` of the case's version; its spec JSON is read once per process."""
        version = self.case.process_version
        return spiff.version_spec(version.content_hash, lambda: version.spec_json)

    def load(self):
        """Restore the workflow from the case's stored state."""
        self.workflow = spiff.load_state(self.case.state.state_json, self.specs(), self.script_engine)
        decisions.bind_current(self.session, self.workflow)
        self.had_timers = bool(timers.waiting_timers(self.workflow))
        self.open_at_load = {str(t.id) for t in self.ready_user_tasks()}
        return self.workflow

    def persist(self) -> list:
        """Mirror the case fields, bring inbox and timer rows in line, then write the state once."""
        ready = self.ready_user_tasks()
        self._update_case(ready)
        rows = inbox.sync(self.session, self.case, ready, self.actor, self.moved_from,
                          expect_open=bool(self.open_at_load))
        # After the inbox, so a timer firing can flag the task rows it watches; before the state is
        # written, because new timers are retargeted to the engine clock inside the workflow.
        timers.sync(self.session, self.case, self.workflow, rows, may_have_rows=self.had_timers)
        self._write_state()
        return rows

    def _update_case(self, ready: list) -> None:
        data = self.current_data(ready)
        self._mirror(data)
        if self.workflow.is_completed() and self.case.status != "closed":
            self.case.status = "closed"
            self.case.closed_at = clock.now()
            audit.record(self.session, "case_closed", self.actor, case_id=self.case.id)
            self._withdraw_open_orders(self.case.closed_at)
        outcome_columns.apply(self.session, self.case, data, recount_orders=self.orders_may_change)
        party_keys.sync(self.session, self.case, data)

    def _withdraw_open_orders(self, now: datetime) -> None:
        """No order stays open once its case has ended: the diagram ends each order on its own paths,
        and whatever is still open when the workflow completes is withdrawn in the same transaction."""
        self.orders_may_change = True
        orders = self.session.scalars(select(models.Order).where(
            models.Order.case_id == self.case.id, models.Order.status.in_(models.ORDER_OPEN_STATES)))
        for order in orders:
            order.status, order.closed_at = "withdrawn", now
            self.session.add(models.OrderEvent(order_id=order.id, case_id=self.case.id,
                                               task_id=f"withdrawn-{order.id}", kind="withdrawn",
                                               actor=self.actor, at=now, detail={"reason": "case ended"}))
            for row in self.session.scalars(select(models.Supervision).where(
                    models.Supervision.order_id == order.id, models.Supervision.status == "open")):
                row.status, row.closed_at = "closed", now

    def _write_state(self) -> None:
        try:
            state_json = spiff.dump_state(self.workflow)
        except (TypeError, ValueError) as err:  # e.g. a decision table's output that is no data
            raise StepFailed("", f"the case's data cannot be stored: {err}") from err
        if self.case.state is None:
            self.case.state = CaseState(serializer_version=spiff.STATE_VERSION, state_json=state_json,
                                        updated_at=clock.now())
        else:
            self.case.state.state_json = state_json
            self.case.state.serializer_version = spiff.STATE_VERSION
            self.case.state.updated_at = clock.now()

    def current_data(self, ready: list) -> dict:
        """What the case "knows" now: the first ready user task's data (subprocess data included), else the last task's."""
        if ready:
            return ready[0].data
        last = self.workflow.last_task or self.workflow.task_tree
        return last.data

    def _mirror(self, data: dict) -> None:
        for key, size in MIRRORED.items():
            value = data.get(key)
            if isinstance(value, str) and value and getattr(self.case, key) != value[:size]:
                setattr(self.case, key, value[:size])
        names = privacy.masked_names(self.case.process_version, data)
        if names and names != self.case.party_names:
            self.case.party_names = names
        full = privacy.names(privacy.version_paths(self.case.process_version), data)
        if full:  # like the masked names, kept when a step's data carries none
            party_index.sync(self.session, self.case, full)
        self._mirror_due(data.get("case_due_at"))
        unit_code = data.get("unit_code")
        if isinstance(unit_code, str) and unit_code and unit_code != self.case.org_unit.code:
            unit = self.session.scalar(select(models.OrgUnit).where(models.OrgUnit.code == unit_code))
            if unit is not None:
                audit.record(self.session, "case_moved", self.actor, case_id=self.case.id,
                             detail={"from": self.case.org_unit.code, "to": unit.code})
                self.moved_from = self.case.org_unit_id
                self.case.org_unit = unit
                self.case.org_unit_id = unit.id

    def _mirror_due(self, value) -> None:
        # The whole case's deadline, an ISO-8601 time the diagram computes from receipt.
        if not isinstance(value, str) or not value:
            return
        try:
            due = clock.parse(value)
        except ValueError:  # not a time: the case keeps the due time it had
            return
        if self.case.due_at != due:
            self.case.due_at = due

    # -- running -----------------------------------------------------------------------
    def ready_user_tasks(self):
        """Ready manual tasks, in tree order."""
        return self.workflow.get_tasks(state=TaskState.READY, manual=True)

    def step(self) -> None:
        """Run engine steps, turning a caught handler error into its BPMN error event."""
        for _ in range(20):  # each round handles one thrown error; a diagram loop cannot spin here
            try:
                self.workflow.refresh_timers()
                self.workflow.do_engine_steps()
                return
            except spiff.ServiceFailed as err:
                if not (err.code and self._throw_error(err)):
                    raise StepFailed(_spec_name(err), err.message or str(err)) from err
            except SpiffWorkflowException as err:
                raise StepFailed(_spec_name(err), _describe(err)) from err
            except Exception as err:  # a bug in a diagram expression must not lose the case
                raise StepFailed("", f"{type(err).__name__}: {err}") from err
        raise StepFailed("", "too many errors thrown in one step")

    def _throw_error(self, err: spiff.ServiceFailed) -> bool:
        """Send the error to the workflow; True if a waiting error boundary event caught it."""
        waiting = [t for t in self.workflow.get_tasks(state=TaskState.WAITING)
                   if isinstance(getattr(t.task_spec, "event_definition", None), ErrorEventDefinition)
                   and t.task_spec.event_definition.code in (err.code, None, "")]
        # Most specific first: a boundary naming this code beats a catch-all.
        waiting.sort(key=lambda t: t.task_spec.event_definition.code != err.code)
        if err.task is None or not waiting:
            return False
        boundary = waiting[0]
        self.workflow.catch(BpmnEvent(boundary.task_spec.event_definition,
                                      {"error_code": err.code, "error_message": err.message}))
        if boundary.state == TaskState.WAITING:
            return False
        audit.record(self.session, "error_caught", self.actor, case_id=self.case.id,
                     detail={"code": err.code, "message": err.message, "task": _spec_name(err),
                             "boundary": boundary.task_spec.bpmn_id})
        return True

    def _record_decision(self, task, engine, outcome: dict) -> None:
        decision_records.record(self.session, self.case, task, engine, outcome)

    def _call_service(self, task, operator: str, params: dict):
        instance = str(task.id)
        done = self.session.scalar(select(ServiceCall).where(
            ServiceCall.case_id == self.case.id, ServiceCall.task_instance == instance))
        if done is not None:
            return done.result
        result = self._handle(task, operator, params)
        self.session.add(ServiceCall(case_id=self.case.id, task_instance=instance, operator=operator,
                                     result=result, at=clock.now()))
        audit.record(self.session, "service_called", self.actor, case_id=self.case.id,
                     detail={"operator": operator, "task": task.task_spec.bpmn_id or task.task_spec.name})
        return result

    def _handle(self, task, operator: str, params: dict):
        """Run the operator's handler; a handler's error becomes ``ServiceFailed`` with its BPMN error code."""
        handler = REGISTRY.get(operator)
        if handler is None:
            raise spiff.ServiceFailed(f"unknown service operator {operator!r}", task=task)
        ctx = HandlerContext(self.session, self.case, str(task.id), self.actor, clock.now(),
                             copy.deepcopy(task.data))
        self.orders_may_change = True
        try:
            return handler(params, ctx)
        except HandlerError as err:
            audit.record(self.session, "service_error", self.actor, case_id=self.case.id,
                         detail={"operator": operator, "code": err.code, "message": err.message})
            raise spiff.ServiceFailed(err.message, task=task, code=err.code) from err
        except Exception as err:
            raise spiff.ServiceFailed(f"{operator}: {type(err).__name__}: {err}", task=task) from err


def open_incident(session: Session, case: Case, failure: StepFailed, actor: str, kind: str = "engine") -> Incident:
    """Record a failure nobody caught; the case stops in the ``incident`` state until retried."""
    incident = session.scalar(select(Incident).where(Incident.case_id == case.id, Incident.state == "open"))
    if incident is None:
        incident = Incident(case_id=case.id, task_spec=failure.task_spec, message=failure.message,
                            kind=kind, created_at=clock.now())
        session.add(incident)
    else:
        incident.attempts += 1
        incident.message = failure.message
    case.status = "incident"
    session.flush()
    audit.record(session, "incident", actor, case_id=case.id,
                 detail={"incident": incident.id, "task": failure.task_spec, "message": failure.message})
    return incident


def _describe(err: SpiffWorkflowException) -> str:
    """The library's first line plus the cause it wraps (e.g. what the sandbox refused)."""
    message = str(err).split("\n")[0].strip()
    cause = err.__cause__ or err.__context__
    if cause is not None and str(cause) not in message:
        message = f"{message.rstrip('. ')}: {type(cause).__name__}: {cause}"
    return message


def _spec_name(err) -> str:
    task = getattr(err, "task", None)
    if task is None:
        return ""
    return getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name
