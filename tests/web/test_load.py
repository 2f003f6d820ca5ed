"""A short run of ``scripts/load_test.py``: ten clients for ten seconds against a real
``stationsim serve`` (a subprocess on a free loopback port, with a store of its own), then the
drain and the audit of the store. ``make load`` runs the long version (50 clients, 60 s)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parents[2] / "scripts" / "load_test.py"


def test_ten_clients_for_ten_seconds_lose_and_duplicate_no_run(tmp_path: Path) -> None:
    figures = tmp_path / "load.json"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--clients", "10", "--duration", "10", "--queue-size",
         "2", "--drain-timeout", "60", "--json", str(figures)],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads(figures.read_text(encoding="utf-8"))
    assert summary["passed"]
    audit, starts = summary["audit"], summary["submissions"]
    assert audit["integrity_check"] == "ok"
    assert audit["lost"] == [] and audit["duplicated"] == [] and audit["unexpected"] == []
    assert audit["not_done"] == {} and audit["unreadable"] == []
    # Ten clients that each want a run, against a queue of two: some are accepted, the rest
    # are told to come back later, and every accepted run is done once the queue has drained.
    assert starts["accepted"] >= 1 and starts["refused_429"] >= 1
    assert starts["accepted"] + starts["refused_429"] >= 10
    assert starts["refused_without_retry_after"] == 0 and starts["retry_after_s"] == [30.0]
    assert audit["stored"] == starts["accepted"] == summary["runs"]["completed"]
    assert summary["server_errors"] == 0 and summary["connection_errors"] == {}
    assert summary["requests_per_s"] > 0
    for endpoint in ("POST /api/runs", "GET /api/runs", "GET /api/info"):
        row = summary["latency"][endpoint]
        assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"] <= row["max_ms"]
    assert "PASSED" in done.stdout and "p95 ms" in done.stdout
