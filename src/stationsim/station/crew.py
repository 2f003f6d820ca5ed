"""Crew return: who is aboard, the seats on each attached vehicle, and who can go home on what.

Each crew member holds a seat on one vehicle (their "lifeboat"). In a configuration, that seat
counts only if the vehicle is attached to it: after a separation, a crew member on one side
whose vehicle is on the other has no way home there, and is listed as *without a seat*, with
the free seats left on the vehicles that are attached.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stationsim.station.configuration import Configuration
from stationsim.station.parts import CrewMember

__all__ = ["CrewReturn", "SeatCheck", "crew_return", "overbooked_vehicles"]


@dataclass(frozen=True)
class SeatCheck:
    """One crew member's way home in a configuration.

    Attributes:
        name, agency, location: who and where.
        aboard: the segment of the part they are in (``"ROS"``, ``"USOS"``).
        assigned_vehicle: the vehicle holding their seat (anywhere).
        return_vehicle: the same when it is attached here, else ``None``.
        note: why there is no seat, when there is none.
    """

    name: str
    agency: str
    location: str
    aboard: str
    assigned_vehicle: str | None
    return_vehicle: str | None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"name": self.name, "agency": self.agency, "aboard": self.aboard,
                "location": self.location, "return_vehicle": self.return_vehicle,
                "assigned_vehicle": self.assigned_vehicle, "note": self.note}


@dataclass(frozen=True)
class CrewReturn:
    """Seats and assignments of a configuration.

    Attributes:
        crew: one entry per crew member aboard.
        seats: seats on each attached vehicle that has any.
        assigned: who holds a seat on each of them.
    """

    crew: tuple[SeatCheck, ...]
    seats: dict[str, int]
    assigned: dict[str, tuple[str, ...]]

    @property
    def without_seat(self) -> tuple[str, ...]:
        """Crew aboard without a seat on an attached vehicle."""
        return tuple(c.name for c in self.crew if c.return_vehicle is None)

    @property
    def free_seats(self) -> int:
        """Seats on attached vehicles held by nobody aboard."""
        return sum(self.seats.values()) - sum(len(v) for v in self.assigned.values())

    @property
    def seat_total(self) -> int:
        """All seats on attached vehicles."""
        return sum(self.seats.values())

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"aboard": len(self.crew), "seats": dict(self.seats),
                "seat_total": self.seat_total, "free_seats": self.free_seats,
                "assigned": {k: list(v) for k, v in self.assigned.items()},
                "without_seat": list(self.without_seat)}


def overbooked_vehicles(crew: tuple[CrewMember, ...], seats: dict[str, int]) -> dict[str, int]:
    """Vehicles holding more assignments than seats: ``{vehicle: assignments}``."""
    count: dict[str, int] = {}
    for member in crew:
        if member.return_vehicle is not None:
            count[member.return_vehicle] = count.get(member.return_vehicle, 0) + 1
    return {v: n for v, n in count.items() if n > seats.get(v, 0)}


def crew_return(config: Configuration) -> CrewReturn:
    """Seats and ways home in ``config``."""
    seats = {v.name: v.seats for v in config.vehicles if v.seats > 0}
    assigned: dict[str, list[str]] = {name: [] for name in seats}
    checks = []
    for member in config.crew:
        vehicle = member.return_vehicle
        attached = vehicle is not None and vehicle in seats
        note = ""
        if vehicle is None:
            note = "no seat assigned"
        elif not attached:
            note = f"seat on {vehicle}, which is not attached here"
        else:
            assigned[vehicle].append(member.name)
        checks.append(SeatCheck(member.name, member.agency, member.location,
                                config.segment_of_part(member.location).value, vehicle,
                                vehicle if attached else None, note))
    return CrewReturn(tuple(checks), seats, {k: tuple(v) for k, v in assigned.items()})
