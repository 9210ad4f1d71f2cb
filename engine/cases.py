"""Opening, listing, reading and retrying cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from . import audit, case_codes, clock, doctor, form_labels, orgs, party_index, privacy, tracking
from .errors import BadRequest, FormInvalid, NotFound
from .models import Case, Incident, OrgUnit, PartyName, ProcessVersion, TaskItem, User
from .runner import CaseRun, StepFailed, open_incident
from .task_forms import validate_opening


def process_version(session: Session, process_id: str, version: int | None = None) -> ProcessVersion:
    """The named version of a process, or its latest."""
    query = select(ProcessVersion).where(ProcessVersion.process_id == process_id)
    query = query.where(ProcessVersion.version == version) if version else query.order_by(
        ProcessVersion.version.desc())
    pv = session.scalars(query.limit(1)).first()
    if pv is None:
        raise NotFound(f"no deployed process {process_id!r}" + (f" version {version}" if version else ""),
                       fields={"process_id": "unknown process"})
    return pv


def open_case(session: Session, user: User, process_id: str, data: dict, *,
              version: int | None = None, unit_code: str | None = None, title: str = "") -> Case:
    """Start a case of a startable process in the user's unit (or a visible unit named by code); run to its first wait."""
    if not isinstance(data, dict):
        raise BadRequest("data must be a JSON object", fields={"data": "must be an object"})
    pv = process_version(session, process_id, version)
    if not pv.startable:
        raise FormInvalid(f"process {pv.process_id!r} version {pv.version} cannot be opened as a case: its diagram "
                          "does not mark it startable (a sub-process runs when another process calls it)",
                          fields={"process_id": "not a startable process"})
    unit = orgs.unit_by_code(session, unit_code) if unit_code else user.org_unit
    orgs.require_unit(session, user, unit.id)
    return start_case(session, user.username, pv, data, unit, title=title)


def open_new(session: Session, user: User) -> tuple[Case, TaskItem | None]:
    """Open a case of the startable process in the user's unit; its first task, preferably the user's.

    With several startable processes the first by id is taken (the library has one, ``dispute_case``).
    """
    startable = sorted(v.process_id for v in doctor.latest_versions(session) if v.startable)
    if not startable:
        raise NotFound("no process is deployed that can be opened as a case")
    case = open_case(session, user, startable[0], {})
    tasks = open_tasks(session, case)
    mine = [t for t in tasks if t.assignee_id == user.id]
    return case, (mine or tasks or [None])[0]


def start_case(session: Session, reported_by: str, pv: ProcessVersion, data: dict, unit: OrgUnit, *,
               title: str = "", track_phone: str | None = None) -> Case:
    """Open a case of ``pv`` at ``unit`` for ``reported_by`` (the caller checked who may) and run it to its
    first wait. ``track_phone`` (or else the data's ``contact_phone``) lets the reporter track it by code."""
    validate_opening(session, pv, data, unit)
    now = clock.now()
    code = case_codes.issue(session, unit, now)
    phone = track_phone or data.get("contact_phone")
    case = Case(code=code, process_id=pv.process_id, process_version=pv, org_unit=unit, opened_by=reported_by,
                opened_at=now, received_at=now, received_unit_id=unit.id, title=title[:255],
                track_digest=tracking.digest(code, phone) if isinstance(phone, str) and phone else None)
    session.add(case)
    session.flush()
    audit.record(session, "case_opened", reported_by, case_id=case.id,
                 detail={"process_id": pv.process_id, "version": pv.version, "code": case.code,
                         "data": privacy.for_audit(pv, data)})
    data = {**data, "reported_by": reported_by, "received_at": now.isoformat(), case_codes.DATA_KEY: case.code}
    run = CaseRun(session, case, reported_by)
    run.new_workflow(data)
    _step_or_incident(session, run, reported_by, lambda: run.new_workflow(data))
    return case


def _step_or_incident(session: Session, run: CaseRun, actor: str, rebuild) -> None:
    """Step and persist; on a failure, persist the pre-step state (via ``rebuild``) and open an incident."""
    savepoint = session.begin_nested()
    try:
        run.step()
        run.persist()
        savepoint.commit()
    except StepFailed as failure:
        savepoint.rollback()
        rebuild()
        run.persist()
        open_incident(session, run.case, failure, actor)


def get_case(session: Session, user: User, code: str) -> Case:
    """A case the user may see, by its code: one in their units, or one they reported."""
    case = session.scalar(select(Case).where(Case.code == code))
    if case is None:
        raise NotFound(f"no case {code!r}")
    if case.opened_by != user.username:
        orgs.require_unit(session, user, case.org_unit_id)
    return case


