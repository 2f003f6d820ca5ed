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

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import PurePath
from typing import Any, cast

from stationsim.errors import InputError, ScenarioFileError, StationsimError
from stationsim.io.omm import parse_omm
from stationsim.io.scenario_file import (
    KeyPath,
    ScenarioDocument,
    describe_value,
    format_path,
    parse_scenario_document,
)
from stationsim.io.station_file import parse_station
from stationsim.io.tle import parse_tle
from stationsim.propagation.elements import GPElements
from stationsim.scenario.spec import (
    EVENT_KINDS,
    AltitudeMaintenance,
    ArrayMode,
    Burn,
    CrewLanding,
    Dock,
    End,
    Event,
    MoveCrew,
    OrbitStart,
    Scenario,
    SpaceWeatherMode,
    Start,
    TransferPropellant,
    Undock,
)
from stationsim.station import (
    ArrayPolicy,
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
#: Policy kinds.
POLICY_KINDS = ("altitude_maintenance",)
_DIRECTIONS = tuple(d.value for d in Direction)
_CONFIDENCE = ("H", "M", "L", "D", "A")
_KM, _DAY, _DEG = 1000.0, 86400.0, math.pi / 180.0
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
_POLICY = {"kind", "below_km", "to_km", "check_days", "bodies"}
#: Keys of each event kind besides ``at`` and ``kind``.
_EVENT_KEYS: dict[str, set[str]] = {
    "undock": {"part", "track"}, "dock": {"vehicle", "port"},
    "move_crew": {"crew", "to", "seat"}, "crew_landing": {"vehicle"},
    "burn": {"vehicle", "delta_v_m_s", "duration_s", "direction"},
    "array_mode": {"policy", "body"}, "transfer_propellant": {"source", "target", "kg"},
}
_MISSING: Any = object()
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


class _Table:
    """Typed access to one table of the file; every failure names its key path and line."""

    def __init__(self, b: _Builder, value: Any, path: KeyPath, allowed: set[str],
                 required: tuple[str, ...] = ()) -> None:
        self.b, self.path = b, path
        if not isinstance(value, dict):
            raise b.error(path, "must be a table of keys", expected="key = value pairs",
                          found=describe_value(value))
        for key in value:
            if key not in allowed:
                raise b.error((*path, key), f"unknown key {key!r}",
                              expected="one of " + ", ".join(sorted(allowed)))
        for key in required:
            if key not in value:
                raise b.error((*path, key), f"missing: {format_path(path) or 'the file'} "
                              f"needs {key!r}", expected=f"a {key!r} key")
        self.items: dict[str, Any] = value

    def has(self, key: str) -> bool:
        return key in self.items

    def at(self, key: str) -> KeyPath:
        return (*self.path, key)

    def _get(self, key: str, default: Any, what: str) -> Any:
        if key in self.items:
            return self.items[key]
        if default is _MISSING:
            raise self.b.error(self.at(key), "missing", expected=what)
        return default

    def text(self, key: str, default: Any = _MISSING) -> Any:
        value = self._get(key, default, "text")
        if key not in self.items:
            return value
        if not isinstance(value, str) or not value.strip():
            raise self.b.error(self.at(key), "must be text", expected="non-empty text",
                               found=describe_value(value))
        return value.strip()

    def number(self, key: str, default: Any = _MISSING, *, positive: bool = False,
               minimum: float | None = None, maximum: float | None = None) -> Any:
        value = self._get(key, default, "a number")
        if key not in self.items:
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.b.error(self.at(key), "must be a number", expected="a number",
                               found=describe_value(value))
        try:
            out = float(value)
        except OverflowError:
            out = math.inf
        if not math.isfinite(out):
            raise self.b.error(self.at(key), "must be a finite number", found=repr(value))
        if positive and out <= 0.0:
            raise self.b.error(self.at(key), "must be positive", expected="> 0",
                               found=repr(value))
        if minimum is not None and out < minimum:
            raise self.b.error(self.at(key), "is too small", expected=f">= {minimum:g}",
                               found=repr(value))
        if maximum is not None and out > maximum:
            raise self.b.error(self.at(key), "is too large", expected=f"<= {maximum:g}",
                               found=repr(value))
        return out

    def integer(self, key: str, default: int, *, minimum: int = 0) -> int:
        value = self.items.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.b.error(self.at(key), "must be a whole number",
                               expected=f"an integer >= {minimum}", found=describe_value(value))
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.items.get(key, default)
        if not isinstance(value, bool):
            raise self.b.error(self.at(key), "must be true or false", expected="true | false",
                               found=describe_value(value))
        return value

    def choice(self, key: str, choices: tuple[str, ...], default: Any = _MISSING) -> Any:
        value = self._get(key, default, " | ".join(choices))
        if key in self.items and value not in choices:
            raise self.b.error(self.at(key), "unknown value", expected=" | ".join(choices),
                               found=describe_value(value))
        return value

    def names(self, key: str, *, allow_empty: bool = True) -> tuple[str, ...]:
        """A name or a list of names (each non-empty text, none twice)."""
        value = self.items.get(key, [])
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) and v.strip()
                                                   for v in values):
            raise self.b.error(self.at(key), "must be a name or a list of names",
                               expected='"name" or ["name", ...]', found=describe_value(value))
        out = tuple(v.strip() for v in values)
        if len(set(out)) != len(out) or (not out and not allow_empty):
            raise self.b.error(self.at(key), "needs names, each once", found=repr(list(out)))
        return out

    def epoch(self, key: str, default: Any = _MISSING) -> Any:
        value = self._get(key, default, "an ISO 8601 UTC time")
        if key not in self.items:
            return value
        if isinstance(value, dt.date):  # a TOML date-time or date (datetime is a date)
            value = value.isoformat()
        if not isinstance(value, str):
            raise self.b.error(self.at(key), "must be a UTC time",
                               expected="text such as \"2022-03-30T07:00:00Z\"",
                               found=describe_value(value))
        try:
            return self.b.ts.from_iso(value)
        except StationsimError as exc:
            reason = exc.reason if isinstance(exc, InputError) else str(exc)
            raise self.b.error(self.at(key), reason, expected=getattr(exc, "expected", None),
                               found=repr(value)) from None

    def table(self, key: str, allowed: set[str], required: tuple[str, ...] = ()) -> _Table:
        return _Table(self.b, self._get(key, {}, "a table"), self.at(key), allowed, required)

    def tables(self, key: str) -> list[tuple[KeyPath, Any]]:
        """The entries of an array of tables, with their key paths."""
        value = self.items.get(key, [])
        if not isinstance(value, list):
            raise self.b.error(self.at(key), "must be a list of tables",
                               expected=f"[[{key}]] tables", found=describe_value(value))
        return [((*self.at(key), i), item) for i, item in enumerate(value)]


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
        top = _Table(self, self.doc.data, (), _TOP, required=("start", "end"))
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
        events = [self.event(path, item, start.epoch, end, names)
                  for path, item in top.tables("events")]
        events.sort(key=lambda e: float(e.epoch - start.epoch))  # stable: file order kept
        return Scenario(
            name=top.text("name", "") or _stem(self.doc.source), start=start, end=end,
            title=top.text("title", ""), description=top.text("description", ""),
            space_weather=mode, f107_sfu=f107, ap=ap,
            atmosphere=physics.choice("atmosphere", ATMOSPHERES, "msis2"),
            drag_calibration=physics.choice("drag_calibration", DRAG_CALIBRATIONS, "tle"),
            forces=physics.choice("forces", FORCES, "lifetime"),
            calibration_until=physics.epoch("calibration_until", None),
            output_step_s=physics.number("output_step_s", 60.0, positive=True,
                                         maximum=600.0),
            events=tuple(events), vehicles=_place_vehicles(vehicles, events),
            policies=tuple(self.policy(path, item) for path, item in top.tables("policies")),
            source=self.doc.source)

    # --- start and end ----------------------------------------------------------------------
    def start(self, t: _Table) -> Start:
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

    def elements(self, t: _Table, key: str) -> GPElements:
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

    def orbit(self, t: _Table) -> OrbitStart:
        altitude_km = t.number("altitude_km", positive=True, maximum=50000.0)
        eccentricity = t.number("eccentricity", 0.0, minimum=0.0, maximum=0.99)
        radius_km = 6378.137 + altitude_km
        if radius_km * (1.0 - eccentricity) < 6378.137:
            raise self.error(t.at("eccentricity"), "puts the perigee below the surface",
                             expected=f"< {altitude_km / radius_km:.4f} at this altitude",
                             found=repr(eccentricity))
        return OrbitStart(
            altitude_m=altitude_km * _KM,
            inclination_rad=t.number("inclination_deg", minimum=0.0, maximum=180.0) * _DEG,
            raan_rad=t.number("raan_deg", 0.0, minimum=-360.0, maximum=360.0) * _DEG,
            argument_of_latitude_rad=t.number("argument_of_latitude_deg", 0.0, minimum=-360.0,
                                              maximum=360.0) * _DEG,
            eccentricity=eccentricity)

    def end(self, t: _Table, start: Epoch) -> End:
        until = t.epoch("until", None)
        days = t.number("days", None, positive=True)
        reentry = t.flag("reentry", False)
        if until is None and days is None and not reentry:
            raise self.error(t.path, "says nothing about when to stop",
                             expected="until, days or reentry = true")
        if until is not None and float(until - start) <= 0.0:
            raise self.error(t.at("until"), "the end is not after the start",
                             expected=f"after {start.iso(0)}", found=until.iso(0))
        if t.has("max_days") and not reentry:
            raise self.error(t.at("max_days"), "only bounds a run that waits for re-entry",
                             expected="reentry = true with it")
        return End(until=until, days=days, reentry=reentry,
                   max_days=t.number("max_days", 3650.0, positive=True))

    # --- vehicles, policies, events -----------------------------------------------------------
    def vehicle(self, path: KeyPath, item: Any) -> tuple[Part, KeyPath]:
        t = _Table(self, item, path, _VEHICLE, required=("name", "segment", "mass_kg"))
        name = t.text("name")
        engines = []
        for epath, entry in t.tables("engines"):
            e = _Table(self, entry, epath, _ENGINE, required=("name", "thrust_n", "isp_s"))
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
        if value not in _DIRECTIONS:
            raise self.error(path, "unknown port direction", expected=" | ".join(_DIRECTIONS),
                             found=repr(value))
        return value

    def policy(self, path: KeyPath, item: Any) -> AltitudeMaintenance:
        _Table(self, item, path, _own_keys(item), required=("kind",)).choice("kind",
                                                                             POLICY_KINDS)
        t = _Table(self, item, path, _POLICY, required=("kind", "below_km", "to_km"))
        below = t.number("below_km", positive=True, maximum=50000.0)
        to = t.number("to_km", positive=True, maximum=50000.0)
        if below >= to:
            raise self.error(t.at("to_km"), "the reboost does not go above its trigger",
                             expected=f"to_km > below_km = {below:g}", found=f"{to:g}")
        return AltitudeMaintenance(
            below_m=below * _KM, to_m=to * _KM,
            check_s=t.number("check_days", 1.0, positive=True) * _DAY,
            bodies=t.names("bodies"), where=self.where(path))

    def event(self, path: KeyPath, item: Any, start: Epoch, end: End,
              vehicles: list[str]) -> Event:
        probe = _Table(self, item, path, _own_keys(item), required=("at", "kind"))
        kind = probe.choice("kind", EVENT_KINDS)
        t = _Table(self, item, path, {"at", "kind", *_EVENT_KEYS[kind]})
        epoch = t.epoch("at")
        ahead = float(epoch - start)
        if ahead < 0.0:
            raise self.error(t.at("at"), "the event is before the start",
                             expected=f"at or after {start.iso(0)}", found=epoch.iso(0))
        limit = _last_second(end, start)
        if ahead > limit:
            raise self.error(t.at("at"), "the event is after the end of the run",
                             expected=f"at or before {(start + limit).iso(0)}",
                             found=epoch.iso(0))
        common: dict[str, Any] = {"epoch": epoch, "where": self.where(path)}
        if kind == "undock":
            return Undock(**common, part=t.text("part"), track=t.flag("track", True))
        if kind == "dock":
            vehicle = t.text("vehicle")
            if vehicle not in vehicles:
                raise self.error(t.at("vehicle"), "not one of the scenario's vehicles",
                                 expected="one of " + (", ".join(vehicles) or
                                                       "the [[vehicles]] (none given)"),
                                 found=repr(vehicle))
            port = t.text("port")
            parent, dot, name = port.rpartition(".")
            if not dot or not parent or name not in _DIRECTIONS:
                raise self.error(t.at("port"), "a port is named Parent.direction",
                                 expected="e.g. \"IDA-3.zenith\" (" + " | ".join(_DIRECTIONS)
                                 + ")", found=repr(port))
            return Dock(**common, vehicle=vehicle, port=port)
        if kind == "move_crew":
            return MoveCrew(**common, crew=t.names("crew", allow_empty=False), to=t.text("to"),
                            seat=t.text("seat", ""))
        if kind == "crew_landing":
            return CrewLanding(**common, vehicle=t.text("vehicle"))
        if kind == "burn":
            return self.burn(t, common)
        if kind == "array_mode":
            return ArrayMode(**common, policy=ArrayPolicy(t.choice("policy", tuple(ArrayPolicy))),
                             body=t.text("body", ""))
        source, target = t.text("source"), t.text("target")
        if source == target:
            raise self.error(t.at("target"), "propellant moves between two parts",
                             expected=f"a part other than {source!r}", found=repr(target))
        return TransferPropellant(**common, source=source, target=target,
                                  kg=t.number("kg", positive=True))

    def burn(self, t: _Table, common: dict[str, Any]) -> Burn:
        given = sorted((k for k in ("delta_v_m_s", "duration_s") if t.has(k)),
                       key=lambda k: self.doc.locator.locate(t.at(k))[0] or 0)
        if len(given) != 1:  # point at the second one written
            raise self.error(t.at(given[1]) if given else t.path,
                             "a burn is given by delta_v_m_s or by duration_s",
                             expected="exactly one of them",
                             found=" and ".join(given) if given else "neither")
        dv = t.number("delta_v_m_s", None, minimum=-1e4, maximum=1e4)
        if dv == 0.0:
            raise self.error(t.at("delta_v_m_s"), "a burn changes the velocity",
                             expected="a non-zero number", found="0")
        if dv is not None and dv < 0.0 and t.has("direction"):
            raise self.error(t.at("delta_v_m_s"), "a negative velocity change already means "
                             "retrograde", expected="a positive value with direction",
                             found=f"{dv:g} with direction = {t.items['direction']!r}")
        return Burn(**common, vehicle=t.text("vehicle"), delta_v_m_s=dv,
                    duration_s=t.number("duration_s", None, positive=True, maximum=1e7),
                    direction=t.choice("direction", ("prograde", "retrograde"), "prograde"))


def _last_second(end: End, start: Epoch) -> float:
    """Seconds from the start to the latest instant the run can reach."""
    limits = [end.max_days * _DAY] if end.reentry else []
    if end.days is not None:
        limits.append(end.days * _DAY)
    if end.until is not None:
        limits.append(float(end.until - start))
    return min(limits) if limits else math.inf


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


def _own_keys(item: Any) -> set[str]:
    """The keys a table has (to check its type and required keys before its kind is known)."""
    return set(item) if isinstance(item, dict) else set()


def _stem(source: str) -> str:
    return "scenario" if source.startswith("<") else PurePath(source).stem or "scenario"
