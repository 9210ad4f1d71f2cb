from datetime import timedelta

import pytest
from sqlalchemy import Text, cast, select

from engine import accounts, cases, clock, deploy, privacy, tasks
from engine.errors import DeploymentRejected
from engine.models import AuditEvent
from tests.helpers import FIXTURES, deploy_fixture, fixture_file, small_org
from tests.processes import conftest as process_fixtures
from tests.processes import steps
from tests.processes.harness import START, Scenario

PHONE = "13800138000"


# -- masking ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kind,value,masked", [
    ("id_number", "441581198001011234", "441581********1234"),
    ("id_number", "44158119800101123X", "441581********123X"),
    ("id_number", "441581800101123", "441581*****1123"),  # the old 15-digit card
    ("phone", "13800138000", "138****8000"),
    ("phone", "0660-8812345", "066*****2345"),
    ("name", "张三", "张*"),
    ("name", "张小明", "张*明"),
    ("name", "欧阳小明", "欧**明"),
    ("address", "广东省陆丰市东海镇东村12号", "广东省陆****"),
])
def test_mask_keeps_only_the_ends(kind, value, masked):
    assert privacy.mask_value(kind, value) == masked
    assert privacy.mask_value(kind, masked) == masked or kind == "address"  # masking twice changes nothing


@pytest.mark.parametrize("kind,value,masked", [
    ("id_number", "1234567890", "**********"),  # too short to keep the first 6 and last 4
    ("id_number", "12345678901", "***********"),  # keeping 10 of 11 would hide almost nothing
    ("phone", "8812345", "*******"),
    ("phone", "110", "***"),
    ("name", "张", "*"),
    ("address", "东村", "****"),
])
def test_short_values_are_masked_whole(kind, value, masked):
    assert privacy.mask_value(kind, value) == masked


@pytest.mark.parametrize("value,masked", [
    (None, None), ("", ""), (13800138000, "138****8000"), (True, privacy.WITHHELD),
    ({"number": PHONE}, privacy.WITHHELD), ([PHONE], privacy.WITHHELD),
])
def test_empty_numbers_and_other_values(value, masked):
    assert privacy.mask_value("phone", value) == masked


SCHEMA = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "phone": {"type": "string", "x-personal": "phone"},
        "parties": {"type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string", "x-personal": "name"},
            "id_number": {"type": "string", "x-personal": "id_number"},
            "agents": {"type": "array", "items": {"properties": {"phone": {"x-personal": "phone"}}}},
        }}},
    },
    "if": {"properties": {"title": {"const": "x"}}},
    "then": {"properties": {"contact": {"x-personal": "name"}}},
}


def test_paths_are_read_from_properties_items_and_conditionals():
    assert privacy.schema_paths(SCHEMA) == {
        ("phone",): "phone", ("parties", "*", "name"): "name", ("parties", "*", "id_number"): "id_number",
        ("parties", "*", "agents", "*", "phone"): "phone", ("contact",): "name"}


def test_mask_data_walks_nested_arrays_and_leaves_the_input_alone():
    data = {"title": "邻里纠纷", "phone": PHONE, "parties": [
        {"name": "张三", "id_number": "441581198001011234", "agents": [{"phone": "13900139000"}, {}]},
        {"name": "李四", "id_number": None},
        "not an object",
    ], "other": {"phone": PHONE}}
    paths = privacy.schema_paths(SCHEMA)
    masked = privacy.mask_data(paths, data)
    assert masked == {"title": "邻里纠纷", "phone": "138****8000", "parties": [
        {"name": "张*", "id_number": "441581********1234", "agents": [{"phone": "139****9000"}, {}]},
        {"name": "李*", "id_number": None},
        "not an object",
    ], "other": {"phone": PHONE}}  # only the marked paths
    assert data["parties"][0]["id_number"] == "441581198001011234"
    assert privacy.present(paths, data, {"id_number"}) == ["parties.0.id_number"]
    assert privacy.mask_data(paths, None) is None
    assert privacy.mask_data(paths, {"parties": "not a list"}) == {"parties": "not a list"}


def test_unknown_kinds_are_reported_with_their_place():
    bad = {"properties": {"parties": {"items": {"properties": {"passport": {"x-personal": "passport"}}}}}}
    assert privacy.schema_problems(bad) == [
        "properties.parties.items.properties.passport: x-personal must be one of id_number, phone, name, "
        "address, not 'passport'"]
    assert privacy.schema_problems(SCHEMA) == []


def test_deployment_refuses_an_unknown_kind(session, echo_handler):
    form = (FIXTURES / "forms/simple/register.schema.json").read_bytes()
    form = form.replace(b'"x-personal": "phone"', b'"x-personal": "mobile"')
    upload = deploy.SourceFile("simple/register.schema.json", form)
    with pytest.raises(DeploymentRejected) as err:
        deploy.deploy(session, [fixture_file("simple.bpmn"), upload], "t", max_bytes=100_000,
                      forms_dir=FIXTURES / "forms")
    assert "x-personal" in err.value.message and "'mobile'" in err.value.message


# -- who sees what, and what the audit log keeps ------------------------------------------------
@pytest.fixture
def world(session, echo_handler):
    units, users = small_org(session)
    users["county_mediator"] = accounts.add_user(session, "county_mediator", "pw", "mediator", units["county"])
    deploy_fixture(session)
    return units, users


def _raw_details(session) -> str:
    return " ".join(session.scalars(select(cast(AuditEvent.detail, Text))))


