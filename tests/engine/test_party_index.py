import json

import pytest
from sqlalchemy import select

from engine import accounts, cases, deploy, party_index, privacy, tasks
from engine.models import PartyName
from tests.conftest import TEST_SECRET
from tests.helpers import FIXTURES, fixture_file, small_org

PARTIES = {"type": "array", "items": {"type": "object", "properties": {
    "name": {"type": "string", "x-personal": "name"}, "phone": {"type": "string", "x-personal": "phone"}}}}


@pytest.mark.parametrize("typed, stored", [
    ("  张　三 ", "张三"),  # an ideographic space, a space typed between family and given name
    ("Ｌｉ　　Ｍｉｎｇ", "li ming"),  # full-width letters and spaces, two of them
    ("LI MING\t", "li ming"),
    ("Straße", "strasse"),  # case folding, not just lower case
])
def test_names_are_normalised_before_hashing(typed, stored):
    assert party_index.normalise(typed) == stored
    assert party_index.digest(typed) == party_index.digest(stored)
    assert party_index.digest("   ") is None


def test_the_digest_is_keyed_with_the_application_s_secret(app):
    before = party_index.digest("张三")
    assert "张三" not in before and len(before) == 64
    try:
        party_index.configure("another-secret-that-is-at-least-32-bytes")
        assert party_index.digest("张三") != before
    finally:
        party_index.configure(TEST_SECRET)
    assert party_index.digest("张三") == before


def _form(name: str) -> deploy.SourceFile:
    schema = json.loads((FIXTURES / f"forms/simple/{name}.schema.json").read_text(encoding="utf-8"))
    schema["properties"]["parties"] = PARTIES
    return deploy.SourceFile(f"simple/{name}.schema.json", json.dumps(schema, ensure_ascii=False).encode())


@pytest.fixture
def world(session, echo_handler):
    """The ``simple`` process whose registration and mediation both carry the parties."""
    units, users = small_org(session)
    users["county_mediator"] = accounts.add_user(session, "county_mediator", "pw", "mediator", units["county"])
    deploy.deploy(session, [fixture_file("simple.bpmn"), _form("register"), _form("mediate")], "test",
                  max_bytes=1_000_000, forms_dir=FIXTURES / "forms")
    session.commit()
    return users


def _digests(session, case) -> set[str]:
    return set(session.scalars(select(PartyName.digest).where(PartyName.case_id == case.id)))


def _registered(session, users, names=("张三", "李四")):
    case = cases.open_case(session, users["staff"], "simple", {})
    assert _digests(session, case) == set()  # nobody named yet
    register = cases.open_tasks(session, case)[0]
    tasks.complete(session, users["staff"], register.id, {
        "title": "邻里纠纷", "parties_count": len(names), "parties": [{"name": n} for n in names]})
    session.commit()
    return case


def test_completing_a_task_writes_and_changes_the_case_s_digests(session, world):
    case = _registered(session, world)
    assert _digests(session, case) == {party_index.digest("张三"), party_index.digest("李四")}
    mediate = cases.open_tasks(session, case)[0]
    tasks.complete(session, world["mediator"], mediate.id,
                   {"outcome": "resolved", "parties": [{"name": "张三"}, {"name": " 王 五"}]})
    session.commit()
    assert _digests(session, case) == {party_index.digest("张三"), party_index.digest("王五")}
    assert cases.list_cases(session, world["staff"], text="李四")[0] == []
    assert cases.list_cases(session, world["staff"], text="王五")[0] == [case]
    session.execute(PartyName.__table__.delete())  # and the stored state gives the same rows
    party_index.rebuild(session)
    assert _digests(session, case) == {party_index.digest("张三"), party_index.digest("王五")}


def test_a_reader_who_works_the_case_finds_it_by_a_party_s_name(session, world):
    case = _registered(session, world)
    other = _registered(session, world, names=("赵六",))
    for typed in ("张三", " 张  三 ", "张　三"):
        assert cases.list_cases(session, world["staff"], text=typed)[0] == [case]
    assert cases.list_cases(session, world["staff"], text="赵六")[0] == [other]
    assert cases.list_cases(session, world["staff"], text="张")[0] == []  # whole names only
    assert cases.list_cases(session, world["mediator"], text="李四")[0] == [case]  # offered its task
    assert cases.list_cases(session, world["leader"], text="李四")[0] == [case]  # a supervisor above it


def test_a_reader_who_may_not_see_the_parties_never_learns_that_a_name_matched(session, world):
    case = _registered(session, world)
    for reader in ("county_mediator", "admin", "designer"):
        assert not privacy.works_case(session, world[reader], case)
        assert cases.list_cases(session, world[reader], text=case.code)[0] == [case]  # the case is visible
        assert cases.list_cases(session, world[reader], text="张三")[0] == []  # but not found by the name


def test_the_sql_clause_agrees_with_works_case(session, world):
    case = _registered(session, world)
    for user in world.values():
        clause = privacy.works_case_clause(session, user)
        found = session.scalar(select(cases.Case.id).where(cases.Case.id == case.id, clause)) is not None
        assert found == privacy.works_case(session, user, case), user.username


def test_rebuild_computes_the_rows_from_stored_states(session, world):
    case = _registered(session, world)
    kept = _digests(session, case)
    session.execute(PartyName.__table__.delete())
    assert party_index.rebuild(session) == 1
    session.commit()
    assert _digests(session, case) == kept
