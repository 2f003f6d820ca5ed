"""Scenario files -> :class:`~stationsim.scenario.spec.Scenario`: every key checked against an
explicit schema, every value converted to SI.

The keys are documented in ``docs/scenarios.md``; the built-in scenarios
(``stationsim/data/bundled/scenarios/``) use most of them. The file may be TOML or YAML
(:mod:`stationsim.io.scenario_file` reads either). Parsing is pure: the caller reads the text,
and a ``station_file`` is read through the ``read_station`` callback it passes.

Every error is a :class:`~stationsim.errors.ScenarioFileError` that names the key path
(``events[2].at``; list indices count from 0), the line (and column where known), what was
expected and what was found: unknown keys, wrong types, missing keys, unknown names, and
impossible values (a negative mass, ``below_km >= to_km``, an end before the start, an event
before the start, a burn with both or neither of ``delta_v_m_s`` and ``duration_s``, ...).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import PurePath
from typing import Any, cast

from stationsim.errors import InputError, ScenarioFileError
from stationsim.io.omm import parse_omm
from stationsim.io.scenario_file import (
    KeyPath,
    ScenarioDocument,
    format_path,
    parse_scenario_document,
)
from stationsim.io.station_file import parse_station
from stationsim.io.tle import parse_tle
from stationsim.propagation.elements import GPElements
from stationsim.scenario.schema_events import (
    DIRECTIONS,
    POLICY_KINDS,
    parse_event,
    parse_policy,
)
from stationsim.scenario.schema_table import Table
from stationsim.scenario.spec import (
    Dock,
    End,
    Event,
    OrbitStart,
    Scenario,
    SpaceWeatherMode,
    Start,
)
from stationsim.station import (
    Citation,
    Direction,
    Engine,
    Part,
    PartKind,
    Port,
    Presence,
    Propellant,
    Segment,
)
from stationsim.station.parts import Axis, ThrustSense
from stationsim.time import Epoch, Timescale

__all__ = ["ATMOSPHERES", "DRAG_CALIBRATIONS", "FORCES", "FORMAT", "POLICY_KINDS",
           "parse_scenario"]

#: The value of the optional top-level ``format`` key.
FORMAT = "stationsim-scenario 1"
#: Atmosphere models a scenario may name.
ATMOSPHERES = ("msis2", "nrlmsise00", "harris-priester", "exponential")
#: Drag calibrations: fitted to the TLEs before the start, or the geometric model alone.
DRAG_CALIBRATIONS = ("tle", "none")
#: Force models a scenario can choose (see :class:`~stationsim.scenario.spec.Scenario`).
FORCES = ("lifetime", "full")
_CONFIDENCE = ("H", "M", "L", "D", "A")
_KM, _DAY, _DEG = 1000.0, 86400.0, math.pi / 180.0
#: A start orbit's lowest perigee and highest apogee above the equatorial radius [km]: the
#: entry interface, and the atmosphere models' top less a margin for the J2 terms.
_LOWEST_KM, _HIGHEST_KM = 120.0, 980.0
#: The longest run [days] (the lifetime engine's horizon).
_LONGEST_DAYS = 3650.0
#: The most ephemeris states of a run (about 1 GB of them at most).
_MOST_STATES = 2_000_000
#: A scenario's name: it names the run's folder.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_CITE = {"src", "conf", "note"}
_TOP = {"format", "name", "title", "description", "start", "end", "space_weather", "physics",
        "vehicles", "policies", "events"}
_START = {"epoch", "state", "tle", "omm", "orbit", "station", "station_file", "station_epoch"}
_ORBIT = {"altitude_km", "inclination_deg", "raan_deg", "argument_of_latitude_deg",
          "eccentricity"}
_END = {"until", "days", "reentry", "max_days"}
_WEATHER = {"mode", "f107_sfu", "ap"}
_PHYSICS = {"atmosphere", "drag_calibration", "calibration_until", "forces", "output_step_s"}
_VEHICLE = _CITE | {"name", "class", "segment", "owner", "mass_kg", "length_m", "diameter_m",
                    "axis", "ports", "seats", "engines", "propellant_kg", "propellant_reserved",
                    "cargo_propellant_kg"}
_ENGINE = {"name", "count", "thrust_n", "isp_s", "sense", "role"}
#: A vehicle's presence: open-ended (its dock event decides). One shared, immutable object,
#: because presences compare by identity and two readings of one file must give equal parts.
_OPEN = Presence()

ReadStation = Callable[[str], str]


def parse_scenario(text: str, *, ts: Timescale, source: str = "<string>",
                   format: str | None = None,
                   read_station: ReadStation | None = None) -> Scenario:
    """A scenario from the text of a scenario file.

    Args:
        text: the file's text.
        ts: the timescale for the file's UTC instants.
        source: the file's name, for messages; its suffix (``.toml``, ``.yaml``, ``.yml``)
            chooses the format unless ``format`` is given; its stem is the default ``name``.
        format: ``"toml"`` or ``"yaml"``.
        read_station: gives the text of a ``start.station_file`` (a path as written in the
            file); without it a ``station_file`` is refused.

    Raises:
        ScenarioFileError: with the key path, line, what was expected and what was found.
        StationFileError: a ``station_file`` that is not a valid station file.
    """
    doc = parse_scenario_document(text, source=source, format=format)
    return _Builder(doc, ts, read_station).scenario()


class _Builder:
    def __init__(self, doc: ScenarioDocument, ts: Timescale,
                 read_station: ReadStation | None) -> None:
        self.doc, self.ts, self.read_station = doc, ts, read_station

    def error(self, path: KeyPath, message: str, *, expected: str | None = None,
              found: str | None = None, line: int | None = None,
              column: int | None = None) -> ScenarioFileError:
        if line is None:
            line, column = self.doc.locator.locate(path)
        return ScenarioFileError(f"{format_path(path)}: {message}" if path else message,
                                 source=self.doc.source, line=line, column=column,
                                 expected=expected, found=found)

    def where(self, path: KeyPath) -> str:
        line, _ = self.doc.locator.locate(path)
        return format_path(path) + (f", line {line}" if line is not None else "")

    def scenario(self) -> Scenario:
        top = Table(self, self.doc.data, (), _TOP, required=("start", "end"))
        if top.has("format") and top.text("format") != FORMAT:
            raise self.error(("format",), "unknown format", expected=repr(FORMAT),
                             found=repr(top.items["format"]))
        start = self.start(top.table("start", _START, required=("epoch",)))
        end = self.end(top.table("end", _END), start.epoch)
        weather = top.table("space_weather", _WEATHER)
        mode = SpaceWeatherMode(weather.choice("mode", tuple(SpaceWeatherMode), "observed"))
        f107 = ap = None
        for key in ("f107_sfu", "ap"):
            if mode is SpaceWeatherMode.CONSTANT and not weather.has(key):
                raise self.error(weather.at(key), "missing: mode = \"constant\" needs it",
                                 expected="a number")
            if mode is not SpaceWeatherMode.CONSTANT and weather.has(key):
                raise self.error(weather.at(key), "only goes with mode = \"constant\"",
                                 found=f"mode = {mode.value!r}")
        if mode is SpaceWeatherMode.CONSTANT:
            f107 = weather.number("f107_sfu", positive=True, maximum=1000.0)
            ap = weather.number("ap", minimum=0.0, maximum=400.0)
        physics = top.table("physics", _PHYSICS)
        vehicles = [self.vehicle(path, item) for path, item in top.tables("vehicles")]
        names = [v.name for v, _ in vehicles]
        for (part, path), name in zip(vehicles, names, strict=True):
            if names.count(name) > 1:
                raise self.error((*path, "name"), "two vehicles have this name",
                                 found=repr(part.name))
        events = [parse_event(self, path, item, start.epoch, end, names)
                  for path, item in top.tables("events")]
        events.sort(key=lambda e: float(e.epoch - start.epoch))  # stable: file order kept
        if top.has("name") and not _NAME.fullmatch(top.text("name")):
            raise self.error(("name",), "is not a scenario name",
                             expected="1-64 letters, digits, '.', '_' or '-', starting with a "
                                      "letter or digit", found=repr(top.text("name")[:80]))
        return Scenario(
            name=top.text("name", "") or _stem(self.doc.source), start=start, end=end,
            title=top.text("title", "", max_length=200),
            description=top.text("description", "", max_length=5000),
            space_weather=mode, f107_sfu=f107, ap=ap,
            atmosphere=physics.choice("atmosphere", ATMOSPHERES, "msis2"),
            drag_calibration=physics.choice("drag_calibration", DRAG_CALIBRATIONS, "tle"),
            forces=physics.choice("forces", FORCES, "lifetime"),
            calibration_until=physics.epoch("calibration_until", None),
            output_step_s=self.output_step(physics, end, start.epoch, len(events)),
            events=tuple(events), vehicles=_place_vehicles(vehicles, events),
            policies=tuple(parse_policy(self, path, item)
                           for path, item in top.tables("policies")),
            source=self.doc.source)

    # --- start and end ----------------------------------------------------------------------
    def start(self, t: Table) -> Start:
        epoch = t.epoch("epoch")
        given = [k for k in ("tle", "omm", "orbit") if t.has(k)]
        if len(given) > 1:
            raise self.error(t.at(given[1]), f"the start state is given twice ({given[0]} and "
                             f"{given[1]})", expected="one of tle, omm, orbit")
        if t.has("state"):
            t.choice("state", ("bundled",))
            if given:
                raise self.error(t.at("state"), f"state = \"bundled\" cannot go with "
                                 f"{given[0]}", expected="one of state, tle, omm, orbit")
        elements = orbit = None
        if t.has("tle"):
            elements = self.elements(t, "tle")
        elif t.has("omm"):
            elements = self.elements(t, "omm")
        elif t.has("orbit"):
            orbit = self.orbit(t.table("orbit", _ORBIT, required=("altitude_km",
                                                                  "inclination_deg")))
        station, station_source = "bundled", "bundled"
        if t.has("station") and t.has("station_file"):
            raise self.error(t.at("station_file"), "the station is given twice",
                             expected="station or station_file")
        if t.has("station"):
            t.choice("station", ("bundled",))
        if t.has("station_file"):
            station_source = t.text("station_file")
            station = self.station_text(t.at("station_file"), station_source)
        return Start(epoch=epoch, elements=elements, orbit=orbit, station=station,
                     station_source=station_source,
                     station_epoch=t.epoch("station_epoch", None))

    def station_text(self, path: KeyPath, name: str) -> str:
        if self.read_station is None:
            raise self.error(path, "a station file cannot be read here",
                             expected='station = "bundled"', found=repr(name))
        try:
            text = self.read_station(name)
        except OSError as exc:
            raise self.error(path, f"cannot read the station file: {exc.strerror or exc}",
                             found=repr(name)) from None
        parse_station(text, ts=self.ts, source=name)  # its errors name its own lines
        return text

    def elements(self, t: Table, key: str) -> GPElements:
        raw = t.text(key)
        # Leading blanks carry no meaning in a TLE or a KVN OMM; indented text is allowed.
        text = "\n".join(line.strip() for line in str(t.items[key]).splitlines())
        try:
            found = parse_tle(text, source=key) if key == "tle" else parse_omm(text, key)
        except InputError as exc:
            line, column = self.inner_position(t.at(key), exc)
            raise self.error(t.at(key), f"not a valid {key.upper()}: {exc.reason}",
                             expected=exc.expected, found=exc.found, line=line,
                             column=column) from None
        if len(found) != 1:
            raise self.error(t.at(key), f"holds {len(found)} element sets",
                             expected="exactly one", found=repr(raw[:40]))
        return found[0]

    def inner_position(self, path: KeyPath, exc: InputError) -> tuple[int | None, int | None]:
        """The place in the scenario file of an error found inside one of its strings."""
        start = self.doc.locator.text_start(path)
        line, column = self.doc.locator.locate(path)
        if start is None or exc.line is None:
            return line, column
        first, _, block = start
        if not block:  # a one-line string: its line breaks are escapes, not lines
            return first, None
        number = first + exc.line - 1
        if number > len(self.doc.lines):
            return line, column
        raw = self.doc.lines[number - 1]
        indent = len(raw) - len(raw.lstrip())
        return number, None if exc.column is None else exc.column + indent

    def orbit(self, t: Table) -> OrbitStart:
        # Within the atmosphere models (to 1,000 km, less the J2 terms' few kilometres) and
        # above the entry interface.
        altitude_km = t.number("altitude_km", minimum=_LOWEST_KM, maximum=_HIGHEST_KM)
        eccentricity = t.number("eccentricity", 0.0, minimum=0.0, maximum=0.99)
        radius_km = 6378.137 + altitude_km
        if radius_km * (1.0 - eccentricity) < 6378.137 + _LOWEST_KM:
            raise self.error(t.at("eccentricity"), "puts the perigee below the entry interface",
                             expected=f"< {(altitude_km - _LOWEST_KM) / radius_km:.4f} at this "
                                      "altitude", found=repr(eccentricity))
        if radius_km * (1.0 + eccentricity) > 6378.137 + _HIGHEST_KM:
            raise self.error(t.at("eccentricity"), "puts the apogee above the atmosphere "
                             f"models' reach ({_HIGHEST_KM:.0f} km)",
                             expected=f"< {(_HIGHEST_KM - altitude_km) / radius_km:.4f} at this "
                                      "altitude", found=repr(eccentricity))
        return OrbitStart(
            altitude_m=altitude_km * _KM,
            inclination_rad=t.number("inclination_deg", minimum=0.0, maximum=180.0) * _DEG,
            raan_rad=t.number("raan_deg", 0.0, minimum=-360.0, maximum=360.0) * _DEG,
            argument_of_latitude_rad=t.number("argument_of_latitude_deg", 0.0, minimum=-360.0,
                                              maximum=360.0) * _DEG,
            eccentricity=eccentricity)

    def end(self, t: Table, start: Epoch) -> End:
        until = t.epoch("until", None)
        days = t.number("days", None, positive=True)
        reentry = t.flag("reentry", False)
        if until is None and days is None and not reentry:
            raise self.error(t.path, "says nothing about when to stop",
                             expected="until, days or reentry = true")
        if until is not None and float(until - start) <= 0.0:
            raise self.error(t.at("until"), "the end is not after the start",
                             expected=f"after {start.iso(0)}", found=until.iso(0))
        if until is not None and float(until - start) > _LONGEST_DAYS * 86400.0:
            raise self.error(t.at("until"), "the run would be too long",
                             expected=f"at most {_LONGEST_DAYS:,.0f} days after the start",
                             found=until.iso(0))
        if days is not None and days > _LONGEST_DAYS:
            raise self.error(t.at("days"), "the run would be too long",
                             expected=f"at most {_LONGEST_DAYS:,.0f}", found=repr(days))
        if t.has("max_days") and not reentry:
            raise self.error(t.at("max_days"), "only bounds a run that waits for re-entry",
                             expected="reentry = true with it")
        return End(until=until, days=days, reentry=reentry,
                   max_days=t.number("max_days", _LONGEST_DAYS, positive=True,
                                     maximum=_LONGEST_DAYS))

    def output_step(self, t: Table, end: End, start: Epoch, events: int) -> float:
        """The ephemeris step [s]: 1 to 600 s, and no more states than a run can hold (one
        revolution, at most 6,000 s, a day; two whole days from the start and each event)."""
        step = float(t.number("output_step_s", 60.0, minimum=1.0, maximum=600.0))
        # The run stops at the first of its bounds (as the runner does).
        span_s = min([end.max_days * _DAY]
                     + ([end.days * _DAY] if end.days is not None else [])
                     + ([float(end.until - start)] if end.until is not None else []))
        sampled_s = span_s / _DAY * 6000.0 + 2.0 * _DAY * (events + 1)
        if sampled_s / step > _MOST_STATES:
            raise self.error(t.at("output_step_s"), "makes too many states for the run's span",
                             expected=f"at least {sampled_s / _MOST_STATES:.1f} s over "
                                      f"{span_s / _DAY:,.0f} days", found=repr(step))
        return step

    # --- vehicles, policies, events -----------------------------------------------------------
    def vehicle(self, path: KeyPath, item: Any) -> tuple[Part, KeyPath]:
        t = Table(self, item, path, _VEHICLE, required=("name", "segment", "mass_kg"))
        name = t.text("name")
        engines = []
        for epath, entry in t.tables("engines"):
            e = Table(self, entry, epath, _ENGINE, required=("name", "thrust_n", "isp_s"))
            engines.append(Engine(
                name=e.text("name"), count=e.integer("count", 1, minimum=1),
                thrust_n=e.number("thrust_n", positive=True),
                isp_s=e.number("isp_s", positive=True, maximum=1e5),
                sense=cast(ThrustSense, e.choice("sense", ("toward_parent", "away_from_parent",
                                                           "both"), "toward_parent")),
                role=e.choice("role", ("main", "attitude"), "main")))
        load = t.number("propellant_kg", 0.0, minimum=0.0)
        cargo = t.number("cargo_propellant_kg", 0.0, minimum=0.0)
        fuel = None
        if t.has("propellant_kg") or t.has("cargo_propellant_kg"):
            fuel = Propellant(load_kg=load, capacity_kg=load, feed="own",
                              reserved=t.flag("propellant_reserved", False), cargo_kg=cargo)
        elif t.has("propellant_reserved"):
            raise self.error(t.at("propellant_reserved"), "there is no propellant to reserve",
                             expected="propellant_kg with it")
        ports = tuple(Port(Direction(self.direction((*t.at("ports"), i), p)))
                      for i, p in enumerate(t.names("ports")))
        seats = t.integer("seats", 0)
        source = t.names("src")
        part = Part(
            name=name, kind=PartKind.VEHICLE,
            segment=Segment(t.choice("segment", tuple(Segment))),
            mass_kg=t.number("mass_kg", positive=True),
            axis=cast(Axis, t.choice("axis", ("x", "y", "z"), "")),
            owner=t.text("owner", ""), length_m=t.number("length_m", None, positive=True),
            diameter_m=t.number("diameter_m", None, positive=True), ports=ports,
            engines=tuple(engines), propellant=fuel, seats=seats, seats_max=seats,
            vehicle_class=t.text("class", None), presence=_OPEN,
            citation=Citation(source, t.choice("conf", _CONFIDENCE, "A"), t.text("note", "")))
        return part, path

    def direction(self, path: KeyPath, value: str) -> str:
        if value not in DIRECTIONS:
            raise self.error(path, "unknown port direction", expected=" | ".join(DIRECTIONS),
                             found=repr(value))
        return value

def _place_vehicles(vehicles: list[tuple[Part, KeyPath]], events: list[Event]
                    ) -> tuple[Part, ...]:
    """Vehicles without an ``axis`` take the axis of the port of their first dock event and,
    without ``ports``, one docking port facing back along it (toward the station)."""
    first_port: dict[str, str] = {}
    for event in events:
        if isinstance(event, Dock):
            first_port.setdefault(event.vehicle, event.port.rpartition(".")[2])
    out = []
    for part, _ in vehicles:
        facing = Direction(first_port.get(part.name, "fwd"))
        if not part.axis:
            part = replace(part, axis=facing.axis)
        if not part.ports and part.name in first_port:
            part = replace(part, ports=(Port(facing.opposite),))
        out.append(part)
    return tuple(out)


def _stem(source: str) -> str:
    return "scenario" if source.startswith("<") else PurePath(source).stem or "scenario"
