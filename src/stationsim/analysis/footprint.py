"""Debris footprint and casualty risk, in the manner of NASA's Debris Assessment Software.

**Footprint.** The fragments that survive re-entry fall along the ground track, downrange of
where the object breaks up, over a strip whose length grows with the object's mass. Two
published strips anchor a power law ``L = L1 (m / m1)^k``: UARS (5,668 kg dry mass; NASA,
September 2011: a debris footprint "about 500 miles", 804 km) and a station-size object (about
420 t: up to 300 km x 5,370 km in NASA's analyses of the ISS deorbit, as cited by the National
Research Council in 2000), so ``k = 0.441``; the width follows the same law from 300 km at
420 t (an assumption: UARS's width was not published). The strip starts at the 120-km point and
runs downrange along the ground track of the entry state (two-body motion over a rotating
Earth).

**Casualty expectation.** ``E_c = D_A x`` (mean population density under the footprint), with
``D_A`` the debris casualty area. DAS sums ``(0.6 m + sqrt(A_i))^2`` over the surviving
fragments; without a fragment list, ``D_A`` here scales with the surviving mass: the object's
mass times a surviving fraction (a parameter: 10-40 % for large spacecraft, default 20 %) times
:data:`CASUALTY_AREA_M2_PER_KG` = 0.0388 m^2/kg, which makes UARS (532 kg surviving, 57 deg
orbit, averaged over it: 15.2 people/km^2) come out at NASA's published risk of 1 in 3,200
with this module's population grid (``tests/analysis/test_footprint.py``); UARS's casualty
area is then 20.6 m^2, the size DAS gives for a few dozen surviving fragments.

**By country.** Per footprint, the share of its area over each country's land; over an
ensemble, the probability that the footprint touches a country and the expected share of the
debris that falls on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from stationsim.constants import EARTH_ROTATION_RATE_RAD_S, GM_EARTH_M3_S2
from stationsim.data.geography import Geography
from stationsim.propagation.kepler import elements_from_state, state_from_elements
from stationsim.time.tables import FloatArray

__all__ = ["CASUALTY_AREA_M2_PER_KG", "Footprint", "RiskSummary", "footprint",
           "footprint_size_m", "orbit_average_density", "orbit_footprints", "risk_summary"]

#: Debris casualty area per kilogram that survives [m^2/kg] (module notes: UARS-calibrated).
CASUALTY_AREA_M2_PER_KG = 0.0388
#: Default surviving fraction of the mass.
SURVIVING_FRACTION = 0.20
_UARS = (5668.0, 804e3)
_STATION = (420e3, 5370e3, 300e3)
_EXPONENT = float(np.log(_STATION[1] / _UARS[1]) / np.log(_STATION[0] / _UARS[0]))
_EARTH_RADIUS_M = 6371.0088e3
_ALONG_STEP_M = 10e3


def footprint_size_m(mass_kg: float) -> tuple[float, float]:
    """Length and width [m] of the debris footprint of an object of ``mass_kg``."""
    scale = (max(mass_kg, 1.0) / _STATION[0]) ** _EXPONENT
    return _STATION[1] * scale, max(_STATION[2] * scale, 1e3)


def casualty_area_m2(mass_kg: float, surviving_fraction: float = SURVIVING_FRACTION) -> float:
    """The debris casualty area [m^2] of ``mass_kg`` with ``surviving_fraction`` surviving."""
    return CASUALTY_AREA_M2_PER_KG * surviving_fraction * mass_kg


@dataclass(frozen=True)
class Footprint:
    """One footprint: its centre line (lat, lon [deg]), area [km^2], land fraction, the
    people under it, and each country's land area in it [km^2] (by index)."""

    track_deg: FloatArray
    area_km2: float
    land_fraction: float
    people: float
    country_km2: dict[int, float] = field(default_factory=dict)

    @property
    def density_per_km2(self) -> float:
        """Mean population density under the footprint."""
        return self.people / self.area_km2 if self.area_km2 > 0 else 0.0


