"""Landing zones of the crew vehicles, and the passes of a ground track that can reach them.

A crew vehicle leaving a station lands where the station's ground track lets it: the deorbit
burn is timed so that the vehicle comes down on a chosen revolution, which moves the landing
point freely *along* the track, but only a little *across* it (the capsule's lift gives a small
cross-range). A landing opportunity is therefore a pass of the station's ground track whose
closest approach to a zone's centre is within the zone's reach.

Zones are module data, each with its source and a confidence letter: H high, M medium, L low
(as in the project's reference notes), D derived from a cited fact by stated arithmetic,
A assumed. Distances are great-circle distances on a sphere of the IUGG mean Earth radius
(Moritz 2000, Geodetic Reference System 1980: R1 = 6,371,008.8 m), taken between geocentric
directions; against the WGS-84 ellipsoid this is good to about 0.5 %, far below the reach.

Reach (the largest miss distance of the track that still counts), default 150 km, an
assumption built from:

- Soyuz lands within 28 km of the aim point (probability 0.9997) in its automated guided
  descent (A. Zak, RussianSpaceWeb, Soyuz descent description), hence a 30 km zone radius.
- The Soyuz descent module flies with a lift-to-drag ratio of about 0.25-0.3 (class value for
  offset-centre-of-mass capsules; assumption). The classic small-L/D estimate of the largest
  cross-range of an equilibrium glide, (pi^2 / 48) (L/D)^2 rad, gives 80-120 km (an estimate,
  not checked against Soyuz data); the guidance spends part of it on downrange control.
- The capsule comes down some minutes after the station passes the same point, so the Earth
  has turned a little further under it: the landing lies off the station's track by a few tens
  of km. On 2022-03-30 the ISS track (bundled TLE of 2022-03-27) passed 44 km from the
  Soyuz MS-19 landing point derived below, at 11:12 UTC, 16 min before touchdown.

Zone radius (30 km) plus cross-range (about 100 km) plus that offset gives 150 km. At 47 deg N
the tracks of successive revolutions of a 51.6 deg orbit lie about 770 km apart across-track
(23.6 deg of longitude per revolution), so a 150 km reach gives on average 4 x 150 / 770, about
0.8 opportunities a day per zone (ascending and descending passes), never several revolutions
in a row: a landing day is a day with such a pass.
Dragon is given the same reach: its capsule is of the same class, and with seven sites and
free-flight phasing before the deorbit burn the value is conservative.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stationsim.constants import EARTH_ROTATION_RATE_RAD_S, WGS84_F
from stationsim.errors import InputError
from stationsim.time import Epoch

__all__ = [
    "DEFAULT_REACH_M",
    "DRAGON_SITES",
    "EARTH_MEAN_RADIUS_M",
    "LANDING_ZONES",
    "SOYUZ_ZONE",
    "LandingZone",
    "Opportunity",
    "destination_point",
    "landing_opportunities",
    "zones_for_vehicle",
]

FloatArray = NDArray[np.float64]

#: IUGG mean Earth radius R1 [m] (Moritz 2000, Geodetic Reference System 1980).
EARTH_MEAN_RADIUS_M = 6_371_008.8
#: Default reach [m]: the largest miss of the track that still counts (module docstring).
DEFAULT_REACH_M = 150_000.0
#: Opportunities closer in time than this [s] are one pass, of which only the best-aimed zone
#: is kept: the track crosses all the Florida sites within 2 min, while the next chance (the
#: other leg of the revolution) comes at least 10 min later.
SAME_PASS_S = 600.0
_E2 = WGS84_F * (2.0 - WGS84_F)  # first eccentricity squared of WGS-84
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0
_REFINE_STEPS = 60  # golden-section steps: the bracket shrinks to 0.618**60 ~ 3e-13


@dataclass(frozen=True)
class LandingZone:
    """A landing or splash-down zone.

    Attributes:
        name: short name used in reports.
        vehicle: the vehicle family that uses it (``"soyuz"`` or ``"dragon"``).
        lat_deg, lon_deg: centre, WGS-84 geodetic latitude and east longitude [deg].
        radius_m: the zone's size: the landing dispersion about the aim point [m].
        reach_m: the largest miss [m] of the station's ground track that still counts.
        water: True for a splash-down site.
        source: where the zone's facts come from.
        confidence: H, M, L (as the sources), D (derived), A (assumed), for the coordinates.
        note: how the coordinates were made.
    """

    name: str
    vehicle: str
    lat_deg: float
    lon_deg: float
    radius_m: float
    reach_m: float
    water: bool
    source: str
    confidence: str
    note: str = ""


def destination_point(lat_deg: float, lon_deg: float, distance_m: float,
                      azimuth_deg: float) -> tuple[float, float]:
    """The point ``distance_m`` from (``lat_deg``, ``lon_deg``) along the initial azimuth
    ``azimuth_deg`` (clockwise from north), on the sphere of :data:`EARTH_MEAN_RADIUS_M`;
    returns (lat_deg, lon_deg), longitude in [-180, 180)."""
    lat1, lon1 = math.radians(lat_deg), math.radians(lon_deg)
    delta, az = distance_m / EARTH_MEAN_RADIUS_M, math.radians(azimuth_deg)
    lat2 = math.asin(math.sin(lat1) * math.cos(delta)
                     + math.cos(lat1) * math.sin(delta) * math.cos(az))
    lon2 = lon1 + math.atan2(math.sin(az) * math.sin(delta) * math.cos(lat1),
                             math.cos(delta) - math.sin(lat1) * math.sin(lat2))
    return math.degrees(lat2), (math.degrees(lon2) + 180.0) % 360.0 - 180.0


# Zhezkazgan (Dzhezkazgan), Kazakhstan: 47.78 N, 67.71 E (town centre, gazetteer value).
_ZHEZKAZGAN_DEG = (47.78, 67.71)
# Soyuz MS-19 landed 147 km south-east of Zhezkazgan at 11:28 UTC on 2022-03-30 (TASS 1429361,
# Interfax 77577); MS-06 and MS-11 landed 146 and 145 km SE (TASS). "South-east" is taken as
# azimuth 135 deg.
_SOYUZ_LAT_DEG, _SOYUZ_LON_DEG = destination_point(*_ZHEZKAZGAN_DEG, 147_000.0, 135.0)

#: The Soyuz landing zone in the Kazakh steppe south-east of Zhezkazgan (about 46.84 N, 69.08 E).
SOYUZ_ZONE = LandingZone(
    name="Kazakhstan (147 km SE of Zhezkazgan)", vehicle="soyuz",
    lat_deg=_SOYUZ_LAT_DEG, lon_deg=_SOYUZ_LON_DEG, radius_m=30_000.0,
    reach_m=DEFAULT_REACH_M, water=False,
    source="TASS 1429361 (Soyuz MS-19, 147 km SE of Zhezkazgan); TASS (MS-06 146 km, "
           "MS-11 145 km SE); RussianSpaceWeb (28 km guided-descent accuracy)",
    confidence="D",
    note="147 km at azimuth 135 deg from Zhezkazgan (47.78 N, 67.71 E) on the mean sphere; "
         "radius: guided-descent dispersion",
)


def _dragon(name: str, lat_deg: float, lon_deg: float, note: str, confidence: str) -> LandingZone:
    return LandingZone(
        name=name, vehicle="dragon", lat_deg=lat_deg, lon_deg=lon_deg, radius_m=10_000.0,
        reach_m=DEFAULT_REACH_M, water=True,
        source="Pensacola News Journal and Panama City News Herald, 2021-04-30 (seven sites, "
               "at least 30 miles offshore); site coordinates not published in those sources",
        confidence=confidence, note=note,
    )


#: Crew and Cargo Dragon splash-down sites around Florida. Seven sites, at least 30 miles
#: (48 km) offshore in the Gulf of Mexico and the Atlantic; Pensacola, Panama City,
#: Tallahassee and Tampa are named in the sources (Crew-3 splashed down off Tampa on
#: 2022-05-06). The Atlantic names are those in common use and were not confirmed there.
#: Coordinates are assumed (A): each about 55-65 km offshore of the named place, so that the
#: point is at sea and beyond the 30-mile limit. Radius 10 km: splash-down dispersion, assumed.
DRAGON_SITES: tuple[LandingZone, ...] = (
    _dragon("Pensacola", 29.88, -87.22, "about 60 km S of Pensacola (30.42 N, 87.22 W)", "A"),
    _dragon("Panama City", 29.62, -85.80,
            "about 60 km SSW of Panama City (30.16 N, 85.66 W)", "A"),
    _dragon("Tallahassee", 29.40, -84.40,
            "Apalachee Bay approaches, about 55 km S of Alligator Point; Tallahassee itself "
            "(30.44 N, 84.28 W) is inland", "A"),
    _dragon("Tampa", 27.75, -83.45, "about 60 km W of the Pinellas coast (82.83 W)", "A"),
    _dragon("Cape Canaveral", 28.39, -79.95,
            "about 64 km E of Cape Canaveral (28.39 N, 80.60 W); site name not confirmed", "A"),
    _dragon("Daytona", 29.21, -80.40,
            "about 58 km E of Daytona Beach (29.21 N, 81.02 W); site name not confirmed", "A"),
    _dragon("Jacksonville", 30.30, -80.75,
            "about 61 km E of Jacksonville Beach (30.29 N, 81.39 W); site name not confirmed",
            "A"),
)

#: Every zone, Soyuz first.
LANDING_ZONES: tuple[LandingZone, ...] = (SOYUZ_ZONE, *DRAGON_SITES)


def zones_for_vehicle(vehicle: str) -> tuple[LandingZone, ...]:
    """The zones a named vehicle can use: Soyuz names give the Kazakh zone, Dragon names
    (Crew Dragon, Cargo Dragon, a capsule's name with "Dragon" in it) the Florida sites;
    anything else none."""
    name = vehicle.lower()
    if "soyuz" in name:
        return (SOYUZ_ZONE,)
    if "dragon" in name:
        return DRAGON_SITES
    return ()


@dataclass(frozen=True, eq=False)
class Opportunity:
    """One pass of the ground track within reach of a zone.

    Attributes:
        epoch: instant of closest approach of the sub-satellite point to the zone's centre.
        zone: the zone's name.
        lat_deg, lon_deg: the sub-satellite point then (WGS-84 geodetic, east longitude) [deg].
        miss_m: its great-circle distance from the zone's centre [m].
    """

    epoch: Epoch
    zone: str
    lat_deg: float
    lon_deg: float
    miss_m: float

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"epoch": ISO UTC, "zone", "lat_deg", "lon_deg", "miss_km"}``."""
        return {"epoch": str(self.epoch.iso(0)), "zone": self.zone,
                "lat_deg": round(self.lat_deg, 4), "lon_deg": round(self.lon_deg, 4),
                "miss_km": round(self.miss_m / 1e3, 2)}


def _unit(lat_geodetic_rad: ArrayLike, lon_rad: ArrayLike) -> FloatArray:
    """Geocentric unit vectors ``(..., 3)`` (Earth-fixed) of ground points given geodetic."""
    lat = np.arctan((1.0 - _E2) * np.tan(np.asarray(lat_geodetic_rad, dtype=np.float64)))
    lon = np.asarray(lon_rad, dtype=np.float64)
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1)


