"""Station configuration files (YAML) -> :class:`~stationsim.station.StationRecord`.

The format is the bundled ISS file's (``stationsim/data/bundled/station/``; its comments
describe every key): ``sources``, ``drag``, ``allocations``, ``vehicle_classes``, ``parts``
(each hung from ``attached_to: Parent.port``) and ``crew``. A number is written bare or as
``{value: ..., src: ..., conf: ..., note: ...}`` to carry its own citation.

Parsing is pure: the caller reads the text. The YAML is composed into nodes (never into
objects by tags), so every error names the line and column, what was expected and what was
found: an unknown key, part, port or source, a cycle, a negative mass, a duplicate name, two
parts in one port at once, a crew member without a seat home.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

import yaml

from stationsim.io.station_nodes import CITATION_KEYS as _CITE
from stationsim.io.station_nodes import Node, NodeReader, StationFileError
from stationsim.io.yaml_compose import compose_yaml
from stationsim.station import (
    ArrayPolicy,
    CrewMember,
    Direction,
    DragSettings,
    Engine,
    Link,
    Part,
    PartKind,
    Port,
    Presence,
    Propellant,
    Segment,
    SolarWing,
    StationRecord,
    TreeError,
    overbooked_vehicles,
    validate_tree,
)
from stationsim.station.parts import Axis, Feed, ThrustSense
from stationsim.time import Epoch, Timescale

__all__ = ["FORMAT", "StationFileError", "parse_station"]

#: The value of the file's ``format`` key.
FORMAT = "stationsim-station 1"
_TOP = {"format", "name", "valid_from", "valid_to", "root", "sources", "drag", "allocations",
        "vehicle_classes", "parts", "crew"}
_SHARED = {"length_m", "diameter_m", "seats", "seats_max", "engines", "propellant", "wings",
           "frontal_fill"}
_PART = _SHARED | _CITE | {"name", "kind", "class", "segment", "owner", "mass_kg", "axis",
                           "pressurised_volume_m3", "attached_to", "attached", "detached",
                           "functions", "ports", "cmg"}
_ENGINE = _CITE | {"name", "count", "thrust_n", "isp_s", "sense", "feed", "role", "enabled"}
_FUEL = _CITE | {"load_kg", "capacity_kg", "feed", "reserved", "cargo_kg"}
_WING = _CITE | {"name", "count", "area_m2", "power_kw", "tracking", "follows_policy",
                 "shades_kw", "adds_area"}
_CREW = _CITE | {"name", "agency", "role", "arrived", "departs", "return_vehicle", "location"}


def parse_station(text: str, *, ts: Timescale, source: str = "<string>") -> StationRecord:
    """Read a station configuration file (see the module docstring).

    Raises:
        StationFileError: with the line and column of the first problem.
    """
    root = compose_yaml(text, source, StationFileError)
    if root is None:
        raise StationFileError("the file is empty", source=source, expected="a mapping")
    r = NodeReader(source, ts)
    top = r.mapping(root, "the file", allowed=_TOP,
                    required=("format", "name", "valid_from", "valid_to", "parts"))
    if (fmt := r.text(top["format"], "format")) != FORMAT:
        raise r.error(top["format"], "unknown format", expected=repr(FORMAT), found=repr(fmt))
    sources = ({k: r.text(n, "source") for k, n in r.mapping(top["sources"], "sources").items()}
               if "sources" in top else {})
    r.sources = set(sources)
    start, end = r.epoch(top["valid_from"], "valid_from"), r.epoch(top["valid_to"], "valid_to")
    if start is None or end is None or float(end - start) <= 0.0:
        raise r.error(top["valid_to"], "the record's span is empty",
                      expected="valid_to after valid_from")
    drag, density = _drag(r, top.get("drag"))
    allocations = _allocations(r, top.get("allocations"))
    classes = {name: _vehicle_class(r, name, node) for name, node in
               r.mapping(top["vehicle_classes"], "vehicle_classes").items()} if (
        "vehicle_classes" in top) else {}
    parts: list[Part] = []
    links: list[Link] = []
    nodes: dict[str, Node] = {}
    link_nodes: dict[str, Node] = {}
    for node in r.sequence(top["parts"], "parts"):
        part, link, link_node = _part(r, node, classes)
        if part.name in nodes:
            first = nodes[part.name].start_mark.line + 1
            raise r.error(node, f"duplicate part name {part.name!r}", expected="unique names",
                          found=f"a second {part.name!r} (the first is at line {first})")
        nodes[part.name] = node
        parts.append(part)
        if link is not None and link_node is not None:
            links.append(link)
            link_nodes[part.name] = link_node
    parts = _allocate(parts, allocations)
    index = {p.name: p for p in parts}
    # A part without attached_to is pointed at by its own entry (say, a second root).
    _check_links(r, index, links, nodes | link_nodes, top.get("root"))
    crew = _crew(r, top["crew"], index, start, end) if "crew" in top else ()
    return StationRecord(r.text(top["name"], "name"), tuple(parts), tuple(links), crew, start,
                         end, drag, density, sources)


def _drag(r: NodeReader, node: Node | None) -> tuple[DragSettings, float]:
    items = r.mapping(node, "drag", allowed={"drag_coefficient", "array_policy",
                                             "edge_on_fraction", "reference_density_kg_m3"}) \
        if node is not None else {}
    default = DragSettings()
    cd = (r.required_number(items["drag_coefficient"], "drag_coefficient", positive=True)
          if "drag_coefficient" in items else default.drag_coefficient)
    policy = (r.choice(items["array_policy"], "array policy", tuple(ArrayPolicy))
              if "array_policy" in items else default.array_policy.value)
    edge = (r.required_number(items["edge_on_fraction"], "edge_on_fraction", maximum=1.0)
            if "edge_on_fraction" in items else default.edge_fraction)
    density = (r.required_number(items["reference_density_kg_m3"], "reference density",
                                 positive=True)
               if "reference_density_kg_m3" in items else 2.7e-12)
    return DragSettings(cd, ArrayPolicy(policy), edge), density


def _allocations(r: NodeReader, node: Node | None) -> dict[str, dict[Segment, float]]:
    out: dict[str, dict[Segment, float]] = {"outfitting_kg": {}, "load_kw": {}}
    if node is None:
        return out
    for key, value in r.mapping(node, "allocations", allowed=set(out)).items():
        entry = r.mapping(value, key, allowed=_CITE | {"ROS", "USOS", "within_segment"})
        r.citation(entry)
        if "within_segment" in entry:
            r.choice(entry["within_segment"], "allocation rule", ("envelope_volume",))
        out[key] = {s: r.required_number(entry[s.value], f"{key} of the {s.value}")
                    for s in Segment if s.value in entry}
    return out


def _allocate(parts: list[Part], allocations: dict[str, dict[Segment, float]]) -> list[Part]:
    """Share each segment's allocations among its pressurised modules by envelope volume."""
    volume: dict[Segment, float] = {}
    for part in parts:
        if part.kind is PartKind.MODULE:
            volume[part.segment] = volume.get(part.segment, 0.0) + part.geometric_volume_m3()
    out = []
    for part in parts:
        if part.kind is PartKind.MODULE and volume.get(part.segment, 0.0) > 0.0:
            share = part.geometric_volume_m3() / volume[part.segment]
            part = replace(part,
                           outfit_kg=allocations["outfitting_kg"].get(part.segment, 0.0) * share,
                           load_kw=allocations["load_kw"].get(part.segment, 0.0) * share)
        out.append(part)
    return out


