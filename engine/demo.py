"""Demo data for ``mediate demo``: a small county, its units, the people each unit needs, and a mediator pool."""

from __future__ import annotations

import functools

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
# username, role, unit code, display name: the named people of the first town, village and grid,
# and the county. ``_staffing`` gives every other unit the people its tasks need.
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
    ("county_lawyer", "mediator", COUNTY, "县律师调解员 County lawyer mediator"),
    ("leader_2", "leader", COUNTY, "包案领导(二) Case-owning leader 2"),
]
# Who each kind of unit needs so that every task the library creates has someone to take it.
STAFFING = {"town": ("centre_staff", "mediator"), "village": ("mediator",), "grid": ("grid_worker",),
            "department": ("department",)}
ROLE_NAMES = {"centre_staff": ("staff", "综治中心"), "mediator": ("mediator", "调解员"),
              "grid_worker": ("grid", "网格员"), "department": ("officer", "工作人员")}


def _staffing(units: dict[str, OrgUnit]) -> list[tuple[str, str, str, str]]:
    """A user per role a unit needs, for the units the named users above do not cover."""
    covered = {(role, code) for _, role, code, _ in USERS}
    extra = []
    for code, unit in units.items():
        for role in STAFFING.get(unit.kind, ()):
            if (role, code) not in covered:
                short, zh = ROLE_NAMES[role]
                username = f"{short}_{code.removeprefix(COUNTY + '-').replace('-', '_').lower()}"
                extra.append((username, role, code, f"{unit.name}{zh}"))
    return extra


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
    ("李建国", "village", f"{COUNTY}-01-002", ["土地山林", "邻里纠纷"], "人民调解", False, "mediator_01_002"),
    ("孙桂芳", "village", f"{COUNTY}-01-003", ["婚姻家庭", "物业纠纷"], "人民调解", False, "mediator_01_003"),
    ("王德明", "village", f"{COUNTY}-02-001", ["邻里纠纷", "物业纠纷"], "人民调解", False, "mediator_02_001"),
    ("马玉珍", "village", f"{COUNTY}-02-002", ["土地山林", "婚姻家庭"], "人民调解", False, "mediator_02_002"),
    ("何永福", "village", f"{COUNTY}-02-003", ["邻里纠纷", "合同债务"], "人民调解", False, "mediator_02_003"),
    ("郭春梅", "village", f"{COUNTY}-03-001", ["婚姻家庭", "邻里纠纷"], "人民调解", False, "mediator_03_001"),
    ("林国栋", "village", f"{COUNTY}-03-002", ["土地山林", "征地拆迁"], "人民调解", False, "mediator_03_002"),
    ("高丽娟", "village", f"{COUNTY}-03-003", ["物业纠纷", "邻里纠纷"], "人民调解", False, "mediator_03_003"),
    ("赵红梅", "town", TOWN_1, ["劳动争议", "合同债务"], "行政调解", True, "town_mediator"),
    ("陈志强", "town", f"{COUNTY}-02", ["交通事故", "医疗纠纷"], "行业性专业性调解", False, "mediator_02"),
    ("刘海燕", "town", f"{COUNTY}-03", ["征地拆迁", "土地山林"], "行政调解", False, "mediator_03"),
    ("周法官", "county", COUNTY, ["合同债务", "劳动争议", "征地拆迁"], "司法调解", True, "county_mediator"),
    ("吴律师", "county", COUNTY, ["医疗纠纷", "交通事故"], "行业性专业性调解", False, "county_lawyer"),
]


def _pool(session: Session, units: dict[str, OrgUnit], users: dict[str, User]) -> None:
    for name, tier, unit_code, specialties, kind, gold, username in POOL:
        session.add(Mediator(name=name, tier=tier, org_unit=units[unit_code], specialties=specialties,
                             mediation_type=kind, gold=gold, user_id=users[username].id))


@functools.cache
def _demo_hash() -> str:
    return accounts.hash_password(DEMO_PASSWORD)


def load(session: Session, extra=None) -> bool:
    """Create the demo county and users; returns False if they already exist."""
    if session.scalar(select(User.id).where(User.username == "admin")) is not None:
        return False
    units = _units(session)
    hashed = _demo_hash()  # one scrypt run for the county's shared demo password, not one per user
    users = {username: accounts.add_user(session, username, None, role, units[unit_code], display,
                                         password_hash=hashed)
             for username, role, unit_code, display in USERS + _staffing(units)}
    session.flush()
    _pool(session, units, users)
    if extra is not None:
        extra(session, units)
    session.flush()
    return True
