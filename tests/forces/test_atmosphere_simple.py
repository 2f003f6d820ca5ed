"""The exponential and Harris-Priester atmospheres against their published tables.

References: D. A. Vallado, *Fundamentals of Astrodynamics and Applications*, 4th ed. (2013),
Table 8-4; O. Montenbruck and E. Gill, *Satellite Orbits* (2000), Table 3.8 and sect. 3.5.2.
"""

from __future__ import annotations

import numpy as np
import pytest

from stationsim.forces import (
    EXPONENTIAL_TABLE,
    HARRIS_PRIESTER_TABLE,
    AtmosphereInputError,
    exponential_density,
    harris_priester_density,
)

# Spot values typed from Vallado (2013) Table 8-4, independent of the module's array:
# base height [km] -> (nominal density [kg/m^3], scale height [km]).
VALLADO_SPOTS = {0.0: (1.225, 7.249), 150.0: (2.070e-9, 22.523), 400.0: (3.725e-12, 58.515),
                 1000.0: (3.019e-15, 268.00)}
# ... and from Montenbruck & Gill (2000) Table 3.8: height [km] -> (min, max) [g/km^3].
HP_SPOTS = {100.0: (4.974e05, 4.974e05), 400.0: (2.249, 7.492), 1000.0: (1.150e-03, 1.810e-02)}


def test_exponential_reproduces_the_table_at_its_nodes() -> None:
    """At each base height the density is the table's nominal density (rtol 1e-12), and
    spot rows match the book."""
    base, rho0, scale = EXPONENTIAL_TABLE.T
    np.testing.assert_allclose(exponential_density(base * 1e3), rho0, rtol=1e-12)
    for height, (density, scale_km) in VALLADO_SPOTS.items():
        row = np.flatnonzero(base == height)[0]
        assert (rho0[row], scale[row]) == (density, scale_km)
    assert EXPONENTIAL_TABLE.shape == (28, 3)


def test_exponential_follows_the_band_scale_height() -> None:
    """Inside a band the density falls by e over one scale height: at 420 km,
    3.725e-12 exp(-20/58.515) (rtol 1e-12)."""
    assert float(exponential_density(420e3)) == pytest.approx(
        3.725e-12 * np.exp(-20.0 / 58.515), rel=1e-12)
    assert float(exponential_density(1500e3)) == pytest.approx(
        3.019e-15 * np.exp(-500.0 / 268.0), rel=1e-12)


def test_exponential_is_continuous_and_decreasing() -> None:
    """Continuity: at each band edge the value reached from below matches the next node to
    1e-4 (the table's 4 digits), except 25 km, where the table steps up by 0.14 % (tolerance
    0.2 %). Elsewhere the profile decreases strictly (checked on a 5 m grid to 1,500 km)."""
    base = EXPONENTIAL_TABLE[:, 0] * 1e3
    below = exponential_density(base[1:] - 1e-6)
    at = exponential_density(base[1:])
    jumps = at / below - 1
    assert abs(jumps[0]) < 2e-3
    assert np.max(np.abs(jumps[1:])) < 1e-4
    heights = np.linspace(0.0, 1500e3, 300_001)
    rising = np.flatnonzero(np.diff(exponential_density(heights)) >= 0)
    assert np.all(np.abs(heights[rising + 1] - 25e3) <= 5.0)


def test_exponential_refuses_negative_or_nan_heights() -> None:
    with pytest.raises(AtmosphereInputError, match="height outside"):
        exponential_density(-1.0)
    with pytest.raises(AtmosphereInputError, match="finite"):
        exponential_density(np.nan)


def _hp(height_km: float | np.ndarray, angle_from_apex_rad: float, n: float) -> np.ndarray:
    """Harris-Priester at a point ``angle`` from the bulge's apex, in the equatorial plane."""
    sun = np.array([1.5e11, 0.0, 0.0])
    apex_ra = np.radians(30.0)
    ra = apex_ra + angle_from_apex_rad
    r = 7e6 * np.array([np.cos(ra), np.sin(ra), 0.0])
    h = np.asarray(height_km, dtype=float) * 1e3
    return harris_priester_density(h, np.broadcast_to(r, (*h.shape, 3)), sun, n=n)


def test_harris_priester_reproduces_the_table() -> None:
    """At the table's heights: rho_max at the bulge's apex (30 deg east of the Sun), rho_min
    opposite it, in kg/m^3 = 1e-12 g/km^3 (rtol 1e-12)."""
    heights, rho_min, rho_max = HARRIS_PRIESTER_TABLE.T
    np.testing.assert_allclose(_hp(heights, 0.0, 2.0), rho_max * 1e-12, rtol=1e-12)
    np.testing.assert_allclose(_hp(heights, np.pi, 6.0), rho_min * 1e-12, rtol=1e-12)
    for height, pair in HP_SPOTS.items():
        row = np.flatnonzero(heights == height)[0]
        assert (rho_min[row], rho_max[row]) == pair
    assert HARRIS_PRIESTER_TABLE.shape == (50, 3)


def test_harris_priester_interpolates_exponentially_and_has_a_cosine_bulge() -> None:
    """Halfway between two table heights the density is the geometric mean of the two nodes
    (exponential interpolation, M&G sect. 3.5.2); 90 deg from the apex the bulge factor is
    cos^n(45 deg). rtol 1e-12."""
    assert float(_hp(410.0, 0.0, 2.0)) == pytest.approx(np.sqrt(7.492 * 5.684) * 1e-12, rel=1e-12)
    d_min = np.sqrt(2.249 * 1.558) * 1e-12
    d_max = np.sqrt(7.492 * 5.684) * 1e-12
    for n in (2.0, 6.0):
        expected = d_min + (d_max - d_min) * np.cos(np.pi / 4) ** n
        assert float(_hp(410.0, np.pi / 2, n)) == pytest.approx(expected, rel=1e-12)


def test_harris_priester_refuses_heights_outside_its_table() -> None:
    sun = np.array([1.5e11, 0.0, 0.0])
    r = np.array([7e6, 0.0, 0.0])
    for height in (99e3, 1001e3):
        with pytest.raises(AtmosphereInputError, match="100 to 1,000 km"):
            harris_priester_density(height, r, sun, n=2.0)
    with pytest.raises(AtmosphereInputError, match="exponent"):
        harris_priester_density(400e3, r, sun, n=0.0)
