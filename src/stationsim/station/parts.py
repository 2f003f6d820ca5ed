"""The parts a station is built from: modules, adapters, truss, visiting vehicles, and what they
carry (ports, engines, propellant, solar-array wings, gyroscopes, seats), and the crew.

The station body frame is the one the ISS flies in XVV: ``+x`` forward (along the velocity in
the nominal attitude), ``+y`` starboard, ``+z`` nadir. Port names are the directions in that
frame (``fwd``, ``aft``, ``starboard``, ``port``, ``nadir``, ``zenith``), so the name of a port
says where it faces. Every value is SI unless its name carries a unit (``power_kw``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

import numpy as np

from stationsim.errors import StationsimError
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = [
    "Axis",
    "Citation",
    "ConfigurationError",
    "CrewMember",
    "Direction",
    "Engine",
    "Part",
    "PartKind",
    "Port",
    "Presence",
    "Propellant",
    "Segment",
    "SolarWing",
]

Axis = Literal["x", "y", "z"]
#: How an engine pushes relative to the port its part hangs from: ``toward_parent`` pushes
#: the part (and the station) from the part's free end toward the port; ``away_from_parent``
#: the other way; ``both``: thrusters face both ways along the axis.
ThrustSense = Literal["toward_parent", "away_from_parent", "both"]
#: Where an engine or tank draws from: its own tanks, or the segment's shared network.
Feed = Literal["own", "network"]


class ConfigurationError(StationsimError, ValueError):
    """An operation on a configuration that cannot be done (unknown part or port, a port
    already taken, more propellant than there is, a seat that does not exist)."""

    def __init__(self, message: str, *, expected: str | None = None,
                 found: str | None = None) -> None:
        self.reason, self.expected, self.found = message, expected, found
        text = message
        if expected is not None:
            text += f"; expected {expected}"
        if found is not None:
            text += f", found {found}"
        super().__init__(text)


class Segment(StrEnum):
    """The two orbital segments of the ISS."""

    ROS = "ROS"
    USOS = "USOS"


class PartKind(StrEnum):
    """What a part is; only pressurised modules take outfitting and loads."""

    MODULE = "module"
    ADAPTER = "adapter"
    TRUSS = "truss"
    EXTERNAL = "external"
    VEHICLE = "vehicle"


class Direction(StrEnum):
    """A port's facing in the station body frame (x forward, y starboard, z nadir)."""

    FWD = "fwd"
    AFT = "aft"
    STARBOARD = "starboard"
    PORT = "port"
    NADIR = "nadir"
    ZENITH = "zenith"

    @property
    def vector(self) -> FloatArray:
        """Unit vector of the direction in the body frame."""
        return np.array(_VECTORS[self], dtype=np.float64)

    @property
    def axis(self) -> Axis:
        """The body axis the direction lies on."""
        return _AXES[self]

    @property
    def opposite(self) -> Direction:
        """The direction facing the other way."""
        return _OPPOSITE[self]

    @classmethod
    def along(cls, vector: FloatArray) -> Direction:
        """The direction of a body-axis unit vector."""
        for item, value in _VECTORS.items():
            if np.allclose(vector, value):
                return item
        raise ValueError(f"not a body axis: {vector}")


_VECTORS: dict[Direction, tuple[float, float, float]] = {
    Direction.FWD: (1.0, 0.0, 0.0), Direction.AFT: (-1.0, 0.0, 0.0),
    Direction.STARBOARD: (0.0, 1.0, 0.0), Direction.PORT: (0.0, -1.0, 0.0),
    Direction.NADIR: (0.0, 0.0, 1.0), Direction.ZENITH: (0.0, 0.0, -1.0),
}
_AXES: dict[Direction, Axis] = {
    Direction.FWD: "x", Direction.AFT: "x", Direction.STARBOARD: "y", Direction.PORT: "y",
    Direction.NADIR: "z", Direction.ZENITH: "z",
}
_OPPOSITE = {Direction.FWD: Direction.AFT, Direction.AFT: Direction.FWD,
             Direction.STARBOARD: Direction.PORT, Direction.PORT: Direction.STARBOARD,
             Direction.NADIR: Direction.ZENITH, Direction.ZENITH: Direction.NADIR}


