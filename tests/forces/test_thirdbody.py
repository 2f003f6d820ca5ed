"""The Sun and Moon of ``forces.thirdbody`` against JPL DE421, and the third-body acceleration
against the textbook formula evaluated in extended precision.

References: JPL DE421 (Folkner, Williams & Boggs 2009) through jplephem's ``Ephemeris`` and the
``de421`` package (km, ICRF, TDB; geocentric Sun = Sun - Earth, Earth = EMB - Moon / (1 +
EMRAT), geometric); the direct-minus-indirect formula (Montenbruck & Gill, *Satellite Orbits*,
2000, sec. 3.3) in 50-digit decimal arithmetic; Montenbruck & Gill fig. 3.1 for magnitudes.
The module's cfuncs compile once per session (0.15 s and 0.1 s, cached by the module).
"""

from __future__ import annotations

import warnings
from decimal import Decimal, localcontext

import heyoka as hy
import numpy as np
import pytest

from stationsim.constants import GM_MOON_M3_S2, GM_SUN_M3_S2, JD_J2000, WGS84_A_M
from stationsim.errors import StaleTableWarning
from stationsim.forces.sun import sun_position_gcrf as low_precision_sun
from stationsim.forces.thirdbody import (
    julian_centuries_tt,
    sun_moon_positions_gcrf,
    third_body_acceleration,
    third_body_acceleration_gcrf,
)
from stationsim.time import Timescale

de421 = pytest.importorskip("de421")
jplephem = pytest.importorskip("jplephem")

ARCSEC = np.pi / (180.0 * 3600.0)
# 200 TDB epochs, 1990-01-01 to 2049-12-31, spaced 109.6 d so the hour of day varies.
JD_TDB = np.linspace(2_447_892.5, 2_469_807.0, 200)


@pytest.fixture(scope="module")
def de421_sun_moon() -> tuple[np.ndarray, np.ndarray]:
    """Geocentric Sun and Moon [m] from DE421 at ``JD_TDB``."""
    eph = jplephem.Ephemeris(de421)
    moon = eph.position("moon", JD_TDB).T * 1e3
    emb = eph.position("earthmoon", JD_TDB).T * 1e3
    earth = emb - moon * eph.earth_share  # earth_share = 1 / (1 + EMRAT)
    sun = eph.position("sun", JD_TDB).T * 1e3 - earth
    return sun, moon


