"""CZML read by Cesium itself: ``tests/reference/czml/check_czml.mjs`` loads a document that
stationsim wrote with CesiumJS's ``CzmlDataSource`` (the ``@cesium/engine`` package, pinned in
``tests/reference/czml/package.json``) in Node.js and prints what Cesium built. Checked: Cesium
raises no error or warning, builds one entity per packet with the graphics the packet names,
reads every property written (a misspelt name or enumeration value is silently ignored by
Cesium, and is caught here), evaluates a track at its first and last samples to the longitude,
latitude and height written (1e-6 deg, 1 cm), and gives back the availability intervals, the
clock, the colours and the corridor and polygon vertices as written.

The package is installed with ``npm ci`` once per test session, unless ``node_modules`` already
holds what the lock file pins. Without Node.js (20 or later) and npm, or without access to the npm
registry, the tests are skipped, saying so."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from stationsim import api
from stationsim.analysis.exports import scenario_czml
from stationsim.io import (
    CzmlArea,
    CzmlCorridor,
    CzmlPoint,
    CzmlTrack,
    format_czml,
    reentry_window_points,
)
from stationsim.scenario.runner import default_context, run_scenario
from stationsim.scenario.spec import End, Scenario, Start, Undock
from stationsim.time import Timescale

CHECK_DIR = Path(__file__).parents[1] / "reference" / "czml"
SCRIPT = CHECK_DIR / "check_czml.mjs"
#: The CesiumJS release of the pinned ``@cesium/engine`` (its ``CESIUM_VERSION``).
CESIUM = "1.145.0"
#: Node.js major versions older than this are not tried.
NODE_MAJOR = 20
#: npm error codes meaning the registry could not be reached (or refused the connection).
_OFFLINE = re.compile(r"\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|"
                      r"EHOSTUNREACH|ENETDOWN|E401|E403|E407|ERR_SOCKET_TIMEOUT|"
                      r"UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN)\b")
_HOW = (f"install Node.js {NODE_MAJOR} or later with npm, and let npm reach its registry once "
        "(or run 'npm ci --prefix tests/reference/czml' where it can)")
_KEYS = {"id", "name", "description", "availability", "position"}
START = "2024-10-01T00:00:00Z"
SPLIT_START = "2022-03-27T13:08:21Z"

Result = dict[str, Any]
Runner = Callable[[str, Path], "subprocess.CompletedProcess[str]"]


# --- the Node side -------------------------------------------------------------------------
def _packages(lock: Path) -> dict[str, tuple[str, str]]:
    """The version and integrity of each package of an npm lock file (none if unreadable)."""
    try:
        packages = json.loads(lock.read_text())["packages"]
        return {path: (entry.get("version", ""), entry.get("integrity", ""))
                for path, entry in packages.items() if path}
    except (OSError, ValueError, KeyError, AttributeError):
        return {}


def _install(npm: str) -> None:
    """``npm ci`` unless ``node_modules`` already holds what the lock file pins (npm's own
    record of what it installed, ``node_modules/.package-lock.json``, says so)."""
    wanted = _packages(CHECK_DIR / "package-lock.json")
    assert wanted, "tests/reference/czml/package-lock.json lists no package"
    if _packages(CHECK_DIR / "node_modules" / ".package-lock.json") == wanted and (
            CHECK_DIR / "node_modules" / "@cesium" / "engine" / "package.json").is_file():
        return
    try:
        done = subprocess.run(
            [npm, "ci", "--prefix", str(CHECK_DIR), "--no-audit", "--no-fund",
             "--loglevel=error", "--fetch-retries=1"],
            capture_output=True, text=True, timeout=600, check=False)
    except subprocess.TimeoutExpired:
        pytest.skip(f"npm ci of the Cesium check took over 10 min (registry unreachable?): "
                    f"{_HOW}")
    if done.returncode != 0:
        output = done.stdout + done.stderr
        offline = _OFFLINE.search(output)
        if offline is not None:
            pytest.skip(f"npm could not reach its registry to install Cesium ({offline[0]}): "
                        f"{_HOW}")
        pytest.fail(f"npm ci in {CHECK_DIR} failed:\n{output}")


@pytest.fixture(scope="session")
def cesium() -> Runner:
    """A function: CZML text, a folder -> the run of ``check_czml.mjs`` on it."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip(f"node or npm not found: {_HOW}")
    version = subprocess.run([node, "--version"], capture_output=True, text=True,
                             check=False).stdout.strip()
    match = re.match(r"v(\d+)\.", version)
    if match is None or int(match.group(1)) < NODE_MAJOR:
        pytest.skip(f"Node.js {version or '(unknown version)'} is too old: {_HOW}")
    _install(npm)

    def run(text: str, folder: Path) -> subprocess.CompletedProcess[str]:
        path = folder / "document.czml"
        path.write_text(text)
        return subprocess.run([node, str(SCRIPT), str(path)], capture_output=True, text=True,
                              timeout=120, check=False)

    return run


