"""Landing zones and landing opportunities: synthetic ground tracks with a known closest
approach, and the real ISS track of 2022-03-30 against the Soyuz MS-19 landing.

Sources of the facts checked here: Soyuz MS-19 undocked 07:21 UTC, fired its deorbit burn
10:34 UTC and landed 11:28 UTC on 2022-03-30, 147 km SE of Zhezkazgan (TASS 1429361,
Interfax 77577; reference/iss-facts.md section 6c).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stationsim import api
from stationsim.analysis.landing import (
    DEFAULT_REACH_M,
    DRAGON_SITES,
    EARTH_MEAN_RADIUS_M,
    LANDING_ZONES,
    SOYUZ_ZONE,
    LandingZone,
    destination_point,
    landing_opportunities,
    zones_for_vehicle,
)
from stationsim.constants import EARTH_ROTATION_RATE_RAD_S, WGS84_F
from stationsim.errors import InputError
from stationsim.frames import itrf_to_geodetic, teme_to_itrf
from stationsim.propagation.sgp4 import sgp4_teme
from stationsim.time import Epoch, Timescale

E2 = WGS84_F * (2.0 - WGS84_F)
INCLINATION = math.radians(51.64)
MEAN_MOTION = 2.0 * math.pi / 5_560.0  # rad/s, an ISS-like 92.7 min revolution


def _geocentric(lat_deg: float) -> float:
    return math.atan((1.0 - E2) * math.tan(math.radians(lat_deg)))


def _synthetic_track(zone: LandingZone, t_rel: np.ndarray, t_pass: float,
                     shift_deg: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Geodetic latitude and longitude [rad] of a circular 51.64 deg orbit whose ascending
    pass runs over the zone's centre at ``t_pass`` [s], shifted east by ``shift_deg``."""
    u0 = math.asin(math.sin(_geocentric(zone.lat_deg)) / math.sin(INCLINATION))
    u = u0 + MEAN_MOTION * (t_rel - t_pass)

    def alpha(arg: np.ndarray | float) -> np.ndarray:
        return np.arctan2(math.cos(INCLINATION) * np.sin(arg), np.cos(arg))

    lat_c = np.arcsin(math.sin(INCLINATION) * np.sin(u))
    lon = (math.radians(zone.lon_deg + shift_deg) + alpha(u) - alpha(u0)
           - EARTH_ROTATION_RATE_RAD_S * (t_rel - t_pass))
    lon = (lon + math.pi) % (2.0 * math.pi) - math.pi
    return np.arctan(np.tan(lat_c) / (1.0 - E2)), lon


def _brute_force(zone: LandingZone, t_pass: float, shift_deg: float) -> tuple[float, float]:
    """Closest approach (time [s], miss [m]) of the synthetic track, sampled every 0.05 s."""
    t = t_pass + np.arange(-900.0, 900.0, 0.05)
    lat, lon = _synthetic_track(zone, t, t_pass, shift_deg)
    lat_c = np.arctan((1.0 - E2) * np.tan(lat))
    zc, zl = _geocentric(zone.lat_deg), math.radians(zone.lon_deg)
    cos_d = np.sin(lat_c) * math.sin(zc) + np.cos(lat_c) * math.cos(zc) * np.cos(lon - zl)
    i = int(np.argmax(cos_d))
    return float(t[i]), float(EARTH_MEAN_RADIUS_M * np.arccos(min(cos_d[i], 1.0)))


@pytest.fixture(scope="module")
def start(ts: Timescale) -> Epoch:
    return ts.from_iso("2022-03-30T07:21:00Z")


def _grid(start: Epoch, step_s: float, hours: float = 6.0) -> tuple[Epoch, np.ndarray]:
    t_rel = np.arange(0.0, hours * 3600.0 + 1.0, step_s)
    return start + t_rel, t_rel


@pytest.mark.parametrize("step_s", [60.0, 300.0, 600.0])
def test_a_track_over_the_zone_gives_that_pass_at_the_right_time(start: Epoch,
                                                                  step_s: float) -> None:
    times, t_rel = _grid(start, step_s)
    t_pass = 3 * 3600.0 + 137.0  # between samples
    lat, lon = _synthetic_track(SOYUZ_ZONE, t_rel, t_pass)
    found = landing_opportunities(times, lat, lon, [SOYUZ_ZONE], after=start, count=10)
    assert len(found) == 1
    assert float(found[0].epoch - (start + t_pass)) == pytest.approx(0.0, abs=0.5)
    assert found[0].miss_m < 100.0
    assert found[0].zone == SOYUZ_ZONE.name
    assert found[0].lat_deg == pytest.approx(SOYUZ_ZONE.lat_deg, abs=1e-3)
    assert found[0].lon_deg == pytest.approx(SOYUZ_ZONE.lon_deg, abs=1e-3)


