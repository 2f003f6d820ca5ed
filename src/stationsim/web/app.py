"""The web service: a JSON API over :mod:`stationsim.api`, a run store, and the dashboard.

``create_app(store)`` makes the application; ``stationsim serve`` runs it with uvicorn. The
endpoints, limits and error shape are documented in ``docs/web.md`` and, as OpenAPI, at
``/openapi.json``.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from stationsim import api
from stationsim.errors import StationsimError
from stationsim.web.errors import (
    ApiError,
    BodyLimit,
    describe_errors_truthfully,
    install_handlers,
    scenario_error,
)
from stationsim.web.head import HeadAsGet
from stationsim.web.jobs import QueueFullError, RunQueue
from stationsim.web.store import (
    RUN_ID_PATTERN,
    TERMINAL,
    RunRecord,
    RunStore,
    RunStoreError,
    versions,
)
from stationsim.web.worker import no_station_files

__all__ = ["DEFAULT_STORE", "FILES", "create_app", "create_app_from_env", "run_warnings"]

#: The store file ``stationsim serve`` uses unless told otherwise (in the current folder).
DEFAULT_STORE = "stationsim-runs.sqlite"
#: The files of a run that may be downloaded, with their media types.
FILES = {"report.html": "text/html; charset=utf-8",
         "report.md": "text/markdown; charset=utf-8",
         "results.json": "application/json",
         "altitude.png": "image/png",
         "ledgers.png": "image/png",
         "map.png": "image/png",
         "station.png": "image/png",
         "ephemeris.oem": "text/plain; charset=utf-8",
         "tracks.czml": "application/json",
         "tracks.geojson": "application/geo+json"}
_STATIC = {"index.html": "text/html; charset=utf-8",
           "app.js": "text/javascript; charset=utf-8",
           "style.css": "text/css; charset=utf-8"}
# The dashboard and the reports load nothing from elsewhere.
_PAGE_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; "
                "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                "frame-ancestors 'none'")
_REPORT_POLICY = ("default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
                  "base-uri 'none'; frame-ancestors 'self'")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")
_SUFFIX_FORMATS = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml"}
# What varies between two raisings of one warning (counts, spans): left out when comparing.
_VARYING = re.compile(r"\(.*?\)|\d+")


class ErrorDetail(BaseModel):
    code: str = Field(description="a stable word: not_found, invalid_scenario, busy, ...")
    message: str = Field(description="what is wrong, for people")
    where: str | None = Field(description="the request field or file place it is about")


class ErrorAnswer(BaseModel):
    """The shape of every error answer."""

    error: ErrorDetail


class RunRequest(BaseModel):
    """A run to start: a built-in scenario by name, or the text of a scenario file."""

    model_config = ConfigDict(extra="forbid")
    scenario: str | None = Field(None, max_length=100,
                                 description="a built-in scenario (GET /api/scenarios)")
    text: str | None = Field(None, description="a scenario file's text, TOML or YAML")
    format: Literal["toml", "yaml"] | None = Field(
        None, description="the text's format; default: from the file name, else guessed")
    filename: str | None = Field(None, max_length=200,
                                 description="the uploaded file's name, for messages")


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The error answers an endpoint can give, for its OpenAPI description (all in the one
    shape; a fault of the server, 500, can come from any)."""
    return {code: {"model": ErrorAnswer} for code in (*codes, 500)}


def _guess_format(text: str) -> str:
    """``toml`` or ``yaml`` from the first line that tells (``key = ...`` or ``[table]`` is
    TOML, ``key: ...`` or ``- item`` is YAML); TOML when none does."""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", "---")):
            continue
        if line.startswith("[") or re.match(r'^[A-Za-z0-9_."-]+\s*=', line):
            return "toml"
        if line.startswith("- ") or re.match(r'^[A-Za-z0-9_"-]+\s*:', line):
            return "yaml"
    return "toml"


