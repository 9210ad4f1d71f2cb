"""The engine's one notion of "now".

Everything in ``engine/`` asks ``clock.now()``. ``frozen_at(when)`` runs a block as if it
were that time (``mediate tick --at``, drills, tests); it is per thread/context, so a
drill never changes the time another request sees.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_override: ContextVar[datetime | None] = ContextVar("mediate_clock_override", default=None)


def now() -> datetime:
    """Current UTC time, or the time a ``frozen_at`` block set."""
    fixed = _override.get()
    return fixed if fixed is not None else datetime.now(UTC)


def parse(text: str) -> datetime:
    """An ISO-8601 timestamp; a naive one is taken as UTC."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@contextmanager
def frozen_at(when: datetime) -> Iterator[datetime]:
    """Run the block with ``now()`` returning ``when``."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    token = _override.set(when)
    try:
        yield when
    finally:
        _override.reset(token)
