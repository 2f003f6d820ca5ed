"""Mass and drag area of a configuration, and the object that gives them to the force models.

Cross-section (what the flow sees in XVV, averaged over one orbit):

* bodies (modules, truss, adapters, vehicles): the union of their silhouettes on the y-z plane
  (:func:`stationsim.station.geometry.frontal_area`), fixed in XVV;
* solar-array wings: ``count * area * f``, with ``f`` the orbit-averaged fraction facing the
  flow for the wing's tracking and the station's array policy at the orbit's beta angle and
  eclipse fraction (:func:`stationsim.station.sunlight.wing_factors`). Wings sit outboard on
  the truss, clear of the bodies, so they are added without overlap; a wing mounted over
  another (iROSA) adds none.

The attitude's small pitch offset (a few degrees at torque equilibrium) is neglected here: it
changes the silhouette by less than the layout's own uncertainty.

A *tumbling* station (:class:`~stationsim.station.configuration.Attitude` with ``tumbling``)
shows the flow every side in turn. By Cauchy's formula a convex body's projected area averaged
over all directions is a quarter of its surface: ``pi d L / 4 + pi d^2 / 8`` for a cylinder,
half of one face for a flat wing. The bodies' quarters are summed without their shadows on one
another, so the tumbling area is an upper bound (the truss and the modules hide parts of each
other from some directions); no centre of pressure is kept (no mean aerodynamic torque).

:class:`StationDrag` meets :class:`stationsim.forces.drag.DragProperties` structurally (this
package does not import the force models): ``mass_kg`` and ``drag_area_m2(epoch, r, v)``
returning ``C_D A``. Because the propagator holds ``C_D A`` fixed over segments of up to hours,
the value is the orbit average at the epoch's beta angle, not the instantaneous one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from stationsim.constants import WGS84_A_M
from stationsim.station.configuration import Configuration
from stationsim.station.geometry import (
    FrontalArea,
    MassProperties,
    Placement,
    frontal_area,
    layout,
    mass_properties,
)
from stationsim.station.parts import SolarWing
from stationsim.station.sunlight import (
    ArrayPolicy,
    beta_angle_rad,
    eclipse_fraction,
    wing_factors,
)
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = ["Body", "CrossSection", "StationDrag", "body_of", "cross_section"]

SunDirection = Callable[[Epoch], FloatArray]


@dataclass(frozen=True, eq=False)
class Body:
    """The physical view of a configuration: where the parts are, the mass distribution,
    the silhouette of the bodies, and the wings with their (y, z) place."""

    placements: dict[str, Placement]
    mass: MassProperties
    frontal: FrontalArea
    wings: tuple[tuple[str, SolarWing, float, float], ...]
    fills: dict[str, float]


@lru_cache(maxsize=128)
def body_of(config: Configuration) -> Body:
    """The :class:`Body` of a configuration (cached per configuration object)."""
    places = layout({p.name: p for p in config.parts}, config.links, config.root)
    masses = {p.name: p.total_mass_kg for p in config.parts}
    fills = {p.name: p.frontal_fill for p in config.parts}
    wings = tuple((p.name, wing, float(places[p.name].center_m[1]),
                   float(places[p.name].center_m[2]))
                  for p in config.parts for wing in p.wings)
    return Body(places, mass_properties(masses, places), frontal_area(places, fills), wings,
                fills)


@dataclass(frozen=True, eq=False)
class CrossSection:
    """Orbit-averaged projected area facing the flow [m^2] and where its centre lies.

    Attributes:
        area_m2: bodies and wings together.
        bodies_m2, wings_m2: the two shares.
        centroid_yz_m: centre of the area (y, z) [m], body frame.
        by_part_m2: each part's share (wings counted on the part that carries them).
    """

    area_m2: float
    bodies_m2: float
    wings_m2: float
    centroid_yz_m: FloatArray
    by_part_m2: dict[str, float]


def cross_section(config: Configuration, beta_rad: float, eclipse: float) -> CrossSection:
    """The orbit-averaged cross-section of ``config`` in XVV, or over all directions when it
    tumbles (module docstring)."""
    body = body_of(config)
    if config.attitude.tumbling:
        return _tumbling_section(body)
    policy = config.drag.array_policy
    by_part = dict(body.frontal.by_part_m2)
    moment = body.frontal.centroid_yz_m * body.frontal.area_m2
    wings_total = 0.0
    for name, wing, y, z in body.wings:
        if not wing.adds_area:
            continue
        rule = policy if wing.follows_policy else ArrayPolicy.SUN_TRACKING
        factor = wing_factors(rule, beta_rad, eclipse, tracking=wing.tracking,
                              edge_fraction=config.drag.edge_fraction).drag
        area = wing.count * wing.area_m2 * factor
        wings_total += area
        by_part[name] = by_part.get(name, 0.0) + area
        moment = moment + area * np.array([y, z])
    total = body.frontal.area_m2 + wings_total
    centroid = moment / total if total > 0.0 else np.zeros(2)
    return CrossSection(total, body.frontal.area_m2, wings_total, centroid, by_part)


def _tumbling_section(body: Body) -> CrossSection:
    """Cauchy's mean projected area of the bodies (no mutual shadowing) and the wings."""
    by_part: dict[str, float] = {}
    for name, place in body.placements.items():
        fill = body.fills.get(name, 1.0)
        if place.length_m <= 0.0 or place.diameter_m <= 0.0 or fill <= 0.0:
            continue
        d, length = place.diameter_m, place.length_m
        by_part[name] = fill * (np.pi * d * length + 0.5 * np.pi * d * d) / 4.0
    bodies = float(sum(by_part.values()))
    wings = 0.0
    for name, wing, _, _ in body.wings:
        if wing.adds_area:
            area = 0.5 * wing.count * wing.area_m2
            wings += area
            by_part[name] = by_part.get(name, 0.0) + area
    return CrossSection(bodies + wings, bodies, wings, np.zeros(2), by_part)


