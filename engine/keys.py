"""The key that signs tokens: ``MEDIATE_SECRET_KEY``, or a random one kept in the instance folder.

A fresh install has no key to configure and none to leak: the first start writes a random key to
``<instance>/secret_key`` (mode 0600) and every later start, and every worker, reads the same file.
Processes on other machines need the same key, so scaled-out installs set ``MEDIATE_SECRET_KEY``.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
import tempfile
from pathlib import Path

from .config import ConfigError, Settings, check_secret_key

KEY_FILE = "secret_key"

log = logging.getLogger(__name__)


def secret_key(settings: Settings) -> str:
    """The configured key after its checks, or the instance folder's key, generated on first use."""
    if settings.secret_key:
        return check_secret_key("MEDIATE_SECRET_KEY", settings.secret_key)
    path = settings.instance_dir / KEY_FILE
    if not path.exists():
        _create(path)
    return _read(path)


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp opens the file 0600; linking it into place is atomic and never replaces a key that a
    # worker starting at the same moment wrote first, so all workers end up with one key.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            return
    finally:
        os.unlink(tmp)
    log.warning("generated the key that signs tokens in %s; other machines serving the same database "
                "need the same key (MEDIATE_SECRET_KEY)", path)


def _read(path: Path) -> str:
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise ConfigError(f"{path} holds the key that signs tokens and other users can read it; "
                          f"run: chmod 600 {path}")
    return check_secret_key(str(path), path.read_text(encoding="utf-8").strip())
