"""The Sun and the Moon as third bodies: geocentric positions and point-mass perturbations.

Every quantity is a heyoka expression, built once; NumPy evaluation compiles the very same
expression with :func:`heyoka.cfunc` (cached per truncation threshold).

Units and frame: metres, seconds, m/s^2; GCRF axes (the ICRS axes, origin at the geocentre).

Time: the argument ``jc_tdb`` is an expression for Julian centuries of TDB since J2000.0
(JD 2451545.0 TDB); in a propagator it is ``par[k] + heyoka.time / (86400 * 36525)``. TT may
stand in for TDB: they differ by less than 1.7 ms, in which the Moon moves less than 2 m and
the Sun's direction turns by 7e-5 arcsec.

Sources:

* Moon: the ELP2000 lunar theory (Chapront-Touze & Chapront), as heyoka implements it
  (:func:`heyoka.model.elp2000_cartesian_fk5`: km, mean equator and equinox of J2000, i.e. FK5
  J2000), turned into the ICRS axes by the constant rotation
  :func:`heyoka.model.rot_fk5j2000_icrs` (32 mas in all: 19.9, 9.1 and 22.9 mas about x, y,
  z), then scaled to metres.
* Sun: VSOP2013 (Simon et al. 2013, A&A 557, A49) through
  :func:`heyoka.model.vsop2013_cartesian_icrf`, whose argument is Julian *millennia* TDB. VSOP
  is heliocentric, so the solar-system barycentre (up to about 0.01 au from the Sun's centre)
  never enters: the geocentric Sun is minus the heliocentric Earth. VSOP2013 gives the
  Earth-Moon barycentre (body 3); the Earth is ``r_EMB - mu / (1 + mu) * r_Moon`` with ``mu``
  the Moon-Earth mass ratio, a shift of up to 4,900 km (6.8 arcsec seen from the Sun). Both
  vectors are geometric (no light time, no aberration).

Truncation (measured against JPL DE421 at 2,000 random epochs, 1990-2049; "ops": length of
heyoka's cfunc decomposition, compact / non-compact mode; the Sun's count includes the Moon it
needs, which the Moon's own acceleration then shares):

==============  ==========  =============================================  ===========
series          threshold   largest error                                  ops
==============  ==========  =============================================  ===========
ELP2000 Moon    1e-5        40.6 km, 1.1e-4 of the distance, 22.6 arcsec  191 / 923
ELP2000 Moon    **3e-6**    17.6 km, 4.9e-5, 10.1 arcsec                   277 / 1390
ELP2000 Moon    1e-6        8.0 km, 2.2e-5, 4.1 arcsec                     351 / 2065
VSOP2013 Sun    1e-5        10.6 arcsec, 3,500 km (2.3e-5)                 318 / 1554
VSOP2013 Sun    3e-6        5.5 arcsec, 1,900 km (1.3e-5)                  352 / 1673
VSOP2013 Sun    **1e-6**    2.1 arcsec, 890 km (6.0e-6)                    396 / 1823
VSOP2013 Sun    1e-7        0.33 arcsec, 165 km (1.1e-6)                   634 / 2782
==============  ==========  =============================================  ===========

The chosen pair (bold) keeps the Sun's direction within the 10 arcsec target with room to
spare (the shadow's edge then moves by 70 m at LEO) and the Moon within the 1e-4 target. In
LEO the Sun-plus-Moon acceleration then differs from the same formula with DE421's positions
by at most 1.05e-10 m/s^2, 1.1e-4 of the total, nearly all of it from the Moon. Going further
costs more than it gains: the untruncated ELP2000 (22,000 ops, 80 s to compile) is still 0.9
km from DE421.

The third-body acceleration uses Battin's ``f(q)`` so that the direct and indirect terms,
which nearly cancel for a near-Earth satellite, are never subtracted (see
:func:`third_body_acceleration`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import heyoka as hy
import numpy as np
from numpy.typing import ArrayLike

from stationsim.constants import (
    ASTRONOMICAL_UNIT_M,
    GM_MOON_M3_S2,
    GM_SUN_M3_S2,
    JD_J2000,
    MOON_EARTH_MASS_RATIO,
)
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

# The GM constants are re-exported so that callers take the bodies' values from one place.
__all__ = [
    "GM_MOON_M3_S2",
    "GM_SUN_M3_S2",
    "MOON_ELP2000_THRESHOLD",
    "SUN_VSOP2013_THRESHOLD",
    "julian_centuries_tt",
    "moon_position_gcrf",
    "sun_moon_acceleration",
    "sun_moon_positions_gcrf",
    "sun_position_gcrf",
    "third_body_acceleration",
    "third_body_acceleration_gcrf",
]

#: ELP2000 truncation threshold: 17.6 km (4.9e-5) from DE421 at worst, 1990-2049.
MOON_ELP2000_THRESHOLD = 3e-6
#: VSOP2013 truncation threshold: 2.1 arcsec in direction from DE421 at worst, 1990-2049.
SUN_VSOP2013_THRESHOLD = 1e-6

_DAYS_PER_CENTURY = 36_525.0
_CENTURIES_PER_MILLENNIUM = 10.0
# Fraction of the Earth-Moon distance from the Earth to the Earth-Moon barycentre.
_MOON_SHARE = MOON_EARTH_MASS_RATIO / (1.0 + MOON_EARTH_MASS_RATIO)


# --- Expressions ---------------------------------------------------------------------------------

def moon_position_gcrf(
    jc_tdb: hy.expression, thresh: float = MOON_ELP2000_THRESHOLD
) -> list[hy.expression]:
    """Geocentric position of the Moon [m], GCRF axes, from ELP2000 truncated at ``thresh``.

    ``jc_tdb``: Julian centuries TDB since J2000.0 (TT will do).
    """
    fk5_km = hy.model.elp2000_cartesian_fk5(jc_tdb, thresh=thresh)
    return [1000.0 * c for c in hy.model.rot_fk5j2000_icrs(fk5_km)]


def sun_position_gcrf(
    jc_tdb: hy.expression,
    thresh: float = SUN_VSOP2013_THRESHOLD,
    moon_thresh: float = MOON_ELP2000_THRESHOLD,
) -> list[hy.expression]:
    """Geocentric position of the Sun [m], GCRF axes: minus the heliocentric Earth.

    The Earth-Moon barycentre comes from VSOP2013 truncated at ``thresh``; the Earth's offset
    from it uses the Moon of :func:`moon_position_gcrf` at ``moon_thresh``, by default the same
    expression as the Moon's own, which heyoka then evaluates once for both.
    """
    emb_au = hy.model.vsop2013_cartesian_icrf(
        3, jc_tdb / _CENTURIES_PER_MILLENNIUM, thresh=thresh)[:3]
    moon_m = moon_position_gcrf(jc_tdb, moon_thresh)
    # r_Sun = -r_Earth = -(r_EMB - share * r_Moon), heliocentric vectors.
    return [_MOON_SHARE * m - ASTRONOMICAL_UNIT_M * e for e, m in zip(emb_au, moon_m, strict=True)]


def third_body_acceleration(
    r_sat: Sequence[hy.expression | float],
    r_body: Sequence[hy.expression | float],
    mu_body: float | hy.expression,
) -> list[hy.expression]:
    """Perturbing acceleration [m/s^2] of a point mass on a geocentric satellite.

    ``a = mu [(r_b - r) / |r_b - r|^3 - r_b / |r_b|^3]``: the body's pull on the satellite less
    its pull on the Earth (the indirect term, since the frame's origin is the geocentre;
    Montenbruck & Gill, *Satellite Orbits*, 2000, sec. 3.3).

    For a near-Earth satellite the two terms agree to a part in ``|r_b| / |r|`` (2e4 for the
    Sun in LEO), and subtracting them would lose that many units of the last place. The
    function ``f(q)`` that Battin introduces for Encke's method (*An Introduction to the
    Mathematics and Methods of Astrodynamics*, rev. ed. 1999, ch. 8) removes the subtraction:
    with ``d = r_b - r``, ``q = r . (r - 2 r_b) / |r_b|^2`` (so that ``|d|^2 = |r_b|^2 (1 + q)``)
    and

        f(q) = (1 + q)^(3/2) - 1 = q (3 + 3q + q^2) / (1 + (1 + q)^(3/2)),

    ``a = -mu / |d|^3 (r + f(q) r_b)``. Every operation is then accurate to a few units in the
    last place relative to the result (``|r + f r_b| >= |r|`` to first order), whatever the
    ratio of distances.

    ``r_sat``, ``r_body``: geocentric positions [m]; ``mu_body``: GM [m^3/s^2].
    """
    r = [hy.expression(c) for c in r_sat]  # floats become constants
    rb = [hy.expression(c) for c in r_body]
    rb2 = _dot(rb, rb)
    q = (_dot(r, r) - 2.0 * _dot(r, rb)) / rb2
    one_q = 1.0 + q
    one_q_32 = one_q * hy.sqrt(one_q)  # (|d| / |r_b|)^3
    f = q * (3.0 + q * (3.0 + q)) / (1.0 + one_q_32)
    scale = -mu_body / (rb2 * hy.sqrt(rb2) * one_q_32)  # -mu / |d|^3
    return [scale * (ri + f * rbi) for ri, rbi in zip(r, rb, strict=True)]


def sun_moon_acceleration(
    r_sat: Sequence[hy.expression | float],
    jc_tdb: hy.expression,
    sun_thresh: float = SUN_VSOP2013_THRESHOLD,
    moon_thresh: float = MOON_ELP2000_THRESHOLD,
) -> list[hy.expression]:
    """Sum of the solar and lunar third-body accelerations [m/s^2] on a GCRF position [m]."""
    r_moon = moon_position_gcrf(jc_tdb, moon_thresh)
    r_sun = sun_position_gcrf(jc_tdb, sun_thresh, moon_thresh)
    a_moon = third_body_acceleration(r_sat, r_moon, GM_MOON_M3_S2)
    a_sun = third_body_acceleration(r_sat, r_sun, GM_SUN_M3_S2)
    return [s + m for s, m in zip(a_sun, a_moon, strict=True)]


def _dot(a: Sequence[hy.expression], b: Sequence[hy.expression]) -> hy.expression:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


# --- NumPy evaluation through heyoka.cfunc -------------------------------------------------------

def julian_centuries_tt(epoch: Epoch) -> FloatArray:
    """Julian centuries of TT since J2000.0, the stand-in for ``jc_tdb`` (shape of ``epoch``)."""
    jd1, jd2 = epoch.tt
    return np.asarray(((jd1 - JD_J2000) + jd2) / _DAYS_PER_CENTURY, dtype=np.float64)


@functools.cache
def _positions_cfunc(sun_thresh: float, moon_thresh: float) -> hy.cfunc_dbl:
    jc = hy.expression("jc_tdb")
    outputs = (sun_position_gcrf(jc, sun_thresh, moon_thresh)
               + moon_position_gcrf(jc, moon_thresh))
    # Compact mode compiles in half the time (0.15 s against 0.33 s for the acceleration) and
    # evaluates 25 % slower (170 against 130 ns per row): the right trade for NumPy callers.
    return hy.cfunc(outputs, [jc], compact_mode=True)


@functools.cache
def _acceleration_cfunc(sun_thresh: float, moon_thresh: float) -> hy.cfunc_dbl:
    x, y, z, jc = hy.make_vars("x", "y", "z", "jc_tdb")
    outputs = sun_moon_acceleration([x, y, z], jc, sun_thresh, moon_thresh)
    return hy.cfunc(outputs, [x, y, z, jc], compact_mode=True)


def sun_moon_positions_gcrf(
    jc_tdb: ArrayLike,
    sun_thresh: float = SUN_VSOP2013_THRESHOLD,
    moon_thresh: float = MOON_ELP2000_THRESHOLD,
) -> tuple[FloatArray, FloatArray]:
    """Geocentric Sun and Moon [m], GCRF, at ``jc_tdb`` (shape ``(N,)``): two ``(N, 3)`` arrays.

    Evaluates :func:`sun_position_gcrf` and :func:`moon_position_gcrf` through a cached cfunc.
    """
    jc = np.ascontiguousarray(np.atleast_1d(np.asarray(jc_tdb, dtype=np.float64)))
    if jc.ndim != 1:
        raise ValueError(f"jc_tdb must be one-dimensional, got shape {jc.shape}")
    out = _positions_cfunc(float(sun_thresh), float(moon_thresh))(jc[np.newaxis, :])
    return np.ascontiguousarray(out[:3].T), np.ascontiguousarray(out[3:].T)


def third_body_acceleration_gcrf(
    r_sat: ArrayLike,
    jc_tdb: ArrayLike,
    sun_thresh: float = SUN_VSOP2013_THRESHOLD,
    moon_thresh: float = MOON_ELP2000_THRESHOLD,
) -> FloatArray:
    """Solar plus lunar perturbation [m/s^2], shape ``(N, 3)``, on GCRF positions ``r_sat``
    [m] (``(N, 3)``) at ``jc_tdb`` (``(N,)``, or a scalar for all rows).

    Evaluates :func:`sun_moon_acceleration` through a cached cfunc.
    """
    r = np.asarray(r_sat, dtype=np.float64)
    if r.ndim != 2 or r.shape[1] != 3:
        raise ValueError(f"r_sat must have shape (N, 3), got {r.shape}")
    jc = np.broadcast_to(np.asarray(jc_tdb, dtype=np.float64), (r.shape[0],))
    inputs = np.ascontiguousarray(np.vstack([r.T, jc[np.newaxis, :]]))
    out = _acceleration_cfunc(float(sun_thresh), float(moon_thresh))(inputs)
    return np.ascontiguousarray(out.T)
