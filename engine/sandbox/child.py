"""The process that runs code with loops, started as ``python -m engine.sandbox.child``.

It is a small server (a zygote): started once per web or worker process with an empty
environment, it reads one request at a time from stdin, forks a child for it that sets its CPU
and memory limits and runs the code, waits at most the wall-clock limit, kills the child when it
overruns, and writes the answer to stdout. Requests and answers are length-prefixed JSON.
"""

from __future__ import annotations

import os
import resource
import select
import signal
import sys
import time

from . import values
from .helpers import helpers
from .limits import SandboxViolation
from .policy import compile_program
from .run import run_here

MAX_ANSWER_BYTES = 16 * 1024 * 1024


def answer(request: dict) -> tuple[str, object]:
    """Run the request's code under the sandbox: ``("ok", value)``, ``("error", …)`` or ``("limit", …)``."""
    mode, now_value = request["mode"], request["now"]
    try:
        result = run_here(compile_program(request["source"], mode), request["names"],
                           helpers(lambda: now_value))
        if mode == "exec":
            values.check_storable(result, "")
        return "ok", result
    except SandboxViolation as breach:
        return "error", str(breach)
    except MemoryError:
        return "limit", f"the code used more than {request['memory_mb']} MB of memory"
    except Exception as err:  # every other failure goes back as text
        return "error", f"{type(err).__name__}: {err}"


def _encode(status: str, result) -> bytes:
    try:
        return values.dumps([status, result])
    except (TypeError, ValueError) as err:
        return values.dumps(["error", f"the code's value cannot be passed back: {err}"])


def _run_child(request: dict, write_fd: int) -> None:
    """In the forked child: limit, run, answer, and never return."""
    try:
        memory = request["memory_mb"] * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        cpu = int(request["seconds"]) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
        blob = _encode(*answer(request))
        with os.fdopen(write_fd, "wb") as out:
            out.write(blob)
    finally:
        os._exit(0)


def _collect(pid: int, read_fd: int, seconds: float, memory_mb: int) -> bytes:
    """The child's answer, or a limit answer after killing it."""
    deadline, chunks, size = time.monotonic() + seconds, [], 0
    with os.fdopen(read_fd, "rb", buffering=0) as pipe:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([pipe], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return values.dumps(["limit", f"the code ran longer than the limit of {seconds:g} s and was stopped"])
            chunk = pipe.read(65536)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_ANSWER_BYTES:
                os.kill(pid, signal.SIGKILL)
                break
    os.waitpid(pid, 0)
    if not chunks or size > MAX_ANSWER_BYTES:
        return values.dumps(["limit", f"the code was stopped: it used more than {memory_mb} MB of memory "
                                      "or gave too large an answer"])
    return b"".join(chunks)


def serve_one(request_blob: bytes) -> bytes:
    """Fork a child for one request and return its answer."""
    request = values.loads(request_blob)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _run_child(request, write_fd)
    os.close(write_fd)
    return _collect(pid, read_fd, request["seconds"], request["memory_mb"])


def _read_exactly(stream, size: int) -> bytes | None:
    data = stream.read(size)
    return data if data is not None and len(data) == size else None


def main() -> None:
    """Serve requests until stdin closes (the parent process ended or replaced this server)."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while (header := _read_exactly(stdin, values.HEADER.size)) is not None:
        body = _read_exactly(stdin, values.HEADER.unpack(header)[0])
        if body is None:
            return
        reply = serve_one(body)
        stdout.write(values.HEADER.pack(len(reply)) + reply)
        stdout.flush()


if __name__ == "__main__":
    main()
