"""A server killed outright (SIGKILL, as by the kernel's out-of-memory killer or a power cut of
the process) with a run in progress and runs queued, then started again on the same store.

Before the kill two runs finish; their rows, results and files are recorded. After it: the run
in progress's worker process has ended too, the restarted server shows the finished runs
unchanged (the same results, files with the same checksums), marks the running and queued ones
``interrupted``, left no half-written folder, and serves new runs; SQLite's integrity check
passes on the store."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

TERMINAL = {"done", "failed", "interrupted"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Servers:
    """``stationsim serve`` processes over one store, each on a free loopback port;
    :meth:`close` ends every process started here (servers and their run workers)."""

    def __init__(self, store: Path, folder: Path) -> None:
        self.store, self.folder = store, folder
        self.started: list[subprocess.Popen[bytes]] = []
        self.clients: list[httpx.Client] = []
        self.workers: list[psutil.Process] = []

    def start(self) -> tuple[subprocess.Popen[bytes], httpx.Client]:
        """A new server, once it answers, and a client of it."""
        port = _free_port()
        with (self.folder / "server.log").open("ab") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "stationsim", "serve", "--port", str(port),
                 "--store", str(self.store)], stdout=log, stderr=subprocess.STDOUT,
                cwd=self.folder)
        self.started.append(server)
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30.0)
        self.clients.append(client)
        deadline = time.monotonic() + 60.0
        while time.monotonic() < deadline:
            assert server.poll() is None, _log(self.folder)
            try:
                if client.get("/api/info").status_code == 200:
                    return server, client
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError("the server did not answer within 60 s\n" + _log(self.folder))

    def close(self) -> None:
        for client in self.clients:
            client.close()
        for server in self.started:
            if server.poll() is None:
                self.workers.extend(_run_workers(server.pid))
                server.kill()
                server.wait()
        for worker in self.workers:
            if worker.is_running():
                worker.kill()


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "runs.sqlite"


@pytest.fixture
def servers(store: Path, tmp_path: Path) -> Iterator[Servers]:
    started = Servers(store, tmp_path)
    yield started
    started.close()


def _log(folder: Path) -> str:
    path = folder / "server.log"
    return path.read_text(errors="replace")[-3000:] if path.exists() else ""


def _run_workers(server_pid: int) -> list[psutil.Process]:
    """The server's run workers (``python -m stationsim.web.worker``) alive now."""
    try:
        children = psutil.Process(server_pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    out = []
    for child in children:
        try:
            if "stationsim.web.worker" in " ".join(child.cmdline()):
                out.append(child)
        except psutil.NoSuchProcess:
            continue
    return out


def _ended(processes: list[psutil.Process], timeout_s: float) -> list[psutil.Process]:
    """Those of ``processes`` still running after ``timeout_s`` (an ended process that
    nobody has reaped yet, a zombie, counts as ended: it computes nothing)."""
    deadline = time.monotonic() + timeout_s
    while True:
        alive = []
        for process in processes:
            try:
                if process.status() != psutil.STATUS_ZOMBIE:
                    alive.append(process)
            except psutil.NoSuchProcess:
                pass
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


def _wait(client: httpx.Client, run_id: str, until: Callable[[dict[str, Any]], bool],
          timeout_s: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        run: dict[str, Any] = client.get(f"/api/runs/{run_id}").json()
        if until(run):
            return run
        time.sleep(0.1)
    raise AssertionError(f"run {run_id}: still {run['status']} after {timeout_s} s")


def _checksums(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.iterdir())}


def _integrity(store: Path) -> str:
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def test_a_killed_server_leaves_finished_runs_intact_and_the_rest_interrupted(
        servers: Servers, store: Path, short_scenario: str) -> None:
    server, client = servers.start()
    body = {"text": short_scenario, "filename": "two-days.toml"}
    finished = [client.post("/api/runs", json=body).json()["id"] for _ in range(2)]
    files = store.parent / "runs-files"
    before: dict[str, Any] = {}
    for run_id in finished:
        run = _wait(client, run_id, lambda r: r["status"] in TERMINAL)
        assert run["status"] == "done", run
        before[run_id] = (run, client.get(f"/api/runs/{run_id}/results").json(),
                          _checksums(files / run_id))

    # A long run in progress (its worker computing), two more waiting behind it.
    running = client.post("/api/runs", json={"scenario": "baseline-2022"}).json()["id"]
    waiting = [client.post("/api/runs", json=body).json()["id"] for _ in range(2)]
    _wait(client, running, lambda r: r["status"] == "running"
          and r["progress"] is not None and r["progress"]["phase"] != "starting a worker")
    workers = _run_workers(server.pid)
    assert len(workers) == 1, workers
    servers.workers.extend(workers)
    time.sleep(0.5)

    os.kill(server.pid, signal.SIGKILL)
    server.wait()
    alive = _ended(workers, timeout_s=5.0)
    assert not alive, f"the run's worker outlived its killed server: {alive}"

    server, client = servers.start()
    for run_id, (run, results, sums) in before.items():
        again = client.get(f"/api/runs/{run_id}").json()
        assert again["status"] == "done" and again["finished"] == run["finished"]
        assert again["files"] == run["files"]
        assert client.get(f"/api/runs/{run_id}/results").json() == results
        assert _checksums(files / run_id) == sums
        download = client.get(f"/api/runs/{run_id}/files/results.json")
        assert download.status_code == 200
        assert hashlib.sha256(download.content).hexdigest() == sums["results.json"]
    for run_id in [running, *waiting]:
        run = client.get(f"/api/runs/{run_id}").json()
        assert run["status"] == "interrupted", run
        assert "server stopped" in run["error"] and run["files"] == []
        assert client.get(f"/api/runs/{run_id}/results").status_code == 409
        assert not (files / run_id).exists()
    assert not list(files.glob(".partial-*"))
    assert _integrity(store) == "ok"

    # The store goes on: a new run on the restarted server.
    new = client.post("/api/runs", json=body).json()["id"]
    assert _wait(client, new, lambda r: r["status"] in TERMINAL)["status"] == "done"
    listed = [r["id"] for r in client.get("/api/runs").json()["runs"]]
    assert sorted(listed) == sorted([*finished, running, *waiting, new])
    server.send_signal(signal.SIGINT)
    assert server.wait(30) == 0
    assert _integrity(store) == "ok"


#: A server stand-in: starts a process that watches it as a run worker does, then waits.
_PARENT = """
import subprocess, sys
child = subprocess.Popen([sys.executable, "-c", sys.argv[1]])
print(child.pid, flush=True)
child.wait()
"""
#: The watching process: silent (as a run is for a minute while it writes its report).
_WATCHER = """
import time
from stationsim.web.worker import exit_with_parent
exit_with_parent(0.1)
print("watching", flush=True)
time.sleep(120)
"""


def test_a_run_worker_ends_with_its_killed_server_even_while_silent() -> None:
    """A run can go a minute without a progress message (writing its report), so the broken
    pipe of a killed server would stop it late; the worker watches its parent instead."""
    parent = subprocess.Popen([sys.executable, "-c", _PARENT, _WATCHER],
                              stdout=subprocess.PIPE, text=True)
    child: psutil.Process | None = None
    try:
        assert parent.stdout is not None
        child = psutil.Process(int(parent.stdout.readline()))
        assert parent.stdout.readline().strip() == "watching"
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        assert _ended([child], timeout_s=2.0) == []
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        if child is not None and child.is_running():
            child.kill()
