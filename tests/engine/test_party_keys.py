"""Keyed digests of ID numbers and phones, and each case's risk signals, kept in line with its data."""

from __future__ import annotations

from sqlalchemy import select

from engine import party_keys, privacy
from engine.models import CaseSignal, PartyKey

PHONE = "13800001111"
PATHS = {("parties", "*", "phone"): "phone", ("parties", "*", "id_number"): "id_number"}


def test_digests_are_keyed_and_normalised():
    data = {"parties": [{"phone": "138 0000 1111", "id_number": "11010519491231002x"}, {"phone": ""}]}
    found = party_keys.digests(PATHS, data)
    assert found == {("phone", party_keys.digest("phone", PHONE)),
                     ("id_number", party_keys.digest("id_number", "11010519491231002X"))}
    assert all(PHONE not in d and len(d) == 64 for _, d in found)
    assert party_keys.digest("phone", "138-0000-1111") == party_keys.digest("phone", PHONE)
    assert party_keys.digest("phone", PHONE) != party_keys.digest("id_number", PHONE)  # the kind is in the digest
    assert party_keys.digest("phone", "  ") is None and party_keys.digest("phone", True) is None
    assert list(privacy.values(PATHS, {"parties": "not a list"})) == []


def test_the_key_decides_the_digest():
    before = party_keys.digest("phone", PHONE)
    try:
        party_keys.configure("another-secret-key-that-is-long-enough-to-use")
        assert party_keys.digest("phone", PHONE) != before
    finally:
        party_keys._key.clear()
    assert party_keys.digest("phone", PHONE) != party_keys.digest("phone", "13800001112")


def test_signals():
    assert party_keys.signals({"parties": [{}, {}], "risk_flags": ["群体性"]}) == (2, True, False)
    assert party_keys.signals({"parties": "x", "risk_flags": "极端"}) == (0, False, False)
    assert party_keys.signals(None) == (0, False, False)


def test_sync_writes_only_what_changed(session, echo_handler):
    from tests.engine.test_risks import add_case
    from tests.helpers import deploy_fixture, small_org
    units, _ = small_org(session)
    deploy_fixture(session)
    case = add_case(session, units["grid"])
    case.process_version.forms = {"f": {"properties": {"parties": {"items": {"properties": {
        "phone": {"x-personal": "phone"}, "id_number": {"x-personal": "id_number"}}}}}}}
    case.process_version.content_hash = "with-party-marks"

    def rows():
        session.flush()
        return set(session.execute(select(PartyKey.kind, PartyKey.digest).where(PartyKey.case_id == case.id)))

    party_keys.sync(session, case, {"parties": [{"phone": PHONE}], "risk_flags": ["极端"]})
    assert rows() == {("phone", party_keys.digest("phone", PHONE))}
    signal = session.get(CaseSignal, case.id)
    assert (signal.party_count, signal.mass, signal.extreme) == (1, False, True)
    party_keys.sync(session, case, {"parties": [{"phone": "13900002222", "id_number": "11010519491231002X"},
                                                {"phone": "13900002222"}]})
    assert rows() == {("phone", party_keys.digest("phone", "13900002222")),
                      ("id_number", party_keys.digest("id_number", "11010519491231002X"))}
    assert (signal.party_count, signal.mass, signal.extreme) == (2, False, False)