def _vehicle_class(r: NodeReader, name: str, node: Node) -> dict[str, Node]:
    """A vehicle class's keys, each checked now (a class no part uses is checked too)."""
    items = r.mapping(node, f"class {name}", allowed=_SHARED)
    for key in ("length_m", "diameter_m", "frontal_fill"):
        if key in items:
            r.number(items[key], f"{key} of class {name}")
    for key in ("seats", "seats_max"):
        if key in items:
            r.integer(items[key], f"{key} of class {name}")
    for engine in r.sequence(items["engines"], "engines") if "engines" in items else []:
        _engine(r, engine)
    for wing in r.sequence(items["wings"], "wings") if "wings" in items else []:
        _wing(r, wing)
    if "propellant" in items:
        _propellant(r, items["propellant"])
    return items


def _part(r: NodeReader, node: Node,
          classes: dict[str, dict[str, Node]]) -> tuple[Part, Link | None, Node | None]:
    items = r.mapping(node, "a part", allowed=_PART,
                      required=("name", "kind", "segment", "mass_kg"))
    name = r.text(items["name"], "name")
    what = f"part {name}"
    if "class" in items:
        cls = r.text(items["class"], "class")
        if cls not in classes:
            raise r.error(items["class"], f"unknown vehicle class {cls!r}",
                          expected="one of " + ", ".join(classes))
        items = {**classes[cls], **items}
    kind = PartKind(r.choice(items["kind"], "kind", tuple(PartKind)))
    segment = Segment(r.choice(items["segment"], "segment", tuple(Segment)))
    axis = r.choice(items["axis"], "axis", ("x", "y", "z")) if "axis" in items else "x"

    def num(key: str, **limits: Any) -> float | None:
        return r.number(items[key], f"{key} of {what}", **limits) if key in items else None

    def whole(key: str) -> int:
        return (r.integer(items[key], f"{key} of {what}") or 0) if key in items else 0

    ports = tuple(_port(r, p, what) for p in r.sequence(items["ports"], "ports")) if (
        "ports" in items) else ()
    seen = [p.name for p in ports]
    if len(set(seen)) != len(seen):
        raise r.error(items["ports"], f"{name} lists a port twice", found=", ".join(seen))
    cmg_count, cmg_h = 0, 0.0
    if "cmg" in items:
        cmg = r.mapping(items["cmg"], "cmg", allowed=_CITE | {"count", "momentum_nms"},
                        required=("count", "momentum_nms"))
        r.citation(cmg)
        cmg_count = r.integer(cmg["count"], "CMG count") or 0
        cmg_h = r.required_number(cmg["momentum_nms"], "CMG momentum")
    link = link_node = None
    if "attached_to" in items:
        link_node = items["attached_to"]
        target = r.text(link_node, "attached_to")
        parent, dot, port = target.rpartition(".")
        if not dot or not parent:
            raise r.error(link_node, "attached_to names a port", expected="Parent.port",
                          found=repr(target))
        link = Link(parent, port, name)
    part = Part(
        name=name, kind=kind, segment=segment, axis=cast(Axis, axis),
        mass_kg=r.required_number(items["mass_kg"], f"mass of {what}"),
        owner=r.optional_text(items.get("owner"), "owner") or "",
        length_m=num("length_m"), diameter_m=num("diameter_m"),
        pressurised_volume_m3=num("pressurised_volume_m3"), ports=ports,
        functions=tuple(r.text(f, "function") for f in r.sequence(items["functions"],
                                                                  "functions"))
        if "functions" in items else (),
        engines=tuple(_engine(r, e) for e in r.sequence(items["engines"], "engines"))
        if "engines" in items else (),
        propellant=_propellant(r, items["propellant"]) if "propellant" in items else None,
        wings=tuple(_wing(r, w) for w in r.sequence(items["wings"], "wings"))
        if "wings" in items else (),
        cmg_count=cmg_count, cmg_momentum_nms=cmg_h, seats=whole("seats"),
        seats_max=max(whole("seats_max"), whole("seats")), vehicle_class=(
            r.text(items["class"], "class") if "class" in items else None),
        frontal_fill=_or(num("frontal_fill", maximum=1.0), 1.0),
        presence=Presence(r.epoch(items.get("attached"), "attached"),
                          r.epoch(items.get("detached"), "detached")),
        citation=r.citation(items),
    )
    if part.presence.start is not None and part.presence.end is not None and float(
            part.presence.end - part.presence.start) <= 0.0:
        raise r.error(items["detached"], f"{name} leaves before it arrives",
                      expected="detached after attached")
    return part, link, link_node


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def _port(r: NodeReader, node: Node, what: str) -> Port:
    names = tuple(d.value for d in Direction)
    if isinstance(node, yaml.ScalarNode):
        return Port(Direction(r.choice(node, f"port of {what}", names)))
    items = r.mapping(node, f"a port of {what}", allowed={"name", "kind", "offset_m",
                                                          "propellant_line"},
                      required=("name",))
    return Port(Direction(r.choice(items["name"], f"port of {what}", names)),
                offset_m=_or(r.number(items["offset_m"], "offset_m", minimum=None)
                             if "offset_m" in items else None, 0.0),
                kind=r.choice(items["kind"], "port kind", ("docking", "berthing", "structural"))
                if "kind" in items else "docking",
                propellant_line=r.flag(items["propellant_line"], "propellant_line")
                if "propellant_line" in items else False)


