import pytest

from engine import version_diff
from engine.errors import Forbidden, NotFound
from engine.models import ProcessVersion
from tests.engine.test_case_migration import deploy_version, open_case
from tests.helpers import small_org


@pytest.fixture
def world(session):
    units, users = small_org(session)
    deploy_version(session, "migrating_v1.bpmn")
    return units, users


def test_removed_elements_come_with_the_new_elements_of_their_kind_and_the_diffs_suggestion(session, world):
    deploy_version(session, "migrating_v2.bpmn")
    v1, v2 = session.query(ProcessVersion).filter_by(process_id="migrating").order_by(ProcessVersion.version)

    removed = version_diff.removed_elements(v1, v2)

    assert [(r.element.process, r.element.id, r.element.kind, r.suggestion) for r in removed] == [
        ("migrating", "approve", "UserTask", "sign_off")]
    assert [c.id for c in removed[0].choices] == ["intake", "sign_off"]


def test_the_page_view_defaults_to_the_oldest_version_with_running_cases_and_the_latest(session, world):
    _, users = world
    open_case(session, users)
    deploy_version(session, "migrating_v2.bpmn")
    deploy_version(session, "migrating_v3.bpmn")

    changes = version_diff.version_changes(session, users["designer"], "migrating")

    assert (changes.versions, changes.running, changes.from_version, changes.to_version) == ([1, 2, 3], {1: 1}, 1, 3)
    assert [r.element.id for r in changes.removed] == ["approve"]
    chosen = version_diff.version_changes(session, users["designer"], "migrating", 2, 3)
    assert (chosen.from_version, chosen.to_version, [r.element.id for r in chosen.removed]) == (2, 3, ["sign_off"])
    nothing = version_diff.version_changes(session, users["designer"], "migrating", 3, 3)
    assert nothing.removed == []


def test_the_page_view_is_for_designers_and_administrators(session, world):
    _, users = world
    with pytest.raises(Forbidden):
        version_diff.version_changes(session, users["staff"], "migrating")
    with pytest.raises(NotFound):
        version_diff.version_changes(session, users["admin"], "nope")
