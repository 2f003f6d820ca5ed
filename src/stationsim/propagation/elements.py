"""General-perturbations (GP) mean elements: what one TLE or one SGP4 OMM holds.

:class:`GPElements` is the single in-memory form of a two-line element set and of a CCSDS Orbit
Mean-Elements Message (CCSDS 502.0-B-3) whose ``MEAN_ELEMENT_THEORY`` is SGP4, so that both
formats reach SGP4 by one path. The elements are *mean* elements of the SGP4 theory (Hoots &
Roehrich, Spacetrack Report #3, 1980; Vallado et al., AIAA 2006-6753) in the TEME frame of their
epoch; they are not osculating elements and mean nothing outside SGP4.

Field names follow the OMM keywords and carry their unit, because these are the units of the
published data, not SI: degrees, revolutions per day, inverse Earth radii. Conversions to SI or to
SGP4's internal units happen at the edge, in :mod:`stationsim.propagation.sgp4`.

The epoch is held the way a TLE holds it, a four-digit year and a day of the year with its
fraction (``1.0`` is 1 January 00:00 UTC), so that a TLE's epoch survives a round trip unchanged.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, NoReturn

from stationsim.constants import MJD_ZERO
from stationsim.errors import InputError

if TYPE_CHECKING:
    from stationsim.time import Epoch, Timescale

__all__ = [
    "ElementsValueError",
    "GPElements",
    "day_of_year_from_calendar",
    "object_id_from_designator",
]

#: Microseconds in a day.
_US_PER_DAY = 86_400_000_000
#: International designator as CCSDS writes it: launch year, launch number, piece (1-3 letters).
_OBJECT_ID = re.compile(r"\d{4}-\d{3}[A-Z]{0,3}")
#: International designator as a TLE prints it: two-digit year, launch number, piece.
_TLE_DESIGNATOR = re.compile(r"(\d{2})(\d{3})([A-Z]{0,3}) *")
#: Day fractions with no more digits than a TLE prints (8) are taken as exact decimals.
_TLE_DAY_DIGITS = 8


class ElementsValueError(InputError):
    """An element value outside its valid range; :attr:`field` names the offending field so
    that a reader (TLE, OMM) can point at the right column or keyword."""

    def __init__(self, field: str, message: str, *, expected: str, found: str) -> None:
        self.field = field
        super().__init__(message, source=f"GP elements, field {field}", expected=expected,
                         found=found)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def day_of_year_from_calendar(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0,
    second: Fraction | float | int = 0,
) -> float:
    """Day of the year with its fraction (1 January 00:00 is ``1.0``) of a UTC calendar time.

    ``second`` may be a :class:`~fractions.Fraction` so that decimal seconds read from text
    (e.g. ``"41.999232"``) convert with a single rounding, to the nearest float.
    """
    ordinal = (dt.date(year, month, day) - dt.date(year, 1, 1)).days + 1
    exact = Fraction(ordinal) + (Fraction(hour * 3600 + minute * 60) + Fraction(second)) / 86_400
    return float(exact)


def object_id_from_designator(designator: str) -> str | None:
    """CCSDS ``OBJECT_ID`` (``"1998-067A"``) of a TLE international designator (``"98067A"``);
    ``None`` for a blank one. Two-digit years 57-99 are 19xx, 00-56 are 20xx (the TLE rule).

    Raises:
        ValueError: if the text is not a designator.
    """
    if not designator.strip():
        return None
    match = _TLE_DESIGNATOR.fullmatch(designator)
    if match is None:
        raise ValueError(f"not an international designator: {designator!r}")
    yy = int(match[1])
    return f"{yy + (2000 if yy < 57 else 1900)}-{match[2]}{match[3]}"


@dataclass(frozen=True, kw_only=True, slots=True)
class GPElements:
    """One SGP4 mean element set (TLE or CCSDS OMM with ``MEAN_ELEMENT_THEORY = SGP4``).

    Angles in degrees, mean motion in revolutions per day and its derivatives as a TLE prints
    them (``mean_motion_dot_rev_per_day2`` is the first derivative divided by two,
    ``mean_motion_ddot_rev_per_day3`` the second derivative divided by six),
    ``bstar_per_earth_radius`` the SGP4 drag term B* in 1/Earth radii. The epoch is UTC. Ranges
    are checked on construction; a value out of range raises :class:`ElementsValueError` (an
    :class:`~stationsim.errors.InputError`).
    """

    norad_id: int
    epoch_year: int
    epoch_day_of_year: float
    mean_motion_rev_per_day: float
    eccentricity: float
    inclination_deg: float
    ra_of_asc_node_deg: float
    arg_of_pericenter_deg: float
    mean_anomaly_deg: float
    bstar_per_earth_radius: float
    mean_motion_dot_rev_per_day2: float
    mean_motion_ddot_rev_per_day3: float
    object_name: str | None = None
    object_id: str | None = None
    classification: str = "U"
    ephemeris_type: int = 0
    element_set_no: int = 999
    rev_at_epoch: int = 0

    def __post_init__(self) -> None:
        self._check_int("norad_id", 0, 999_999_999)
        self._check_int("epoch_year", 1900, 2099)  # SGP4's calendar routines hold in 1900-2100
        days = 366 if _is_leap(self.epoch_year) else 365
        self._check_real("epoch_day_of_year", 1.0, days + 1.0, f"1 <= day < {days + 1}")
        self._check_real("mean_motion_rev_per_day", 0.0, math.inf, "0 < n", low_open=True)
        self._check_real("eccentricity", 0.0, 1.0, "0 <= e < 1")
        self._check_real("inclination_deg", 0.0, 180.0, "0 <= i <= 180", high_closed=True)
        for name in ("ra_of_asc_node_deg", "arg_of_pericenter_deg", "mean_anomaly_deg"):
            self._check_real(name, 0.0, 360.0, "0 <= angle <= 360", high_closed=True)
        for name in ("bstar_per_earth_radius", "mean_motion_dot_rev_per_day2",
                     "mean_motion_ddot_rev_per_day3"):
            self._check_real(name, -math.inf, math.inf, "a finite number")
        if self.classification not in ("U", "C", "S"):
            self._fail("classification", "unknown classification",
                       "'U', 'C' or 'S'", repr(self.classification))
        if self.object_id is not None and _OBJECT_ID.fullmatch(self.object_id) is None:
            self._fail("object_id", "malformed international designator",
                       "YYYY-NNNP{0,3} such as '1998-067A'", repr(self.object_id))
        if self.object_name is not None and not isinstance(self.object_name, str):
            self._fail("object_name", "object name is not text", "a str or None",
                       repr(self.object_name))
        self._check_int("ephemeris_type", 0, 9)
        self._check_int("element_set_no", 0, 9999)
        self._check_int("rev_at_epoch", 0, 999_999_999)

    # --- validation helpers -------------------------------------------------------------------
    def _fail(self, field: str, message: str, expected: str, found: str) -> NoReturn:
        raise ElementsValueError(field, message, expected=expected, found=found)

    def _check_int(self, field: str, low: int, high: int) -> None:
        value = getattr(self, field)
        if isinstance(value, bool) or not isinstance(value, int):
            self._fail(field, "not an integer", f"an integer {low} to {high}", repr(value))
        if not low <= value <= high:
            self._fail(field, "integer out of range", f"{low} to {high}", str(value))

    def _check_real(
        self, field: str, low: float, high: float, text: str,
        *, low_open: bool = False, high_closed: bool = False,
    ) -> None:
        value = getattr(self, field)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self._fail(field, "not a number", text, repr(value))
        ok = math.isfinite(value)
        ok = ok and (value > low if low_open else value >= low)
        ok = ok and (value <= high if high_closed else value < high)
        if not ok:
            self._fail(field, "value out of range", text, repr(value))

    # --- epoch views --------------------------------------------------------------------------
    @property
    def epoch_jd_utc(self) -> tuple[float, float]:
        """Epoch as a two-part UTC Julian date ``(jd, fraction)``, as python-sgp4 holds it in
        ``Satrec.jdsatepoch, jdsatepochF``: ``jd`` is the Julian date of 0 h UTC of the epoch's
        day (it ends in ``.5``) and ``fraction`` the day fraction, rounded to the TLE's eight
        decimals when the day of year has no more digits than a TLE prints."""
        whole = math.floor(self.epoch_day_of_year)
        fraction = self.epoch_day_of_year - whole
        if round(self.epoch_day_of_year, _TLE_DAY_DIGITS) == self.epoch_day_of_year:
            fraction = round(fraction * 1e8) / 1e8
        jan1 = dt.date(self.epoch_year, 1, 1).toordinal()
        mjd_jan1 = jan1 - dt.date(1858, 11, 17).toordinal()
        return MJD_ZERO + mjd_jan1 + (whole - 1), fraction

    @property
    def epoch_calendar_utc(self) -> tuple[dt.date, int]:
        """Epoch as a UTC calendar date and the microseconds elapsed in that day (rounded to
        the nearest microsecond, carrying into the next day if needed)."""
        whole = math.floor(self.epoch_day_of_year)
        micro = round(Fraction(self.epoch_day_of_year - whole) * _US_PER_DAY)
        date = dt.date(self.epoch_year, 1, 1) + dt.timedelta(days=whole - 1)
        if micro >= _US_PER_DAY:
            date += dt.timedelta(days=1)
            micro -= _US_PER_DAY
        return date, micro

    @property
    def epoch_iso(self) -> str:
        """Epoch as ISO 8601 UTC text with microseconds and a trailing ``Z``, e.g.
        ``2022-03-07T21:06:41.999232Z``."""
        date, micro = self.epoch_calendar_utc
        seconds, us = divmod(micro, 1_000_000)
        hour, rest = divmod(seconds, 3600)
        minute, second = divmod(rest, 60)
        return f"{date.isoformat()}T{hour:02d}:{minute:02d}:{second:02d}.{us:06d}Z"

    def epoch(self, ts: Timescale) -> Epoch:
        """The epoch as a :class:`~stationsim.time.Epoch` of the timescale ``ts``."""
        jd1, jd2 = self.epoch_jd_utc
        return ts.from_jd_utc(jd1, jd2)

    # --- designators --------------------------------------------------------------------------
    @property
    def tle_designator(self) -> str:
        """International designator as a TLE prints it (``"98067A"``; ``""`` when unknown)."""
        if self.object_id is None:
            return ""
        return self.object_id[2:4] + self.object_id[5:]
