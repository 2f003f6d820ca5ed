"""IERS readers on the bundled files and on malformed input.

References: the bundled ``Leap_Second.dat`` and ``finals2000A.all`` themselves (from
astropy-iers-data 0.2026.11.2); each expected number below is the one printed in the quoted
line of the file, and the column layout is IERS ``readme.finals2000A``.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources

import numpy as np
import pytest

from stationsim.errors import DataFileError
from stationsim.io.iers import parse_finals2000a, parse_leap_seconds
from stationsim.time import EOPTable, LeapSecondTable, Timescale, mjd_from_calendar


def _bundled(name: str) -> str:
    return resources.files("stationsim.data").joinpath("bundled", name).read_text(encoding="ascii")


@pytest.fixture(scope="module")
def leap() -> LeapSecondTable:
    return parse_leap_seconds(_bundled("Leap_Second.dat"), "Leap_Second.dat")


@pytest.fixture(scope="module")
def finals_text() -> str:
    return _bundled("finals2000A.all")


@pytest.fixture(scope="module")
def eop(finals_text: str) -> EOPTable:
    return parse_finals2000a(finals_text, "finals2000A.all")


def _row(table: EOPTable, year: int, month: int, day: int) -> int:
    return int(np.searchsorted(table.mjd_utc, float(mjd_from_calendar(year, month, day))))


# --- Leap_Second.dat ------------------------------------------------------------------------
def test_leap_seconds_bundled(leap: LeapSecondTable) -> None:
    # "41317.0    1  1 1972       10" ... "57754.0    1  1 2017       37": 28 rows.
    assert leap.mjd_utc.size == 28
    assert (leap.mjd_utc[0], leap.tai_minus_utc_s[0]) == (41317.0, 10.0)
    assert (leap.mjd_utc[-1], leap.tai_minus_utc_s[-1]) == (57754.0, 37.0)
    # "#  File expires on 28 June 2027"
    assert leap.expires == dt.date(2027, 6, 28)
    assert leap.source == "Leap_Second.dat"


def test_leap_seconds_in_a_timescale(leap: LeapSecondTable) -> None:
    ts = Timescale(leap)
    # 37 s since 2017-01-01 (IERS Bulletin C 52), so on 2022-03-07 and the day before 2017.
    assert ts.tai_minus_utc(float(mjd_from_calendar(2022, 3, 7)))[()] == 37.0
    assert ts.tai_minus_utc(57753.5)[()] == 36.0


LEAP_HEADER = "#  File expires on 28 June 2027\n"


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        ("    41318.0    1  1 1972       10", 5, "does not match"),  # MJD of 1972-01-02
        ("    41317.0    1  1 1972", 5, "five fields"),
        ("    41317.x    1  1 1972       10", 5, "not a number"),
        ("    41317.0    1  1 19x2       10", 21, "not an integer"),
        ("    41317.0    1 13 1972       10", 5, "does not match"),
    ],
)
def test_leap_seconds_malformed_rows(row: str, column: int, fragment: str) -> None:
    with pytest.raises(DataFileError, match=fragment) as info:
        parse_leap_seconds(LEAP_HEADER + row + "\n", source="leap.dat")
    assert (info.value.source, info.value.line, info.value.column) == ("leap.dat", 2, column)


def test_leap_seconds_must_increase_and_exist() -> None:
    rows = "    41499.0    1  7 1972       11\n    41317.0    1  1 1972       10\n"
    with pytest.raises(DataFileError, match="increase") as info:
        parse_leap_seconds(rows)
    assert info.value.line == 2
    with pytest.raises(DataFileError, match="no leap-second rows"):
        parse_leap_seconds("# only comments\n")
    with pytest.raises(DataFileError, match="expiry") as info:
        parse_leap_seconds("#  File expires on 31 Juno 2027\n    41317.0    1  1 1972   10\n")
    assert info.value.line == 1


# --- finals2000A.all ------------------------------------------------------------------------
def test_finals_first_row_prefers_bulletin_b(eop: EOPTable) -> None:
    # "73 1 2 41684.00 I  0.120733 ... I 0.8084178 ... .143000   .137000   .8075000   -18.637
    #  -3.667": Bulletin B (PM .143/.137 arcsec, UT1-UTC .8075 s, dX/dY) over Bulletin A.
    assert eop.mjd_utc[0] == 41684.0
    assert eop.ut1_minus_utc_s[0] == pytest.approx(0.8075, abs=1e-12)
    assert (eop.xp_arcsec[0], eop.yp_arcsec[0]) == (pytest.approx(0.143), pytest.approx(0.137))
    assert (eop.dx_mas[0], eop.dy_mas[0]) == (pytest.approx(-18.637), pytest.approx(-3.667))
    assert eop.lod_ms[0] == 0.0  # "0.0000" in Bulletin A
    assert not eop.predicted[0]


def test_finals_known_day(eop: EOPTable) -> None:
    # "22 3 7 59645.00 I  0.029547 ... I-0.1037253 ...  0.0860 ... 0.029543  0.384798
    #  -0.1037203     0.228    -0.036"
    i = _row(eop, 2022, 3, 7)
    assert eop.mjd_utc[i] == 59645.0
    assert eop.ut1_minus_utc_s[i] == pytest.approx(-0.1037203, abs=1e-12)
    assert eop.xp_arcsec[i] == pytest.approx(0.029543)
    assert eop.yp_arcsec[i] == pytest.approx(0.384798)
    assert (eop.dx_mas[i], eop.dy_mas[i]) == (pytest.approx(0.228), pytest.approx(-0.036))
    assert eop.lod_ms[i] == pytest.approx(0.0860)


def test_finals_observed_predicted_and_end(eop: EOPTable) -> None:
    # Last 'I' row: "261022 61335.00 I ... I-0.0428601" with LOD blank (-> 0);
    # first 'P' row: "261023 61336.00 P ... P-0.0444801".
    assert eop.last_observed_mjd == 61335.0
    i = _row(eop, 2026, 10, 22)
    assert eop.ut1_minus_utc_s[i] == pytest.approx(-0.0428601)
    assert eop.lod_ms[i] == 0.0
    assert eop.predicted[i + 1] and eop.ut1_minus_utc_s[i + 1] == pytest.approx(-0.0444801)
    # The last row with UT1-UTC: "271029 61707.00 P ... P-0.2081431", dX/dY blank -> 0;
    # the empty date rows after it (to MJD 61757) are not read.
    assert eop.mjd_utc[-1] == 61707.0
    assert eop.ut1_minus_utc_s[-1] == pytest.approx(-0.2081431)
    assert (eop.dx_mas[-1], eop.dy_mas[-1]) == (0.0, 0.0)
    assert eop.mjd_utc.size == 61707 - 41684 + 1
    assert np.count_nonzero(eop.predicted) == 61707 - 61335
    assert np.all(np.diff(eop.mjd_utc) == 1.0)


# Timescale() evaluates TAI-UTC on the predicted EOP rows past the leap-second file's expiry.
@pytest.mark.filterwarnings("ignore::stationsim.errors.StaleTableWarning")
def test_finals_in_a_timescale(leap: LeapSecondTable, eop: EOPTable) -> None:
    ts = Timescale(leap, eop)
    assert ts.ut1_minus_utc(59645.0)[()] == pytest.approx(-0.1037203, abs=1e-9)


def _first_lines(text: str, n: int) -> list[str]:
    return text.splitlines()[:n]


def test_finals_bad_number_has_line_and_column(finals_text: str) -> None:
    lines = _first_lines(finals_text, 3)
    # Bulletin B UT1-UTC lives in columns 155-165; ".8044000" starts at column 158.
    lines[1] = lines[1][:157] + ".80x4000" + lines[1][165:]
    with pytest.raises(DataFileError, match="UT1-UTC is not a number") as info:
        parse_finals2000a("\n".join(lines), source="finals")
    assert (info.value.source, info.value.line, info.value.column) == ("finals", 2, 158)
    assert info.value.found == "'.80x4000'"


def test_finals_date_and_order_checks(finals_text: str) -> None:
    lines = _first_lines(finals_text, 3)
    wrong_day = [lines[0], "73 1 9" + lines[1][6:], lines[2]]
    with pytest.raises(DataFileError, match="does not match the MJD") as info:
        parse_finals2000a("\n".join(wrong_day))
    assert (info.value.line, info.value.column) == (2, 1)
    with pytest.raises(DataFileError, match="increase") as info:
        parse_finals2000a("\n".join([lines[1], lines[0]]))
    assert info.value.line == 2
    with pytest.raises(DataFileError, match="fewer than two"):
        parse_finals2000a(lines[0])
    bad_flag = lines[0][:16] + "X" + lines[0][17:]
    with pytest.raises(DataFileError, match="I/P flag") as info:
        parse_finals2000a("\n".join([bad_flag, lines[1]]))
    assert info.value.column == 17


def test_finals_stops_at_first_row_without_ut1(finals_text: str) -> None:
    lines = _first_lines(finals_text, 4)
    lines[2] = lines[2][:15]  # a date-only row, as after the predictions
    table = parse_finals2000a("\n".join(lines))
    assert table.mjd_utc.tolist() == [41684.0, 41685.0]


# --- inputs found by fuzzing (fuzz/, test_fuzz_properties.py) -----------------------------------
@pytest.mark.parametrize(("row", "column", "fragment"), [
    # OverflowError from the calendar's int64 arithmetic: a 34-digit year
    ("    43874.0    1  1 1979999999999999999999999999999999       18", 21, "not an integer"),
    # ValueError from int(): more than 4300 digits
    ("    41317.0    1  1 " + "1" * 5000 + "       10", 21, "not an integer"),
])
def test_fuzzed_leap_second_rows(row: str, column: int, fragment: str) -> None:
    with pytest.raises(DataFileError, match=fragment) as info:
        parse_leap_seconds(LEAP_HEADER + row + "\n", source="leap.dat")
    assert (info.value.source, info.value.line, info.value.column) == ("leap.dat", 2, column)


@pytest.mark.parametrize(("date", "fragment"), [("\x1f3 1 3", "does not match"),
                                                ("²3 1 3", "unreadable"),
                                                ("73 1 ²", "unreadable")])
def test_fuzzed_finals_dates(finals_text: str, date: str, fragment: str) -> None:
    """ValueError from int(): str.strip() removes U+001F and str.isdigit() passes '²', but
    int() takes neither."""
    lines = finals_text.splitlines()[:3]
    lines[1] = date + lines[1][6:]
    with pytest.raises(DataFileError, match=fragment) as info:
        parse_finals2000a("\n".join(lines) + "\n", source="finals.all")
    assert (info.value.line, info.value.column) == (2, 1)
