"""Frames against astropy (same IERS table, downloads off) and against their own inverses.

Reference: astropy's GCRS/ITRS/TEME frames (IAU 2006/2000A through ERFA, TEME as in
AIAA 2006-6753). Tolerance: 1 mm in position and 1 mm/s in velocity, for 1,000 random instants
from 1990 to the last day of the bundled EOP table, at ISS-like radius. astropy leaves out the
IERS celestial pole offsets dX, dY; stationsim applies them by default, so the comparison turns
them off, and a separate test bounds the effect of turning them on.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from stationsim.constants import ARCSEC_TO_RAD
from stationsim.errors import StaleTableWarning
from stationsim.frames import (
    earth_rotation,
    earth_rotation_angle_rad,
    gcrf_to_itrf,
    gcrf_to_itrf_position,
    geodetic_to_itrf,
    itrf_to_gcrf,
    itrf_to_geodetic,
    teme_to_gcrf,
    teme_to_itrf,
)
from stationsim.time import Epoch, Timescale, mjd_from_calendar

# Random instants run up to the end of the EOP table: predicted rows and the leap-second file's
# expiry are expected there, and their warnings are tested in test_frames/test_timescale.
pytestmark = [
    pytest.mark.filterwarnings("ignore::stationsim.errors.PredictedDataWarning"),
    pytest.mark.filterwarnings("ignore::stationsim.errors.StaleTableWarning"),
]

N = 1000


@pytest.fixture(scope="module")
def sample(ts: Timescale) -> tuple[Epoch, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    assert ts.eop is not None
    mjd = rng.uniform(mjd_from_calendar(1990, 1, 1), ts.eop.mjd_utc[-1], N)
    r = rng.normal(size=(N, 3))
    radius = 6.378e6 + rng.uniform(200e3, 1000e3, N)
    r *= (radius / np.linalg.norm(r, axis=1))[:, None]
    v = np.cross(r, rng.normal(size=(N, 3)))
    v *= 7660.0 / np.linalg.norm(v, axis=1)[:, None]
    return ts.from_mjd_utc(mjd), r, v, mjd


def _astropy(frame_in: str, frame_out: str, mjd: np.ndarray, r: np.ndarray,
             v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import astropy.units as u
    from astropy.coordinates import (
        GCRS,
        ITRS,
        TEME,
        CartesianDifferential,
        CartesianRepresentation,
    )
    from astropy.time import Time

    frames = {"gcrs": GCRS, "itrs": ITRS, "teme": TEME}
    t = Time(mjd, format="mjd", scale="utc")
    rep = CartesianRepresentation(r.T * u.m, differentials=CartesianDifferential(v.T * u.m / u.s))
    out = frames[frame_in](rep, obstime=t).transform_to(frames[frame_out](obstime=t))
    return out.cartesian.xyz.to_value(u.m).T, out.velocity.d_xyz.to_value(u.m / u.s).T


@pytest.mark.parametrize(
    ("ours", "frame_in", "frame_out"),
    [
        (lambda e, r, v: gcrf_to_itrf(e, r, v, pole_offsets=False), "gcrs", "itrs"),
        (lambda e, r, v: itrf_to_gcrf(e, r, v, pole_offsets=False), "itrs", "gcrs"),
        (teme_to_itrf, "teme", "itrs"),
        (lambda e, r, v: teme_to_gcrf(e, r, v, pole_offsets=False), "teme", "gcrs"),
    ],
    ids=["gcrf->itrf", "itrf->gcrf", "teme->itrf", "teme->gcrf"],
)
def test_against_astropy(sample, astropy_offline, ours, frame_in, frame_out) -> None:  # type: ignore[no-untyped-def]
    epoch, r, v, mjd = sample
    r_ours, v_ours = ours(epoch, r, v)
    r_ref, v_ref = _astropy(frame_in, frame_out, mjd, r, v)
    assert np.max(np.linalg.norm(r_ours - r_ref, axis=1)) < 1e-3
    assert np.max(np.linalg.norm(v_ours - v_ref, axis=1)) < 1e-3


def test_pole_offsets_move_the_pole_by_their_size(sample, ts: Timescale) -> None:  # type: ignore[no-untyped-def]
    """The only difference from astropy: dX, dY (IERS Conventions 2010, 5.5.4). The shift must
    be bounded by |(dX, dY)| times the radius, and be non-zero where the table has offsets."""
    epoch, r, _, mjd = sample
    shift = np.linalg.norm(gcrf_to_itrf_position(epoch, r)
                           - gcrf_to_itrf_position(epoch, r, pole_offsets=False), axis=1)
    dx, dy = ts.cip_offsets_rad(mjd)
    bound = np.hypot(dx, dy) * np.linalg.norm(r, axis=1)
    assert np.all(shift <= bound * 1.001 + 1e-9)
    assert np.max(shift) > 1e-3  # millimetres to centimetres: why astropy differs
    assert np.max(np.hypot(dx, dy)) < 10e-3 * ARCSEC_TO_RAD  # offsets are a few mas at most


def test_round_trips(sample) -> None:  # type: ignore[no-untyped-def]
    epoch, r, v, _ = sample
    r_itrf, v_itrf = gcrf_to_itrf(epoch, r, v)
    r_back, v_back = itrf_to_gcrf(epoch, r_itrf, v_itrf)
    assert np.max(np.abs(r_back - r)) < 1e-7
    assert np.max(np.abs(v_back - v)) < 1e-10


def test_one_epoch_many_states_broadcasts(ts: Timescale) -> None:
    epoch = ts.utc(2022, 3, 7, 21, 6, 42.0)
    r = np.array([[7e6, 0.0, 0.0], [0.0, 7e6, 0.0], [0.0, 0.0, 7e6]])
    many = gcrf_to_itrf_position(epoch, r)
    one_by_one = np.array([gcrf_to_itrf_position(epoch, row) for row in r])
    np.testing.assert_allclose(many, one_by_one, rtol=0, atol=1e-9)


def test_past_the_table_warns_and_holds_the_last_values(ts: Timescale) -> None:
    assert ts.eop is not None
    end = ts.eop.mjd_utc[-1]
    with pytest.warns(StaleTableWarning, match="end values are held"):
        late = ts.ut1_minus_utc(end + 400.0)
    assert late == pytest.approx(ts.eop.ut1_minus_utc_s[-1], abs=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = gcrf_to_itrf_position(ts.from_mjd_utc(end + 400.0), np.array([7e6, 0, 0]))
    assert np.all(np.isfinite(r))


def test_past_the_table_says_so_once_whatever_the_date(ts: Timescale) -> None:
    """A run of years past the table's end asks for every day and every quantity: one text
    (the command line shows each distinct warning once)."""
    assert ts.eop is not None
    end = ts.eop.mjd_utc[-1]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for day in (end + 10.0, end + 400.0, end + 900.5):
            ts.ut1_minus_utc(day)
            gcrf_to_itrf_position(ts.from_mjd_utc(day), np.array([7e6, 0, 0]))
    texts = {str(w.message) for w in caught if issubclass(w.category, StaleTableWarning)
             and "Earth orientation is needed" in str(w.message)}
    assert len(texts) == 1, texts
    assert "after" in next(iter(texts))


def test_geodetic_against_astropy_and_known_points() -> None:
    import astropy.units as u
    from astropy.coordinates import EarthLocation

    rng = np.random.default_rng(3)
    lat = np.radians(rng.uniform(-90, 90, 500))
    lon = np.radians(rng.uniform(-180, 180, 500))
    h = rng.uniform(-1e4, 2e6, 500)
    xyz = geodetic_to_itrf(lat, lon, h)
    ref = EarthLocation.from_geodetic(np.degrees(lon) * u.deg, np.degrees(lat) * u.deg,
                                      h * u.m, ellipsoid="WGS84")
    np.testing.assert_allclose(xyz, np.stack([ref.x.to_value(u.m), ref.y.to_value(u.m),
                                              ref.z.to_value(u.m)], axis=-1), atol=1e-6)
    lat2, lon2, h2 = itrf_to_geodetic(xyz)
    np.testing.assert_allclose(lat2, lat, atol=1e-12)
    np.testing.assert_allclose(np.angle(np.exp(1j * (lon2 - lon))), 0.0, atol=1e-12)
    np.testing.assert_allclose(h2, h, atol=1e-6)
    # WGS-84: the equator at 0 E is at a = 6378137 m, the pole at b = a(1 - f) = 6356752.3142 m.
    lat0, _, h0 = itrf_to_geodetic(np.array([[6378137.0, 0, 0], [0, 0, 6356752.314245]]))
    np.testing.assert_allclose(h0, [0.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(np.degrees(lat0), [0.0, 90.0], atol=1e-12)


def test_the_rotation_angle_alone_is_the_full_rotations(sample) -> None:  # type: ignore[no-untyped-def]
    """The uniformly rotating Earth's angle comes from this shortcut: it must be the same
    number as the full IAU 2006/2000A rotation's (both ERFA's era00 of UT1; exact)."""
    epoch = sample[0]
    np.testing.assert_array_equal(earth_rotation_angle_rad(epoch),
                                  earth_rotation(epoch).era_rad)
