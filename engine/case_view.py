"""Everything the case page shows of one case, for one reader: summary, parties as the reader may
see them, the order ledger with its supervision orders, the timeline, the open tasks and the
case's path on the diagram it shows (its own process, or a sub-process it called)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from . import cases, diagram, orders, privacy
from .errors import NotFound
from .models import Case, Order, ProcessVersion, Supervision, TaskItem, User
from .runner import CaseRun


@dataclass(frozen=True)
class CaseView:
    case: Case
    channel: str | None
    parties: list
    orders: list[Order]
    supervisions: dict[int, list[Supervision]]
    open_tasks: list[TaskItem]
    timeline: list[cases.Event]
    shown_version: ProcessVersion  # the diagram the page shows
    marks: dict  # {"done": [...], "current": [...]} on that diagram
    called: dict[str, str]  # process ids the case's run has marks on → their names, for drilling down


def _data(session: Session, case: Case) -> dict:
    if case.state is None:
        return {}
    run = CaseRun(session, case, "")
    run.load()
    return run.current_data(run.ready_user_tasks())


def case_view(session: Session, user: User, code: str, process_id: str | None = None) -> CaseView:
    """The case page of ``code`` for ``user`` (``Forbidden`` outside their units), showing ``process_id``'s diagram."""
    page = cases.case_page(session, user, code)
    case = page.case
    data = _data(session, case)
    parties = data.get("parties") if isinstance(data.get("parties"), list) else []
    parties = privacy.shown(session, user, case, data={"parties": parties})["data"]["parties"]
    ledger = orders.for_case(session, user, code)
    path = diagram.path(session, case)
    shown_id = process_id or case.process_id
    if shown_id != case.process_id and shown_id not in path:
        raise NotFound(f"the case never ran process {shown_id!r}", fields={"process": "not run by this case"})
    version = diagram.called_version(session, case, shown_id)
    marks = path.get(shown_id, diagram.Marks()).as_dict()
    channel = data.get("intake_channel")
    return CaseView(case, channel if isinstance(channel, str) else None, parties, ledger,
                    orders.supervisions(session, [o.id for o in ledger]), page.open_tasks, page.timeline,
                    version, marks, {pid: diagram.called_version(session, case, pid).name or pid
                                     for pid in sorted(path) if pid != case.process_id})


def diagram_xml(session: Session, user: User, code: str, process_id: str | None = None) -> str:
    """The BPMN XML of the case's own version of ``process_id`` (its process by default)."""
    case = cases.get_case(session, user, code)
    return diagram.called_version(session, case, process_id or case.process_id).bpmn_xml
