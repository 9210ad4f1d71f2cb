"""Demo data for ``mediate demo``: a small county, its units and one user per kind of work."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import accounts, orgs
from .models import OrgUnit, User

DEMO_PASSWORD = "demo-pass"
TOWNS = [("town-1", "城关镇"), ("town-2", "河口镇"), ("town-3", "山前镇")]
VILLAGES = ["东村", "西村", "南村"]
DEPARTMENTS = [("dept-police", "县公安局"), ("dept-court", "县人民法院"), ("dept-labour", "县人社局"),
               ("dept-justice", "县司法局"), ("dept-housing", "县住建局")]
# username, role, unit code, display name
USERS = [
    ("admin", "admin", "county", "系统管理员 Administrator"),
    ("designer", "designer", "county", "流程设计 Process designer"),
    ("county_staff", "centre_staff", "county", "县综治中心 County centre staff"),
    ("leader", "leader", "county", "包案领导 Case-owning leader"),
    ("town_staff", "centre_staff", "town-1", "镇综治中心 Town centre staff"),
    ("town_mediator", "mediator", "town-1", "镇调解员 Town mediator"),
    ("village_mediator", "mediator", "village-1-1", "村调解员 Village mediator"),
    ("grid_worker", "grid_worker", "grid-1-1-1", "网格员 Grid worker"),
    ("department", "department", "dept-police", "公安局 Department officer"),
    ("county_mediator", "mediator", "county", "县调解员 County mediator"),
]


def _units(session: Session) -> dict[str, OrgUnit]:
    county = orgs.add_unit(session, "county", "示范县综治中心", "county")
    units = {"county": county}
    for code, name in DEPARTMENTS:
        units[code] = orgs.add_unit(session, code, name, "department", county)
    for t, (town_code, town_name) in enumerate(TOWNS, start=1):
        town = units[town_code] = orgs.add_unit(session, town_code, town_name, "town", county)
        for v, village_name in enumerate(VILLAGES, start=1):
            village = units[f"village-{t}-{v}"] = orgs.add_unit(
                session, f"village-{t}-{v}", f"{town_name}{village_name}", "village", town)
            for g in (1, 2):
                units[f"grid-{t}-{v}-{g}"] = orgs.add_unit(
                    session, f"grid-{t}-{v}-{g}", f"{village.name}第{g}网格", "grid", village)
    return units


def load(session: Session, extra=None) -> bool:
    """Create the demo county and users; returns False if they already exist."""
    if session.scalar(select(User.id).where(User.username == "admin")) is not None:
        return False
    units = _units(session)
    for username, role, unit_code, display in USERS:
        accounts.add_user(session, username, DEMO_PASSWORD, role, units[unit_code], display)
    if extra is not None:
        extra(session, units)
    session.flush()
    return True
