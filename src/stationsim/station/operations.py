"""Operations on a configuration. Each returns new configuration(s) and a :class:`Change`;
the one operated on is left as it was.

* :func:`detach`: cut the link at a port; the part there and everything below it leave as a
  station of their own (``detach(iss, "PMA-1.aft")``: the Russian segment undocks).
* :func:`separate_segments`: cut every link between non-vehicle parts of different segments.
* :func:`dock` / :func:`undock`: a vehicle arrives at a free port / leaves.
* :func:`attach`: another station (its root first) joins at a free port: the inverse of
  :func:`detach`.
* :func:`remove_part`: a part leaves, with whatever cannot stay joined to the largest piece.
* :func:`move_crew`, :func:`assign_seat`, :func:`transfer_propellant`.
"""

from __future__ import annotations

from dataclasses import replace

from stationsim.station.configuration import Change, Configuration
from stationsim.station.graph import Link, descendants
from stationsim.station.parts import ConfigurationError, CrewMember, Part, Propellant, Segment

__all__ = ["assign_seat", "attach", "detach", "dock", "move_crew", "remove_part",
           "separate_segments", "transfer_propellant", "undock"]


def detach(config: Configuration, port: str) -> tuple[Configuration, Configuration, Change]:
    """Cut the link at ``port`` (``"Parent.port"``); return what stays (with the root), what
    leaves (the part attached there and its subtree, with the crew inside) and the change."""
    child = config.occupant(port)
    if child is None:
        taken = ", ".join(k.where for k in config.links)
        raise ConfigurationError(f"nothing is attached at {port}", expected="one of " + taken)
    leaving = descendants(config.links, child)
    stays = config.with_parts(n for n in config.names if n not in leaving)
    leaves = config.with_parts(leaving, name=f"{child} and what hangs from it")
    change = Change("detach", f"{child} detached at {port}, taking "
                    f"{len(leaving) - 1} more part(s) and {len(leaves.crew)} crew",
                    config.mass_kg, stays.mass_kg,
                    parts=tuple(n for n in config.names if n in leaving),
                    crew=tuple(m.name for m in leaves.crew))
    return stays, leaves, change


def separate_segments(config: Configuration) -> dict[Segment, Configuration]:
    """Each segment as a station of its own: every link joining non-vehicle parts of two
    segments is cut (for the ISS, Zarya from PMA-1); vehicles go with their module."""
    cut = [k for k in config.links
           if config.segment_of_part(k.parent) is not config.segment_of_part(k.child)]
    out: dict[Segment, Configuration] = {}
    for piece in config.pieces(cut):
        segment = config.segment_of_part(next(iter(piece)))
        if segment in out:  # a segment in two pieces (not the ISS): keep them together
            piece |= set(out[segment].names)
        out[segment] = config.with_parts(piece, name=f"{config.name}: {segment.value} alone")
    return {s: out[s] for s in Segment if s in out}


def remove_part(config: Configuration, name: str) -> tuple[Configuration, Change]:
    """``name`` leaves; so does every part no longer joined to the heaviest remaining piece.
    Crew inside what leaves leave with it."""
    config.part(name)
    cut = [k for k in config.links if name in (k.parent, k.child)]
    pieces = [p for p in config.pieces(cut) if name not in p]
    if not pieces:
        raise ConfigurationError(f"removing {name} leaves nothing",
                                 expected="a part of a larger station")
    keep = max(pieces, key=lambda p: sum(config.part(n).total_mass_kg for n in p))
    stays = config.with_parts(keep)
    gone = tuple(n for n in config.names if n not in keep)
    lost_crew = tuple(m.name for m in config.crew if m.location not in keep)
    return stays, Change("remove", f"{name} removed; {len(gone)} part(s) leave",
                         config.mass_kg, stays.mass_kg, parts=gone, crew=lost_crew)


def dock(config: Configuration, vehicle: Part, port: str) -> tuple[Configuration, Change]:
    """``vehicle`` arrives at the free ``port`` (``"Parent.port"``)."""
    parent_name, port_name = _free_port(config, port)
    if config.has(vehicle.name):
        raise ConfigurationError(f"{vehicle.name} is already attached at "
                                 f"{config.port_of(vehicle.name)}")
    new = replace(config, parts=(*config.parts, vehicle),
                  links=(*config.links, Link(parent_name, port_name, vehicle.name)))
    return new, Change("dock", f"{vehicle.name} docked at {port}", config.mass_kg, new.mass_kg,
                       parts=(vehicle.name,))


def attach(config: Configuration, other: Configuration, port: str,
           ) -> tuple[Configuration, Change]:
    """``other`` joins ``config`` with its root at the free ``port`` (``"Parent.port"``);
    its crew come aboard."""
    parent_name, port_name = _free_port(config, port)
    if clash := sorted(set(config.names) & set(other.names)):
        raise ConfigurationError("the two stations share parts", found=", ".join(clash))
    new = replace(config, parts=(*config.parts, *other.parts),
                  links=(*config.links, *other.links, Link(parent_name, port_name, other.root)),
                  crew=(*config.crew, *other.crew))
    return new, Change("attach", f"{other.root} and {len(other.parts) - 1} more part(s) "
                       f"attached at {port}", config.mass_kg, new.mass_kg, parts=other.names,
                       crew=tuple(m.name for m in other.crew))


