"""Readers of two IERS text files: the leap-second table and the ``finals2000A`` EOP series.

* ``Leap_Second.dat`` (IERS Bulletin C, Paris Observatory): TAI - UTC since 1972, one line per
  leap second (``MJD day month year TAI-UTC``), and a comment line ``File expires on ...``.
* ``finals2000A.all`` (IERS Rapid Service / Prediction Centre, USNO): one fixed-column record per
  UTC day since 1973-01-02 with polar motion, UT1 - UTC, length of day and the celestial pole
  offsets dX, dY w.r.t. IAU 2000A, from Bulletin A (rapid, with predictions) and Bulletin B
  (final). The byte layout is that of the IERS ``readme.finals2000A``.

Parsing is pure: text in, :class:`~stationsim.time.LeapSecondTable` or
:class:`~stationsim.time.EOPTable` out; finding the bytes is :mod:`stationsim.data.loader`'s job.
Every error is a :class:`~stationsim.errors.DataFileError` naming source, line and column.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np

from stationsim.errors import DataFileError
from stationsim.time import EOPTable, LeapSecondTable, mjd_from_calendar

__all__ = ["parse_finals2000a", "parse_leap_seconds"]

_EXPIRES = re.compile(r"File\s+expires\s+on\s+(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})", re.IGNORECASE)
_MONTHS = {name: number for number, name in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"), start=1)}
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)")
_INTEGER = re.compile(r"[+-]?\d{1,9}")  # at most 9 digits: no overflow in date arithmetic


# --- Leap_Second.dat --------------------------------------------------------------------------
def parse_leap_seconds(text: str, source: str = "<string>") -> LeapSecondTable:
    """Read the IERS ``Leap_Second.dat`` table (TAI - UTC since 1972-01-01).

    Args:
        text: the whole file.
        source: the name used in error messages and kept as the table's ``source``.

    Returns:
        The table, with ``expires`` taken from the ``File expires on`` comment (``None`` if the
        file has none). Each row's MJD is checked against its calendar date.

    Raises:
        DataFileError: a malformed row, an MJD that disagrees with its date, dates that do not
            increase, an unreadable expiry date, or no rows at all.
    """
    mjds: list[float] = []
    offsets: list[float] = []
    expires: dt.date | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        stripped = line.lstrip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            match = _EXPIRES.search(line)
            if match is not None:
                expires = _expiry_date(match, source, number)
            continue
        tokens = [(m.start() + 1, m.group()) for m in re.finditer(r"\S+", line)]
        if len(tokens) != 5:
            raise DataFileError(
                "a leap-second row has five fields", source=source, line=number,
                column=tokens[0][0], expected="MJD day month year TAI-UTC",
                found=repr(stripped),
            )
        mjd = _number(tokens[0], source, number, "the MJD")
        day, month, year = (int(_integer(tok, source, number, what))
                            for tok, what in zip(tokens[1:4], ("day", "month", "year"),
                                                 strict=True))
        offset = _number(tokens[4], source, number, "TAI-UTC in seconds")
        if not (1 <= month <= 12 and 1 <= day <= 31) or mjd != float(
                mjd_from_calendar(year, month, day)):
            raise DataFileError(
                "the MJD does not match the calendar date", source=source, line=number,
                column=tokens[0][0],
                expected=f"MJD {float(mjd_from_calendar(year, month, day)):.1f} for "
                         f"{year:04d}-{month:02d}-{day:02d}" if 1 <= month <= 12 else
                         "a month from 1 to 12",
                found=tokens[0][1],
            )
        if mjds and mjd <= mjds[-1]:
            raise DataFileError("leap-second dates must increase", source=source, line=number,
                                column=tokens[0][0], expected=f"an MJD after {mjds[-1]:.1f}",
                                found=tokens[0][1])
        mjds.append(mjd)
        offsets.append(offset)
    if not mjds:
        raise DataFileError("no leap-second rows found", source=source,
                            expected="rows 'MJD day month year TAI-UTC'", found="none")
    return LeapSecondTable(np.array(mjds), np.array(offsets), expires=expires, source=source)


def _expiry_date(match: re.Match[str], source: str, line: int) -> dt.date:
    month = _MONTHS.get(match.group(2).lower())
    try:
        if month is None:
            raise ValueError("unknown month name")
        return dt.date(int(match.group(3)), month, int(match.group(1)))
    except ValueError:
        raise DataFileError("unreadable expiry date", source=source, line=line,
                            column=match.start() + 1,
                            expected="e.g. 'File expires on 28 June 2027'",
                            found=repr(match.group())) from None


def _number(token: tuple[int, str], source: str, line: int, what: str) -> float:
    column, text = token
    if _NUMBER.fullmatch(text) is None:
        raise DataFileError(f"{what} is not a number", source=source, line=line, column=column,
                            expected="a decimal number", found=repr(text))
    return float(text)


def _integer(token: tuple[int, str], source: str, line: int, what: str) -> int:
    column, text = token
    if _INTEGER.fullmatch(text) is None:
        raise DataFileError(f"the {what} is not an integer", source=source, line=line,
                            column=column, expected="an integer", found=repr(text))
    return int(text)


# --- finals2000A.all ---------------------------------------------------------------------------
# 0-based [start, end) byte ranges of readme.finals2000A (whose columns are 1-based, inclusive).
_YEAR, _MONTH, _DAY, _MJD = (0, 2), (2, 4), (4, 6), (7, 15)
_PM_FLAG, _UT1_FLAG = 16, 57
_PMX_A, _PMY_A, _UT1_A, _LOD_A = (18, 27), (37, 46), (58, 68), (79, 86)
_DX_A, _DY_A = (97, 106), (116, 125)
_PMX_B, _PMY_B, _UT1_B, _DX_B, _DY_B = (134, 144), (144, 154), (154, 165), (165, 175), (175, 185)
_RECORD_LENGTH = 185


def parse_finals2000a(text: str, source: str = "<string>") -> EOPTable:
    """Read the IERS ``finals2000A`` EOP series (``.all``, ``.data`` or ``.daily``).

    For each day: Bulletin B values where the file has them (final), else Bulletin A (rapid
    and predicted). A row is *predicted* when the I/P flag of its polar motion or of its
    UT1 - UTC says ``P``. dX, dY and LOD are zero where blank. Reading stops at the first row
    with no UT1 - UTC value (the file lists empty future days after its predictions).

    Args:
        text: the whole file.
        source: the name used in error messages and kept as the table's ``source``.

    Returns:
        The table in the units of the file: UT1 - UTC [s], x_p, y_p [arcsec], dX, dY [mas],
        LOD [ms], one row per UTC day (MJD at 0 h).

    Raises:
        DataFileError: a field that is not a number, a date that disagrees with the MJD,
            days that do not increase, a row with UT1 - UTC but no polar motion, or fewer than
            two rows.
    """
    rows: list[tuple[float, float, float, float, float, float, float, bool]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        line = line.ljust(_RECORD_LENGTH)

        def field(span: tuple[int, int], what: str, *, line: str = line,
                  number: int = number) -> float | None:
            return _fixed_field(line, span, what, source, number)

        ut1 = field(_UT1_B, "Bulletin B UT1-UTC")
        if ut1 is None:
            ut1 = field(_UT1_A, "Bulletin A UT1-UTC")
        if ut1 is None:
            break
        mjd = _finals_date(line, number, source, field(_MJD, "the MJD"))
        if rows and mjd <= rows[-1][0]:
            raise DataFileError("dates must increase", source=source, line=number,
                                column=_MJD[0] + 1, expected=f"an MJD after {rows[-1][0]:.2f}",
                                found=f"{mjd:.2f}")
        xp = _first(field(_PMX_B, "Bulletin B PM-x"), field(_PMX_A, "Bulletin A PM-x"))
        yp = _first(field(_PMY_B, "Bulletin B PM-y"), field(_PMY_A, "Bulletin A PM-y"))
        if xp is None or yp is None:
            raise DataFileError("a row with UT1-UTC has no polar motion", source=source,
                                line=number, column=_PMX_A[0] + 1,
                                expected="PM-x and PM-y (Bulletin A or B)", found="blanks")
        dx = _first(field(_DX_B, "Bulletin B dX"), field(_DX_A, "Bulletin A dX"))
        dy = _first(field(_DY_B, "Bulletin B dY"), field(_DY_A, "Bulletin A dY"))
        lod = field(_LOD_A, "Bulletin A LOD")
        flags = (line[_PM_FLAG], line[_UT1_FLAG])
        for flag, column in zip(flags, (_PM_FLAG, _UT1_FLAG), strict=True):
            if flag not in "IP ":
                raise DataFileError("unknown I/P flag", source=source, line=number,
                                    column=column + 1, expected="'I' or 'P'", found=repr(flag))
        rows.append((mjd, ut1, xp, yp, dx or 0.0, dy or 0.0, lod or 0.0, "P" in flags))
    if len(rows) < 2:
        raise DataFileError("fewer than two EOP rows with UT1-UTC", source=source,
                            expected="finals2000A records (see readme.finals2000A)",
                            found=f"{len(rows)} row(s)")
    values = np.array([row[:7] for row in rows], dtype=np.float64)
    columns = [np.ascontiguousarray(values[:, i]) for i in range(7)]
    return EOPTable(columns[0], columns[1], columns[2], columns[3], columns[4], columns[5],
                    columns[6], np.array([row[7] for row in rows], dtype=np.bool_),
                    source=source)


def _fixed_field(line: str, span: tuple[int, int], what: str, source: str,
                 number: int) -> float | None:
    piece = line[span[0]:span[1]].strip()
    if not piece:
        return None
    if _NUMBER.fullmatch(piece) is None:
        raise DataFileError(f"{what} is not a number", source=source, line=number,
                            column=span[0] + 1 + line[span[0]:].index(piece[0]),
                            expected=f"a decimal number in columns {span[0] + 1}-{span[1]}",
                            found=repr(piece))
    return float(piece)


def _first(preferred: float | None, fallback: float | None) -> float | None:
    return preferred if preferred is not None else fallback


def _finals_date(line: str, number: int, source: str, mjd: float | None) -> float:
    if mjd is None:
        raise DataFileError("missing MJD", source=source, line=number, column=_MJD[0] + 1,
                            expected=f"an MJD in columns {_MJD[0] + 1}-{_MJD[1]}", found="blanks")
    pieces = (line[slice(*_YEAR)], line[slice(*_MONTH)], line[slice(*_DAY)])
    # ASCII digits only: str.isdigit() also passes '²', and strip() more blanks than int().
    if not all(p.strip().isascii() and p.strip().isdigit() for p in pieces):
        raise DataFileError("unreadable date", source=source, line=number, column=1,
                            expected="YYMMDD in columns 1-6 (two-digit fields)",
                            found=repr(line[:6]))
    yy, month, day = (int(p.strip()) for p in pieces)
    # readme.finals2000A: add 1900 to the year up to MJD 51543 (1999-12-31), 2000 after.
    year = yy + (1900 if mjd <= 51543 else 2000)
    if not (1 <= month <= 12 and 1 <= day <= 31) or float(
            mjd_from_calendar(year, month, day)) != np.floor(mjd):
        raise DataFileError("the date does not match the MJD", source=source, line=number,
                            column=1, expected=f"the calendar date of MJD {mjd:.2f}",
                            found=repr(line[:6]))
    return mjd
