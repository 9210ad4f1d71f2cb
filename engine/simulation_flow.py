"""One simulated case through the deployed diagrams, on a simulated clock.

The case runs in SpiffWorkflow exactly as the engine runs it (``engine.runner.CaseRun.step``:
the sandboxed script engine, the real service handlers, error boundary events), with the run's
decision tables bound to a private copy of the deployed specs, so a draft table never touches the
specs the live engine uses. What people do is simulated (``engine.simulation_staff``); time is
simulated too: the clock jumps to the moment the next task is answered or the next timer falls
due, whichever comes first, and a timer due in between fires first (a deadline, a reminder, the
tier's overdue limit), as the scheduler's sweep would fire it.

What the case went through is read from the decision tables it asked (triage, each tier's
``deadlines``, each ``escalation``) and from its data at the end (``engine.outcomes``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask
from SpiffWorkflow.task import TaskState

from . import clock, outcomes, spiff, timers, validation
from .decisions import HitPolicyEngine
from .runner import CaseRun, StepFailed

START = datetime(2031, 3, 3, 1, 0, tzinfo=UTC)  # a Monday, 09:00 in Beijing; after any wall clock
FAR = datetime(2999, 1, 1, tzinfo=UTC)  # where a tracked timer waits, so only the simulation fires it
MAX_STEPS = 300  # answers and firings; a case still going after them is counted as stuck (a draft that loops)
ACTOR = "simulation"


def private_specs(spec_json: str, tables: dict) -> tuple:
    """A copy of the deployed specs of its own, each business-rule task answered by ``tables`` (decision id →
    engine) as ``decisions.bind_current`` answers it with the deployed ones."""
    spec, subprocess_specs = spiff.load_spec.__wrapped__(spec_json)
    by_table = {engine.decision_table.id: engine for engine in tables.values()}
    for process in (spec, *subprocess_specs.values()):
        for task_spec in process.task_specs.values():
            if isinstance(task_spec, BusinessRuleTask):
                table = task_spec.dmnEngine.decision_table
                task_spec.dmnEngine = by_table.get(table.id) or HitPolicyEngine(table)
    return spec, subprocess_specs


@dataclass
class Round:
    """One round at one tier: when it started and how the escalation table ended it."""

    tier: str
    started: datetime
    ended: datetime | None = None
    outcome: str | None = None  # the order outcome the escalation table was asked with
    action: str | None = None
    on_time: bool = False


@dataclass
class CaseResult:
    """What one simulated case went through."""

    n: int
    arrived: datetime
    ended: datetime | None = None
    outcome: str | None = None  # engine.outcomes' name; None when the case did not end
    tier: str | None = None  # where it was resolved (or ended)
    severity: str | None = None
    leader: str | None = None
    leader_from: datetime | None = None
    on_time: bool = False
    stuck: bool = False
    failed: str | None = None  # the step that failed (an incident in the engine)
    refused: int = 0  # dispatched orders returned or not accepted in time
    rounds: list[Round] = field(default_factory=list)


class SimulatedRun(CaseRun):
    """``CaseRun`` on the simulation's database, observing the tables the case asks."""

    def __init__(self, session, case, result: CaseResult):
        super().__init__(session, case, ACTOR)
        self.result = result

    def _call_service(self, task, operator: str, params: dict):
        return self._handle(task, operator, params)  # each service task runs once here: no replay to guard

    def _record_decision(self, task, engine, outcome: dict) -> None:
        asked, now, result = engine.decision_id, clock.now(), self.result
        if asked == "triage" and outcome.get("severity"):
            result.severity = outcome["severity"]
        elif asked == "deadlines":
            if not result.rounds or result.rounds[-1].ended is not None:
                result.rounds.append(Round(str(task.data.get("tier")), now))
        elif asked == "escalation" and result.rounds:
            last = result.rounds[-1]
            last.ended, last.outcome, last.action = now, task.data.get("order_outcome"), outcome.get("next_action")
            due = outcomes.parse_time(task.data.get("tier_due_at"))
            last.on_time = last.outcome == "resolved" and (due is None or now <= due)


