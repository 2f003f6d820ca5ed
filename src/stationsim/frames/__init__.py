"""Reference frames: GCRF <-> ITRF (IAU 2006/2000A with EOP), TEME -> GCRF, WGS-84 geodetic."""

from stationsim.frames.earth import (
    EarthRotation,
    earth_rotation,
    earth_rotation_angle_rad,
    gcrf_to_itrf,
    gcrf_to_itrf_position,
    itrf_to_gcrf,
    itrf_to_gcrf_position,
    teme_to_gcrf,
    teme_to_itrf,
)
from stationsim.frames.geodetic import geodetic_to_itrf, itrf_to_geodetic

__all__ = [
    "EarthRotation",
    "earth_rotation",
    "earth_rotation_angle_rad",
    "gcrf_to_itrf",
    "gcrf_to_itrf_position",
    "geodetic_to_itrf",
    "itrf_to_gcrf",
    "itrf_to_gcrf_position",
    "itrf_to_geodetic",
    "teme_to_gcrf",
    "teme_to_itrf",
]
