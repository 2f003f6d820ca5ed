"""Standard files of a scenario run and of a re-entry prediction: the OEM read back gives the
run's own states (to 1 mm and 1 mm/s, the file's km with 16 significant digits), the CZML and
GeoJSON are well-formed (CZML Guide: document packet first; RFC 7946: [lon, lat], no segment
across the antimeridian) and hold what the run found."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest

from stationsim import api
from stationsim.analysis.exports import (
    EXPORT_FILES,
    reentry_czml,
    reentry_geojson,
    scenario_czml,
    scenario_files,
    scenario_geojson,
    scenario_oem,
    stretches,
)
from stationsim.analysis.reentry import ReentryReport, predict_reentry
from stationsim.analysis.report import REPORT_FILES, write_report
from stationsim.analysis.scenario_results import scenario_results
from stationsim.analysis.scenario_station import plot_scenario_station, what_leaves
from stationsim.analysis.station_plot import leaving_parts
from stationsim.data import load_timescale
from stationsim.errors import InputError
from stationsim.io.oem import parse_oem
from stationsim.scenario.runner import ScenarioRun, default_context, run_scenario
from stationsim.scenario.spec import End, OrbitStart, Scenario, Start, Undock

START = "2022-03-27T13:08:21Z"
DELFI = Path(__file__).parents[1] / "reference" / "tle" / "delfi-pq_51074_last100d.tle"


@pytest.fixture(scope="module")
def split_run() -> ScenarioRun:
    """The ISS of March 2022 for 1.1 days, the Russian segment leaving after an hour."""
    ts = load_timescale()
    scn = Scenario("split", Start(ts.from_iso(START)), End(days=1.1),
                   events=(Undock(ts.from_iso("2022-03-27T14:00:00Z"), "events[0]",
                                  part="ROS"),), drag_calibration="none")
    return run_scenario(scn, default_context(api.load_elements()))


@pytest.fixture(scope="module")
def low_run() -> ScenarioRun:
    """A station from 180 km: it re-enters within days."""
    ts = load_timescale()
    low = Scenario("low", Start(ts.from_iso(START), orbit=OrbitStart(180e3, math.radians(51.6)),
                                station_epoch=ts.from_iso(START)),
                   End(reentry=True, max_days=30), drag_calibration="none")
    return run_scenario(low, default_context(api.load_elements()))


def test_stretches_split_at_gaps() -> None:
    t = np.array([0.0, 60.0, 120.0, 3600.0, 3660.0, 9000.0, 20000.0, 20060.0, 20120.0])
    parts = stretches(t, 60.0)
    assert [(p.start, p.stop) for p in parts] == [(0, 3), (3, 5), (6, 9)]
    assert stretches(np.array([1.0]), 60.0) == []


def test_oem_reads_back_the_run_states(split_run: ScenarioRun) -> None:
    oem = parse_oem(scenario_oem(split_run), source="ephemeris.oem")
    ts = load_timescale()
    names = {s.object_name for s in oem.segments}
    assert names == {b.name for b in split_run.bodies} == {"ISS", "ROS", "USOS"}
    for body in split_run.bodies:
        t, y = body.ephemeris()
        mine = [s for s in oem.segments if s.object_name == body.name]
        assert all(s.ref_frame == "GCRF" and s.time_system == "UTC" for s in mine)
        got_t = np.concatenate([np.asarray(s.epochs(ts) - split_run.start) for s in mine])
        got_r = np.concatenate([s.positions_m for s in mine])
        got_v = np.concatenate([s.velocities_m_s for s in mine])
        # Every sampled stretch is there, sample for sample.
        keep = np.isin(np.round(t, 3), np.round(got_t, 3))
        assert keep.sum() == len(got_t) >= 0.9 * len(t)
        assert np.max(np.abs(got_t - t[keep])) < 1e-6
        assert np.max(np.abs(got_r - y[keep, :3])) < 1e-3
        assert np.max(np.abs(got_v - y[keep, 3:6])) < 1e-6
        for s in mine:  # no segment spans a gap the run did not sample
            assert np.max(np.diff(np.asarray(s.epochs(ts) - s.epochs(ts)[0]))) <= 1.5 * 60.0


def test_czml_and_geojson_of_a_split(split_run: ScenarioRun) -> None:
    doc = json.loads(scenario_czml(split_run))
    assert doc[0]["id"] == "document" and doc[0]["version"] == "1.0"
    ids = [p["id"] for p in doc]
    assert len(ids) == len(set(ids))
    pieces = {p["name"] for p in doc[1:]}
    assert pieces == {"ISS", "ROS", "USOS"}
    for p in doc[1:]:
        samples = p["position"]["cartographicDegrees"]
        assert len(samples) % 4 == 0
        heights = np.array(samples[3::4])
        assert np.all((heights > 380e3) & (heights < 440e3))  # the ISS's height in 2022
    gj = json.loads(scenario_geojson(split_run))
    assert gj["type"] == "FeatureCollection"
    for f in gj["features"]:
        g = f["geometry"]
        lines = [g["coordinates"]] if g["type"] == "LineString" else g["coordinates"]
        for line in lines:
            lon = np.array([c[0] for c in line])
            assert np.all(np.abs(np.diff(lon)) < 180.0)
            # Geodetic latitude: the inclination (51.64 deg) plus up to 0.19 deg of ellipsoid.
            assert all(abs(c[1]) <= 51.9 for c in line)


def test_reentry_point_in_the_files(low_run: ScenarioRun) -> None:
    body = low_run.body("ISS")
    assert body.reentry is not None
    gj = json.loads(scenario_geojson(low_run))
    points = [f for f in gj["features"] if f["geometry"]["type"] == "Point"]
    assert len(points) == 1
    lon, lat = points[0]["geometry"]["coordinates"]
    assert (lat, lon) == pytest.approx((body.reentry[1], body.reentry[2]), abs=1e-6)
    doc = json.loads(scenario_czml(low_run))
    assert any(p["id"] == "reentry-0" for p in doc)


def test_report_folder_has_the_standard_files(split_run: ScenarioRun, tmp_path: Path) -> None:
    written = write_report(scenario_results(split_run), tmp_path,
                           extra=scenario_files(split_run))
    assert sorted(p.name for p in written) == sorted((*REPORT_FILES, *EXPORT_FILES))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted((*REPORT_FILES, *EXPORT_FILES))
    with pytest.raises(InputError, match="plain name"):
        write_report(scenario_results(split_run), tmp_path, extra={"../escape.txt": "x"})


@pytest.fixture(scope="module")
def delfi_report() -> ReentryReport:
    warnings.simplefilter("ignore")
    ts = load_timescale()
    els = api.load_elements(DELFI)
    at = els[-1].epoch(ts) + (-2 * 86400.0)
    return predict_reentry(els, ts, at=at, members=30, seed=5, mass_kg=2.0)


def test_reentry_window_files(delfi_report: ReentryReport, tmp_path: Path) -> None:
    r = delfi_report
    doc = json.loads(reentry_czml(r))
    points = [p for p in doc if p["id"].startswith("member") or "point" in p]
    assert len([p for p in doc if "corridor" in p]) == len(r.footprint_tracks) > 0
    assert any(p["id"] == "nominal" for p in doc) and points
    gj = json.loads(reentry_geojson(r))
    kinds = [f["properties"]["kind"] for f in gj["features"]]
    assert kinds.count("member re-entry (120 km)") == len(r.entries)
    median = next(f for f in gj["features"] if f["properties"]["kind"] == "median re-entry")
    assert median["geometry"]["coordinates"][::-1] == pytest.approx(list(r.place), abs=1e-6)
    assert kinds.count("debris footprint") == len(r.footprint_tracks)
    # The API writes them whole.
    out = tmp_path / "w.czml"
    api.write_text_file(out, reentry_czml(r))
    assert json.loads(out.read_text())[0]["id"] == "document"
    assert [p.name for p in tmp_path.iterdir()] == ["w.czml"]


def test_the_station_picture_hatches_what_leaves(split_run: ScenarioRun, tmp_path: Path) -> None:
    """The split run's undocking of the ROS on 2022-03-27 takes away the ten parts of the
    Russian segment (Zvezda, Zarya, Poisk, Rassvet, Nauka, Prichal, Soyuz MS-19 and MS-21,
    Progress MS-18 and MS-19); the report draws the station with them hatched and lists the
    picture first."""
    detached, lines = what_leaves(split_run)
    assert detached == leaving_parts(split_run.initial, ["ROS"])
    assert len(detached) == 10 and {"Zvezda", "Zarya", "Soyuz MS-21"} <= detached
    assert lines == ["2022-03-27T14:00 ROS"]
    written = write_report(scenario_results(split_run), tmp_path,
                           figures={"station.png":
                                    lambda path: plot_scenario_station(split_run, path)})
    assert "station.png" in {p.name for p in written}
    assert (tmp_path / "report.md").read_text().index("station.png") < \
        (tmp_path / "report.md").read_text().index("altitude.png")


def test_power_ledger_day_by_day(split_run: ScenarioRun) -> None:
    """Each piece's daily orbit-average power: the US segment makes about twice its load; the
    Russian segment alone makes a tenth of its own (its arrays give 2-3 kW against about 32 kW
    of load, which the US arrays carried): the dependence the separation breaks."""
    parts = {p["name"]: p["series"] for p in scenario_results(split_run)["parts"]}
    for series in parts.values():
        assert len(series["power_generated_kw"]) == len(series["power_load_kw"]) \
            == len(series["day"])
    usos, ros = parts["USOS"], parts["ROS"]
    assert all(g > 1.5 * load for g, load in zip(usos["power_generated_kw"],
                                                 usos["power_load_kw"], strict=True))
    assert all(g < 0.15 * load for g, load in zip(ros["power_generated_kw"],
                                                  ros["power_load_kw"], strict=True))


def test_crew_ways_home_after_every_change(split_run: ScenarioRun, tmp_path: Path) -> None:
    """At the start (2022-03-27) all ten aboard the whole station have a seat home; after the
    ROS leaves on Soyuz MS-19's side, Mark Vande Hei, whose seat is on MS-19, has none on the
    US segment (the March 2022 crew and seat assignments of the bundled record)."""
    changes = scenario_results(split_run)["crew_changes"]
    assert [c["after"] for c in changes] == ["start", "undock (events[0])"]
    start, split = changes
    assert start["aboard"] == start["can_return"] == 10
    assert split["aboard"] == 10 and split["can_return"] == 9
    stranded = [c for c in split["crew"] if not c["can_return"]]
    assert [(c["name"], c["aboard"]) for c in stranded] == [("Mark Vande Hei", "USOS")]
    assert set(split["seats"]) == {"ROS", "USOS"}
    write_report(scenario_results(split_run), tmp_path)
    text = (tmp_path / "report.md").read_text()
    assert "## Crew after each change" in text and "Mark Vande Hei (USOS)" in text
