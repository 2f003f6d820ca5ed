"""Gregorian calendar <-> modified Julian date, vectorised and exact in integer arithmetic."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from stationsim.time.tables import FloatArray


def mjd_from_calendar(year: ArrayLike, month: ArrayLike, day: ArrayLike) -> FloatArray:
    """Modified Julian date of 0 h on a Gregorian calendar date (vectorised, exact integers)."""
    y = np.asarray(year, dtype=np.int64)
    m = np.asarray(month, dtype=np.int64)
    d = np.asarray(day, dtype=np.int64)
    # Fliegel & Van Flandern (1968) day-number algorithm, integer arithmetic.
    a = (14 - m) // 12
    yy = y + 4800 - a
    mm = m + 12 * a - 3
    jdn = d + (153 * mm + 2) // 5 + 365 * yy + yy // 4 - yy // 100 + yy // 400 - 32045
    return np.asarray(jdn - 2_400_001, dtype=np.float64)


def calendar_from_mjd(mjd: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gregorian (year, month, day) of integral modified Julian dates (vectorised)."""
    jdn = np.asarray(mjd, dtype=np.int64) + 2_400_001
    a = jdn + 32044
    b = (4 * a + 3) // 146097
    c = a - 146097 * b // 4
    d = (4 * c + 3) // 1461
    e = c - 1461 * d // 4
    m = (5 * e + 2) // 153
    day = e - (153 * m + 2) // 5 + 1
    month = m + 3 - 12 * (m // 10)
    year = 100 * b + d - 4800 + m // 10
    return year, month, day
