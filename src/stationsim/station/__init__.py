"""The station as a system: parts (modules, adapters, truss, visiting vehicles), the attachment
graph, the crew, and what the attached parts can do together: propulsion, attitude control,
power, crew return, and the mass and drag properties the force models use.

Layer 4: imports only :mod:`stationsim.errors`, :mod:`stationsim.constants`,
:mod:`stationsim.time` and :mod:`stationsim.frames`. :class:`StationDrag` meets the force
models' ``DragProperties`` protocol structurally. Configuration files are read by
:mod:`stationsim.io.station_file`; the bundled ISS of March 2022 by
:func:`stationsim.data.load_station_record`.
"""

from stationsim.station.attitude import (
    AttitudeControl,
    attitude_control,
    environment_torques,
    equilibrium_pitch,
)
from stationsim.station.audit import (
    Capabilities,
    Loss,
    StationReport,
    capabilities,
    capability_changes,
    station_report,
)
from stationsim.station.configuration import Attitude, Change, Configuration, DragSettings
from stationsim.station.crew import CrewReturn, SeatCheck, crew_return, overbooked_vehicles
from stationsim.station.drag import CrossSection, StationDrag, body_of, cross_section
from stationsim.station.environment import Environment
from stationsim.station.graph import Link, TreeError, components, descendants, validate_tree
from stationsim.station.operations import (
    assign_seat,
    attach,
    detach,
    dock,
    move_crew,
    remove_part,
    separate_segments,
    transfer_propellant,
    undock,
)
from stationsim.station.parts import (
    Citation,
    ConfigurationError,
    CrewMember,
    Direction,
    Engine,
    Part,
    PartKind,
    Port,
    Presence,
    Propellant,
    Segment,
    SolarWing,
)
from stationsim.station.power import Power, power
from stationsim.station.propulsion import Propulsion, propulsion, rocket_delta_v
from stationsim.station.record import StationRecord
from stationsim.station.sunlight import ArrayPolicy, beta_angle_rad, eclipse_fraction, wing_factors

__all__ = [
    "ArrayPolicy",
    "Attitude",
    "AttitudeControl",
    "Capabilities",
    "Change",
    "Citation",
    "Configuration",
    "ConfigurationError",
    "CrewMember",
    "CrewReturn",
    "CrossSection",
    "Direction",
    "DragSettings",
    "Engine",
    "Environment",
    "Link",
    "Loss",
    "Part",
    "PartKind",
    "Port",
    "Power",
    "Presence",
    "Propellant",
    "Propulsion",
    "SeatCheck",
    "Segment",
    "SolarWing",
    "StationDrag",
    "StationRecord",
    "StationReport",
    "TreeError",
    "assign_seat",
    "attach",
    "attitude_control",
    "beta_angle_rad",
    "body_of",
    "capabilities",
    "capability_changes",
    "components",
    "crew_return",
    "cross_section",
    "descendants",
    "detach",
    "dock",
    "eclipse_fraction",
    "environment_torques",
    "equilibrium_pitch",
    "move_crew",
    "overbooked_vehicles",
    "power",
    "propulsion",
    "remove_part",
    "rocket_delta_v",
    "separate_segments",
    "station_report",
    "transfer_propellant",
    "undock",
    "validate_tree",
    "wing_factors",
]
