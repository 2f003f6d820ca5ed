"""Fast density models: the exponential atmosphere and the modified Harris-Priester model.

Both are pure functions on arrays of heights above the WGS-84 ellipsoid [m] (and, for
Harris-Priester, GCRF directions) giving mass density [kg/m^3]. They carry no space weather:
use them for quick studies, tests and bounds, and MSIS (:mod:`.atmosphere_msis`) for predictions.

Exponential atmosphere: D. A. Vallado, *Fundamentals of Astrodynamics and Applications*, 4th ed.
(Microcosm Press, 2013), Table 8-4 "Exponential atmospheric model", after Wertz (1978): in each
band ``rho = rho0 exp(-(h - h0) / H)`` with the band's base height ``h0``, nominal density
``rho0`` and scale height ``H``; the last band (from 1,000 km) extends upward. The scale
heights follow from consecutive nodes, so the profile is continuous to the table's 4 digits
(jumps below 1e-4) except at 25 km, where it steps up by 0.14 %.

Harris-Priester: O. Montenbruck and E. Gill, *Satellite Orbits* (Springer, 2000), sect. 3.5.2
and Table 3.8 (minimum and maximum densities for mean solar activity, 100-1,000 km). Between
the table's heights each of the two profiles is interpolated exponentially; the diurnal bulge
is modelled as ``rho = rho_min + (rho_max - rho_min) cos^n(psi / 2)``, with ``psi`` the angle
between the satellite and the apex of the bulge, which lies at the Sun's declination and 30
degrees east of it in right ascension (the ~2 h lag of the afternoon maximum). Montenbruck and
Gill recommend ``n = 2`` for low-inclination and ``n = 6`` for polar orbits.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from stationsim.forces.atmosphere_msis import AtmosphereInputError
from stationsim.time.tables import FloatArray

__all__ = [
    "EXPONENTIAL_TABLE",
    "HARRIS_PRIESTER_LAG_RAD",
    "HARRIS_PRIESTER_TABLE",
    "exponential_density",
    "harris_priester_density",
]

#: Vallado (2013) Table 8-4: base height [km], nominal density [kg/m^3], scale height [km].
EXPONENTIAL_TABLE = np.array([
    (0.0, 1.225, 7.249),
    (25.0, 3.899e-2, 6.349),
    (30.0, 1.774e-2, 6.682),
    (40.0, 3.972e-3, 7.554),
    (50.0, 1.057e-3, 8.382),
    (60.0, 3.206e-4, 7.714),
    (70.0, 8.770e-5, 6.549),
    (80.0, 1.905e-5, 5.799),
    (90.0, 3.396e-6, 5.382),
    (100.0, 5.297e-7, 5.877),
    (110.0, 9.661e-8, 7.263),
    (120.0, 2.438e-8, 9.473),
    (130.0, 8.484e-9, 12.636),
    (140.0, 3.845e-9, 16.149),
    (150.0, 2.070e-9, 22.523),
    (180.0, 5.464e-10, 29.740),
    (200.0, 2.789e-10, 37.105),
    (250.0, 7.248e-11, 45.546),
    (300.0, 2.418e-11, 53.628),
    (350.0, 9.518e-12, 53.298),
    (400.0, 3.725e-12, 58.515),
    (450.0, 1.585e-12, 60.828),
    (500.0, 6.967e-13, 63.822),
    (600.0, 1.454e-13, 71.835),
    (700.0, 3.614e-14, 88.667),
    (800.0, 1.170e-14, 124.64),
    (900.0, 5.245e-15, 181.05),
    (1000.0, 3.019e-15, 268.00),
])

#: Montenbruck & Gill (2000) Table 3.8: height [km], minimum and maximum density [g/km^3]
#: (numerically 1e-12 kg/m^3), mean solar activity.
HARRIS_PRIESTER_TABLE = np.array([
    (100.0, 4.974e05, 4.974e05), (120.0, 2.490e04, 2.490e04), (130.0, 8.377e03, 8.710e03),
    (140.0, 3.899e03, 4.059e03), (150.0, 2.122e03, 2.215e03), (160.0, 1.263e03, 1.344e03),
    (170.0, 8.008e02, 8.758e02), (180.0, 5.283e02, 6.010e02), (190.0, 3.617e02, 4.297e02),
    (200.0, 2.557e02, 3.162e02), (210.0, 1.839e02, 2.396e02), (220.0, 1.341e02, 1.853e02),
    (230.0, 9.949e01, 1.455e02), (240.0, 7.488e01, 1.157e02), (250.0, 5.709e01, 9.308e01),
    (260.0, 4.403e01, 7.555e01), (270.0, 3.430e01, 6.182e01), (280.0, 2.697e01, 5.095e01),
    (290.0, 2.139e01, 4.226e01), (300.0, 1.708e01, 3.526e01), (320.0, 1.099e01, 2.511e01),
    (340.0, 7.214e00, 1.819e01), (360.0, 4.824e00, 1.337e01), (380.0, 3.274e00, 9.955e00),
    (400.0, 2.249e00, 7.492e00), (420.0, 1.558e00, 5.684e00), (440.0, 1.091e00, 4.355e00),
    (460.0, 7.701e-01, 3.362e00), (480.0, 5.474e-01, 2.612e00), (500.0, 3.916e-01, 2.042e00),
    (520.0, 2.819e-01, 1.605e00), (540.0, 2.042e-01, 1.267e00), (560.0, 1.488e-01, 1.005e00),
    (580.0, 1.092e-01, 7.997e-01), (600.0, 8.070e-02, 6.390e-01), (620.0, 6.012e-02, 5.123e-01),
    (640.0, 4.519e-02, 4.121e-01), (660.0, 3.430e-02, 3.325e-01), (680.0, 2.632e-02, 2.691e-01),
    (700.0, 2.043e-02, 2.185e-01), (720.0, 1.607e-02, 1.779e-01), (740.0, 1.281e-02, 1.452e-01),
    (760.0, 1.036e-02, 1.190e-01), (780.0, 8.496e-03, 9.776e-02), (800.0, 7.069e-03, 8.059e-02),
    (840.0, 4.680e-03, 5.741e-02), (880.0, 3.200e-03, 4.210e-02), (920.0, 2.210e-03, 3.130e-02),
    (960.0, 1.560e-03, 2.360e-02), (1000.0, 1.150e-03, 1.810e-02),
])

#: Lag of the bulge's apex behind the Sun in right ascension: 30 degrees (M&G 2000, sect. 3.5.2).
HARRIS_PRIESTER_LAG_RAD = np.radians(30.0)

_KM = 1000.0
_G_PER_KM3 = 1e-12  # 1 g/km^3 in kg/m^3


def exponential_density(height_m: ArrayLike) -> FloatArray:
    """Density [kg/m^3] of Vallado's exponential atmosphere at heights [m] above the WGS-84
    ellipsoid (any shape; 0 m and up).

    Raises:
        AtmosphereInputError: a non-finite or negative height.
    """
    h_km = _heights_km(height_m, 0.0, np.inf, "the exponential atmosphere (0 km and up)")
    base, rho0, scale = EXPONENTIAL_TABLE.T
    band = np.searchsorted(base, h_km, side="right") - 1
    return np.asarray(rho0[band] * np.exp(-(h_km - base[band]) / scale[band]))


def harris_priester_density(
    height_m: ArrayLike,
    r_gcrf_m: ArrayLike,
    r_sun_gcrf_m: ArrayLike,
    *,
    n: float,
) -> FloatArray:
    """Density [kg/m^3] of the modified Harris-Priester model (Montenbruck & Gill 2000).

    Args:
        height_m: height above the WGS-84 ellipsoid [m], shape ``S``, 100 to 1,000 km.
        r_gcrf_m: the satellite's GCRF position [m], shape ``S + (3,)`` (only its direction
            is used, to place it relative to the diurnal bulge).
        r_sun_gcrf_m: the Sun's geocentric GCRF position [m], broadcastable to ``S + (3,)``
            (e.g. from :func:`stationsim.forces.sun.sun_position_gcrf`).
        n: exponent of ``cos(psi / 2)``: 2 for low-inclination orbits, 6 for polar ones.

    Raises:
        AtmosphereInputError: a height outside 100-1,000 km, a non-finite input or ``n <= 0``.
    """
    if not np.isfinite(n) or n <= 0:
        raise AtmosphereInputError("the Harris-Priester exponent must be positive",
                                   expected="n > 0 (2 low inclination to 6 polar)", found=f"{n}")
    h_km = _heights_km(height_m, 100.0, 1000.0, "the Harris-Priester model (100 to 1,000 km)")
    r = np.asarray(r_gcrf_m, dtype=np.float64)
    sun = np.asarray(r_sun_gcrf_m, dtype=np.float64)
    if not (np.all(np.isfinite(r)) and np.all(np.isfinite(sun))):
        raise AtmosphereInputError("positions must be finite", found="NaN or infinity")
    # Apex of the bulge: the Sun's direction turned 30 degrees eastward about the z axis.
    c, s = np.cos(HARRIS_PRIESTER_LAG_RAD), np.sin(HARRIS_PRIESTER_LAG_RAD)
    apex = np.stack([c * sun[..., 0] - s * sun[..., 1], s * sun[..., 0] + c * sun[..., 1],
                     sun[..., 2]], axis=-1)
    apex = apex / np.linalg.norm(apex, axis=-1, keepdims=True)
    cos_psi = np.sum(r * apex, axis=-1) / np.linalg.norm(r, axis=-1)
    # cos^n(psi/2) = ((1 + cos psi) / 2)^(n/2)
    bulge = np.clip(0.5 + 0.5 * cos_psi, 0.0, 1.0) ** (0.5 * n)
    heights, rho_min, rho_max = HARRIS_PRIESTER_TABLE.T
    band = np.clip(np.searchsorted(heights, h_km, side="right") - 1, 0, heights.size - 2)
    step = (h_km - heights[band]) / (heights[band + 1] - heights[band])
    d_min = rho_min[band] * (rho_min[band + 1] / rho_min[band]) ** step
    d_max = rho_max[band] * (rho_max[band + 1] / rho_max[band]) ** step
    return np.asarray((d_min + (d_max - d_min) * bulge) * _G_PER_KM3)


def _heights_km(height_m: ArrayLike, low_km: float, high_km: float, what: str) -> FloatArray:
    h = np.asarray(height_m, dtype=np.float64)
    if not np.all(np.isfinite(h)):
        raise AtmosphereInputError("heights must be finite", found="NaN or infinity")
    h_km = h / _KM
    if h.size and (np.min(h_km) < low_km or np.max(h_km) > high_km):
        worst = float(np.min(h)) if np.min(h_km) < low_km else float(np.max(h))
        raise AtmosphereInputError(f"height outside the range of {what}",
                                   expected="heights in metres above the WGS-84 ellipsoid",
                                   found=f"{worst:g} m")
    return h_km
