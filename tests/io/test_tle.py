"""TLE reading and writing: the real ISS element set of 2022-03-07, file shapes, every malformed
case with its message and position, Alpha-5, and round trips (hypothesis) through TLE and OMM.

Reference for the format: CelesTrak, "NORAD Two-Line Element Set Format" (T. S. Kelso); the ISS
lines are CelesTrak's published set of 2022-03-07 (epoch 22066.87965278).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sgp4.api import Satrec

from stationsim.errors import InputError, TLEError
from stationsim.io.omm import format_omm_json, format_omm_kvn, format_omm_xml, parse_omm
from stationsim.io.tle import format_tle, parse_tle, tle_checksum
from stationsim.propagation.sgp4 import satrec_from_elements
from stationsim.time import LeapSecondTable, Timescale

ISS_1 = "1 25544U 98067A   22066.87965278  .00007224  00000+0  13623-3 0  9990"
ISS_2 = "2 25544  51.6433 118.2979 0004901 229.8721 120.0122 15.49615511329466"
VANGUARD_1 = "1 00005U 58002B   00179.78495062  .00000023  00000-0  28098-4 0  4753"
VANGUARD_2 = "2 00005  34.2682 348.7242 1859667 331.7664  19.3264 10.82419157413667"


def _with_checksum(line: str) -> str:
    return line[:68] + str(tle_checksum(line))


def _error(text: str, source: str = "iss.tle") -> TLEError:
    with pytest.raises(TLEError) as info:
        parse_tle(text, source)
    return info.value


# --- reading ------------------------------------------------------------------------------------
def test_iss_values() -> None:
    (el,) = parse_tle(f"{ISS_1}\n{ISS_2}\n")
    assert el.norad_id == 25544 and el.classification == "U"
    assert el.object_id == "1998-067A" and el.object_name is None
    assert el.epoch_year == 2022 and el.epoch_day_of_year == 66.87965278
    assert el.mean_motion_dot_rev_per_day2 == 0.00007224
    assert el.mean_motion_ddot_rev_per_day3 == 0.0
    assert el.bstar_per_earth_radius == pytest.approx(0.13623e-3, rel=1e-15)
    assert (el.ephemeris_type, el.element_set_no, el.rev_at_epoch) == (0, 999, 32946)
    assert el.inclination_deg == 51.6433 and el.ra_of_asc_node_deg == 118.2979
    assert el.eccentricity == 0.0004901
    assert el.arg_of_pericenter_deg == 229.8721 and el.mean_anomaly_deg == 120.0122
    assert el.mean_motion_rev_per_day == 15.49615511
    assert el.epoch_iso == "2022-03-07T21:06:42.000192Z"
    satrec = Satrec.twoline2rv(ISS_1, ISS_2)
    assert el.epoch_jd_utc == (satrec.jdsatepoch, satrec.jdsatepochF) == (2459645.5, 0.87965278)


def test_epoch_as_a_stationsim_epoch() -> None:
    (el,) = parse_tle(f"{ISS_1}\n{ISS_2}\n")
    table = LeapSecondTable(mjd_utc=np.array([41317.0, 57754.0]),
                            tai_minus_utc_s=np.array([10.0, 37.0]))
    assert el.epoch(Timescale(table)).iso(6) == "2022-03-07T21:06:42.000192Z"


def test_two_and_three_line_sets_of_many_objects() -> None:
    text = (f"# a comment\nISS (ZARYA)\n{ISS_1}\n{ISS_2}\n\n0 VANGUARD 1\n{VANGUARD_1}\n"
            f"{VANGUARD_2}\n{ISS_1}\n{ISS_2}\n")
    els = parse_tle(text)
    assert [(e.norad_id, e.object_name) for e in els] == [
        (25544, "ISS (ZARYA)"), (5, "VANGUARD 1"), (25544, None)]
    assert els[1].epoch_year == 2000 and els[1].object_id == "1958-002B"
    assert els[0] == replace(els[2], object_name="ISS (ZARYA)")


def test_crlf_trailing_spaces_and_byte_order_mark() -> None:
    text = f"\ufeffISS (ZARYA)            \r\n{ISS_1}  \r\n{ISS_2}\r\n"
    assert parse_tle(text)[0].object_name == "ISS (ZARYA)"


def test_alpha5_catalog_numbers() -> None:
    el = replace(parse_tle(f"{ISS_1}\n{ISS_2}")[0], norad_id=100001)
    line1, line2 = format_tle(el)
    assert line1[2:7] == line2[2:7] == "A0001"
    again = parse_tle(f"{line1}\n{line2}")[0]
    assert again.norad_id == 100001
    assert Satrec.twoline2rv(line1, line2).satnum == 100001
    z = format_tle(replace(el, norad_id=339999))
    assert z[0][2:7] == "Z9999"
    with pytest.raises(TLEError, match="catalog number cannot be written"):
        format_tle(replace(el, norad_id=340000))


# --- malformed input ----------------------------------------------------------------------------
def test_bad_checksum() -> None:
    err = _error(f"{ISS_1}\n{ISS_2[:68]}7\n")
    assert str(err) == "iss.tle, line 2, column 69: checksum mismatch; expected 6, found 7"
    assert (err.line, err.column, err.expected, err.found) == (2, 69, "6", "7")


def test_shifted_column() -> None:
    shifted = ISS_2[:7] + ISS_2[8:16] + " " + ISS_2[16:]  # inclination moved one column left
    assert tle_checksum(shifted) == tle_checksum(ISS_2) and len(shifted) == 69
    err = _error(f"ISS\n{ISS_1}\n{shifted}\n")
    assert (err.line, err.column, err.expected, err.found) == (3, 12, "'.'", "'6'")
    assert "decimal point out of place in line 2 (a field seems shifted by a column)" in str(err)
    moved = ISS_1[:32] + ISS_1[33:43] + " " + ISS_1[43:]  # first derivative one column left
    err = _error(f"{moved}\n{ISS_2}\n")
    assert (err.line, err.column, err.found) == (1, 35, "'0'")
    moved = ISS_2[:26] + " " + ISS_2[26:33] + ISS_2[34:]  # eccentricity one column right
    err = _error(f"{ISS_1}\n{moved}\n")
    assert (err.line, err.column, err.expected, err.found) == (2, 34, "' '", "'1'")
    assert "field separator out of place in line 2" in str(err)


def test_swapped_lines() -> None:
    err = _error(f"{ISS_2}\n{ISS_1}\n")
    assert "lines swapped: line 2 comes before line 1" in str(err)
    assert (err.line, err.column) == (1, 1)


def test_two_objects_mixed() -> None:
    err = _error(f"{ISS_1}\n{VANGUARD_2}\n")
    assert "line 1 and line 2 are of different objects" in str(err)
    assert (err.line, err.column, err.expected, err.found) == (
        2, 3, "catalog number 25544 as on line 1", "5")


def test_non_ascii_character() -> None:
    line1 = ISS_1.replace("13623-3", "13623\u22123")
    err = _error(f"{line1}\n{ISS_2}\n")
    assert "non-ASCII character" in str(err)
    assert (err.line, err.column, err.found) == (1, 60, "'\u2212' (U+2212)")


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(text: str) -> None:
    err = _error(text)
    assert str(err).startswith("iss.tle: no element set found")
    assert err.line is None


def test_truncated_line() -> None:
    err = _error(f"{ISS_1}\n{ISS_2[:60]}\n")
    assert "truncated line 2: 60 columns" in str(err)
    assert (err.line, err.column, err.expected, err.found) == (2, 61, "69 columns", "60 columns")


def test_line_1_without_line_2() -> None:
    err = _error(f"{ISS_1}\n")
    assert "line 1 of an element set without its line 2" in str(err) and err.line == 1
    err = _error(f"{ISS_1}\n{VANGUARD_1}\n{VANGUARD_2}\n")
    assert err.line == 1 and "line 2: '1 00005U" in str(err)


def test_other_malformed_lines() -> None:
    assert "line 2 without a preceding line 1" in str(_error(f"{ISS_2}\n"))
    assert "name line without an element set" in str(_error(f"{ISS_1}\n{ISS_2}\nISS\n"))
    assert "must be followed by line 1" in str(_error(f"ISS\nZARYA\n{ISS_1}\n{ISS_2}\n"))
    err = _error(f"{ISS_1}\n{ISS_2} 0.0 1440.0 120.0\n")
    assert "line 2 is too long: 86 columns" in str(err) and err.column == 70
    err = _error(f"{ISS_1}\n{_with_checksum(ISS_2.replace(' 51.6433', '181.0000'))}\n")
    assert "value out of range in inclination_deg" in str(err)
    assert (err.line, err.column, err.expected) == (2, 9, "0 <= i <= 180")
    err = _error(f"{_with_checksum(ISS_1.replace('13623-3', '13 23-3'))}\n{ISS_2}\n")
    assert "bad exponent field in B* drag term" in str(err) and err.column == 54


def test_trailing_columns_and_checksums_can_be_relaxed() -> None:
    text = f"{ISS_1}\n{ISS_2[:68]}0      0.0      1440.0        120.00\n"
    (el,) = parse_tle(text, allow_trailing_columns=True, verify_checksums=False)
    assert el.rev_at_epoch == 32946


def test_elements_validate_their_ranges() -> None:
    iss = parse_tle(f"{ISS_1}\n{ISS_2}")[0]
    cases: list[tuple[str, Any]] = [
        ("eccentricity", 1.0), ("mean_motion_rev_per_day", 0.0), ("classification", "X"),
        ("object_id", "98067A"), ("epoch_day_of_year", 366.0), ("element_set_no", 10_000),
        ("bstar_per_earth_radius", float("nan"))]
    for name, bad in cases:
        with pytest.raises(InputError, match=re.escape(f"field {name}")):
            replace(iss, **{name: bad})


# --- writing ------------------------------------------------------------------------------------
def test_format_iss_lines() -> None:
    assert format_tle(parse_tle(f"{ISS_1}\n{ISS_2}")[0]) == (ISS_1, ISS_2)


def test_format_exponent_fields_and_signs() -> None:
    el = replace(parse_tle(f"{ISS_1}\n{ISS_2}")[0], bstar_per_earth_radius=0.00046219,
                 mean_motion_ddot_rev_per_day3=-1.2e-11, mean_motion_dot_rev_per_day2=-0.00000084)
    line1, _ = format_tle(el)
    assert line1[53:61] == " 46219-3"
    assert line1[44:52] == "-01200-9"  # below the field's exponent range: kept at -9
    assert line1[33:43] == "-.00000084"
    assert line1[68] == str(tle_checksum(line1))


def test_space_track_zero_exponent_sign() -> None:
    line1 = "1 25544U 98067A   25270.82361721  .00021639  00000-0  39357-3 0  9997"
    line2 = "2 25544  51.6325 158.3441 0001373 173.4686 186.6321 15.49453245531085"
    el = parse_tle(f"{line1}\n{line2}")[0]
    assert format_tle(el, zero_exponent_sign="-") == (line1, line2)
    assert format_tle(el)[0][44:52] == " 00000+0"


# --- property tests -----------------------------------------------------------------------------
@st.composite
def tle_lines(draw: st.DrawFn) -> tuple[str, str]:
    """Valid TLE lines in canonical form (what format_tle writes), fields drawn at TLE precision."""
    def fixed(ticks: int, digits: int, width: int) -> str:
        whole, frac = divmod(ticks, 10**digits)
        return f"{whole:>{width - digits - 1}d}.{frac:0{digits}d}"

    def exponent() -> str:
        mantissa = draw(st.integers(0, 99_999))
        if mantissa < 10_000:
            return " 00000+0"
        power = draw(st.integers(-9, 9))
        return f"{draw(st.sampled_from(' -'))}{mantissa}{'-' if power < 0 else '+'}{abs(power)}"

    norad = draw(st.integers(0, 339_999))
    catalog = f"{norad:05d}" if norad < 100_000 else (
        "ABCDEFGHJKLMNPQRSTUVWXYZ"[norad // 10_000 - 10] + f"{norad % 10_000:04d}")
    designator = draw(st.one_of(st.just(""), st.builds(
        lambda y, n, p: f"{y % 100:02d}{n:03d}{p}", st.integers(1957, 2056),
        st.integers(1, 999), st.from_regex(r"[A-Z]{1,3}", fullmatch=True))))
    year = draw(st.integers(1957, 2056))
    days = 366 if year % 4 == 0 else 365
    day = draw(st.integers(10**8, (days + 1) * 10**8 - 1))
    ndot = draw(st.integers(0, 99_999_999))
    sign = draw(st.sampled_from(" -")) if ndot else " "
    line1 = (f"1 {catalog}{draw(st.sampled_from('UCS'))} {designator:<8} {year % 100:02d}"
             f"{fixed(day, 8, 12).replace(' ', '0')} {sign}.{ndot:08d} {exponent()} "
             f"{exponent()} {draw(st.integers(0, 9))} {draw(st.integers(0, 9999)):4d}")
    angles = [fixed(draw(st.integers(0, 3_599_999)), 4, 8) for _ in range(3)]
    line2 = (f"2 {catalog} {fixed(draw(st.integers(0, 1_800_000)), 4, 8)} {angles[0]} "
             f"{draw(st.integers(0, 9_999_999)):07d} {angles[1]} {angles[2]} "
             f"{fixed(draw(st.integers(1, 9_999_999_999)), 8, 11)}"
             f"{draw(st.integers(0, 99_999)):5d}")
    return _with_checksum(line1 + "0"), _with_checksum(line2 + "0")


@given(tle_lines())
@settings(max_examples=300)
def test_format_of_parse_is_identity(lines: tuple[str, str]) -> None:
    (el,) = parse_tle("\n".join(lines))
    assert format_tle(el) == lines


@given(tle_lines())
@settings(max_examples=100)
def test_tle_to_omm_to_tle(lines: tuple[str, str]) -> None:
    (el,) = parse_tle("\n".join(lines))
    for text in (format_omm_kvn(el, creation_date="2025-01-01T00:00:00"),
                 format_omm_xml(el, creation_date="2025-01-01T00:00:00"),
                 format_omm_json([el])):
        (back,) = parse_omm(text)
        assert format_tle(back) == lines


@given(tle_lines())
@settings(max_examples=50)
def test_satrec_from_elements_is_twoline2rv(lines: tuple[str, str]) -> None:
    """Same SGP4 initialisation and state (or the same error) as python-sgp4's own reader."""
    (el,) = parse_tle("\n".join(lines))
    ours, theirs = satrec_from_elements(el), Satrec.twoline2rv(*lines)
    assert (ours.jdsatepoch, ours.jdsatepochF) == (theirs.jdsatepoch, theirs.jdsatepochF)
    assert repr(ours.sgp4_tsince(90.0)) == repr(theirs.sgp4_tsince(90.0))
