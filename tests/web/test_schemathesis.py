"""Property-based tests of the JSON API from its own OpenAPI schema (Schemathesis, in-process
over ASGI): every operation, with requests made from the schema and requests that break it.
No answer may be a 5xx, and every error answer has the one error shape.

The application under test is the real one with one change: its runs are quick stand-ins (a
worker that writes a small ``results.json`` after a tenth of a second instead of starting a
scenario in a child process), so that a request that starts a run costs milliseconds, and its
queue is small, so that 429 is reached too. Requests name, besides made-up run ids, the ids
of a finished, a failed and an interrupted run of the store."""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from stationsim.web import app as web_app
from stationsim.web.errors import error_response
from stationsim.web.jobs import RunQueue
from stationsim.web.store import RunStore

DONE, FAILED, INTERRUPTED = "00000000000000d0", "00000000000000f0", "00000000000000e0"
KNOWN_IDS = (DONE, FAILED, INTERRUPTED)
SCENARIO_TOML = """\
format = "stationsim-scenario 1"
name = "two-days"

[start]
epoch = "2022-03-07T21:06:42Z"
state = "bundled"

[end]
days = 2
"""
SCENARIO_YAML = """\
name: two-days
start:
  epoch: "2022-03-07T21:06:42Z"
  state: bundled
end:
  days: 2
"""
#: The examples per operation: enough to reach every branch of the handlers, small enough
#: for the whole module to take seconds; more for a longer search, from the environment.
EXAMPLES = int(os.environ.get("STATIONSIM_API_EXAMPLES", "25"))
#: The examples of the operation that starts runs, whose body goes furthest.
STARTS = int(os.environ.get("STATIONSIM_API_STARTS", "200"))


class InstantQueue(RunQueue):
    """The real queue (bounded, one worker thread, the store's life cycle) whose runs take a
    tenth of a second, with a small result, instead of running a scenario in a child process:
    long enough for a few starts in a row to fill a queue of two."""

    def _run(self, run_id: str, job: dict[str, Any]) -> None:
        self.store.mark_running(run_id)
        time.sleep(0.1)
        staged = self.store.staging_dir(run_id)
        results: dict[str, Any] = {"scenario": job.get("scenario") or "upload", "parts": [],
                                   "crew": []}
        (staged / "results.json").write_text(json.dumps(results), encoding="utf-8")
        (staged / "report.md").write_text("# instant\n", encoding="utf-8")
        self._end(run_id, staged, {"done": True}, 0, False)


def _fill(store: Path) -> None:
    """A store with one run in each state a request can meet: a ``queued`` row is left as a
    server leaves it, so that the application marks it interrupted."""
    runs = RunStore(store)
    runs.add(DONE, name="two-days", title="done", scenario="baseline-2022")
    runs.mark_running(DONE)
    staged = runs.staging_dir(DONE)
    (staged / "results.json").write_text('{"scenario": "two-days"}', encoding="utf-8")
    (staged / "report.md").write_text("# done\n", encoding="utf-8")
    runs.finish_done(DONE, staged, {"scenario": "two-days"})
    runs.add(FAILED, name="too-late", text='name = "too-late"\n', format="toml",
             filename="late.toml")
    runs.finish_failed(FAILED, "the space weather ends before 2060-01-01")
    runs.add(INTERRUPTED, name="farewell-2022", scenario="farewell-2022")


def _published_schema() -> dict[str, Any]:
    """``/openapi.json`` as the application serves it (from a throwaway store: the schema
    does not depend on the runs)."""
    with tempfile.TemporaryDirectory() as folder:
        answer = TestClient(web_app.create_app(Path(folder) / "runs.sqlite")).get(
            "/openapi.json")
    answer.raise_for_status()
    published: dict[str, Any] = answer.json()
    return published


schema = schemathesis.openapi.from_dict(_published_schema())


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: Any) -> Any:
    """Half the time, a run id the store knows and a file name a run may have, instead of
    made-up ones."""
    if not isinstance(path_parameters, dict) or "run_id" not in path_parameters:
        return st.just(path_parameters)
    known = st.fixed_dictionaries({"run_id": st.sampled_from(KNOWN_IDS),
                                   "name": st.sampled_from(sorted(web_app.FILES))})
    return st.one_of(st.just(path_parameters), known.map(
        lambda pick: {**path_parameters, **{k: v for k, v in pick.items()
                                            if k in path_parameters}}))