def _engine(r: NodeReader, node: Node) -> Engine:
    e = r.mapping(node, "an engine", allowed=_ENGINE, required=("name",))
    r.citation(e)
    return Engine(
        name=r.text(e["name"], "engine name"),
        count=r.integer(e["count"], "engine count") if "count" in e else 1,
        thrust_n=r.number(e["thrust_n"], "thrust_n", positive=True) if "thrust_n" in e
        else None,
        isp_s=r.number(e["isp_s"], "isp_s", positive=True) if "isp_s" in e else None,
        sense=cast(ThrustSense, r.choice(e["sense"], "thrust sense", (
            "toward_parent", "away_from_parent", "both")) if "sense" in e else "toward_parent"),
        feed=cast(Feed, r.choice(e["feed"], "feed", ("own", "network")) if "feed" in e
                  else "own"),
        role=r.choice(e["role"], "engine role", ("main", "attitude")) if "role" in e else "main",
        enabled=r.flag(e["enabled"], "enabled") if "enabled" in e else True)


def _propellant(r: NodeReader, node: Node) -> Propellant:
    p = r.mapping(node, "propellant", allowed=_FUEL, required=("load_kg",))
    r.citation(p)
    fuel = Propellant(
        load_kg=r.required_number(p["load_kg"], "propellant load_kg"),
        capacity_kg=r.number(p["capacity_kg"], "capacity_kg") if "capacity_kg" in p else None,
        feed=cast(Feed, r.choice(p["feed"], "feed", ("own", "network")) if "feed" in p
                  else "own"),
        reserved=r.flag(p["reserved"], "reserved") if "reserved" in p else False,
        cargo_kg=r.required_number(p["cargo_kg"], "cargo_kg") if "cargo_kg" in p else 0.0)
    if fuel.capacity_kg is not None and fuel.load_kg > fuel.capacity_kg:
        raise r.error(p["load_kg"], "more propellant than the tanks hold",
                      expected=f"<= {fuel.capacity_kg:g} kg", found=f"{fuel.load_kg:g} kg")
    return fuel


