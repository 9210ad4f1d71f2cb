import hashlib
import hmac

from engine import party_index, party_keys
from engine.digests import KeyedDigest
from tests.conftest import TEST_SECRET

SECRET = "a-secret-key-that-is-long-enough-to-derive-from"


def _expected(label: bytes, text: str) -> str:
    key = hmac.new(SECRET.encode("utf-8"), label, hashlib.sha256).digest()
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def test_the_key_is_derived_from_the_secret_with_the_label():
    digest = KeyedDigest(b"some label")
    digest.configure(SECRET)
    assert digest.hexdigest("张三") == _expected(b"some label", "张三")
    other = KeyedDigest(b"another label")
    other.configure(SECRET)
    assert other.hexdigest("张三") != digest.hexdigest("张三")


def test_stored_digests_keep_their_values():
    """Rows written before (migrations 0014 and 0020) must still match what is computed now."""
    try:
        party_index.configure(SECRET)
        party_keys.configure(SECRET)
        assert party_index.digest(" 张 三 ") == _expected(b"mediate party-name index v1", "张三")
        assert party_keys.digest("phone", "138-0000-1111") == _expected(b"mediate party keys", "phone:13800001111")
    finally:
        party_index.configure(TEST_SECRET)
        party_keys.configure(TEST_SECRET)


def test_a_cleared_key_is_derived_again_from_the_settings(monkeypatch):
    monkeypatch.setenv("MEDIATE_SECRET_KEY", SECRET)
    digest = KeyedDigest(b"some label")
    digest.configure("the-secret-before-clearing-it-is-long-enough")
    before = digest.hexdigest("x")
    digest.clear()
    assert digest.hexdigest("x") == _expected(b"some label", "x") != before
