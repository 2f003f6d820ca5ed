"""Time tables: leap seconds and Earth orientation parameters, as plain arrays.

These are the values that a :class:`~stationsim.time.timescale.Timescale` holds. They are built
by the parsers in :mod:`stationsim.io.iers` from the IERS files, or by hand in tests; nothing in
this module reads a file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class LeapSecondTable:
    """TAI - UTC since 1972 (IERS Bulletin C, file ``Leap_Second.dat``).

    Attributes:
        mjd_utc: UTC modified Julian dates at which each offset starts, increasing.
        tai_minus_utc_s: TAI - UTC [s] in force from that date on.
        expires: the date until which the table is known to be complete (the IERS file's
            "File expires on" line), or ``None`` if not stated.
        source: where the table came from (file name and version), for reports.
    """

    mjd_utc: FloatArray
    tai_minus_utc_s: FloatArray
    expires: dt.date | None = None
    source: str = ""

    def __post_init__(self) -> None:
        if self.mjd_utc.shape != self.tai_minus_utc_s.shape or self.mjd_utc.ndim != 1:
            raise ValueError("leap-second arrays must be one-dimensional and of equal length")
        if self.mjd_utc.size == 0 or np.any(np.diff(self.mjd_utc) <= 0):
            raise ValueError("leap-second dates must be non-empty and strictly increasing")


@dataclass(frozen=True)
class EOPTable:
    """Earth orientation parameters, one row per UTC day (IERS ``finals2000A``).

    Attributes:
        mjd_utc: UTC modified Julian dates (0 h) of the rows, increasing by one day.
        ut1_minus_utc_s: UT1 - UTC [s].
        xp_arcsec, yp_arcsec: polar motion x and y [arcsec].
        dx_mas, dy_mas: celestial pole offsets dX, dY w.r.t. IAU 2006/2000A [milliarcsec];
            zero where the file gives none.
        lod_ms: excess length of day [ms]; zero where the file gives none.
        predicted: True where the row is an IERS prediction rather than an observation.
        source: where the table came from (file name and version), for reports.
    """

    mjd_utc: FloatArray
    ut1_minus_utc_s: FloatArray
    xp_arcsec: FloatArray
    yp_arcsec: FloatArray
    dx_mas: FloatArray
    dy_mas: FloatArray
    lod_ms: FloatArray
    predicted: BoolArray
    source: str = ""

    def __post_init__(self) -> None:
        n = self.mjd_utc.shape
        for name in ("ut1_minus_utc_s", "xp_arcsec", "yp_arcsec", "dx_mas", "dy_mas", "lod_ms",
                     "predicted"):
            if getattr(self, name).shape != n:
                shape = getattr(self, name).shape
                raise ValueError(f"EOP column {name} has shape {shape}, not {n}")
        if self.mjd_utc.ndim != 1 or self.mjd_utc.size < 2:
            raise ValueError("an EOP table needs at least two rows")
        if np.any(np.diff(self.mjd_utc) <= 0):
            raise ValueError("EOP dates must be strictly increasing")

    @property
    def last_observed_mjd(self) -> float:
        """The last UTC MJD with observed (not predicted) values."""
        observed = self.mjd_utc[~self.predicted]
        return float(observed[-1]) if observed.size else float("nan")