def _wing(r: NodeReader, node: Node) -> SolarWing:
    w = r.mapping(node, "a wing", allowed=_WING, required=("name", "count", "area_m2",
                                                           "power_kw"))
    r.citation(w)
    return SolarWing(
        name=r.text(w["name"], "wing name"), count=r.integer(w["count"], "wing count") or 0,
        area_m2=r.required_number(w["area_m2"], "area_m2"),
        power_kw=r.required_number(w["power_kw"], "power_kw"),
        tracking=r.choice(w["tracking"], "tracking", ("two_axis", "one_axis"))
        if "tracking" in w else "two_axis",
        follows_policy=r.flag(w["follows_policy"], "follows_policy")
        if "follows_policy" in w else True,
        shades_kw=r.required_number(w["shades_kw"], "shades_kw") if "shades_kw" in w else 0.0,
        adds_area=r.flag(w["adds_area"], "adds_area") if "adds_area" in w else True)


def _check_links(r: NodeReader, index: dict[str, Part], links: list[Link],
                 nodes: dict[str, Node], root_node: Node | None) -> None:
    for link in links:
        parent = index.get(link.parent)
        if parent is None:
            raise r.error(nodes[link.child], f"{link.child} is attached to an unknown part",
                          expected="a part named in 'parts'", found=repr(link.parent))
        if parent.port(link.port) is None:
            raise r.error(nodes[link.child], f"{link.parent} has no port {link.port!r}",
                          expected=" | ".join(p.name for p in parent.ports) or "none",
                          found=repr(link.port))
    try:
        root = validate_tree(list(index), links, one_per_port=False)
    except TreeError as exc:
        node = nodes.get(exc.part)
        raise StationFileError(exc.reason, source=r.source,
                               line=node.start_mark.line + 1 if node else None,
                               column=node.start_mark.column + 1 if node else None,
                               expected=exc.expected, found=exc.found) from None
    if root_node is not None and (named := r.text(root_node, "root")) != root:
        raise r.error(root_node, "root is not the part the attachments hang from",
                      expected=repr(root), found=repr(named))
    by_port: dict[str, list[Link]] = {}
    for link in links:
        by_port.setdefault(link.where, []).append(link)
    for port, users in by_port.items():
        for i, first in enumerate(users):
            for second in users[i + 1:]:
                if _overlap(index[first.child].presence, index[second.child].presence):
                    raise r.error(nodes[second.child], f"port {port} holds two parts at once",
                                  expected="one part per port at a time",
                                  found=f"{first.child} and {second.child}")


