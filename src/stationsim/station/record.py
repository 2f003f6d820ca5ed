"""A station's record over a span of time: every part with when it was attached, every crew
member with when they were aboard, and the flight settings. :meth:`StationRecord.configuration_at`
gives the :class:`~.configuration.Configuration` of one instant, flying its own
torque-equilibrium attitude.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from stationsim.errors import DataRangeError
from stationsim.station.attitude import equilibrium_pitch
from stationsim.station.configuration import Attitude, Configuration, DragSettings
from stationsim.station.environment import Environment
from stationsim.station.graph import Link
from stationsim.station.parts import ConfigurationError, CrewMember, Part
from stationsim.time import Epoch

__all__ = ["StationRecord"]


@dataclass(frozen=True, eq=False)
class StationRecord:
    """Parts, links and crew with their dates, as a configuration file describes them.

    Attributes:
        name: the station's name.
        parts: every part that is attached at some time of the record.
        links: the port each part hangs from (the root has none).
        crew: every crew member aboard at some time of the record.
        valid_from, valid_to: the span the record describes.
        drag: drag coefficient, array policy, edge-on fraction.
        reference_density_kg_m3: air density for torques when no environment is given.
        sources: source keys and what they are.
    """

    name: str
    parts: tuple[Part, ...]
    links: tuple[Link, ...]
    crew: tuple[CrewMember, ...]
    valid_from: Epoch
    valid_to: Epoch
    drag: DragSettings = field(default_factory=DragSettings)
    reference_density_kg_m3: float = 2.7e-12
    sources: dict[str, str] = field(default_factory=dict)

    def part(self, name: str) -> Part:
        """The part of that name."""
        for part in self.parts:
            if part.name == name:
                return part
        raise ConfigurationError(f"no part named {name!r} in {self.name}",
                                 expected="one of " + ", ".join(p.name for p in self.parts))

    def parent_link(self, name: str) -> Link | None:
        """The link a part hangs from."""
        for link in self.links:
            if link.child == name:
                return link
        return None

    def covers(self, epoch: Epoch) -> bool:
        """Whether the record describes ``epoch``."""
        return float(epoch - self.valid_from) >= 0.0 and float(self.valid_to - epoch) >= 0.0

    def configuration_at(self, epoch: Epoch,
                         environment: Environment | None = None) -> Configuration:
        """The configuration at ``epoch`` in its torque-equilibrium attitude (computed in
        ``environment``, by default a nominal orbit with the reference density).

        Raises:
            DataRangeError: ``epoch`` outside the span of the record.
        """
        if epoch.shape:
            raise ConfigurationError("a configuration is of one instant", expected="one epoch",
                                     found=f"{epoch.shape} epochs")
        if not self.covers(epoch):
            raise DataRangeError(
                f"the station record '{self.name}' covers {self.valid_from.iso(0)} to "
                f"{self.valid_to.iso(0)}; {epoch.iso(0)} is outside it")
        parts = tuple(p for p in self.parts if p.presence.contains(epoch))
        names = {p.name for p in parts}
        links = []
        for part in parts:
            link = self.parent_link(part.name)
            if link is None:
                continue
            if link.parent not in names:
                raise ConfigurationError(f"{part.name} is attached to {link.parent}, which is "
                                         f"not there on {epoch.iso(0)}")
            links.append(link)
        crew = tuple(m for m in self.crew if m.aboard.contains(epoch))
        config = Configuration(f"{self.name} on {epoch.iso(0)}", epoch, parts, tuple(links),
                               crew, drag=self.drag)
        env = environment or Environment.nominal(self.reference_density_kg_m3)
        pitch = equilibrium_pitch(config, env)
        if pitch is None:
            return config
        return replace(config, attitude=Attitude("XVV at torque equilibrium", pitch))

