"""Two-body orbits: Cartesian <-> classical elements, Kepler's equation, J2 secular drift.

Pure NumPy kernels on arrays (SI units: m, m/s, rad; any inertial frame). Used for window
sizing and ballistic-coefficient averaging (osculating elements), for the Kepler
validation of the numerical integrator, and for mean-altitude summaries. Formulas: D. A.
Vallado, *Fundamentals of Astrodynamics and Applications*, 4th ed. (2013), algorithms 9
(RV2COE) and 10 (COE2RV); J2 secular rates, eqs. 9-41 (node), 9-42 (perigee) and the mean
motion correction of Kozai (1959).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from stationsim.constants import GM_EARTH_M3_S2, J2_EARTH, WGS84_A_M
from stationsim.time.tables import FloatArray

__all__ = [
    "Elements",
    "elements_from_state",
    "j2_secular_rates",
    "solve_kepler",
    "state_from_elements",
]



@dataclass(frozen=True)
class Elements:
    """Classical osculating elements (arrays of one shape).

    Attributes: semi-major axis ``a_m``, eccentricity ``e``, inclination ``i_rad``, right
    ascension of the ascending node ``raan_rad``, argument of perigee ``argp_rad`` and mean
    anomaly ``m_rad``.
    """

    a_m: FloatArray
    e: FloatArray
    i_rad: FloatArray
    raan_rad: FloatArray
    argp_rad: FloatArray
    m_rad: FloatArray


def solve_kepler(mean_anomaly: ArrayLike, e: ArrayLike) -> FloatArray:
    """Eccentric anomaly [rad] from the mean anomaly [rad] for ``e < 1`` (Newton, to 1e-15)."""
    m_in = np.asarray(mean_anomaly, dtype=np.float64)
    ecc = np.asarray(e, dtype=np.float64)
    # Solve in [0, 2 pi): the start at pi for high e only converges there.
    turns = np.floor(m_in / (2.0 * np.pi))
    m = m_in - 2.0 * np.pi * turns
    big = np.where(ecc > 0.8, np.pi, m)
    ea = np.array(np.broadcast_to(big, np.broadcast_shapes(m.shape, ecc.shape)), copy=True)
    for _ in range(50):
        delta = (ea - ecc * np.sin(ea) - m) / (1.0 - ecc * np.cos(ea))
        ea = ea - delta
        if np.all(np.abs(delta) < 1e-15):
            break
    return np.asarray(ea + 2.0 * np.pi * turns)


def elements_from_state(r_m: ArrayLike, v_m_s: ArrayLike,
                        mu: float = GM_EARTH_M3_S2) -> Elements:
    """Osculating elements of elliptic states ``(..., 3)`` (circular and equatorial orbits get
    the conventional zero for the undefined angles)."""
    r = np.asarray(r_m, dtype=np.float64)
    v = np.asarray(v_m_s, dtype=np.float64)
    rn = np.linalg.norm(r, axis=-1)
    h = np.cross(r, v)
    hn = np.linalg.norm(h, axis=-1)
    node = np.stack([-h[..., 1], h[..., 0], np.zeros_like(hn)], axis=-1)
    nn = np.linalg.norm(node, axis=-1)
    ev = np.cross(v, h) / mu - r / rn[..., None]
    e = np.linalg.norm(ev, axis=-1)
    energy = 0.5 * np.sum(v * v, axis=-1) - mu / rn
    a = -mu / (2.0 * energy)
    # atan2, not arccos(h_z / h): arccos cannot resolve inclinations below ~1e-8 rad.
    inc = np.arctan2(np.hypot(h[..., 0], h[..., 1]), h[..., 2])
    safe_nn = np.where(nn > 0, nn, 1.0)
    n_hat = np.where((nn > 0)[..., None], node / safe_nn[..., None], [1.0, 0.0, 0.0])
    raan = np.mod(np.arctan2(n_hat[..., 1], n_hat[..., 0]), 2 * np.pi)
    # Angles in the orbit plane measured from the node line.
    w_hat = np.cross(h / hn[..., None], n_hat)
    u = np.arctan2(np.sum(r * w_hat, axis=-1), np.sum(r * n_hat, axis=-1))
    argp = np.where(e > 1e-12, np.arctan2(np.sum(ev * w_hat, axis=-1),
                                          np.sum(ev * n_hat, axis=-1)), 0.0)
    nu = u - argp
    ea = 2.0 * np.arctan2(np.sqrt(1.0 - e) * np.sin(nu / 2), np.sqrt(1.0 + e) * np.cos(nu / 2))
    ma = np.mod(ea - e * np.sin(ea), 2 * np.pi)
    return Elements(a, e, inc, raan, np.mod(argp, 2 * np.pi), ma)


def state_from_elements(el: Elements, mu: float = GM_EARTH_M3_S2
                        ) -> tuple[FloatArray, FloatArray]:
    """Position [m] and velocity [m/s], shape ``(..., 3)``, of elliptic elements."""
    e = np.asarray(el.e, dtype=np.float64)
    a = np.asarray(el.a_m, dtype=np.float64)
    ea = solve_kepler(el.m_rad, e)
    cos_e, sin_e = np.cos(ea), np.sin(ea)
    b = np.sqrt(1.0 - e * e)
    rn = a * (1.0 - e * cos_e)
    # Perifocal frame.
    xp, yp = a * (cos_e - e), a * b * sin_e
    rate = np.sqrt(mu / a) / rn * a
    vxp, vyp = -rate * sin_e, rate * b * cos_e
    co, so = np.cos(el.raan_rad), np.sin(el.raan_rad)
    cw, sw = np.cos(el.argp_rad), np.sin(el.argp_rad)
    ci, si = np.cos(el.i_rad), np.sin(el.i_rad)
    p = np.stack([co * cw - so * sw * ci, so * cw + co * sw * ci, sw * si], axis=-1)
    q = np.stack([-co * sw - so * cw * ci, -so * sw + co * cw * ci, cw * si], axis=-1)
    r = xp[..., None] * p + yp[..., None] * q
    v = vxp[..., None] * p + vyp[..., None] * q
    return np.asarray(r), np.asarray(v)


def j2_secular_rates(a_m: ArrayLike, e: ArrayLike, i_rad: ArrayLike, mu: float = GM_EARTH_M3_S2,
                     radius_m: float = WGS84_A_M, j2: float = J2_EARTH
                     ) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Secular rates [rad/s] of the node, the argument of perigee and the mean anomaly."""
    a = np.asarray(a_m, dtype=np.float64)
    ecc = np.asarray(e, dtype=np.float64)
    inc = np.asarray(i_rad, dtype=np.float64)
    n = np.sqrt(mu / a ** 3)
    p = a * (1.0 - ecc * ecc)
    k = 1.5 * j2 * (radius_m / p) ** 2 * n
    ci = np.cos(inc)
    raan_dot = -k * ci
    argp_dot = 0.5 * k * (5.0 * ci * ci - 1.0)
    m_dot = n + 0.5 * k * np.sqrt(1.0 - ecc * ecc) * (3.0 * ci * ci - 1.0)
    return np.asarray(raan_dot), np.asarray(argp_dot), np.asarray(m_dot)
