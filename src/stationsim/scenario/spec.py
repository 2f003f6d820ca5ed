"""A scenario as validated data: where the station starts, what happens to it, and when to stop.

The objects here are what :mod:`stationsim.scenario.schema` builds from a scenario file and what
:mod:`stationsim.scenario.runner` runs. They hold SI values and :class:`~stationsim.time.Epoch`
instants; the file's units (km, m/s, degrees) are converted by the schema. Every event keeps
``where``, the place in the file it came from (``"events[3], line 41"``), so that the runner's
complaints about it ("no such port") point back to the file.

Parts are named as the station file names them (``"Zvezda"``, ``"Soyuz MS-19"``); ``"ROS"`` and
``"USOS"`` name a segment. After a separation each flying piece is a *body*, named after the
segment it carries (``"USOS"``, ``"ROS"``) or after the vehicle that left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from stationsim.propagation.elements import GPElements
from stationsim.station import ArrayPolicy, Part
from stationsim.time import Epoch

__all__ = [
    "AltitudeMaintenance",
    "ArrayMode",
    "AttitudeMode",
    "Burn",
    "Conjunction",
    "CrewLanding",
    "DebrisAvoidance",
    "Dock",
    "End",
    "Event",
    "MoveCrew",
    "OrbitStart",
    "Policy",
    "Scenario",
    "SpaceWeatherMode",
    "Start",
    "TransferPropellant",
    "Undock",
]


class SpaceWeatherMode(StrEnum):
    """Where the drag's space weather comes from.

    ``observed``: the bundled CelesTrak history, and its forecast past the last observed day;
    ``forecast``: as ``observed`` until the start epoch, the bundled forecast (or, for a start in
    the past, the 81-day mean F10.7 and the mean Ap of the 27 days before the start, held
    constant) after it, as someone at the start epoch would have known;
    ``constant``: fixed F10.7 and Ap.
    """

    OBSERVED = "observed"
    FORECAST = "forecast"
    CONSTANT = "constant"


@dataclass(frozen=True)
class OrbitStart:
    """A near-circular orbit given by numbers rather than by an element set: mean height above
    the equatorial radius [m], inclination, right ascension of the ascending node and argument
    of latitude [rad], eccentricity; GCRF at the start epoch."""

    altitude_m: float
    inclination_rad: float
    raan_rad: float = 0.0
    argument_of_latitude_rad: float = 0.0
    eccentricity: float = 0.0


@dataclass(frozen=True)
class Start:
    """Start epoch and state.

    Exactly one of: ``elements`` (an inline TLE or OMM; SGP4 state at ``epoch``), ``orbit``, or
    neither, meaning the bundled ISS TLE at or before ``epoch``. ``station`` is ``"bundled"``
    (the bundled ISS record) or the text of a station file, whose name is ``station_source``.
    ``station_epoch``: the instant of the station record that gives the configuration (default:
    the start epoch; for a start outside the record's span).
    """

    epoch: Epoch
    elements: GPElements | None = None
    orbit: OrbitStart | None = None
    station: str = "bundled"
    station_source: str = "bundled"
    station_epoch: Epoch | None = None


@dataclass(frozen=True)
class Event:
    """Something that happens at ``epoch``; ``where`` is its place in the scenario file."""

    epoch: Epoch
    where: str

    @property
    def kind(self) -> str:
        """The ``kind`` key that names this event type in a scenario file."""
        return _KINDS[type(self)]


@dataclass(frozen=True)
class Undock(Event):
    """``part`` leaves: a segment (``"ROS"``/``"USOS"``, separated at the segments' joint), a
    module (with its subtree) or a vehicle. With ``track`` the part that leaves becomes a body
    the run follows to re-entry; otherwise it leaves the scenario (a vehicle going home)."""

    part: str = ""
    track: bool = True


@dataclass(frozen=True)
class Dock(Event):
    """``vehicle`` (one of the scenario's vehicles) arrives at ``port`` (``"Parent.port"``) of
    whichever body holds ``Parent``."""

    vehicle: str = ""
    port: str = ""


@dataclass(frozen=True)
class MoveCrew(Event):
    """Crew members move to part ``to`` (before a separation, this decides their side);
    ``seat`` optionally reassigns their seat home (``""``: keep, ``"none"``: take it away)."""

    crew: tuple[str, ...] = ()
    to: str = ""
    seat: str = ""


@dataclass(frozen=True)
class CrewLanding(Event):
    """``vehicle`` undocks with the crew members holding its seats and lands: they are home."""

    vehicle: str = ""


@dataclass(frozen=True)
class Burn(Event):
    """A burn by ``vehicle``'s (or module's) main engines: either ``delta_v_m_s`` (impulsive;
    a negative value is retrograde) or ``duration_s`` (finite, at the engines' thrust).
    ``direction``: ``prograde`` or ``retrograde``. With ``aim`` (geodetic latitude and
    longitude [deg]) a finite burn starts when, within ``aim_window_s`` after ``epoch``, it
    brings the body's breakup (78 km) nearest that point (:mod:`.targeting`)."""

    vehicle: str = ""
    delta_v_m_s: float | None = None
    duration_s: float | None = None
    direction: str = "prograde"
    aim: tuple[float, float] | None = None
    aim_window_s: float = 86400.0


@dataclass(frozen=True)
class ArrayMode(Event):
    """The solar-array policy of ``body`` (``""``: every body) changes to ``policy``."""

    policy: ArrayPolicy = ArrayPolicy.NIGHT_GLIDER
    body: str = ""


@dataclass(frozen=True)
class AttitudeMode(Event):
    """The attitude of ``body`` (``""``: every body) changes to ``mode``: ``xvv`` (XVV at the
    configuration's torque equilibrium, as flown) or ``tumbling`` (no attitude held: drag and
    sunlight averaged over all orientations, :mod:`stationsim.station.drag`)."""

    mode: str = "xvv"
    body: str = ""


@dataclass(frozen=True)
class TransferPropellant(Event):
    """``kg`` of propellant moves from part ``source`` to part ``target``."""

    source: str = ""
    target: str = ""
    kg: float = 0.0


@dataclass(frozen=True)
class Conjunction(Event):
    """A predicted close approach of a tracked object to ``body`` (a body's name, a part it
    holds, or a segment it carries; ``""``: the only flying body), acted on at ``epoch``: its
    probability of collision, and optionally the predicted miss distance [m] and the object's
    name, for the log. A :class:`DebrisAvoidance` policy decides whether the body dodges
    it."""

    body: str = ""
    probability: float = 0.0
    miss_m: float | None = None
    object_name: str = ""


@dataclass(frozen=True)
class AltitudeMaintenance:
    """When a body's mean altitude falls below ``below_m``, reboost it to ``to_m`` with
    whatever propulsion is attached (heights above the equatorial radius, orbit-averaged),
    checked every ``check_s``; ``bodies`` limits the policy to some bodies (empty: all that
    carry crew or a segment). ``where`` is its place in the file."""

    below_m: float
    to_m: float
    check_s: float = 86400.0
    bodies: tuple[str, ...] = ()
    where: str = ""


@dataclass(frozen=True)
class DebrisAvoidance:
    """At a :class:`Conjunction` whose probability of collision is at least ``threshold``,
    the body makes a posigrade avoidance burn of ``delta_v_m_s`` with whatever propulsion is
    attached; without propulsion it cannot dodge, and the risk is accepted. ``bodies`` limits
    the policy to some bodies (empty: all). ``where`` is its place in the file."""

    threshold: float = 1e-4
    delta_v_m_s: float = 0.5
    bodies: tuple[str, ...] = ()
    where: str = ""


#: The policies a scenario can hold.
Policy = AltitudeMaintenance | DebrisAvoidance


@dataclass(frozen=True)
class End:
    """When the run stops: at ``until``, after ``days``, or (``reentry``) when every tracked
    body has re-entered, at most ``max_days`` after the start. The first reached wins."""

    until: Epoch | None = None
    days: float | None = None
    reentry: bool = False
    max_days: float = 3650.0


@dataclass(frozen=True)
class Scenario:
    """A validated scenario.

    Attributes:
        name: short name (a built-in's file stem); ``title`` and ``description`` for reports.
        space_weather: the mode; ``f107_sfu`` and ``ap`` are its constant values.
        atmosphere: ``msis2`` or ``nrlmsise00`` (or a fast model; see ``stationsim decay``).
        drag_calibration: ``tle`` (scale every body's ``C_D A`` by the whole station's
            ballistic coefficient fitted to the TLEs before the start over the modelled one) or
            ``none`` (the geometric model alone).
        calibration_until: the TLEs of the 30 days before this instant enter the drag
            calibration (default: the start; a later instant makes a hindcast whose drag is
            fitted to the span it is compared with, as ``baseline-2022`` does).
        forces: ``lifetime`` (zonal harmonics J2..J4 and drag: over 300 days the decay of
            the ISS differs from the full model's by 0.003-0.05 %, at half the cost) or
            ``full`` (EGM96 8x8, Sun and Moon, as ``stationsim decay``).
        vehicles: vehicles defined by the scenario, for :class:`Dock` events.
        output_step_s: the ephemeris step of the results within the sampled spans (one
            revolution a day, and the first two days of each body).
        source: the file's name, for messages.
    """

    name: str
    start: Start
    end: End
    title: str = ""
    description: str = ""
    space_weather: SpaceWeatherMode = SpaceWeatherMode.OBSERVED
    f107_sfu: float | None = None
    ap: float | None = None
    atmosphere: str = "msis2"
    drag_calibration: str = "tle"
    forces: str = "lifetime"
    calibration_until: Epoch | None = None
    events: tuple[Event, ...] = ()
    policies: tuple[Policy, ...] = ()
    vehicles: tuple[Part, ...] = field(default=())
    output_step_s: float = 60.0
    source: str = "<scenario>"


_KINDS: dict[type, str] = {
    Undock: "undock",
    Dock: "dock",
    MoveCrew: "move_crew",
    CrewLanding: "crew_landing",
    Burn: "burn",
    ArrayMode: "array_mode",
    AttitudeMode: "attitude",
    TransferPropellant: "transfer_propellant",
    Conjunction: "conjunction",
}
#: Attitude modes of an ``attitude`` event.
ATTITUDE_MODES = ("xvv", "tumbling")
#: Event kinds as a scenario file names them.
EVENT_KINDS: tuple[str, ...] = tuple(_KINDS.values())
