"""Load test of the web service: a real ``stationsim serve`` on a free loopback port with a
store of its own in a temporary folder, and N clients for T seconds.

Each client behaves like a person at the dashboard: it starts a short run (two days of the
ISS, a few seconds), follows it, reads its results and the list of runs, and starts another
once its run has ended. A start refused with 429 is not repeated before the ``Retry-After``
the server sent, doubled at each refusal in a row (with a little jitter); meanwhile the client
goes on reading. (Before the clock starts, one start that the parser refuses warms the
server up; ``--cold`` leaves that out.) When the time is up the clients stop, the queue
drains, the server stops, and the store is audited: every accepted run must be in it exactly
once and done (results that parse, files present), nothing else may be in it, and SQLite's
integrity check must pass.

    python scripts/load_test.py                     # 50 clients, 60 s
    python scripts/load_test.py --clients 10 --duration 10 --json load.json

Prints a table of throughput and latency percentiles per endpoint; ``--json FILE`` writes the
same figures. The exit code is 0 when the audit passes and no request failed (no 5xx, no
error of the connection), else 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

#: Two days of the ISS from its element set of 2022-03-07: a few seconds a run.
SCENARIO = """\
format = "stationsim-scenario 1"
name = "two-days"
title = "Two days of the ISS in March 2022"

[start]
epoch = "2022-03-07T21:06:42Z"
state = "bundled"

[end]
days = 2
"""
HOST = "127.0.0.1"  # the only address this script sends to
TERMINAL = frozenset({"done", "failed", "interrupted"})
ENDPOINTS = ("POST /api/runs", "GET /api/runs/{id}", "GET /api/runs/{id}/results",
             "GET /api/runs", "GET /api/info")
#: The longest wait between two refused starts of one client [s].
MAX_BACKOFF_S = 240.0


def free_port() -> int:
    """A TCP port on the loopback address that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def start_server(store: Path, port: int, *, queue_size: int, workers: int,
                 log: Path) -> subprocess.Popen[bytes]:
    """``stationsim serve`` on ``HOST:port`` over ``store``, its output into ``log``."""
    env = {**os.environ, "STATIONSIM_WEB_QUEUE_SIZE": str(queue_size),
           "STATIONSIM_WEB_WORKERS": str(workers)}
    with log.open("ab") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "stationsim", "serve", "--host", HOST, "--port", str(port),
             "--store", str(store)], stdout=sink, stderr=subprocess.STDOUT, env=env,
            cwd=store.parent)


