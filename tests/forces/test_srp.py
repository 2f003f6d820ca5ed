"""Solar radiation pressure and the smooth cylindrical shadow of ``forces.srp``.

References: the cannonball formula (Montenbruck & Gill, *Satellite Orbits*, 2000, sec. 3.4)
with P = 1361 W/m^2 / c (IAU 2015 Resolution B3), evaluated by hand; the cylindrical shadow's
geometry (a circular orbit of radius r with the Sun in its plane spends arcsin(R / r) / pi of
its period in the cylinder). Synthetic geometry only, no ephemeris; the module's two cfuncs
compile in about 5 ms each.
"""

from __future__ import annotations

import math

import heyoka as hy
import numpy as np
import pytest

from stationsim.constants import (
    ASTRONOMICAL_UNIT_M,
    SOLAR_IRRADIANCE_1AU_W_M2,
    SPEED_OF_LIGHT_M_S,
    WGS84_A_M,
)
from stationsim.forces.srp import (
    SHADOW_TRANSITION_WIDTH_M,
    shadow_function,
    srp_acceleration_gcrf,
    sunlit_fraction,
)

R_ISS = WGS84_A_M + 420e3
SUN_X = np.array([ASTRONOMICAL_UNIT_M, 0.0, 0.0])


def _sun_rows(n: int) -> np.ndarray:
    return np.tile(SUN_X, (n, 1))


def test_night_and_day_on_the_earth_sun_line() -> None:
    """At 420 km on the Earth-Sun line: behind the Earth nu < 1e-6 (it is exp(-2800), i.e. 0),
    in front of it nu = 1 within 1e-12 (exactly 1). Also for a Sun off the x axis."""
    nu = sunlit_fraction([[-R_ISS, 0, 0], [R_ISS, 0, 0]], _sun_rows(2))
    assert nu[0] < 1e-6
    assert abs(nu[1] - 1.0) < 1e-12
    s = np.array([0.3, -0.5, 0.8]) / np.linalg.norm([0.3, -0.5, 0.8])
    nu = sunlit_fraction([-R_ISS * s, R_ISS * s], [s * ASTRONOMICAL_UNIT_M] * 2)
    assert nu[0] < 1e-6 and abs(nu[1] - 1.0) < 1e-12


def test_half_at_the_cylinder_surface() -> None:
    """Behind the Earth, nu = 0.5 at distance R from the axis (within 1e-9; rounding of rho^2
    alone), 0.1 and 0.9 at R -+ w/2 (within 1e-3: the step is logistic in (R^2 - rho^2)/2R,
    not exactly in R - rho), and increases with the distance from the axis."""
    w = SHADOW_TRANSITION_WIDTH_M
    rho = WGS84_A_M + np.array([0.0, -w / 2, w / 2])
    points = np.column_stack([np.full(3, -3.0e6), rho, np.zeros(3)])
    nu = sunlit_fraction(points, _sun_rows(3))
    assert abs(nu[0] - 0.5) < 1e-9
    np.testing.assert_allclose(nu[1:], [0.1, 0.9], atol=1e-3)
    grid = WGS84_A_M + np.linspace(-50e3, 50e3, 1001)
    points = np.column_stack([np.full(grid.size, -3.0e6), np.zeros(grid.size), grid])
    assert np.all(np.diff(sunlit_fraction(points, _sun_rows(grid.size))) > 0)
    # A narrower width is steeper: 1 km moves 0.1 -> 0.9 over 1 km.
    narrow = sunlit_fraction(points[[450, 550]], _sun_rows(2), width_m=1e3)
    assert narrow[0] < 1e-6 and narrow[1] > 1 - 1e-6


