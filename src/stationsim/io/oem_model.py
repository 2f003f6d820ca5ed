"""The objects of a CCSDS Orbit Ephemeris Message (OEM) and the checks shared by its encodings.

An OEM (CCSDS 502.0-B-3, Orbit Data Messages, 2023, section 5) is a header and one or more
segments; a segment is metadata (object, centre, frame, time system, span) and ephemeris lines of
epoch, position, velocity and optionally acceleration. :class:`OEMSegment` holds them in SI units
(m, m/s, m/s**2); files carry km, km/s and km/s**2, converted when read and written.

Epochs are kept as the file's text, normalised to ``YYYY-MM-DDThh:mm:ss[.f]`` (a day-of-year
date becomes a calendar date, a trailing ``Z`` is dropped, the decimals are kept as given), in
the segment's ``time_system``. That keeps every time system exact and parsing free of tables;
:meth:`OEMSegment.epochs` turns them into an :class:`~stationsim.time.Epoch` with a timescale
(for UTC, TAI, TT and GPS), and :meth:`OEMSegment.from_states` makes a UTC segment from epochs.
Frames are carried by name (``GCRF``, ``EME2000``, ``ITRF2014``, ``TEME``, ...), never rotated.

The KVN and XML readers (:mod:`.oem_kvn`, :mod:`.oem_xml`) fill :class:`RawMessage` objects that
keep where each value came from; :func:`build_message` checks them and makes the :class:`OEM`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from stationsim.constants import TT_MINUS_TAI_S
from stationsim.errors import OEMError
from stationsim.time import Epoch, Timescale
from stationsim.time.tables import FloatArray

__all__ = ["OEM", "TIME_SYSTEMS", "OEMSegment"]

#: Time systems of the standard's annex (SANA registry); epochs of the others stay text.
TIME_SYSTEMS = ("GMST", "GPS", "MET", "MRT", "SCLK", "TAI", "TCB", "TCG", "TDB", "TT", "UT1",
                "UTC")
#: TAI - (time system) [s]: TT = TAI + 32.184 s (IAU 1991); GPS = TAI - 19 s (GPS ICD-200).
_TAI_MINUS = {"TAI": 0.0, "TT": -TT_MINUS_TAI_S, "GPS": 19.0}
HEADER_KEYS = ("CCSDS_OEM_VERS", "CLASSIFICATION", "CREATION_DATE", "ORIGINATOR", "MESSAGE_ID")
META_KEYS = ("OBJECT_NAME", "OBJECT_ID", "CENTER_NAME", "REF_FRAME", "REF_FRAME_EPOCH",
             "TIME_SYSTEM", "START_TIME", "USEABLE_START_TIME", "USEABLE_STOP_TIME", "STOP_TIME",
             "INTERPOLATION", "INTERPOLATION_DEGREE")
_MANDATORY_META = ("OBJECT_NAME", "OBJECT_ID", "CENTER_NAME", "REF_FRAME", "TIME_SYSTEM",
                   "START_TIME", "STOP_TIME")
#: Units of the numbers of an ephemeris line, in order (XML ``units`` attributes).
UNITS = ("km",) * 3 + ("km/s",) * 3 + ("km/s**2",) * 3
_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_EPOCH = re.compile(r"([0-9]{4})-(?:([0-9]{2})-([0-9]{2})|([0-9]{3}))T([0-9]{2}):([0-9]{2}):"
                    r"([0-9]{2})(\.[0-9]+)?Z?")
_MJD_ORDINAL = dt.date(1858, 11, 17).toordinal()


@dataclass(frozen=True, eq=False)
class OEMSegment:
    """One OEM segment: metadata and ``K`` ephemeris lines, in SI units.

    Positions, velocities and accelerations are ``(K, 3)`` arrays (read-only) in ``ref_frame``
    centred on ``center_name``: ``positions_m`` [m], ``velocities_m_s`` [m/s],
    ``accelerations_m_s2`` [m/s**2] or ``None``. ``epochs_iso`` and the span
    (``start_time``, ``stop_time``, ``useable_*``) are ISO 8601 text in ``time_system``,
    without ``Z``. ``comments`` are the metadata's COMMENT lines, ``data_comments`` those of the
    ephemeris data.
    """

    object_name: str
    object_id: str
    center_name: str
    ref_frame: str
    time_system: str
    start_time: str
    stop_time: str
    epochs_iso: tuple[str, ...]
    positions_m: FloatArray
    velocities_m_s: FloatArray
    accelerations_m_s2: FloatArray | None = None
    useable_start_time: str | None = None
    useable_stop_time: str | None = None
    interpolation: str | None = None
    interpolation_degree: int | None = None
    ref_frame_epoch: str | None = None
    comments: tuple[str, ...] = ()
    data_comments: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        count = len(self.epochs_iso)
        for name in ("positions_m", "velocities_m_s", "accelerations_m_s2"):
            value = getattr(self, name)
            if value is None:
                continue
            array = np.array(value, dtype=np.float64)
            if array.shape != (count, 3) or not np.all(np.isfinite(array)):
                raise ValueError(f"{name} must be finite, of shape ({count}, 3) for "
                                 f"{count} epochs; got shape {array.shape}")
            array.flags.writeable = False
            object.__setattr__(self, name, array)
        if count == 0:
            raise ValueError("an OEM segment needs at least one epoch")

    @classmethod
    def from_states(cls, epochs: Epoch, positions_m: ArrayLike, velocities_m_s: ArrayLike, *,
                    object_name: str, object_id: str, ref_frame: str,
                    center_name: str = "EARTH", accelerations_m_s2: ArrayLike | None = None,
                    interpolation: str | None = None, interpolation_degree: int | None = None,
                    comments: tuple[str, ...] = (), places: int = 9) -> OEMSegment:
        """A UTC segment spanning the given epochs, states ``(K, 3)`` in SI units in the
        frame named ``ref_frame`` (not rotated); epochs written with ``places`` decimals."""
        text = np.atleast_1d(np.asarray(epochs.iso(places), dtype=object))
        iso = tuple(str(item).removesuffix("Z") for item in text.ravel())
        return cls(object_name, object_id, center_name, ref_frame, "UTC", iso[0], iso[-1], iso,
                   np.asarray(positions_m), np.asarray(velocities_m_s),
                   None if accelerations_m_s2 is None else np.asarray(accelerations_m_s2),
                   interpolation=interpolation, interpolation_degree=interpolation_degree,
                   comments=comments)

    def epochs(self, ts: Timescale) -> Epoch:
        """The epochs as an :class:`~stationsim.time.Epoch` array (time systems UTC, TAI, TT
        and GPS; the others raise :class:`~stationsim.errors.OEMError`; dates before 1972
        raise :class:`~stationsim.errors.DataRangeError`, as UTC is not supported there)."""
        parsed = [_calendar(text, self.time_system) for text in self.epochs_iso]
        days = np.array([p[1] for p in parsed], dtype=np.float64)
        seconds = np.array([p[2] for p in parsed], dtype=np.float64)
        if self.time_system == "UTC":
            return ts.from_utc_day_seconds(days, seconds)
        if self.time_system not in _TAI_MINUS:
            raise OEMError(f"epochs in time system {self.time_system} cannot be converted",
                           expected="UTC, TAI, TT or GPS", found=self.time_system)
        # From UTC midnight of each day (TAI: day + dAT), move to the TAI instant wanted.
        midnight = ts.from_utc_day_seconds(days, np.zeros_like(seconds))
        return midnight + (seconds + _TAI_MINUS[self.time_system] - ts.tai_minus_utc(days))


@dataclass(frozen=True, eq=False)
class OEM:
    """An Orbit Ephemeris Message: a header and one or more :class:`OEMSegment`.

    ``creation_date`` (UTC, ISO 8601) of ``None`` means the time of writing; ``version`` is the
    ``CCSDS_OEM_VERS`` read (writers always write 3.0); ``comments`` are the header's.
    """

    segments: tuple[OEMSegment, ...]
    originator: str = "stationsim"
    creation_date: str | None = None
    message_id: str | None = None
    classification: str | None = None
    version: str = "3.0"
    comments: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "segments", tuple(self.segments))
        if not self.segments:
            raise ValueError("an OEM needs at least one segment")


# --- values with where they came from ----------------------------------------------------------
@dataclass(frozen=True)
class Value:
    """One value as read, with its place for error messages."""

    text: str
    where: str  # e.g. "keyword START_TIME", "data line", "element <X>"
    line: int | None
    column: int | None = None
    units: str | None = None


class Section:
    """The keywords of a header or of a segment's metadata, and its comments."""

    def __init__(self, source: str, label: str, line: int | None) -> None:
        self.source, self.label, self.line = source, label, line
        self.values: dict[str, Value] = {}
        self.comments: list[str] = []

    def error(self, value: Value | None, reason: str, expected: str, found: str) -> OEMError:
        if value is None:
            return OEMError(f"{self.label}: {reason}", source=self.source, line=self.line,
                            expected=expected, found=found)
        return OEMError(f"{value.where}: {reason}", source=self.source, line=value.line,
                        column=value.column, expected=expected, found=found)

    def add(self, key: str, value: Value, allowed: tuple[str, ...]) -> None:
        if key not in allowed:
            reason = "unexpected keyword"
            if key in META_KEYS and allowed is not META_KEYS:
                reason = f"keyword {key} belongs in the metadata"
            elif key in HEADER_KEYS[1:] and allowed is META_KEYS:
                reason = f"keyword {key} belongs in the header"
            raise self.error(value, reason, f"one of {', '.join(allowed)}", key)
        if key in self.values:
            raise self.error(value, "given twice", "each keyword once",
                             f"again (first at line {self.values[key].line})")
        self.values[key] = value

    def get(self, key: str) -> Value:
        value = self.values.get(key)
        if value is None:
            raise self.error(None, f"missing mandatory keyword {key}", key, "no such keyword")
        if not value.text:
            raise self.error(value, f"empty {key}", f"a value for {key}", "nothing")
        return value

    def optional(self, key: str) -> str | None:
        value = self.values.get(key)
        return None if value is None else value.text