def _registered(session, users):
    """A ``simple`` case opened and registered with a phone: its ``mediate`` task is ready."""
    case = cases.open_case(session, users["staff"], "simple", {"phone": "13900139000"})
    register = cases.open_tasks(session, case)[0]
    tasks.complete(session, users["staff"], register.id, {"title": "邻里纠纷", "parties_count": 2, "phone": PHONE})
    session.commit()
    return case, cases.open_tasks(session, case)[0]


def test_audit_stores_submitted_data_masked_and_the_workflow_keeps_it(session, world):
    _, users = world
    case, mediate = _registered(session, users)
    details = _raw_details(session)
    assert PHONE not in details and "13900139000" not in details
    assert "138****8000" in details and "139****9000" in details
    assert tasks.current_data(session, mediate)["phone"] == PHONE


def test_works_case(session, world):
    _, users = world
    case, mediate = _registered(session, users)

    def works():
        return {name for name, user in users.items() if privacy.works_case(session, user, case)}

    # The opener, the town centre and the county leader; the town mediator is offered the task.
    assert works() == {"staff", "staff2", "leader", "mediator"}
    tasks.claim(session, users["county_mediator"], mediate.id)
    assert works() == {"staff", "staff2", "leader", "county_mediator"}
    tasks.reassign(session, users["admin"], mediate.id, "mediator")
    assert works() == {"staff", "staff2", "leader", "mediator"}


def test_task_detail_masks_for_readers_and_audits_full_views(session, world):
    _, users = world
    case, mediate = _registered(session, users)
    for reader in ("designer", "admin", "county_mediator"):
        detail = tasks.task_detail(session, users[reader], mediate.id)
        assert detail.data["phone"] == "138****8000" and detail.data["title"] == "邻里纠纷"
    detail = tasks.task_detail(session, users["mediator"], mediate.id)
    assert detail.data["phone"] == PHONE
    # Phones are shown in full without an audit row; an ID number's full view is audited.
    assert session.scalars(select(AuditEvent).where(AuditEvent.kind == "personal_data_viewed")).all() == []


def test_timeline_masks_events_written_before_masking(session, world):
    _, users = world
    case, _ = _registered(session, users)
    session.add(AuditEvent(kind="task_completed", actor="old", case_id=case.id, detail={"data": {"phone": PHONE}}))
    session.commit()
    page = cases.case_page(session, users["staff"], case.code)
    assert page.timeline[-1].detail == {"data": {"phone": "138****8000"}}
    assert all(PHONE not in str(e.detail) for e in page.timeline)


# -- one audit event per reader, case and window ------------------------------------------------
county = process_fixtures.county


def _views(session, case) -> list[tuple[str, list]]:
    return [(e.actor, e.detail["fields"]) for e in session.scalars(
        select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.kind == "personal_data_viewed")
        .order_by(AuditEvent.id))]


def _show(session, user, case, parties):
    shown = privacy.shown(session, user, case, data={"parties": parties})
    session.commit()
    return shown


def test_repeated_full_views_make_one_event_per_reader_case_and_window(county, monkeypatch):
    monkeypatch.setattr(privacy, "VIEW_WINDOW", timedelta(minutes=30))
    run = Scenario(county, "town_staff")
    steps.register(run)
    case, staff, leader = run.case, run.user("town_staff"), run.user("leader")
    one = [steps.PARTIES[0]]
    with clock.frozen_at(START + timedelta(days=1)):
        for _ in range(3):
            assert _show(county, staff, case, steps.PARTIES)["data"]["parties"] == steps.PARTIES  # still shown in full
        _show(county, leader, case, steps.PARTIES)  # another reader: an event of their own
        _show(county, staff, case, one)  # fields an earlier event names
    assert _views(county, case) == [("town_staff", ["data.parties.0.id_number"]),
                                    ("leader", ["data.parties.0.id_number"])]
    with clock.frozen_at(START + timedelta(days=1, minutes=29)):
        _show(county, staff, case, steps.PARTIES)
    with clock.frozen_at(START + timedelta(days=1, minutes=61)):  # the window has passed: recorded again
        _show(county, staff, case, steps.PARTIES)
    assert [actor for actor, _ in _views(county, case)] == ["town_staff", "leader", "town_staff"]


def test_a_field_not_yet_recorded_is_recorded_within_the_window(county, monkeypatch):
    monkeypatch.setattr(privacy, "VIEW_WINDOW", timedelta(minutes=30))
    second = {"name": "王五", "role": "被申请人", "id_number": "441581199001011234", "phone": "13900139000"}
    run = Scenario(county, "town_staff")
    steps.register(run, parties=[steps.PARTIES[0], second])
    case, staff = run.case, run.user("town_staff")
    _show(county, staff, case, [steps.PARTIES[0]])
    _show(county, staff, case, [steps.PARTIES[0], second])
    assert _views(county, case) == [("town_staff", ["data.parties.0.id_number"]),
                                    ("town_staff", ["data.parties.0.id_number", "data.parties.1.id_number"])]


def test_a_zero_window_records_every_view(county):
    privacy.configure_view_window(0)
    try:
        run = Scenario(county, "town_staff")
        steps.register(run)
        for _ in range(2):
            _show(county, run.user("town_staff"), run.case, steps.PARTIES)
        assert len(_views(county, run.case)) == 2
    finally:
        privacy.configure_view_window(30)