def test_shadow_fraction_of_an_iss_like_orbit() -> None:
    """A circular orbit at 420 km with the Sun in its plane (beta = 0): the mean of nu over
    200,000 equally spaced points is 1 - arcsin(R / r) / pi = 1 - 0.387525 within 1e-3
    (measured 1.1e-6: the smooth step is nearly symmetric about the edge)."""
    n = 200_000
    u = (np.arange(n) + 0.5) * 2.0 * np.pi / n
    # The orbit's plane holds the Sun's direction (x) and is tilted 30 deg about it.
    tilt = math.radians(30.0)
    points = R_ISS * np.column_stack([np.cos(u), np.sin(u) * math.cos(tilt),
                                      np.sin(u) * math.sin(tilt)])
    shadow = 1.0 - float(np.mean(sunlit_fraction(points, _sun_rows(n))))
    expected = math.asin(WGS84_A_M / R_ISS) / math.pi
    assert expected == pytest.approx(0.387525, abs=1e-6)
    assert abs(shadow - expected) < 1e-3


def test_srp_at_one_au() -> None:
    """Sunlit, 1 au from the Sun, C_R A/m = 0.01 m^2/kg: |a| = 0.01 * 1361 / c
    = 4.5398e-8 m/s^2 within 1e-12 relative, pointing away from the Sun (unit vector within
    1e-15). Also inverse-square at 2 au (rtol 1e-12) and zero deep in the shadow (< 1e-20)."""
    r_sat = np.array([[7e6, 0.0, 0.0], [-0.5, -0.6, 0.0], [-R_ISS, 0.0, 0.0]])
    r_sat[1] *= 7e6 / np.linalg.norm(r_sat[1])
    r_sun = np.array([r_sat[0] + [ASTRONOMICAL_UNIT_M, 0, 0],
                      r_sat[1] + [0, -2 * ASTRONOMICAL_UNIT_M, 0],
                      SUN_X])
    a = srp_acceleration_gcrf(r_sat, r_sun, 0.01)
    expected = 0.01 * SOLAR_IRRADIANCE_1AU_W_M2 / SPEED_OF_LIGHT_M_S
    assert expected == pytest.approx(4.5398e-8, rel=1e-4)
    magnitude = np.linalg.norm(a, axis=1)
    assert abs(magnitude[0] / expected - 1) < 1e-12
    np.testing.assert_allclose(a[0] / magnitude[0], [-1.0, 0.0, 0.0], atol=1e-15)
    assert abs(magnitude[1] / (expected / 4) - 1) < 1e-12
    np.testing.assert_allclose(a[1] / magnitude[1], [0.0, 1.0, 0.0], atol=1e-15)
    assert magnitude[2] < 1e-20
    # C_R A / m may differ per row, and scales the result linearly.
    twice = srp_acceleration_gcrf(r_sat[:2], r_sun[:2], [0.02, 0.01])
    np.testing.assert_allclose(twice[0], 2 * a[0], rtol=1e-15)


def test_shadow_expression_is_smooth_on_the_axis() -> None:
    """The expression's derivative with respect to the cross-track coordinate is finite on the
    shadow's axis (where rho = 0; a formula in rho itself would have a kink there) and zero
    deep in the shadow (within 1e-300)."""
    x, y, z = hy.make_vars("x", "y", "z")
    nu = shadow_function([x, y, z], [ASTRONOMICAL_UNIT_M, 0.0, 0.0])
    cf = hy.cfunc([nu, hy.diff(nu, y)], [x, y, z])
    out = cf(np.array([[-R_ISS, -R_ISS], [0.0, WGS84_A_M], [0.0, 0.0]]))
    assert np.all(np.isfinite(out))
    assert abs(out[1, 0]) < 1e-300
    k = 2.0 * math.log(9.0) / SHADOW_TRANSITION_WIDTH_M
    assert out[1, 1] == pytest.approx(k / 4, rel=1e-6)  # slope of nu at the edge, per metre


def test_evaluator_rejects_mismatched_shapes() -> None:
    """r_sat and r_sun of different shapes are a ValueError."""
    with pytest.raises(ValueError, match="shape"):
        sunlit_fraction(np.zeros((2, 3)), np.zeros((3, 3)))
