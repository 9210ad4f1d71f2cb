"""Running checked programs: here when they cannot loop, in a child process when they can.

Code without loops or functions executes each of its syntax elements at most once, and every
operation that can build or walk a large value is guarded, so it finishes quickly in this
process. Code with loops or functions runs in a child process of its own (a fresh interpreter
with an empty environment: no database connections, no secrets) with a wall-clock limit, a CPU
limit and an address-space limit; the child is killed when it overruns. Data goes in and the
answer comes back as JSON, never pickle.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from . import limits, values
from .guards import GUARDS
from .limits import SandboxLimit, SandboxViolation
from .policy import Program


@dataclass(frozen=True)
class Bounds:
    """Limits of a child process run."""

    seconds: float = 2.0
    memory_mb: int = 256


BOUNDS = Bounds()


class SandboxError(Exception):
    """Code broke a sandbox rule or bound at run time; the message says which."""


def configure(bounds: Bounds) -> None:
    """Set the child-process limits (from the settings, at start-up)."""
    global BOUNDS
    BOUNDS = bounds


def _run_here(program: Program, names: dict, helpers: dict):
    limits.start_run()
    scope = {**names, **helpers, **GUARDS}
    if program.mode == "eval":
        return eval(program.code, scope)  # noqa: S307 - compiled by the restricting policy
    exec(program.code, scope)  # noqa: S102 - compiled by the restricting policy
    return {k: v for k, v in scope.items() if k not in GUARDS and k not in helpers and not callable(v)}


def run(program: Program, names: dict, helpers: dict, now_value):
    """The value of an expression, or a script's variables afterwards; breaches raise ``SandboxError``."""
    try:
        if program.isolated:
            return _run_isolated(program, names, now_value)
        return _run_here(program, names, helpers)
    except SandboxViolation as breach:
        raise SandboxError(str(breach)) from None


# -- child processes ---------------------------------------------------------------------------

_ROOT = Path(__file__).resolve().parents[2]


def _run_isolated(program: Program, names: dict, now_value):
    bounds = BOUNDS
    request = values.dumps({"mode": program.mode, "source": program.source, "names": names, "now": now_value,
                            "seconds": bounds.seconds, "memory_mb": bounds.memory_mb})
    try:
        done = subprocess.run([sys.executable, "-E", "-s", "-m", "engine.sandbox.child"], input=request,
                              capture_output=True, cwd=_ROOT, env={}, timeout=bounds.seconds, check=False)
    except subprocess.TimeoutExpired:
        raise SandboxLimit(f"the code ran longer than the limit of {bounds.seconds:g} s and was stopped") from None
    try:
        status, result = values.loads(done.stdout)
    except ValueError:
        raise SandboxLimit(f"the code was stopped: it used more than {bounds.memory_mb} MB of memory "
                           f"or its process failed ({done.returncode})") from None
    if status != "ok":
        raise SandboxError(result)
    return result