async def wait_ready(http: httpx.AsyncClient, server: subprocess.Popen[bytes],
                     timeout_s: float = 60.0) -> None:
    """Until ``GET /api/info`` answers 200; raises if the server ends or takes too long."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server ended at start (exit code {server.returncode})")
        try:
            if (await http.get("/api/info")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {timeout_s:g} s")


async def warm_up(http: httpx.AsyncClient) -> None:
    """One start refused by the parser (it loads the bundled data the first parse needs,
    without queueing a run) and one list of runs, before the clock starts."""
    refused = await http.post("/api/runs", json={"text": SCENARIO.replace("days = 2",
                                                                          "days = -1")})
    if refused.status_code != 422:
        raise RuntimeError(f"the warm-up start was answered {refused.status_code}, not 422")
    await http.get("/api/runs")


def stop_server(server: subprocess.Popen[bytes], timeout_s: float = 30.0) -> int:
    """Stop the server as Ctrl+C would (it marks unfinished runs interrupted); kill it if it
    does not end in time. Returns its exit code."""
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout_s)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return server.returncode


@dataclass
class Tally:
    """What the clients saw."""

    latency_s: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    answers: Counter[tuple[str, int]] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    accepted: list[str] = field(default_factory=list)
    refused: int = 0
    refused_without_retry_after: int = 0
    retry_after_s: set[float] = field(default_factory=set)
    finished: set[str] = field(default_factory=set)
    results_read: int = 0
    bad_results: int = 0

    def requests(self) -> int:
        return sum(self.answers.values()) + sum(self.errors.values())


async def call(http: httpx.AsyncClient, tally: Tally, endpoint: str, method: str,
               url: str, **kwargs: Any) -> httpx.Response | None:
    """One request, timed; ``None`` when it failed on the way (counted as an error)."""
    began = time.perf_counter()
    try:
        answer = await http.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        tally.errors[f"{endpoint}: {type(exc).__name__}"] += 1
        return None
    tally.latency_s[endpoint].append(time.perf_counter() - began)
    tally.answers[(endpoint, answer.status_code)] += 1
    return answer


async def client(http: httpx.AsyncClient, tally: Tally, deadline: float, seed: int,
                 think_s: float) -> None:
    """One client until ``deadline`` (see the module notes)."""
    rng = random.Random(seed)
    mine: str | None = None  # this client's run while it is queued or running
    next_start, refusals = 0.0, 0
    while time.monotonic() < deadline:
        now = time.monotonic()
        if mine is None and now >= next_start:
            answer = await call(http, tally, "POST /api/runs", "POST", "/api/runs",
                                json={"text": SCENARIO, "filename": "two-days.toml"})
            if answer is not None and answer.status_code == 202:
                mine, refusals = str(answer.json()["id"]), 0
                tally.accepted.append(mine)
            elif answer is not None and answer.status_code == 429:
                tally.refused += 1
                refusals += 1
                try:
                    retry_after = float(answer.headers["retry-after"])
                except (KeyError, ValueError):
                    tally.refused_without_retry_after += 1
                    retry_after = 1.0
                tally.retry_after_s.add(retry_after)
                wait = min(retry_after * 2 ** (refusals - 1), MAX_BACKOFF_S)
                next_start = time.monotonic() + wait * rng.uniform(1.0, 1.25)
        elif mine is not None and rng.random() < 0.6:
            answer = await call(http, tally, "GET /api/runs/{id}", "GET", f"/api/runs/{mine}")
            if answer is not None and answer.status_code == 200:
                status = answer.json()["status"]
                if status in TERMINAL:
                    tally.finished.add(mine)
                    if status == "done":
                        await read_results(http, tally, mine)
                    mine = None
        else:
            pick = rng.random()
            if pick < 0.5:
                await call(http, tally, "GET /api/runs", "GET", "/api/runs",
                           params={"limit": 20})
            elif pick < 0.7:
                await call(http, tally, "GET /api/info", "GET", "/api/info")
            elif tally.finished:
                await read_results(http, tally, rng.choice(sorted(tally.finished)))
        await asyncio.sleep(rng.uniform(0.0, 2.0 * think_s))


async def read_results(http: httpx.AsyncClient, tally: Tally, run_id: str) -> None:
    answer = await call(http, tally, "GET /api/runs/{id}/results", "GET",
                        f"/api/runs/{run_id}/results")
    if answer is None:
        return
    tally.results_read += 1
    try:
        if answer.status_code != 200 or answer.json().get("scenario") != "two-days":
            tally.bad_results += 1
    except ValueError:
        tally.bad_results += 1


async def drain(http: httpx.AsyncClient, run_ids: list[str], timeout_s: float) -> dict[str, str]:
    """Wait until every run has ended (or the time is up); their last statuses."""
    statuses = {run_id: "unknown" for run_id in run_ids}
    deadline = time.monotonic() + timeout_s
    while True:
        for run_id in [r for r, s in statuses.items() if s not in TERMINAL]:
            try:
                answer = await http.get(f"/api/runs/{run_id}")
                statuses[run_id] = answer.json()["status"]
            except (httpx.HTTPError, ValueError, KeyError):
                pass
        if all(s in TERMINAL for s in statuses.values()) or time.monotonic() > deadline:
            return statuses
        await asyncio.sleep(0.5)


def audit(store: Path, accepted: list[str]) -> dict[str, Any]:
    """The store against the accepted runs (read after the server stopped)."""
    uri = f"file:{store}?mode=ro"
    with sqlite3.connect(uri, uri=True) as conn:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        rows = conn.execute("SELECT id, status, finished, results FROM runs").fetchall()
    count = Counter(row[0] for row in rows)
    status = {row[0]: row[1] for row in rows}
    files = store.parent / f"{store.stem}-files"
    unreadable = []
    for run_id, run_status, _, results in rows:
        if run_status != "done":
            continue
        try:
            on_disk = json.loads((files / run_id / "results.json").read_text(encoding="utf-8"))
            if on_disk != json.loads(results) or not (files / run_id / "report.md").is_file():
                unreadable.append(run_id)
        except (OSError, ValueError, TypeError):
            unreadable.append(run_id)
    wanted = Counter(accepted)
    return {
        "integrity_check": integrity,
        "accepted": len(accepted),
        "stored": len(rows),
        "lost": sorted(set(wanted) - set(count)),
        "duplicated": sorted({r for r, n in count.items() if n > 1}
                             | {r for r, n in wanted.items() if n > 1}),
        "unexpected": sorted(set(count) - set(wanted)),
        "not_done": {r: status[r] for r in wanted if r in status and status[r] != "done"},
        "unreadable": sorted(unreadable),
        "finished": [row[2] for row in rows if row[1] == "done"],
    }


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile of ``values`` (not empty)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100.0 * len(ordered)) - 1)]


def summarise(args: argparse.Namespace, tally: Tally, window_s: float, drain_s: float,
              checked: dict[str, Any], window_end: datetime) -> dict[str, Any]:
    finished = checked.pop("finished")
    end_text = window_end.strftime("%Y-%m-%dT%H:%M:%SZ")
    in_window = sum(1 for f in finished if f is not None and f <= end_text)
    latency = {}
    for endpoint in ENDPOINTS:
        values = tally.latency_s.get(endpoint, [])
        if values:
            latency[endpoint] = {
                "count": len(values),
                **{f"p{q}_ms": round(1000 * percentile(values, q), 1) for q in (50, 95, 99)},
                "max_ms": round(1000 * max(values), 1)}
    server_errors = sum(n for (_, code), n in tally.answers.items() if code >= 500)
    passed = (not checked["lost"] and not checked["duplicated"] and not checked["unexpected"]
              and not checked["not_done"] and not checked["unreadable"]
              and checked["integrity_check"] == "ok" and server_errors == 0
              and not tally.errors and tally.refused_without_retry_after == 0
              and tally.bad_results == 0)
    return {
        "config": {"clients": args.clients, "duration_s": args.duration, "cold": args.cold,
                   "queue_size": args.queue_size, "workers": args.workers,
                   "think_s": args.think, "cores": os.cpu_count()},
        "window_s": round(window_s, 2), "drain_s": round(drain_s, 2),
        "requests": tally.requests(),
        "requests_per_s": round(tally.requests() / window_s, 1),
        "submissions": {"accepted": len(tally.accepted), "refused_429": tally.refused,
                        "refused_without_retry_after": tally.refused_without_retry_after,
                        "retry_after_s": sorted(tally.retry_after_s)},
        "runs": {"completed": len(finished), "completed_in_window": in_window,
                 "per_min_in_window": round(60.0 * in_window / window_s, 1),
                 "per_min_with_drain": round(60.0 * len(finished) / (window_s + drain_s), 1)},
        "results_read": tally.results_read, "bad_results": tally.bad_results,
        "answers": {f"{e} {code}": n for (e, code), n in sorted(tally.answers.items())},
        "server_errors": server_errors,
        "connection_errors": dict(tally.errors),
        "latency": latency,
        "audit": checked,
        "passed": passed,
    }


def table(summary: dict[str, Any]) -> str:
    """The summary as text for people."""
    c, s, r, a = summary["config"], summary["submissions"], summary["runs"], summary["audit"]
    lines = [
        f"{c['clients']} clients for {summary['window_s']:g} s on {c['cores']} cores "
        f"(queue {c['queue_size']}, {c['workers']} worker), drain {summary['drain_s']:g} s",
        f"requests: {summary['requests']} ({summary['requests_per_s']:g}/s); server errors "
        f"{summary['server_errors']}, connection errors "
        f"{sum(summary['connection_errors'].values())}",
        f"starts: {s['accepted']} accepted (202), {s['refused_429']} refused (429, Retry-After "
        f"{'/'.join(f'{v:g}' for v in s['retry_after_s']) or '-'} s)",
        f"runs done: {r['completed']} ({r['completed_in_window']} in the window: "
        f"{r['per_min_in_window']:g}/min; {r['per_min_with_drain']:g}/min with the drain)",
        f"store: {a['stored']} rows, lost {len(a['lost'])}, duplicated {len(a['duplicated'])}, "
        f"unexpected {len(a['unexpected'])}, not done {len(a['not_done'])}, unreadable "
        f"{len(a['unreadable'])}, integrity {a['integrity_check']}",
        "",
        f"{'endpoint':<28}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}",
    ]
    for endpoint, row in summary["latency"].items():
        lines.append(f"{endpoint:<28}{row['count']:>7}{row['p50_ms']:>9.1f}"
                     f"{row['p95_ms']:>9.1f}{row['p99_ms']:>9.1f}{row['max_ms']:>9.1f}")
    lines.append("")
    lines.append("PASSED" if summary["passed"] else "FAILED")
    return "\n".join(lines)


async def run_load(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    store, log, port = folder / "runs.sqlite", folder / "server.log", free_port()
    server = start_server(store, port, queue_size=args.queue_size, workers=args.workers,
                          log=log)
    limits = httpx.Limits(max_connections=args.clients + 4,
                          max_keepalive_connections=args.clients + 4)
    try:
        async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=30.0,
                                     limits=limits) as http:
            await wait_ready(http, server)
            if not args.cold:
                await warm_up(http)
            tally = Tally()
            began = time.monotonic()
            deadline = began + args.duration
            await asyncio.gather(*(client(http, tally, deadline, args.seed + k, args.think)
                                   for k in range(args.clients)))
            window_s, window_end = time.monotonic() - began, datetime.now(UTC)
            drained = time.monotonic()
            await drain(http, tally.accepted, args.drain_timeout)
            drain_s = time.monotonic() - drained
    finally:
        code = stop_server(server)
    if code not in (0, -signal.SIGINT):
        print(f"the server ended with exit code {code}; its log:\n"
              + log.read_text(errors="replace")[-3000:], file=sys.stderr)
    return summarise(args, tally, window_s, drain_s, audit(store, tally.accepted), window_end)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50, help="clients at once (1-1000)")
    parser.add_argument("--duration", type=float, default=60.0,
                        help="seconds of load (1-3600)")
    parser.add_argument("--think", type=float, default=0.1,
                        help="a client's mean pause between two requests [s]")
    parser.add_argument("--queue-size", type=int, default=8, help="the server's run queue")
    parser.add_argument("--workers", type=int, default=1, help="the server's runs at once")
    parser.add_argument("--drain-timeout", type=float, default=600.0,
                        help="the longest wait for the queue to drain after the load [s]")
    parser.add_argument("--cold", action="store_true",
                        help="no warm-up: the clients' first starts meet a cold server")
    parser.add_argument("--seed", type=int, default=0, help="the clients' random seed")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--keep", action="store_true",
                        help="keep the store and the server's log (their folder is printed)")
    args = parser.parse_args(argv)
    if not (1 <= args.clients <= 1000 and 1.0 <= args.duration <= 3600.0):
        parser.error("--clients must lie in 1..1000 and --duration in 1..3600")
    folder = Path(tempfile.mkdtemp(prefix="stationsim-load-"))
    try:
        summary = asyncio.run(run_load(args, folder))
    finally:
        if args.keep:
            print(f"store and server log kept in {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    print(table(summary))
    if args.json is not None:
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 0 if summary["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
