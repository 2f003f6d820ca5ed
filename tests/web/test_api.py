"""The JSON API in-process (FastAPI's TestClient): every endpoint, the one error shape, the
limits (413, 429), scenario validation (422 naming the line and key), path traversal, the
progress stream, a run's warnings and the OpenAPI schema."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from stationsim.web.app import create_app, run_warnings
from stationsim.web.store import RunRecord

Shape = Callable[..., dict[str, Any]]
Wait = Callable[..., dict[str, Any]]
Served = tuple[TestClient, str, Path]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, short_scenario: str,
           wait: Wait) -> Iterator[Served]:
    """One application with one finished run of the two-day scenario: (client, run id,
    store file)."""
    store = tmp_path_factory.mktemp("served") / "runs.sqlite"
    with TestClient(create_app(store)) as client:
        answer = client.post("/api/runs", json={"text": short_scenario,
                                                "filename": "two-days.toml"})
        assert answer.status_code == 202, answer.text
        run = wait(client, answer.json()["id"])
        assert run["status"] == "done", run
        yield client, run["id"], store


def _events(text: str) -> list[tuple[str, dict[str, Any]]]:
    """The (event, data) pairs of a server-sent event stream."""
    out = []
    for block in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines()
                      if ": " in line and not line.startswith(":"))
        if "event" in fields:
            out.append((fields["event"], json.loads(fields["data"])))
    return out


# --- reference data and the page -----------------------------------------------------------
def test_scenarios_lists_the_built_ins(served: Served) -> None:
    client, _, _ = served
    answer = client.get("/api/scenarios")
    assert answer.status_code == 200
    names = {s["name"]: s["title"] for s in answer.json()["scenarios"]}
    assert {"baseline-2022", "farewell-2022", "deorbit-2030"} <= set(names)
    assert all(isinstance(title, str) and title for title in names.values())


def test_info_gives_versions_and_limits(served: Served) -> None:
    info = served[0].get("/api/info").json()
    assert set(info["versions"]) >= {"stationsim", "python", "numpy", "heyoka", "pymsis"}
    assert info["limits"]["max_body_bytes"] == 256 * 1024
    assert info["limits"]["queue_size"] == 8


def test_countries_are_geojson_in_degrees(served: Served) -> None:
    answer = served[0].get("/api/countries")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/geo+json")
    doc = answer.json()
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) > 150
    names = {f["properties"]["name"] for f in doc["features"]}
    assert {"Kazakhstan", "United States of America"} <= names
    for feature in doc["features"]:
        assert feature["geometry"]["type"] == "MultiPolygon"
        for polygon in feature["geometry"]["coordinates"]:
            for lon, lat in polygon[0]:
                assert -180 <= lon <= 180 and -90 <= lat <= 90


def test_dashboard_page_and_its_files_load_nothing_from_elsewhere(served: Served) -> None:
    client = served[0]
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for name, kind in (("app.js", "text/javascript"), ("style.css", "text/css")):
        answer = client.get(f"/static/{name}")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(kind)
    for text in (page.text, client.get("/static/app.js").text,
                 client.get("/static/style.css").text):
        assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
        assert "https://" not in text


def test_openapi_schema_is_json_with_the_paths(served: Served) -> None:
    answer = served[0].get("/openapi.json")
    assert answer.status_code == 200
    schema = json.loads(answer.text)
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    assert {"/api/scenarios", "/api/countries", "/api/info", "/api/runs",
            "/api/runs/{run_id}", "/api/runs/{run_id}/events", "/api/runs/{run_id}/results",
            "/api/runs/{run_id}/files/{name}", "/api/runs/{run_id}/reproduce"} <= paths
    assert "ErrorAnswer" in schema["components"]["schemas"]
    # Every error answer it describes is in the one shape, and only those that can happen.
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            for status, answer in operation["responses"].items():
                if status.startswith(("4", "5")):
                    ref = answer["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/ErrorAnswer"), (path, status)
    assert set(schema["paths"]["/api/runs/{run_id}/results"]["get"]["responses"]) == {
        "200", "404", "409", "500"}


# --- a finished run ------------------------------------------------------------------------
def test_status_results_and_listing_of_a_finished_run(served: Served) -> None:
    client, run_id, _ = served
    run = client.get(f"/api/runs/{run_id}").json()
    assert run["status"] == "done" and run["name"] == "two-days" and run["uploaded"]
    assert run["started"] and run["finished"] and run["error"] is None
    assert run["versions"]["stationsim"]
    assert run["warnings"] == []  # observed space weather and tables in date: nothing to say
    names = {f["name"] for f in run["files"]}
    assert {"report.md", "report.html", "altitude.png", "ledgers.png", "results.json"} <= names
    results = client.get(f"/api/runs/{run_id}/results").json()
    assert results["scenario"] == "two-days"
    assert results["parts"][0]["capabilities"]["seats"] == 7
    assert len(results["crew"]) == 7
    listed = client.get("/api/runs").json()["runs"]
    assert run_id in [r["id"] for r in listed]


def test_downloads_come_from_the_runs_folder(served: Served) -> None:
    client, run_id, store = served
    folder = store.parent / "runs-files" / run_id
    for name, kind in (("report.md", "text/markdown"), ("report.html", "text/html"),
                       ("results.json", "application/json"), ("altitude.png", "image/png"),
                       ("ledgers.png", "image/png")):
        answer = client.get(f"/api/runs/{run_id}/files/{name}")
        assert answer.status_code == 200, name
        assert answer.headers["content-type"].startswith(kind)
        assert answer.content == (folder / name).read_bytes()
    assert client.get(f"/api/runs/{run_id}/files/altitude.png").content[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("path", [
    "/api/runs/../runs.sqlite",
    "/api/runs/..%2F..%2Fetc%2Fpasswd",
    "/api/runs/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/api/runs/0123456789abcdef/files/x",
    "/api/runs/ID/files/..%2F..%2Fruns.sqlite",
    "/api/runs/ID/files/%2e%2e%2f%2e%2e%2fruns.sqlite",
    "/api/runs/ID/files/..%5C..%5Cruns.sqlite",
    "/api/runs/ID/files/%2Fetc%2Fpasswd",
    "/api/runs/ID/files//etc/passwd",
    "/api/runs/ID/files/report.md%00.png",
    "/api/runs/ID/files/.partial-ID",
    "/api/runs/%2Ftmp/results",
    "/api/runs/ID%2F..%2F..%2Fruns/results",
    "/static/..%2Fstore.py",
    "/static/index.html",
])
def test_path_traversal_is_a_404_in_the_shape(served: Served, error_shape: Shape,
                                              path: str) -> None:
    client, run_id, _ = served
    answer = client.get(path.replace("ID", run_id))
    assert answer.status_code == 404, (path, answer.text)
    error_shape(answer.json(), "not_found")
    assert b"SQLite" not in answer.content and b"root:" not in answer.content


def test_events_of_a_finished_run_end_at_once(served: Served) -> None:
    client, run_id, _ = served
    with client.stream("GET", f"/api/runs/{run_id}/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        events = _events("".join(stream.iter_text()))
    assert events == [("end", {"id": run_id, "status": "done", "error": None})]


def test_reproduce_runs_the_stored_inputs_again(served: Served, wait: Wait) -> None:
    client, run_id, _ = served
    answer = client.post(f"/api/runs/{run_id}/reproduce")
    assert answer.status_code == 202
    again = answer.json()
    assert again["id"] != run_id and again["reproduces"] == run_id
    assert again["name"] == "two-days" and again["status"] in {"queued", "running"}
    done = wait(client, again["id"])
    assert done["status"] == "done"
    first = client.get(f"/api/runs/{run_id}/results").json()
    second = client.get(f"/api/runs/{again['id']}/results").json()
    assert [p["series"] for p in first["parts"]] == [p["series"] for p in second["parts"]]
    assert first["crew"] == second["crew"] and first["events"] == second["events"]


@pytest.mark.filterwarnings("ignore::stationsim.errors.StaleTableWarning",
                            "ignore::stationsim.errors.PredictedDataWarning")
def test_a_finished_runs_warnings_are_in_the_run(client: TestClient, warning_scenario: str,
                                                 wait: Wait) -> None:
    answer = client.post("/api/runs", json={"text": warning_scenario,
                                            "filename": "predicted.toml"})
    assert answer.status_code == 202, answer.text
    assert answer.json()["warnings"] == []
    run = wait(client, answer.json()["id"])
    assert run["status"] == "done", run
    warnings = run["warnings"]
    assert warnings and all(set(w) == {"kind", "epoch", "piece", "message"} for w in warnings)
    assert all(w["kind"] in {"data", "warning"} and w["message"] for w in warnings)
    said = " | ".join(w["message"] for w in warnings)
    assert "predicted space weather" in said and "leap-second table" in said
    # The log's entries come first, in its order; nothing is said twice.
    log = [e for e in client.get(f"/api/runs/{run['id']}/results").json()["events"]
           if e["kind"] in {"data", "warning"}]
    assert [(w["kind"], w["epoch"], w["message"]) for w in warnings[:len(log)]] == [
        (e["kind"], e["epoch"], e["detail"]) for e in log]
    assert len({w["message"] for w in warnings}) == len(warnings)
    listed = {r["id"]: r for r in client.get("/api/runs").json()["runs"]}
    assert listed[run["id"]]["warnings"] == warnings


def test_the_workers_warnings_join_the_logs_unless_it_says_them_already() -> None:
    log = [{"epoch": "2022-03-07T21:06:42Z", "kind": "start", "detail": "ISS", "body": ""},
           {"epoch": "2040-01-02T00:00:00Z", "kind": "data", "body": "",
            "detail": "predicted space weather used for 1 of 1 epoch(s) (a to b): <tables>"},
           {"epoch": "2040-01-01T12:00:00Z", "kind": "warning", "body": "FGB",
            "detail": "<b>no propulsion</b>"}]
    worker = [{"kind": "data", "message": "predicted space weather used for 64 of 64 "
                                          "epoch(s) (c to d): <tables>"},
              {"kind": "data", "message": "epoch after 2027-06-28, the expiry of the "
                                          "leap-second table"},
              {"kind": "data", "message": "epoch after 2027-06-28, the expiry of the "
                                          "leap-second table"}]
    record = RunRecord(
        id="00000000000000aa", created="2026-07-01T10:00:00Z", started=None, finished=None,
        status="done", scenario=None, text="", format="toml", filename="x.toml", name="x",
        title="", seed=None, reproduces=None, versions={}, error=None,
        results={"events": log}, warnings=worker)
    assert run_warnings(record) == [
        {"kind": "data", "epoch": "2040-01-02T00:00:00Z", "piece": None,
         "message": "predicted space weather used for 1 of 1 epoch(s) (a to b): <tables>"},
        {"kind": "warning", "epoch": "2040-01-01T12:00:00Z", "piece": "FGB",
         "message": "<b>no propulsion</b>"},
        {"kind": "data", "epoch": None, "piece": None,
         "message": "epoch after 2027-06-28, the expiry of the leap-second table"}]
    assert run_warnings(replace(record, results={"scenario": "x"}, warnings=[])) == []
    assert run_warnings(replace(record, results=None, status="failed",
                                warnings=worker[:1]))[0]["epoch"] is None


# --- a live run ----------------------------------------------------------------------------
def test_events_stream_progress_then_the_end(client: TestClient, short_scenario: str) -> None:
    answer = client.post("/api/runs", json={"text": short_scenario})
    assert answer.status_code == 202
    run_id = answer.json()["id"]
    with client.stream("GET", f"/api/runs/{run_id}/events") as stream:
        events = _events("".join(stream.iter_text()))
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "end" and kinds.count("end") == 1 and "progress" in kinds
    progress = [data for kind, data in events if kind == "progress"]
    assert any(p["status"] == "running" for p in progress)
    assert all(0.0 <= p["fraction"] <= 1.0 and isinstance(p["phase"], str) for p in progress)
    assert events[-1][1]["status"] == "done"


def test_a_builtin_scenario_is_queued_by_name(client: TestClient) -> None:
    answer = client.post("/api/runs", json={"scenario": "baseline-2022"})
    assert answer.status_code == 202
    run = answer.json()
    assert run["scenario"] == "baseline-2022" and not run["uploaded"]
    assert run["title"].startswith("The ISS as flown")
    assert client.get(f"/api/runs/{run['id']}/results").status_code == 409


# --- errors --------------------------------------------------------------------------------
def test_a_bad_scenario_gets_422_naming_line_and_key(client: TestClient, store: Path,
                                                     error_shape: Shape) -> None:
    text = ('[start]\nepoch = "2022-03-07T21:06:42Z"\nstate = "bundled"\n\n'
            '[end]\ndayz = 2\n')
    answer = client.post("/api/runs", json={"text": text, "filename": "mine.toml"})
    assert answer.status_code == 422
    error = error_shape(answer.json(), "invalid_scenario")
    assert "line 6" in error["message"] and "dayz" in error["message"]
    assert error["where"].startswith("mine.toml, line 6")
    assert client.get("/api/runs").json()["runs"] == []


def test_yaml_errors_name_the_line_too(client: TestClient, error_shape: Shape) -> None:
    text = 'start:\n  epoch: "2022-03-07T21:06:42Z"\nend:\n  days: -1\n'
    answer = client.post("/api/runs", json={"text": text, "filename": "mine.yaml"})
    error = error_shape(answer.json(), "invalid_scenario")
    assert answer.status_code == 422 and "line 4" in error["message"]
    assert "end.days" in error["message"]


def test_an_upload_cannot_read_other_files(client: TestClient, error_shape: Shape,
                                           short_scenario: str) -> None:
    text = short_scenario.replace('state = "bundled"',
                                  'state = "bundled"\nstation_file = "/etc/passwd"')
    answer = client.post("/api/runs", json={"text": text})
    assert answer.status_code == 422
    error = error_shape(answer.json(), "invalid_scenario")
    assert "station_file" in error["message"] and "reads no files" in error["message"]
    assert "root:" not in answer.text


@pytest.mark.parametrize(("body", "where"), [
    ({}, "body"),
    ({"scenario": "baseline-2022", "text": "x"}, "body"),
    ({"scenario": "no-such-scenario"}, "body.scenario"),
    ({"scenario": "../../etc/passwd.toml"}, "body.scenario"),
    ({"scenario": "baseline-2022", "extra": 1}, "body.extra"),
    ({"text": "x", "format": "json"}, "body.format"),
])
def test_bad_requests_get_422_in_the_shape(client: TestClient, error_shape: Shape,
                                           body: dict[str, Any], where: str) -> None:
    answer = client.post("/api/runs", json=body)
    assert answer.status_code == 422
    assert error_shape(answer.json())["where"] == where


def test_body_that_is_not_json_gets_422(client: TestClient, error_shape: Shape) -> None:
    answer = client.post("/api/runs", content=b"{not json",
                         headers={"content-type": "application/json"})
    assert answer.status_code == 422
    error = error_shape(answer.json(), "invalid_request")
    assert error["where"] == "body" and "not valid JSON at character 2" in error["message"]


def test_a_body_that_is_not_sent_as_json_gets_415(client: TestClient,
                                                 error_shape: Shape) -> None:
    answer = client.post("/api/runs", content=b'{"scenario": "baseline-2022"}',
                         headers={"content-type": "text/plain"})
    assert answer.status_code == 415
    message = error_shape(answer.json(), "unsupported_media_type")["message"]
    assert "application/json" in message and "text/plain" in message
    assert client.get("/api/runs").json()["runs"] == []
    # A JSON type by its suffix is JSON.
    answer = client.post("/api/runs", content=b'{"scenario": "no-such", "extra": 1}',
                         headers={"content-type": "application/problem+json"})
    assert answer.status_code == 422


def test_a_long_unknown_path_is_not_echoed_whole(client: TestClient, error_shape: Shape) -> None:
    answer = client.get("/api/runs/" + "a" * 20_000)
    assert answer.status_code == 404
    assert len(error_shape(answer.json(), "not_found")["message"]) < 300


def test_a_too_big_body_gets_413(client: TestClient, error_shape: Shape) -> None:
    big = "# padding\n" * 30_000
    answer = client.post("/api/runs", json={"text": big})
    assert answer.status_code == 413
    assert "256 KiB" in error_shape(answer.json(), "too_large")["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams
        for _ in range(40):
            yield b" " * 8192

    answer = client.post("/api/runs", content=chunks(),
                         headers={"content-type": "application/json"})
    assert answer.status_code == 413
    error_shape(answer.json(), "too_large")
    assert client.get("/api/runs").json()["runs"] == []


def test_unknown_paths_and_methods(client: TestClient, error_shape: Shape) -> None:
    answer = client.get("/api/nothing-here")
    assert answer.status_code == 404
    error_shape(answer.json(), "not_found")
    answer = client.delete("/api/runs")
    assert answer.status_code == 405 and "GET" in answer.headers["allow"]
    error_shape(answer.json(), "method_not_allowed")
    answer = client.get("/api/runs/0123456789abcdef")
    assert answer.status_code == 404
    assert error_shape(answer.json(), "not_found")["where"] == "run_id"
    answer = client.get("/api/runs?limit=0")
    assert answer.status_code == 422
    assert error_shape(answer.json(), "invalid_request")["where"] == "query.limit"


def test_a_fault_of_the_server_is_a_500_without_traceback(store: Path,
                                                          error_shape: Shape) -> None:
    app = create_app(store)

    def broken(limit: int = 100) -> list[Any]:
        raise RuntimeError("disk on fire")

    app.state.store.recent = broken
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/api/runs")
    assert answer.status_code == 500
    error = error_shape(answer.json(), "internal_error")
    assert "disk on fire" not in error["message"]


def test_a_full_queue_gets_429_with_retry_after(store: Path, short_scenario: str,
                                                error_shape: Shape) -> None:
    with TestClient(create_app(store, queue_size=1)) as client:
        answers = [client.post("/api/runs", json={"text": short_scenario}) for _ in range(3)]
        codes = [a.status_code for a in answers]
        assert codes[0] == 202 and 429 in codes, codes
        busy = answers[codes.index(429)]
        assert int(busy.headers["retry-after"]) > 0
        error_shape(busy.json(), "busy")
        stored = client.get("/api/runs").json()["runs"]
        assert len(stored) == codes.count(202)


def test_head_answers_as_get_without_a_body(client: TestClient) -> None:
    """RFC 9110: HEAD gets GET's status and headers, no body."""
    for path in ("/", "/api/info", "/api/scenarios", "/api/nothing-here"):
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code, path
        assert head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]
        assert head.headers["content-length"] == str(len(got.content))


def test_a_body_the_json_parser_cannot_read_gets_400_saying_so(client: TestClient,
                                                               error_shape: Shape) -> None:
    for body in (b'{"text": "\xff\xfe"}', b"[" * 100_000):
        answer = client.post("/api/runs", content=body,
                             headers={"content-type": "application/json"})
        assert answer.status_code == 400
        error = error_shape(answer.json(), "bad_request")
        assert error["where"] == "body" and "cannot be read as JSON" in error["message"]