def _edited(text: str) -> st.SearchStrategy[str]:
    """The scenario text with one line's value replaced by anything, or one line dropped."""
    lines = text.splitlines()
    spots = [i for i, line in enumerate(lines) if "=" in line or ": " in line]

    def edit(i: int, value: str, drop: bool) -> str:
        if drop:
            return "\n".join(lines[:i] + lines[i + 1:])
        sep = " = " if " = " in lines[i] else ": "
        key = lines[i].split(sep.strip(), 1)[0].rstrip()
        return "\n".join([*lines[:i], f"{key}{sep}{value}", *lines[i + 1:]])

    values = st.one_of(st.text(max_size=30), st.integers().map(str),
                       st.floats().map(repr),
                       st.sampled_from(['"x"', "[]", "{}", "-1", "1e400", '""', "nan"]))
    return st.builds(edit, st.sampled_from(spots), values, st.booleans())


@schema.hook
def flatmap_body(context: Any, body: Any) -> Any:
    """For ``POST /api/runs``, besides the made-up bodies: valid ones (that start a run) and
    valid scenario files with one line changed or dropped."""
    if context.operation is None or context.operation.label != "POST /api/runs":
        return st.just(body)
    valid = st.sampled_from([{"scenario": "baseline-2022"},
                             {"text": SCENARIO_TOML, "filename": "two-days.toml"},
                             {"text": SCENARIO_YAML, "format": "yaml"}])
    edited = st.one_of(_edited(SCENARIO_TOML).map(lambda text: {"text": text}),
                       _edited(SCENARIO_YAML).map(lambda text: {"text": text,
                                                                "format": "yaml"}))
    return st.one_of(st.just(body), valid, edited)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[FastAPI]:
    """The application with instant runs, a queue of two and a store of known runs; one per
    operation (the test's end ends the application's life span, and so its queue)."""
    store = tmp_path / "runs.sqlite"
    _fill(store)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(web_app, "RunQueue", InstantQueue)
        application = web_app.create_app(store, queue_size=2, retry_after_s=1)
    yield application
    application.state.runs.stop()


Shape = Callable[..., dict[str, Any]]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_server_error_and_one_error_shape(case: schemathesis.Case[Any], app: FastAPI,
                                             error_shape: Shape) -> None:
    def one_error_shape(ctx: Any, response: Any, case: Any) -> bool | None:
        """Every answer of 400 and above is the one error shape: ``{"error": {"code",
        "message", "where"}}``, with no traceback in it, as JSON."""
        if response.status_code < 400:
            return None
        kind = response.headers.get("content-type", [""])[0]
        assert kind.startswith("application/json"), (response.status_code, kind)
        error_shape(json.loads(response.text))
        return True

    case.call_and_validate(checks=[not_a_server_error, one_error_shape], app=app)


@schema.include(method="POST", path="/api/runs").parametrize()
@settings(max_examples=STARTS, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_starting_runs_more_deeply(case: schemathesis.Case[Any], app: FastAPI,
                                   error_shape: Shape) -> None:
    """``POST /api/runs`` again, with more examples: its body reaches the scenario parser and
    the store."""
    test_no_server_error_and_one_error_shape(case, app, error_shape)


# --- found beside the schema's examples ----------------------------------------------------
# Schemathesis never sends a lone surrogate, but JSON can spell one (``"\\ud800"``): a
# scenario text holding one made a 500, from the store (SQLite cannot encode it) or from the
# error answer (which quoted it).
@pytest.mark.parametrize("text", [
    '"\\ud800" = 1\n',
    'name = "two-days"\ntitle = "\\udfff"\n\n[start]\nepoch = "2022-03-07T21:06:42Z"\n'
    'state = "bundled"\n\n[end]\ndays = 2\n',
    'name: "\\ud83d"\n',
])
def test_a_text_with_a_lone_surrogate_is_a_422(app: FastAPI, error_shape: Shape,
                                               text: str) -> None:
    body = '{"text": "' + text.replace('"', '\\"').replace("\n", "\\n") + '"}'
    with TestClient(app) as client:
        answer = client.post("/api/runs", content=body.encode("ascii"),
                             headers={"content-type": "application/json"})
        assert answer.status_code == 422, answer.text
        error = error_shape(answer.json(), "invalid_request")
        assert error["where"] == "body.text" and "surrogate" in error["message"]
        stored = {run["id"] for run in client.get("/api/runs").json()["runs"]}
        assert stored == set(KNOWN_IDS)  # nothing stored


def test_an_error_message_quoting_a_lone_surrogate_is_still_sent() -> None:
    body = error_response(422, "invalid_scenario", "unknown key '\ud800'", "x\udfff").body
    assert json.loads(bytes(body))["error"] == {"code": "invalid_scenario",
                                         "message": "unknown key '\\ud800'",
                                         "where": "x\\udfff"}
