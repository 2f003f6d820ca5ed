"""The MSIS adapter's edges: units, time, modes, shapes and input errors.

Reference for the unit tests: pymsis itself called with the documented degrees and kilometres
(pymsis 0.13 docstring of ``pymsis.calculate``); the adapter must give the same numbers from
radians and metres. Tolerance 1e-6 relative (pymsis rounds its inputs to single precision, so a
degree value computed from radians may differ in its last bit).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pymsis
import pytest

from stationsim.data import SpaceWeather, load_space_weather
from stationsim.forces import (
    MSIS_MAX_HEIGHT_M,
    AtmosphereInputError,
    MsisDrivers,
    SpaceWeatherSource,
    msis,
    msis_density,
)
from stationsim.time import Timescale, mjd_from_calendar

# 2022-03-21 07:30 UTC; ISS-like point: 51.6 deg N, 120 deg W, 420 km.
MJD = float(mjd_from_calendar(2022, 3, 21)) + 7.5 / 24.0
LAT_DEG, LON_DEG, HEIGHT_KM = 51.6, -120.0, 420.0
AP7 = np.array([15.0, 12.0, 22.0, 27.0, 9.0, 14.5, 7.0])


def _direct(version: str, **options: float) -> np.ndarray:
    """pymsis with its own units: degrees, kilometres, a datetime64."""
    date = np.datetime64("2022-03-21T07:30:00")
    out = pymsis.calculate(date, LON_DEG, LAT_DEG, HEIGHT_KM, 140.0, 130.0, [AP7],
                           version=version, **options)
    return np.asarray(out).reshape(-1)


@pytest.mark.parametrize(("model", "version"), [("msis2.1", "2.1"), ("nrlmsise00", "0")])
def test_radians_and_metres_are_converted_at_the_edge(model: str, version: str) -> None:
    """Same density and temperature as pymsis given degrees and km (daily-Ap mode), 1e-6."""
    out = msis(MJD, np.radians(LAT_DEG), np.radians(LON_DEG), HEIGHT_KM * 1e3, f107_sfu=140.0,
               f107a_sfu=130.0, ap_daily=AP7[0], model=model)  # type: ignore[arg-type]
    direct = _direct(version)
    assert float(out.density_kg_m3) == pytest.approx(direct[0], rel=1e-6)
    assert float(out.temperature_k) == pytest.approx(direct[10], rel=1e-6)


@pytest.mark.parametrize(("model", "version"), [("msis2.1", "2.1"), ("nrlmsise00", "0")])
def test_ap_history_selects_the_storm_time_mode(model: str, version: str) -> None:
    """With ``ap_history`` the adapter sets switch 9 = -1 (pymsis ``geomagnetic_activity=-1``)
    and passes all seven values; daily mode reads only the first. Tolerance 1e-6."""
    storm = msis_density(MJD, np.radians(LAT_DEG), np.radians(LON_DEG), HEIGHT_KM * 1e3,
                         f107_sfu=140.0, f107a_sfu=130.0, ap_history=AP7,
                         model=model)  # type: ignore[arg-type]
    assert float(storm) == pytest.approx(_direct(version, geomagnetic_activity=-1)[0], rel=1e-6)
    daily = msis_density(MJD, np.radians(LAT_DEG), np.radians(LON_DEG), HEIGHT_KM * 1e3,
                         f107_sfu=140.0, f107a_sfu=130.0, ap_daily=AP7[0],
                         model=model)  # type: ignore[arg-type]
    assert abs(float(storm) / float(daily) - 1) > 1e-3  # the history does change the answer


def test_epoch_and_mjd_agree(ts: Timescale) -> None:
    """An ``Epoch`` and the same instant as a UTC MJD give the same density (exactly: both
    reach pymsis as the same whole second)."""
    epoch = ts.from_datetime(dt.datetime(2022, 3, 21, 7, 30, tzinfo=dt.UTC))
    args = (np.radians(LAT_DEG), np.radians(LON_DEG), HEIGHT_KM * 1e3)
    by_epoch = msis_density(epoch, *args, f107_sfu=140.0, f107a_sfu=130.0, ap_daily=15.0)
    by_mjd = msis_density(MJD, *args, f107_sfu=140.0, f107a_sfu=130.0, ap_daily=15.0)
    assert float(by_epoch) == float(by_mjd)


# Montenbruck & Gill (2000), Table 3.8: Harris-Priester maximum density (apex of the diurnal
# bulge, mean solar activity) at 420 km: 5.684 g/km^3.
HARRIS_PRIESTER_MAX_420KM = 5.684e-12


@pytest.mark.parametrize("model", ["msis2.1", "nrlmsise00"])
def test_density_at_iss_height_at_noon_is_plausible(model: str) -> None:
    """Guard: 420 km over the equator at local noon (00:00 UTC at 180 deg E, 2022-03-21),
    F10.7 = F10.7A = 150 sfu, Ap = 15 must lie within a factor 2 of the Harris-Priester bulge
    density at 420 km for mean solar activity, 5.684e-12 kg/m^3 (Montenbruck & Gill 2000,
    Table 3.8). Measured: 4.74e-12 (MSIS 2.1), 4.93e-12 (NRLMSISE-00).

    The usual unit mistakes fail it: longitude radians read as degrees (pi taken as 3.14 deg)
    moves the point to local midnight (2.5e-12, outside the factor), kilometres passed for
    metres gives 1.1 kg/m^3, and a latitude in degrees is refused.
    """
    mjd = float(mjd_from_calendar(2022, 3, 21))
    common = {"f107_sfu": 150.0, "f107a_sfu": 150.0, "ap_daily": 15.0, "model": model}

    def within_factor_2(value: float) -> bool:
        return 0.5 <= value / HARRIS_PRIESTER_MAX_420KM <= 2.0

    assert within_factor_2(float(msis_density(mjd, 0.0, np.pi, 420e3, **common)))  # type: ignore[arg-type]
    assert not within_factor_2(
        float(msis_density(mjd, 0.0, np.radians(np.pi), 420e3, **common)))  # type: ignore[arg-type]
    assert not within_factor_2(float(msis_density(mjd, 0.0, np.pi, 420.0, **common)))  # type: ignore[arg-type]
    with pytest.raises(AtmosphereInputError, match="looks like degrees"):
        msis_density(mjd, 51.6, np.pi, 420e3, **common)  # type: ignore[arg-type]


def test_shapes_broadcast() -> None:
    """One epoch against a grid of points; a 2-D grid keeps its shape; empty input is empty."""
    lat = np.radians(np.linspace(-80, 80, 5))[:, None]
    lon = np.radians(np.linspace(-180, 150, 4))[None, :]
    out = msis(MJD, lat, lon, 400e3, f107_sfu=150.0, f107a_sfu=150.0, ap_history=AP7)
    assert out.density_kg_m3.shape == (5, 4) == out.temperature_k.shape
    one = msis_density(MJD, lat[2, 0], lon[0, 1], 400e3, f107_sfu=150.0, f107a_sfu=150.0,
                       ap_history=AP7)
    assert float(one) == out.density_kg_m3[2, 1]
    history = np.broadcast_to(AP7, (5, 4, 7))
    per_point = msis_density(MJD, lat, lon, 400e3, f107_sfu=150.0, f107a_sfu=150.0,
                             ap_history=history)
    np.testing.assert_array_equal(per_point, out.density_kg_m3)
    empty = msis_density(np.zeros(0), 0.0, 0.0, 400e3, f107_sfu=150.0, f107a_sfu=150.0,
                         ap_daily=4.0)
    assert empty.shape == (0,)


def test_longitude_is_wrapped() -> None:
    """Longitudes differing by whole turns give the same density."""
    base = {"f107_sfu": 150.0, "f107a_sfu": 150.0, "ap_daily": 4.0}
    a = msis_density(MJD, 0.3, -2.0, 400e3, **base)  # type: ignore[arg-type]
    b = msis_density(MJD, 0.3, -2.0 + 4 * np.pi, 400e3, **base)  # type: ignore[arg-type]
    assert float(a) == pytest.approx(float(b), rel=1e-6)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"height_m": -10.0}, "height outside"),
        ({"height_m": MSIS_MAX_HEIGHT_M + 1.0}, "height outside"),
        ({"height_m": np.nan}, "height_m must be finite"),
        ({"lat_rad": 1.7}, "looks like degrees"),
        ({"when": np.inf}, "must be finite"),
        ({"f107_sfu": 0.0}, "f107_sfu must be positive"),
        ({"f107a_sfu": -1.0}, "f107a_sfu must be positive"),
        ({"ap_daily": -1.0}, "ap must not be negative"),
        ({"ap_daily": None}, "either as ap_history"),
        ({"ap_history": AP7}, "either as ap_history"),
        ({"ap_daily": None, "ap_history": AP7[:6]}, "7 values"),
        ({"lon_rad": np.zeros(3), "lat_rad": np.zeros(4)}, "do not broadcast"),
        ({"model": "jb2008"}, "unknown atmosphere model"),
    ],
)
def test_bad_inputs_are_refused_with_a_clear_message(change: dict[str, object],
                                                     message: str) -> None:
    """Each bad input raises :class:`AtmosphereInputError` (an ``InputError``) saying what is
    wrong."""
    args: dict[str, object] = {"when": MJD, "lat_rad": 0.5, "lon_rad": 1.0, "height_m": 400e3,
                               "f107_sfu": 150.0, "f107a_sfu": 150.0, "ap_daily": 4.0}
    args.update(change)
    with pytest.raises(AtmosphereInputError, match=message):
        msis(**args)  # type: ignore[arg-type]


def test_space_weather_satisfies_the_protocol() -> None:
    """``stationsim.data.SpaceWeather`` is a :class:`SpaceWeatherSource` (structurally; forces
    never imports data) and its ``MsisInputs`` are :class:`MsisDrivers` with the shapes the
    adapter expects."""
    weather: SpaceWeatherSource = load_space_weather()
    constant: SpaceWeatherSource = SpaceWeather.constant(f107_sfu=150.0, f107a_sfu=140.0, ap=7.0)
    assert isinstance(weather, SpaceWeatherSource)
    assert isinstance(constant, SpaceWeatherSource)
    drivers: MsisDrivers = constant.msis_inputs(np.array([MJD, MJD + 1]))  # type: ignore[arg-type]
    assert drivers.f107_sfu.shape == (2,) == drivers.f107a_sfu.shape
    assert drivers.ap_history.shape == (2, 7)
