"""The orbit a configuration flies in, as far as its capabilities care: height, beta angle,
eclipse fraction and air density. The caller (the facade) measures them from an ephemeris and
an atmosphere model; :meth:`Environment.nominal` gives a fixed stand-in for tests and
for configurations without an orbit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stationsim.constants import GM_EARTH_M3_S2, WGS84_A_M
from stationsim.station.sunlight import eclipse_fraction

__all__ = ["NOMINAL_ALTITUDE_M", "Environment"]

#: Mean altitude of the ISS in March 2022 [m]: 416.9-418.5 km from the real TLEs (derived
#: in the facts compiled for the data set, sec. 7).
NOMINAL_ALTITUDE_M = 418.0e3


@dataclass(frozen=True)
class Environment:
    """Orbit-averaged surroundings of a station.

    Attributes:
        altitude_m: mean height above the equatorial radius [m].
        beta_rad: Sun elevation above the orbit plane [rad].
        eclipse_fraction: fraction of the orbit in Earth's shadow.
        density_kg_m3: orbit-mean air density [kg/m^3].
    """

    altitude_m: float
    beta_rad: float
    eclipse_fraction: float
    density_kg_m3: float

    @classmethod
    def nominal(cls, density_kg_m3: float, *, beta_rad: float = 0.0,
                altitude_m: float = NOMINAL_ALTITUDE_M) -> Environment:
        """A circular orbit at ``altitude_m`` with the given beta angle and density."""
        return cls(altitude_m, beta_rad, eclipse_fraction(beta_rad, altitude_m), density_kg_m3)

    @property
    def radius_m(self) -> float:
        """Orbit radius [m]."""
        return WGS84_A_M + self.altitude_m

    @property
    def mean_motion_rad_s(self) -> float:
        """Orbital rate ``sqrt(mu / a^3)`` [rad/s]."""
        return float(np.sqrt(GM_EARTH_M3_S2 / self.radius_m ** 3))

    @property
    def speed_m_s(self) -> float:
        """Circular speed ``sqrt(mu / a)`` [m/s] (the air's co-rotation is neglected)."""
        return float(np.sqrt(GM_EARTH_M3_S2 / self.radius_m))

    @property
    def dynamic_pressure_pa(self) -> float:
        """``rho v^2 / 2`` [Pa]."""
        return 0.5 * self.density_kg_m3 * self.speed_m_s ** 2
