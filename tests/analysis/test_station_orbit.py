"""The orbit average of the ISS along SGP4, at the epoch of the bundled element set of
2022-03-07 21:06:42 UTC, against values computed here by other means:

- mean height: ``a - R_e`` with ``a = (mu / n^2)^(1/3)`` from the set's Kozai mean motion (the
  method of the ISS facts compiled for the bundled data, which gives ~417.8 km for this set).
  The mean of ``|r|`` along SGP4 differs from that ``a`` by the short-period and Kozai-Brouwer
  J2 terms (0.25 km here): tolerance 1 km.
- beta angle: the Sun of astropy (``get_sun``, GCRS, taken to TEME) against the orbit normal of
  the set's inclination and node (TEME, mean elements at their epoch). Tolerance 0.1 deg: the
  osculating plane the function uses wobbles about the mean one by J2's short-period terms
  (0.03 deg here).
- eclipse fraction: the fraction of 2000 points equally spaced in time along python-sgp4's
  orbit that lie in the Earth's cylindrical shadow (radius ``R_e``), with astropy's Sun.
  Tolerance 0.005 (the function takes a circular orbit at the mean height; 0.0005 here).
- density: within a factor of 2 of the exponential model's 2.8e-12 kg/m^3 at 417 km
  (Vallado, *Fundamentals of Astrodynamics and Applications*, 4th ed., table 8-4: 3.725e-12
  kg/m^3 at 400 km, scale height 58.515 km): a loose range check, the solar cycle moves the
  density at 400 km by a factor of 5 to 10.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from sgp4.api import Satrec

from stationsim.analysis.station_orbit import sgp4_orbit_environment
from stationsim.api import station_environment
from stationsim.constants import GM_EARTH_M3_S2, WGS84_A_M
from stationsim.data import bundled_path, load_space_weather
from stationsim.errors import PropagationError
from stationsim.io.tle import parse_tle
from stationsim.propagation.elements import GPElements
from stationsim.station import Environment
from stationsim.time import Epoch, Timescale

TLE_LINES = (
    "1 25544U 98067A   22066.87965278  .00007224  00000+0  13623-3 0  9990",
    "2 25544  51.6433 118.2979 0004901 229.8721 120.0122 15.49615511329466",
)


@pytest.fixture(scope="module")
def elements() -> GPElements:
    file = bundled_path("tle/iss_2022.tle")
    sets = parse_tle(file.read_text(encoding="ascii"), source=file.name)
    (chosen,) = [e for e in sets if e.epoch_iso.startswith("2022-03-07T21:06")]
    return chosen


@pytest.fixture(scope="module")
def at(elements: GPElements, ts: Timescale) -> Epoch:
    return elements.epoch(ts)


@pytest.fixture(scope="module")
def environment(elements: GPElements, at: Epoch) -> Environment:
    return sgp4_orbit_environment(elements, at, load_space_weather())


def _sun_teme(mjd_utc: float) -> np.ndarray:
    """Unit vector to the Sun in TEME from astropy (apparent geocentric Sun)."""
    units = pytest.importorskip("astropy.units")
    coordinates = pytest.importorskip("astropy.coordinates")
    time = pytest.importorskip("astropy.time")
    t = time.Time(mjd_utc, format="mjd", scale="utc")
    sun = coordinates.get_sun(t).transform_to(coordinates.TEME(obstime=t))
    s = np.asarray(sun.cartesian.xyz.to_value(units.m), dtype=float)
    unit: np.ndarray = s / np.linalg.norm(s)
    return unit


def test_mean_height_against_kozai_semi_major_axis(environment: Environment,
                                                   elements: GPElements) -> None:
    n_rad_s = elements.mean_motion_rev_per_day * 2.0 * math.pi / 86400.0
    height_m = (GM_EARTH_M3_S2 / n_rad_s ** 2) ** (1.0 / 3.0) - WGS84_A_M
    assert height_m == pytest.approx(417.8e3, abs=0.1e3)
    assert environment.altitude_m == pytest.approx(height_m, abs=1e3)


def test_beta_angle_against_astropy_sun(environment: Environment, elements: GPElements,
                                        at: Epoch, astropy_offline: None) -> None:
    i = math.radians(elements.inclination_deg)
    node = math.radians(elements.ra_of_asc_node_deg)
    normal = np.array([math.sin(i) * math.sin(node), -math.sin(i) * math.cos(node), math.cos(i)])
    beta = math.asin(float(_sun_teme(float(at.mjd_utc)) @ normal))
    assert math.degrees(environment.beta_rad) == pytest.approx(math.degrees(beta), abs=0.1)


def test_eclipse_fraction_against_shadow_count(environment: Environment, elements: GPElements,
                                               at: Epoch, astropy_offline: None) -> None:
    satellite = Satrec.twoline2rv(*TLE_LINES)
    minutes = np.linspace(0.0, 1440.0 / elements.mean_motion_rev_per_day, 2000, endpoint=False)
    r_km = np.array([satellite.sgp4_tsince(float(m))[1] for m in minutes]) * 1e3
    s = _sun_teme(float(at.mjd_utc))
    along = r_km @ s
    across = np.linalg.norm(r_km - along[:, None] * s, axis=1)
    shadow = float(np.mean((along < 0.0) & (across < WGS84_A_M)))
    assert 0.0 < environment.eclipse_fraction < 0.5
    assert environment.eclipse_fraction == pytest.approx(shadow, abs=0.005)


def test_density_in_the_range_of_the_exponential_model(environment: Environment) -> None:
    exponential = 3.725e-12 * math.exp(-(environment.altitude_m - 400e3) / 58.515e3)
    assert exponential / 2.0 < environment.density_kg_m3 < 2.0 * exponential


def test_the_facade_delegates(at: Epoch, environment: Environment) -> None:
    assert station_environment(at) == environment


def test_a_failing_propagation_names_the_object(elements: GPElements, at: Epoch) -> None:
    # A low orbit with a large B* leaves SGP4's range within days (its error 1).
    doomed = dataclasses.replace(elements, mean_motion_rev_per_day=16.3,
                                 bstar_per_earth_radius=0.05)
    with pytest.raises(PropagationError, match=r"ISS \(ZARYA\).*SGP4 error 1"):
        sgp4_orbit_environment(doomed, at + 5 * 86400.0, load_space_weather())
