"""Solar radiation pressure on a cannonball, with a smooth cylindrical Earth shadow.

Every quantity is a heyoka expression, built once; NumPy evaluation compiles the very same
expression with :func:`heyoka.cfunc` (cached).

Units and frame: metres, seconds, m/s^2; GCRF axes, origin at the geocentre. Positions of the
satellite and of the Sun are geocentric (the Sun from :mod:`stationsim.forces.thirdbody`, or any
other source). No time argument: time enters only through the Sun's position.

Acceleration (Montenbruck & Gill, *Satellite Orbits*, 2000, sec. 3.4, with the satellite's
surface facing the Sun):

    a = nu * P_1au * (au / |d|)^2 * (C_R A / m) * d / |d|,    d = r_sat - r_sun,

pointing away from the Sun. ``P_1au`` = 1361 W/m^2 / c = 4.5398e-6 N/m^2
(:data:`stationsim.constants.SOLAR_RADIATION_PRESSURE_1AU_N_M2`); ``C_R A / m`` [m^2/kg] is an
expression argument, so that a propagator can make it a runtime parameter.

Shadow ``nu`` (0 in shadow, 1 in sunlight): a cylinder of radius ``R`` = WGS-84 equatorial
radius behind the Earth, along the Earth-Sun line. A Taylor integrator needs a smooth right-hand
side, so the edge is a logistic step rather than a jump:

    nu = 1 - sigmoid(k x) * sigmoid(-k p),   x = (R^2 - rho^2) / (2 R),   k = 2 ln 9 / w,

with ``p = r . s`` the distance along the Sun direction ``s`` (negative behind the Earth) and
``rho^2 = |r x s|^2`` the squared distance from the Earth-Sun line. ``x`` equals ``R - rho`` to
within ``(R - rho)^2 / 2R`` (8 m at 10 km from the edge) and, unlike ``rho`` itself, has no
kink on the axis, whose square root would spoil the Taylor coefficients there. ``nu`` is 0.5 on
the cylinder's surface, and goes from 0.1 to 0.9 over ``w`` in ``rho``
(:data:`SHADOW_TRANSITION_WIDTH_M`, 10 km). The day-side factor ``sigmoid(-k p)`` makes the
cylinder one-sided without a jump; for a satellite above 200 km and inside the cylinder,
``|p|`` exceeds 1,600 km, so the factor is 0 or 1 to the last bit.

Effect of the smoothing: a satellite at 420 km with the Sun in its orbital plane (beta = 0)
crosses the edge at ``d rho / dt`` = 2.65 km/s, so the 10-km 10-90 % transition lasts 3.8 s
(longer at higher beta, where the crossing is more oblique); the time in shadow is unchanged to
first order, since the step is symmetric about the edge. For comparison, the true penumbra at
that point of a LEO orbit (about 2,300 km behind the terminator, the Sun 0.53 deg wide) is
about 20 km wide, and the cylinder leaves it out altogether. The logistic's complex poles lie
``pi / k`` = 7 km from the edge, which bounds the Taylor integrator's steps near a crossing to
a few seconds.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import heyoka as hy
import numpy as np
from numpy.typing import ArrayLike

from stationsim.constants import (
    ASTRONOMICAL_UNIT_M,
    SOLAR_RADIATION_PRESSURE_1AU_N_M2,
    WGS84_A_M,
)
from stationsim.time.tables import FloatArray

__all__ = [
    "SHADOW_TRANSITION_WIDTH_M",
    "shadow_function",
    "srp_acceleration",
    "srp_acceleration_gcrf",
    "sunlit_fraction",
]

#: Distance in ``rho`` over which the shadow function goes from 0.1 to 0.9 [m].
SHADOW_TRANSITION_WIDTH_M = 10_000.0

# Logistic slope per unit width: sigmoid(+-ln 9) = 0.9, 0.1.
_SLOPE_TIMES_WIDTH = 2.0 * math.log(9.0)
# P_1au * au^2 [N]: the pressure at 1 au scaled to the inverse-square law.
_PRESSURE_AU2 = SOLAR_RADIATION_PRESSURE_1AU_N_M2 * ASTRONOMICAL_UNIT_M**2


# --- Expressions ---------------------------------------------------------------------------------

def shadow_function(
    r_sat: Sequence[hy.expression | float],
    r_sun: Sequence[hy.expression | float],
    width_m: float | hy.expression = SHADOW_TRANSITION_WIDTH_M,
) -> hy.expression:
    """Smooth cylindrical shadow factor ``nu`` (0 in shadow, 1 in sunlight; module docstring).

    ``r_sat``, ``r_sun``: geocentric positions [m]; ``width_m``: 10-90 % transition width [m].
    """
    r = [hy.expression(c) for c in r_sat]  # floats become constants
    s = [hy.expression(c) for c in r_sun]
    s2 = s[0] * s[0] + s[1] * s[1] + s[2] * s[2]
    along = (r[0] * s[0] + r[1] * s[1] + r[2] * s[2]) / hy.sqrt(s2)  # p = r . s_hat
    cross = [r[1] * s[2] - r[2] * s[1], r[2] * s[0] - r[0] * s[2], r[0] * s[1] - r[1] * s[0]]
    rho2 = (cross[0] * cross[0] + cross[1] * cross[1] + cross[2] * cross[2]) / s2
    slope = _SLOPE_TIMES_WIDTH / width_m
    inside = hy.sigmoid(slope * (WGS84_A_M**2 - rho2) / (2.0 * WGS84_A_M))
    behind = hy.sigmoid(-slope * along)
    return 1.0 - inside * behind


def srp_acceleration(
    r_sat: Sequence[hy.expression | float],
    r_sun: Sequence[hy.expression | float],
    cr_area_over_mass: float | hy.expression,
    width_m: float | hy.expression = SHADOW_TRANSITION_WIDTH_M,
) -> list[hy.expression]:
    """Cannonball solar radiation pressure acceleration [m/s^2], shadow included.

    ``r_sat``, ``r_sun``: geocentric positions [m]; ``cr_area_over_mass``: ``C_R A / m``
    [m^2/kg]; ``width_m``: the shadow's transition width [m] (:func:`shadow_function`).
    """
    d = [hy.expression(a) - b for a, b in zip(r_sat, r_sun, strict=True)]
    d2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2]
    nu = shadow_function(r_sat, r_sun, width_m)
    # nu * P au^2 / |d|^2 * (C_R A/m) * d / |d|.
    scale = nu * _PRESSURE_AU2 * cr_area_over_mass / (d2 * hy.sqrt(d2))
    return [scale * di for di in d]


# --- NumPy evaluation through heyoka.cfunc -------------------------------------------------------

@functools.cache
def _shadow_cfunc() -> hy.cfunc_dbl:
    variables = hy.make_vars("x", "y", "z", "sx", "sy", "sz")
    nu = shadow_function(variables[:3], variables[3:], hy.par[0])
    return hy.cfunc([nu], variables)


@functools.cache
def _srp_cfunc() -> hy.cfunc_dbl:
    variables = hy.make_vars("x", "y", "z", "sx", "sy", "sz")
    a = srp_acceleration(variables[:3], variables[3:], hy.par[0], hy.par[1])
    return hy.cfunc(a, variables)


def _stack_positions(r_sat: ArrayLike, r_sun: ArrayLike) -> FloatArray:
    r = np.asarray(r_sat, dtype=np.float64)
    s = np.asarray(r_sun, dtype=np.float64)
    if r.ndim != 2 or r.shape[1] != 3 or s.shape != r.shape:
        raise ValueError(f"r_sat and r_sun must both have shape (N, 3), got {r.shape}, {s.shape}")
    return np.ascontiguousarray(np.vstack([r.T, s.T]))


def sunlit_fraction(
    r_sat: ArrayLike, r_sun: ArrayLike, width_m: float = SHADOW_TRANSITION_WIDTH_M
) -> FloatArray:
    """Shadow factor ``nu`` (shape ``(N,)``) of :func:`shadow_function` at GCRF positions of the
    satellite and the Sun [m], both ``(N, 3)``; evaluated through a cached cfunc."""
    inputs = _stack_positions(r_sat, r_sun)
    pars = np.full((1, inputs.shape[1]), float(width_m))
    return np.ascontiguousarray(_shadow_cfunc()(inputs, pars=pars)[0])


def srp_acceleration_gcrf(
    r_sat: ArrayLike,
    r_sun: ArrayLike,
    cr_area_over_mass: ArrayLike,
    width_m: float = SHADOW_TRANSITION_WIDTH_M,
) -> FloatArray:
    """Acceleration [m/s^2], shape ``(N, 3)``, of :func:`srp_acceleration` at GCRF positions of
    the satellite and the Sun [m], both ``(N, 3)``; ``cr_area_over_mass`` [m^2/kg] is a scalar
    or one value per row. Evaluated through a cached cfunc."""
    inputs = _stack_positions(r_sat, r_sun)
    n = inputs.shape[1]
    pars = np.empty((2, n))
    pars[0] = np.broadcast_to(np.asarray(cr_area_over_mass, dtype=np.float64), (n,))
    pars[1] = float(width_m)
    return np.ascontiguousarray(_srp_cfunc()(inputs, pars=pars).T)
