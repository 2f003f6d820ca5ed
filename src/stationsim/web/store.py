"""The run store: one SQLite file (write-ahead log) with one row per scenario run, and beside it a
folder with one sub-folder of report files per finished run.

A run's life: ``queued`` -> ``running`` -> ``done`` | ``failed``; a server that stops (or is
killed) with runs queued or running leaves them ``interrupted`` (marked when the next server
opens the store). A finished run's files are written into a hidden temporary folder, renamed
into place in one step, and only then is its row committed as ``done``: a row that says
``done`` always has its complete folder, and a folder is never seen half-written.

Times are ISO 8601 UTC text to the second (``2022-03-30T07:21:00Z``). A store of schema 1 (without
the ``warnings`` column) is brought to schema 2 when it is opened.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from stationsim.errors import StationsimError

__all__ = ["RUN_ID_PATTERN", "STATUSES", "TERMINAL", "RunRecord", "RunStore", "now_iso",
           "versions"]

#: What a run id looks like: 16 lower-case hexadecimal digits, made by the server.
RUN_ID_PATTERN = re.compile(r"[0-9a-f]{16}")
STATUSES = ("queued", "running", "done", "failed", "interrupted")
TERMINAL = frozenset({"done", "failed", "interrupted"})
_SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id          TEXT PRIMARY KEY,
    created     TEXT NOT NULL,
    started     TEXT,
    finished    TEXT,
    status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed',
                                                'interrupted')),
    scenario    TEXT,
    text        TEXT,
    format      TEXT,
    filename    TEXT,
    name        TEXT NOT NULL,
    title       TEXT NOT NULL DEFAULT '',
    seed        INTEGER,
    reproduces  TEXT,
    versions    TEXT NOT NULL,
    error       TEXT,
    results     TEXT,
    warnings    TEXT
);
CREATE INDEX IF NOT EXISTS runs_created ON runs (created);
"""
_COLUMNS = frozenset(re.findall(r"^\s{4}(\w+)\s", _SCHEMA, flags=re.MULTILINE))
_PACKAGES = ("stationsim", "numpy", "heyoka", "pymsis")


class RunStoreError(StationsimError):
    """A file that cannot serve as a run store (another program's database, a newer
    schema, a folder that takes no files); the message names the file and why."""


def now_iso() -> str:
    """The current UTC instant, ISO 8601 to the second."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def versions() -> dict[str, str]:
    """The versions a run is made with: Python and the packages that decide its numbers."""
    out = {"python": ".".join(str(v) for v in sys.version_info[:3])}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


@dataclass(frozen=True)
class RunRecord:
    """One row of the store.

    Attributes:
        id: the run id (:data:`RUN_ID_PATTERN`).
        created, started, finished: ISO 8601 UTC instants (``None`` until reached).
        status: one of :data:`STATUSES`.
        scenario: a built-in scenario's name, or ``None`` for an uploaded text.
        text, format, filename: the uploaded scenario's text, ``toml``/``yaml`` and given name.
        name, title: the scenario's name and title, as its file gives them.
        seed: the random seed of the run, where the inputs set one.
        reproduces: the id of the run this one repeats, if any.
        versions: Python's and the packages' versions (:func:`versions`).
        error: why a run failed or was interrupted.
        results: the results (``results.json``) of a finished run.
        warnings: the warnings the run's worker recorded (``{"kind", "message"}``), besides
            those in the results' log.
    """

    id: str
    created: str
    started: str | None
    finished: str | None
    status: str
    scenario: str | None
    text: str | None
    format: str | None
    filename: str | None
    name: str
    title: str
    seed: int | None
    reproduces: str | None
    versions: dict[str, str]
    error: str | None
    results: dict[str, Any] | None
    warnings: list[dict[str, str]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The row as JSON-ready values, without the scenario text and the results."""
        return {"id": self.id, "created": self.created, "started": self.started,
                "finished": self.finished, "status": self.status, "scenario": self.scenario,
                "uploaded": self.text is not None, "format": self.format,
                "filename": self.filename, "name": self.name, "title": self.title,
                "seed": self.seed, "reproduces": self.reproduces, "versions": self.versions,
                "error": self.error}


def _record(row: sqlite3.Row) -> RunRecord:
    return RunRecord(
        id=row["id"], created=row["created"], started=row["started"],
        finished=row["finished"], status=row["status"], scenario=row["scenario"],
        text=row["text"], format=row["format"], filename=row["filename"], name=row["name"],
        title=row["title"], seed=row["seed"], reproduces=row["reproduces"],
        versions=json.loads(row["versions"]), error=row["error"],
        results=json.loads(row["results"]) if row["results"] is not None else None,
        warnings=json.loads(row["warnings"]) if row["warnings"] is not None else [])


