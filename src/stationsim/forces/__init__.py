"""Force models and their protocols: gravity (EGM96 harmonics, :mod:`.gravity`), the atmosphere
(MSIS through pymsis, exponential, Harris-Priester) and its fit for the integrator
(:mod:`.density_fit`), drag and the drag-properties protocol (:mod:`.drag`), Sun and Moon
(:mod:`.thirdbody`), solar radiation pressure (:mod:`.srp`) and thrust (:mod:`.thrust`).
The forces of the equations of motion are heyoka expressions; NumPy evaluators compile them.

``forces`` sits on layer 4: it imports only :mod:`stationsim.errors`, :mod:`stationsim.constants`,
:mod:`stationsim.time` and :mod:`stationsim.frames`; space weather reaches it through the
:class:`SpaceWeatherSource` protocol.
"""

from stationsim.forces.atmosphere import (
    Atmosphere,
    ExponentialAtmosphere,
    HarrisPriesterAtmosphere,
    MsisAtmosphere,
    geodetic_from_gcrf,
    msis_along_gcrf,
    relative_velocity_gcrf,
)
from stationsim.forces.atmosphere_msis import (
    MSIS_MAX_HEIGHT_M,
    MSIS_MIN_HEIGHT_M,
    AtmosphereInputError,
    MsisDrivers,
    MsisModel,
    MsisOutput,
    SpaceWeatherSource,
    msis,
    msis_density,
)
from stationsim.forces.atmosphere_simple import (
    EXPONENTIAL_TABLE,
    HARRIS_PRIESTER_TABLE,
    exponential_density,
    harris_priester_density,
)
from stationsim.forces.drag import ConstantDrag, DragProperties, DragPropertiesError
from stationsim.forces.gravity import GravityField, GravityInputError
from stationsim.forces.sun import sun_direction_gcrf, sun_position_gcrf

__all__ = [
    "EXPONENTIAL_TABLE",
    "HARRIS_PRIESTER_TABLE",
    "MSIS_MAX_HEIGHT_M",
    "MSIS_MIN_HEIGHT_M",
    "Atmosphere",
    "AtmosphereInputError",
    "ConstantDrag",
    "DragProperties",
    "DragPropertiesError",
    "ExponentialAtmosphere",
    "GravityField",
    "GravityInputError",
    "HarrisPriesterAtmosphere",
    "MsisAtmosphere",
    "MsisDrivers",
    "MsisModel",
    "MsisOutput",
    "SpaceWeatherSource",
    "exponential_density",
    "geodetic_from_gcrf",
    "harris_priester_density",
    "msis",
    "msis_along_gcrf",
    "msis_density",
    "relative_velocity_gcrf",
    "sun_direction_gcrf",
    "sun_position_gcrf",
]
