"""The :class:`Timescale`: leap seconds and Earth orientation, and the factory of epochs.

A timescale is built from tables that are passed in (``stationsim.data.load_timescale()`` gives
the bundled IERS ones); nothing here reads a file or a hidden global table.

UTC instants are handled as a whole UTC day (MJD) and the seconds elapsed in it, which may reach
86,401 s on a day that ends with a leap second. TAI - UTC before 1972-01-01 (the "rubber second"
era) is not supported and raises :class:`~stationsim.errors.DataRangeError`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from stationsim.constants import ARCSEC_TO_RAD, MJD_ZERO, SECONDS_PER_DAY
from stationsim.errors import (
    DataRangeError,
    InputError,
    PredictedDataWarning,
    StaleTableWarning,
)
from stationsim.time.calendar import calendar_from_mjd, mjd_from_calendar
from stationsim.time.epoch import Epoch
from stationsim.time.tables import EOPTable, FloatArray, LeapSecondTable

_ISO = re.compile(
    r"^\s*(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})"
    r"(?:[T ](?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2}(?:\.\d*)?))?)?"
    r"\s*(?P<tz>Z|UTC|(?P<sign>[+-])(?P<tzh>\d{2}):?(?P<tzm>\d{2}))?\s*$",
    re.IGNORECASE,
)


class Timescale:
    """Leap seconds and (optionally) Earth orientation; makes :class:`Epoch` objects.

    Args:
        leap_seconds: the TAI - UTC table.
        eop: UT1 - UTC, polar motion and pole offsets; without it UT1 is taken equal to UTC and
            polar motion as zero, which is good to about 1 s of Earth rotation (~400 m at the
            equator) and only fit for rough work.
    """

    def __init__(self, leap_seconds: LeapSecondTable, eop: EOPTable | None = None) -> None:
        self.leap_seconds = leap_seconds
        self.eop = eop
        # The checks' limits, once: they are read for every conversion.
        self._first_leap_mjd = float(leap_seconds.mjd_utc[0])
        self._stale_after_mjd = (math.inf if leap_seconds.expires is None
                                 else _mjd_of_date(leap_seconds.expires) + 1)
        if eop is not None:
            # UT1 - TAI is continuous across leap seconds, so interpolate that rather than
            # UT1 - UTC, which jumps by a whole second.
            self._ut1_minus_tai_s = eop.ut1_minus_utc_s - self._offsets(eop.mjd_utc)

    # --- leap seconds -------------------------------------------------------------------------
    def tai_minus_utc(self, mjd_utc: ArrayLike) -> FloatArray:
        """TAI - UTC [s] in force on the given UTC modified Julian dates."""
        mjd = np.asarray(mjd_utc, dtype=np.float64)
        table = self.leap_seconds
        low, high = _span(mjd)
        if low < self._first_leap_mjd:
            first = _iso_date(table.mjd_utc[0])
            raise DataRangeError(
                f"UTC before {first} is not supported: the leap-second table starts there "
                "(earlier UTC used variable-length seconds)"
            )
        if high > self._stale_after_mjd and table.expires is not None:
            warnings.warn(
                f"epoch after {table.expires.isoformat()}, the expiry of the leap-second table "
                f"({table.source or 'leap-second table'}); a later leap second may be missing",
                StaleTableWarning,
                stacklevel=3,
            )
        return self._offsets(mjd)

    def _offsets(self, mjd_utc: FloatArray) -> FloatArray:
        """TAI - UTC looked up without range checks or warnings (dates from 1972 on)."""
        table = self.leap_seconds
        index = np.searchsorted(table.mjd_utc, np.floor(mjd_utc), side="right") - 1
        return np.asarray(table.tai_minus_utc_s[np.maximum(index, 0)], dtype=np.float64)

    # --- Earth orientation --------------------------------------------------------------------
    def _eop_interp(self, mjd_utc: FloatArray, column: FloatArray) -> FloatArray:
        if self.eop is None:
            return np.zeros_like(mjd_utc)
        grid = self.eop.mjd_utc
        low, high = _span(mjd_utc)
        if low < grid[0] or high > grid[-1]:
            # One text per side of the table, whatever the dates and the quantity, so that a
            # run of years past the table's end says it once.
            side = (f"before {_iso_date(grid[0])}, its start" if low < grid[0]
                    else f"after {_iso_date(grid[-1])}, its end")
            warnings.warn(
                f"Earth orientation is needed {side} (the Earth-orientation table "
                f"{self.eop.source or 'EOP'} covers {_iso_date(grid[0])} to "
                f"{_iso_date(grid[-1])}); its end values are held outside that span "
                "(run 'stationsim data update' for a newer table)",
                StaleTableWarning,
                stacklevel=4,
            )
        return np.asarray(np.interp(mjd_utc, grid, column), dtype=np.float64)

    def _warn_if_predicted(self, mjd_utc: FloatArray) -> None:
        if self.eop is None:
            return
        last = self.eop.last_observed_mjd
        if np.any(mjd_utc > last + 1):
            warnings.warn(
                f"Earth orientation after {_iso_date(last)} comes from IERS predictions",
                PredictedDataWarning,
                stacklevel=4,
            )

    def ut1_minus_utc(self, mjd_utc: ArrayLike) -> FloatArray:
        """UT1 - UTC [s], linearly interpolated (zero without an EOP table).

        Outside the table the end values are held, with a :class:`StaleTableWarning`.
        """
        mjd = np.asarray(mjd_utc, dtype=np.float64)
        if self.eop is None:
            return np.zeros_like(mjd)
        self._warn_if_predicted(mjd)
        ut1_tai = self._eop_interp(mjd, self._ut1_minus_tai_s)
        return ut1_tai + self.tai_minus_utc(mjd)

    def polar_motion_rad(self, mjd_utc: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Polar motion (x_p, y_p) [rad], linearly interpolated (zero without an EOP table)."""
        mjd = np.asarray(mjd_utc, dtype=np.float64)
        if self.eop is None:
            return np.zeros_like(mjd), np.zeros_like(mjd)
        xp = self._eop_interp(mjd, self.eop.xp_arcsec)
        yp = self._eop_interp(mjd, self.eop.yp_arcsec)
        return xp * ARCSEC_TO_RAD, yp * ARCSEC_TO_RAD

    def cip_offsets_rad(self, mjd_utc: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Celestial pole offsets (dX, dY) w.r.t. IAU 2006/2000A [rad] (zero without EOP)."""
        mjd = np.asarray(mjd_utc, dtype=np.float64)
        if self.eop is None:
            return np.zeros_like(mjd), np.zeros_like(mjd)
        dx = self._eop_interp(mjd, self.eop.dx_mas)
        dy = self._eop_interp(mjd, self.eop.dy_mas)
        return dx * ARCSEC_TO_RAD * 1e-3, dy * ARCSEC_TO_RAD * 1e-3

    def lod_s(self, mjd_utc: ArrayLike) -> FloatArray:
        """Excess length of day [s] (zero without an EOP table)."""
        mjd = np.asarray(mjd_utc, dtype=np.float64)
        if self.eop is None:
            return np.zeros_like(mjd)
        return self._eop_interp(mjd, self.eop.lod_ms) * 1e-3

    def day_length_s(self, mjd_utc_day: ArrayLike) -> FloatArray:
        """Length [s] of the UTC days: 86,400, or 86,401 when one ends with a leap second."""
        day = np.asarray(mjd_utc_day, dtype=np.float64)
        return SECONDS_PER_DAY + self.tai_minus_utc(day + 1) - self.tai_minus_utc(day)

    # --- epoch factories ----------------------------------------------------------------------
    def from_utc_day_seconds(self, mjd_utc_day: ArrayLike, seconds: ArrayLike) -> Epoch:
        """Epoch(s) from whole UTC days (MJD) and the UTC seconds elapsed in them.

        ``seconds`` may exceed 86,400 only on a day that ends with a leap second.
        """
        day = np.asarray(mjd_utc_day, dtype=np.float64)
        sec = np.asarray(seconds, dtype=np.float64)
        day, sec = np.broadcast_arrays(day, sec)
        if not np.all(np.isfinite(day)) or not np.all(np.isfinite(sec)):
            raise InputError("an epoch must be finite", expected="finite numbers")
        # Whole days of overflow or underflow move into the day count (not on leap days).
        extra = np.floor(sec / SECONDS_PER_DAY)
        day_length = self.day_length_s(day)
        keep = (sec >= SECONDS_PER_DAY) & (sec < day_length)
        extra = np.where(keep, 0.0, extra)
        day = day + extra
        sec = sec - extra * SECONDS_PER_DAY
        return Epoch._from_tai(day, sec + self.tai_minus_utc(day), self)

    def utc(
        self,
        year: ArrayLike,
        month: ArrayLike = 1,
        day: ArrayLike = 1,
        hour: ArrayLike = 0,
        minute: ArrayLike = 0,
        second: ArrayLike = 0.0,
    ) -> Epoch:
        """Epoch(s) from UTC calendar components (vectorised; ``day`` may be a day of year
        when ``month`` is 1, and any component may overflow into the next)."""
        day_arr = np.asarray(day, dtype=np.float64)
        day_whole = np.floor(day_arr)
        whole = mjd_from_calendar(year, month, 1) + day_whole - 1
        sec = (
            (day_arr - day_whole) * SECONDS_PER_DAY
            + np.asarray(hour, dtype=np.float64) * 3600.0
            + np.asarray(minute, dtype=np.float64) * 60.0
            + np.asarray(second, dtype=np.float64)
        )
        return self.from_utc_day_seconds(whole, sec)

    def from_mjd_utc(self, mjd_utc: ArrayLike) -> Epoch:
        """Epoch(s) from UTC modified Julian dates.

        As in ERFA and astropy, on a day that ends with a leap second the fraction is of that
        day's 86,401 s.
        """
        mjd = np.asarray(mjd_utc, dtype=np.float64)
        whole = np.floor(mjd)
        return self.from_utc_day_seconds(whole, (mjd - whole) * self.day_length_s(whole))

    def from_jd_utc(self, jd1: ArrayLike, jd2: ArrayLike = 0.0) -> Epoch:
        """Epoch(s) from a two-part UTC (quasi) Julian date ``jd1 + jd2`` (ERFA's convention
        on leap-second days, as :meth:`from_mjd_utc`)."""
        a = np.asarray(jd1, dtype=np.float64) - MJD_ZERO
        b = np.asarray(jd2, dtype=np.float64)
        wa, wb = np.floor(a), np.floor(b)
        whole = wa + wb
        frac = (a - wa) + (b - wb)
        return self.from_utc_day_seconds(whole, frac * self.day_length_s(whole))

    def from_datetime(self, value: dt.datetime | Sequence[dt.datetime]) -> Epoch:
        """Epoch(s) from timezone-aware ``datetime`` objects (naive ones are refused)."""
        items = [value] if isinstance(value, dt.datetime) else list(value)
        utc = []
        for item in items:
            if item.tzinfo is None:
                raise InputError(
                    f"naive datetime {item.isoformat()} has no time zone",
                    expected="an aware datetime such as datetime(..., tzinfo=timezone.utc)",
                )
            utc.append(item.astimezone(dt.UTC))
        epoch = self.utc(
            [u.year for u in utc], [u.month for u in utc], [u.day for u in utc],
            [u.hour for u in utc], [u.minute for u in utc],
            [u.second + u.microsecond * 1e-6 for u in utc],
        )
        return epoch[0] if isinstance(value, dt.datetime) else epoch

    def from_iso(self, text: str | Sequence[str], *, source: str | None = None) -> Epoch:
        """Epoch(s) from ISO 8601 text: ``2022-03-07T21:06:42.000Z`` (UTC when no zone is
        given; an offset such as ``+03:00`` is converted to UTC; a ``T`` or a space between
        date and time; ``:60`` seconds on a leap-second day)."""
        items = [text] if isinstance(text, str) else list(text)
        parts: list[tuple[int, int, int, int, int, float]] = []
        for item in items:
            match = _ISO.match(item)
            if match is None:
                raise InputError(
                    "not an ISO 8601 UTC time",
                    source=source,
                    expected="YYYY-MM-DDTHH:MM:SS[.ffffff][Z or +HH:MM]",
                    found=repr(item),
                )
            g = match.groupdict()
            fields = (int(g["y"]), int(g["mo"]), int(g["d"]), int(g["h"] or 0),
                      int(g["mi"] or 0), float(g["s"] or 0.0))
            _check_calendar(*fields, text=item, source=source)
            offset_min = 0
            if g["sign"]:
                if int(g["tzh"]) > 14 or int(g["tzm"]) > 59:
                    raise InputError("impossible time-zone offset", source=source,
                                     expected="-12:00 to +14:00", found=repr(item))
                offset_min = (int(g["tzh"]) * 60 + int(g["tzm"])) * (1 if g["sign"] == "+" else -1)
            parts.append((*fields[:4], fields[4] - offset_min, fields[5]))
        columns: list[Any] = [np.array(c) for c in zip(*parts, strict=True)]
        epoch = self.utc(*columns)
        return epoch[0] if isinstance(text, str) else epoch


def _check_calendar(
    year: int, month: int, day: int, hour: int, minute: int, second: float,
    *, text: str, source: str | None,
) -> None:
    try:
        dt.date(year, month, day)
    except ValueError as exc:
        raise InputError(f"impossible date ({exc})", source=source, found=repr(text)) from None
    if hour > 23 or minute > 59 or second >= 61.0:
        raise InputError("impossible time of day", source=source, expected="HH<24, MM<60, SS<61",
                         found=repr(text))


def _span(values: FloatArray) -> tuple[float, float]:
    """Smallest and largest value (NaN compares false, as in ``np.any(values < x)``; an
    empty array gives ``(inf, -inf)``, which passes every check)."""
    if values.ndim == 0:
        v = float(values)
        return v, v
    if values.size == 0:
        return math.inf, -math.inf
    return (float(np.fmin.reduce(values, axis=None)),  # fmin/fmax skip NaN
            float(np.fmax.reduce(values, axis=None)))


def _mjd_of_date(date: dt.date) -> float:
    return float(mjd_from_calendar(date.year, date.month, date.day))


def _iso_date(mjd: float) -> str:
    y, m, d = calendar_from_mjd(np.floor(mjd))
    return f"{int(y):04d}-{int(m):02d}-{int(d):02d}"
