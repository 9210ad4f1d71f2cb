"""Saving a form: a new version of each process carrying it, new cases get it, running ones keep theirs."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from engine import cases, form_design, tasks
from engine.errors import BadRequest, Conflict, Forbidden, NotFound
from engine.models import AuditEvent, ProcessVersion, TaskItem
from tests.helpers import FIXTURES, deploy_fixture, small_org

FORM = "simple/register.schema.json"


@pytest.fixture
def library(session, echo_handler):
    _, users = small_org(session)
    deploy_fixture(session, "simple.bpmn", "timers.bpmn")
    return users


def _save(session, user, text, base, path=FORM):
    return form_design.save(session, user, path, text, base, max_bytes=1_000_000, forms_dir=FIXTURES / "forms")


def _retitled(text: str) -> str:
    return text.replace("受理登记 Register", "纠纷登记 Intake")


def _versions(session) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for pv in session.scalars(select(ProcessVersion).order_by(ProcessVersion.id)):
        out.setdefault(pv.process_id, []).append(pv.version)
    return out


def _register_task(session, case) -> TaskItem:
    return session.scalar(select(TaskItem).where(TaskItem.case_id == case.id, TaskItem.state == "ready"))


def test_the_source_is_the_deployed_text_with_the_processes_carrying_it(session, library):
    source = form_design.source(session, library["designer"], FORM)
    assert source.text == (FIXTURES / "forms" / FORM).read_text("utf-8")
    assert source.base == form_design.digest(source.text) and source.saved_by == "test"
    assert [pv.process_id for pv in source.users] == ["simple"]
    assert form_design.editable(session, library["designer"]) == {
        "simple/mediate.schema.json": ["simple"], FORM: ["simple"],
        "timers/handle.schema.json": ["timers"], "timers/supervise.schema.json": ["timers"]}
    with pytest.raises(NotFound):
        form_design.source(session, library["designer"], "simple/nothing.schema.json")


def test_saving_makes_a_new_version_only_of_the_processes_that_use_the_form(session, library):
    staff = library["staff"]
    running = cases.open_case(session, staff, "simple", {})
    session.commit()
    source = form_design.source(session, library["designer"], FORM)
    review = form_design.review(session, library["designer"], FORM, _retitled(source.text))
    assert review.problems == [] and review.new_versions == [("simple", "简单流程 Simple", 2)]
    assert "-  \"title\": \"受理登记 Register\"," in review.diff and "+  \"title\": \"纠纷登记 Intake\"," in review.diff

    result = _save(session, library["designer"], _retitled(source.text), source.base)
    session.commit()
    assert result["versions"] == [{"process_id": "simple", "version": 2, "name": "简单流程 Simple", "created": True}]
    assert _versions(session) == {"simple": [1, 2], "timers": [1]}
    event = session.scalar(select(AuditEvent).where(AuditEvent.kind == "form_saved"))
    assert event.actor == "designer" and event.detail["form"] == FORM and event.detail["versions"] == result["versions"]

    # The running case keeps its version's form, open task included; a new case runs version 2 with the new one.
    assert tasks.form_schema(_register_task(session, running))["title"] == "受理登记 Register"
    fresh = cases.open_case(session, staff, "simple", {})
    session.commit()
    assert fresh.process_version.version == 2
    assert tasks.form_schema(_register_task(session, fresh))["title"] == "纠纷登记 Intake"
    assert form_design.source(session, library["designer"], FORM).text == _retitled(source.text)


def test_a_save_over_someone_else_s_is_a_conflict(session, library):
    source = form_design.source(session, library["designer"], FORM)
    _save(session, library["admin"], _retitled(source.text), source.base)
    session.commit()
    with pytest.raises(Conflict, match="admin saved this form"):
        _save(session, library["designer"], source.text.replace("事由", "案由"), source.base)
    with pytest.raises(Conflict):
        form_design.review(session, library["designer"], FORM, source.text, source.base)


def test_a_form_with_problems_is_not_saved(session, library):
    source = form_design.source(session, library["designer"], FORM)
    broken = source.text.replace('"type": "integer"', '"type": "integer", "multipleOf": 2')
    with pytest.raises(BadRequest) as err:
        _save(session, library["designer"], broken, source.base)
    assert err.value.fields == {"$.properties.parties_count.multipleOf":
                                "the task pages do not draw the keyword 'multipleOf'"}
    assert form_design.review(session, library["designer"], FORM, broken).new_versions == []
    session.rollback()
    assert _versions(session) == {"simple": [1], "timers": [1]}


def test_the_same_text_saves_nothing_and_a_new_layout_makes_no_version(session, library):
    source = form_design.source(session, library["designer"], FORM)
    assert _save(session, library["designer"], source.text, source.base) == {"deployment": None, "versions": []}
    relaid = json.dumps(json.loads(source.text), ensure_ascii=False, indent=4)
    assert form_design.review(session, library["designer"], FORM, relaid).new_versions == []
    assert _save(session, library["designer"], relaid, source.base)["versions"] == []
    session.commit()
    assert _versions(session) == {"simple": [1], "timers": [1]}


def test_only_designers_and_administrators_edit_forms(session, library):
    for role in ("staff", "mediator", "leader"):
        with pytest.raises(Forbidden):
            form_design.source(session, library[role], FORM)
        with pytest.raises(Forbidden):
            form_design.preview(library[role], "{}")