def _angle_arcsec(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    sin = np.linalg.norm(np.cross(a, b), axis=-1)
    return np.arctan2(sin, np.sum(a * b, axis=-1)) / ARCSEC


def _naive_exact(r: np.ndarray, rb: np.ndarray, mu: float) -> np.ndarray:
    """mu [(rb - r) / |rb - r|^3 - rb / |rb|^3] for each row, in 50-digit decimals, rounded
    once to double at the end (the inputs are exact doubles)."""
    out = np.empty(r.shape)
    with localcontext() as ctx:
        ctx.prec = 50
        gm = Decimal(mu)
        for i in range(r.shape[0]):
            ri = [Decimal(float(x)) for x in r[i]]
            bi = [Decimal(float(x)) for x in rb[i]]
            d = [b - a for a, b in zip(ri, bi, strict=True)]
            d3 = sum(x * x for x in d).sqrt() ** 3
            b3 = sum(x * x for x in bi).sqrt() ** 3
            out[i] = [float(gm * (dk / d3 - bk / b3)) for dk, bk in zip(d, bi, strict=True)]
    return out


def test_sun_and_moon_match_de421(de421_sun_moon: tuple[np.ndarray, np.ndarray]) -> None:
    """Sun: direction within 2.5 arcsec (measured 1.97), distance within 8e-6 (measured
    5.5e-6, 800 km). Moon: position within 20 km (measured 13.7), 5e-5 of the distance
    (measured 3.7e-5), direction within 9 arcsec (measured 6.8). 200 epochs, 1990-2049, TDB."""
    ref_sun, ref_moon = de421_sun_moon
    sun, moon = sun_moon_positions_gcrf((JD_TDB - JD_J2000) / 36_525.0)
    assert sun.shape == moon.shape == (200, 3)
    sun_angle = _angle_arcsec(sun, ref_sun)
    sun_dist = np.abs(np.linalg.norm(sun, axis=1) / np.linalg.norm(ref_sun, axis=1) - 1)
    moon_err = np.linalg.norm(moon - ref_moon, axis=1)
    moon_rel = moon_err / np.linalg.norm(ref_moon, axis=1)
    moon_angle = _angle_arcsec(moon, ref_moon)
    assert np.max(sun_angle) < 2.5
    assert np.max(sun_dist) < 8e-6
    assert np.max(moon_err) < 20e3
    assert np.max(moon_rel) < 5e-5
    assert np.max(moon_angle) < 9.0


def test_low_precision_sun_agrees(ts: Timescale) -> None:
    """``forces.sun.sun_position_gcrf`` (Almanac formula, 0.01 deg) against the VSOP2013 Sun
    at 200 epochs, 1990-2049: within 0.015 deg (measured 0.0112) and 2e-4 in distance
    (measured 7.2e-5), the bounds of ``test_sun.py``. TT passed as TDB."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleTableWarning)  # beyond the leap-second table
        epoch = ts.from_mjd_utc(np.linspace(47_892.0, 69_806.0, 200))
        low = low_precision_sun(epoch)
    sun, _ = sun_moon_positions_gcrf(julian_centuries_tt(epoch))
    assert np.max(_angle_arcsec(low, sun)) / 3600.0 < 0.015
    ratio = np.linalg.norm(low, axis=1) / np.linalg.norm(sun, axis=1)
    assert np.max(np.abs(ratio - 1)) < 2e-4


def test_stable_form_matches_extended_precision() -> None:
    """Battin's form in double against the naive formula in 50-digit decimals, 2,000
    satellites from 200 km to GEO against a Sun-like and a Moon-like body: relative error
    (vector norm) below 5e-15 (measured 1.2e-15 and 1.1e-15). The naive formula in double errs
    by up to 1.2e-11 for the Sun (measured, not asserted); NumPy's 80-bit long double, by 1e-14."""
    rng = np.random.default_rng(7)
    n = 2_000
    directions = rng.normal(size=(n, 3))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    r = directions * rng.uniform(WGS84_A_M + 200e3, 42_164e3, (n, 1))
    body_dir = rng.normal(size=(n, 3))
    body_dir /= np.linalg.norm(body_dir, axis=1, keepdims=True)
    variables = hy.make_vars("x", "y", "z", "bx", "by", "bz")
    cf = hy.cfunc(third_body_acceleration(variables[:3], variables[3:], hy.par[0]), variables)
    for distance, mu in ((1.496e11, GM_SUN_M3_S2), (3.844e8, GM_MOON_M3_S2)):
        rb = body_dir * distance
        ours = cf(np.ascontiguousarray(np.hstack([r, rb]).T), pars=np.full((1, n), mu)).T
        ref = _naive_exact(r, rb, mu)
        rel = np.linalg.norm(ours - ref, axis=1) / np.linalg.norm(ref, axis=1)
        assert np.max(rel) < 5e-15


def test_third_body_acceleration_gcrf_matches_de421(
    de421_sun_moon: tuple[np.ndarray, np.ndarray],
) -> None:
    """Sun + Moon on satellites at 420 km in random directions, with our ephemerides, against
    the naive formula in decimals with DE421's: within 1.5e-10 m/s^2 (measured 1.05e-10, of
    which the Sun's part is 9e-12), at most 1.1e-4 of the total (up to 1.7e-6 m/s^2)."""
    ref_sun, ref_moon = de421_sun_moon
    rng = np.random.default_rng(3)
    r = rng.normal(size=(200, 3))
    r *= (WGS84_A_M + 420e3) / np.linalg.norm(r, axis=1, keepdims=True)
    ours = third_body_acceleration_gcrf(r, (JD_TDB - JD_J2000) / 36_525.0)
    ref = _naive_exact(r, ref_sun, GM_SUN_M3_S2) + _naive_exact(r, ref_moon, GM_MOON_M3_S2)
    err = np.linalg.norm(ours - ref, axis=1)
    assert np.max(err) < 1.5e-10
    assert np.max(np.linalg.norm(ref, axis=1)) < 2.5e-6


def test_magnitudes_at_iss_altitude(de421_sun_moon: tuple[np.ndarray, np.ndarray]) -> None:
    """At 420 km on the Earth-body line, the tidal acceleration 2 mu r / d^3 is, for the Moon,
    1.02e-6 to 1.40e-6 m/s^2 and, for the Sun, 5.1e-7 to 5.7e-7 m/s^2 (Montenbruck & Gill,
    fig. 3.1: ~1e-6 and ~5e-7). Bounds [8e-7, 2e-6] and [4e-7, 7e-7] m/s^2, evaluated with
    the module's own ephemerides and formula, one body at a time."""
    sun, moon = sun_moon_positions_gcrf((JD_TDB - JD_J2000) / 36_525.0)
    variables = hy.make_vars("x", "y", "z", "bx", "by", "bz")
    cf = hy.cfunc(third_body_acceleration(variables[:3], variables[3:], hy.par[0]), variables)
    for body, mu, low, high in ((moon, GM_MOON_M3_S2, 8e-7, 2e-6),
                                (sun, GM_SUN_M3_S2, 4e-7, 7e-7)):
        r = body / np.linalg.norm(body, axis=1, keepdims=True) * (WGS84_A_M + 420e3)
        acc = cf(np.ascontiguousarray(np.hstack([r, body]).T), pars=np.full((1, 200), mu)).T
        magnitude = np.linalg.norm(acc, axis=1)
        assert low < np.min(magnitude) and np.max(magnitude) < high
        # The near-side tide points away from the Earth, toward the body.
        assert np.all(np.sum(acc * r, axis=1) > 0)


def test_evaluator_shapes_and_errors() -> None:
    """A scalar time applies to every row; a wrong position shape is a ValueError."""
    r = np.array([[7e6, 0.0, 0.0], [0.0, 7e6, 0.0]])
    both = third_body_acceleration_gcrf(r, 0.25)
    one = third_body_acceleration_gcrf(r[1:], [0.25])
    assert both.shape == (2, 3)
    np.testing.assert_array_equal(both[1:], one)
    with pytest.raises(ValueError, match="shape"):
        third_body_acceleration_gcrf(r[0], 0.25)