def undock(config: Configuration, name: str) -> tuple[Configuration, Configuration, Change]:
    """The vehicle ``name`` leaves (with whatever is docked to it and the crew inside)."""
    part = config.part(name)
    if not part.is_vehicle:
        raise ConfigurationError(f"{name} is not a visiting vehicle",
                                 expected="one of " + ", ".join(v.name for v in config.vehicles))
    port = config.port_of(name)
    if port is None:
        raise ConfigurationError(f"{name} holds the station together; detach the rest instead")
    stays, leaves, change = detach(config, port)
    return stays, leaves, replace(change, operation="undock",
                                  summary=f"{name} undocked from {port}")


def move_crew(config: Configuration, name: str, to: str) -> tuple[Configuration, Change]:
    """Crew member ``name`` goes to part ``to`` (any part with pressurised volume, or a
    vehicle)."""
    member = config.crew_member(name)
    target = config.part(to)
    new_crew = tuple(replace(m, location=target.name) if m.name == name else m
                     for m in config.crew)
    new = replace(config, crew=new_crew)
    return new, Change("move_crew", f"{name} moved from {member.location} to {to}",
                       config.mass_kg, new.mass_kg, crew=(name,))


def assign_seat(config: Configuration, name: str,
                vehicle: str | None) -> tuple[Configuration, Change]:
    """Give crew member ``name`` a seat home on ``vehicle`` (``None``: take it away).

    Raises:
        ConfigurationError: the vehicle has no seats, or all its seats are taken.
    """
    member = config.crew_member(name)
    if vehicle is not None:
        craft = config.part(vehicle)
        taken = [m.name for m in config.crew
                 if m.return_vehicle == vehicle and m.name != name]
        if len(taken) >= craft.seats:
            raise ConfigurationError(f"{vehicle} has no free seat",
                                     expected=f"at most {craft.seats} assigned",
                                     found=", ".join(taken) or "no seats")
    new_crew = tuple(_with_seat(m, vehicle) if m.name == name else m for m in config.crew)
    new = replace(config, crew=new_crew)
    return new, Change("assign_seat", f"{name}: seat home moved from "
                       f"{member.return_vehicle or 'none'} to {vehicle or 'none'}",
                       config.mass_kg, new.mass_kg, crew=(name,))


def _with_seat(member: CrewMember, vehicle: str | None) -> CrewMember:
    return replace(member, return_vehicle=vehicle)


def transfer_propellant(config: Configuration, source: str, target: str,
                        kg: float) -> tuple[Configuration, Change]:
    """Move ``kg`` of propellant from ``source``'s tanks (its refuelling cargo first) into
    ``target``'s. Mass is conserved.

    Raises:
        ConfigurationError: a non-positive amount, no tanks, more than ``source`` holds, more
            than ``target`` can take, or reserved propellant.
    """
    if not kg > 0.0:
        raise ConfigurationError("a transfer moves a positive amount", expected="> 0 kg",
                                 found=f"{kg} kg")
    if source == target:
        raise ConfigurationError("a transfer needs two parts", found=f"{source} twice")
    give, take = config.part(source), config.part(target)
    if give.propellant is None or take.propellant is None:
        raise ConfigurationError("both parts need propellant tanks",
                                 found=", ".join(p.name for p in (give, take)
                                                 if p.propellant is None) + " has none")
    if give.propellant.reserved:
        raise ConfigurationError(f"{source}'s propellant is reserved for its own return")
    available = give.propellant.total_kg
    if kg > available + 1e-9:
        raise ConfigurationError(f"{source} holds less propellant than asked",
                                 expected=f"at most {available:.1f} kg", found=f"{kg:.1f} kg")
    room = (None if take.propellant.capacity_kg is None
            else take.propellant.capacity_kg - take.propellant.load_kg)
    if room is not None and kg > room + 1e-9:
        raise ConfigurationError(f"{target}'s tanks cannot take that much",
                                 expected=f"at most {room:.1f} kg", found=f"{kg:.1f} kg")
    from_cargo = min(kg, give.propellant.cargo_kg)
    drained = _set_propellant(give, replace(give.propellant,
                                            cargo_kg=give.propellant.cargo_kg - from_cargo,
                                            load_kg=max(give.propellant.load_kg
                                                        - (kg - from_cargo), 0.0)))
    filled = _set_propellant(take, replace(take.propellant,
                                           load_kg=take.propellant.load_kg + kg))
    parts = tuple(drained if p.name == source else filled if p.name == target else p
                  for p in config.parts)
    new = replace(config, parts=parts)
    return new, Change("transfer_propellant", f"{kg:.1f} kg of propellant moved from "
                       f"{source} to {target}", config.mass_kg, new.mass_kg,
                       parts=(source, target), propellant_kg=kg)


def _set_propellant(part: Part, propellant: Propellant) -> Part:
    return replace(part, propellant=propellant)


def _free_port(config: Configuration, port: str) -> tuple[str, str]:
    """``(parent, port name)`` of ``port`` (``"Parent.port"``), which must exist and be free."""
    parent_name, _, port_name = port.partition(".")
    parent = config.part(parent_name)
    if parent.port(port_name) is None:
        raise ConfigurationError(f"{parent_name} has no port {port_name!r}",
                                 expected=" | ".join(p.name for p in parent.ports),
                                 found=repr(port_name))
    if (taken := config.occupant(port)) is not None:
        raise ConfigurationError(f"port {port} is taken by {taken}")
    return parent_name, port_name
