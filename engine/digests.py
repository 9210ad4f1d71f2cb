"""Keyed digests of personal values: HMAC-SHA256 under a key derived from the signing key.

Each use (party names, ID numbers and phones) derives its own key from the application's secret
(``MEDIATE_SECRET_KEY`` or the instance key, ``engine/keys.py``) with its own label, so a digest
from one index cannot be matched against another. Equal values give equal digests; a digest does
not give the value back to anyone without the key.
"""

from __future__ import annotations

import hashlib
import hmac


class KeyedDigest:
    """The digests of one use, keyed with ``HMAC-SHA256(secret, label)``."""

    def __init__(self, label: bytes) -> None:
        self.label = label
        self._key: bytes | None = None

    def configure(self, secret: str) -> None:
        """Derive the key from the application's secret (``api.create_app`` does)."""
        self._key = hmac.new(secret.encode("utf-8"), self.label, hashlib.sha256).digest()

    def clear(self) -> None:
        """Forget the key: the next digest derives it again from the configured secret."""
        self._key = None

    def hexdigest(self, text: str) -> str:
        return hmac.new(self._current_key(), text.encode("utf-8"), hashlib.sha256).hexdigest()

    def _current_key(self) -> bytes:
        if self._key is None:  # used outside the application: the same secret it would use
            from . import keys
            from .config import load_settings
            self.configure(keys.secret_key(load_settings()))
        return self._key
