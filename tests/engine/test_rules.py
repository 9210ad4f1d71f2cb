"""Administrators test a draft table, replay recent cases through it and publish it."""

import pytest
from sqlalchemy import select

from engine import cases, rules, tasks
from engine.errors import BadRequest, Conflict, Forbidden, FormInvalid
from engine.models import AuditEvent, DecisionRecord
from tests.helpers import FIXTURES, deploy_fixture, small_org

LIVE = (FIXTURES / "rule.dmn").read_bytes()
# Four parties and more now count as large: a case of 5 parties moves from 24 to 72 hours.
DRAFT = LIVE.replace(b"&lt; 10", b"&lt; 4").replace(b"&gt;= 10", b"&gt;= 4")


def _run_cases(session, user, *counts):
    opened = {}
    for count in counts:
        case = cases.open_case(session, user, "rule", {})
        row = cases.open_tasks(session, case)[0]
        tasks.complete(session, user, row.id, {"title": "t", "parties_count": count})
        opened[count] = case
    session.commit()
    return opened


@pytest.fixture
def setup(session):
    _, users = small_org(session)
    deploy_fixture(session, "rule.bpmn", "rule.dmn")
    return users


def test_tables_list_their_live_version_and_who_deployed_them(session, setup):
    table = rules.list_tables(session, setup["admin"])[0]
    assert (table.decision_id, table.version, table.actor, table.file.name) == ("deadline_rule", 1, "test", "rule.dmn")
    assert table.inputs == [{"expression": "parties_count", "label": "当事人数", "type": "integer"}]


@pytest.mark.parametrize("role", ["designer", "staff", "leader"])
def test_only_administrators_change_rules(session, setup, role):
    with pytest.raises(Forbidden):
        rules.list_tables(session, setup[role])
    with pytest.raises(Forbidden):
        rules.replay(session, setup[role], "deadline_rule", DRAFT, 10)
    with pytest.raises(Forbidden):
        rules.recalc_timers(session, setup[role])


def test_draft_and_live_answer_typed_inputs(session, setup):
    answer = rules.evaluate(session, setup["admin"], "deadline_rule", DRAFT, {"parties_count": "5"})
    assert answer["draft"]["outcome"] == {"deadline_hours": 72} and answer["draft"]["rules"] == ["r_large"]
    assert answer["live"]["outcome"] == {"deadline_hours": 24} and answer["live"]["rules"] == ["r_small"]
    with pytest.raises(BadRequest) as err:
        rules.evaluate(session, setup["admin"], "deadline_rule", DRAFT, {"parties_count": "five"})
    assert list(err.value.fields) == ["inputs.parties_count"]


def test_a_cell_the_sandbox_refuses_is_named_by_rule_and_column(session, setup):
    bad = LIVE.replace(b"<text>72</text>", b"<text>__import__('os').system('id')</text>")
    with pytest.raises(FormInvalid) as err:
        rules.check(session, setup["admin"], "deadline_rule", bad)
    problem = err.value.details[0]
    assert (problem["rule"], problem["row"], problem["column"], problem["cell"]) == ("r_large", 2, "时限(小时)",
                                                                                     "r_large_out")
    assert "not allowed" in problem["message"]


@pytest.mark.parametrize("xml, words", [
    (LIVE.replace(b'id="deadline_rule"', b'id="other_rule"'), "exactly one decision"),
    (LIVE.replace(b'id="deadline_table"', b'id="renamed"'), "keep its id"),
    (LIVE.replace(b'hitPolicy="UNIQUE"', b'hitPolicy="ANY"'), "hit policy ANY"),
    (LIVE.replace(b"<text>72</text>", b"<text>'P3X'</text>"), "ISO-8601"),
    (b"<!DOCTYPE x><x/>", "DOCTYPE"),
])
def test_drafts_are_checked_as_deployment_checks_them(session, setup, xml, words):
    with pytest.raises(FormInvalid) as err:
        rules.check(session, setup["admin"], "deadline_rule", xml)
    assert words in err.value.message


