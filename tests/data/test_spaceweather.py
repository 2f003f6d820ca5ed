"""SpaceWeather at epochs: values, flags, warnings, ranges, the MSIS inputs and overrides.

Reference: the bundled CelesTrak ``SW-All.txt`` (``UPDATED 2025 Jul 21 10:37:15 UTC``); the
rows used are quoted above each test. The ap-history layout is NRLMSISE-00's ``AP`` array
(Picone et al. 2002, JGR 107(A12) 1468; the model's documented input). Monthly-to-daily
spreading is the documented rule of :mod:`stationsim.data.spaceweather`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from stationsim.data import (
    ENV_DATA_DIR,
    SpaceWeather,
    bundled_file,
    climatological_ap,
    kp_from_ap,
    load_timescale,
)
from stationsim.errors import DataFileError, DataRangeError, InputError, PredictedDataWarning
from stationsim.io.spaceweather import SpaceWeatherStatus, parse_space_weather
from stationsim.time import Timescale, mjd_from_calendar


@pytest.fixture(scope="module")
def sw() -> SpaceWeather:
    """The bundled SW-All.txt snapshot on its own: the spans and rows quoted below are its.

    (The loader merges the later SW-Last5Years.txt over its end; tests/data/test_loader.py
    checks the merged table.)
    """
    text = bundled_file("SW-All.txt").read_text(encoding="ascii")
    return SpaceWeather(parse_space_weather(text, "SW-All.txt"))


@pytest.fixture(scope="module")
def ts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Timescale]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ENV_DATA_DIR, str(tmp_path_factory.mktemp("empty_ts")))
        yield load_timescale()


def floats(*values: object) -> tuple[float, ...]:
    """Scalar results (0-d arrays) as a tuple of floats, to compare with a quoted row."""
    return tuple(float(np.asarray(v)) for v in values)


def mjd(year: int, month: int, day: int, hour: float = 0.0) -> float:
    return float(mjd_from_calendar(year, month, day)) + hour / 24.0


@pytest.fixture
def no_prediction_warning() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("error", PredictedDataWarning)
        yield


# --- observed span -------------------------------------------------------------------------
@pytest.mark.usefixtures("no_prediction_warning")
def test_values_on_an_observed_day(sw: SpaceWeather, ts: Timescale) -> None:
    # 2022 03 07 2572  8 23 23  7 13 30 23 20 13 153   9   9   3   5  15   9   7   5   8 0.4 2
    #    89 116.5 0 113.7 106.7 118.3 115.3 109.8
    v = sw.values(ts.utc(2022, 3, 7, 13, 30))
    assert floats(v.f107_obs_sfu, v.f107_adj_sfu, v.ap_daily) == (118.3, 116.5, 8.0)
    assert floats(v.f107_obs_ctr81_sfu, v.f107_obs_lst81_sfu) == (115.3, 109.8)
    assert floats(v.f107_adj_ctr81_sfu, v.f107_adj_lst81_sfu) == (113.7, 106.7)
    assert floats(v.ap_3h, v.kp_3h) == (15.0, 3.0)  # 12-15 h UT: the fifth ap and Kp
    assert v.status == SpaceWeatherStatus.OBSERVED
    assert not any(bool(flag) for flag in v.predicted.values())


@pytest.mark.usefixtures("no_prediction_warning")
def test_three_hour_slots_and_vectorisation(sw: SpaceWeather) -> None:
    hours = np.array([0.0, 2.99, 3.0, 12.0, 21.0, 23.999])
    v = sw.values(mjd(2022, 3, 7) + hours / 24)
    np.testing.assert_array_equal(v.ap_3h, [9, 9, 9, 15, 5, 5])
    np.testing.assert_allclose(v.kp_3h, [2.3, 2.3, 2.3, 3.0, 1.3, 1.3])
    grid = sw.values(np.full((2, 3), mjd(2022, 3, 7, 1)))
    assert grid.ap_3h.shape == grid.predicted["ap_3h"].shape == (2, 3)


@pytest.mark.usefixtures("no_prediction_warning")
def test_both_ends_of_the_observed_span(sw: SpaceWeather) -> None:
    # 1957 10 01 ... 273  32  27  15   7  22   9  32  22  21 1.1 5 334 269.8 0 266.8 235.5 269.3
    first = sw.values(mjd(1957, 10, 1))
    assert floats(first.f107_obs_sfu, first.f107_adj_sfu, first.ap_daily, first.ap_3h) == (
        269.3, 269.8, 21.0, 32.0)
    # 2025 07 20 ... 4 0.1 0 159 155.1 0 132.8 136.9 150.3 128.9 133.2: the day is observed,
    # but its 81-day centred mean reaches 40 days into the forecast.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        last = sw.values(mjd(2025, 7, 20, 22.5))
    assert floats(last.f107_obs_sfu, last.f107_adj_sfu, last.ap_daily, last.ap_3h) == (
        150.3, 155.1, 4.0, 5.0)
    assert not last.predicted["f107_obs_sfu"] and not last.predicted["ap_3h"]
    assert last.predicted["f107_obs_ctr81_sfu"]
    assert [w.category for w in caught] == [PredictedDataWarning]


def test_no_prediction_warning_in_the_observed_span(sw: SpaceWeather) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", PredictedDataWarning)
        sw.values(np.linspace(mjd(1957, 10, 1), mjd(2025, 6, 10), 1000))
        sw.msis_inputs(np.linspace(mjd(1957, 10, 4), mjd(2025, 6, 10), 1000))


# --- predicted spans -----------------------------------------------------------------------
def test_daily_predicted(sw: SpaceWeather) -> None:
    # 2025 07 21 ... 4 0.1 0 157 120.0   133.2 136.5 116.2 129.3 132.7 ;
    # 2025 08 28 ... 15 0.8 4 132 135.0   147.3 132.2 132.3 144.8 128.3
    with pytest.warns(PredictedDataWarning, match="predicted space weather"):
        v = sw.values([mjd(2025, 7, 21, 1), mjd(2025, 8, 28, 23)])
    np.testing.assert_array_equal(v.f107_obs_sfu, [116.2, 132.3])
    np.testing.assert_array_equal(v.f107_adj_sfu, [120.0, 135.0])
    np.testing.assert_array_equal(v.ap_daily, [4.0, 15.0])
    np.testing.assert_array_equal(v.status, [1, 1])
    assert v.predicted["f107_obs_sfu"].all() and v.predicted["ap_3h"].all()


def test_monthly_predicted_spread_to_days(sw: SpaceWeather) -> None:
    # 2025 09 01 ... 130 166.4   148.5 133.8 163.4 146.2 129.9
    # 2025 10 01 ... 128 162.9   161.3 146.2 162.5 161.0 143.3
    # 2025 11 01 ... 125 159.8   161.3 157.4 162.2 163.5 156.4
    clim = sw.climatological_ap
    with pytest.warns(PredictedDataWarning):
        v = sw.values([mjd(2025, 10, 16, 6), mjd(2025, 11, 1, 20), mjd(2025, 8, 29, 3)])
    # October has 31 days: its middle is the noon of the 16th, which takes October's value.
    assert (v.f107_obs_sfu[0], v.f107_adj_sfu[0]) == (pytest.approx(162.5), pytest.approx(162.9))
    # 1 November, noon: between October's middle (16 Oct 12 h) and November's (16 Nov 0 h).
    w = (mjd(2025, 11, 1, 12) - mjd(2025, 10, 16, 12)) / (mjd(2025, 11, 16) - mjd(2025, 10, 16, 12))
    assert v.f107_obs_sfu[1] == pytest.approx(162.5 + w * (162.2 - 162.5))
    assert v.f107_obs_ctr81_sfu[1] == pytest.approx(161.0 + w * (163.5 - 161.0))
    # 29 August, noon: from the last daily row (28 Aug 12 h, 132.3) to mid-September (163.4).
    w = 1.0 / (mjd(2025, 9, 16) - mjd(2025, 8, 28, 12))
    assert v.f107_obs_sfu[2] == pytest.approx(132.3 + w * (163.4 - 132.3))
    np.testing.assert_array_equal(v.ap_daily, clim)
    np.testing.assert_array_equal(v.ap_3h, clim)
    np.testing.assert_allclose(v.kp_3h, kp_from_ap(clim))
    np.testing.assert_array_equal(v.status, SpaceWeatherStatus.MONTHLY_PREDICTED)
    assert all(flags.all() for flags in v.predicted.values())


def test_climatological_ap_is_computed_from_cycle_24(sw: SpaceWeather) -> None:
    table = sw.table
    assert table is not None
    cycle = (table.mjd_utc >= mjd(2008, 12, 1)) & (table.mjd_utc < mjd(2019, 12, 1))
    assert np.count_nonzero(cycle) == 4017
    assert sw.climatological_ap == pytest.approx(np.mean(table.ap_daily[cycle]))
    assert sw.climatological_ap == pytest.approx(7.985, abs=1e-3)
    assert climatological_ap(table)[0] == sw.climatological_ap
    assert "solar cycle 24" in sw.climatology


def test_kp_from_ap_table() -> None:
    # Bartels' table: ap 0, 2, 3, 4, 5, 6, 7 <-> Kp 0o, 0+, 1-, 1o, 1+, 2-, 2o; ap 400 = 9o.
    np.testing.assert_allclose(kp_from_ap([0, 2, 3, 4, 5, 7, 400]),
                               [0, 0.3, 0.7, 1.0, 1.3, 2.0, 9.0])


# --- coverage ------------------------------------------------------------------------------
def test_range_errors(sw: SpaceWeather) -> None:
    with pytest.raises(DataRangeError, match=r"1957-09-30T23:00Z.*covers 1957-10-01"):
        sw.values(mjd(1957, 9, 30, 23))
    # The last monthly prediction is October 2041: its days are covered, November is not.
    with pytest.warns(PredictedDataWarning):
        assert sw.values(mjd(2041, 10, 31, 23.9)).f107_obs_sfu == pytest.approx(69.8)
    with pytest.raises(DataRangeError, match=r"2041-11-01T00:00Z.*to 2041-11-01T00:00Z"):
        sw.values([mjd(2022, 1, 1), mjd(2041, 11, 1)])
    with pytest.raises(InputError):
        sw.values([np.nan])


# --- MSIS inputs ---------------------------------------------------------------------------
@pytest.mark.usefixtures("no_prediction_warning")
def test_ap_history_by_hand(sw: SpaceWeather, ts: Timescale) -> None:
    # 3-hourly ap (0-3 h ... 21-24 h UT) and daily Ap from SW-All.txt:
    #   2022-03-05:  18  6  6 22 39 27 39 56   (Ap 27)
    #   2022-03-06:  39 15 39 15 18  4  6  9   (Ap 18; F10.7 obs 115.7)
    #   2022-03-07:   9  9  3  5 15  9  7  5   (Ap 8; obs Ctr81 115.3)
    # At 13:30 UT on 03-07 the current interval is 12-15 h (15), then 9-12 h (5), 6-9 h (3),
    # 3-6 h (9); 12-33 h before: 03-07 0-3 h (9) and 03-06 3-24 h (15 39 15 18 4 6 9);
    # 36-57 h before: 03-06 0-3 h (39) and 03-05 3-24 h (6 6 22 39 27 39 56).
    expected = [8, 15, 5, 3, 9, (9 + 15 + 39 + 15 + 18 + 4 + 6 + 9) / 8,
                (39 + 6 + 6 + 22 + 39 + 27 + 39 + 56) / 8]
    epoch = ts.utc(2022, 3, 7, 13, 30)
    m = sw.msis_inputs(epoch)
    np.testing.assert_allclose(m.ap_history, expected)
    assert floats(m.f107_sfu, m.f107a_sfu) == (115.7, 115.3)
    assert not m.predicted["ap_history"].any()
    # The same from UTC MJDs, and as one row of a batch.
    batch = sw.msis_inputs(np.array([epoch.mjd_utc, mjd(2022, 3, 1), mjd(2020, 1, 1)]))
    assert batch.ap_history.shape == (3, 7) and batch.f107_sfu.shape == (3,)
    np.testing.assert_allclose(batch.ap_history[0], expected)


def test_msis_inputs_need_57_hours_of_history(sw: SpaceWeather) -> None:
    sw.msis_inputs(mjd(1957, 10, 3, 9))  # 57 h after the first row's start: the first slot
    with pytest.raises(DataRangeError, match="57 h of history"):
        sw.msis_inputs(mjd(1957, 10, 3, 8.9))


def test_msis_inputs_flag_what_is_predicted(sw: SpaceWeather) -> None:
    with pytest.warns(PredictedDataWarning):
        m = sw.msis_inputs(mjd(2025, 7, 21, 1))
    assert not m.predicted["f107_sfu"]  # 2025-07-20 is observed
    assert m.predicted["f107a_sfu"]
    np.testing.assert_array_equal(m.predicted["ap_history"],
                                  [True, True, False, False, False, False, False])
    assert m.f107_sfu == 150.3


# --- user overrides ------------------------------------------------------------------------
@pytest.mark.usefixtures("no_prediction_warning")
def test_constant_space_weather() -> None:
    const = SpaceWeather.constant(f107_sfu=150.0, f107a_sfu=140.0, ap=15.0)
    m = const.msis_inputs([mjd(1900, 1, 1), mjd(2100, 6, 1, 5)])
    np.testing.assert_array_equal(m.f107_sfu, 150.0)
    np.testing.assert_array_equal(m.f107a_sfu, 140.0)
    np.testing.assert_array_equal(m.ap_history, 15.0)
    v = const.values(mjd(2022, 3, 7))
    assert floats(v.f107_obs_sfu, v.f107_adj_sfu, v.f107_obs_ctr81_sfu, v.ap_3h) == (
        150, 150, 140, 15)
    assert v.kp_3h == pytest.approx(3.0)
    assert const.first_mjd == -np.inf and const.end_mjd == np.inf
    with pytest.raises(InputError, match="ap"):
        SpaceWeather.constant(f107_sfu=150.0, f107a_sfu=140.0, ap=-1.0)


def test_from_file(tmp_path: Path) -> None:
    rows = [
        "2022 03 05 2572  6 33 17 17 37 47 40 47 53 290  18   6   6  22  39  27  39  56  27 1.2 6"
        "  85 118.2 0 113.2 106.5 120.1 114.8 109.6",
        "2022 03 06 2572  7 47 30 47 30 33 10 17 23 237  39  15  39  15  18   4   6   9  18 1.0 5"
        "  79 113.9 0 113.4 106.7 115.7 115.0 109.8",
        "2022 03 07 2572  8 23 23  7 13 30 23 20 13 153   9   9   3   5  15   9   7   5   8 0.4 2"
        "  89 116.5 0 113.7 106.7 118.3 115.3 109.8",
    ]
    path = tmp_path / "my-sw.txt"
    path.write_text("DATATYPE CssiSpaceWeather\nBEGIN OBSERVED\n" + "\n".join(rows)
                    + "\nEND OBSERVED\n", encoding="ascii")
    mine = SpaceWeather.from_file(path, climatological_ap=10.0)
    assert mine.source == "my-sw.txt" and mine.climatological_ap == 10.0
    assert mine.end_mjd == mjd(2022, 3, 8)
    # Observed to 03-07, so its 81-day centred mean is flagged predicted.
    with pytest.warns(PredictedDataWarning):
        m = mine.msis_inputs(mjd(2022, 3, 7, 13.5))
    assert m.ap_history[0] == 8 and m.f107_sfu == 115.7
    with pytest.raises(DataFileError):
        SpaceWeather.from_file(tmp_path / "missing.txt")
