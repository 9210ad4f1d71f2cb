"""What the public does without signing in: report a dispute (网上自报) and look up the unit tree to say where.

A report opens a case of the dispute process at the grid where the dispute arose, in the
"网上自报" channel, reported by ``REPORTER``: an inactive account nobody signs in with, created with
the first report of a county. Its ``register`` task lands, like every registration, at the nearest
town or county centre above that grid, open to the centre's staff (the reporter named as assignee
is inactive, so nobody holds it).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import cases, references
from .errors import FormInvalid
from .models import Case, OrgUnit, User

REPORTER = "online_report"
CHANNEL = "网上自报"
PROCESS = "dispute_case"
REGISTER_FORM = "dispute_case/register.schema.json"
# The unit tree as the public walks it, from the county down to the grid.
PUBLIC_KINDS = ("county", "town", "village", "grid")
UNUSABLE_PASSWORD = "!"  # no hash matches it: the account cannot sign in


def unit_choices(session: Session, parent_code: str | None = None) -> list[tuple[str, str, str]]:
    """``(code, name, kind)`` of the counties, or of the public units directly below ``parent_code``."""
    query = select(OrgUnit.code, OrgUnit.name, OrgUnit.kind).where(OrgUnit.kind.in_(PUBLIC_KINDS))
    if parent_code:
        parent = session.scalar(select(OrgUnit.id).where(OrgUnit.code == parent_code,
                                                          OrgUnit.kind.in_(PUBLIC_KINDS)))
        if parent is None:
            return []
        query = query.where(OrgUnit.parent_id == parent)
    else:
        query = query.where(OrgUnit.kind == "county")
    return [tuple(row) for row in session.execute(query.order_by(OrgUnit.code))]


def _reporter(session: Session, county: OrgUnit) -> User:
    user = session.scalar(select(User).where(User.username == REPORTER))
    if user is None:
        user = User(username=REPORTER, password_hash=UNUSABLE_PASSWORD, role="grid_worker", org_unit=county,
                    display_name="网上自报 Online self-report", session_version=0, active=False)
        session.add(user)
        session.flush()
    return user


def report(session: Session, *, dispute_type: str, summary: str, parties: list[dict], contact_phone: str,
           location_code: str) -> Case:
    """Open a case from a citizen's report; ``FormInvalid`` names each field (``data.<field>``) that is wrong."""
    grid = session.scalar(select(OrgUnit).where(OrgUnit.code == location_code, OrgUnit.kind == "grid"))
    if grid is None:
        raise FormInvalid("the place must be a grid of the unit tree",
                          fields={"data.location_unit_code": "choose the grid where the dispute arose"})
    reporter = _reporter(session, references.county_of(session, grid))
    data = {"intake_channel": CHANNEL, "dispute_type": dispute_type, "summary": summary, "parties": parties,
            "contact_phone": contact_phone, "location_unit_code": grid.code}
    return cases.start_case(session, reporter.username, cases.process_version(session, PROCESS), data, grid,
                            title=summary[:60])


def report_choices(session: Session) -> dict:
    """What the report form offers, from the registration form of the latest dispute process."""
    pv = cases.process_version(session, PROCESS)
    schema = (pv.forms or {}).get(REGISTER_FORM) or {}
    props = schema.get("properties") or {}
    party = ((props.get("parties") or {}).get("items") or {}).get("properties") or {}
    roles = [(item["const"], item.get("title", item["const"])) for item in (party.get("role") or {}).get("oneOf", [])]
    kinds = props.get("dispute_type") or {}
    types = [(item["const"], item.get("title", item["const"])) for item in kinds.get("oneOf") or [] if "const" in item]
    types += [(value, value) for value in kinds.get("enum") or []]  # versions deployed before the titles
    return {"dispute_types": types, "roles": roles}
