"""The one time type, :class:`Epoch`: an instant (or an array of instants) with scale views.

An epoch is kept as International Atomic Time: a whole TAI day (modified Julian date) and the SI
seconds elapsed in it, so that sub-microsecond precision holds over centuries. UTC, TT, UT1 and
TDB are *views*, computed on demand with the leap-second and Earth-orientation tables of the
:class:`~stationsim.time.timescale.Timescale` that made the epoch. Make epochs with a timescale's
factories (``ts.utc(...)``, ``ts.from_iso(...)``, ``ts.from_datetime(...)``); never directly.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import erfa
import numpy as np
from numpy.typing import ArrayLike

from stationsim.constants import MJD_ZERO, SECONDS_PER_DAY, TT_MINUS_TAI_S
from stationsim.errors import DataRangeError
from stationsim.time.calendar import calendar_from_mjd
from stationsim.time.tables import FloatArray

if TYPE_CHECKING:
    from stationsim.time.timescale import Timescale

JulianDate = tuple[FloatArray, FloatArray]


class Epoch:
    """One instant or an array of instants (any shape), held in TAI.

    Views (each a two-part Julian date ``(jd1, jd2)`` of float arrays, ready for ERFA):
    :attr:`tai`, :attr:`tt`, :attr:`tdb`, :attr:`utc`, :attr:`ut1`. Arithmetic: ``epoch +
    seconds`` gives an epoch; ``epoch_b - epoch_a`` gives the elapsed SI seconds.
    """

    __slots__ = ("_day", "_sec", "ts")
    _day: FloatArray
    _sec: FloatArray
    ts: Timescale

    def __init__(self) -> None:
        raise TypeError("make epochs with a Timescale: ts.utc(...), ts.from_iso(...), ...")

    @classmethod
    def _from_tai(cls, day: ArrayLike, seconds: ArrayLike, ts: Timescale) -> Epoch:
        d = np.asarray(day, dtype=np.float64)
        s = np.asarray(seconds, dtype=np.float64)
        d, s = np.broadcast_arrays(d, s)
        shift = np.floor(s / SECONDS_PER_DAY)
        self = object.__new__(cls)
        self._day = d + shift
        self._sec = s - shift * SECONDS_PER_DAY
        self.ts = ts
        return self

    # --- shape --------------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        """The array shape; ``()`` for a single instant."""
        return tuple(self._day.shape)

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("a single epoch has no length")
        return self.shape[0]

    def __getitem__(self, index: Any) -> Epoch:
        return Epoch._from_tai(self._day[index], self._sec[index], self.ts)

    def __repr__(self) -> str:
        if not self.shape:
            return f"Epoch({self.iso()} UTC)"
        first = self.ravel()[0].iso()
        return f"Epoch(shape={self.shape}, first={first} UTC)"

    def ravel(self) -> Epoch:
        """The same instants as a one-dimensional array."""
        return Epoch._from_tai(self._day.ravel(), self._sec.ravel(), self.ts)

    # --- arithmetic ---------------------------------------------------------------------------
    def __add__(self, seconds: ArrayLike) -> Epoch:
        return Epoch._from_tai(self._day, self._sec + np.asarray(seconds, dtype=np.float64),
                               self.ts)

    def __sub__(self, other: Epoch) -> FloatArray:
        if not isinstance(other, Epoch):
            return NotImplemented
        return np.asarray((self._day - other._day) * SECONDS_PER_DAY + (self._sec - other._sec))

    def __eq__(self, other: object) -> Any:
        if not isinstance(other, Epoch):
            return NotImplemented
        return (self._day == other._day) & (self._sec == other._sec)

    __hash__ = None  # type: ignore[assignment]

    # --- scale views --------------------------------------------------------------------------
    @property
    def tai(self) -> JulianDate:
        """International Atomic Time as a two-part Julian date."""
        return MJD_ZERO + self._day, self._sec / SECONDS_PER_DAY

    @property
    def tt(self) -> JulianDate:
        """Terrestrial Time as a two-part Julian date (TT = TAI + 32.184 s)."""
        return MJD_ZERO + self._day, (self._sec + TT_MINUS_TAI_S) / SECONDS_PER_DAY

    @property
    def tdb(self) -> JulianDate:
        """Barycentric Dynamical Time at the geocentre (TT plus ERFA's ``dtdb`` series,
        Fairhead & Bretagnon 1990; below 2 ms, accurate to a few ns)."""
        jd1, jd2 = self.tt
        ut1a, ut1b = self.ut1
        ut_frac = np.mod(ut1a - 0.5, 1.0) + ut1b
        dtdb = erfa.dtdb(jd1, jd2, np.mod(ut_frac, 1.0), 0.0, 0.0, 0.0)
        return jd1, jd2 + dtdb / SECONDS_PER_DAY

    def utc_day_seconds(self) -> tuple[FloatArray, FloatArray]:
        """UTC as a whole day (MJD) and the seconds elapsed in it (up to 86,401 on a
        day that ends with a leap second)."""
        table = self.ts.leap_seconds
        starts_tai = table.mjd_utc + table.tai_minus_utc_s / SECONDS_PER_DAY
        t = self._day + self._sec / SECONDS_PER_DAY
        index = np.searchsorted(starts_tai, t, side="right") - 1
        if np.any(index < 0):
            raise DataRangeError("UTC before the start of the leap-second table is not supported")
        sec = self._sec - table.tai_minus_utc_s[index]
        shift = np.floor(sec / SECONDS_PER_DAY)
        day = self._day + shift
        sec = sec - shift * SECONDS_PER_DAY
        # Inside a leap second the instant is still the previous UTC day, at 86,400 s or more.
        next_index = np.minimum(index + 1, table.mjd_utc.size - 1)
        in_leap = (index + 1 < table.mjd_utc.size) & (day >= table.mjd_utc[next_index])
        day = np.where(in_leap, day - 1, day)
        sec = np.where(in_leap, sec + SECONDS_PER_DAY, sec)
        return day, sec

    @property
    def utc(self) -> JulianDate:
        """UTC as a two-part quasi Julian date (ERFA's convention: on a leap-second day the
        fraction is the seconds elapsed divided by that day's length)."""
        day, sec = self.utc_day_seconds()
        return MJD_ZERO + day, sec / self.ts.day_length_s(day)

    @property
    def mjd_utc(self) -> FloatArray:
        """UTC modified Julian date (float; about 1 microsecond resolution)."""
        jd1, jd2 = self.utc
        return (jd1 - MJD_ZERO) + jd2

    @property
    def ut1(self) -> JulianDate:
        """UT1 as a two-part Julian date (UTC + the interpolated UT1 - UTC)."""
        day, sec = self.utc_day_seconds()
        dut1 = self.ts.ut1_minus_utc(day + np.minimum(sec, SECONDS_PER_DAY) / SECONDS_PER_DAY)
        return MJD_ZERO + day, (sec + dut1) / SECONDS_PER_DAY

    # --- text and datetime --------------------------------------------------------------------
    def iso(self, places: int = 3) -> Any:
        """ISO 8601 UTC text with a ``Z``: a ``str`` for one epoch, else an array of ``str``.

        ``places`` decimals of seconds (0 to 9); a leap second prints as ``23:59:60``.
        """
        day, sec = self.utc_day_seconds()
        scale = 10**places
        ticks = np.round(sec * scale).astype(np.int64)
        # Rounding up to the next day must carry into the date (unless inside a leap second).
        length = np.round(self.ts.day_length_s(day) * scale).astype(np.int64)
        carry = ticks >= length
        day = np.where(carry, day + 1, day)
        ticks = np.where(carry, ticks - length, ticks)
        years, months, days = calendar_from_mjd(day)
        out = np.empty(day.shape, dtype=object)
        for idx in np.ndindex(day.shape):
            whole, frac = divmod(int(ticks[idx]), scale)
            hour, rest = divmod(min(whole, 86_399), 3600)
            minute, second = divmod(rest, 60)
            second += max(whole - 86_399, 0)
            text = (f"{int(years[idx]):04d}-{int(months[idx]):02d}-{int(days[idx]):02d}"
                    f"T{hour:02d}:{minute:02d}:{second:02d}")
            if places:
                text += f".{frac:0{places}d}"
            out[idx] = text + "Z"
        return out[()] if not self.shape else out

    def datetime(self) -> Any:
        """Timezone-aware UTC ``datetime`` (one, or an object array); a leap second is
        clamped to 23:59:59.999999, which ``datetime`` can hold."""
        text = self.iso(places=6)
        items = np.atleast_1d(np.asarray(text, dtype=object))
        out = np.empty(items.shape, dtype=object)
        for idx, item in np.ndenumerate(items):
            if ":60." in item:
                item = item.replace(":60.", ":59.")[:-8] + ".999999Z"
            out[idx] = dt.datetime.fromisoformat(item.replace("Z", "+00:00"))
        return out[0] if not self.shape else out.reshape(self.shape)
