"""Running checked programs: here when they cannot loop, in a child process when they can.

Code without loops or functions executes each of its syntax elements at most once, and every
operation that can build or walk a large value is guarded, so it finishes quickly in this
process. Code with loops or functions runs in a child process, forked for each run from a
small server process (``engine.sandbox.child``: a fresh interpreter with an empty environment,
no database connections, no secrets), with a wall-clock limit, a CPU limit and an address-space
limit; the child is killed when it overruns. Data goes in and the answer comes back as JSON,
never pickle.
"""

from __future__ import annotations

import os
import select
import struct
import subprocess
import sys
import threading
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


def run_here(program: Program, names: dict, helpers: dict):
    """Run in this process: the expression's value, or the script's variables (helpers and guards left out)."""
    limits.start_run()
    scope = {**names, **helpers, **GUARDS}
    if program.mode == "eval":
        return eval(program.code, scope)  # noqa: S307 - compiled by the restricting policy
    exec(program.code, scope)  # noqa: S102 - compiled by the restricting policy
    return {k: v for k, v in scope.items() if k not in GUARDS and k not in helpers and not callable(v)}


def run(program: Program, names: dict, helpers: dict):
    """The value of an expression, or a script's variables afterwards; breaches raise ``SandboxError``."""
    try:
        if program.isolated:
            return _run_isolated(program, names, helpers["now"]())
        return run_here(program, names, helpers)
    except SandboxViolation as breach:
        raise SandboxError(str(breach)) from None


# -- child processes ---------------------------------------------------------------------------

_ROOT = Path(__file__).resolve().parents[2]


class _Zygote:
    """This process's handle on its ``engine.sandbox.child`` server, started on first use."""

    def __init__(self):
        self.lock = threading.Lock()
        self.process: subprocess.Popen | None = None
        self.owner = 0

    def _ensure(self) -> subprocess.Popen:
        if self.process is None or self.process.poll() is not None or self.owner != os.getpid():
            # A fresh interpreter with an empty environment: no secrets, no database connection.
            self.process = subprocess.Popen([sys.executable, "-E", "-s", "-m", "engine.sandbox.child"],
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=_ROOT, env={})
            self.owner = os.getpid()
        return self.process

    def _stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def call(self, request: bytes, seconds: float) -> bytes:
        """Send one request and wait for its answer (the server itself enforces ``seconds``)."""
        with self.lock:
            process = self._ensure()
            try:
                process.stdin.write(values.HEADER.pack(len(request)) + request)
                process.stdin.flush()
                if not select.select([process.stdout], [], [], seconds + 10)[0]:
                    raise OSError("the sandbox server did not answer")
                size = values.HEADER.unpack(process.stdout.read(values.HEADER.size))[0]
                return process.stdout.read(size)
            except (OSError, struct.error, ValueError):
                self._stop()
                raise SandboxLimit("the sandbox process failed; the code was stopped") from None


_ZYGOTE = _Zygote()


def _run_isolated(program: Program, names: dict, now_value):
    bounds = BOUNDS
    request = values.dumps({"mode": program.mode, "source": program.source, "names": names, "now": now_value,
                            "seconds": bounds.seconds, "memory_mb": bounds.memory_mb})
    status, result = values.loads(_ZYGOTE.call(request, bounds.seconds))
    if status == "limit":
        raise SandboxLimit(result)
    if status != "ok":
        raise SandboxError(result)
    return result
