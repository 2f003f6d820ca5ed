"""The run store across server lives: runs a killed server left are marked interrupted, a
finished run's files and row outlive its server, a run that fails is stored as failed with its
message and its warnings, one past its time limit is stopped, and a store of the first schema
is brought up to date."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from stationsim.web.app import create_app, create_app_from_env
from stationsim.web.store import RunStore, RunStoreError

Wait = Callable[..., dict[str, Any]]


def test_the_store_is_sqlite_in_wal_mode_with_one_row_per_run(store: Path) -> None:
    runs = RunStore(store)
    record = runs.add("00000000000000aa", name="baseline-2022", scenario="baseline-2022")
    assert record.status == "queued" and record.created.endswith("Z")
    assert set(record.versions) == {"stationsim", "python", "numpy", "heyoka", "pymsis"}
    with sqlite3.connect(store) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 1
    with pytest.raises(ValueError, match="not a run id"):
        runs.run_dir("../escape")


def test_runs_left_by_a_killed_server_are_interrupted(store: Path) -> None:
    runs = RunStore(store)
    runs.add("00000000000000a1", name="baseline-2022", scenario="baseline-2022")
    runs.add("00000000000000a2", name="farewell-2022", scenario="farewell-2022")
    runs.mark_running("00000000000000a2")
    half = runs.staging_dir("00000000000000a2")
    (half / "report.md").write_text("half", encoding="utf-8")
    with TestClient(create_app(store)) as client:
        listed = {r["id"]: r for r in client.get("/api/runs").json()["runs"]}
        for run_id in ("00000000000000a1", "00000000000000a2"):
            assert listed[run_id]["status"] == "interrupted"
            assert "server stopped" in listed[run_id]["error"]
            assert listed[run_id]["finished"]
        with client.stream("GET", "/api/runs/00000000000000a2/events") as stream:
            text = "".join(stream.iter_text())
        assert "event: end" in text and '"interrupted"' in text
    assert not half.exists()


def test_a_finished_run_outlives_its_server(store: Path, short_scenario: str,
                                            wait: Wait) -> None:
    with TestClient(create_app(store)) as client:
        run_id = client.post("/api/runs", json={"text": short_scenario}).json()["id"]
        assert wait(client, run_id)["status"] == "done"
        before = client.get(f"/api/runs/{run_id}/results").json()
    folder = store.parent / "runs-files" / run_id
    assert (folder / "report.html").is_file()
    assert not list(folder.parent.glob(".partial-*"))
    with TestClient(create_app(store)) as client:
        run = client.get(f"/api/runs/{run_id}").json()
        assert run["status"] == "done" and run["finished"]
        assert client.get(f"/api/runs/{run_id}/results").json() == before
        png = client.get(f"/api/runs/{run_id}/files/altitude.png")
        assert png.status_code == 200 and png.content == (folder / "altitude.png").read_bytes()
        assert [r["id"] for r in client.get("/api/runs").json()["runs"]] == [run_id]


@pytest.mark.filterwarnings("ignore::stationsim.errors.StaleTableWarning")
def test_a_run_that_fails_is_stored_as_failed_with_its_message(
        client: TestClient, store: Path, failing_scenario: str, wait: Wait) -> None:
    answer = client.post("/api/runs", json={"text": failing_scenario, "filename": "late.toml"})
    assert answer.status_code == 202, answer.text
    run = wait(client, answer.json()["id"])
    assert run["status"] == "failed"
    assert "2060-01-01" in run["error"] and "Traceback" not in run["error"]
    assert run["files"] == []
    # What the worker was warned of before it failed: it has no log to hold it.
    assert any(w["kind"] == "data" and "leap-second table" in w["message"]
               and w["epoch"] is None for w in run["warnings"]), run["warnings"]
    results = client.get(f"/api/runs/{run['id']}/results")
    assert results.status_code == 409 and "failed" in results.json()["error"]["message"]
    assert not (store.parent / "runs-files" / run["id"]).exists()
    assert not list((store.parent / "runs-files").glob(".partial-*"))


def test_a_run_past_its_time_limit_is_stopped(store: Path, wait: Wait) -> None:
    with TestClient(create_app(store, run_time_limit_s=0.3)) as client:
        run_id = client.post("/api/runs", json={"scenario": "baseline-2022"}).json()["id"]
        run = wait(client, run_id)
    assert run["status"] == "failed" and "limit of 0.3 s" in run["error"]


#: The runs table as the first schema made it, before the worker's warnings were stored.
SCHEMA_1 = """
CREATE TABLE runs (
    id TEXT PRIMARY KEY, created TEXT NOT NULL, started TEXT, finished TEXT,
    status TEXT NOT NULL, scenario TEXT, text TEXT, format TEXT, filename TEXT,
    name TEXT NOT NULL, title TEXT NOT NULL DEFAULT '', seed INTEGER, reproduces TEXT,
    versions TEXT NOT NULL, error TEXT, results TEXT);
INSERT INTO runs VALUES ('00000000000000b1', '2026-07-01T10:00:00Z', '2026-07-01T10:00:00Z',
    '2026-07-01T10:00:04Z', 'done', 'baseline-2022', NULL, NULL, NULL, 'baseline-2022', '',
    NULL, NULL, '{"stationsim": "0.1.0"}', NULL,
    '{"events": [{"epoch": "2022-03-08T00:00:00Z", "kind": "data", "body": "",
                  "detail": "predicted space weather used"}]}');
PRAGMA user_version = 1;
"""


def test_a_store_of_the_first_schema_is_brought_up_to_date(store: Path) -> None:
    with sqlite3.connect(store) as conn:
        conn.executescript(SCHEMA_1)
    runs = RunStore(store)
    old = runs.get("00000000000000b1")
    assert old is not None and old.status == "done" and old.warnings == []
    runs.add("00000000000000b2", name="baseline-2022", scenario="baseline-2022")
    runs.finish_failed("00000000000000b2", "stopped",
                       warnings=[{"kind": "data", "message": "a stale table"}])
    new = runs.get("00000000000000b2")
    assert new is not None and new.warnings == [{"kind": "data", "message": "a stale table"}]
    with sqlite3.connect(store) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    with TestClient(create_app(store)) as client:
        run = client.get("/api/runs/00000000000000b1").json()
    assert run["warnings"] == [{"kind": "data", "epoch": "2022-03-08T00:00:00Z", "piece": None,
                                "message": "predicted space weather used"}]


def _foreign(path: Path, statement: str) -> Path:
    with sqlite3.connect(path) as conn:
        conn.execute(statement)
    return path


@pytest.mark.parametrize(("make", "words"), [
    (lambda d: _foreign(d / "other.sqlite", "CREATE TABLE runs (x INTEGER)"),
     "another program's"),
    (lambda d: _foreign(d / "newer.sqlite", "PRAGMA user_version = 99"), "newer"),
    (lambda d: (d / "s-files").write_text("x") and d / "s.sqlite", "File exists"),
])
def test_a_file_that_cannot_be_a_store_is_refused_and_leaves_nothing(
        tmp_path: Path, make: Callable[[Path], Path], words: str,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Another program's database, a newer schema, a file where the runs' folder goes: one
    message naming the file, no folder made; 'stationsim serve' ends with exit code 2."""
    path = make(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(RunStoreError, match=words):
        RunStore(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    monkeypatch.setenv("STATIONSIM_WEB_STORE", str(path))
    with pytest.raises(SystemExit) as stop:
        create_app_from_env()
    assert stop.value.code == 2
    assert f"error: --store: {path}" in capsys.readouterr().err