def _overlap(a: Presence, b: Presence) -> bool:
    a_first = a.end is not None and b.start is not None and float(b.start - a.end) >= 0.0
    b_first = b.end is not None and a.start is not None and float(a.start - b.end) >= 0.0
    return not (a_first or b_first)


def _crew(r: NodeReader, node: Node, parts: dict[str, Part], start: Epoch,
          end: Epoch) -> tuple[CrewMember, ...]:
    out: list[CrewMember] = []
    first_line: dict[str, int] = {}
    for entry in r.sequence(node, "crew"):
        items = r.mapping(entry, "a crew member", allowed=_CREW,
                          required=("name", "agency", "location"))
        name = r.text(items["name"], "name")
        if name in first_line:
            raise r.error(entry, f"duplicate crew member {name!r}", expected="unique names",
                          found=f"a second entry (the first is at line {first_line[name]})")
        first_line[name] = entry.start_mark.line + 1
        if (location := r.text(items["location"], "location")) not in parts:
            raise r.error(items["location"], f"{name} is in an unknown part",
                          expected="a part named in 'parts'", found=repr(location))
        seat_node = items.get("return_vehicle", entry)
        vehicle = r.optional_text(items.get("return_vehicle"), "return_vehicle")
        if vehicle is None:
            raise r.error(seat_node, f"crew member {name} has no seat home",
                          expected="return_vehicle: a docked vehicle with a seat",
                          found="none")
        craft = parts.get(vehicle)
        if craft is None or craft.seats < 1:
            raise r.error(seat_node, f"{name}'s return vehicle has no seats",
                          expected="a vehicle with seats",
                          found=repr(vehicle) + ("" if craft else " (not a part)"))
        arrived_by, arrived = "", None
        if "arrived" in items:
            arr = r.mapping(items["arrived"], "arrived", allowed={"vehicle", "date"})
            arrived_by = r.text(arr["vehicle"], "vehicle") if "vehicle" in arr else ""
            arrived = r.epoch(arr.get("date"), "date")
        aboard = Presence(arrived, r.epoch(items.get("departs"), "departs"))
        if not craft.presence.covers(aboard.clip(start, end)):
            raise r.error(seat_node, f"{name} is aboard while {vehicle} is not docked",
                          expected="a return vehicle docked for the whole stay")
        out.append(CrewMember(name, r.text(items["agency"], "agency"), location, vehicle,
                              arrived_by, r.optional_text(items.get("role"), "role") or "",
                              aboard, r.citation(items)))
        over = overbooked_vehicles(tuple(out), {p.name: p.seats for p in parts.values()})
        if vehicle in over:
            raise r.error(seat_node, f"more crew hold a seat on {vehicle} than it has",
                          expected=f"at most {craft.seats} (no seat assigned twice)",
                          found=str(over[vehicle]))
    return tuple(out)