class RunStore:
    """The runs of one store file (made if missing) and their folders.

    Args:
        path: the SQLite file; its folder must exist. The runs' files go to the folder
            ``<stem>-files`` beside it.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).absolute()
        if not self.path.parent.is_dir():
            raise FileNotFoundError(f"the store's folder does not exist: {self.path.parent}")
        self.files_dir = self.path.parent / f"{self.path.stem}-files"
        made = not os.path.lexists(self.files_dir)
        try:
            self.files_dir.mkdir(exist_ok=True)
            self._open()
        except (OSError, sqlite3.Error, RunStoreError) as exc:
            if made and self.files_dir.is_dir() and not any(self.files_dir.iterdir()):
                self.files_dir.rmdir()  # a refused store leaves nothing behind
            reason = str(exc) if isinstance(exc, RunStoreError) else (
                getattr(exc, "strerror", None) or str(exc))
            raise RunStoreError(f"{self.path} cannot be used as a run store: {reason}") from None

    def _open(self) -> None:
        """Make or upgrade the schema; refuse a newer schema or another program's table."""
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > _SCHEMA_VERSION:
                raise RunStoreError(f"its schema ({version}) is newer than this version's "
                                    f"({_SCHEMA_VERSION})")
            columns = {row["name"] for row in conn.execute("PRAGMA table_info(runs)")}
            missing = sorted(_COLUMNS - columns - {"warnings"})
            if columns and missing:
                raise RunStoreError("its table 'runs' is another program's (no column "
                                    f"{', '.join(missing)})")
            conn.executescript(_SCHEMA)
        with self._transaction() as conn:
            columns = {row["name"] for row in conn.execute("PRAGMA table_info(runs)")}
            if "warnings" not in columns:  # schema 1
                conn.execute("ALTER TABLE runs ADD COLUMN warnings TEXT")
            conn.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        conn.row_factory = sqlite3.Row
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (taken at once, so that writers queue rather than fail)."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # --- folders -------------------------------------------------------------------------------
    def run_dir(self, run_id: str) -> Path:
        """The folder of a finished run's files. Raises ``ValueError`` for an id that is not
        one the server makes, so that no request can name another path."""
        if not RUN_ID_PATTERN.fullmatch(run_id):
            raise ValueError(f"not a run id: {run_id!r}")
        return self.files_dir / run_id

    def staging_dir(self, run_id: str) -> Path:
        """A fresh, empty hidden folder in which a run writes its files before they are
        published (:meth:`finish_done`)."""
        folder = self.run_dir(run_id).with_name(f".partial-{run_id}")
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        return folder

    # --- rows ----------------------------------------------------------------------------------
    def add(self, run_id: str, *, name: str, title: str = "", scenario: str | None = None,
            text: str | None = None, format: str | None = None, filename: str | None = None,
            seed: int | None = None, reproduces: str | None = None) -> RunRecord:
        """Store a new ``queued`` run and return it."""
        self.run_dir(run_id)  # checks the id
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO runs (id, created, status, scenario, text, format, filename, name,"
                " title, seed, reproduces, versions) VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?,"
                " ?, ?, ?)",
                (run_id, now_iso(), scenario, text, format, filename, name, title, seed,
                 reproduces, json.dumps(versions())))
        record = self.get(run_id)
        if record is None:
            raise RuntimeError(f"{self.path}: the run {run_id} was not stored")
        return record

    def get(self, run_id: str) -> RunRecord | None:
        """The run with this id, or ``None``."""
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        return _record(row) if row is not None else None

    def recent(self, limit: int = 100) -> list[RunRecord]:
        """The latest ``limit`` runs, newest first."""
        with self._connect() as conn:
            rows = conn.execute("SELECT * FROM runs ORDER BY created DESC, rowid DESC LIMIT ?",
                                (limit,)).fetchall()
        return [_record(row) for row in rows]

    def mark_running(self, run_id: str) -> None:
        """A queued run starts."""
        with self._transaction() as conn:
            conn.execute("UPDATE runs SET status = 'running', started = ? "
                         "WHERE id = ? AND status = 'queued'", (now_iso(), run_id))

    def finish_done(self, run_id: str, staged: Path, results: dict[str, Any],
                    warnings: list[dict[str, str]] | None = None) -> None:
        """Publish a run's files (rename the staging folder into place) and commit its row
        as ``done`` with its results and its worker's warnings, in that order."""
        target = self.run_dir(run_id)
        shutil.rmtree(target, ignore_errors=True)
        os.replace(staged, target)
        with self._transaction() as conn:
            conn.execute("UPDATE runs SET status = 'done', finished = ?, results = ?, "
                         "error = NULL, warnings = ? WHERE id = ?",
                         (now_iso(), json.dumps(results, allow_nan=False),
                          json.dumps(warnings or []), run_id))

    def finish_failed(self, run_id: str, message: str, *, status: str = "failed",
                      warnings: list[dict[str, str]] | None = None) -> None:
        """A run that ended without results (``failed`` or ``interrupted``), with why and the
        warnings its worker recorded."""
        if status not in ("failed", "interrupted"):
            raise ValueError(f"not an end without results: {status!r}")
        with self._transaction() as conn:
            conn.execute("UPDATE runs SET status = ?, finished = ?, error = ?, warnings = ? "
                         "WHERE id = ?",
                         (status, now_iso(), message, json.dumps(warnings or []), run_id))

    def mark_interrupted(self, reason: str = "the server stopped before the run ended"
                         ) -> list[str]:
        """Mark every run left ``queued`` or ``running`` as ``interrupted``, remove their
        folders and any staging folders; returns their ids."""
        with self._transaction() as conn:
            ids = [row[0] for row in conn.execute(
                "SELECT id FROM runs WHERE status IN ('queued', 'running')")]
            conn.execute("UPDATE runs SET status = 'interrupted', finished = ?, error = ? "
                         "WHERE status IN ('queued', 'running')", (now_iso(), reason))
        for run_id in ids:
            if RUN_ID_PATTERN.fullmatch(run_id):
                shutil.rmtree(self.run_dir(run_id), ignore_errors=True)
        for leftover in self.files_dir.glob(".partial-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        return ids