def _source(filename: str | None, format: str | None, text: str) -> tuple[str, str]:
    """A harmless name for an uploaded file (for messages; never opened) and its format."""
    base = None
    if filename:
        base = _SAFE_NAME.sub("_", filename.replace("\\", "/").rsplit("/", 1)[-1])
        base = base.lstrip(".")[:80] or None
    suffix = Path(base).suffix.lower() if base else ""
    kind = format or _SUFFIX_FORMATS.get(suffix) or _guess_format(text)
    if base is None:
        base = f"upload.{kind}"
    return base, kind


def _not_unicode(text: str) -> int | None:
    """Where ``text`` holds a lone surrogate (JSON may spell one, ``"\\ud800"``; no file
    holds one, and neither the store nor an answer can encode it), or ``None``."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start
    return None


def run_warnings(record: RunRecord) -> list[dict[str, Any]]:
    """What a run warned of, as ``{"kind", "epoch", "piece", "message"}``: the ``data`` and
    ``warning`` entries of its results' log, then each warning its worker recorded that says
    nothing the list does not say already (``epoch`` and ``piece`` null)."""
    out: list[dict[str, Any]] = []
    events = record.results.get("events") if isinstance(record.results, dict) else None
    for entry in events if isinstance(events, list) else []:
        if isinstance(entry, dict) and entry.get("kind") in ("data", "warning"):
            epoch, piece = entry.get("epoch"), entry.get("body")
            out.append({"kind": entry["kind"], "epoch": str(epoch) if epoch else None,
                        "piece": str(piece) if piece else None,
                        "message": str(entry.get("detail", ""))})
    said = {_VARYING.sub("", item["message"]) for item in out}
    for item in record.warnings:
        message = str(item.get("message", ""))
        if _VARYING.sub("", message) not in said:
            said.add(_VARYING.sub("", message))
            out.append({"kind": "data" if item.get("kind") == "data" else "warning",
                        "epoch": None, "piece": None, "message": message})
    return out


def _static(name: str) -> bytes:
    return (resources.files("stationsim.web") / "static" / name).read_bytes()


@lru_cache(maxsize=1)
def _countries() -> bytes:
    return json.dumps(api.countries_geojson(), separators=(",", ":")).encode()


def _sse(event: str, data: dict[str, Any], serial: int | None = None) -> str:
    head = f"id: {serial}\n" if serial is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data)}\n\n"


def create_app(store: str | Path = DEFAULT_STORE, *, workers: int = 1, queue_size: int = 8,
               max_body_bytes: int = 256 * 1024, run_time_limit_s: float = 1200.0,
               retry_after_s: int = 30) -> FastAPI:
    """The web application over one run store.

    Args:
        store: the SQLite file of the runs (made if missing; its folder must exist). Runs it
            holds as queued or running (a server that was killed) are marked interrupted.
        workers: runs that may run at once.
        queue_size: runs that may wait; one more is answered with 429 and Retry-After.
        max_body_bytes: the largest request body [bytes]; larger ones get 413.
        run_time_limit_s: a run is stopped (and stored as failed) after this many seconds.
        retry_after_s: the Retry-After [s] sent with 429.
    """
    run_store = RunStore(store)
    run_store.mark_interrupted()
    runs = RunQueue(run_store, workers=workers, queue_size=queue_size,
                    run_time_limit_s=run_time_limit_s)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await run_in_threadpool(runs.stop)

    app = FastAPI(title="stationsim", version=versions()["stationsim"], lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json",
                  description="Scenario runs of stationsim: submit, follow, read, download.")
    app.state.store, app.state.runs = run_store, runs
    install_handlers(app)
    describe_errors_truthfully(app)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.add_middleware(HeadAsGet)

    def record_or_404(run_id: str) -> RunRecord:
        record = run_store.get(run_id) if RUN_ID_PATTERN.fullmatch(run_id) else None
        if record is None:
            shown = run_id if len(run_id) <= 40 else run_id[:40] + "..."
            raise ApiError(404, "not_found", f"no run {shown!r}", "run_id")
        return record

    def describe(record: RunRecord) -> dict[str, Any]:
        out = record.summary()
        out["warnings"] = run_warnings(record)
        live = runs.live(record.id)
        out["progress"] = ({"phase": live.phase, "fraction": live.fraction}
                           if live is not None else None)
        base = f"/api/runs/{record.id}"
        folder = run_store.run_dir(record.id)
        out["files"] = ([{"name": n, "url": f"{base}/files/{n}"} for n in FILES
                         if (folder / n).is_file()] if record.status == "done" else [])
        out["links"] = {"self": base, "events": f"{base}/events", "results": f"{base}/results",
                        "reproduce": f"{base}/reproduce"}
        return out

    def start(request: RunRequest, reproduces: str | None = None) -> dict[str, Any]:
        if (request.scenario is None) == (request.text is None):
            raise ApiError(422, "invalid_request", "give either 'scenario' (a built-in "
                           "scenario's name) or 'text' (a scenario file's text)", "body")
        if request.scenario is not None:
            titles = api.scenarios()
            if request.scenario not in titles:
                raise ApiError(422, "unknown_scenario",
                               f"no built-in scenario {request.scenario!r}; expected one of "
                               + ", ".join(titles), "body.scenario")
            job = {"scenario": request.scenario, "text": None, "format": None,
                   "source": request.scenario}
            row: dict[str, Any] = {"name": request.scenario, "title": titles[request.scenario],
                                   "scenario": request.scenario}
        else:
            text = str(request.text)
            bad = _not_unicode(text)
            if bad is not None:
                raise ApiError(422, "invalid_request", "body.text: not Unicode text: a lone "
                               f"surrogate (\\u{ord(text[bad]):04x}) at character {bad}; "
                               "send the file's text as it is, in UTF-8", "body.text")
            source, kind = _source(request.filename, request.format, text)
            try:
                parsed = api.scenario_from_text(text, source=source, format=kind,
                                                read_station=no_station_files)
            except StationsimError as exc:
                raise scenario_error(exc) from None
            job = {"scenario": None, "text": text, "format": kind, "source": source}
            row = {"name": parsed.name, "title": parsed.title, "text": text, "format": kind,
                   "filename": source}
        try:
            record = runs.submit(secrets.token_hex(8), job, reproduces=reproduces, **row)
        except QueueFullError:
            raise ApiError(429, "busy", f"the run queue is full ({runs.queue_size} runs "
                           "waiting); try again later", None,
                           {"Retry-After": str(retry_after_s)}) from None
        return describe(record)

    # --- the dashboard -------------------------------------------------------------------------
    @app.get("/", include_in_schema=False)
    def index() -> Response:
        return Response(_static("index.html"), media_type=_STATIC["index.html"],
                        headers={"Content-Security-Policy": _PAGE_POLICY,
                                 "X-Content-Type-Options": "nosniff"})

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        if name not in _STATIC or name == "index.html":
            raise ApiError(404, "not_found", f"no static file {name!r}", "name")
        return Response(_static(name), media_type=_STATIC[name],
                        headers={"X-Content-Type-Options": "nosniff",
                                 "Cache-Control": "no-cache"})

    # --- reference data ------------------------------------------------------------------------
    @app.get("/api/info", summary="Versions and limits")
    def info() -> dict[str, Any]:
        return {"versions": versions(),
                "limits": {"max_body_bytes": max_body_bytes, "workers": workers,
                           "queue_size": queue_size, "run_time_limit_s": run_time_limit_s},
                "waiting": runs.waiting(), "files": list(FILES)}

    @app.get("/api/scenarios", summary="The built-in scenarios")
    def scenarios() -> dict[str, Any]:
        return {"scenarios": [{"name": name, "title": title}
                              for name, title in api.scenarios().items()]}

    @app.get("/api/countries", summary="Country outlines (GeoJSON, degrees)")
    def countries() -> Response:
        return Response(_countries(), media_type="application/geo+json",
                        headers={"Cache-Control": "max-age=86400"})

    # --- runs ----------------------------------------------------------------------------------
    @app.get("/api/runs", summary="Past and current runs, newest first",
             responses=_errors(422))
    def list_runs(limit: int = Query(50, ge=1, le=500)) -> dict[str, Any]:
        return {"runs": [describe(record) for record in run_store.recent(limit)]}

    @app.post("/api/runs", status_code=202, summary="Start a run",
              responses=_errors(413, 415, 422, 429))
    def submit(request: RunRequest) -> dict[str, Any]:
        return start(request)

    @app.get("/api/runs/{run_id}", summary="A run's status", responses=_errors(404))
    def status(run_id: str) -> dict[str, Any]:
        return describe(record_or_404(run_id))

    @app.post("/api/runs/{run_id}/reproduce", status_code=202, responses=_errors(404, 429),
              summary="Run a past run's inputs again")
    def reproduce(run_id: str) -> dict[str, Any]:
        old = record_or_404(run_id)
        if old.scenario is not None:
            request = RunRequest.model_validate({"scenario": old.scenario})
        else:
            request = RunRequest.model_validate(
                {"text": old.text, "format": old.format, "filename": old.filename})
        return start(request, reproduces=old.id)

    @app.get("/api/runs/{run_id}/results", summary="A finished run's results",
             responses=_errors(404, 409))
    def results(run_id: str) -> JSONResponse:
        record = record_or_404(run_id)
        if record.status != "done" or record.results is None:
            why = (f"the run is {record.status}" if record.status not in TERMINAL
                   else f"the run {record.status}: {record.error}")
            raise ApiError(409, "no_results", f"no results: {why}", "run_id")
        return JSONResponse(record.results)

    @app.get("/api/runs/{run_id}/files/{name}", summary="Download one of a run's files",
             responses=_errors(404))
    def download(run_id: str, name: str) -> FileResponse:
        record = record_or_404(run_id)
        folder = run_store.run_dir(record.id).resolve()
        path = (folder / name).resolve() if name in FILES else None
        if path is None or path.parent != folder or not path.is_file():
            raise ApiError(404, "not_found", f"run {record.id} has no file {name!r}", "name")
        headers = {"X-Content-Type-Options": "nosniff"}
        if name.endswith(".html"):
            headers["Content-Security-Policy"] = _REPORT_POLICY
        return FileResponse(path, media_type=FILES[name], headers=headers)

    @app.get("/api/runs/{run_id}/events", response_class=StreamingResponse,
             responses=_errors(404),
             summary="A run's progress as server-sent events (progress, then end)")
    async def events(run_id: str) -> StreamingResponse:
        await run_in_threadpool(record_or_404, run_id)
        return StreamingResponse(_events(run_id), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache",
                                          "X-Accel-Buffering": "no"})

    async def _events(run_id: str) -> AsyncIterator[str]:
        yield "retry: 2000\n\n"
        serial, idle_s, step_s = -1, 0.0, 0.2
        while True:
            live = runs.live(run_id)
            if live is None:
                record = await run_in_threadpool(run_store.get, run_id)
                if record is None or record.status in TERMINAL or idle_s > 60.0:
                    end = {"id": run_id, "status": record.status if record else "unknown",
                           "error": record.error if record else None}
                    yield _sse("end", end, serial + 1)
                    return
            elif live.serial != serial:
                serial, idle_s = live.serial, 0.0
                yield _sse("progress", {"id": run_id, "status": live.status,
                                        "phase": live.phase, "fraction": live.fraction}, serial)
            await asyncio.sleep(step_s)
            idle_s += step_s
            if live is not None and idle_s >= 15.0:
                idle_s = 0.0
                yield ": still running\n\n"

    return app


def create_app_from_env() -> FastAPI:
    """The application as ``stationsim serve`` configures it through the environment:
    ``STATIONSIM_WEB_STORE`` (the store file), ``STATIONSIM_WEB_RUN_TIME_LIMIT_S``,
    ``STATIONSIM_WEB_QUEUE_SIZE`` and ``STATIONSIM_WEB_WORKERS``. A store that cannot be used
    ends the server before it listens, with one line on standard error and exit code 2, as
    the command line's other user errors do."""
    env = os.environ
    try:
        return create_app(env.get("STATIONSIM_WEB_STORE", DEFAULT_STORE),
                          workers=int(env.get("STATIONSIM_WEB_WORKERS", "1")),
                          queue_size=int(env.get("STATIONSIM_WEB_QUEUE_SIZE", "8")),
                          run_time_limit_s=float(env.get("STATIONSIM_WEB_RUN_TIME_LIMIT_S",
                                                         "1200")))
    except RunStoreError as exc:
        print(f"error: --store: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
