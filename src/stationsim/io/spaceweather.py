"""Reader of the CelesTrak CSSI space-weather text files (``SW-All.txt``, ``SW-Last5Years.txt``).

Format (``DATATYPE CssiSpaceWeather``, version 1.2; https://celestrak.org/SpaceData/SpaceWx-format.php
and the file's own header): header keywords ``DATATYPE``, ``VERSION``, ``UPDATED``, ``#``
comments, then up to three sections ``BEGIN OBSERVED``, ``BEGIN DAILY_PREDICTED`` and ``BEGIN
MONTHLY_PREDICTED``, each preceded by ``NUM_..._POINTS n`` and closed by ``END ...``. A row is
fixed-column, Fortran ``(I4,I3,I3,I5,I3,8I3,I4,8I4,I4,F4.1,I2,I4,F6.1,I2,5F6.1)``::

    year month day  Bartels-rotation day-in-rotation  Kp x8 (tenths)  Kp-sum (tenths)
    ap x8  Ap  Cp  C9  ISN  F10.7-adj  Q  Ctr81-adj  Lst81-adj  F10.7-obs  Ctr81-obs  Lst81-obs

In the TXT files the *adjusted* (to 1 AU) flux comes first, then the *observed* one. Monthly
predicted rows (one per month, dated the 1st) carry only ISN and the fluxes; their Kp, ap, Cp
and C9 are blank and read as NaN here. Observed Kp/ap come from GFZ Potsdam, F10.7 from
NRCan/DRAO Penticton, the forecasts from NOAA SWPC, merged by CelesTrak.

Parsing is pure: text in, :class:`SpaceWeatherTable` out. Errors are
:class:`~stationsim.errors.DataFileError` with the line and column.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from stationsim.errors import DataFileError
from stationsim.time import mjd_from_calendar
from stationsim.time.tables import FloatArray

__all__ = ["SpaceWeatherStatus", "SpaceWeatherTable", "parse_space_weather"]



class SpaceWeatherStatus(enum.IntEnum):
    """Where a row of the table comes from (the file section it was read from)."""

    OBSERVED = 0
    DAILY_PREDICTED = 1
    MONTHLY_PREDICTED = 2


@dataclass(frozen=True, eq=False)
class SpaceWeatherTable:
    """The rows of a CSSI space-weather file as arrays (N rows; NaN where the file is blank).

    Attributes:
        mjd_utc: UTC MJD of 0 h of the row's day (of the 1st for monthly predicted rows).
        status: :class:`SpaceWeatherStatus` codes (int8).
        bartels_rotation, bartels_day: Bartels solar rotation number and day in it (1-27).
        kp: (N, 8) the three-hourly planetary Kp from 0-3 h UT on, on the file's decimal scale
            (the file's tenths / 10: 4.3 stands for 4+, 3.7 for 4-).
        kp_sum: daily sum of the eight Kp (tenths / 10).
        ap: (N, 8) the three-hourly planetary ap [nT-equivalent units of 2 nT].
        ap_daily: daily planetary Ap, the mean of the eight ap.
        cp, c9: daily planetary character figure Cp (0.0-2.5) and its C9 scale (0-9).
        isn: international sunspot number.
        f107_obs_sfu, f107_adj_sfu: 10.7 cm solar radio flux observed at Earth and adjusted to
            1 AU [solar flux units, 1e-22 W m^-2 Hz^-1].
        f107_obs_ctr81_sfu, f107_adj_ctr81_sfu: 81-day means centred on the day.
        f107_obs_lst81_sfu, f107_adj_lst81_sfu: 81-day means ending on the day.
        f107_qualifier: the file's Q flag (0 good; NaN when blank, as in predicted rows).
        updated: the ``UPDATED`` stamp (UTC), ``None`` if the file has none.
        version: the ``VERSION`` keyword ("" if none).
        source: where the text came from, for messages and reports.
    """

    mjd_utc: FloatArray
    status: NDArray[np.int8]
    bartels_rotation: FloatArray
    bartels_day: FloatArray
    kp: FloatArray
    kp_sum: FloatArray
    ap: FloatArray
    ap_daily: FloatArray
    cp: FloatArray
    c9: FloatArray
    isn: FloatArray
    f107_adj_sfu: FloatArray
    f107_qualifier: FloatArray
    f107_adj_ctr81_sfu: FloatArray
    f107_adj_lst81_sfu: FloatArray
    f107_obs_sfu: FloatArray
    f107_obs_ctr81_sfu: FloatArray
    f107_obs_lst81_sfu: FloatArray
    updated: dt.datetime | None = None
    version: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        n = self.mjd_utc.shape
        if self.mjd_utc.ndim != 1 or self.mjd_utc.size == 0:
            raise ValueError("a space-weather table needs a non-empty one-dimensional mjd_utc")
        for name in (*_DAILY_COLUMNS, "status", "bartels_rotation", "bartels_day"):
            if getattr(self, name).shape != n:
                raise ValueError(f"column {name} has shape {getattr(self, name).shape}, not {n}")
        for name in ("kp", "ap"):
            if getattr(self, name).shape != (*n, 8):
                raise ValueError(f"column {name} must have shape {(*n, 8)}")

    def _last(self, status: SpaceWeatherStatus) -> float:
        rows = self.mjd_utc[self.status == status]
        return float(rows[-1]) if rows.size else float("nan")

    @property
    def last_observed_mjd(self) -> float:
        """UTC MJD of the last observed day (NaN if none)."""
        return self._last(SpaceWeatherStatus.OBSERVED)

    @property
    def last_daily_predicted_mjd(self) -> float:
        """UTC MJD of the last daily-predicted day (NaN if none)."""
        return self._last(SpaceWeatherStatus.DAILY_PREDICTED)

    @property
    def last_monthly_predicted_mjd(self) -> float:
        """UTC MJD of the 1st of the last monthly-predicted month (NaN if none)."""
        return self._last(SpaceWeatherStatus.MONTHLY_PREDICTED)


_DAILY_COLUMNS = (
    "mjd_utc", "kp_sum", "ap_daily", "cp", "c9", "isn", "f107_adj_sfu", "f107_qualifier",
    "f107_adj_ctr81_sfu", "f107_adj_lst81_sfu", "f107_obs_sfu", "f107_obs_ctr81_sfu",
    "f107_obs_lst81_sfu",
)


@dataclass(frozen=True)
class _Field:
    name: str
    start: int  # 0-based
    end: int  # exclusive
    integer: bool
    always: bool  # required in every section (else only in daily sections)


def _layout() -> tuple[_Field, ...]:
    fields = [_Field("year", 0, 4, True, True), _Field("month", 4, 7, True, True),
              _Field("day", 7, 10, True, True), _Field("bsrn", 10, 15, True, True),
              _Field("nd", 15, 18, True, True)]
    fields += [_Field(f"kp{i + 1}", 18 + 3 * i, 21 + 3 * i, True, False) for i in range(8)]
    fields.append(_Field("kp_sum", 42, 46, True, False))
    fields += [_Field(f"ap{i + 1}", 46 + 4 * i, 50 + 4 * i, True, False) for i in range(8)]
    fields += [_Field("ap_daily", 78, 82, True, False), _Field("cp", 82, 86, False, False),
               _Field("c9", 86, 88, True, False), _Field("isn", 88, 92, True, True),
               _Field("f107_adj", 92, 98, False, True), _Field("q", 98, 100, True, False),
               _Field("adj_ctr81", 100, 106, False, True),
               _Field("adj_lst81", 106, 112, False, True),
               _Field("f107_obs", 112, 118, False, True),
               _Field("obs_ctr81", 118, 124, False, True),
               _Field("obs_lst81", 124, 130, False, True)]
    return tuple(fields)


_FIELDS = _layout()
_ROW_LENGTH = 130
# Cp, C9 and the flux qualifier Q may be blank in any row (Q is blank in predicted rows).
_OPTIONAL = frozenset({"cp", "c9", "q"})
_INT = re.compile(r" *[+-]?\d+")
_FLOAT = re.compile(r" *[+-]?(?:\d+\.?\d*|\.\d+)")
_SECTIONS = {s.name: s for s in SpaceWeatherStatus}
_HEADER = re.compile(r"(DATATYPE|VERSION|UPDATED|NUM_[A-Z_]+_POINTS)\b\s*(.*)")


def parse_space_weather(text: str, source: str = "<string>") -> SpaceWeatherTable:
    """Read a CelesTrak CSSI space-weather text file (``SW-All.txt`` or ``SW-Last5Years.txt``).

    Checks, each failing with a :class:`~stationsim.errors.DataFileError` (line, column):
    numeric fields; required fields present (all but Cp, C9 and Q in observed and daily
    predicted rows; date, ISN and fluxes in monthly ones); valid dates; consecutive days in the
    daily sections and consecutive months (dated the 1st) in the monthly one; the row counts of
    the ``NUM_..._POINTS`` lines; at least one observed row; no text outside the known header
    keywords, comments and sections (so an HTML error page is refused at its first line).
    """
    header: dict[str, str] = {}
    counts: dict[str, tuple[int, int]] = {}
    rows: list[list[float]] = []
    status: list[int] = []
    section: SpaceWeatherStatus | None = None
    section_rows = 0
    updated: dt.datetime | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if section is not None:
            if line.strip() == f"END {section.name}":
                _check_count(counts, section, section_rows, source, number)
                section = None
            elif line.strip():
                values = _parse_row(line, section, source, number)
                _check_sequence(rows, status, values, section, source, number)
                rows.append(values)
                status.append(int(section))
                section_rows += 1
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("BEGIN "):
            name = stripped[6:].strip()
            if name not in _SECTIONS:
                raise DataFileError("unknown section", source=source, line=number, column=7,
                                    expected=" or ".join(_SECTIONS), found=repr(name))
            section, section_rows = _SECTIONS[name], 0
            continue
        match = _HEADER.fullmatch(stripped)
        if match is None:
            raise DataFileError(
                "not a line of a CSSI space-weather file", source=source, line=number, column=1,
                expected="DATATYPE, VERSION, UPDATED, NUM_..._POINTS, BEGIN/END, '#' comment",
                found=repr(stripped[:40]),
            )
        key, value = match.group(1), match.group(2).strip()
        header[key] = value
        if key == "UPDATED":
            updated = _parse_updated(value, source, number)
        elif key.startswith("NUM_"):
            # ASCII digits only (str.isdigit() also passes '²'), few enough for int().
            if not (value.isascii() and value.isdigit()) or len(value) > 9:
                raise DataFileError("unreadable row count", source=source, line=number,
                                    column=len(key) + 2, expected="an integer",
                                    found=repr(value[:20]))
            counts[key[4:-7]] = (int(value), number)
    if section is not None:
        raise DataFileError(f"section {section.name} is not closed", source=source,
                            expected=f"END {section.name}", found="end of file")
    if header.get("DATATYPE", "CssiSpaceWeather") != "CssiSpaceWeather":
        raise DataFileError("not a CSSI space-weather file", source=source,
                            expected="DATATYPE CssiSpaceWeather", found=header["DATATYPE"])
    if SpaceWeatherStatus.OBSERVED not in status:
        raise DataFileError("no observed rows", source=source, expected="a BEGIN OBSERVED section",
                            found="none")
    return _table(np.array(rows, dtype=np.float64), np.array(status, dtype=np.int8), updated,
                  header.get("VERSION", ""), source)


def _parse_row(line: str, section: SpaceWeatherStatus, source: str, number: int) -> list[float]:
    if len(line) > _ROW_LENGTH:
        raise DataFileError("text after the last column", source=source, line=number,
                            column=_ROW_LENGTH + 1, expected=f"{_ROW_LENGTH} columns at most",
                            found=repr(line[_ROW_LENGTH:][:20]))
    line = line.ljust(_ROW_LENGTH)
    monthly = section is SpaceWeatherStatus.MONTHLY_PREDICTED
    values: list[float] = []
    for f in _FIELDS:
        piece = line[f.start:f.end]
        if not piece.strip():
            if f.always or not (monthly or f.name in _OPTIONAL):
                raise DataFileError(f"missing {f.name}", source=source, line=number,
                                    column=f.start + 1,
                                    expected=f"a value in columns {f.start + 1}-{f.end}",
                                    found="blanks")
            values.append(np.nan)
            continue
        pattern = _INT if f.integer else _FLOAT
        if pattern.fullmatch(piece) is None:
            raise DataFileError(
                f"unreadable {f.name}", source=source, line=number,
                column=f.start + 1 + len(piece) - len(piece.lstrip()),
                expected=f"{'an integer' if f.integer else 'a decimal number'}, right-aligned "
                         f"in columns {f.start + 1}-{f.end}",
                found=repr(piece.strip()),
            )
        values.append(float(piece))
    year, month, day = (int(v) for v in values[:3])
    try:
        dt.date(year, month, day)
    except ValueError:
        raise DataFileError("impossible date", source=source, line=number, column=1,
                            expected="a calendar date YYYY MM DD",
                            found=repr(line[:10])) from None
    values[0] = float(mjd_from_calendar(year, month, day))
    return values


def _check_sequence(rows: list[list[float]], status: list[int], values: list[float],
                    section: SpaceWeatherStatus, source: str, number: int) -> None:
    mjd = values[0]
    if section is SpaceWeatherStatus.MONTHLY_PREDICTED and _calendar_day(mjd) != 1:
        raise DataFileError("a monthly predicted row must be dated the 1st", source=source,
                            line=number, column=9, expected="day 01", found=_iso(mjd))
    if not rows:
        return
    previous = rows[-1][0]
    if section < status[-1]:
        raise DataFileError(f"{section.name} rows after {SpaceWeatherStatus(status[-1]).name} "
                            "rows", source=source, line=number, column=1,
                            expected="the order OBSERVED, DAILY_PREDICTED, MONTHLY_PREDICTED",
                            found=_iso(mjd))
    # A month row is the 1st after the previous row: the next month's, or the first after the
    # last daily row (the days between are spread from the months by the user of the table).
    monthly = section is SpaceWeatherStatus.MONTHLY_PREDICTED
    expected = _next_month(previous) if monthly else previous + 1
    if mjd != expected:
        raise DataFileError("rows must follow one another without gaps", source=source,
                            line=number, column=1, expected=_iso(expected), found=_iso(mjd))


def _check_count(counts: dict[str, tuple[int, int]], section: SpaceWeatherStatus, found: int,
                 source: str, number: int) -> None:
    declared = counts.get(section.name)
    if declared is not None and declared[0] != found:
        raise DataFileError(f"NUM_{section.name}_POINTS (line {declared[1]}) disagrees with the "
                            "rows of the section", source=source, line=number,
                            expected=f"{declared[0]} rows", found=f"{found} rows")


def _parse_updated(value: str, source: str, number: int) -> dt.datetime:
    try:
        stamp = dt.datetime.strptime(value.removesuffix("UTC").strip(), "%Y %b %d %H:%M:%S")
    except ValueError:
        raise DataFileError("unreadable UPDATED stamp", source=source, line=number, column=9,
                            expected="e.g. 'UPDATED 2025 Jul 21 10:37:15 UTC'",
                            found=repr(value)) from None
    return stamp.replace(tzinfo=dt.UTC)


def _table(a: FloatArray, status: NDArray[np.int8], updated: dt.datetime | None, version: str,
           source: str) -> SpaceWeatherTable:
    names = [f.name for f in _FIELDS]

    def col(name: str) -> FloatArray:
        return np.ascontiguousarray(a[:, names.index(name)])

    kp0, ap0 = names.index("kp1"), names.index("ap1")
    return SpaceWeatherTable(
        mjd_utc=col("year"), status=status, bartels_rotation=col("bsrn"),
        bartels_day=col("nd"), kp=a[:, kp0:kp0 + 8] / 10.0, kp_sum=col("kp_sum") / 10.0,
        ap=np.ascontiguousarray(a[:, ap0:ap0 + 8]), ap_daily=col("ap_daily"), cp=col("cp"),
        c9=col("c9"), isn=col("isn"), f107_adj_sfu=col("f107_adj"), f107_qualifier=col("q"),
        f107_adj_ctr81_sfu=col("adj_ctr81"), f107_adj_lst81_sfu=col("adj_lst81"),
        f107_obs_sfu=col("f107_obs"), f107_obs_ctr81_sfu=col("obs_ctr81"),
        f107_obs_lst81_sfu=col("obs_lst81"), updated=updated, version=version, source=source,
    )


def _calendar_day(mjd: float) -> int:
    return (dt.date(1858, 11, 17) + dt.timedelta(days=int(mjd))).day


def _next_month(mjd: float) -> float:
    date = dt.date(1858, 11, 17) + dt.timedelta(days=int(mjd))
    year, month = (date.year + 1, 1) if date.month == 12 else (date.year, date.month + 1)
    return float(mjd_from_calendar(year, month, 1))


def _iso(mjd: float) -> str:
    return (dt.date(1858, 11, 17) + dt.timedelta(days=int(mjd))).isoformat()


def merge_space_weather(older: SpaceWeatherTable, newer: SpaceWeatherTable) -> SpaceWeatherTable:
    """One table from a long older file and a shorter, more recent one of the same format.

    The newer file's rows are kept from its first day on (its observations, forecasts and
    stamp); the older file supplies only the days before that. Typical use: CelesTrak's full
    ``SW-All.txt`` history followed by a later ``SW-Last5Years.txt``.

    Raises:
        DataFileError: the newer file starts after the older one's last row (a gap of days).
    """
    start = newer.mjd_utc[0]
    if start > older.mjd_utc[-1] + 1:
        raise DataFileError(
            f"the newer space-weather file starts on {_iso(start)}, after the older one ends "
            f"({_iso(older.mjd_utc[-1])})", source=newer.source,
            expected="overlapping or adjacent files")
    keep = older.mjd_utc < start
    if np.any(older.status[keep] != SpaceWeatherStatus.OBSERVED):
        raise DataFileError("the older space-weather file has predictions before the newer one "
                            f"starts ({_iso(start)})", source=older.source,
                            expected="a newer file that starts within the older one's "
                                     "observed span")
    merged: dict[str, object] = {}
    for name in (*_DAILY_COLUMNS, "status", "bartels_rotation", "bartels_day", "kp", "ap"):
        merged[name] = np.concatenate([getattr(older, name)[keep], getattr(newer, name)])
    return SpaceWeatherTable(**merged,  # type: ignore[arg-type]
                             updated=newer.updated, version=newer.version,
                             source=f"{older.source} to {_iso(start - 1)}, then {newer.source}")
