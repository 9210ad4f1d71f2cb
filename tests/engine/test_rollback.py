import pytest
from sqlalchemy import select

from engine import cases, deploy, rollback
from engine.errors import Conflict, NotFound
from engine.models import AuditEvent, DeploymentFile, ProcessVersion
from tests.helpers import FIXTURES, deploy_fixture, fixture_file, small_org


def _deploy(session, files):
    result = deploy.deploy(session, files, "test", max_bytes=100_000, forms_dir=FIXTURES / "forms")
    session.commit()
    return result


def _changed_simple():
    """simple.bpmn with another end-event name, and the mediate form with a lower notes limit."""
    xml = fixture_file("simple.bpmn").content.replace(b'name="\xe7\xbb\x93\xe6\x9d\x9f"', b'name="end2"')
    form = (FIXTURES / "forms/simple/mediate.schema.json").read_bytes().replace(b"2000", b"1000")
    return [deploy.SourceFile("simple.bpmn", xml), deploy.SourceFile("simple/mediate.schema.json", form)]


def _roll(session, process_id="simple", version=1, actor="designer"):
    result = rollback.rollback(session, process_id, version, actor, max_bytes=100_000, forms_dir=FIXTURES / "forms")
    session.commit()
    return result


def _version(session, n):
    return session.scalars(select(ProcessVersion).filter_by(process_id="simple", version=n)).one()


def test_rollback_makes_a_new_version_equal_to_the_old_one(session, echo_handler):
    deploy_fixture(session)
    _deploy(session, _changed_simple())
    result = _roll(session)
    assert (result["process_id"], result["from_version"], result["version"]) == ("simple", 1, 3)
    v1, v2, v3 = (_version(session, n) for n in (1, 2, 3))
    assert v3.content_hash == v1.content_hash != v2.content_hash
    assert v3.bpmn_xml == v1.bpmn_xml and v3.spec_json == v1.spec_json
    assert v3.forms == v1.forms
    assert v3.forms["simple/mediate.schema.json"]["properties"]["notes"]["maxLength"] == 2000
    # The files stored as the newest are the old ones again: a later deployment keeps the rollback.
    newest = session.scalars(select(DeploymentFile).filter_by(name="simple/mediate.schema.json")
                             .order_by(DeploymentFile.deployment_id.desc())).first()
    assert b"2000" in newest.content.encode() and newest.deployment_id == v3.deployment_id
    assert _deploy(session, [fixture_file("rule.dmn")])["versions"][0]["created"] is False


def test_rollback_is_audited_with_who_and_from_which_version(session, echo_handler):
    deploy_fixture(session)
    _deploy(session, _changed_simple())
    _roll(session, actor="designer")
    event = session.scalars(select(AuditEvent).filter_by(kind="rolled_back")).one()
    assert event.actor == "designer"
    assert event.detail["process_id"] == "simple" and event.detail["from_version"] == 1
    assert {"process_id": "simple", "version": 3, "name": "简单流程 Simple", "created": True} in event.detail["versions"]


def test_running_cases_keep_their_version_and_new_cases_start_on_the_new_one(session, echo_handler):
    _, users = small_org(session)
    deploy_fixture(session)
    _deploy(session, _changed_simple())
    running = cases.open_case(session, users["staff"], "simple", {}, title="before")
    session.commit()
    assert running.process_version.version == 2
    _roll(session)
    session.refresh(running)
    assert running.process_version.version == 2
    fresh = cases.open_case(session, users["staff"], "simple", {}, title="after")
    session.commit()
    assert fresh.process_version.version == 3
    assert fresh.process_version.forms["simple/mediate.schema.json"]["properties"]["notes"]["maxLength"] == 2000


def test_missing_version_is_not_found(session, echo_handler):
    deploy_fixture(session)
    with pytest.raises(NotFound, match="no version 7"):
        _roll(session, version=7)
    with pytest.raises(NotFound):
        _roll(session, process_id="nope")