@dataclass
class Row:
    """One ephemeris line: its epoch and its 6 or 9 numbers, as text."""

    epoch: Value
    numbers: list[Value]
    line: int | None


@dataclass
class RawSegment:
    meta: Section
    rows: list[Row] = field(default_factory=list)
    data_comments: list[str] = field(default_factory=list)


@dataclass
class RawMessage:
    header: Section
    segments: list[RawSegment] = field(default_factory=list)


# --- checks ------------------------------------------------------------------------------------
def _calendar(text: str, time_system: str) -> tuple[str, int, float]:
    """(normalised text, MJD day, seconds of day) of an epoch; ValueError if malformed."""
    match = _EPOCH.fullmatch(text)
    if match is None:
        raise ValueError("not an epoch")
    year, month, day, doy, hour, minute, sec, frac = match.groups()
    if doy is not None:
        date = dt.date(int(year), 1, 1) + dt.timedelta(days=int(doy) - 1)
        if date.year != int(year) or int(doy) < 1:
            raise ValueError("day of year out of range")
    else:
        date = dt.date(int(year), int(month), int(day))
    h, m, s = int(hour), int(minute), int(sec)
    leap = time_system == "UTC" and (h, m, s) == (23, 59, 60)
    if h > 23 or m > 59 or (s > 59 and not leap):
        raise ValueError("time of day out of range")
    seconds = h * 3600 + m * 60 + s + (float(frac) if frac else 0.0)
    normal = f"{date.isoformat()}T{hour}:{minute}:{sec}{frac or ''}"
    return normal, date.toordinal() - _MJD_ORDINAL, seconds