def _load(cesium: Runner, text: str, folder: Path) -> Result:
    """What Cesium built from ``text``, which it must accept without a warning."""
    done = cesium(text, folder)
    assert done.returncode == 0, f"Cesium did not accept the CZML:\n{done.stderr}"
    result: Result = json.loads(done.stdout)
    return result


# --- the documents -------------------------------------------------------------------------
def _hand_document(ts: Timescale) -> str:
    """A track across the antimeridian (90 samples), a three-sample track, a re-entry window
    (points from their epochs on, the median labelled), a point shown always, a corridor and
    a closed polygon ring."""
    start = ts.from_iso(START)
    t = np.arange(0.0, 5400.0, 60.0)
    station = CzmlTrack("station", "ISS", start, t, (150.0 + 0.07 * t + 180.0) % 360.0 - 180.0,
                        51.6 * np.sin(t / 5400.0 * 2 * np.pi), 400e3 - t,
                        color_rgba=(255, 0, 0, 255), trail_s=1800.0)
    short = CzmlTrack("short", "capsule", start + 600.0, [0.0, 30.5, 61.25],
                      [-10.0, -9.5, -9.0], [-1.0, -0.5, 0.25], 120e3, width_px=3.0)
    window = reentry_window_points([start + 3600.0 * k for k in range(1, 4)],
                                   [10.0, 20.0, 30.0], [-5.0, 0.0, 5.0], median=start + 7200.0,
                                   median_lon_deg=21.0, median_lat_deg=1.0)
    site = CzmlPoint("site", "ground site", -80.6, 28.5, 10.0)
    footprint = CzmlCorridor("footprint", "debris footprint", [170.0, 178.0, -175.0],
                             [0.0, 2.0, 4.0], width_m=300e3, epoch=start + 7200.0)
    zone = CzmlArea("zone", "landing zone", [-150.0, -140.0, -140.0, -150.0, -150.0],
                    [-40.0, -40.0, -30.0, -30.0, -40.0], description="South Pacific <zone>")
    return format_czml("hand-built", [station, short], [*window, site], [footprint], [zone],
                       multiplier=30.0)


@pytest.fixture(scope="module")
def hand(cesium: Runner, ts: Timescale, tmp_path_factory: pytest.TempPathFactory
         ) -> tuple[list[dict[str, Any]], Result]:
    text = _hand_document(ts)
    return json.loads(text), _load(cesium, text, tmp_path_factory.mktemp("hand"))


@pytest.fixture(scope="module")
def split(cesium: Runner, ts: Timescale, tmp_path_factory: pytest.TempPathFactory
          ) -> tuple[list[dict[str, Any]], Result]:
    """The ISS of March 2022 for 1.1 days, the Russian segment leaving after an hour (as in
    ``tests/analysis/test_exports.py``)."""
    scn = Scenario("split", Start(ts.from_iso(SPLIT_START)), End(days=1.1),
                   events=(Undock(ts.from_iso("2022-03-27T14:00:00Z"), "events[0]",
                                  part="ROS"),), drag_calibration="none")
    text = scenario_czml(run_scenario(scn, default_context(api.load_elements())))
    return json.loads(text), _load(cesium, text, tmp_path_factory.mktemp("split"))


