"""`where` on the bundled real ISS TLE of 2022-03-07: altitude over one orbit, and the same
GCRF position as skyfield and as astropy (reference peers; tolerance 1 m)."""

from __future__ import annotations

import numpy as np
import pytest

from stationsim import api
from stationsim.errors import ExtrapolationWarning, PropagationError
from stationsim.time import Timescale

ISS_L1 = "1 25544U 98067A   22066.87965278  .00007224  00000+0  13623-3 0  9990"
ISS_L2 = "2 25544  51.6433 118.2979 0004901 229.8721 120.0122 15.49615511329466"


def _default_elements(ts: Timescale):  # type: ignore[no-untyped-def]
    elements = [e for e in api.load_elements() if abs(e.epoch_day_of_year - 66.87965278) < 1e-9]
    assert len(elements) == 1
    return elements[0]


def test_default_is_the_iss_on_2022_03_07() -> None:
    position = api.where()
    assert position.norad_id == 25544
    assert position.epoch == "2022-03-07T21:06:42.000Z"
    assert position.elements_epoch.startswith("2022-03-07T21:06:42")
    assert 410.0 < position.alt_km < 425.0
    assert -51.7 < position.lat_deg < 51.7


def test_altitude_over_one_orbit_stays_between_410_and_425_km(ts: Timescale) -> None:
    """Published ISS orbit in early 2022: perigee ~414-416 km, apogee ~420-422 km, heights
    above the equatorial radius (reference/iss-facts, from the TLEs' mean motion).

    The height above the equatorial radius, |r| - a, must stay within 410-425 km over one orbit.
    The WGS-84 geodetic height that ``where`` prints runs higher at high latitude, because the
    ellipsoid's surface there is closer to the centre (13.8 km closer at 51.6 deg): it must
    stay within 410-440 km, peak near the highest latitudes and bottom out near the equator.
    """
    elements = _default_elements(ts)
    start = ts.from_jd_utc(*elements.epoch_jd_utc)
    track = api.where_track(elements, start + np.arange(0.0, 93 * 60.0, 30.0))
    radius_km = np.array([np.linalg.norm(p.r_itrf_m) for p in track]) / 1e3
    above_equatorial_radius = radius_km - 6378.137
    assert above_equatorial_radius.min() > 410.0
    assert above_equatorial_radius.max() < 425.0
    geodetic = np.array([p.alt_km for p in track])
    latitudes = np.array([p.lat_deg for p in track])
    assert geodetic.min() > 410.0 and geodetic.max() < 440.0
    assert abs(latitudes[geodetic.argmax()]) > 40.0
    assert latitudes.max() == pytest.approx(51.6, abs=0.6)  # reaches the inclination


def test_same_position_as_skyfield(ts: Timescale) -> None:
    skyfield_api = pytest.importorskip("skyfield.api")
    sky_ts = skyfield_api.load.timescale(builtin=True)
    satellite = skyfield_api.EarthSatellite(ISS_L1, ISS_L2, "ISS (ZARYA)", sky_ts)
    elements = _default_elements(ts)
    epochs = ts.from_jd_utc(*elements.epoch_jd_utc) + np.linspace(0.0, 6 * 3600.0, 25)
    ours = api.where_track(elements, epochs)
    t = sky_ts.tai_jd(*epochs.tai)
    theirs = satellite.at(t).position.m.T
    gap = np.linalg.norm(np.array([p.r_gcrf_m for p in ours]) - theirs, axis=1)
    assert gap.max() < 0.05  # measured 7 mm, mostly the pole offsets dX, dY


def test_same_position_as_astropy(ts: Timescale, astropy_offline: None) -> None:
    import astropy.units as u
    from astropy.coordinates import GCRS, TEME, CartesianRepresentation
    from astropy.time import Time
    from sgp4.api import Satrec

    elements = _default_elements(ts)
    epochs = ts.from_jd_utc(*elements.epoch_jd_utc) + np.linspace(0.0, 86400.0, 13)
    ours = api.where_track(elements, epochs)
    satrec = Satrec.twoline2rv(ISS_L1, ISS_L2)
    jd1, jd2 = epochs.utc
    _, r_km, _ = satrec.sgp4_array(jd1, jd2)
    t = Time(jd1, jd2, format="jd", scale="utc")
    teme = TEME(CartesianRepresentation(r_km.T * u.km), obstime=t)
    gcrs = teme.transform_to(GCRS(obstime=t)).cartesian.xyz.to_value(u.m).T
    gap = np.linalg.norm(np.array([p.r_gcrf_m for p in ours]) - gcrs, axis=1)
    assert gap.max() < 0.05  # measured 7 mm, mostly the pole offsets dX, dY


def test_a_set_run_far_past_its_epoch_is_refused_not_put_underground(ts: Timescale) -> None:
    """SGP4 on the 2022-11-08 ISS set, four years on, runs its drag term until the station is a
    few kilometres high (it is not caught by SGP4's own check, which stops below the Earth's
    radius). Such a place is refused with the height, the time and the set's epoch; a month
    on, the same set still answers (with the staleness warning)."""
    last = api.load_elements()[-1]
    with pytest.raises(PropagationError, match=r"below 100 km.*element sets nearer"):
        api.where_track(last, ts.from_iso("2026-12-05T00:00:00Z").ravel())
    with pytest.warns(ExtrapolationWarning, match="days from its element set"):
        (position,) = api.where_track(last, ts.from_iso("2022-12-20T00:00:00Z").ravel())
    assert 380.0 < position.alt_km < 440.0


def test_a_set_run_years_backwards_is_refused_not_put_in_deep_space(ts: Timescale) -> None:
    """SGP4 on the first bundled set (2022-02-26) run back to 2010 puts the ISS 238,741 km
    up: past twice the set's own apogee (422 km up) the place is refused, not printed."""
    first = api.load_elements()[0]
    with pytest.raises(PropagationError, match=r"far off the set's own orbit \(apogee 422"):
        api.where_track(first, ts.from_iso("2010-01-01T00:00:00Z").ravel())
