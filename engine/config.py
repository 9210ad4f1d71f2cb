"""Settings, read once from ``MEDIATE_*`` environment variables and checked at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The key every install once shared by default: anyone could sign an admin token with it, so it is refused.
PUBLISHED_DEV_KEY = "insecure-development-key"
MIN_SECRET_BYTES = 32


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


def _count(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must be zero or more, not {raw!r}")
    return value


def check_secret_key(name: str, raw: str) -> str:
    """The key unchanged, unless it is the published development key or shorter than 32 bytes."""
    if raw.strip() == PUBLISHED_DEV_KEY:
        raise ConfigError(f"{name} is the published development key {PUBLISHED_DEV_KEY!r}; anyone could sign "
                          "tokens with it. Unset it to let Mediate generate one, or set a random one")
    size = len(raw.encode("utf-8"))
    if size < MIN_SECRET_BYTES:
        raise ConfigError(f"{name} must be at least {MIN_SECRET_BYTES} bytes long (it has {size}); generate one "
                          "with: python3 -c 'import secrets; print(secrets.token_urlsafe(48))'")
    return raw


def _rate_limit(name: str, raw: str) -> str:
    from limits import parse_many  # Flask-Limiter's own parser: what passes here, the limiter reads

    try:
        parse_many(raw)
    except ValueError:
        raise ConfigError(f"{name} must look like '10 per minute' or '10/minute; 50/hour', not {raw!r}") from None
    return raw


def _sender(name: str, raw: str) -> str:
    from .notifications import SENDERS  # the registry the scheduler builds the sender from

    value = raw.strip().lower()
    if value not in SENDERS:
        raise ConfigError(f"{name} must be one of {', '.join(sorted(SENDERS))}, not {raw!r}")
    return value


def _weekly_digest(name: str, raw: str) -> tuple[str, int, int] | None:
    from .analysis_digest import schedule  # the scheduler reads the same (day, hour, minute)

    try:
        return schedule(raw)
    except ValueError as err:
        raise ConfigError(f"{name} {err}") from None


def _path(name: str, raw: str) -> Path:
    return Path(raw).expanduser().resolve()


def _directory(name: str, raw: str) -> Path:
    path = Path(raw).expanduser().resolve()
    if not path.is_dir():
        raise ConfigError(f"{name} must name an existing folder, {raw!r} is not one")
    return path


@dataclass(frozen=True)
class Settings:
    """Every setting of the product; the README's configuration table lists the same."""

    database_url: str = f"sqlite:///{ROOT / 'instance' / 'mediate.sqlite'}"
    # Empty: a random key is generated once into ``instance_dir`` (engine/keys.py).
    secret_key: str = field(default="", repr=False)
    instance_dir: Path = ROOT / "instance"
    processes_dir: Path = ROOT / "processes"
    forms_dir: Path = ROOT / "forms"
    max_upload_bytes: int = 2 * 1024 * 1024
    max_json_bytes: int = 1024 * 1024
    token_hours: float = 12.0
    # Sign-in throttling: failed attempts per username, all attempts per client address.
    login_limit: str = "10 per minute; 50 per hour"
    login_address_limit: str = "60 per minute; 600 per hour"
    login_limit_storage: str = "memory://"
    # The public pages (/report, /track): submissions per client address (counted with the sign-in's storage).
    public_limit: str = "5 per minute; 30 per hour"
    trusted_proxies: int = 0
    # The pages' session and language cookies are sent over HTTPS only (turn on behind HTTPS).
    secure_cookies: bool = False
    scheduler: bool = True
    sweep_seconds: float = 5.0
    sweep_batch: int = 200
    # Where notifications go besides each user's in-app list (engine/notifications.py SENDERS).
    notify_sender: str = "log"
    # When the weekly digest (周研判) is announced to the centres, Beijing time; None: never.
    weekly_digest: tuple[str, int, int] | None = ("mon", 8, 30)
    page_size: int = 50
    log_level: str = "INFO"
    script_seconds: float = 2.0
    script_memory_mb: int = 256
    # A reader's full views of a case's audited personal data within this many minutes make one
    # ``personal_data_viewed`` event (the first); 0 records every view (engine/privacy.py).
    view_audit_minutes: int = 30


_PARSERS = {
    "MEDIATE_DATABASE_URL": ("database_url", _database_url),
    "MEDIATE_SECRET_KEY": ("secret_key", check_secret_key),
    "MEDIATE_INSTANCE_DIR": ("instance_dir", _path),
    "MEDIATE_PROCESSES_DIR": ("processes_dir", _directory),
    "MEDIATE_FORMS_DIR": ("forms_dir", _directory),
    "MEDIATE_MAX_UPLOAD_BYTES": ("max_upload_bytes", _positive),
    "MEDIATE_MAX_JSON_BYTES": ("max_json_bytes", _positive),
    "MEDIATE_TOKEN_HOURS": ("token_hours", lambda n, v: _positive(n, v, float)),
    "MEDIATE_LOGIN_LIMIT": ("login_limit", _rate_limit),
    "MEDIATE_LOGIN_ADDRESS_LIMIT": ("login_address_limit", _rate_limit),
    "MEDIATE_LOGIN_LIMIT_STORAGE": ("login_limit_storage", lambda n, v: v),
    "MEDIATE_PUBLIC_LIMIT": ("public_limit", _rate_limit),
    "MEDIATE_TRUSTED_PROXIES": ("trusted_proxies", _count),
    "MEDIATE_SECURE_COOKIES": ("secure_cookies", _bool),
    "MEDIATE_SCHEDULER": ("scheduler", _bool),
    "MEDIATE_SWEEP_SECONDS": ("sweep_seconds", lambda n, v: _positive(n, v, float)),
    "MEDIATE_SWEEP_BATCH": ("sweep_batch", _positive),
    "MEDIATE_NOTIFY_SENDER": ("notify_sender", _sender),
    "MEDIATE_WEEKLY_DIGEST": ("weekly_digest", _weekly_digest),
    "MEDIATE_PAGE_SIZE": ("page_size", _positive),
    "MEDIATE_LOG_LEVEL": ("log_level", lambda n, v: v.upper()),
    "MEDIATE_SCRIPT_SECONDS": ("script_seconds", lambda n, v: _positive(n, v, float)),
    "MEDIATE_SCRIPT_MEMORY_MB": ("script_memory_mb", _positive),
    "MEDIATE_VIEW_AUDIT_MINUTES": ("view_audit_minutes", _count),
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
