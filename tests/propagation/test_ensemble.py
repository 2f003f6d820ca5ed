"""Monte Carlo members: stratified draws, dispersions of the stated size, reproducibility."""

from __future__ import annotations

import numpy as np
import pytest

from stationsim.propagation.ensemble import (
    Dispersion,
    draw_ensemble,
    entry_percentiles,
    stratified_normal,
)

R0 = np.array([6.8e6, 0.0, 0.0])
V0 = np.array([0.0, 7.66e3, 0.0])


def test_stratified_draws_are_normal() -> None:
    z = stratified_normal(np.random.default_rng(1), 2001)
    assert z[0] == 0.0
    assert abs(np.mean(z)) < 0.01 and np.std(z) == pytest.approx(1.0, abs=0.02)
    assert np.quantile(z, 0.95) == pytest.approx(1.645, abs=0.02)


def test_dispersions_have_their_size_and_member_zero_is_nominal() -> None:
    d = Dispersion(along_track_m=1000.0, speed_m_s=0.05, ln_ballistic=0.1,
                   ln_density=lambda t: 0.2 * np.asarray(t) / 86400.0)
    e = draw_ensemble(R0, V0, 100.0, 4001, 7, d)
    assert np.array_equal(e.r_gcrf_m[0], R0) and np.array_equal(e.v_gcrf_m_s[0], V0)
    assert e.ballistic_kg_m2[0] == 100.0
    assert np.std(e.r_gcrf_m[:, 1]) == pytest.approx(1000.0, rel=0.03)
    assert np.all(e.r_gcrf_m[:, 0] == R0[0])  # along-track only
    assert np.std(e.v_gcrf_m_s[:, 1]) == pytest.approx(0.05, rel=0.03)
    assert np.mean(e.ballistic_kg_m2) == pytest.approx(100.0, rel=0.005)
    assert np.std(np.log(e.ballistic_kg_m2)) == pytest.approx(0.1, rel=0.03)
    assert e.density_factor is not None
    everyone = np.arange(4001)
    assert np.all(e.density_factor(np.zeros(4001), everyone) == 1.0)
    day = np.full(4001, 86400.0)
    assert np.std(np.log(e.density_factor(day, everyone))) == pytest.approx(0.2, rel=0.03)
    again = draw_ensemble(R0, V0, 100.0, 4001, 7, d)
    assert np.array_equal(again.ballistic_kg_m2, e.ballistic_kg_m2)
    assert np.array_equal(again.density_factor(day, everyone),  # type: ignore[misc]
                          e.density_factor(day, everyone))


def test_percentiles_count_members_still_up_as_latest() -> None:
    times = np.concatenate([np.arange(1.0, 91.0), np.full(10, np.nan)])
    q50, q05, q95 = entry_percentiles(times)
    assert (q50, q05) == (50.0, 5.0)
    assert q95 == np.inf
