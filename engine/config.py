"""Settings, read once from ``MEDIATE_*`` environment variables and checked at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be on/off (or true/false), not {raw!r}")


def _positive(name: str, raw: str, kind=int):
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be greater than zero, not {raw!r}")
    return value


def _database_url(name: str, raw: str) -> str:
    if not raw.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
        raise ConfigError(f"{name} must be a sqlite:/// or postgresql:// URL, not {raw!r}")
    if raw.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; SQLAlchemy's bare scheme means psycopg2.
        raw = "postgresql+psycopg://" + raw[len("postgresql://"):]
    return raw


def _directory(name: str, raw: str) -> Path:
    path = Path(raw).expanduser().resolve()
    if not path.is_dir():
        raise ConfigError(f"{name} must name an existing folder, {raw!r} is not one")
    return path


@dataclass(frozen=True)
class Settings:
    """Every setting of the product; the README's configuration table lists the same."""

    database_url: str = f"sqlite:///{ROOT / 'instance' / 'mediate.sqlite'}"
    secret_key: str = "insecure-development-key"
    processes_dir: Path = ROOT / "processes"
    forms_dir: Path = ROOT / "forms"
    max_upload_bytes: int = 2 * 1024 * 1024
    max_json_bytes: int = 1024 * 1024
    token_hours: float = 12.0
    scheduler: bool = True
    sweep_seconds: float = 5.0
    sweep_batch: int = 200
    page_size: int = 50
    log_level: str = "INFO"


_PARSERS = {
    "MEDIATE_DATABASE_URL": ("database_url", _database_url),
    "MEDIATE_SECRET_KEY": ("secret_key", lambda n, v: v),
    "MEDIATE_PROCESSES_DIR": ("processes_dir", _directory),
    "MEDIATE_FORMS_DIR": ("forms_dir", _directory),
    "MEDIATE_MAX_UPLOAD_BYTES": ("max_upload_bytes", _positive),
    "MEDIATE_MAX_JSON_BYTES": ("max_json_bytes", _positive),
    "MEDIATE_TOKEN_HOURS": ("token_hours", lambda n, v: _positive(n, v, float)),
    "MEDIATE_SCHEDULER": ("scheduler", _bool),
    "MEDIATE_SWEEP_SECONDS": ("sweep_seconds", lambda n, v: _positive(n, v, float)),
    "MEDIATE_SWEEP_BATCH": ("sweep_batch", _positive),
    "MEDIATE_PAGE_SIZE": ("page_size", _positive),
    "MEDIATE_LOG_LEVEL": ("log_level", lambda n, v: v.upper()),
}
assert {attr for attr, _ in _PARSERS.values()} == {f.name for f in fields(Settings)}


def load_settings(environ=None, **overrides) -> Settings:
    """Build settings from the environment; unknown ``MEDIATE_*`` names are refused too."""
    environ = os.environ if environ is None else environ
    unknown = sorted(k for k in environ if k.startswith("MEDIATE_") and k not in _PARSERS
                     and not k.startswith("MEDIATE_TEST_"))
    if unknown:
        raise ConfigError(f"unknown setting(s) {', '.join(unknown)}; see the README's configuration table")
    values = {}
    for name, (attr, parse) in _PARSERS.items():
        raw = environ.get(name)
        if raw is not None and raw != "":
            values[attr] = parse(name, raw)
    values.update(overrides)
    if values.get("log_level", "INFO") not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError("MEDIATE_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR")
    return Settings(**values)