@dataclass(frozen=True)
class Citation:
    """Where a value comes from: source keys of the data file and a confidence tag
    (H agency, M reputable secondary, L weak, D derived here, A assumed)."""

    sources: tuple[str, ...] = ()
    confidence: str = "A"
    note: str = ""


@dataclass(frozen=True, eq=False)
class Presence:
    """When a part is attached or a crew member aboard: from ``start`` (inclusive) to ``end``
    (exclusive); ``None`` is open-ended."""

    start: Epoch | None = None
    end: Epoch | None = None

    def contains(self, epoch: Epoch) -> bool:
        """Whether ``epoch`` falls within the interval."""
        if self.start is not None and float(epoch - self.start) < 0.0:
            return False
        return self.end is None or float(epoch - self.end) < 0.0

    def covers(self, other: Presence) -> bool:
        """Whether this interval holds all of ``other``."""
        starts_before = self.start is None or (
            other.start is not None and float(other.start - self.start) >= 0.0)
        ends_after = self.end is None or (
            other.end is not None and float(self.end - other.end) >= 0.0)
        return starts_before and ends_after

    def clip(self, start: Epoch, end: Epoch) -> Presence:
        """The part of the interval inside ``[start, end)``."""
        lo = start if self.start is None or float(start - self.start) > 0 else self.start
        hi = end if self.end is None or float(self.end - end) > 0 else self.end
        return Presence(lo, hi)


@dataclass(frozen=True)
class Port:
    """A place where another part can be attached.

    Attributes:
        direction: where the port faces (its name).
        offset_m: for a port on the side of a part, its distance from the part's centre along
            the part's axis [m] (positive toward +axis); 0 for end ports.
        kind: ``docking`` (vehicles dock), ``berthing`` (the arm berths), ``structural``.
        propellant_line: propellant can flow through it (Progress refuelling ports).
    """

    direction: Direction
    offset_m: float = 0.0
    kind: str = "docking"
    propellant_line: bool = False

    @property
    def name(self) -> str:
        """The port's name: its direction."""
        return self.direction.value


@dataclass(frozen=True)
class Engine:
    """Engines of one kind on a part.

    Attributes:
        name: e.g. ``"SKD main engine"``.
        count: how many (``None``: more than one, number unknown).
        thrust_n: thrust of one [N]; ``None`` when unknown.
        isp_s: specific impulse [s]; ``None`` when unknown.
        sense: how they push along the part's axis (see :data:`ThrustSense`).
        feed: ``own`` tanks or the segment's ``network``.
        role: ``main`` (translation, reboost) or ``attitude`` (attitude and desaturation).
        enabled: ``False`` for engines that can no longer fire (Zarya's).
    """

    name: str
    count: int | None = 1
    thrust_n: float | None = None
    isp_s: float | None = None
    sense: ThrustSense = "toward_parent"
    feed: Feed = "own"
    role: str = "main"
    enabled: bool = True


@dataclass(frozen=True)
class Propellant:
    """Propellant a part carries [kg].

    Attributes:
        load_kg: in the part's tanks now.
        capacity_kg: what the tanks hold at most (``None``: unknown, no check).
        feed: ``own`` (only this part's engines use it) or ``network`` (any engine of the
            segment's interconnected system, e.g. the Russian segment's).
        reserved: kept for the part's own use (a crew vehicle's return); not usable for the
            station.
        cargo_kg: refuelling propellant carried as cargo, transferable into the network
            through a port with a propellant line.
    """

    load_kg: float = 0.0
    capacity_kg: float | None = None
    feed: Feed = "own"
    reserved: bool = False
    cargo_kg: float = 0.0

    @property
    def total_kg(self) -> float:
        """All propellant on board [kg]."""
        return self.load_kg + self.cargo_kg


