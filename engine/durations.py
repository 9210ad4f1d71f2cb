"""ISO-8601 durations as people read them: 「3 天 0 小时」 beside ``P3D``."""

from __future__ import annotations

import ast
import re

_DURATION = re.compile(r"^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
_CYCLE = re.compile(r"^R(\d*)/(P.+)$")


def parts(text: str) -> tuple[int, int, int] | None:
    """``(days, hours, minutes)`` of a duration in weeks, days, hours, minutes and seconds, else None.

    Years and months have no fixed length in days and are not converted.
    """
    match = _DURATION.match(text.strip().upper()) if isinstance(text, str) else None
    if match is None or text.strip().upper() in ("P", "PT"):
        return None
    weeks, days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    total = ((weeks * 7 + days) * 24 + hours) * 60 + minutes + seconds // 60
    return total // 1440, total % 1440 // 60, total % 60


def describe(text: str, labels: dict[str, str]) -> str | None:
    """「X 天 Y 小时」 (with ``labels`` day/hour/minute/every/times) for a duration or a cycle, else None."""
    if not isinstance(text, str):
        return None
    cycle = _CYCLE.match(text.strip().upper())
    found = parts(cycle.group(2) if cycle else text)
    if found is None:
        return None
    days, hours, minutes = found
    words = f"{days} {labels['day']} {hours} {labels['hour']}"
    if minutes:
        words += f" {minutes} {labels['minute']}"
    if cycle:
        words = f"{labels['every']} {words}" + (f" × {cycle.group(1)}" if cycle.group(1) else "")
    return words


def literal(cell: str | None):
    """The value of a cell that is a plain Python literal (``'PT24H'`` → ``PT24H``), else None."""
    if not cell:
        return None
    try:
        return ast.literal_eval(cell.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def looks_like_duration(value) -> bool:
    """Text that starts like an ISO-8601 duration or cycle (``P…``, ``R…/P…``)."""
    return isinstance(value, str) and bool(re.match(r"^(R\d*/)?P[0-9T]", value.strip().upper()))
