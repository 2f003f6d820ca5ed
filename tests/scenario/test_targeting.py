"""Aiming a deorbit burn (:mod:`stationsim.scenario.targeting`).

References: the great-circle distance on a sphere (one degree of arc on the Earth's mean
sphere, radius 6,371,008.8 m, is 111.195 km); Point Nemo, the South Pacific's oceanic pole of
inaccessibility (48 deg 52.6' S, 123 deg 23.6' W), the aim of the built-in ``deorbit-2030``.
The aimed run must break up where its trial burns said it would: the search and the run use
the same propagator, forces and drag, so they agree to the propagator's own repeatability.
"""

from __future__ import annotations

import math
import warnings

import pytest

from stationsim import api
from stationsim.analysis.report import render_markdown
from stationsim.analysis.scenario_results import scenario_results
from stationsim.data import builtin_scenario_text
from stationsim.errors import ScenarioFileError, StaleTableWarning, StationsimError
from stationsim.scenario import parse_scenario
from stationsim.scenario.runner import Context, ScenarioRun, default_context, run_scenario
from stationsim.scenario.targeting import great_circle_m
from stationsim.time import Timescale

NEMO = (-48.9, -123.4)


@pytest.fixture(scope="module")
def ctx() -> Context:
    return default_context(api.load_elements())


def run_text(text: str, ts: Timescale, ctx: Context) -> ScenarioRun:
    scn = parse_scenario(text, ts=ts, source="deorbit-2030.toml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleTableWarning)  # 2030's predicted weather
        return run_scenario(scn, ctx)


@pytest.fixture(scope="module")
def deorbit() -> str:
    text, _ = builtin_scenario_text("deorbit-2030")
    return text


def test_great_circle() -> None:
    assert float(great_circle_m(0.0, 0.0, 1.0, 0.0)) == pytest.approx(111_195.0, abs=1.0)
    assert float(great_circle_m(10.0, 179.5, 10.0, -179.5)) == pytest.approx(
        111_195.0 * math.cos(math.radians(10.0)), rel=1e-4)
    assert float(great_circle_m(90.0, 0.0, -90.0, 0.0)) == pytest.approx(math.pi * 6_371_008.8)


def test_the_deorbit_burn_brings_the_breakup_near_point_nemo(deorbit: str, ts: Timescale,
                                                              ctx: Context) -> None:
    run = run_text(deorbit, ts, ctx)
    iss = run.body("ISS")
    assert iss.breakup is not None and iss.reentry is not None
    when, lat, lon = iss.breakup
    miss = float(great_circle_m(lat, lon, *NEMO))
    assert miss < 200e3  # the nearest pass within the day; its track misses by about 130 km
    # A steep entry: from 120 km to breakup in minutes, not the better part of a revolution.
    assert float(when - iss.reentry[0]) < 15 * 60.0
    (note,) = [e.detail for e in run.log if e.kind == "aim"]
    predicted = note.split("breakup predicted at ")[1]
    assert predicted.startswith(when.iso(0)[:16])
    assert f"{miss / 1e3:.0f} km from the aim" in note
    # The results and the report say where it was aimed and how near it came.
    results = scenario_results(run)
    assert results["parts"][0]["aim"] == {"lat_deg": NEMO[0], "lon_deg": NEMO[1]}
    assert f"{miss / 1e3:,.0f} km from the aim." in render_markdown(results)
    # Without the aim, the burn at the window's opening comes down far from the target.
    plain = deorbit.replace("aim = { lat_deg = -48.9, lon_deg = -123.4 }", "").replace(
        "aim_window_h = 24", "")
    other = run_text(plain, ts, ctx).body("ISS").breakup
    assert other is not None
    assert float(great_circle_m(other[1], other[2], *NEMO)) > 5 * miss


def test_a_body_that_falls_unburnt_cannot_be_aimed(ts: Timescale, ctx: Context) -> None:
    text = '''\
[start]
epoch = "2022-03-27T13:08:21Z"
[start.orbit]
altitude_km = 170
inclination_deg = 51.64
[physics]
drag_calibration = "none"
[end]
reentry = true
max_days = 10
[[events]]
at = "2022-03-27T14:00:00Z"
kind = "burn"
vehicle = "Progress MS-19"
duration_s = 100
direction = "retrograde"
aim = { lat_deg = -48.9, lon_deg = -123.4 }
aim_window_h = 72
'''
    with pytest.raises(StationsimError, match=r"events\[0\], line 11: the burn cannot be "
                                              r"aimed: the body comes down on its own"):
        run_text(text, ts, ctx)


@pytest.mark.parametrize(("old", "new", "path"), [
    ("duration_s = 2100", "delta_v_m_s = 90", "events[4].aim"),
    ("aim = { lat_deg = -48.9, lon_deg = -123.4 }", "", "events[4].aim_window_h"),
    ("lat_deg = -48.9", "lat_deg = -98.9", "events[4].aim.lat_deg"),
    ("aim_window_h = 24", "aim_window_h = 100", "events[4].aim_window_h"),
    ("aim = { lat_deg = -48.9, lon_deg = -123.4 }", "aim = { lat_deg = -48.9 }",
     "events[4].aim.lon_deg"),
])
def test_aim_errors_name_the_key(deorbit: str, ts: Timescale, old: str, new: str,
                                 path: str) -> None:
    assert old in deorbit
    with pytest.raises(ScenarioFileError, match=re_escape(path)):
        parse_scenario(deorbit.replace(old, new), ts=ts, source="deorbit-2030.toml")


def re_escape(text: str) -> str:
    return text.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.") + ":"
