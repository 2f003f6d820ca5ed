"""A lower bound on how long drag needs to bring an orbit down to a given radius.

The numerical propagator leaves its entry-interface events out of a run that no member can
reach them in (:mod:`.numerical`): each event is located in every step and costs about a
quarter of a J2 + drag step. With drag the question is how fast a member can decay. For a
near-circular orbit Gauss's equation gives ``da/dt = -k sqrt(mu a) g rho(h)`` with
``k = C_D A / m`` and ``g <= 1.13`` the co-rotating air's factor, so the time to fall from the
perigee height ``h_p`` to a height ``h_g`` is at least
``integral_{h_g}^{h_p} dh / (c rho(h))`` for any ``c`` above the true coefficient and any
``rho`` above the true density. The bound is given only where the density is known in
advance: a static exponential model (``rho0 exp(-(h - h0) / H)``, at heights over the
equatorial radius, which are never above the geodetic ones). A model driven by space weather
(MSIS, or a fit to it) has no such ceiling short of one so high (storms multiply the density at
400 km by five within a day) that the bound would rarely help. It takes

* ``c = 1.5 k sqrt(mu a)`` with ``k`` twice the member's ``C_D A / m`` at the start (drag
  areas that change with the Sun's angle stay within that);
* ``h_p``: the osculating perigee over the equatorial radius less 50 km (the J2/J3
  oscillations of the perigee and the lunisolar drift stay within it); only orbits of
  eccentricity below 0.05 are bounded at all;

and sums the integral from below (the integrand grows with height, so each 1 km cell is
counted at its lower end).
"""

from __future__ import annotations

import math

import numpy as np

from stationsim.constants import WGS84_A_M

__all__ = ["fall_time_lower_bound_s"]

_ECCENTRICITY_LIMIT = 0.05
_PERIGEE_MARGIN_M = 50e3
_RATE_FACTOR = 1.5
_AREA_FACTOR = 2.0
_CELL_M = 1e3


def fall_time_lower_bound_s(a_m: float, e: float, cd_area_per_kg: float, mu: float,
                            floor_radius_m: float,
                            exponential: tuple[float, float, float]) -> float:
    """A lower bound [s] on the time drag needs to bring an orbit of semi-major axis ``a_m``
    and eccentricity ``e`` down to ``floor_radius_m`` through the static exponential density
    ``exponential = (rho0 [kg/m^3], h0 [m], H [m])`` (module notes); ``0`` when no bound can
    be given."""
    if not (0.0 <= e < _ECCENTRICITY_LIMIT) or not cd_area_per_kg >= 0.0:
        return 0.0
    if cd_area_per_kg == 0.0:
        return math.inf
    top = a_m * (1.0 - e) - WGS84_A_M - _PERIGEE_MARGIN_M
    bottom = floor_radius_m - WGS84_A_M
    if top <= bottom:
        return 0.0
    h = np.arange(bottom, top, _CELL_M)
    rho0, h0, scale = exponential
    rho = rho0 * np.exp(-(h - h0) / scale)
    c = _RATE_FACTOR * _AREA_FACTOR * cd_area_per_kg * math.sqrt(mu * a_m)
    widths = np.diff(np.append(h, top))
    return float(np.sum(widths / (c * rho)))
