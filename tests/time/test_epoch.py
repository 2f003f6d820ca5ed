"""Epoch and Timescale: leap seconds, scale views and text, checked against the IERS tables
(Bulletin C leap seconds) and against astropy.time for random epochs."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stationsim.errors import DataRangeError, InputError, StaleTableWarning
from stationsim.time import Timescale, calendar_from_mjd, mjd_from_calendar

# Random instants run up to the end of the EOP table: predicted rows and the leap-second file's
# expiry are expected there, and their warnings are tested in test_frames/test_timescale.
pytestmark = [
    pytest.mark.filterwarnings("ignore::stationsim.errors.PredictedDataWarning"),
    pytest.mark.filterwarnings("ignore::stationsim.errors.StaleTableWarning"),
]


def test_calendar_round_trip_and_known_dates() -> None:
    # MJD 51544 is 2000-01-01 and MJD 0 is 1858-11-17 (definition of the MJD).
    assert mjd_from_calendar(2000, 1, 1) == 51544.0
    assert mjd_from_calendar(1858, 11, 17) == 0.0
    days = np.arange(-100_000, 100_000, 37)
    y, m, d = calendar_from_mjd(days)
    np.testing.assert_array_equal(mjd_from_calendar(y, m, d), days)


def test_tai_minus_utc_from_bulletin_c(ts: Timescale) -> None:
    # IERS Bulletin C: 37 s since 2017-01-01, 36 s from 2015-07-01, 10 s on 1972-01-01.
    assert ts.tai_minus_utc(mjd_from_calendar(2022, 3, 7)) == 37.0
    assert ts.tai_minus_utc(mjd_from_calendar(2016, 12, 31)) == 36.0
    assert ts.tai_minus_utc(mjd_from_calendar(1972, 1, 1)) == 10.0
    with pytest.raises(DataRangeError, match="before 1972-01-01"):
        ts.tai_minus_utc(mjd_from_calendar(1971, 12, 31))


def test_leap_second_is_a_real_second(ts: Timescale) -> None:
    before = ts.from_iso("2016-12-31T23:59:59Z")
    leap = ts.from_iso("2016-12-31T23:59:60.25Z")
    after = ts.from_iso("2017-01-01T00:00:00Z")
    assert after - before == pytest.approx(2.0, abs=1e-9)
    assert leap - before == pytest.approx(1.25, abs=1e-9)
    assert leap.iso(2) == "2016-12-31T23:59:60.25Z"
    assert after.iso(0) == "2017-01-01T00:00:00Z"
    assert (before + 2.0).iso(0) == "2017-01-01T00:00:00Z"
    assert leap.datetime() == dt.datetime(2016, 12, 31, 23, 59, 59, 999_999, tzinfo=dt.UTC)


def test_views_agree_with_astropy(ts: Timescale, astropy_offline: None) -> None:
    """1,000 random instants 1990-2027 (inside the EOP table): TT, TDB, UT1 and UTC views
    against astropy.time; tolerance 1 microsecond (UT1 within 1e-6 s is 0.5 mm of Earth
    rotation at the equator), TT and TAI to 10 ns."""
    from astropy.time import Time

    rng = np.random.default_rng(2022)
    mjd = rng.uniform(mjd_from_calendar(1990, 1, 1), ts.eop.mjd_utc[-1] - 1, 1000)  # type: ignore[union-attr]
    ours = ts.from_mjd_utc(mjd)
    theirs = Time(mjd, format="mjd", scale="utc")
    for view, scale, tol_s in (("tt", "tt", 1e-8), ("tai", "tai", 1e-8),
                               ("ut1", "ut1", 1e-6), ("tdb", "tdb", 1e-6)):
        jd1, jd2 = getattr(ours, view)
        other = getattr(theirs, scale)
        diff_s = ((jd1 - other.jd1) + (jd2 - other.jd2)) * 86400.0
        assert np.max(np.abs(diff_s)) < tol_s, view
    assert list(ours.iso(3)) == [s.replace(" ", "T") + "Z" for s in theirs.utc.iso]


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_add_then_subtract_gives_the_interval(ts: Timescale, seconds: float) -> None:
    start = ts.utc(2022, 3, 7, 21, 6, 42.0)
    assert (start + seconds) - start == pytest.approx(seconds, abs=1e-6)


@given(st.integers(min_value=0, max_value=10**12))
def test_iso_round_trip_to_the_microsecond(ts: Timescale, micro: int) -> None:
    epoch = ts.utc(1990, 1, 1) + micro * 1e-6 * 3.1  # spans ~100 years of instants
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleTableWarning)
        text = epoch.iso(6)
        again = ts.from_iso(text)
    assert abs(again - epoch) <= 0.5e-6 + 1e-7


def test_factories_agree(ts: Timescale) -> None:
    a = ts.from_iso("2022-03-07T21:06:42.5Z")
    b = ts.utc(2022, 3, 7, 21, 6, 42.5)
    c = ts.utc(2022, 1, 66 + (21 * 3600 + 6 * 60 + 42.5) / 86400.0)
    d = ts.from_datetime(dt.datetime(2022, 3, 7, 22, 6, 42, 500_000,
                                     tzinfo=dt.timezone(dt.timedelta(hours=1))))
    e = ts.from_jd_utc(2459645.5, (21 * 3600 + 6 * 60 + 42.5) / 86400.0)
    for other in (b, c, d, e):
        assert abs(other - a) < 2e-6


def test_bad_text_and_naive_datetimes_are_refused(ts: Timescale) -> None:
    with pytest.raises(InputError, match="not an ISO 8601 UTC time"):
        ts.from_iso("7 March 2022")
    with pytest.raises(InputError, match="impossible date"):
        ts.from_iso("2022-02-30T00:00:00Z")
    with pytest.raises(InputError, match="impossible time"):
        ts.from_iso("2022-02-03T24:00:00Z")
    with pytest.raises(InputError, match="naive datetime"):
        ts.from_datetime(dt.datetime(2022, 3, 7))


def test_arrays_keep_their_shape(ts: Timescale) -> None:
    epochs = ts.utc(2022, 3, 7) + np.arange(12.0).reshape(3, 4) * 3600.0
    assert epochs.shape == (3, 4)
    assert epochs.mjd_utc.shape == (3, 4)
    assert epochs[1, 2].iso(0) == "2022-03-07T06:00:00Z"
    assert len(epochs.ravel()) == 12


def test_time_zone_offsets_are_converted_to_utc(ts: Timescale) -> None:
    utc = ts.from_iso("2022-03-30T07:21:00Z")
    assert abs(ts.from_iso("2022-03-30T10:21:00+03:00") - utc) < 1e-9
    assert abs(ts.from_iso("2022-03-30T02:21:00-0500") - utc) < 1e-9
    assert abs(ts.from_iso("2022-03-30 07:21") - utc) < 1e-9  # no zone: UTC
    with pytest.raises(InputError, match="time-zone offset"):
        ts.from_iso("2022-03-30T07:21:00+25:00")