@dataclass(frozen=True)
class SolarWing:
    """Solar-array wings of one kind on a part.

    Attributes:
        name: e.g. ``"SAW"``, ``"iROSA"``.
        count: how many wings.
        area_m2: frontal area of one wing when it faces the flow [m^2].
        power_kw: sunlit output of one wing at the epoch [kW] (degradation included).
        tracking: ``two_axis`` (USOS: rotary joint and beta gimbal point it at the Sun) or
            ``one_axis`` (turns about the y axis only: Zvezda's).
        follows_policy: obeys the station's array policy (feathering to cut drag).
        shades_kw: power one wing takes from the wing it is mounted over [kW] (iROSA).
        adds_area: whether it adds frontal area (False for a wing over another wing).
    """

    name: str
    count: int
    area_m2: float
    power_kw: float
    tracking: str = "two_axis"
    follows_policy: bool = True
    shades_kw: float = 0.0
    adds_area: bool = True


@dataclass(frozen=True)
class Part:
    """One element of the station: a module, adapter, truss segment or visiting vehicle.

    Mass: ``mass_kg`` is the element as published (for vehicles, without the propellant
    modelled separately); ``outfit_kg`` is the share of the unknown outfitting and consumables
    the data file allocates to it; propellant comes on top. Geometry: a cylinder of
    ``length_m`` along ``axis`` and ``diameter_m`` (``None``: not known, no frontal area).
    """

    name: str
    kind: PartKind
    segment: Segment
    mass_kg: float
    axis: Axis = "x"
    owner: str = ""
    outfit_kg: float = 0.0
    length_m: float | None = None
    diameter_m: float | None = None
    pressurised_volume_m3: float | None = None
    ports: tuple[Port, ...] = ()
    functions: tuple[str, ...] = ()
    engines: tuple[Engine, ...] = ()
    propellant: Propellant | None = None
    wings: tuple[SolarWing, ...] = ()
    cmg_count: int = 0
    cmg_momentum_nms: float = 0.0
    seats: int = 0
    seats_max: int = 0
    vehicle_class: str | None = None
    load_kw: float = 0.0
    frontal_fill: float = 1.0
    presence: Presence = field(default_factory=Presence)
    citation: Citation = field(default_factory=Citation)

    @property
    def total_mass_kg(self) -> float:
        """Element, allocated outfitting and propellant [kg]."""
        fuel = self.propellant.total_kg if self.propellant is not None else 0.0
        return self.mass_kg + self.outfit_kg + fuel

    @property
    def is_vehicle(self) -> bool:
        """Whether it is a visiting vehicle."""
        return self.kind is PartKind.VEHICLE

    def port(self, name: str) -> Port | None:
        """The port of that name, if the part has one."""
        for port in self.ports:
            if port.name == name:
                return port
        return None

    def geometric_volume_m3(self) -> float:
        """``pi d^2 L / 4`` of the envelope [m^3] (0 when a dimension is unknown)."""
        if self.length_m is None or self.diameter_m is None:
            return 0.0
        return float(np.pi * self.diameter_m ** 2 * self.length_m / 4.0)


@dataclass(frozen=True)
class CrewMember:
    """A crew member: who, where now, and which vehicle's seat takes them home.

    Attributes:
        location: the part they are in (it decides which side of a separation they end on).
        return_vehicle: the vehicle holding their seat home (``None``: none assigned).
        arrived_vehicle: the vehicle they came on.
        aboard: when they are on the station.
    """

    name: str
    agency: str
    location: str
    return_vehicle: str | None
    arrived_vehicle: str = ""
    role: str = ""
    aboard: Presence = field(default_factory=Presence)
    citation: Citation = field(default_factory=Citation)