# --- comparisons ---------------------------------------------------------------------------
def _lon_diff(a: float, b: float) -> float:
    return abs((a - b + 180.0) % 360.0 - 180.0)


def _same_place(got: Sequence[float], want: Sequence[float], what: str) -> None:
    """Cesium's [lon, lat, height] is the one written (1e-6 deg, 1 cm)."""
    lon, lat, height = (float(v) for v in want)
    assert _lon_diff(got[0], lon) <= 1e-6, f"{what}: longitude {got[0]} for {lon}"
    assert abs(got[1] - lat) <= 1e-6, f"{what}: latitude {got[1]} for {lat}"
    assert abs(got[2] - height) <= 0.01, f"{what}: height {got[2]} for {height}"


def _triples(values: list[float]) -> list[list[float]]:
    return [values[k:k + 3] for k in range(0, len(values), 3)]


def _expected(value: Any) -> Any:
    """A packet's property in the form check_czml.mjs reports Cesium's value."""
    if isinstance(value, dict):
        if set(value) == {"rgba"}:
            return value["rgba"]
        if set(value) == {"cartesian2"}:
            return value["cartesian2"]
        if set(value) == {"solidColor"}:
            return {"color": _expected(value["solidColor"]["color"])}
        if set(value) == {"cartographicDegrees"}:
            return _triples(value["cartographicDegrees"])
    return value


def _compare(got: Any, want: Any, what: str) -> None:
    if isinstance(want, list) and want and isinstance(want[0], list):  # positions
        assert len(got) == len(want), what
        for k, (g, w) in enumerate(zip(got, want, strict=True)):
            _same_place(g, w, f"{what}[{k}]")
    elif isinstance(want, dict):
        assert set(got) == set(want), what
        for key in want:
            _compare(got[key], want[key], f"{what}.{key}")
    elif isinstance(want, float | int) and not isinstance(want, bool):
        assert math.isclose(got, want, rel_tol=1e-12), f"{what}: {got} for {want}"
    else:
        assert got == want, f"{what}: {got!r} for {want!r}"


def _check(ts: Timescale, doc: list[dict[str, Any]], result: Result) -> None:
    """Every packet of ``doc`` as Cesium built it (``result``)."""
    assert result["cesium"] == CESIUM
    header = doc[0]
    assert result["name"] == header["name"]
    clock = result["clock"]
    start, stop = header["clock"]["interval"].split("/")
    assert (clock["start"], clock["stop"]) == (start, stop)
    assert clock["current"] == header["clock"]["currentTime"]
    assert clock["multiplier"] == header["clock"]["multiplier"]
    assert (clock["range"], clock["step"]) == (header["clock"]["range"], header["clock"]["step"])

    entities = {e["id"]: e for e in result["entities"]}
    assert len(entities) == len(result["entities"])
    assert set(entities) == {p["id"] for p in doc[1:]}
    for packet in doc[1:]:
        entity = entities[packet["id"]]
        what = packet["id"]
        assert entity["unread"] == [], what
        assert set(entity["graphics"]) == set(packet) - _KEYS, what
        assert entity["name"] == packet["name"]
        assert entity["description"] == packet.get("description")
        if "availability" in packet:
            [interval] = entity["availability"]
            assert f"{interval['start']}/{interval['stop']}" == packet["availability"], what
            assert interval["startIncluded"] and interval["stopIncluded"]
        else:
            assert entity["availability"] is None, what
        for graphic in entity["graphics"]:
            for name, value in packet[graphic].items():
                want = _expected(value)
                if graphic == "polygon" and name == "positions":
                    want = {"positions": want, "holes": []}
                _compare(entity["values"][graphic][name], want, f"{what}.{graphic}.{name}")
        if "position" in packet:
            _check_position(ts, packet, entity)


