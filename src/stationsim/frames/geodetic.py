"""WGS-84 geodetic coordinates <-> Earth-fixed Cartesian (ITRF) positions.

Geodetic latitude is the angle between the ellipsoid normal and the equator; longitude is
positive east, in (-pi, pi]; height is above the WGS-84 ellipsoid (NIMA TR8350.2). The
conversions use ERFA's ``gc2gde``/``gd2gce`` (closed-form Fukushima 2006 method), exact to
well below a millimetre at orbital heights.
"""

from __future__ import annotations

import erfa
import numpy as np

from stationsim.constants import WGS84_A_M, WGS84_F
from stationsim.time.tables import FloatArray


def itrf_to_geodetic(r_itrf_m: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Geodetic latitude [rad], longitude [rad] and height [m] of ITRF positions ``(..., 3)``."""
    r = np.asarray(r_itrf_m, dtype=np.float64)
    lon, lat, height = erfa.gc2gde(WGS84_A_M, WGS84_F, r)
    lon = np.where(lon > np.pi, lon - 2.0 * np.pi, lon)
    return np.asarray(lat), np.asarray(lon), np.asarray(height)


def geodetic_to_itrf(lat_rad: FloatArray, lon_rad: FloatArray, height_m: FloatArray) -> FloatArray:
    """ITRF positions ``(..., 3)`` [m] of geodetic latitude, longitude [rad] and height [m]."""
    return np.asarray(
        erfa.gd2gce(WGS84_A_M, WGS84_F, np.asarray(lon_rad), np.asarray(lat_rad),
                    np.asarray(height_m))
    )
