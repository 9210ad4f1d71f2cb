"""The bounds every expression and script runs within, and the errors a breach raises.

Breaches derive from ``BaseException`` so that a script's ``except Exception`` cannot
swallow one and carry on probing (bare ``except:`` is refused when the code is checked).
"""

from __future__ import annotations

import threading

# Largest sequence, string, range or mapping a single operation may build.
MAX_SIZE = 100_000
# Largest integer an operation may build, in bits (2**4096 has 1,234 decimal digits).
MAX_INT_BITS = 4096
# Elements that built-in functions may walk in one run, all calls together.
MAX_STEPS = 1_000_000
# Largest program, in syntax-tree nodes and in characters.
MAX_NODES = 5_000
MAX_SOURCE_CHARS = 50_000
# Width or precision allowed in an f-string format spec (``{x:>10}``).
MAX_FORMAT_WIDTH = 100
# Formatted values allowed in one f-string.
MAX_FORMAT_PARTS = 32


class SandboxViolation(BaseException):  # noqa: N818 - deliberately outside Exception
    """Code tried something the sandbox refuses at run time (an attribute, a type, a size)."""


class SandboxLimit(SandboxViolation):
    """Code ran past a bound: too large a value, too many steps, too long or too much memory."""


_state = threading.local()


def start_run() -> None:
    """Reset the step budget for one evaluation or script run on this thread."""
    _state.steps = 0


def spend(count: int) -> None:
    """Spend ``count`` steps of the run's budget; a run past ``MAX_STEPS`` stops."""
    steps = getattr(_state, "steps", 0) + count
    _state.steps = steps
    if steps > MAX_STEPS:
        raise SandboxLimit(f"the code walked more than {MAX_STEPS:,} elements in one run")


def check_size(size: int, what: str = "value") -> None:
    """Refuse to build a sequence, string or mapping longer than ``MAX_SIZE``."""
    if size > MAX_SIZE:
        raise SandboxLimit(f"a {what} of {size:,} elements is larger than the limit of {MAX_SIZE:,}")


def check_int_bits(bits: int) -> None:
    """Refuse to build an integer wider than ``MAX_INT_BITS``."""
    if bits > MAX_INT_BITS:
        raise SandboxLimit(f"an integer of about {bits:,} bits is larger than the limit of {MAX_INT_BITS:,}")