def _epoch(section: Section, value: Value, time_system: str) -> tuple[str, int, float]:
    try:
        return _calendar(value.text, time_system)
    except ValueError as exc:
        reason = "bad epoch" if str(exc) == "not an epoch" else f"bad epoch ({exc})"
        raise section.error(value, reason, f"a {time_system} time YYYY-MM-DDThh:mm:ss[.f] or "
                            "YYYY-DDDThh:mm:ss[.f]", repr(value.text[:40])) from None


def _number(section: Section, value: Value, units: str) -> float:
    if _NUMBER.fullmatch(value.text) is None:
        raise section.error(value, "bad number", "a decimal number such as 6778.137",
                            repr(value.text[:40]))
    number = float(value.text)
    if not math.isfinite(number):
        raise section.error(value, "number out of range", "a finite number",
                            repr(value.text[:40]))
    given = value.units
    if given is not None and given.replace(" ", "").replace("^", "**").lower() != units:
        raise section.error(value, "wrong units", f"[{units}]", f"[{given}]")
    return number


def build_message(raw: RawMessage) -> OEM:
    """The :class:`OEM` of a message as read, after the standard's checks.

    Raises:
        OEMError: naming the keyword, element or data line, with what was expected and found.
    """
    header = raw.header
    version = header.get("CCSDS_OEM_VERS")
    if version.text not in ("1.0", "2.0", "3.0"):
        raise header.error(version, "unsupported CCSDS_OEM_VERS", "1.0, 2.0 or 3.0",
                           repr(version.text[:40]))
    creation = _epoch(header, header.get("CREATION_DATE"), "UTC")[0]
    originator = header.get("ORIGINATOR").text
    if not raw.segments:
        raise header.error(None, "no segment", "META_START (or <segment>) and ephemeris data",
                           "none")
    segments = tuple(_segment(segment) for segment in raw.segments)
    return OEM(segments, originator, creation, header.optional("MESSAGE_ID"),
               header.optional("CLASSIFICATION"), version.text, tuple(header.comments))


