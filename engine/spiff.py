"""The one seam into SpiffWorkflow: parser, serializer and script engine, built from copies.

Library globals are never mutated: the serializer config is a deep copy with our own
workflow converter, which stores a case's state *without* its spec; the spec is stored
once per process version and handed back on restore.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextvars import ContextVar
from copy import deepcopy
from functools import lru_cache
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.spiff.parser.process import BpmnValidator, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from . import clock, expressions

_restoring_specs: ContextVar[tuple] = ContextVar("mediate_restoring_specs")


class _StateOnlyWorkflowConverter(BpmnWorkflowConverter):
    """Like the library's converter, minus ``spec`` and ``subprocess_specs``."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct):
        spec, subprocess_specs = _restoring_specs.get()
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _build_serializer() -> BpmnWorkflowSerializer:
    config = deepcopy(SPIFF_CONFIG)
    config[BpmnWorkflow] = _StateOnlyWorkflowConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


SERIALIZER = _build_serializer()
STATE_VERSION = SERIALIZER.VERSION


def build_parser() -> SpiffBpmnParser:
    """A fresh parser with the BPMN XSD validator (parsers keep state: one per deployment)."""
    return SpiffBpmnParser(validator=BpmnValidator())


def dump_spec(spec, subprocess_specs: dict) -> str:
    """Serialise a process spec and the specs it calls, once per process version."""
    registry = SERIALIZER.registry
    return json.dumps({
        "spec": registry.convert(spec),
        "subprocess_specs": {name: registry.convert(s) for name, s in subprocess_specs.items()},
    }, sort_keys=True)


@lru_cache(maxsize=256)
def load_spec(spec_json: str) -> tuple:
    """Restore ``(spec, subprocess_specs)``; cached, since specs are never changed by running."""
    registry = SERIALIZER.registry
    dct = json.loads(spec_json)
    return (registry.restore(dct["spec"]),
            {name: registry.restore(s) for name, s in dct["subprocess_specs"].items()})


_VERSION_SPECS: dict[str, tuple] = {}


def version_spec(content_hash: str, spec_json: Callable[[], str]) -> tuple:
    """``load_spec`` keyed by a process version's content hash, so its JSON is read from the database once."""
    specs = _VERSION_SPECS.get(content_hash)
    if specs is None:
        if len(_VERSION_SPECS) >= 256:
            _VERSION_SPECS.clear()
        specs = _VERSION_SPECS[content_hash] = load_spec(spec_json())
    return specs


def dump_state(workflow: BpmnWorkflow) -> str:
    """The workflow's state as JSON, without the spec."""
    return SERIALIZER.serialize_json(workflow)


def load_state(state_json: str, specs: tuple, script_engine) -> BpmnWorkflow:
    """Restore a workflow from its state and its version's ``(spec, subprocess_specs)``, with the script engine."""
    token = _restoring_specs.set(specs)
    try:
        workflow = SERIALIZER.deserialize_json(state_json)
    finally:
        _restoring_specs.reset(token)
    workflow.script_engine = script_engine
    return workflow


class ServiceFailed(WorkflowTaskException):
    """A handler raised; ``code`` is the BPMN error code a diagram may catch."""

    def __init__(self, message, task, code=None, exception=None):
        super().__init__(message, task=task, exception=exception)
        self.code = code
        self.message = message


class SandboxEnvironment(TaskDataEnvironment):
    """Every expression and script SpiffWorkflow runs goes through the sandbox, never plain eval/exec."""

    def __init__(self, now: Callable):
        super().__init__({})
        self.now = now

    def evaluate(self, expression, context, external_context=None):
        return expressions.evaluate(expression, {**(external_context or {}), **context}, self.now)

    def execute(self, script, context, external_context=None):
        expressions.execute(script, context, external_context or {}, self.now)
        return True


ServiceCaller = Callable[[object, str, dict], object]


class ScriptEngine(PythonScriptEngine):
    """Sandboxed expressions; service tasks go to ``call``, the engine's handler dispatcher.

    ``decided(task, table engine, outcome)``, when given, is told of every decision table a
    business-rule task evaluates (the engine records them).
    """

    def __init__(self, call: ServiceCaller | None = None, decided: Callable | None = None):
        super().__init__(environment=SandboxEnvironment(clock.now))
        self._call = call
        self.decided = decided

    def validate(self, expression):
        expressions.check(expression, "eval")

    def call_service(self, task, operation_name=None, operation_params=None, **_):
        """Run the named handler; its result becomes JSON in the task's result variable."""
        params = {name: p["value"] for name, p in (operation_params or {}).items()}
        if self._call is None:
            raise ServiceFailed(f"no service dispatcher for {operation_name!r}", task=task)
        return json.dumps(self._call(task, operation_name, params))


def stored_task_data(task: dict, tasks: dict) -> dict:
    """A serialised task's data (from ``dump_state``'s JSON, ``tasks`` being its workflow's tasks).

    The serialiser stores a task's data as changes to its parent's (top-level keys updated and
    deleted), so they are replayed from the nearest ancestor stored whole.
    """
    chain = []
    while task.get("delta") and task.get("parent") in tasks:
        chain.append(task["delta"])
        task = tasks[task["parent"]]
    data = dict(task["data"]) if isinstance(task.get("data"), dict) else {}
    for delta in reversed(chain):
        data.update(delta.get("updates") or {})
        for key in delta.get("deletions") or ():
            data.pop(key, None)
    return data
