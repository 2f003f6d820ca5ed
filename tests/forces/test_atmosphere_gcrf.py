"""Density along GCRF states and the velocity relative to the co-rotating air.

References: stationsim's own frames (tested against astropy in ``tests/frames``) for the
geodetic chain; for ``v_rel``, the ITRF velocity that :func:`stationsim.frames.gcrf_to_itrf`
gives (IAU 2006/2000A, EOP, LOD), whose magnitude is the speed relative to air that turns with
the Earth. Tolerances are in each test.
"""

from __future__ import annotations

import numpy as np
import pytest

from stationsim.data import SpaceWeather
from stationsim.forces import (
    Atmosphere,
    AtmosphereInputError,
    ExponentialAtmosphere,
    HarrisPriesterAtmosphere,
    MsisAtmosphere,
    exponential_density,
    geodetic_from_gcrf,
    harris_priester_density,
    msis,
    msis_along_gcrf,
    relative_velocity_gcrf,
    sun_position_gcrf,
)
from stationsim.frames import gcrf_to_itrf, geodetic_to_itrf, itrf_to_gcrf_position
from stationsim.time import Epoch, Timescale

RNG_SEED = 20220321


def _points(ts: Timescale, n: int = 200) -> tuple[Epoch, np.ndarray, np.ndarray, np.ndarray]:
    """Random instants in March 2022 and geodetic points 150-900 km up, with their GCRF
    positions."""
    rng = np.random.default_rng(RNG_SEED)
    epoch = ts.from_mjd_utc(59_639.0 + rng.uniform(0.0, 30.0, n))
    lat = np.arcsin(rng.uniform(-1.0, 1.0, n))
    lon = rng.uniform(-np.pi, np.pi, n)
    height = rng.uniform(150e3, 900e3, n)
    r_gcrf = itrf_to_gcrf_position(epoch, geodetic_to_itrf(lat, lon, height))
    return epoch, np.stack([lat, lon, height]), r_gcrf, height


def test_geodetic_from_gcrf_inverts_the_frames(ts: Timescale) -> None:
    """GCRF -> ITRF -> geodetic recovers the points (1e-10 rad, 1 mm)."""
    epoch, geo, r_gcrf, _ = _points(ts)
    lat, lon, height = geodetic_from_gcrf(epoch, r_gcrf)
    np.testing.assert_allclose(lat, geo[0], atol=1e-10)
    np.testing.assert_allclose(np.angle(np.exp(1j * (lon - geo[1]))), 0.0, atol=1e-10)
    np.testing.assert_allclose(height, geo[2], atol=1e-3)


@pytest.mark.parametrize("model", ["msis2.1", "nrlmsise00"])
def test_msis_along_gcrf_is_msis_at_the_geodetic_point(ts: Timescale, model: str) -> None:
    """Along GCRF states the density is the model's at the geodetic point, with the source's
    drivers (storm-time mode: the full ap history; daily mode: its first column). rtol 1e-6
    (single-precision inputs of pymsis)."""
    epoch, geo, r_gcrf, _ = _points(ts)
    weather = SpaceWeather.constant(f107_sfu=160.0, f107a_sfu=150.0, ap=12.0)
    for storm_time in (True, False):
        along = msis_along_gcrf(epoch, r_gcrf, weather, model=model,  # type: ignore[arg-type]
                                storm_time=storm_time)
        ap = {"ap_history": np.full(7, 12.0)} if storm_time else {"ap_daily": 12.0}
        direct = msis(epoch, geo[0], geo[1], geo[2], f107_sfu=160.0, f107a_sfu=150.0,
                      model=model, **ap)  # type: ignore[arg-type]
        np.testing.assert_allclose(along.density_kg_m3, direct.density_kg_m3, rtol=1e-6)
        np.testing.assert_allclose(along.temperature_k, direct.temperature_k, rtol=1e-6)
    atmosphere = MsisAtmosphere(weather, model=model)  # type: ignore[arg-type]
    np.testing.assert_array_equal(
        atmosphere.density(epoch, r_gcrf),
        msis_along_gcrf(epoch, r_gcrf, weather, model=model).density_kg_m3,  # type: ignore[arg-type]
    )


def test_fast_models_along_gcrf(ts: Timescale) -> None:
    """The exponential and Harris-Priester classes call their kernels with the geodetic height
    and, for Harris-Priester, the low-precision Sun (exact)."""
    epoch, geo, r_gcrf, height = _points(ts)
    models: list[Atmosphere] = [ExponentialAtmosphere(), HarrisPriesterAtmosphere(n=6.0),
                                MsisAtmosphere(SpaceWeather.constant(f107_sfu=150.0,
                                                                     f107a_sfu=150.0, ap=4.0))]
    exponential, harris_priester, _ = (m.density(epoch, r_gcrf) for m in models)
    np.testing.assert_allclose(exponential, exponential_density(geo[2]), rtol=1e-12)
    np.testing.assert_allclose(
        harris_priester, harris_priester_density(geo[2], r_gcrf, sun_position_gcrf(epoch), n=6.0),
        rtol=1e-12)
    assert np.all(harris_priester > 0)
    assert height.shape == exponential.shape


def test_relative_velocity_matches_the_itrf_speed(ts: Timescale) -> None:
    """``|v - w x r|`` in GCRF equals the speed in ITRF (the frame turning with the air) to
    1.5 m/s for ISS-like states in March 2022; the difference is the tilt of the true spin axis
    from GCRF z (0.12 deg) and the length-of-day term. Measured: 1.11 m/s at worst. A point
    turning with the Earth has no velocity relative to the air (1e-9 m/s)."""
    epoch, _, r_gcrf, _ = _points(ts)
    rng = np.random.default_rng(RNG_SEED + 1)
    direction = rng.normal(size=r_gcrf.shape)
    direction -= np.sum(direction * r_gcrf, axis=-1, keepdims=True) * r_gcrf / np.sum(
        r_gcrf * r_gcrf, axis=-1, keepdims=True)
    v_gcrf = 7660.0 * direction / np.linalg.norm(direction, axis=-1, keepdims=True)
    v_rel = relative_velocity_gcrf(r_gcrf, v_gcrf)
    _, v_itrf = gcrf_to_itrf(epoch, r_gcrf, v_gcrf)
    difference = np.abs(np.linalg.norm(v_rel, axis=-1) - np.linalg.norm(v_itrf, axis=-1))
    assert np.max(difference) < 1.5
    omega = 7.292115146706979e-5
    r = np.array([[6778e3, 0.0, 0.0], [0.0, 4e6, 5e6]])
    co_rotating = np.cross(np.array([0.0, 0.0, omega]), r)
    np.testing.assert_allclose(relative_velocity_gcrf(r, co_rotating), 0.0, atol=1e-9)
    assert relative_velocity_gcrf(r[0], np.array([0.0, 7660.0, 0.0]))[1] == pytest.approx(
        7660.0 - omega * 6778e3, rel=1e-15)


def test_bad_positions_are_refused(ts: Timescale) -> None:
    """Positions must be finite 3-vectors (an ``AtmosphereInputError`` otherwise)."""
    epoch = ts.from_mjd_utc(59_639.0)
    with pytest.raises(AtmosphereInputError, match="3-vectors"):
        ExponentialAtmosphere().density(epoch, np.zeros(2))
    with pytest.raises(AtmosphereInputError, match="finite"):
        ExponentialAtmosphere().density(epoch, np.array([7e6, np.nan, 0.0]))
