"""The Monday notice of the weekly digest: who is told, the link, once per week and centre, the schedule."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from engine import accounts, analysis_digest, clock, notifications
from engine.models import Notification, Outbox
from tests.conftest import ON_POSTGRES
from tests.helpers import small_org

# Monday 2031-03-10, 08:30 in Beijing: the digest of 2031-W10 (3–9 March) is due.
MONDAY = datetime(2031, 3, 10, 0, 30, tzinfo=UTC)


class RecordingSender:
    name = "recording"

    def __init__(self):
        self.sent = []

    def send(self, user, notification):
        self.sent.append((user.username, notification.subject))


@pytest.fixture
def world(session):
    units, users = small_org(session)
    users["town_leader"] = accounts.add_user(session, "town_leader", "pw", "leader", units["town"])
    users["village_staff"] = accounts.add_user(session, "village_staff", "pw", "centre_staff", units["village"])
    users["gone"] = accounts.add_user(session, "gone", "pw", "centre_staff", units["other_town"])
    users["gone"].active = False
    session.commit()
    return units, users


def _run(session):
    with clock.frozen_at(MONDAY):
        result = analysis_digest.notify(session)
        session.commit()
    sender = RecordingSender()
    notifications.deliver(session, sender)
    return result, sender


def test_leaders_and_centre_staff_of_each_town_and_county_centre_are_told_last_weeks_digest_is_ready(session, world):
    result, sender = _run(session)
    assert result == {"week": "2031-W10", "queued": 4, "already": 0}
    # county: its leader; 镇一: its leader and both centre staff; 镇二: its active centre staff. Not the
    # administrator, the designer, mediators, grid workers, a village's staff or an inactive account.
    assert sorted(name for name, _ in sender.sent) == ["leader", "other_staff", "staff", "staff2", "town_leader"]
    assert {subject for _, subject in sender.sent} == {"第10周研判已生成"}
    note = session.scalar(select(Notification).join(Outbox).where(Outbox.recipient_unit_id == world[0]["town"].id)
                          .limit(1))
    assert note.kind == "weekly_digest" and note.case_id is None
    assert "镇一" in note.body and "2031-03-03 至 2031-03-09" in note.body and "/analysis/weekly/2031-W10" in note.body


def test_a_rerun_in_the_same_week_tells_nobody_twice_and_the_next_week_is_told_again(session, world):
    _run(session)
    result, sender = _run(session)
    assert result == {"week": "2031-W10", "queued": 0, "already": 4} and sender.sent == []
    assert session.query(Notification).count() == 5
    with clock.frozen_at(datetime(2031, 3, 17, 0, 30, tzinfo=UTC)):
        assert analysis_digest.notify(session)["week"] == "2031-W11"
    by_hand = analysis_digest.notify(session, "2031-W11")  # ``mediate analysis weekly --notify`` after the job
    assert by_hand["queued"] == 0 and by_hand["already"] == 4


def test_a_new_leader_is_told_once_the_role_has_someone_at_the_centre(session, world):
    units, _ = world
    _run(session)
    accounts.add_user(session, "new_leader", "pw", "leader", units["other_town"])
    session.commit()
    result, sender = _run(session)
    assert result["queued"] == 1 and sender.sent == [("new_leader", "第10周研判已生成")]


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="row locks are PostgreSQL's")
def test_two_runs_at_once_queue_each_notice_once(session, world, database_url):
    other = create_engine(database_url)
    answers = {}
    with Session(other) as second:
        first = analysis_digest.notify(session, "2031-W10")  # holds the centres until it commits
        waiting = threading.Thread(target=lambda: answers.update(analysis_digest.notify(second, "2031-W10")))
        waiting.start()
        waiting.join(timeout=1)
        assert waiting.is_alive()  # the second run waits for the first
        session.commit()
        waiting.join(timeout=30)
        second.commit()
    other.dispose()
    assert first["queued"] == 4 and answers == {"week": "2031-W10", "queued": 0, "already": 4}
    assert session.query(Outbox).filter(Outbox.kind == "weekly_digest").count() == 4


@pytest.mark.parametrize("raw, expected", [("mon 08:30", ("mon", 8, 30)), (" SUN 7:05 ", ("sun", 7, 5)),
                                           ("off", None), ("disabled", None)])
def test_the_schedule_reads_a_weekday_and_a_time(raw, expected):
    assert analysis_digest.schedule(raw) == expected


@pytest.mark.parametrize("raw", ["monday 08:30", "mon 8", "mon 24:00", "mon 08:60", "08:30", ""])
def test_a_bad_schedule_is_refused(raw):
    with pytest.raises(ValueError, match="mon 08:30"):
        analysis_digest.schedule(raw)
