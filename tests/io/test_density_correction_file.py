"""Density-correction files (:mod:`stationsim.io.density_correction`): what is written reads
back the same, and a broken file is refused with its line and column."""

from __future__ import annotations

import re

import numpy as np
import pytest

from stationsim.errors import InputError
from stationsim.forces.density_correction import DensityCorrection
from stationsim.io.density_correction import format_density_correction, parse_density_correction

GOOD = """# stationsim density correction
# model: nrlmsise00
# made from two objects
start_utc,end_utc,factor,sigma_ln,objects
2023-10-02T00:00:00Z,2023-10-10T00:00:00Z,1.31120,0.01510,2
2023-10-10T00:00:00Z,2023-10-18T00:00:00Z,0.90000,0.02000,1
"""


def test_round_trip() -> None:
    table = parse_density_correction(GOOD)
    assert table.model == "nrlmsise00"
    assert table.start_mjd_utc == pytest.approx([60219.0, 60227.0])
    assert table.factor == pytest.approx([1.3112, 0.9])
    again = parse_density_correction(format_density_correction(table, ["made from two objects"]))
    for name in ("start_mjd_utc", "end_mjd_utc", "factor", "sigma_ln", "objects"):
        assert np.asarray(getattr(again, name)) == pytest.approx(np.asarray(getattr(table, name)))
    assert format_density_correction(again, ["made from two objects"]) == GOOD


@pytest.mark.parametrize(("text", "expected"), [
    ("", "has no windows"),
    ("start,end\n", "line 1: not a density-correction file"),
    (GOOD.replace("0.90000", "abc"), "line 6, column 43: factor is not a number"),
    (GOOD.replace("2023-10-10T00:00:00Z,2023-10-18", "2023-10-1x,2023-10-18"),
     "line 6, column 1: start_utc is not a UTC time"),
    (GOOD.replace(",1\n", "\n"), "line 6: a window row has five columns"),
    (GOOD.replace("0.90000", "50"), "line 6: the factor is out of range"),
    (GOOD.replace("2023-10-10T00:00:00Z,2023-10-18", "2023-10-09T00:00:00Z,2023-10-18"),
     "must not overlap"),
    (GOOD.replace("2023-10-18T00", "2023-10-09T00"), "line 6: a window must end after"),
])
def test_broken_files_say_where(text: str, expected: str) -> None:
    with pytest.raises(InputError, match=expected):
        parse_density_correction(text, "late2023.csv")


def test_the_table_is_what_the_file_says() -> None:
    table = DensityCorrection(np.array([1.0]), np.array([2.0]), np.array([1.5]),
                              np.array([0.1]), np.array([3.0]), model="msis2")
    text = format_density_correction(table)
    assert "1858-11-18T00:00:00Z,1858-11-19T00:00:00Z,1.50000,0.10000,3" in text


@pytest.mark.parametrize(("text", "expected"), [
    (GOOD.replace("# model: nrlmsise00\n", ""), "line 3: the file does not say which atmosphere"),
    (GOOD.replace("# model: nrlmsise00", "# model: msis2.1"), "line 2: unknown atmosphere model"),
    (GOOD.replace("# made from", "# model: msis2\n# made from"), "line 3: the model is named"),
    (GOOD.replace(",2\n", ",2.7\n"), "line 5, column 59: objects is not a whole number"),
    (GOOD.replace("0.90000", "0_9"), "line 6, column 43: factor is not a number"),
    (GOOD.replace("1.31120", "    inf"), "line 5, column 47: factor is not a number"),
    ("\x00\x03binary", "found '\\x00\\x03binary'"),
    (GOOD.replace("0.02000", "-0.02"), "line 6: sigma_ln must not be negative"),
])
def test_strict_fields(text: str, expected: str) -> None:
    """The model line is required, once, with a known name (a file for one model must not
    silently correct another); numbers are plain decimals; columns count on the raw line."""
    with pytest.raises(InputError, match=re.escape(expected)):
        parse_density_correction(text, "x.csv")


def test_byte_order_mark_and_line_ends_are_read() -> None:
    for text in ("\ufeff" + GOOD.replace("\n", "\r\n"), GOOD.replace("\n", "\r")):
        table = parse_density_correction(text)
        assert table.model == "nrlmsise00" and len(table.factor) == 2
        assert table.model_line == 2


def test_a_comment_cannot_name_a_second_model() -> None:
    table = parse_density_correction(GOOD)
    text = format_density_correction(table, ["model: made by hand"])
    assert parse_density_correction(text).model == "nrlmsise00"
