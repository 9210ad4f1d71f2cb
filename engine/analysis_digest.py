"""周研判 sent: on Monday morning the leaders and centre staff of every town and county centre are told,
in their in-app list, that last week's digest is ready, with the link to its page.

The notifications go through the outbox like every other (``engine.notifications.deliver`` writes
them and tells the configured sender). One outbox row per week, centre and role, keyed
``weekly:<week>:<unit id>:<role>``; ``notify`` skips the keys already queued, so a rerun or
``mediate analysis weekly --notify`` after the scheduled run tells nobody twice. Two runs at once
(a second worker) take turns: the first locks the centres' rows (``FOR UPDATE`` on PostgreSQL; SQLite
has one writer at a time) until it commits, and the second then finds its keys. A role
with no active user at a centre gets no row (it would only fail to deliver).
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import analysis_weekly
from .models import OrgUnit, Outbox, User

KIND = "weekly_digest"
CENTRES = ("county", "town")  # 县、镇(街道)综治中心
READERS = ("leader", "centre_staff")
PAGE = "/analysis/weekly/{week}"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SCHEDULE = re.compile(r"^(?P<day>[a-z]{3})\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})$")
OFF = ("off", "no", "false", "0", "disabled")


def schedule(raw: str) -> tuple[str, int, int] | None:
    """``("mon", 8, 30)`` from ``"mon 08:30"`` (Beijing time), None from ``off``; ValueError otherwise."""
    text = raw.strip().lower()
    if text in OFF:
        return None
    found = SCHEDULE.match(text)
    if found is None or found["day"] not in DAYS or int(found["hour"]) > 23 or int(found["minute"]) > 59:
        raise ValueError(f"must be a weekday and a time like 'mon 08:30', or 'off', not {raw!r}")
    return found["day"], int(found["hour"]), int(found["minute"])


def key(week: str, unit_id: int, role: str) -> str:
    """The outbox key of one week's notification to one role at one centre."""
    return f"weekly:{week}:{unit_id}:{role}"


def _roles_present(session: Session, unit: OrgUnit) -> list[str]:
    present = set(session.scalars(select(User.role).where(User.org_unit_id == unit.id, User.active.is_(True),
                                                          User.role.in_(READERS))))
    return [role for role in READERS if role in present]


def notify(session: Session, week: str | None = None) -> dict:
    """Queue the notification that ``week``'s digest (last week by default) is ready, once per centre and role."""
    week, monday, sunday = analysis_weekly.week_days(week or analysis_weekly.last_week())
    number = int(week[-2:])
    # The centres' rows locked first (PostgreSQL), so a second run waits here and then reads the first's keys.
    centres = session.scalars(select(OrgUnit).where(OrgUnit.kind.in_(CENTRES)).order_by(OrgUnit.id)
                              .with_for_update()).all()
    queued = set(session.scalars(select(Outbox.task_id).where(Outbox.kind == KIND,
                                                              Outbox.task_id.like(f"weekly:{week}:%"))))
    added = 0
    for unit in sorted(centres, key=lambda u: u.path):
        for role in _roles_present(session, unit):
            if key(week, unit.id, role) in queued:
                continue
            session.add(Outbox(case_id=None, task_id=key(week, unit.id, role), kind=KIND, channel="inbox",
                               recipient_unit_id=unit.id, recipient_role=role, recipient=None,
                               subject=f"第{number}周研判已生成",
                               body=f"{unit.name}：{monday.isoformat()} 至 {sunday.isoformat()}（{week}）的周研判已生成，"
                                    f"含本周受理、化解、按期化解、满意度和到期台账。查看：{PAGE.format(week=week)}"))
            added += 1
    session.flush()
    return {"week": week, "queued": added, "already": len(queued)}
