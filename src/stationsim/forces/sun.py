"""The Sun's geocentric position in GCRF, low precision (about 0.01 degree, 1950-2050).

Formula: the *Astronomical Almanac*'s low-precision solar coordinates (section C, "Low precision
formulas for the Sun"), with ``n`` days from J2000.0:

    L = 280.460 + 0.9856474 n        mean longitude, corrected for aberration [deg]
    g = 357.528 + 0.9856003 n        mean anomaly [deg]
    lambda = L + 1.915 sin g + 0.020 sin 2g,  beta = 0
    R = 1.00014 - 0.01671 cos g - 0.00014 cos 2g   [au]

The Almanac's longitude is apparent and referred to the equinox of date. Two corrections make
it a geometric GCRF direction: the annual aberration (20.496 arcsec, IAU 1976 constant) is added
back, and the general precession in longitude since J2000 (5028.796 arcsec per Julian century,
IAU 2006, Capitaine et al. 2003) is taken off; the ecliptic is then turned into the equator by
the J2000 mean obliquity (84381.406 arcsec, IAU 2006). Nutation (up to 17 arcsec) is left out.
Against ERFA's ``epv00`` (VSOP87-based, a few km) the direction is within 0.011 degree and
the distance within 1e-4 from 1950 to 2050 (``tests/forces/test_sun.py``).

Time argument: TT (the Almanac's formula is given in UT, whose difference from TT, about a
minute, moves the Sun by 2.5 arcsec).
"""

from __future__ import annotations

import numpy as np

from stationsim.constants import ASTRONOMICAL_UNIT_M, JD_J2000
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = ["ASTRONOMICAL_UNIT_M", "sun_direction_gcrf", "sun_position_gcrf"]

_DEG = np.pi / 180.0
_ARCSEC = _DEG / 3600.0
_ABERRATION_RAD = 20.496 * _ARCSEC
_PRECESSION_RAD_PER_CENTURY = 5028.796195 * _ARCSEC
_OBLIQUITY_J2000_RAD = 84381.406 * _ARCSEC
_DAYS_PER_CENTURY = 36_525.0


def sun_position_gcrf(epoch: Epoch) -> FloatArray:
    """Geocentric position of the Sun [m] in GCRF at ``epoch``, shape ``epoch.shape + (3,)``."""
    jd1, jd2 = epoch.tt
    days = (jd1 - JD_J2000) + jd2
    g = (357.528 + 0.9856003 * days) * _DEG
    longitude = ((280.460 + 0.9856474 * days) * _DEG
                 + (1.915 * np.sin(g) + 0.020 * np.sin(2.0 * g)) * _DEG
                 + _ABERRATION_RAD - _PRECESSION_RAD_PER_CENTURY * days / _DAYS_PER_CENTURY)
    distance = (1.00014 - 0.01671 * np.cos(g) - 0.00014 * np.cos(2.0 * g)) * ASTRONOMICAL_UNIT_M
    ce, se = np.cos(_OBLIQUITY_J2000_RAD), np.sin(_OBLIQUITY_J2000_RAD)
    x = distance * np.cos(longitude)
    y = distance * np.sin(longitude)
    return np.stack([x, y * ce, y * se], axis=-1)


def sun_direction_gcrf(epoch: Epoch) -> FloatArray:
    """Unit vector from the geocentre to the Sun in GCRF, shape ``epoch.shape + (3,)``."""
    r = sun_position_gcrf(epoch)
    return np.asarray(r / np.linalg.norm(r, axis=-1, keepdims=True))