def test_the_latest_version_or_one_equal_to_it_is_a_conflict(session, echo_handler):
    deploy_fixture(session)
    _deploy(session, _changed_simple())
    with pytest.raises(Conflict, match="already the latest"):
        _roll(session, version=2)
    _roll(session, version=1)
    with pytest.raises(Conflict, match="already equals version 1"):
        _roll(session, version=1)
    assert session.query(ProcessVersion).count() == 3


def test_rollback_brings_back_the_decision_table_of_that_version(session, echo_handler):
    deploy_fixture(session, "rule.bpmn", "rule.dmn")
    table = fixture_file("rule.dmn")
    changed = deploy.SourceFile("rule.dmn", table.content.replace(b"Deadline", b"Frist"))
    assert changed.content != table.content
    bpmn = fixture_file("rule.bpmn")
    _deploy(session, [deploy.SourceFile("rule.bpmn", bpmn.content.replace(b"mediate.schema", b"register.schema")),
                      changed])
    names = [f.name for f in rollback.files_of(session, session.scalars(
        select(ProcessVersion).filter_by(process_id="rule", version=1)).one())]
    assert names == ["rule.bpmn", "rule.dmn", "simple/mediate.schema.json", "simple/register.schema.json"]
    rollback.rollback(session, "rule", 1, "designer", max_bytes=100_000)
    session.commit()
    newest = session.scalars(select(DeploymentFile).filter_by(name="rule.dmn")
                             .order_by(DeploymentFile.deployment_id.desc())).first()
    assert newest.content.encode() == table.content


def test_files_deployed_again_later_make_a_new_deployment(session, echo_handler):
    deploy_fixture(session)
    _deploy(session, _changed_simple())
    again = _deploy(session, [fixture_file("simple.bpmn")])
    assert again["deployment"] is not None and again["versions"][0]["version"] == 3


def test_rollback_of_the_library_brings_back_the_called_processes(app, session):
    """dispute_case calls mediation (through resolution_round, tier_round, five_orders, handling_round)."""
    settings = app.config["MEDIATE"]
    library = deploy.read_directories(settings.processes_dir, settings.forms_dir)
    deploy.deploy(session, library, "test", max_bytes=settings.max_upload_bytes, forms_dir=settings.forms_dir)
    session.commit()
    mediation = next(f for f in library if f.name == "mediation.bpmn")
    renamed = mediation.content.replace('name="实地调查"'.encode(), 'name="实地调查（复核）"'.encode())
    assert renamed != mediation.content
    deploy.deploy(session, [deploy.SourceFile("mediation.bpmn", renamed)], "test",
                  max_bytes=settings.max_upload_bytes, forms_dir=settings.forms_dir)
    session.commit()

    def latest(process_id):
        return session.scalars(select(ProcessVersion).filter_by(process_id=process_id)
                               .order_by(ProcessVersion.version.desc())).first()

    assert latest("dispute_case").version == 2 and latest("mediation").version == 2
    v1 = session.scalars(select(ProcessVersion).filter_by(process_id="dispute_case", version=1)).one()
    names = {f.name for f in rollback.files_of(session, v1)}
    assert {"dispute_case.bpmn", "mediation.bpmn", "five_orders.bpmn", "deadlines.dmn"} <= names
    result = rollback.rollback(session, "dispute_case", 1, "designer", max_bytes=settings.max_upload_bytes,
                               forms_dir=settings.forms_dir)
    session.commit()
    assert result["version"] == 3
    made = {v["process_id"] for v in result["versions"] if v["created"]}
    assert {"dispute_case", "mediation", "handling_round"} <= made
    for process_id in ("dispute_case", "mediation"):
        first = session.scalars(select(ProcessVersion).filter_by(process_id=process_id, version=1)).one()
        assert latest(process_id).version == 3 and latest(process_id).content_hash == first.content_hash