def _rz(angle: FloatArray, v: FloatArray) -> FloatArray:
    """Rotate vectors ``(N, 3)`` by ``angle`` (N,) [rad] about +z."""
    c, s = np.cos(angle), np.sin(angle)
    return np.stack([c * v[:, 0] - s * v[:, 1], s * v[:, 0] + c * v[:, 1], v[:, 2]], axis=-1)


def _track_point(p0: FloatArray, p1: FloatArray, theta: FloatArray, spin: FloatArray,
                 s: FloatArray) -> FloatArray:
    """Earth-fixed sub-satellite direction at fraction ``s`` of each segment.

    Between two samples the orbit is a great circle run at a uniform rate in inertial space;
    ``p1`` is the later sample turned back to the Earth's orientation at the first sample
    (``spin`` = Earth rotation over the segment [rad]). The point is interpolated on that great
    circle (slerp), then turned to the Earth's orientation at its own instant.
    """
    sin_t = np.sin(theta)
    safe = np.where(sin_t > 1e-12, sin_t, 1.0)
    a = np.where(sin_t > 1e-12, np.sin((1.0 - s) * theta) / safe, 1.0 - s)
    b = np.where(sin_t > 1e-12, np.sin(s * theta) / safe, s)
    q = a[:, None] * p0 + b[:, None] * p1
    q /= np.linalg.norm(q, axis=-1, keepdims=True)
    return _rz(-spin * s, q)


