"""Two-line element sets (TLE/3LE) <-> :class:`~stationsim.propagation.elements.GPElements`.

Format: the NORAD two-line element set of Spacetrack Report #3 (Hoots & Roehrich 1980), columns
as documented by CelesTrak ("NORAD Two-Line Element Set Format", T.S. Kelso), with the Alpha-5
catalog numbers of the U.S. Space Force (``A0001`` = 100001 ... ``Z9999`` = 339999; letters I and
O unused). A set is two 69-column lines, optionally preceded by a name line (``"0 "`` prefix
allowed). Blank lines and lines starting with ``#`` are skipped.

Every check reports the file, the 1-based line and column, what was expected and what was found:
non-ASCII text, truncated lines, fields out of their columns (the separating spaces and decimal
points have fixed columns, so a shifted field shows), checksums, line 2 before line 1, lines of
two different objects, a line 1 without its line 2, and values out of range.

Vallado's verification file ``SGP4-VER.TLE`` carries the start, stop and step of each test case
after column 69 of line 2 and, for its error cases, deliberately wrong checksums: read it with
``parse_tle(text, allow_trailing_columns=True, verify_checksums=False)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from stationsim.errors import TLEError
from stationsim.propagation.elements import (
    ElementsValueError,
    GPElements,
    object_id_from_designator,
)

__all__ = ["format_tle", "parse_tle", "tle_checksum"]

_WIDTH = 69
_ALPHA5 = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # letters for 10..33, without I and O

# Fixed columns (1-based) of the separating spaces and of the decimal points.
_LAYOUT = {
    "1": {**dict.fromkeys((2, 9, 18, 33, 44, 53, 62, 64), " "), 24: ".", 35: "."},
    "2": {**dict.fromkeys((2, 8, 17, 26, 34, 43, 52), " "), 12: ".", 21: ".", 38: ".",
          47: ".", 55: "."},
}
# (line, first column, last column) of each GPElements field, for pointing at bad values.
_FIELD_COLUMNS = {
    "norad_id": ("1", 3, 7), "classification": ("1", 8, 8), "object_id": ("1", 10, 17),
    "epoch_year": ("1", 19, 20), "epoch_day_of_year": ("1", 21, 32),
    "mean_motion_dot_rev_per_day2": ("1", 34, 43), "mean_motion_ddot_rev_per_day3": ("1", 45, 52),
    "bstar_per_earth_radius": ("1", 54, 61), "ephemeris_type": ("1", 63, 63),
    "element_set_no": ("1", 65, 68), "inclination_deg": ("2", 9, 16),
    "ra_of_asc_node_deg": ("2", 18, 25), "eccentricity": ("2", 27, 33),
    "arg_of_pericenter_deg": ("2", 35, 42), "mean_anomaly_deg": ("2", 44, 51),
    "mean_motion_rev_per_day": ("2", 53, 63), "rev_at_epoch": ("2", 64, 68),
}
_FIXED = re.compile(r" *[+-]?\d*\.\d+")
_EXPONENT = re.compile(r"[ +-]\d{5}[+-]\d")
_INTEGER = re.compile(r" *\d+")


def tle_checksum(line: str) -> int:
    """Checksum of a TLE line: the sum of its digits, plus one per minus sign, of columns 1 to
    68, modulo 10."""
    total = 0
    for char in line[: _WIDTH - 1]:
        if char.isdigit():
            total += int(char)
        elif char == "-":
            total += 1
    return total % 10


class _Line:
    """One line of the text, with its 1-based number, for error messages."""

    def __init__(self, text: str, number: int, source: str) -> None:
        self.text, self.number, self.source = text, number, source

    def error(self, reason: str, column: int | None, expected: str | None = None,
              found: str | None = None) -> TLEError:
        return TLEError(reason, source=self.source, line=self.number, column=column,
                        expected=expected, found=found)

    def field(self, first: int, last: int) -> str:
        return self.text[first - 1: last]


def _kind(text: str) -> str:
    """'1' or '2' for an element line, 'name' otherwise."""
    if text[:1] in ("1", "2") and (len(text) == 1 or text[1] == " "):
        return text[0]
    return "name"


def _check_line(line: _Line, kind: str, *, trailing: bool, checksums: bool) -> None:
    text = line.text
    if len(text) < _WIDTH:
        raise line.error(f"truncated line {kind}: {len(text)} columns", len(text) + 1,
                         f"{_WIDTH} columns", f"{len(text)} columns")
    for column, char in sorted(_LAYOUT[kind].items()):
        if text[column - 1] != char:
            what = "field separator" if char == " " else "decimal point"
            raise line.error(
                f"{what} out of place in line {kind} (a field seems shifted by a column)",
                column, repr(char), repr(text[column - 1]))
    if len(text) > _WIDTH and not trailing:
        raise line.error(f"line {kind} is too long: {len(text)} columns", _WIDTH + 1,
                         f"{_WIDTH} columns (nothing after the checksum)",
                         repr(text[_WIDTH:_WIDTH + 20]))
    if checksums:
        found = text[_WIDTH - 1]
        expected = str(tle_checksum(text))
        if not found.isdigit():
            raise line.error("checksum is not a digit", _WIDTH, expected, repr(found))
        if found != expected:
            raise line.error("checksum mismatch", _WIDTH, expected, found)


def _number(line: _Line, first: int, last: int, what: str) -> float:
    text = line.field(first, last)
    if _FIXED.fullmatch(text) is None:
        raise line.error(f"bad number in {what}", first, "digits with a decimal point",
                         repr(text))
    return float(text)


def _integer(line: _Line, first: int, last: int, what: str) -> int:
    text = line.field(first, last)
    if not text.strip():
        return 0
    if _INTEGER.fullmatch(text) is None:
        raise line.error(f"bad integer in {what}", first, "digits", repr(text))
    return int(text)


def _exponent(line: _Line, first: int, what: str) -> float:
    """A field like ``" 13623-3"`` = 0.13623e-3, computed as the C++ SGP4 reader does
    (mantissa, then times a power of ten), so that SGP4 sees identical numbers."""
    text = line.field(first, first + 7)
    if _EXPONENT.fullmatch(text) is None:
        raise line.error(f"bad exponent field in {what}", first,
                         "sign, five digits, exponent sign and digit, like ' 13623-3'", repr(text))
    mantissa = float(text[0].replace(" ", "+") + "0." + text[1:6])
    return mantissa * 10.0 ** int(text[6:8])


def _catalog(line: _Line) -> int:
    text = line.field(3, 7)
    if text[:1] in _ALPHA5 and text[1:].isdigit():
        return (_ALPHA5.index(text[0]) + 10) * 10_000 + int(text[1:])
    if _INTEGER.fullmatch(text) is None:
        raise line.error("bad catalog number", 3, "five digits, or Alpha-5 such as 'A0001'",
                         repr(text))
    return int(text)


def _elements(name: str | None, one: _Line, two: _Line) -> GPElements:
    norad, norad2 = _catalog(one), _catalog(two)
    if norad != norad2:
        raise two.error("line 1 and line 2 are of different objects (two element sets mixed?)",
                        3, f"catalog number {norad} as on line {one.number}", str(norad2))
    try:
        object_id = object_id_from_designator(one.field(10, 17))
    except ValueError:
        raise one.error("bad international designator", 10, "launch year, launch number and "
                        "piece, like '98067A  '", repr(one.field(10, 17))) from None
    if not one.field(19, 20).isdigit():
        raise one.error("bad epoch year", 19, "two digits", repr(one.field(19, 20)))
    yy = int(one.field(19, 20))
    values: dict[str, Any] = {
        "object_name": name, "object_id": object_id, "norad_id": norad,
        "classification": one.field(8, 8).replace(" ", "U"),
        "epoch_year": yy + (2000 if yy < 57 else 1900),
        "epoch_day_of_year": _number(one, 21, 32, "epoch day of year"),
        "mean_motion_dot_rev_per_day2": _number(one, 34, 43, "first derivative of mean motion"),
        "mean_motion_ddot_rev_per_day3": _exponent(one, 45, "second derivative of mean motion"),
        "bstar_per_earth_radius": _exponent(one, 54, "B* drag term"),
        "ephemeris_type": _integer(one, 63, 63, "ephemeris type"),
        "element_set_no": _integer(one, 65, 68, "element set number"),
        "inclination_deg": _number(two, 9, 16, "inclination"),
        "ra_of_asc_node_deg": _number(two, 18, 25, "right ascension of the ascending node"),
        "arg_of_pericenter_deg": _number(two, 35, 42, "argument of perigee"),
        "mean_anomaly_deg": _number(two, 44, 51, "mean anomaly"),
        "mean_motion_rev_per_day": _number(two, 53, 63, "mean motion"),
        "rev_at_epoch": _integer(two, 64, 68, "revolution number"),
    }
    ecc = two.field(27, 33)
    if not ecc.isdigit():
        raise two.error("bad eccentricity", 27, "seven digits (decimal point assumed)",
                        repr(ecc))
    values["eccentricity"] = float("0." + ecc)
    try:
        return GPElements(**values)
    except ElementsValueError as exc:
        kind, first, _ = _FIELD_COLUMNS.get(exc.field, ("1", None, None))
        line = one if kind == "1" else two
        raise line.error(f"{exc.reason} in {exc.field}", first, exc.expected,
                         exc.found) from None


def _lines(text: str, source: str) -> Iterator[_Line]:
    """The meaningful lines (not blank, not comments), trailing white space removed."""
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.rstrip()
        if stripped and not stripped.startswith("#"):
            yield _Line(stripped, number, source)


def _check_ascii(text: str, source: str) -> None:
    for number, raw in enumerate(text.splitlines(), start=1):
        for column, char in enumerate(raw, start=1):
            if ord(char) > 127:
                raise TLEError("non-ASCII character (TLE files are plain ASCII text)",
                               source=source, line=number, column=column,
                               expected="ASCII characters",
                               found=f"{char!r} (U+{ord(char):04X})")


def parse_tle(
    text: str, source: str = "<string>", *, allow_trailing_columns: bool = False,
    verify_checksums: bool = True,
) -> list[GPElements]:
    """All element sets of a TLE or 3LE text, in file order.

    Args:
        text: the file's text (any mix of 2-line and 3-line sets, of one or many objects).
        source: a name for error messages (usually the file name).
        allow_trailing_columns: accept text after column 69 (Vallado's ``SGP4-VER.TLE``).
        verify_checksums: check the column-69 checksums (off only for ``SGP4-VER.TLE``).

    Raises:
        TLEError: with source, line, column, expected and found filled in.
    """
    text = text.removeprefix("\ufeff")
    _check_ascii(text, source)
    lines = list(_lines(text, source))
    if not lines:
        raise TLEError("no element set found: the text is empty", source=source,
                       expected="lines '1 ...' and '2 ...' of a TLE",
                       found="only blank or comment lines" if text.strip() else "no text")
    out: list[GPElements] = []
    name: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        kind = _kind(line.text)
        after = lines[i + 1] if i + 1 < len(lines) else None
        after_kind = _kind(after.text) if after is not None else None
        if kind == "name":
            if after is None:
                raise line.error("a name line without an element set after it", 1,
                                 "lines '1 ...' and '2 ...' next", "end of text")
            if after_kind == "name":
                raise after.error("a name line must be followed by line 1 of an element set",
                                  1, "'1 ' at columns 1-2", repr(after.text[:24]))
            name = line.text[2:].strip() if line.text.startswith("0 ") else line.text.strip()
            i += 1
            continue
        if kind == "2":
            if after is not None and after_kind == "1" and after.field(3, 7) == line.field(3, 7):
                raise line.error("lines swapped: line 2 comes before line 1", 1,
                                 f"line 1 of object {line.field(3, 7).strip()} first",
                                 f"line 1 at line {after.number}")
            raise line.error("line 2 without a preceding line 1", 1, "a line starting '1 '",
                             repr(line.text[:20]))
        if after is None or after_kind != "2":
            found = "end of text" if after is None else f"line {after.number}: {after.text[:20]!r}"
            raise line.error("line 1 of an element set without its line 2", 1,
                             "a line starting '2 ' next", found)
        _check_line(line, "1", trailing=allow_trailing_columns, checksums=verify_checksums)
        _check_line(after, "2", trailing=allow_trailing_columns, checksums=verify_checksums)
        out.append(_elements(name, line, after))
        name = None
        i += 2
    return out


def _format_exponent(value: float, zero_sign: str, what: str) -> str:
    """``0.13623e-3`` -> ``" 13623-3"`` (8 columns); tiny values lose digits at exponent -9."""
    sign = "-" if value < 0 else " "
    digits, exponent = f"{abs(value):.4e}".split("e")
    mantissa, power = int(digits.replace(".", "")), int(exponent) + 1
    if power < -9:  # below the field's reach: round at exponent -9 instead
        mantissa, power = round(abs(value) * 1e14), -9
    if mantissa == 0:
        return f" 00000{zero_sign}0"
    if power > 9:
        raise TLEError(f"{what} too large for a TLE", source="format_tle",
                       expected="|value| < 1e9", found=repr(value))
    return f"{sign}{mantissa:05d}{'-' if power < 0 else '+'}{abs(power)}"


def _angle(value: float) -> str:
    text = f"{value:8.4f}"
    return "  0.0000" if text == "360.0000" else text


def format_tle(el: GPElements, *, zero_exponent_sign: str = "+") -> tuple[str, str]:
    """The two 69-column lines of an element set, with checksums.

    Values are rounded to the TLE's precision (e.g. 4 decimals of a degree, 8 of a day). A zero
    in an exponent field is written ``00000+0``; pass ``zero_exponent_sign="-"`` for Space-Track's
    ``00000-0`` (the sign of a zero's exponent is not kept when reading).

    Raises:
        TLEError: for values a TLE cannot hold (catalog number > 339999, epoch outside
            1957-2056, mean motion >= 100 rev/day, |first derivative| >= 1).
    """
    if zero_exponent_sign not in ("+", "-"):
        raise ValueError("zero_exponent_sign must be '+' or '-'")

    def refuse(what: str, expected: str, found: object) -> TLEError:
        return TLEError(f"{what} cannot be written in a TLE", source="format_tle",
                        expected=expected, found=repr(found))

    norad = el.norad_id
    if norad > 339_999:
        raise refuse("catalog number", "at most 339999 (Alpha-5 Z9999)", norad)
    if norad < 100_000:
        catalog = f"{norad:05d}"
    else:
        catalog = f"{_ALPHA5[norad // 10_000 - 10]}{norad % 10_000:04d}"
    if not 1957 <= el.epoch_year <= 2056:
        raise refuse("epoch year", "1957 to 2056 (two-digit years)", el.epoch_year)
    ndot = f"{abs(el.mean_motion_dot_rev_per_day2):.8f}"
    if not ndot.startswith("0."):
        raise refuse("first derivative of mean motion", "|value| < 1 rev/day^2",
                     el.mean_motion_dot_rev_per_day2)
    ndot_sign = "-" if el.mean_motion_dot_rev_per_day2 < 0 and float(ndot) != 0 else " "
    designator = el.tle_designator
    if len(designator) > 8:
        raise refuse("international designator", "at most 8 characters", el.object_id)
    line1 = (
        f"1 {catalog}{el.classification} {designator:<8} "
        f"{el.epoch_year % 100:02d}{el.epoch_day_of_year:012.8f} {ndot_sign}{ndot[1:]} "
        f"{_format_exponent(el.mean_motion_ddot_rev_per_day3, zero_exponent_sign, 'nddot')} "
        f"{_format_exponent(el.bstar_per_earth_radius, zero_exponent_sign, 'B*')} "
        f"{el.ephemeris_type:1d} {el.element_set_no:4d}"
    )
    ecc = round(el.eccentricity * 1e7)
    if ecc >= 10_000_000:
        raise refuse("eccentricity", "below 0.99999995", el.eccentricity)
    motion = f"{el.mean_motion_rev_per_day:11.8f}"
    if len(motion) > 11:
        raise refuse("mean motion", "below 100 rev/day", el.mean_motion_rev_per_day)
    line2 = (
        f"2 {catalog} {el.inclination_deg:8.4f} {_angle(el.ra_of_asc_node_deg)} {ecc:07d} "
        f"{_angle(el.arg_of_pericenter_deg)} {_angle(el.mean_anomaly_deg)} "
        f"{motion}{el.rev_at_epoch % 100_000:5d}"
    )
    return line1 + str(tle_checksum(line1)), line2 + str(tle_checksum(line2))