class StationDrag:
    """Mass and ``C_D A`` of a configuration for the force models (``DragProperties``).

    Args:
        config: the configuration.
        sun_direction_gcrf: unit vector to the Sun in GCRF at an epoch (for the beta angle);
            without it the beta angle is taken as 0, where tracking wings cause the most drag.
    """

    def __init__(self, config: Configuration,
                 sun_direction_gcrf: SunDirection | None = None) -> None:
        self.config = config
        self._sun = sun_direction_gcrf

    @property
    def mass_kg(self) -> float:
        """Mass of the configuration [kg]."""
        return self.config.mass_kg

    def beta_and_eclipse(self, epoch: Epoch, r_gcrf_m: FloatArray,
                         v_gcrf_m_s: FloatArray) -> tuple[float, float]:
        """Beta angle [rad] and eclipse fraction of the orbit through ``(r, v)``."""
        r = np.asarray(r_gcrf_m, dtype=np.float64).reshape(3)
        v = np.asarray(v_gcrf_m_s, dtype=np.float64).reshape(3)
        beta = 0.0
        if self._sun is not None:
            sun = np.asarray(self._sun(epoch), dtype=np.float64).reshape(3)
            beta = beta_angle_rad(sun, r, v)
        altitude = float(np.linalg.norm(r)) - WGS84_A_M
        return beta, eclipse_fraction(beta, altitude)

    def cross_section(self, epoch: Epoch, r_gcrf_m: FloatArray,
                      v_gcrf_m_s: FloatArray) -> CrossSection:
        """Orbit-averaged cross-section on the orbit through ``(r, v)`` at ``epoch``."""
        beta, eclipse = self.beta_and_eclipse(epoch, r_gcrf_m, v_gcrf_m_s)
        return cross_section(self.config, beta, eclipse)

    def drag_area_m2(self, epoch: Epoch, r_gcrf_m: FloatArray, v_gcrf_m_s: FloatArray) -> float:
        """``C_D * A`` [m^2], orbit-averaged at ``epoch``."""
        area = self.cross_section(epoch, r_gcrf_m, v_gcrf_m_s).area_m2
        return self.config.drag.drag_coefficient * area

    def ballistic_coefficient_kg_m2(self, epoch: Epoch, r_gcrf_m: FloatArray,
                                    v_gcrf_m_s: FloatArray) -> float:
        """``m / (C_D A)`` [kg/m^2]."""
        return self.mass_kg / self.drag_area_m2(epoch, r_gcrf_m, v_gcrf_m_s)
