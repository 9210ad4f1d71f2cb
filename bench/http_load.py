"""Part 3: task completions per second through gunicorn, from keep-alive clients in this process."""

from __future__ import annotations

import http.client
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from engine.config import ROOT

from . import fixtures as fx

GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(url: str, workers: int, threads: int, log_path: Path):
    """Run ``api.wsgi:app`` on a free loopback port; yields ``(port, master pid)``; stops it on exit."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIATE_")}
    env.update(MEDIATE_DATABASE_URL=url, MEDIATE_SCHEDULER="off", MEDIATE_SECRET_KEY=fx.SECRET,
               MEDIATE_FORMS_DIR=str(fx.FORMS), MEDIATE_LOG_LEVEL="WARNING",
               # Every benchmark user signs in from this one address.
               MEDIATE_LOGIN_ADDRESS_LIMIT="10000 per minute")
    cmd = [str(GUNICORN), "-w", str(workers), "-k", "gthread", "--threads", str(threads),
           "-b", f"127.0.0.1:{port}", "--graceful-timeout", "5", "api.wsgi:app"]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_healthy(port, proc)
        yield port, proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_healthy(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}; see its log")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz in time")


def tokens(port: int, usernames: list[str]) -> dict[str, str]:
    """A bearer token per user, from POST /api/v1/auth/token."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    out = {}
    for name in usernames:
        conn.request("POST", "/api/v1/auth/token", json.dumps({"username": name, "password": fx.PASSWORD}),
                     {"Content-Type": "application/json"})
        response = conn.getresponse()
        body = json.loads(response.read())
        if response.status != 200:
            raise RuntimeError(f"token for {name}: {response.status} {body}")
        out[name] = body["token"]
    conn.close()
    return out


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    wall_s: float = 0.0
    client_cpu_s: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.wall_s if self.wall_s else 0.0


class Load:
    """Clients take a ready task from a shared queue, complete it, and queue the case's next task.

    The run is bounded by ``budget`` completions; a client stops when the budget is spent or
    the queue stays empty, so the whole thing ends by itself.
    """

    def __init__(self, port: int, work: queue.Queue, auth: dict, budget: int):
        self.port, self.work, self.auth = port, work, auth
        self.budget = budget
        self.lock = threading.Lock()
        self.result = LoadResult()

    def _take(self) -> bool:
        with self.lock:
            if self.budget <= 0:
                return False
            self.budget -= 1
            return True

    def _give_back(self) -> None:
        with self.lock:
            self.budget += 1

    def _client(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        local, errors = [], {}
        while self._take():
            try:
                task_id, spec_id, unit_code = self.work.get(timeout=2)
            except queue.Empty:
                self._give_back()
                break
            body = json.dumps({"data": fx.FORM_DATA[spec_id]})
            headers = {"Content-Type": "application/json",
                       "Authorization": f"Bearer {self.auth[(unit_code, fx.TASK_ROLES[spec_id])]}"}
            start = time.perf_counter()
            conn.request("POST", f"/api/v1/tasks/{task_id}/complete", body, headers)
            response = conn.getresponse()
            payload = response.read()
            elapsed = (time.perf_counter() - start) * 1000
            if response.status != 200:
                errors[str(response.status)] = errors.get(str(response.status), 0) + 1
                continue
            local.append(elapsed)
            for nxt in json.loads(payload)["case"]["open_tasks"]:
                self.work.put((nxt["id"], nxt["spec_id"], nxt["unit"]["code"]))
        conn.close()
        with self.lock:
            self.result.latencies_ms += local
            for key, count in errors.items():
                self.result.errors[key] = self.result.errors.get(key, 0) + count

    def run(self, clients: int) -> LoadResult:
        threads = [threading.Thread(target=self._client, daemon=True) for _ in range(clients)]
        cpu, start = time.process_time(), time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.result.wall_s = time.perf_counter() - start
        self.result.client_cpu_s = time.process_time() - cpu
        return self.result


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of the given processes (Linux /proc), 0 for any that vanished."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all cores, from /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def postgres_backends(url: str) -> list[int]:
    """Server processes serving the benchmark database (other databases' load is not ours)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(url)
    with engine.connect() as conn:
        pids = list(conn.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = :db AND pid <> pg_backend_pid()"),
                                 {"db": make_url(url).database}))
    engine.dispose()
    return pids
