"""Demo data for ``mediate demo``: a small county, its units and one user per kind of work."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import accounts, orgs
from .models import Mediator, OrgUnit, User

DEMO_PASSWORD = "demo-pass"
# Unit codes follow the administrative-division style: county, county-TT, county-TT-VVV, …-GG.
COUNTY = "441581"
TOWNS = [(f"{COUNTY}-01", "城关镇"), (f"{COUNTY}-02", "河口镇"), (f"{COUNTY}-03", "山前镇")]
VILLAGES = ["东村", "西村", "南村"]
DEPARTMENTS = [(f"{COUNTY}-GA", "县公安局"), (f"{COUNTY}-FY", "县人民法院"), (f"{COUNTY}-RS", "县人社局"),
               (f"{COUNTY}-SF", "县司法局"), (f"{COUNTY}-ZJ", "县住建局")]
TOWN_1, VILLAGE_1, GRID_1 = f"{COUNTY}-01", f"{COUNTY}-01-001", f"{COUNTY}-01-001-01"
# username, role, unit code, display name
USERS = [
    ("admin", "admin", COUNTY, "系统管理员 Administrator"),
    ("designer", "designer", COUNTY, "流程设计 Process designer"),
    ("county_staff", "centre_staff", COUNTY, "县综治中心 County centre staff"),
    ("leader", "leader", COUNTY, "包案领导 Case-owning leader"),
    ("town_staff", "centre_staff", TOWN_1, "镇综治中心 Town centre staff"),
    ("town_mediator", "mediator", TOWN_1, "镇调解员 Town mediator"),
    ("village_mediator", "mediator", VILLAGE_1, "村调解员 Village mediator"),
    ("grid_worker", "grid_worker", GRID_1, "网格员 Grid worker"),
    ("department", "department", f"{COUNTY}-GA", "公安局 Department officer"),
    ("county_mediator", "mediator", COUNTY, "县调解员 County mediator"),
]


def _units(session: Session) -> dict[str, OrgUnit]:
    county = orgs.add_unit(session, COUNTY, "示范县综治中心", "county")
    units = {COUNTY: county}
    for code, name in DEPARTMENTS:
        units[code] = orgs.add_unit(session, code, name, "department", county)
    for town_code, town_name in TOWNS:
        town = units[town_code] = orgs.add_unit(session, town_code, town_name, "town", county)
        for v, village_name in enumerate(VILLAGES, start=1):
            code = f"{town_code}-{v:03d}"
            village = units[code] = orgs.add_unit(session, code, f"{town_name}{village_name}", "village", town)
            for g in (1, 2):
                units[f"{code}-{g:02d}"] = orgs.add_unit(
                    session, f"{code}-{g:02d}", f"{village.name}第{g}网格", "grid", village)
    return units


# (name, tier, unit code, specialties, mediation type, gold, linked demo user)
POOL = [
    ("张秀兰", "village", VILLAGE_1, ["婚姻家庭", "邻里纠纷"], "人民调解", True, "village_mediator"),
    ("李建国", "village", f"{COUNTY}-01-002", ["土地山林", "邻里纠纷"], "人民调解", False, None),
    ("王德明", "village", f"{COUNTY}-02-001", ["邻里纠纷", "物业纠纷"], "人民调解", False, None),
    ("赵红梅", "town", TOWN_1, ["劳动争议", "合同债务"], "行政调解", True, "town_mediator"),
    ("陈志强", "town", f"{COUNTY}-02", ["交通事故", "医疗纠纷"], "行业性专业性调解", False, None),
    ("刘海燕", "town", f"{COUNTY}-03", ["征地拆迁", "土地山林"], "行政调解", False, None),
    ("周法官", "county", COUNTY, ["合同债务", "劳动争议", "征地拆迁"], "司法调解", True, "county_mediator"),
    ("吴律师", "county", COUNTY, ["医疗纠纷", "交通事故"], "行业性专业性调解", False, None),
]


def _pool(session: Session, units: dict[str, OrgUnit], users: dict[str, User]) -> None:
    for name, tier, unit_code, specialties, kind, gold, username in POOL:
        session.add(Mediator(name=name, tier=tier, org_unit=units[unit_code], specialties=specialties,
                             mediation_type=kind, gold=gold,
                             user_id=users[username].id if username else None))


def load(session: Session, extra=None) -> bool:
    """Create the demo county and users; returns False if they already exist."""
    if session.scalar(select(User.id).where(User.username == "admin")) is not None:
        return False
    units = _units(session)
    users = {username: accounts.add_user(session, username, DEMO_PASSWORD, role, units[unit_code], display)
             for username, role, unit_code, display in USERS}
    session.flush()
    _pool(session, units, users)
    if extra is not None:
        extra(session, units)
    session.flush()
    return True