def test_an_offset_track_gives_the_brute_force_miss(start: Epoch) -> None:
    times, t_rel = _grid(start, 300.0)
    t_pass = 2 * 3600.0 + 41.0
    lat, lon = _synthetic_track(SOYUZ_ZONE, t_rel, t_pass, shift_deg=2.0)
    when_ref, miss_ref = _brute_force(SOYUZ_ZONE, t_pass, 2.0)
    assert 40e3 < miss_ref < DEFAULT_REACH_M  # about 2 x 76 km x cos(64.6 deg)
    (found,) = landing_opportunities(times, lat, lon, [SOYUZ_ZONE], after=start)
    assert found.miss_m == pytest.approx(miss_ref, abs=50.0)
    assert float(found.epoch - start) == pytest.approx(when_ref, abs=0.5)


def test_a_track_missing_by_more_than_the_reach_gives_nothing(start: Epoch) -> None:
    times, t_rel = _grid(start, 300.0)
    t_pass = 3 * 3600.0
    lat, lon = _synthetic_track(SOYUZ_ZONE, t_rel, t_pass, shift_deg=-6.0)
    _, miss_ref = _brute_force(SOYUZ_ZONE, t_pass, -6.0)
    assert miss_ref > DEFAULT_REACH_M + 30e3
    assert landing_opportunities(times, lat, lon, [SOYUZ_ZONE], after=start) == []
    # A larger reach, for every zone, lets it count again.
    wide = landing_opportunities(times, lat, lon, [SOYUZ_ZONE], after=start, reach_m=300e3)
    assert len(wide) == 1 and wide[0].miss_m == pytest.approx(miss_ref, abs=50.0)


