"""The held-forecast error of F10.7 against lead time, measured on the bundled history, and the
density spread built from it (reference: the bundled CelesTrak observations themselves)."""

from __future__ import annotations

import numpy as np
import pytest

from stationsim.data import load_space_weather, load_timescale
from stationsim.data.forecast_error import (
    density_sensitivity,
    held_forecast,
    held_forecast_error,
    ln_density_spread,
)


def test_forecast_error_grows_with_lead() -> None:
    """6.7 % at lead 0 (the trailing against the centred mean), 8 % a month ahead, 16 % a year
    ahead, 42 % at five years, then less as the 11-year cycle comes round; no bias to speak of
    within a year."""
    err = held_forecast_error(load_space_weather())
    leads, bias, sigma = err.leads_days, err.bias, err.sigma
    grows = leads <= 1825
    assert np.all(np.diff(sigma[grows]) >= 0.0)
    month = sigma[list(leads).index(30.0)]
    year = sigma[list(leads).index(365.0)]
    assert 0.05 < month < 0.12
    assert 0.12 < year < 0.3
    assert sigma[-1] < sigma[list(leads).index(1825.0)]
    assert np.all(np.abs(bias[leads <= 365]) < 0.1)


def test_spread_starts_with_the_forecast() -> None:
    """Zero before the forecast begins; after it, k times the instantaneous spread, whose
    running mean over a lead reproduces the measured sigma of that lead (2 %)."""
    err = held_forecast_error(load_space_weather())
    spread = ln_density_spread(err, 2.0, 10 * 86400.0)
    grid, inst = err.instantaneous_table()
    assert spread(0.0) == spread(5 * 86400.0) == 0.0
    assert spread(10 * 86400.0) == pytest.approx(2.0 * inst[0]) and inst[0] > 0.05
    for lead in (30.0, 365.0, 1825.0):
        pick = grid <= lead
        mean = np.trapezoid(inst[pick], grid[pick]) / grid[pick][-1]
        assert mean == pytest.approx(np.interp(grid[pick][-1], err.leads_days, err.sigma),
                                     rel=0.02)
        assert spread(10 * 86400.0 + lead * 86400.0) == pytest.approx(
            2.0 * np.interp(lead, grid, inst))


def test_held_forecast_and_sensitivity() -> None:
    """The held values are the trailing means before the start; MSIS 2.1 at 420 km responds to
    F10.7 with an exponent of about 1-3 (solar minimum to maximum), the exponential
    atmosphere not at all."""
    ts = load_timescale()
    start = ts.from_iso("2022-03-27T00:00:00Z")
    weather, f107, ap = held_forecast(load_space_weather(), start)
    assert 90.0 < f107 < 130.0 and 3.0 < ap < 30.0
    assert weather.values(np.array([start.mjd_utc + 100.0])).f107_obs_sfu[0] == f107
    r = np.array([[6798e3, 0.0, 0.0], [0.0, 6798e3, 0.0]])
    assert 1.0 < density_sensitivity("msis2", f107, ap, start, r) < 3.0
    assert density_sensitivity("exponential", f107, ap, start, r) == 0.0
