"""Keyed digests of ID numbers, phones and addresses, and each case's risk signals, kept in line with its data."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import party_keys, privacy
from engine.models import CaseSignal, CaseState, PartyKey

PHONE = "13800001111"
PATHS = {("parties", "*", "phone"): "phone", ("parties", "*", "id_number"): "id_number"}
ADDRESS = "梅州市五华县水寨镇大坪村12号"
ADDRESS_PATHS = {("parties", "*", "address"): "address", ("address",): "address"}


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


@pytest.mark.parametrize("typed", [
    ADDRESS,
    "梅州市 五华县　水寨镇大坪村１２号",  # spaces, an ideographic space, full-width digits
    "梅州市五华县水寨镇大坪村12号。",  # punctuation
    "梅州市·五华县，水寨镇（大坪村）12-号",
    "广东省梅州市五华县水寨镇大坪村12号",  # a leading province
    " 广东省 梅州市五华县水寨镇大坪村12号\n",
])
def test_one_address_typed_differently_has_one_digest(typed):
    assert party_keys.digest("address", typed) == party_keys.digest("address", ADDRESS)


def test_addresses_are_folded_and_short_ones_left_out():
    assert party_keys.normal_address("Ｒｏｏｍ　３０２, Ｂｌｄｇ ７, 幸福里小区") == "room302bldg7幸福里小区"
    assert party_keys.normal_address("北京路88号幸福小区") == "北京路88号幸福小区"  # a street, not a province
    assert party_keys.normal_address("大坪村") is None and party_keys.normal_address("广东省大坪村3号") is None
    assert party_keys.normal_address(" ，。 ") is None
    different = {party_keys.digest("address", a) for a in
                 (ADDRESS, "梅州市五华县水寨镇大坪村13号", "梅州市梅江区水寨镇大坪村12号", "大坪村12号梅州市五华县水寨镇")}
    assert len(different) == 4
    assert party_keys.digest("address", ADDRESS) != party_keys.digest("phone", ADDRESS)


def test_the_parties_and_the_dispute_share_one_address_digest():
    data = {"address": "五华县水寨镇大坪村12号", "parties": [
        {"address": "五华县水寨镇大坪村 12 号"}, {"address": "五华县水寨镇大坪村１２号"}, {"address": "大坪村"},
        {"address": "五华县华城镇新一村3号"}]}
    assert party_keys.digests(ADDRESS_PATHS, data) == {
        ("address", party_keys.digest("address", "五华县水寨镇大坪村12号")),
        ("address", party_keys.digest("address", "五华县华城镇新一村3号"))}


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
    case.process_version.forms = {"f": {"properties": {"address": {"x-personal": "address"},
                                                       "parties": {"items": {"properties": {
        "phone": {"x-personal": "phone"}, "id_number": {"x-personal": "id_number"},
        "address": {"x-personal": "address"}}}}}}}
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
    place = party_keys.digest("address", ADDRESS)
    party_keys.sync(session, case, {"address": ADDRESS, "parties": [{"phone": PHONE, "address": " " + ADDRESS}]})
    assert rows() == {("phone", party_keys.digest("phone", PHONE)), ("address", place)}
    party_keys.sync(session, case, {"address": "大坪村", "parties": [{"phone": PHONE, "address": ADDRESS + "之一"}]})
    assert rows() == {("phone", party_keys.digest("phone", PHONE)),
                      ("address", party_keys.digest("address", ADDRESS + "之一"))}
    party_keys.sync(session, case, {"parties": [{"phone": PHONE}]})
    assert rows() == {("phone", party_keys.digest("phone", PHONE))}


def test_rebuild_computes_the_digests_from_the_stored_state(session, echo_handler):
    from tests.engine.test_risks import add_case
    from tests.helpers import deploy_fixture, small_org
    from tests.test_migrations import _stored
    units, _ = small_org(session)
    deploy_fixture(session)
    case = add_case(session, units["grid"])
    case.process_version.forms = {"f": {"properties": {"address": {"x-personal": "address"}}}}
    case.process_version.content_hash = "with-address-mark"
    session.add(CaseState(case_id=case.id, serializer_version="3", state_json=_stored(address=ADDRESS), revision=1))
    session.add(PartyKey(case_id=case.id, kind="address", digest="0" * 64))  # under a key no longer used
    session.flush()
    assert party_keys.rebuild(session) == 1
    assert set(session.execute(select(PartyKey.kind, PartyKey.digest))) == {
        ("address", party_keys.digest("address", ADDRESS))}
