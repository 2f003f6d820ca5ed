"""A station at one instant: the parts attached, how they hang together, who is aboard, and
how it flies (attitude, solar-array policy, drag coefficient).

A :class:`Configuration` is immutable. The operations of :mod:`.operations` (detach, dock,
undock, move crew, transfer propellant, assign a seat) return a new configuration and a
:class:`Change` saying what happened.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from stationsim.station.graph import Link, components, validate_tree
from stationsim.station.parts import ConfigurationError, CrewMember, Part, Segment
from stationsim.station.sunlight import ArrayPolicy
from stationsim.time import Epoch

__all__ = ["Attitude", "Change", "Configuration", "DragSettings"]


@dataclass(frozen=True)
class Attitude:
    """How the station is held: XVV (x along the velocity, z nadir) turned by ``pitch_rad``
    about the orbit normal (y). ``name`` says why (e.g. the torque-equilibrium attitude of
    the configuration it was computed for). ``tumbling``: no attitude is held (control lost
    or given up): the body turns every way over time, and its drag and sunlight are averages
    over all orientations (:mod:`.drag`, :mod:`.power`)."""

    name: str = "XVV"
    pitch_rad: float = 0.0
    tumbling: bool = False


@dataclass(frozen=True)
class DragSettings:
    """Drag coefficient (on the projected area), the array policy and an edge-on wing's
    residual fraction of area."""

    drag_coefficient: float = 2.2
    array_policy: ArrayPolicy = ArrayPolicy.NIGHT_GLIDER
    edge_fraction: float = 0.05


@dataclass(frozen=True)
class Change:
    """What an operation did.

    Attributes:
        operation: ``detach``, ``dock``, ``undock``, ``move_crew``, ``transfer_propellant``,
            ``assign_seat``.
        summary: one sentence for people.
        parts: the parts that moved (left or arrived).
        crew: the crew members concerned.
        propellant_kg: propellant moved [kg].
        mass_before_kg, mass_after_kg: mass of the configuration operated on, before and after.
    """

    operation: str
    summary: str
    mass_before_kg: float
    mass_after_kg: float
    parts: tuple[str, ...] = ()
    crew: tuple[str, ...] = ()
    propellant_kg: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"operation": self.operation, "summary": self.summary, "parts": list(self.parts),
                "crew": list(self.crew), "propellant_kg": self.propellant_kg,
                "mass_before_kg": self.mass_before_kg, "mass_after_kg": self.mass_after_kg}


@dataclass(frozen=True, eq=False)
class Configuration:
    """The parts attached at ``epoch``, their links (a tree), the crew and the flight settings.

    Raises:
        ConfigurationError: duplicate names, links that are not a tree, a port that does not
            exist, a crew member in a part that is not there.
    """

    name: str
    epoch: Epoch
    parts: tuple[Part, ...]
    links: tuple[Link, ...]
    crew: tuple[CrewMember, ...] = ()
    attitude: Attitude = field(default_factory=Attitude)
    drag: DragSettings = field(default_factory=DragSettings)
    _index: dict[str, Part] = field(init=False, repr=False)
    _root: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        index: dict[str, Part] = {}
        for part in self.parts:
            if part.name in index:
                raise ConfigurationError(f"two parts are named {part.name!r}",
                                         expected="unique names")
            index[part.name] = part
        for link in self.links:
            parent = index.get(link.parent)
            if parent is not None and parent.port(link.port) is None:
                raise ConfigurationError(
                    f"{link.parent} has no port {link.port!r}",
                    expected=" | ".join(p.name for p in parent.ports) or "no ports",
                    found=repr(link.port))
        root = validate_tree([p.name for p in self.parts], self.links) if self.parts else ""
        for member in self.crew:
            if member.location not in index:
                raise ConfigurationError(f"{member.name} is in {member.location}, which is "
                                         "not part of this configuration")
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_root", root)

    # --- queries ------------------------------------------------------------------------------
    @property
    def root(self) -> str:
        """The part the tree hangs from."""
        return self._root

    @property
    def names(self) -> tuple[str, ...]:
        """Part names in order."""
        return tuple(p.name for p in self.parts)

    def part(self, name: str) -> Part:
        """The part of that name."""
        try:
            return self._index[name]
        except KeyError:
            raise ConfigurationError(f"no part named {name!r} in {self.name}",
                                     expected="one of " + ", ".join(self.names)) from None

    def has(self, name: str) -> bool:
        """Whether a part of that name is attached."""
        return name in self._index

    def parent_link(self, name: str) -> Link | None:
        """The link that holds ``name`` (``None`` for the root)."""
        for link in self.links:
            if link.child == name:
                return link
        return None

    def port_of(self, name: str) -> str | None:
        """``"Parent.port"`` where the part is attached (``None`` for the root)."""
        link = self.parent_link(name)
        return link.where if link is not None else None

    def occupant(self, port: str) -> str | None:
        """The part attached at ``"Parent.port"``, if any."""
        for link in self.links:
            if link.where == port:
                return link.child
        return None

    @property
    def mass_kg(self) -> float:
        """Total mass [kg]."""
        return float(sum(p.total_mass_kg for p in self.parts))

    @property
    def vehicles(self) -> tuple[Part, ...]:
        """The visiting vehicles attached."""
        return tuple(p for p in self.parts if p.is_vehicle)

    def segments(self) -> tuple[Segment, ...]:
        """The segments with at least one (non-vehicle) part here, in order ROS, USOS."""
        present = {p.segment for p in self.parts if not p.is_vehicle}
        return tuple(s for s in Segment if s in present)

    def crew_member(self, name: str) -> CrewMember:
        """The crew member of that name."""
        for member in self.crew:
            if member.name == name:
                return member
        raise ConfigurationError(f"no crew member named {name!r} aboard",
                                 expected="one of " + ", ".join(m.name for m in self.crew))

    def segment_of_part(self, name: str) -> Segment:
        """The segment a part belongs to for a separation: its own, or for a vehicle the
        segment of the module it is docked to (it leaves with it)."""
        part = self.part(name)
        while part.is_vehicle:
            link = self.parent_link(part.name)
            if link is None:
                return part.segment
            part = self.part(link.parent)
        return part.segment

    def with_parts(self, names: Iterable[str], *, name: str | None = None) -> Configuration:
        """The sub-configuration of the given parts (joined by their links) and the crew
        inside them; the flight settings carry over."""
        keep = set(names)
        return replace(
            self,
            name=name or self.name,
            parts=tuple(p for p in self.parts if p.name in keep),
            links=tuple(k for k in self.links if k.parent in keep and k.child in keep),
            crew=tuple(m for m in self.crew if m.location in keep),
        )

    def pieces(self, without_links: Iterable[Link] = ()) -> list[set[str]]:
        """Connected pieces once ``without_links`` are cut, largest first."""
        cut = set(without_links)
        return components(self.names, [k for k in self.links if k not in cut])
