"""Re-entry windows of a scenario's pieces (:mod:`stationsim.scenario.window`).

References: the run's own deterministic re-entry (the window must hold it, and the engine's
ensemble median, with B matched to the run, must lie near it); the size of the dispersions
(B +/-10 % log-normal gives a lifetime window of roughly -15 % .. +17 %); and the published
+/-20 % rule (IADC) for pieces that come down within a day of a manoeuvre.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from stationsim import api
from stationsim.data import load_timescale
from stationsim.scenario.runner import Context, default_context, run_scenario
from stationsim.scenario.spec import Burn, End, OrbitStart, Scenario, Start
from stationsim.scenario.window import MEMBERS, free_flight_start_s

START = "2022-03-27T13:08:21Z"


@pytest.fixture(scope="module")
def ctx() -> Context:
    return default_context(api.load_elements())


def at(iso: str):
    return load_timescale().from_iso(iso)


def low(events=(), height_m: float = 200e3) -> Scenario:
    return Scenario("low", Start(at(START), orbit=OrbitStart(height_m, math.radians(51.6)),
                                 station_epoch=at(START)),
                    End(reentry=True, max_days=60), events=tuple(events),
                    drag_calibration="none")


def test_free_decay_gets_a_monte_carlo_window(ctx: Context) -> None:
    run = run_scenario(low(), ctx)
    body = run.body("ISS")
    window = run.window(body)
    assert body.reentry is not None and window is not None
    epoch = body.reentry[0]
    life = float(epoch - run.start)
    assert window.members == MEMBERS and "Monte Carlo" in window.basis
    assert "hindcast" in window.basis  # 2022: observed space weather throughout
    assert window.p05.mjd_utc < epoch.mjd_utc < window.p95.mjd_utc
    assert 0.08 < float(epoch - window.p05) / life < 0.3
    assert 0.08 < float(window.p95 - epoch) / life < 0.35
    assert window.engine_median is not None
    assert abs(float(window.engine_median - epoch)) / life < 0.05
    rerun = run_scenario(low(), ctx)
    again = rerun.window(rerun.body("ISS"))
    assert again is not None  # the same seed: the same window
    assert (again.p05.iso(3), again.p95.iso(3)) == (window.p05.iso(3), window.p95.iso(3))
    results = api.run_scenario(low())
    part = results["parts"][0]
    assert part["reentry"]["window_members"] == MEMBERS
    assert part["reentry"]["p05"] < part["reentry"]["median"] < part["reentry"]["p95"]
    # The band of the members' heights: from the free flight's start, the run's own mean
    # height inside it, its lower edge reaching the entry interface first.
    band = part["reentry"]["band"]
    assert band["epochs"][0] == window.since.iso(0)
    assert len(band["epochs"]) == len(band["p05_km"]) == len(band["p95_km"]) > 5
    lo = [x for x in band["p05_km"] if x is not None]
    hi = [x for x in band["p95_km"] if x is not None]
    assert len(hi) >= len(lo) and all(a <= b for a, b in zip(lo, hi, strict=False))
    assert lo[0] == pytest.approx(window.band_height_m[0, 0] / 1e3, abs=1e-3)
    offset = float(window.since - run.start) / 86400.0
    band_days = offset + window.band_times_s / 86400.0
    days = np.array(part["series"]["day"])
    height = np.array(part["series"]["mean_altitude_km"])
    up = (days >= band_days[0]) & (days <= band_days[len(lo) - 1])
    lower = np.interp(days[up], band_days[:len(lo)], lo)
    upper = np.interp(days[up], band_days[:len(hi)], hi)
    inside = (lower - 1.0 <= height[up]) & (height[up] <= upper + 1.0)
    assert up.sum() >= 2 and inside.all()


def test_a_deorbit_burn_gets_the_published_window_from_the_burn(ctx: Context) -> None:
    burn_at = "2022-03-27T15:00:00Z"
    burn = Burn(at(burn_at), "events[0]", vehicle="Progress MS-19", delta_v_m_s=-20.0)
    run = run_scenario(low([burn], height_m=150e3), ctx)
    body = run.body("ISS")
    window = run.window(body)
    assert body.reentry is not None and window is not None
    assert window.members == 0 and "+/-20 %" in window.basis
    since = free_flight_start_s(body, run.start)
    assert since == pytest.approx(float(at(burn_at) - run.start), abs=1.0)
    half = 0.2 * float(body.reentry[0] - window.since)
    assert float(window.p95 - body.reentry[0]) == pytest.approx(half, rel=1e-6)
    assert half < 0.2 * 86400.0