def test_replay_lists_exactly_the_cases_whose_outcome_changes(session, setup):
    opened = _run_cases(session, setup["staff"], 2, 5, 12)
    result = rules.replay(session, setup["admin"], "deadline_rule", DRAFT, 10)
    assert (result["cases"], result["records"]) == (3, 3)
    assert [c["case"] for c in result["changed"]] == [opened[5].code]
    assert result["changed"][0]["changes"] == {"deadline_hours": [24, 72]}
    assert rules.replay(session, setup["admin"], "deadline_rule", LIVE, 10)["changed"] == []
    # Only the last N cases are replayed.
    assert rules.replay(session, setup["admin"], "deadline_rule", DRAFT, 1)["changed"] == []


def test_publish_needs_a_replay_of_this_draft_then_is_audited_and_used_next(session, setup):
    admin = setup["admin"]
    _run_cases(session, setup["staff"], 5)
    options = {"max_bytes": 10**6, "forms_dir": FIXTURES / "forms"}
    with pytest.raises(Conflict):
        rules.publish(session, admin, "deadline_rule", DRAFT, **options)
    rules.replay(session, admin, "deadline_rule", LIVE, 10)  # a replay of another draft does not count
    with pytest.raises(Conflict):
        rules.publish(session, admin, "deadline_rule", DRAFT, **options)

    rules.replay(session, admin, "deadline_rule", DRAFT, 10)
    published = rules.publish(session, admin, "deadline_rule", DRAFT, **options)
    session.commit()
    assert published["version"] == 2 and published["deployment"] is not None
    event = session.scalars(select(AuditEvent).where(AuditEvent.kind == "rules_published")).one()
    assert event.actor == "admin" and event.detail["decision"] == "deadline_rule"
    assert event.detail["changes"]["cells"] == [
        {"rule": "r_small", "row": 1, "column": "当事人数", "from": "< 10", "to": "< 4"},
        {"rule": "r_large", "row": 2, "column": "当事人数", "from": ">= 10", "to": ">= 4"}]
    assert rules.live(session, admin, "deadline_rule").version == 2

    later = _run_cases(session, setup["staff"], 5)[5]
    record = session.scalars(select(DecisionRecord).where(DecisionRecord.case_id == later.id)).one()
    assert (record.outcome, record.dmn_version) == ({"deadline_hours": 72}, 2)
    # The same draft again is no longer a replayed draft of the live version.
    with pytest.raises(Conflict):
        rules.publish(session, admin, "deadline_rule", DRAFT, **options)


def test_the_library_folder_deployed_again_does_not_roll_a_published_table_back(session, setup):
    from engine import deploy
    admin = setup["admin"]
    options = {"max_bytes": 10**6, "forms_dir": FIXTURES / "forms"}
    rules.replay(session, admin, "deadline_rule", DRAFT, 10)
    rules.publish(session, admin, "deadline_rule", DRAFT, **options)
    session.commit()
    library = [deploy.SourceFile("rule.bpmn", (FIXTURES / "rule.bpmn").read_bytes()),
               deploy.SourceFile("rule.dmn", LIVE)]
    assert deploy.deploy(session, library, "system", keep_newer=True, **options)["deployment"] is None
    assert rules.live(session, admin, "deadline_rule").version == 2
    # A deployment asked for by name still deploys what it is given.
    assert deploy.deploy(session, library, "designer", **options)["deployment"] is not None
    assert rules.live(session, admin, "deadline_rule").version == 3


def test_publishing_an_earlier_table_again_makes_a_new_version(session, setup):
    admin = setup["admin"]
    options = {"max_bytes": 10**6, "forms_dir": FIXTURES / "forms"}
    for version, xml in ((2, DRAFT), (3, LIVE), (4, DRAFT)):
        rules.replay(session, admin, "deadline_rule", xml, 10)
        assert rules.publish(session, admin, "deadline_rule", xml, **options)["version"] == version
        session.commit()
    assert rules.live(session, admin, "deadline_rule").draft.xml == DRAFT