def _segment(raw: RawSegment) -> OEMSegment:
    meta = raw.meta
    values = {key: meta.get(key).text for key in _MANDATORY_META}
    system_value = meta.get("TIME_SYSTEM")
    system = system_value.text.upper()
    if system not in TIME_SYSTEMS:
        raise meta.error(system_value, "unknown TIME_SYSTEM", ", ".join(TIME_SYSTEMS),
                         repr(system_value.text[:40]))
    span: dict[str, tuple[str, int, float]] = {}
    for key in ("START_TIME", "USEABLE_START_TIME", "USEABLE_STOP_TIME", "STOP_TIME"):
        if key in meta.values:
            span[key] = _epoch(meta, meta.get(key), system)
    order = list(span)  # the standard's order: each at or after the one before
    for before, after in itertools.pairwise(order):
        if span[after][1:] < span[before][1:]:
            raise meta.error(meta.values[after], f"{after} before {before}",
                             f"at or after {span[before][0]}", span[after][0])
    degree = _degree(meta)
    if not raw.rows:
        raise meta.error(None, "segment without ephemeris data", "ephemeris data lines",
                         "none")
    width = len(raw.rows[0].numbers)
    epochs: list[str] = []
    numbers = np.empty((len(raw.rows), width))
    previous: tuple[int, float] | None = None
    for index, row in enumerate(raw.rows):
        count = len(row.numbers)
        if count not in (6, 9) or count != width:
            expected = "6 numbers (or 9 with accelerations)" if index == 0 else (
                f"{width} numbers, as in the segment's first ephemeris line")
            raise OEMError(f"{row.epoch.where}: wrong count of numbers", source=meta.source,
                           line=row.line, expected=expected + " after the epoch",
                           found=f"{count} numbers")
        text, day, seconds = _epoch(meta, row.epoch, system)
        if previous is not None and (day, seconds) <= previous:
            raise meta.error(row.epoch, "epochs not increasing", f"after {epochs[-1]}", text)
        if (day, seconds) < span["START_TIME"][1:] or (day, seconds) > span["STOP_TIME"][1:]:
            raise meta.error(row.epoch, "epoch outside START_TIME..STOP_TIME",
                             f"from {span['START_TIME'][0]} to {span['STOP_TIME'][0]}", text)
        previous = (day, seconds)
        epochs.append(text)
        numbers[index] = [_number(meta, value, units)
                          for value, units in zip(row.numbers, UNITS, strict=False)]
    with np.errstate(over="ignore"):
        numbers *= 1000.0  # km, km/s, km/s**2 -> m, m/s, m/s**2
    overflow = np.flatnonzero(~np.all(np.isfinite(numbers), axis=1))
    if overflow.size:
        row = raw.rows[int(overflow[0])]
        raise OEMError(f"{row.epoch.where}: number out of range", source=meta.source,
                       line=row.line, expected="values that stay finite in SI units",
                       found="a value above 1.7e305")
    return OEMSegment(
        values["OBJECT_NAME"], values["OBJECT_ID"], values["CENTER_NAME"], values["REF_FRAME"],
        system, span["START_TIME"][0], span["STOP_TIME"][0], tuple(epochs), numbers[:, 0:3],
        numbers[:, 3:6], numbers[:, 6:9] if width == 9 else None,
        span["USEABLE_START_TIME"][0] if "USEABLE_START_TIME" in span else None,
        span["USEABLE_STOP_TIME"][0] if "USEABLE_STOP_TIME" in span else None,
        meta.optional("INTERPOLATION"), degree, meta.optional("REF_FRAME_EPOCH"),
        tuple(meta.comments), tuple(raw.data_comments))


def _degree(meta: Section) -> int | None:
    if "INTERPOLATION_DEGREE" not in meta.values:
        return None
    value = meta.get("INTERPOLATION_DEGREE")
    if not value.text.isascii() or not value.text.isdigit() or len(value.text) > 3:
        raise meta.error(value, "bad INTERPOLATION_DEGREE", "a whole number such as 7",
                         repr(value.text[:40]))
    return int(value.text)


def km(value: float) -> str:
    """A value in SI units as text in kilo-units, with every digit needed to read it back."""
    return repr(float(value) / 1000.0)


def now_utc() -> str:
    """The current UTC time as ISO 8601 text (whole seconds), for CREATION_DATE."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