def _ground_track(r_itrf_m: FloatArray, v_itrf_m_s: FloatArray, length_m: float
                  ) -> tuple[FloatArray, FloatArray]:
    """Latitude and longitude [rad] of the ground track downrange of an Earth-fixed state,
    every 10 km for ``length_m`` (two-body motion in the inertial frame that coincides with the
    Earth-fixed one at the start; the Earth turns under it)."""
    r = np.asarray(r_itrf_m, dtype=np.float64)
    v_inertial = np.asarray(v_itrf_m_s) + np.cross([0.0, 0.0, EARTH_ROTATION_RATE_RAD_S], r)
    el = elements_from_state(r, v_inertial)
    ground_speed = float(np.linalg.norm(v_inertial)) * _EARTH_RADIUS_M / float(np.linalg.norm(r))
    t = np.arange(0.0, length_m + _ALONG_STEP_M, _ALONG_STEP_M) / ground_speed
    n = np.sqrt(GM_EARTH_M3_S2 / np.maximum(el.a_m, 1e5) ** 3)
    track_el = type(el)(el.a_m + 0 * t, el.e + 0 * t, el.i_rad + 0 * t, el.raan_rad + 0 * t,
                        el.argp_rad + 0 * t, el.m_rad + n * t)
    pos, _ = state_from_elements(track_el)
    angle = EARTH_ROTATION_RATE_RAD_S * t
    c, s = np.cos(angle), np.sin(angle)
    x = c * pos[:, 0] + s * pos[:, 1]
    y = -s * pos[:, 0] + c * pos[:, 1]
    return np.arctan2(pos[:, 2], np.hypot(x, y)), np.arctan2(y, x)


def footprint(geography: Geography, r_itrf_m: FloatArray, v_itrf_m_s: FloatArray,
              mass_kg: float) -> Footprint:
    """The footprint downrange of an Earth-fixed entry state [m, m/s] (see the module notes)."""
    length, width = footprint_size_m(mass_kg)
    lat, lon = _ground_track(r_itrf_m, v_itrf_m_s, length)
    # Cross-track offsets, every half cell at most.
    half_cell = 0.5 * np.radians(geography.step_deg) * _EARTH_RADIUS_M
    k = max(int(np.ceil(width / half_cell)), 1)
    offsets = (np.arange(k) + 0.5) / k * width - width / 2.0
    heading = np.arctan2(np.gradient(lon) * np.cos(lat), np.gradient(lat))
    d = offsets[None, :] / _EARTH_RADIUS_M
    bearing = heading[:, None] + np.pi / 2.0
    plat = np.arcsin(np.sin(lat)[:, None] * np.cos(d)
                     + np.cos(lat)[:, None] * np.sin(d) * np.cos(bearing))
    plon = lon[:, None] + np.arctan2(np.sin(bearing) * np.sin(d) * np.cos(lat)[:, None],
                                     np.cos(d) - np.sin(lat)[:, None] * np.sin(plat))
    i, j = geography.cells(np.degrees(plat).ravel(), np.degrees(plon).ravel())
    piece_km2 = (_ALONG_STEP_M * width / k) / 1e6
    cell_area = piece_km2 * np.ones(i.size)
    cell_area[: k] *= 0.5  # the strip's first and last samples cover half a step
    cell_area[-k:] *= 0.5
    area = float(np.sum(cell_area))
    land = geography.land[i, j]
    owner = geography.country[i, j]
    countries: dict[int, float] = {}
    for c in np.unique(owner[owner >= 0]):
        sel = owner == c
        countries[int(c)] = float(np.sum(cell_area[sel] * land[sel]))
    return Footprint(np.column_stack([np.degrees(lat), np.degrees(lon)]), area,
                     float(np.sum(cell_area * land) / area),
                     float(np.sum(cell_area * geography.density_per_km2[i, j])), countries)


def orbit_average_density(geography: Geography, inclination_rad: float,
                          samples: int = 200_000) -> float:
    """Population density [people/km^2] under a circular orbit of that inclination, averaged
    over time and over the node (the place of an uncontrolled re-entry months ahead): the
    latitude follows ``sin(lat) = sin(i) sin(u)`` with ``u`` uniform, the longitude uniform."""
    rng = np.random.default_rng(0)
    u = rng.uniform(0.0, 2.0 * np.pi, samples)
    lat = np.degrees(np.arcsin(np.sin(inclination_rad) * np.sin(u)))
    lon = rng.uniform(-180.0, 180.0, samples)
    i, j = geography.cells(lat, lon)
    return float(np.mean(geography.density_per_km2[i, j]))