def test_after_count_and_track_ends(start: Epoch) -> None:
    times, t_rel = _grid(start, 120.0)
    t_pass = 3 * 3600.0
    lat, lon = _synthetic_track(SOYUZ_ZONE, t_rel, t_pass)
    assert landing_opportunities(times, lat, lon, [SOYUZ_ZONE], after=start + t_pass + 60) == []
    assert landing_opportunities(times, lat, lon, [SOYUZ_ZONE], after=start, count=0) == []
    # A track that ends while still closing in has no closest approach yet.
    end = int(t_pass // 120.0)
    assert landing_opportunities(times[:end], lat[:end], lon[:end], [SOYUZ_ZONE],
                                 after=start) == []


def test_one_pass_over_several_sites_is_one_opportunity(start: Epoch) -> None:
    tampa = next(z for z in DRAGON_SITES if z.name == "Tampa")
    times, t_rel = _grid(start, 60.0)
    lat, lon = _synthetic_track(tampa, t_rel, 3 * 3600.0)
    found = landing_opportunities(times, lat, lon, DRAGON_SITES, after=start, count=5)
    assert [f.zone for f in found] == ["Tampa"]
    assert found[0].miss_m < 100.0


def test_as_dict_is_the_results_shape(start: Epoch) -> None:
    times, t_rel = _grid(start, 300.0)
    lat, lon = _synthetic_track(SOYUZ_ZONE, t_rel, 3 * 3600.0)
    (found,) = landing_opportunities(times, lat, lon, [SOYUZ_ZONE], after=start)
    d = found.as_dict()
    assert set(d) == {"epoch", "zone", "lat_deg", "lon_deg", "miss_km"}
    assert d["epoch"] == "2022-03-30T10:21:00Z"
    assert isinstance(d["miss_km"], float) and d["miss_km"] < 0.1


def test_bad_tracks_are_refused(start: Epoch) -> None:
    times, t_rel = _grid(start, 300.0)
    lat, lon = _synthetic_track(SOYUZ_ZONE, t_rel, 3 * 3600.0)
    with pytest.raises(InputError, match="shape"):
        landing_opportunities(times, lat[:-1], lon, [SOYUZ_ZONE], after=start)
    backwards = start + t_rel[::-1]
    with pytest.raises(InputError, match="increase"):
        landing_opportunities(backwards, lat, lon, [SOYUZ_ZONE], after=start)


@settings(max_examples=25, deadline=None)
@given(shift=st.floats(-3.5, 3.5), offset=st.floats(0.0, 599.0))
def test_miss_matches_brute_force_for_any_offset(ts: Timescale, shift: float,
                                                offset: float) -> None:
    """Property: for tracks sampled every 600 s, the miss and time equal the dense answer."""
    start = ts.from_iso("2022-03-30T00:00:00Z")
    times, t_rel = _grid(start, 600.0)
    t_pass = 3 * 3600.0 + offset
    lat, lon = _synthetic_track(SOYUZ_ZONE, t_rel, t_pass, shift)
    when_ref, miss_ref = _brute_force(SOYUZ_ZONE, t_pass, shift)
    found = landing_opportunities(times, lat, lon, [SOYUZ_ZONE], after=start, reach_m=400e3)
    assert len(found) == 1
    assert found[0].miss_m == pytest.approx(miss_ref, abs=100.0)
    assert float(found[0].epoch - start) == pytest.approx(when_ref, abs=1.0)


# --- zones ------------------------------------------------------------------------------------

def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return EARTH_MEAN_RADIUS_M * math.acos(min(1.0, c))


def test_destination_point() -> None:
    # One degree of arc on the mean sphere is 111.195 km.
    lat, lon = destination_point(0.0, 0.0, EARTH_MEAN_RADIUS_M * math.radians(1.0), 0.0)
    assert (lat, lon) == (pytest.approx(1.0), pytest.approx(0.0, abs=1e-12))
    lat, lon = destination_point(0.0, 179.5, EARTH_MEAN_RADIUS_M * math.radians(1.0), 90.0)
    assert (lat, lon) == (pytest.approx(0.0, abs=1e-12), pytest.approx(-179.5))


def test_soyuz_zone_is_147_km_south_east_of_zhezkazgan() -> None:
    """TASS: Soyuz MS-19 landed 147 km SE of Zhezkazgan (47.78 N, 67.71 E)."""
    assert _distance_m(47.78, 67.71, SOYUZ_ZONE.lat_deg, SOYUZ_ZONE.lon_deg) == pytest.approx(
        147e3, rel=1e-9)
    assert SOYUZ_ZONE.lat_deg == pytest.approx(46.837, abs=1e-3)
    assert SOYUZ_ZONE.lon_deg == pytest.approx(69.077, abs=1e-3)
    assert SOYUZ_ZONE.reach_m == DEFAULT_REACH_M and not SOYUZ_ZONE.water


def test_dragon_sites_are_seven_offshore_florida_with_assumed_coordinates() -> None:
    assert len(DRAGON_SITES) == 7
    names = {z.name for z in DRAGON_SITES}
    assert {"Pensacola", "Panama City", "Tallahassee", "Tampa"} <= names
    for zone in DRAGON_SITES:
        assert zone.water and zone.confidence == "A" and zone.vehicle == "dragon"
        assert 27.0 < zone.lat_deg < 31.0 and -88.0 < zone.lon_deg < -79.0
    assert LANDING_ZONES[0] is SOYUZ_ZONE and len(LANDING_ZONES) == 8


def test_zones_for_vehicle() -> None:
    assert zones_for_vehicle("Soyuz MS-19") == (SOYUZ_ZONE,)
    assert zones_for_vehicle("Crew Dragon Endurance") == DRAGON_SITES
    assert zones_for_vehicle("Progress MS-19") == ()


# --- the real ISS track -------------------------------------------------------------------------

def _iss_track(start: Epoch, days: float, step_s: float) -> tuple[Epoch, np.ndarray, np.ndarray]:
    """The ISS ground track from the bundled element set of 2022-03-27 13:08 UTC (the last
    before the Soyuz MS-19 landing), SGP4 -> TEME -> ITRF -> WGS-84 geodetic."""
    (elements,) = [e for e in api.load_elements()
                   if abs(e.epoch_day_of_year - 86.54746528) < 1e-8]
    times = start + np.arange(0.0, days * 86400.0 + 1.0, step_s)
    jd1, jd2 = times.utc
    r_teme, v_teme, codes = sgp4_teme([elements], jd1, jd2)
    assert not np.any(codes)
    r_itrf, _ = teme_to_itrf(times, r_teme[0], v_teme[0])
    lat, lon, _ = itrf_to_geodetic(r_itrf)
    return times, lat, lon


def test_iss_track_passes_the_soyuz_zone_as_on_the_ms19_landing(ts: Timescale,
                                                                start: Epoch) -> None:
    """From the undocking of Soyuz MS-19 (07:21 UTC), over two days.

    How often: successive ISS tracks lie about 770 km apart across-track at 47 deg N, so a
    150 km reach catches on average 4 x 150 / 770 = 0.8 passes a day (ascending and
    descending legs together); over two days, 1 to 3.

    When: the capsule follows the station's track and lands some minutes after the station
    passes overhead (the last 15 min hang under the parachute). So the first opportunity must
    fall between the deorbit burn (10:34 UTC) and the touchdown (11:28 UTC), and close to the
    landing point (it is 11:12 UTC, 44 km off; 300 s sampling gives the same answer).
    """
    times, lat, lon = _iss_track(start, 2.0, 60.0)
    found = landing_opportunities(times, lat, lon, [SOYUZ_ZONE], after=start, count=10)
    assert 1 <= len(found) <= 3
    burn, touchdown = ts.from_iso("2022-03-30T10:34:00Z"), ts.from_iso("2022-03-30T11:28:00Z")
    first = found[0]
    assert float(first.epoch - burn) > 0.0 and float(touchdown - first.epoch) > 0.0
    assert first.miss_m < 100e3
    coarse_times, coarse_lat, coarse_lon = _iss_track(start, 2.0, 300.0)
    coarse = landing_opportunities(coarse_times, coarse_lat, coarse_lon, [SOYUZ_ZONE],
                                   after=start, count=10)
    assert len(coarse) == len(found)
    assert float(coarse[0].epoch - first.epoch) == pytest.approx(0.0, abs=2.0)
    assert coarse[0].miss_m == pytest.approx(first.miss_m, abs=500.0)