def _check_position(ts: Timescale, packet: dict[str, Any], entity: dict[str, Any]) -> None:
    written = packet["position"]
    got = entity["position"]
    what = packet["id"]
    if "epoch" not in written:  # a fixed point
        assert not got["sampled"], what
        _same_place(got["value"], written["cartographicDegrees"], what)
        return
    table = np.array(written["cartographicDegrees"]).reshape(-1, 4)
    assert got["sampled"] and got["samples"] == len(table), what
    assert got["referenceFrame"] == "FIXED"
    assert got["interpolation"] == written["interpolationAlgorithm"].capitalize()
    assert got["degree"] == written["interpolationDegree"]
    epoch = ts.from_iso(written["epoch"])
    for end, row in (("first", table[0]), ("last", table[-1])):
        sample = got[end]
        assert abs(float(ts.from_iso(sample["time"]) - (epoch + float(row[0])))) <= 1e-3, \
            f"{what} {end} sample at {sample['time']}"
        _same_place(sample["value"], row[1:], f"{what} {end} sample")
    # The samples span the availability, and Cesium interpolates between them.
    [interval] = entity["availability"]
    assert (got["first"]["time"], got["last"]["time"]) == (interval["start"], interval["stop"])
    height = got["middle"]["value"][2]
    assert table[:, 3].min() - 100.0 <= height <= table[:, 3].max() + 100.0, what


# --- tests ---------------------------------------------------------------------------------
def test_hand_built_document(ts: Timescale, hand: tuple[list[dict[str, Any]], Result]
                             ) -> None:
    doc, result = hand
    _check(ts, doc, result)
    graphics = {e["id"]: set(e["graphics"]) for e in result["entities"]}
    assert graphics == {
        "station": {"path", "label", "point"}, "short": {"path", "label", "point"},
        "member-0": {"point"}, "member-1": {"point"}, "member-2": {"point"},
        "reentry-median": {"point", "label"}, "site": {"point"},
        "footprint": {"corridor"}, "zone": {"polygon"}}
    entities = {e["id"]: e for e in result["entities"]}
    # The three-sample track: degree 2, samples at fractional seconds after a later epoch.
    short = entities["short"]["position"]
    assert (short["samples"], short["degree"]) == (3, 2)
    assert short["last"]["time"] == "2024-10-01T00:11:01.250Z"
    assert entities["footprint"]["availability"][0]["start"] == "2024-10-01T02:00:00.000Z"
    assert entities["zone"]["description"] == "South Pacific &lt;zone&gt;"
    assert entities["station"]["values"]["label"]["style"] == "FILL_AND_OUTLINE"


def test_scenario_document(ts: Timescale, split: tuple[list[dict[str, Any]], Result]) -> None:
    doc, result = split
    _check(ts, doc, result)
    assert {e["name"] for e in result["entities"]} == {"ISS", "ROS", "USOS"}
    for entity in result["entities"]:
        assert set(entity["graphics"]) == {"path", "label", "point"}
        position = entity["position"]
        assert position["samples"] >= 2
        for end in ("first", "middle", "last"):
            assert 380e3 < position[end]["value"][2] < 440e3  # the ISS's height in 2022


def test_the_check_catches_what_cesium_ignores(cesium: Runner, ts: Timescale,
                                               tmp_path: Path) -> None:
    """Cesium ignores a property it does not know and an unknown enumeration value, and
    refuses a bad interval: the check reports each."""
    doc = json.loads(_hand_document(ts))
    track = doc[1]
    track["path"]["widht"] = 3.0
    track["label"]["style"] = "FILL_OUTLINE"
    track["bilboard"] = {"scale": 2.0}
    done = cesium(json.dumps(doc), tmp_path)
    assert done.returncode == 1
    assert "station: Cesium read nothing from path.widht, label.style, bilboard" in done.stderr
    track.pop("bilboard")
    track["availability"] = "2024-10-01T00:00:00Z"
    done = cesium(json.dumps(doc), tmp_path)
    assert done.returncode == 1 and "invalid ISO 8601 interval" in done.stderr
