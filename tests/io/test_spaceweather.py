"""CelesTrak CSSI space-weather reader on the bundled SW-All.txt and on malformed input.

Reference: the bundled ``SW-All.txt`` (CelesTrak, ``UPDATED 2025 Jul 21 10:37:15 UTC``); every
expected value is read by eye from the row quoted above its test, with the column order of the
file's header (adjusted F10.7 first, then observed) and https://celestrak.org/SpaceData/SpaceWx-format.php.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources

import numpy as np
import pytest

from stationsim.errors import DataFileError
from stationsim.io.spaceweather import (
    SpaceWeatherStatus,
    SpaceWeatherTable,
    parse_space_weather,
)
from stationsim.time import mjd_from_calendar


@pytest.fixture(scope="module")
def table() -> SpaceWeatherTable:
    text = resources.files("stationsim.data").joinpath("bundled", "SW-All.txt").read_text(
        encoding="ascii")
    return parse_space_weather(text, "SW-All.txt")


def _row(table: SpaceWeatherTable, year: int, month: int, day: int) -> int:
    mjd = float(mjd_from_calendar(year, month, day))
    (index,) = np.flatnonzero(table.mjd_utc == mjd)
    return int(index)


def test_header_and_sections(table: SpaceWeatherTable) -> None:
    assert table.updated == dt.datetime(2025, 7, 21, 10, 37, 15, tzinfo=dt.UTC)
    assert table.version == "1.2"
    counts = np.bincount(table.status, minlength=3)
    # NUM_OBSERVED_POINTS 24765, NUM_DAILY_PREDICTED_POINTS 39, NUM_MONTHLY_PREDICTED_POINTS 194
    assert counts.tolist() == [24765, 39, 194]
    assert table.kp.shape == table.ap.shape == (24765 + 39 + 194, 8)


def test_first_observed_day(table: SpaceWeatherTable) -> None:
    # 1957 10 01 1700 19 43 40 30 20 37 23 43 37 273  32  27  15   7  22   9  32  22  21 1.1 5
    #   334 269.8 0 266.8 235.5 269.3 266.6 230.9
    i = _row(table, 1957, 10, 1)
    assert i == 0 and table.mjd_utc[0] == 36112.0
    assert (table.bartels_rotation[i], table.bartels_day[i]) == (1700, 19)
    np.testing.assert_allclose(table.kp[i], [4.3, 4.0, 3.0, 2.0, 3.7, 2.3, 4.3, 3.7])
    assert table.kp_sum[i] == pytest.approx(27.3)
    np.testing.assert_array_equal(table.ap[i], [32, 27, 15, 7, 22, 9, 32, 22])
    assert (table.ap_daily[i], table.cp[i], table.c9[i], table.isn[i]) == (21, 1.1, 5, 334)
    assert (table.f107_adj_sfu[i], table.f107_qualifier[i]) == (269.8, 0)
    assert (table.f107_adj_ctr81_sfu[i], table.f107_adj_lst81_sfu[i]) == (266.8, 235.5)
    assert table.f107_obs_sfu[i] == 269.3
    assert (table.f107_obs_ctr81_sfu[i], table.f107_obs_lst81_sfu[i]) == (266.6, 230.9)
    assert table.status[i] == SpaceWeatherStatus.OBSERVED


def test_a_day_of_the_iss_scenario(table: SpaceWeatherTable) -> None:
    # 2022 03 07 2572  8 23 23  7 13 30 23 20 13 153   9   9   3   5  15   9   7   5   8 0.4 2
    #    89 116.5 0 113.7 106.7 118.3 115.3 109.8
    i = _row(table, 2022, 3, 7)
    assert table.ap_daily[i] == 8
    assert (table.f107_obs_sfu[i], table.f107_adj_sfu[i]) == (118.3, 116.5)
    np.testing.assert_array_equal(table.ap[i], [9, 9, 3, 5, 15, 9, 7, 5])
    assert (table.f107_obs_ctr81_sfu[i], table.f107_obs_lst81_sfu[i]) == (115.3, 109.8)


def test_last_observed_day(table: SpaceWeatherTable) -> None:
    # 2025 07 20 2617 24 10 10  7 13 13 13  3 13  83   4   4   3   5   5   5   2   5   4 0.1 0
    #   159 155.1 0 132.8 136.9 150.3 128.9 133.2
    i = _row(table, 2025, 7, 20)
    assert table.last_observed_mjd == table.mjd_utc[i]
    assert table.status[i] == SpaceWeatherStatus.OBSERVED
    assert (table.ap_daily[i], table.isn[i]) == (4, 159)
    assert (table.f107_adj_sfu[i], table.f107_obs_sfu[i]) == (155.1, 150.3)
    np.testing.assert_allclose(table.kp[i], [1.0, 1.0, 0.7, 1.3, 1.3, 1.3, 0.3, 1.3])


def test_daily_predicted_rows(table: SpaceWeatherTable) -> None:
    # 2025 07 21 2617 25 13 13  7  3 07 13 10 17  83   5   5   3   2   3   5   4   6   4 0.1 0
    #   157 120.0   133.2 136.5 116.2 129.3 132.7      (Q blank; a Kp written "07")
    i = _row(table, 2025, 7, 21)
    assert table.status[i] == SpaceWeatherStatus.DAILY_PREDICTED
    assert table.kp[i, 4] == pytest.approx(0.7)
    assert np.isnan(table.f107_qualifier[i])
    assert (table.ap_daily[i], table.f107_adj_sfu[i], table.f107_obs_sfu[i]) == (4, 120.0, 116.2)
    assert table.f107_obs_ctr81_sfu[i] == 129.3
    # 2025 08 28 2619  9 30 30 30 30 30 30 30 30 240  15 (x8)  15 0.8 4 132 135.0
    #   147.3 132.2 132.3 144.8 128.3
    j = _row(table, 2025, 8, 28)
    assert table.last_daily_predicted_mjd == table.mjd_utc[j] and j == i + 38
    assert (table.ap_daily[j], table.f107_adj_sfu[j], table.f107_obs_sfu[j]) == (15, 135.0, 132.3)
    assert np.all(table.ap[j] == 15) and np.all(table.kp[j] == 3.0)


def test_monthly_predicted_rows(table: SpaceWeatherTable) -> None:
    # 2025 09 01 2619 13  (blanks)  130 166.4   148.5 133.8 163.4 146.2 129.9
    i = _row(table, 2025, 9, 1)
    assert table.status[i] == SpaceWeatherStatus.MONTHLY_PREDICTED
    assert (table.isn[i], table.f107_adj_sfu[i], table.f107_obs_sfu[i]) == (130, 166.4, 163.4)
    assert (table.f107_adj_ctr81_sfu[i], table.f107_adj_lst81_sfu[i]) == (148.5, 133.8)
    assert (table.f107_obs_ctr81_sfu[i], table.f107_obs_lst81_sfu[i]) == (146.2, 129.9)
    monthly = table.status == SpaceWeatherStatus.MONTHLY_PREDICTED
    for column in (table.kp, table.ap, table.kp_sum, table.ap_daily, table.cp, table.c9):
        assert np.all(np.isnan(column[monthly]))
    # 2041 10 01 2837  1  (blanks)  10  70.0    69.2  70.5  69.8  68.8  69.0
    assert table.last_monthly_predicted_mjd == float(mjd_from_calendar(2041, 10, 1))
    assert (table.isn[-1], table.f107_adj_sfu[-1], table.f107_obs_sfu[-1]) == (10, 70.0, 69.8)


# --- malformed input -------------------------------------------------------------------------
ROW_1 = ("2022 03 06 2572  7 47 30 47 30 33 10 17 23 237  39  15  39  15  18   4   6   9  18 1.0 5"
         "  79 113.9 0 113.4 106.7 115.7 115.0 109.8")
ROW_2 = ("2022 03 07 2572  8 23 23  7 13 30 23 20 13 153   9   9   3   5  15   9   7   5   8 0.4 2"
         "  89 116.5 0 113.7 106.7 118.3 115.3 109.8")
MONTH = (f"2022 04 01 2573 12{' ' * 71}100 120.0   120.0 120.0 118.0 118.0 118.0")


def _file(*rows: str, count: int | None = None, month: str | None = MONTH) -> str:
    lines = ["DATATYPE CssiSpaceWeather", "VERSION 1.2", "UPDATED 2022 Mar 08 10:00:00 UTC",
             "# a comment", f"NUM_OBSERVED_POINTS {len(rows) if count is None else count}",
             "BEGIN OBSERVED", *rows, "END OBSERVED", ""]
    if month is not None:
        lines += ["NUM_MONTHLY_PREDICTED_POINTS 1", "BEGIN MONTHLY_PREDICTED", month,
                  "END MONTHLY_PREDICTED"]
    return "\n".join(lines) + "\n"


def test_a_small_file_with_lf_line_ends() -> None:
    table = parse_space_weather(_file(ROW_1, ROW_2), source="mini.txt")
    assert table.source == "mini.txt"
    assert table.status.tolist() == [0, 0, 2]
    assert table.updated == dt.datetime(2022, 3, 8, 10, tzinfo=dt.UTC)


def test_a_letter_in_a_column_gives_line_and_column() -> None:
    bad = ROW_2[:79] + "x" + ROW_2[80:]  # inside the daily Ap field, columns 79-82
    with pytest.raises(DataFileError, match="ap_daily") as info:
        parse_space_weather(_file(ROW_1, bad), source="sw.txt")
    error = info.value
    assert (error.source, error.line, error.column) == ("sw.txt", 8, 80)
    assert "sw.txt, line 8, column 80" in str(error)


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (_file(ROW_1, ROW_2[:46] + " " * 32 + ROW_2[78:]), 8, "missing ap1"),
        (_file(ROW_1, ROW_2, count=3), 9, "NUM_OBSERVED_POINTS"),
        (_file(ROW_2, ROW_1), 8, "without gaps"),
        (_file(ROW_1, ROW_2 + " 99"), 8, "after the last column"),
        (_file(ROW_1, "2022 02 30" + ROW_2[10:]), 8, "impossible date"),
        (_file(ROW_1, month="2022 04 02" + MONTH[10:]), 12, "dated the 1st"),
        (_file(ROW_1, month="2022 05 01" + MONTH[10:]), 12, "without gaps"),
        ("<html><body>404 Not Found</body></html>\n", 1, "not a line of a CSSI"),
        (_file(ROW_1).replace("2022 Mar 08", "2022 Maz 08"), 3, "UPDATED"),
        (_file(ROW_1).replace("BEGIN OBSERVED", "BEGIN OBSERVATIONS"), 6, "unknown section"),
    ],
)
def test_malformed_files(text: str, line: int, fragment: str) -> None:
    with pytest.raises(DataFileError, match=fragment) as info:
        parse_space_weather(text)
    assert info.value.line == line
    assert info.value.source == "<string>"


def test_structural_errors() -> None:
    with pytest.raises(DataFileError, match="not closed"):
        parse_space_weather(_file(ROW_1, month=None).replace("END OBSERVED", ""))
    with pytest.raises(DataFileError, match="no observed rows"):
        parse_space_weather("DATATYPE CssiSpaceWeather\n")
    with pytest.raises(DataFileError, match="not a CSSI"):
        parse_space_weather(_file(ROW_1).replace("CssiSpaceWeather", "Other"))


# --- inputs found by fuzzing (fuzz/, test_fuzz_properties.py) -----------------------------------
@pytest.mark.parametrize("count", ["²", "1" * 5000])
def test_fuzzed_row_counts(count: str) -> None:
    """ValueError from int(): str.isdigit() passes '²', and int() refuses 4300+ digits."""
    text = _file(ROW_1).replace("NUM_OBSERVED_POINTS 1", f"NUM_OBSERVED_POINTS {count}")
    with pytest.raises(DataFileError, match="unreadable row count") as info:
        parse_space_weather(text, source="sw.txt")
    assert (info.value.line, info.value.column) == (5, 21)
