"""Space weather at any epoch: F10.7, Ap, ap, Kp, and the NRLMSISE-00 / MSIS 2.x inputs.

A :class:`SpaceWeather` turns a CelesTrak table (:mod:`stationsim.io.spaceweather`) into a
uniform grid of UTC days and answers for arrays of epochs at once:

* observed and daily-predicted rows are used as they are; a day's values hold from 0 h to 24 h
  UTC, the three-hourly ap and Kp over their 3-hour interval;
* the monthly-predicted rows (CelesTrak's merge of the NOAA SWPC solar-cycle forecast) are
  spread to days by **linear interpolation in time** between anchors at the middle of each
  month, starting from the last daily row; a day takes the value at its noon, and the second
  half of the last month holds that month's value. They carry no Ap, so those days use a
  climatological Ap (:func:`climatological_ap`: the mean daily Ap of solar cycle 24, computed
  from the observed rows) with every three-hourly ap equal to it and Kp from the ap-Kp table;
* any predicted value used raises a :class:`~stationsim.errors.PredictedDataWarning`; an
  epoch outside the grid raises a :class:`~stationsim.errors.DataRangeError`.

An 81-day centred mean reaches 40 days ahead, so it is flagged predicted within 40 days of the
last observed day even though its row is observed.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stationsim.errors import DataFileError, DataRangeError, InputError, PredictedDataWarning
from stationsim.io.spaceweather import SpaceWeatherStatus, SpaceWeatherTable, parse_space_weather
from stationsim.time import Epoch, calendar_from_mjd, mjd_from_calendar
from stationsim.time.tables import BoolArray, FloatArray

__all__ = [
    "CYCLE_24_MJD",
    "MsisInputs",
    "SpaceWeather",
    "SpaceWeatherValues",
    "climatological_ap",
    "kp_from_ap",
]


#: Solar cycle 24 as [start, end) UTC MJDs: 2008-12-01 to 2019-12-01, between the minima of
#: December 2008 and December 2019 (SILSO, Royal Observatory of Belgium, 13-month smoothed ISN).
CYCLE_24_MJD = (float(mjd_from_calendar(2008, 12, 1)), float(mjd_from_calendar(2019, 12, 1)))

# Kp (CelesTrak decimal scale: 0.3 = 0+, 0.7 = 1-, ...) and its equivalent 3-hourly ap
# (Bartels' conversion table as published by GFZ Potsdam with the Kp index).
_KP_TABLE = np.array([0, 3, 7, 10, 13, 17, 20, 23, 27, 30, 33, 37, 40, 43, 47, 50, 53, 57, 60,
                      63, 67, 70, 73, 77, 80, 83, 87, 90], dtype=np.float64) / 10.0
_AP_TABLE = np.array([0, 2, 3, 4, 5, 6, 7, 9, 12, 15, 18, 22, 27, 32, 39, 48, 56, 67, 80, 94,
                      111, 132, 154, 179, 207, 236, 300, 400], dtype=np.float64)
_FLUX = ("f107_obs_sfu", "f107_adj_sfu", "f107_obs_ctr81_sfu", "f107_adj_ctr81_sfu",
         "f107_obs_lst81_sfu", "f107_adj_lst81_sfu")
_AP_HISTORY_DAYS = 19 / 8  # 57 h: the oldest of the 3-hourly ap that MSIS averages


def kp_from_ap(ap: ArrayLike) -> FloatArray:
    """Kp (decimal scale of the CelesTrak files) equivalent to a 3-hourly ap, interpolated
    linearly in the Bartels ap-Kp table."""
    return np.asarray(np.interp(np.asarray(ap, dtype=np.float64), _AP_TABLE, _KP_TABLE))


def climatological_ap(table: SpaceWeatherTable) -> tuple[float, str]:
    """The Ap used where a table has no Ap (its monthly predictions), and how it was made.

    The mean daily Ap of the observed rows over solar cycle 24 (:data:`CYCLE_24_MJD`; 7.99
    with the bundled SW-All.txt of 2025-07-21); a table that does not cover that whole cycle
    uses the mean of its last 4,017 observed days (the length of cycle 24), or of all of them.
    """
    observed = table.status == SpaceWeatherStatus.OBSERVED
    start, end = CYCLE_24_MJD
    cycle = observed & (table.mjd_utc >= start) & (table.mjd_utc < end)
    if np.count_nonzero(cycle) == int(end - start):
        return float(np.mean(table.ap_daily[cycle])), "mean daily Ap of solar cycle 24 " \
            "(2008-12-01 to 2019-11-30)"
    days = table.ap_daily[observed][-int(end - start):]
    return float(np.mean(days)), f"mean daily Ap of the last {days.size} observed days"


@dataclass(frozen=True, eq=False)
class SpaceWeatherValues:
    """Space weather at epochs (arrays of the epochs' shape; the F10.7 in solar flux units).

    ``f107_*``: the day's F10.7 observed at Earth and adjusted to 1 AU, with the 81-day means
    centred on the day (``ctr81``) and ending on it (``lst81``). ``ap_daily``: the day's Ap;
    ``ap_3h``, ``kp_3h``: the three-hourly ap and Kp in force at the epoch. ``status``: the
    :class:`SpaceWeatherStatus` of the day. ``predicted``: per field name, True where that
    value is predicted rather than observed.
    """

    mjd_utc: FloatArray
    f107_obs_sfu: FloatArray
    f107_adj_sfu: FloatArray
    f107_obs_ctr81_sfu: FloatArray
    f107_adj_ctr81_sfu: FloatArray
    f107_obs_lst81_sfu: FloatArray
    f107_adj_lst81_sfu: FloatArray
    ap_daily: FloatArray
    ap_3h: FloatArray
    kp_3h: FloatArray
    status: NDArray[np.int8]
    predicted: Mapping[str, BoolArray]


@dataclass(frozen=True, eq=False)
class MsisInputs:
    """The space-weather inputs of NRLMSISE-00 and MSIS 2.x at epochs.

    Attributes:
        mjd_utc: the epochs (UTC MJD).
        f107_sfu: observed (not adjusted) F10.7 of the previous UTC day [sfu].
        f107a_sfu: 81-day mean of observed F10.7 centred on the epoch's day [sfu].
        ap_history: shape ``(..., 7)``: daily Ap; the 3-hourly ap at the epoch, 3, 6 and 9 h
            before; the mean of the eight 3-hourly ap from 12 to 33 h before and of the eight
            from 36 to 57 h before (the NRLMSISE-00 ``AP`` array, Picone et al. 2002).
        predicted: per field name (``f107_sfu``, ``f107a_sfu``, ``ap_history``), True where
            the value rests on predicted data.
    """

    mjd_utc: FloatArray
    f107_sfu: FloatArray
    f107a_sfu: FloatArray
    ap_history: FloatArray
    predicted: Mapping[str, BoolArray]


@dataclass(frozen=True, eq=False)
class _Grid:
    first_mjd: float
    days: int
    unbounded: bool  # a constant source: every epoch maps to day 0
    daily: dict[str, FloatArray]  # _FLUX and ap_daily, one value per day
    ap3: FloatArray  # flat, 8 per day
    kp3: FloatArray
    status: NDArray[np.int8]
    predicted_day: BoolArray
    predicted_ctr81: BoolArray


class SpaceWeather:
    """Space weather from a CelesTrak table, vectorised over epochs (see the module notes).

    Args:
        table: the parsed file.
        climatological_ap: the Ap for days with no Ap (monthly predictions); by default
            :func:`climatological_ap` of the table.
    """

    def __init__(self, table: SpaceWeatherTable, *, climatological_ap: float | None = None
                 ) -> None:
        if climatological_ap is None:
            self.climatological_ap, self.climatology = _climatology(table)
        else:
            self.climatological_ap = _check_positive(climatological_ap, "climatological_ap")
            self.climatology = "given by the user"
        self.table: SpaceWeatherTable | None = table
        self.source = table.source or "space-weather table"
        self._grid = _grid_from_table(table, self.climatological_ap)

    @classmethod
    def constant(cls, *, f107_sfu: float, f107a_sfu: float, ap: float) -> SpaceWeather:
        """Constant space weather at every epoch, never flagged predicted: F10.7 (daily, both
        observed and adjusted) [sfu], its 81-day mean [sfu], and Ap (daily and 3-hourly)."""
        self = cls.__new__(cls)
        f107 = _check_positive(f107_sfu, "f107_sfu")
        f107a = _check_positive(f107a_sfu, "f107a_sfu")
        self.climatological_ap = _check_positive(ap, "ap")
        self.climatology = "constant"
        self.table = None
        self.source = f"constant (F10.7 {f107:g} sfu, 81-day mean {f107a:g} sfu, Ap {ap:g})"
        one = np.ones(1)
        daily = {name: one * (f107a if "81" in name else f107) for name in _FLUX}
        daily["ap_daily"] = one * ap
        self._grid = _Grid(0.0, 1, True, daily, np.full(8, ap), kp_from_ap(np.full(8, ap)),
                           np.zeros(1, np.int8), np.zeros(1, bool), np.zeros(1, bool))
        return self

    @classmethod
    def from_file(cls, path: str | Path, *, climatological_ap: float | None = None
                  ) -> SpaceWeather:
        """Space weather from a CSSI text file of one's own (same format as SW-All.txt)."""
        path = Path(path)
        try:
            text = path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise DataFileError(f"cannot read the file ({exc})", source=str(path)) from None
        return cls(parse_space_weather(text, source=path.name),
                   climatological_ap=climatological_ap)

    # --- coverage ----------------------------------------------------------------------------
    @property
    def first_mjd(self) -> float:
        """UTC MJD of the first covered day (-inf for a constant source)."""
        return -np.inf if self._grid.unbounded else self._grid.first_mjd

    @property
    def end_mjd(self) -> float:
        """UTC MJD just after the last covered day (+inf for a constant source)."""
        return np.inf if self._grid.unbounded else self._grid.first_mjd + self._grid.days

    @property
    def last_observed_mjd(self) -> float:
        """UTC MJD of the last observed day (+inf for a constant source)."""
        return np.inf if self.table is None else self.table.last_observed_mjd

    # --- queries -----------------------------------------------------------------------------
    def values(self, when: Epoch | ArrayLike) -> SpaceWeatherValues:
        """All tabulated quantities at epochs (an :class:`Epoch` or UTC MJDs, any shape)."""
        mjd = _as_mjd(when)
        day, slot = self._locate(mjd, 0.0, "space weather")
        g = self._grid
        pred_day = g.predicted_day[day]
        predicted = {name: g.predicted_ctr81[day] if "ctr81" in name else pred_day
                     for name in (*_FLUX, "ap_daily", "ap_3h", "kp_3h")}
        self._warn(mjd, np.logical_or.reduce(list(predicted.values())))
        flux = {name: g.daily[name][day] for name in _FLUX}
        return SpaceWeatherValues(mjd_utc=mjd, **flux, ap_daily=g.daily["ap_daily"][day],
                                  ap_3h=g.ap3[slot], kp_3h=g.kp3[slot], status=g.status[day],
                                  predicted=predicted)

    def msis_inputs(self, when: Epoch | ArrayLike) -> MsisInputs:
        """F10.7 of the previous day, its 81-day centred mean and the 7-element ap history
        (see :class:`MsisInputs`) at epochs (an :class:`Epoch` or UTC MJDs, any shape)."""
        mjd = _as_mjd(when)
        day, slot = self._locate(mjd, _AP_HISTORY_DAYS,
                                 "the MSIS inputs (57 h of ap history and the previous day's "
                                 "F10.7)")
        g = self._grid
        previous = np.maximum(day - 1, 0)
        back = slot[..., None] - np.arange(20)
        if g.unbounded:
            back = np.maximum(back, 0)
        ap3, pred3 = g.ap3[back], g.predicted_day[back // 8]
        ap_daily, pred_day = g.daily["ap_daily"][day], g.predicted_day[day]
        history = np.stack([ap_daily, ap3[..., 0], ap3[..., 1], ap3[..., 2], ap3[..., 3],
                            ap3[..., 4:12].mean(axis=-1), ap3[..., 12:20].mean(axis=-1)], axis=-1)
        history_pred = np.stack([pred_day, pred3[..., 0], pred3[..., 1], pred3[..., 2],
                                 pred3[..., 3], pred3[..., 4:12].any(axis=-1),
                                 pred3[..., 12:20].any(axis=-1)], axis=-1)
        predicted = {"f107_sfu": g.predicted_day[previous],
                     "f107a_sfu": g.predicted_ctr81[day], "ap_history": history_pred}
        self._warn(mjd, predicted["f107_sfu"] | predicted["f107a_sfu"]
                   | history_pred.any(axis=-1))
        return MsisInputs(mjd_utc=mjd, f107_sfu=g.daily["f107_obs_sfu"][previous],
                          f107a_sfu=g.daily["f107_obs_ctr81_sfu"][day], ap_history=history,
                          predicted=predicted)

    # --- internals ---------------------------------------------------------------------------
    def _locate(self, mjd: FloatArray, history_days: float, what: str
                ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Day index and flat 3-hour-slot index of each epoch, after the range check."""
        g = self._grid
        if g.unbounded:
            zeros = np.zeros(mjd.shape, dtype=np.int64)
            return zeros, zeros
        start, end = g.first_mjd + history_days, g.first_mjd + g.days
        outside = (mjd < start) | (mjd >= end)
        if np.any(outside):
            raise DataRangeError(
                f"{what} requested for {_iso(np.min(mjd))} to {_iso(np.max(mjd))}, but "
                f"{self.source} covers {_iso(g.first_mjd)} to {_iso(end)} (observed to the "
                f"end of {_iso(self.last_observed_mjd)[:10]}, predicted after)"
                + (f"; with {history_days * 24:g} h of history needed this starts at "
                   f"{_iso(start)}" if history_days else "")
                + "; run 'stationsim data update' or use SpaceWeather.constant(...)"
            )
        whole = np.floor(mjd)
        day = (whole - g.first_mjd).astype(np.int64)
        slot = day * 8 + np.minimum(((mjd - whole) * 8).astype(np.int64), 7)
        return day, slot

    def _warn(self, mjd: FloatArray, predicted: BoolArray) -> None:
        if not np.any(predicted):
            return
        used = mjd[predicted]
        warnings.warn(
            f"predicted space weather used for {used.size} of {mjd.size} epoch(s) "
            f"({_iso(np.min(used))} to {_iso(np.max(used))}): {self.source} is observed to the "
            f"end of {_iso(self.last_observed_mjd)[:10]}; then CelesTrak daily forecasts, then "
            f"monthly forecasts interpolated to days with Ap {self.climatological_ap:.2f} "
            f"({self.climatology})",
            PredictedDataWarning,
            stacklevel=3,
        )


def _grid_from_table(table: SpaceWeatherTable, ap_clim: float) -> _Grid:
    monthly = table.status == SpaceWeatherStatus.MONTHLY_PREDICTED
    daily_rows = np.flatnonzero(~monthly)
    n = daily_rows.size
    if n == 0 or np.any(daily_rows != np.arange(n)) or np.any(np.diff(table.mjd_utc[:n]) != 1):
        raise ValueError("the daily rows of a space-weather table must come first, one per day")
    first, last_daily = float(table.mjd_utc[0]), float(table.mjd_utc[n - 1])
    months = table.mjd_utc[monthly]
    month_ends = np.array([_next_month(m) for m in months])
    end = float(month_ends[-1]) if months.size else last_daily + 1
    days = int(end - first)
    noon = first + np.arange(n, days) + 0.5
    anchors = np.concatenate([[last_daily + 0.5], (months + month_ends) / 2])

    def spread(column: FloatArray) -> FloatArray:
        tail = np.interp(noon, anchors, np.concatenate([[column[n - 1]], column[monthly]]))
        return np.concatenate([column[:n], tail])

    daily = {name: spread(getattr(table, name)) for name in _FLUX}
    daily["ap_daily"] = np.concatenate([table.ap_daily[:n], np.full(days - n, ap_clim)])
    ap3 = np.concatenate([table.ap[:n], np.full((days - n, 8), ap_clim)]).ravel()
    kp3 = np.concatenate([table.kp[:n], np.full((days - n, 8), kp_from_ap(ap_clim))]).ravel()
    status = np.concatenate([table.status[:n], np.full(days - n, SpaceWeatherStatus
                                                       .MONTHLY_PREDICTED, dtype=np.int8)])
    day_mjd = first + np.arange(days)
    return _Grid(first, days, False, daily, ap3, kp3, status,
                 predicted_day=status != SpaceWeatherStatus.OBSERVED,
                 predicted_ctr81=day_mjd + 40 > table.last_observed_mjd)


def _climatology(table: SpaceWeatherTable) -> tuple[float, str]:
    value, how = climatological_ap(table)
    return value, f"{how} in {table.source or 'the table'}"


def _check_positive(value: float, name: str) -> float:
    number = float(value)
    if not np.isfinite(number) or number < 0:
        raise InputError(f"{name} must be a finite number >= 0", expected=">= 0",
                         found=repr(value))
    return number


def _as_mjd(when: Epoch | ArrayLike) -> FloatArray:
    mjd = when.mjd_utc if isinstance(when, Epoch) else np.asarray(when, dtype=np.float64)
    mjd = np.asarray(mjd, dtype=np.float64)
    if not np.all(np.isfinite(mjd)):
        raise InputError("epochs must be finite UTC MJDs", expected="finite numbers",
                         found="NaN or infinity")
    return mjd


def _next_month(mjd: float) -> float:
    year, month, _ = calendar_from_mjd(mjd)
    y, m = (int(year) + 1, 1) if int(month) == 12 else (int(year), int(month) + 1)
    return float(mjd_from_calendar(y, m, 1))


def _iso(mjd: float) -> str:
    """ISO UTC text of an MJD to the minute (what a range message needs)."""
    whole = float(np.floor(mjd))
    year, month, day = calendar_from_mjd(whole)
    minutes = round((float(mjd) - whole) * 1440)
    if minutes == 1440:
        return _iso(whole + 1)
    return (f"{int(year):04d}-{int(month):02d}-{int(day):02d}T{minutes // 60:02d}:"
            f"{minutes % 60:02d}Z")
