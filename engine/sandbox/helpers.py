"""The helpers every expression may call besides the safe built-ins."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone


def iso_duration(days: float = 0, hours: float = 0, minutes: float = 0) -> str:
    """An ISO-8601 duration string (``PT36H``) from days, hours and minutes."""
    total = int(round(days * 86400 + hours * 3600 + minutes * 60))
    if total <= 0:
        return "PT0S"
    d, rest = divmod(total, 86400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    time = "".join(f"{v}{u}" for v, u in ((h, "H"), (m, "M"), (s, "S")) if v)
    return "P" + (f"{d}D" if d else "") + (f"T{time}" if time else "")


def helpers(now) -> dict:
    """Names every expression may use; ``now`` is the engine clock."""
    return {
        "now": now,
        "today": lambda: now().date(),
        "datetime": datetime,
        "date": date,
        "timedelta": timedelta,
        "timezone": timezone,
        "iso_duration": iso_duration,
    }