def orbit_footprints(geography: Geography, inclination_rad: float, mass_kg: float,
                     samples: int = 400, seed: int = 0) -> list[Footprint]:
    """Footprints of an uncontrolled re-entry from a circular orbit of that inclination whose
    place is unknown (months ahead): entry points at 120 km spread uniformly in time around the
    orbit and in the node, half of them on ascending and half on descending passes."""
    rng = np.random.default_rng(seed)
    radius = 6378137.0 + 120e3
    speed = float(np.sqrt(GM_EARTH_M3_S2 / radius))
    out = []
    ci, si = np.cos(inclination_rad), np.sin(inclination_rad)
    for u, node in zip(rng.uniform(0.0, 2.0 * np.pi, samples),
                       rng.uniform(0.0, 2.0 * np.pi, samples), strict=True):
        cu, su, co, so = np.cos(u), np.sin(u), np.cos(node), np.sin(node)
        radial = np.array([co * cu - so * su * ci, so * cu + co * su * ci, su * si])
        along = np.array([-co * su - so * cu * ci, -so * su + co * cu * ci, cu * si])
        r = radius * radial
        v = speed * along - np.cross([0.0, 0.0, EARTH_ROTATION_RATE_RAD_S], r)
        out.append(footprint(geography, r, v, mass_kg))
    return out


@dataclass(frozen=True)
class RiskSummary:
    """The ensemble's footprints in a few figures (see :func:`risk_summary`)."""

    mass_kg: float
    surviving_fraction: float
    casualty_area_m2: float
    length_km: float
    width_km: float
    land_fraction: float
    casualty_expectation: float
    orbit_average_expectation: float
    countries: list[dict[str, float | str]]

    def as_dict(self) -> dict[str, object]:
        """The JSON form (units in the names)."""
        return {"mass_kg": round(self.mass_kg, 1),
                "surviving_fraction": self.surviving_fraction,
                "casualty_area_m2": round(self.casualty_area_m2, 2),
                "footprint_km": {"length": round(self.length_km, 1),
                                 "width": round(self.width_km, 1)},
                "land_fraction": round(self.land_fraction, 4),
                "casualty_expectation": self.casualty_expectation,
                "one_in": (round(1.0 / self.casualty_expectation)
                           if self.casualty_expectation > 0 else None),
                "orbit_average_expectation": self.orbit_average_expectation,
                "countries": self.countries}


def risk_summary(geography: Geography, footprints: Sequence[Footprint], mass_kg: float,
                 inclination_rad: float, surviving_fraction: float = SURVIVING_FRACTION,
                 top: int = 10) -> RiskSummary:
    """Casualty expectation (mean over the footprints), land fraction, and the countries most
    likely under the debris: the probability that a footprint touches their land and the
    expected share of the debris that falls on it."""
    area = casualty_area_m2(mass_kg, surviving_fraction)
    length, width = footprint_size_m(mass_kg)
    n = max(len(footprints), 1)
    touched: dict[int, int] = {}
    share: dict[int, float] = {}
    for f in footprints:
        for c, km2 in f.country_km2.items():
            if km2 > 0:
                touched[c] = touched.get(c, 0) + 1
                share[c] = share.get(c, 0.0) + km2 / f.area_km2
    ranked = sorted(touched, key=lambda c: (-touched[c], -share[c]))[:top]
    countries: list[dict[str, float | str]] = [
        {"name": geography.names[c], "iso_a3": geography.iso_a3[c],
         "probability": round(touched[c] / n, 4), "debris_share": round(share[c] / n, 5)}
        for c in ranked]
    mean_density = float(np.mean([f.density_per_km2 for f in footprints])) if footprints else 0.0
    return RiskSummary(
        mass_kg, surviving_fraction, area, length / 1e3, width / 1e3,
        float(np.mean([f.land_fraction for f in footprints])) if footprints else 0.0,
        area * mean_density / 1e6,
        area * orbit_average_density(geography, inclination_rad) / 1e6, countries)
