"""The helpers every expression may call besides the safe built-ins."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition


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


def _moment(value) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def due_after(start, duration: str, not_before=None) -> str:
    """The ISO-8601 time ``duration`` (``P30D``) after ``start`` (ISO text or datetime), counted the way
    timers count it, but never earlier than ``not_before`` (when given): a deadline that never shrinks."""
    begin = _moment(start)
    try:
        parsed = TimerEventDefinition.parse_iso_duration(duration)
    except Exception as exc:  # the library raises a bare Exception
        raise ValueError(f"not an ISO-8601 duration: {duration!r}") from exc
    due = begin + TimerEventDefinition.get_timedelta_from_start(parsed, begin)
    if not_before:
        due = max(due, _moment(not_before))
    return due.isoformat()


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
        "due_after": due_after,
    }
