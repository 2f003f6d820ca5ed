"""Density corrections (:mod:`stationsim.forces.density_correction`): the factor is the one of
the window holding each instant and 1 elsewhere, through both of the atmosphere's entry points
(GCRF states and geodetic points), and impossible tables are refused.

Reference: the uncorrected NRLMSIS 2.1 through the same adapter (exact ratios)."""

from __future__ import annotations

import numpy as np
import pytest

from stationsim.constants import WGS84_A_M
from stationsim.data import load_space_weather
from stationsim.errors import InputError
from stationsim.forces.atmosphere import MsisAtmosphere
from stationsim.forces.density_correction import CorrectedAtmosphere, DensityCorrection
from stationsim.time import Timescale

# MJD 60219 = 2023-10-02, 60227 = 10-10, 60235 = 10-18.
TABLE = DensityCorrection(np.array([60219.0, 60227.0]), np.array([60227.0, 60235.0]),
                          np.array([1.3, 0.8]), np.array([0.02, 0.03]), np.array([2.0, 3.0]))


def test_factor_by_window_and_one_outside() -> None:
    """Window starts are inclusive, ends exclusive; before, after and in a gap: 1."""
    mjd = np.array([60218.99, 60219.0, 60226.999, 60227.0, 60234.99, 60235.0, 61000.0])
    assert TABLE.at(mjd) == pytest.approx([1.0, 1.3, 1.3, 0.8, 0.8, 1.0, 1.0])
    gap = DensityCorrection(np.array([0.0, 10.0]), np.array([5.0, 20.0]), np.array([2.0, 3.0]),
                            np.zeros(2), np.ones(2))
    assert np.array_equal(gap.at(np.array([[4.0, 7.0], [10.0, 25.0]])),
                          np.array([[2.0, 1.0], [3.0, 1.0]]))


def test_corrected_msis_is_the_model_times_the_factor(ts: Timescale) -> None:
    """Both entry points of the corrected NRLMSIS 2.1 give the model's density times the
    window's factor (to 1e-12), at an instant in each window and one outside."""
    base = MsisAtmosphere(load_space_weather())
    corrected = CorrectedAtmosphere(base, TABLE)
    r = np.array([[WGS84_A_M + 400e3, 0.0, 0.0]])
    for iso, factor in (("2023-10-05T12:00:00Z", 1.3), ("2023-10-12T00:00:00Z", 0.8),
                        ("2023-11-01T00:00:00Z", 1.0)):
        when = ts.from_iso(iso)
        assert corrected.density(when, r) / base.density(when, r) == pytest.approx(factor,
                                                                                  rel=1e-12)
        mjd = np.array([float(np.asarray(when.mjd_utc))] * 2)
        lat, lon, h = np.array([0.3, -0.9]), np.array([1.0, 2.0]), np.array([300e3, 500e3])
        ratio = (corrected.density_geodetic(mjd, lat, lon, h)
                 / base.density_geodetic(mjd, lat, lon, h))
        assert ratio == pytest.approx([factor, factor], rel=1e-12)


@pytest.mark.parametrize(("start", "end", "factor"), [
    ([0.0, 5.0], [6.0, 9.0], [1.0, 1.0]),     # overlapping windows
    ([0.0], [0.0], [1.0]),                     # an empty window
    ([0.0], [1.0], [0.0]),                     # a zero factor
    ([0.0], [1.0], [np.nan]),                  # not a number
    ([0.0], [1.0], [11.0]),                    # beyond the range a week's error can have
    ([np.nan], [1.0], [1.0]),                  # a window without a start
    ([0.0], [np.inf], [1.0]),                  # nor an end
])
def test_impossible_tables_are_refused(start: list[float], end: list[float],
                                       factor: list[float]) -> None:
    n = len(start)
    with pytest.raises(InputError):
        DensityCorrection(np.array(start), np.array(end), np.array(factor), np.zeros(n),
                          np.ones(n))


def test_the_table_is_a_read_only_copy() -> None:
    """What the caller passed (lists here) is copied into read-only arrays."""
    factor = [1.3]
    table = DensityCorrection([0.0], [1.0], factor, [0.0], [1.0])  # type: ignore[arg-type]
    factor[0] = 5.0
    assert table.at(0.5) == pytest.approx(1.3)
    with pytest.raises(ValueError, match="read-only"):
        table.factor[0] = 2.0
