"""The county a what-if runs its cases in: a private in-memory copy of the live organisation.

The simulation runs the deployed diagrams with the engine's own service handlers (dispatching
orders, matching mediators, supervision orders, archiving …). Handlers read and write the
database, so the simulated cases get a database of their own: an in-memory SQLite with the
schema of the models and a copy of one county's units, users and mediator pool. Nothing the
simulation does reaches the live database, and the mediators' load grows as simulated cases
are assigned to them, as it would in the county.

``snapshot`` reads what is copied (plain rows, so it can be handed to worker processes);
``World`` builds the private database from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import create_engine, insert, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from .errors import BadRequest
from .models import Base, Case, Mediator, OrgUnit, ProcessVersion, User

COPIED = (OrgUnit, User, Mediator)  # parents before children


@dataclass
class Snapshot:
    """One county's rows and the startable process version the cases run, as plain data."""

    county_code: str
    rows: dict[str, list[dict]]
    process_id: str
    version_id: int
    content_hash: str
    spec_json: str
    forms: dict = field(default_factory=dict)


def _county(session: Session, code: str | None) -> OrgUnit:
    query = select(OrgUnit).where(OrgUnit.kind == "county", OrgUnit.active.is_(True))
    if code:
        query = query.where(OrgUnit.code == code)
    county = session.scalars(query.order_by(OrgUnit.code)).first()
    if county is None:
        found = f"no county {code!r}" if code else "no county is set up"
        raise BadRequest(f"the simulation needs a county's units: {found}", fields={"county": found})
    return county


def _startable(session: Session, process_id: str | None) -> ProcessVersion:
    query = select(ProcessVersion).where(ProcessVersion.startable.is_(True))
    if process_id:
        query = query.where(ProcessVersion.process_id == process_id)
    version = session.scalars(query.order_by(ProcessVersion.process_id, ProcessVersion.version.desc())).first()
    if version is None:
        raise BadRequest("no startable process is deployed: the simulation runs the deployed diagrams",
                         fields={"process": "not deployed"})
    return version


def snapshot(session: Session, county_code: str | None = None, process_id: str | None = None) -> Snapshot:
    """The rows of one county (its units, their users and mediators) and the newest startable diagram."""
    county = _county(session, county_code)
    units = list(session.scalars(select(OrgUnit).where(OrgUnit.path.startswith(county.path))))
    unit_ids = [u.id for u in units]
    rows = {OrgUnit.__tablename__: [_row(u) for u in units]}
    for model in (User, Mediator):
        rows[model.__tablename__] = [_row(r) for r in session.scalars(
            select(model).where(model.org_unit_id.in_(unit_ids)))]
    version = _startable(session, process_id)
    return Snapshot(county.code, rows, version.process_id, version.id, version.content_hash, version.spec_json,
                    dict(version.forms or {}))


def _row(obj) -> dict:
    return {c.key: getattr(obj, c.key) for c in obj.__mapper__.column_attrs}


class World:
    """The private database of one simulation run (or of one worker process of it)."""

    def __init__(self, snap: Snapshot):
        self.snapshot = snap
        engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
        Base.metadata.create_all(engine)
        with engine.begin() as conn:
            for model in COPIED:
                found = snap.rows.get(model.__tablename__) or []
                if found:
                    conn.execute(insert(model.__table__), found)
            conn.execute(insert(ProcessVersion.__table__), [{
                "id": snap.version_id, "process_id": snap.process_id, "version": 1, "deployment_id": 0,
                "file_name": "", "content_hash": snap.content_hash, "bpmn_xml": "", "spec_json": "{}",
                "forms": snap.forms, "startable": True}])
        self.session: Session = sessionmaker(bind=engine, expire_on_commit=False)()
        self.units = {u.code: u for u in self.session.scalars(select(OrgUnit))}
        self._by_id = {u.id: u for u in self.units.values()}
        self.grids = sorted(code for code, u in self.units.items() if u.kind == "grid" and u.active)
        if not self.grids:
            raise BadRequest(f"county {snap.county_code} has no grid: simulated cases need a place",
                             fields={"county": "no grid"})

    def centre_of(self, location_code: str) -> OrgUnit:
        """The town centre above a grid, where a case reported there is registered (else the county)."""
        unit = self.units[location_code]
        ids = [int(p) for p in unit.path.strip("/").split("/") if p]
        for unit_id in reversed(ids):
            above = self._by_id.get(unit_id)
            if above is not None and above.kind == "town":
                return above
        return self.units[self.snapshot.county_code]

    def open_case(self, n: int, location_code: str, when: datetime) -> Case:
        """A case row for the handlers to hang orders and assignments on."""
        unit = self.centre_of(location_code)
        case = Case(code=f"SIM-{n:07d}", process_id=self.snapshot.process_id,
                    process_version_id=self.snapshot.version_id, org_unit=unit, opened_by="simulation",
                    opened_at=when, received_at=when, received_unit_id=unit.id,
                    county_id=self.units[self.snapshot.county_code].id)
        self.session.add(case)
        self.session.flush()
        return case

    def close(self) -> None:
        self.session.close()