def landing_opportunities(
    times: Epoch,
    lat_rad: ArrayLike,
    lon_rad: ArrayLike,
    zones: Sequence[LandingZone],
    *,
    after: Epoch,
    count: int = 3,
    reach_m: float | None = None,
) -> list[Opportunity]:
    """The first ``count`` passes, at or after ``after``, of a ground track within reach of
    a zone, earliest first.

    Args:
        times: sample instants ``(K,)``, increasing; any spacing up to about 600 s.
        lat_rad, lon_rad: sub-satellite WGS-84 geodetic latitude and east longitude [rad], (K,).
        zones: the zones to try (e.g. :func:`zones_for_vehicle`).
        after: earliest instant of an opportunity (e.g. the undocking).
        count: how many opportunities to return at most.
        reach_m: largest miss [m] that counts, for every zone; ``None``: each zone's own.

    Between samples the track is interpolated on the inertial great circle through them (the
    Earth turning beneath), and the instant of closest approach is found by golden-section
    search on the segments near a zone, all at once. A closest approach at the first or last
    sample is dropped: the pass may go on outside the track. Of zones crossed on one pass
    (within :data:`SAME_PASS_S`), only the one with the smallest miss is kept.
    """
    lat = np.asarray(lat_rad, dtype=np.float64)
    lon = np.asarray(lon_rad, dtype=np.float64)
    if times.shape != lat.shape or lat.shape != lon.shape or lat.ndim != 1:
        raise InputError("the ground track's arrays differ in shape",
                         expected="times, lat_rad and lon_rad of one shape (K,)",
                         found=f"{times.shape}, {lat.shape}, {lon.shape}")
    if count <= 0 or lat.size < 3 or not zones:
        return []
    t = np.asarray(times - times[0], dtype=np.float64)
    dt = np.diff(t)
    if np.any(dt <= 0.0):
        raise InputError("the ground track's times must increase",
                         found=f"a step of {dt.min():.3f} s at sample {int(dt.argmin())}")
    u = _unit(lat, lon)                                                  # (K, 3)
    centres = _unit(np.radians([z.lat_deg for z in zones]),
                    np.radians([z.lon_deg for z in zones]))              # (Z, 3)
    reach = np.array([z.reach_m if reach_m is None else reach_m for z in zones])
    radius = EARTH_MEAN_RADIUS_M
    dist = radius * np.arccos(np.clip(u @ centres.T, -1.0, 1.0))        # (K, Z)
    chord = radius * np.arccos(np.clip(np.sum(u[:-1] * u[1:], axis=1), -1.0, 1.0))
    # Each point of a segment lies within half its length (bounded by 0.6 x the chord, the
    # track being nearly straight over one step) of one end: a lower bound on its distance.
    seg_min = np.minimum(dist[:-1], dist[1:])                            # (K-1, Z)
    seg_when = np.where(dist[1:] < dist[:-1], t[1:, None], t[:-1, None])
    k, z = np.nonzero(seg_min - 0.6 * chord[:, None] <= reach[None, :])
    if k.size:
        spin = EARTH_ROTATION_RATE_RAD_S * dt[k]
        p0 = u[k]
        p1 = _rz(spin, u[k + 1])
        theta = np.arccos(np.clip(np.sum(p0 * p1, axis=1), -1.0, 1.0))
        c = centres[z]

        def closeness(s: FloatArray) -> FloatArray:
            return np.asarray(np.sum(_track_point(p0, p1, theta, spin, s) * c, axis=1))

        lo, hi = np.zeros(k.size), np.ones(k.size)
        for _ in range(_REFINE_STEPS):  # iterations of the search, not of the samples
            x1 = hi - _GOLDEN * (hi - lo)
            x2 = lo + _GOLDEN * (hi - lo)
            left_better = closeness(x1) > closeness(x2)
            hi = np.where(left_better, x2, hi)
            lo = np.where(left_better, lo, x1)
        s_best = 0.5 * (lo + hi)
        seg_min[k, z] = radius * np.arccos(np.clip(closeness(s_best), -1.0, 1.0))
        seg_when[k, z] = t[k] + s_best * dt[k]
    # A pass is a local minimum of the segment minima (ties: the earlier segment).
    padded = np.vstack([np.full((1, len(zones)), np.inf), seg_min,
                        np.full((1, len(zones)), np.inf)])
    is_min = (padded[1:-1] < padded[:-2]) & (padded[1:-1] <= padded[2:])
    inside = (seg_when > t[0] + 1e-6) & (seg_when < t[-1] - 1e-6)
    after_s = float(np.asarray(after - times[0]))
    keep = is_min & inside & (seg_min <= reach[None, :]) & (seg_when >= after_s)
    kk, zz = np.nonzero(keep)
    order = np.argsort(seg_when[kk, zz], kind="stable")
    kk, zz = kk[order], zz[order]
    when, miss = seg_when[kk, zz], seg_min[kk, zz]
    chosen: list[int] = []
    for i in range(kk.size):  # over candidate passes (a few a day), not over samples
        if chosen and when[i] - when[chosen[-1]] < SAME_PASS_S:
            if miss[i] < miss[chosen[-1]]:
                chosen[-1] = i
            continue
        chosen.append(i)
    chosen = chosen[:count]
    if not chosen:
        return []
    idx = np.array(chosen)
    seg = kk[idx]
    spin = EARTH_ROTATION_RATE_RAD_S * dt[seg]
    p1 = _rz(spin, u[seg + 1])
    theta = np.arccos(np.clip(np.sum(u[seg] * p1, axis=1), -1.0, 1.0))
    point = _track_point(u[seg], p1, theta, spin, (when[idx] - t[seg]) / dt[seg])
    lat_c = np.arctan2(point[:, 2], np.hypot(point[:, 0], point[:, 1]))
    lat_out = np.degrees(np.arctan(np.tan(lat_c) / (1.0 - _E2)))
    lon_out = np.degrees(np.arctan2(point[:, 1], point[:, 0]))
    return [
        Opportunity(epoch=times[0] + float(when[i]), zone=zones[int(zz[i])].name,
                    lat_deg=float(la), lon_deg=float(lo_), miss_m=float(miss[i]))
        for i, la, lo_ in zip(idx, lat_out, lon_out, strict=True)
    ]