class CaseFlow:
    """Plays one case: answers ready tasks, fires due timers, until the workflow completes."""

    def __init__(self, world, specs: tuple, staff, n: int, arrived: datetime, opening: dict, seed: int):
        self.world, self.staff, self.opening = world, staff, opening
        self.rng = random.Random(f"{seed}:flow:{n}")
        self.now = arrived
        self.result = CaseResult(n, arrived)
        self.case = world.open_case(n, opening["location_unit_code"], arrived)
        self.run = SimulatedRun(world.session, self.case, self.result)
        self.run.workflow = BpmnWorkflow(*specs, script_engine=self.run.script_engine)
        self.run.workflow.task_tree.data.update({"reported_by": ACTOR, "received_at": arrived.isoformat(),
                                                 "case_code": self.case.code})
        self.due: dict = {}  # waiting timer task id → when it falls due on the simulated clock
        self.answer_at: dict = {}  # ready task id → when its answer comes
        self.ready: list = []  # the ready user tasks after the last step

    def play(self) -> CaseResult:
        workflow = self.run.workflow
        try:
            self._step(None)
            for _ in range(MAX_STEPS):
                if workflow.is_completed():
                    return self._finish()
                self._next()
            self.result.stuck = True
        except StepFailed as err:
            self.result.failed = f"{err.task_spec or '?'}: {err.message}"
        return self.result

    # -- moving the clock ---------------------------------------------------------------------
    def _next(self) -> None:
        ready = self.ready
        for task in ready:
            if task.id not in self.answer_at:
                tier = task.data.get("tier")
                self.answer_at[task.id] = self.now + timedelta(hours=self.staff.hours(_spec_id(task), tier, self.rng))
        task = min(ready, key=lambda t: self.answer_at[t.id]) if ready else None
        timer = min(self.due, key=self.due.get) if self.due else None
        if timer is not None and (task is None or self.due[timer] < self.answer_at[task.id]):
            self._fire(timer)
        elif task is not None:
            self._answer(task)
        else:
            raise StepFailed("", "the case waits for nothing: no task is ready and no timer waits")

    def _answer(self, task) -> None:
        self.now = max(self.now, self.answer_at.pop(task.id))
        form = validation.form_path(task.task_spec)
        data = self.opening if _spec_id(task) == "register" else {}
        if form:
            with clock.frozen_at(self.now):
                data = self.staff.answer(form, task.data, self.case, self.now, self.rng, data)
        if _spec_id(task) == "accept_order" and data.get("order_accepted") is False:
            self.result.refused += 1
        self._step(lambda: (task.set_data(**data, last_actor=ACTOR), task.run()))

    def _fire(self, key) -> None:
        self.now = max(self.now, self.due.pop(key))
        task = self.run.workflow.get_task_from_id(key)
        timers.make_due(task)
        self._step(None)
        if task.state == TaskState.WAITING and isinstance(task.task_spec.event_definition, CycleTimerEventDefinition):
            value = task._get_internal_data("event_value") or {}
            self.due[key] = self.now + timedelta(seconds=float(value.get("duration") or 86400))
            timers.set_due(task, FAR)

    def _step(self, action) -> None:
        with clock.frozen_at(self.now):
            if action is not None:
                try:
                    action()
                except StepFailed:
                    raise
                except Exception as err:  # a post-script or a form's data the diagram cannot use
                    raise StepFailed(_spec_id_of(err), f"{type(err).__name__}: {str(err).splitlines()[0]}") \
                        from err
            self.run.step()
            self._track_timers()
        self._leader()

    def _track_timers(self) -> None:
        waiting = {t.id: t for t in timers.waiting_timers(self.run.workflow)}
        for key in [k for k in self.due if k not in waiting]:
            del self.due[key]
        for key, task in waiting.items():
            if key not in self.due:
                self.due[key] = timers.retarget(task, self.now)
                timers.set_due(task, FAR)
        self.ready = self.run.ready_user_tasks()
        live = {t.id for t in self.ready}
        for key in [k for k in self.answer_at if k not in live]:
            del self.answer_at[key]

    def _leader(self) -> None:
        if self.result.leader is None:
            data = self.run.workflow.last_task.data if self.run.workflow.last_task else {}
            if data.get("leader_username"):
                self.result.leader, self.result.leader_from = data["leader_username"], self.now

    def _finish(self) -> CaseResult:
        result = self.result
        result.ended = self.now
        data = self.run.current_data([])
        reading = outcomes.read(data)
        result.outcome = reading.outcome
        result.tier = self._tier(reading)
        due = outcomes.parse_time(data.get("case_due_at"))
        resolved_at = next((r.ended for r in result.rounds if r.action == "close"), result.ended)
        result.on_time = reading.outcome in outcomes.RESOLVED and (due is None or resolved_at <= due)
        return result

    def _tier(self, reading) -> str | None:
        if reading.rule is not None and reading.rule.tier == "unit":
            code = reading.unit_code or self.case.org_unit.code
            unit = self.world.units.get(code)
            return unit.kind if unit is not None else reading.tier
        return reading.tier


def _spec_id(task) -> str:
    return task.task_spec.bpmn_id or task.task_spec.name


def _spec_id_of(err) -> str:
    task = getattr(err, "task", None)
    return _spec_id(task) if task is not None else ""
