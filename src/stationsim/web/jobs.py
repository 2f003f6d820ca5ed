"""The run queue: a bounded queue of stored runs and worker threads, each of which runs one
scenario at a time in a child process (:mod:`stationsim.web.worker`), follows its progress,
stops it at the run-time limit, and stores how it ended (:mod:`stationsim.web.store`).
"""

from __future__ import annotations

import json
import logging
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from stationsim.web.store import RunRecord, RunStore
from stationsim.web.worker import MAX_WARNING_CHARS, MAX_WARNINGS

__all__ = ["Live", "QueueFullError", "RunQueue"]

log = logging.getLogger("stationsim.web")


class QueueFullError(Exception):
    """The queue holds as many waiting runs as it may."""


@dataclass(frozen=True)
class Live:
    """What a queued or running run is doing now.

    Attributes:
        status: ``queued`` or ``running`` (then the final status, briefly).
        phase: what the run is doing, in words.
        fraction: how much of the phase is done, 0 to 1.
        serial: grows by one at every change, so that a watcher can tell news from old.
    """

    status: str
    phase: str
    fraction: float
    serial: int


class RunQueue:
    """Runs stored runs one after the other on ``workers`` threads.

    Args:
        store: where runs are recorded.
        workers: how many runs may run at once.
        queue_size: how many runs may wait; :meth:`submit` raises :class:`QueueFullError` beyond.
        run_time_limit_s: a run still going after this many seconds is stopped and stored
            as failed.
    """

    def __init__(self, store: RunStore, *, workers: int = 1, queue_size: int = 8,
                 run_time_limit_s: float = 1200.0) -> None:
        if workers < 1 or queue_size < 0 or run_time_limit_s <= 0:
            raise ValueError("workers >= 1, queue_size >= 0 and a positive time limit needed")
        self.store, self.workers = store, workers
        self.queue_size, self.run_time_limit_s = queue_size, run_time_limit_s
        self._pending: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._waiting = 0
        self._lock = threading.Lock()
        self._live: dict[str, Live] = {}
        self._children: dict[str, subprocess.Popen[str]] = {}
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()

    # --- the public side -----------------------------------------------------------------------
    def submit(self, run_id: str, job: dict[str, Any], **row: Any) -> RunRecord:
        """Store a run as ``queued`` and queue it; ``job`` is the worker's input (without
        ``out_dir``), ``row`` the store's columns (:meth:`RunStore.add`). Nothing is stored
        when the queue is full."""
        with self._lock:
            if self._stopping.is_set():
                raise QueueFullError("the server is stopping")
            if self._waiting >= self.queue_size:
                raise QueueFullError(f"{self._waiting} runs are waiting already")
            record = self.store.add(run_id, **row)
            self._waiting += 1
            self._live[run_id] = Live("queued", "waiting for a worker", 0.0, 0)
            self._start_threads()
            self._pending.put({**job, "id": run_id})
        return record

    def live(self, run_id: str) -> Live | None:
        """What a queued or running run is doing, or ``None`` when it is not (any more)."""
        with self._lock:
            return self._live.get(run_id)

    def waiting(self) -> int:
        """How many runs wait for a worker."""
        with self._lock:
            return self._waiting

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop the workers: running children are killed, and every run not finished is
        stored as ``interrupted``."""
        self._stopping.set()
        with self._lock:
            children = list(self._children.values())
        for child in children:
            child.kill()
        for _ in self._threads:
            self._pending.put(None)
        for thread in self._threads:
            thread.join(timeout_s)
        self.store.mark_interrupted("the server stopped before the run ended")

    # --- the workers ---------------------------------------------------------------------------
    def _start_threads(self) -> None:
        while len(self._threads) < self.workers:
            thread = threading.Thread(target=self._work, daemon=True,
                                      name=f"stationsim-run-{len(self._threads)}")
            self._threads.append(thread)
            thread.start()

    def _set(self, run_id: str, **change: Any) -> None:
        with self._lock:
            old = self._live.get(run_id)
            if old is not None:
                self._live[run_id] = replace(old, **change, serial=old.serial + 1)

    def _work(self) -> None:
        while True:
            job = self._pending.get()
            if job is None:
                return
            run_id = str(job["id"])
            with self._lock:
                self._waiting -= 1
            if self._stopping.is_set():
                continue
            try:
                self._run(run_id, job)
            except Exception:  # a fault of the server's own: keep serving the others
                if self._stopping.is_set():
                    self.store.finish_failed(run_id, "the server stopped before the run "
                                             "ended", status="interrupted")
                else:
                    log.exception("run %s", run_id)
                    self.store.finish_failed(run_id, "internal error of the server")
            finally:
                with self._lock:
                    self._live.pop(run_id, None)
                    self._children.pop(run_id, None)

    def _run(self, run_id: str, job: dict[str, Any]) -> None:
        self.store.mark_running(run_id)
        self._set(run_id, status="running", phase="starting a worker", fraction=0.0)
        staged = self.store.staging_dir(run_id)
        answer: dict[str, Any] = {}
        with tempfile.TemporaryFile("w+", encoding="utf-8") as errors:
            child = subprocess.Popen(
                [sys.executable, "-m", "stationsim.web.worker"], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=errors, text=True, encoding="utf-8",
                cwd=staged, env={**os.environ, "PYTHONUNBUFFERED": "1"})
            with self._lock:
                self._children[run_id] = child
                if self._stopping.is_set():  # stop() came while the child was starting
                    child.kill()
            expired = threading.Event()

            def expire() -> None:
                expired.set()
                child.kill()

            timer = threading.Timer(self.run_time_limit_s, expire)
            timer.daemon = True
            timer.start()
            try:
                if child.stdin is None or child.stdout is None:
                    raise RuntimeError("the worker's pipes are missing")
                child.stdin.write(json.dumps({**job, "out_dir": str(staged)}))
                child.stdin.close()
                for line in child.stdout:
                    message = json.loads(line)
                    if "phase" in message:
                        self._set(run_id, phase=str(message["phase"]),
                                  fraction=min(max(float(message["fraction"]), 0.0), 1.0))
                    else:
                        answer = message
                code = child.wait()
            finally:
                timer.cancel()
                if child.poll() is None:
                    child.kill()
                    child.wait()
            timed_out = expired.is_set()
            if code != 0 and not answer.get("user") and not self._stopping.is_set():
                errors.seek(0)
                log.warning("run %s: worker ended with code %s\n%s", run_id, code,
                            errors.read()[-4000:])
        self._end(run_id, staged, answer, code, timed_out)

    def _end(self, run_id: str, staged: Path, answer: dict[str, Any], code: int,
             timed_out: bool) -> None:
        if self._stopping.is_set() and not answer:
            shutil.rmtree(staged, ignore_errors=True)
            self.store.finish_failed(run_id, "the server stopped before the run ended",
                                     status="interrupted")
            return
        warnings = _warnings(answer)
        if answer.get("done") and code == 0:
            results = json.loads((staged / "results.json").read_text(encoding="utf-8"))
            self.store.finish_done(run_id, staged, results, warnings)
            return
        shutil.rmtree(staged, ignore_errors=True)
        if "error" in answer:
            message = str(answer["error"])
        elif timed_out:
            message = (f"stopped: the run took longer than the limit of "
                       f"{self.run_time_limit_s:g} s")
        else:
            message = f"the run ended without an answer (exit code {code})"
        self.store.finish_failed(run_id, message, warnings=warnings)


def _warnings(answer: dict[str, Any]) -> list[dict[str, str]]:
    """The warnings of a worker's answer (``{"kind", "message"}``), each checked."""
    out = []
    items = answer.get("warnings")
    for item in items[:MAX_WARNINGS] if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("message"), str):
            kind = "data" if item.get("kind") == "data" else "warning"
            out.append({"kind": kind, "message": item["message"][:MAX_WARNING_CHARS]})
    return out
