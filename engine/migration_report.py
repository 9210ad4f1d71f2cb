"""What a dry run or a move of cases between versions reports: per case, where each waiting element goes
and why a case cannot move."""

from __future__ import annotations

from dataclasses import dataclass, field

# Why a case cannot move; the pages translate the codes, the API sends them with an English message.
REASONS = {
    "not_found": "no such case, or not one you may see",
    "closed": "the case has ended",
    "incident": "the case has an open incident; retry or resolve it first",
    "already_on_target": "the case is already on the target version",
    "other_version": "the case is on another version than the one to move from",
    "removed": "the element the case waits on is not in the new version; map it to one that is",
    "unknown_target": "the mapping names an element the new version of this process does not have",
    "type_changed": "the element the case waits on would become an element of another type",
    "passed_removed": "an element the case passed is gone and nothing in the new version lines up with it; map it",
    "subprocess_removed": "a sub-process the case runs is not deployed with the new version",
    "call_changed": "a call activity the case runs calls another process in the new version",
}


@dataclass
class Blocker:
    """One reason a case cannot move, naming the element (and process) concerned."""

    code: str
    element: str = ""
    process: str = ""
    suggestion: str | None = None

    @property
    def message(self) -> str:
        """The reason in English, with the element."""
        where = f" ({self.process}: {self.element})" if self.element else ""
        hint = f"; {self.suggestion!r} lines up with it" if self.suggestion else ""
        return REASONS[self.code] + where + hint

    def as_dict(self) -> dict:
        """JSON for the API and the audit trail."""
        return {"code": self.code, "element": self.element, "process": self.process,
                "suggestion": self.suggestion, "message": self.message}


@dataclass
class TaskMove:
    """Where one waiting task of a case goes: ``how`` is ``same`` (same id) or ``mapped``."""

    process: str
    old: str
    new: str
    how: str
    state: str

    def as_dict(self) -> dict:
        """JSON for the API and the audit trail."""
        return {"process": self.process, "old": self.old, "new": self.new, "how": self.how, "state": self.state}


@dataclass
class CasePlan:
    """The plan for one case; ``status`` is ``can_move``/``blocked`` (dry run) or ``moved``/``blocked``/``failed``."""

    code: str
    from_version: int | None
    to_version: int
    moves: list[TaskMove] = field(default_factory=list)
    # Every element the case waits on, moved or not (``how`` is ``blocked`` and ``new`` empty when not).
    waiting: list[TaskMove] = field(default_factory=list)
    blockers: list[Blocker] = field(default_factory=list)
    status: str = "can_move"
    error: str | None = None
    # (workflow, new spec, alignment of its tasks, predicted tasks to drop) for each workflow of the case.
    work: list = field(default_factory=list, repr=False)

    def as_dict(self) -> dict:
        """JSON for the API."""
        return {"code": self.code, "from_version": self.from_version, "to_version": self.to_version,
                "status": self.status, "moves": [m.as_dict() for m in self.moves],
                "waiting": [w.as_dict() for w in self.waiting],
                "blockers": [b.as_dict() for b in self.blockers], "error": self.error}


@dataclass
class MigrationReport:
    """What a dry run or a move found for each case."""

    process_id: str
    from_version: int
    to_version: int
    dry_run: bool
    mapping: dict
    cases: list[CasePlan]

    def counts(self) -> dict:
        """Cases per status."""
        out: dict[str, int] = {}
        for plan in self.cases:
            out[plan.status] = out.get(plan.status, 0) + 1
        return out