def list_cases(session: Session, user: User, *, status=None, tier=None, unit_code=None, text=None,
               reported: bool = False, page: int = 1, per_page: int = 50) -> tuple[list[Case], bool]:
    """Cases the user may see, newest first; returns ``(rows, has_more)``.

    ``reported`` lists the cases the user opened ("reported by me"), wherever they are now. ``text`` is a
    case code, or words of a code, dispute type or summary, or a party's whole name (on cases the user
    works, ``engine/party_index.py``).
    """
    query = select(Case)
    if reported:
        query = query.where(Case.opened_by == user.username)
    visible = None if reported and not unit_code else orgs.listing_units(session, user, unit_code)
    if visible is not None:
        query = query.where(Case.org_unit_id.in_(visible))
    if status:
        query = query.where(Case.status == status)
    if tier:
        query = query.where(Case.tier == tier)
    if text:
        code = case_codes.normalize(text)
        if code is not None:  # a whole code, typed as people type it: that case only
            query = query.where(Case.code == code)
        else:
            like = f"%{text}%"
            matches = [Case.code.ilike(like), Case.title.ilike(like), Case.dispute_type.ilike(like),
                       Case.summary.ilike(like)]
            name = party_index.digest(text)
            if name:  # a party's whole name, only on cases the user works (others never learn it matched)
                matches.append(and_(Case.id.in_(select(PartyName.case_id).where(PartyName.digest == name)),
                                    privacy.works_case_clause(session, user)))
            query = query.where(or_(*matches))
    rows = list(session.scalars(query.order_by(Case.id.desc()).offset((page - 1) * per_page).limit(per_page + 1)))
    return rows[:per_page], len(rows) > per_page


def open_tasks(session: Session, case: Case) -> list[TaskItem]:
    """The case's ready tasks."""
    return list(session.scalars(select(TaskItem).where(TaskItem.case_id == case.id, TaskItem.state == "ready")
                                .order_by(TaskItem.id)))


@dataclass(frozen=True)
class Event:
    """One audit event as a reader sees it: submitted form data masked."""

    id: int
    kind: str
    actor: str
    at: datetime
    task_id: int | None
    detail: dict
    task_title: str | None = None  # "中文 English" of the task the event names, when it is one of the case's


@dataclass(frozen=True)
class CasePage:
    """A case with its open tasks and its audit timeline."""

    case: Case
    open_tasks: list[TaskItem]
    timeline: list[Event]


def case_page(session: Session, user: User, code: str) -> CasePage:
    """A case the user may see, with its open tasks and timeline."""
    case = get_case(session, user, code)
    return CasePage(case, open_tasks(session, case), timeline(session, case))


def timeline(session: Session, case: Case) -> list[Event]:
    """The case's audit events, oldest first, with personal data masked for every reader.

    New events store it masked already; this also covers events written before that.
    """
    paths = privacy.version_paths(case.process_version)
    titles = {spec: form_labels.task_title(name, case.process_version, form) for spec, name, form in session.execute(
        select(TaskItem.spec_id, TaskItem.name, TaskItem.form).where(TaskItem.case_id == case.id))}
    out = []
    for e in audit.timeline(session, case.id):
        detail = e.detail or {}
        if isinstance(detail.get("data"), dict):
            detail = {**detail, "data": privacy.mask_data(paths, detail["data"])}
        named = detail.get("task") if e.kind.startswith("task_") else None
        out.append(Event(e.id, e.kind, e.actor, e.at, e.task_id, detail, titles.get(named) if named else None))
    return out


def list_incidents(session: Session, user: User, state: str = "open") -> list[Incident]:
    """Incidents of cases the user may see."""
    query = select(Incident).join(Case).where(Incident.state == state)
    visible = orgs.visible_unit_ids(session, user)
    if visible is not None:
        query = query.where(Case.org_unit_id.in_(visible))
    return list(session.scalars(query.order_by(Incident.id)))


def retry_incident(session: Session, user: User, incident_id: int) -> Incident:
    """Run the case's engine steps again; resolve the incident if they now succeed."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"no incident {incident_id}")
    case = lock_case(session, incident.case_id)
    orgs.require_unit(session, user, case.org_unit_id)
    if incident.state != "open":
        return incident
    run = CaseRun(session, case, user.username)
    run.load()
    savepoint = session.begin_nested()
    try:
        run.step()
        run.persist()
        savepoint.commit()
    except StepFailed as failure:
        savepoint.rollback()
        open_incident(session, case, failure, user.username)
        return incident
    incident.state = "resolved"
    incident.resolved_at = clock.now()
    if case.status == "incident":
        case.status = "closed" if run.workflow.is_completed() else "open"
    audit.record(session, "incident_resolved", user.username, case_id=case.id, detail={"incident": incident.id})
    return incident


def lock_case(session: Session, case_id: int) -> Case:
    """Load a case for writing; on PostgreSQL the row stays locked until the transaction ends."""
    case = session.scalar(select(Case).where(Case.id == case_id).with_for_update(of=Case))
    if case is None:
        raise NotFound(f"no case {case_id}")
    return case
