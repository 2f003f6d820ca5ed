"""The ``[[events]]`` and ``[[policies]]`` of a scenario file -> the events and policies of
:mod:`stationsim.scenario.spec`, each value converted to SI and checked (see
:mod:`stationsim.scenario.schema` for the errors' form)."""

from __future__ import annotations

import math
from typing import Any

from stationsim.io.scenario_file import KeyPath
from stationsim.scenario.schema_table import Reader, Table, own_keys
from stationsim.scenario.spec import (
    ATTITUDE_MODES,
    EVENT_KINDS,
    AltitudeMaintenance,
    ArrayMode,
    AttitudeMode,
    Burn,
    Conjunction,
    CrewLanding,
    DebrisAvoidance,
    Dock,
    End,
    Event,
    MoveCrew,
    Policy,
    TransferPropellant,
    Undock,
)
from stationsim.station import ArrayPolicy, Direction
from stationsim.time import Epoch

__all__ = ["DIRECTIONS", "POLICY_KINDS", "parse_event", "parse_policy"]

#: Policy kinds.
POLICY_KINDS = ("altitude_maintenance", "debris_avoidance")
#: Port directions as a file names them.
DIRECTIONS = tuple(d.value for d in Direction)
_KM, _DAY = 1000.0, 86400.0
#: Keys of each policy kind besides ``kind``.
_POLICY_KEYS: dict[str, set[str]] = {
    "altitude_maintenance": {"below_km", "to_km", "check_days", "bodies"},
    "debris_avoidance": {"threshold", "delta_v_m_s", "bodies"},
}
#: Keys of each event kind besides ``at`` and ``kind``.
_EVENT_KEYS: dict[str, set[str]] = {
    "undock": {"part", "track"}, "dock": {"vehicle", "port"},
    "move_crew": {"crew", "to", "seat"}, "crew_landing": {"vehicle"},
    "burn": {"vehicle", "delta_v_m_s", "duration_s", "direction", "aim", "aim_window_h"},
    "array_mode": {"policy", "body"}, "attitude": {"mode", "body"},
    "transfer_propellant": {"source", "target", "kg"},
    "conjunction": {"body", "probability", "miss_km", "object"},
}


def parse_policy(r: Reader, path: KeyPath, item: Any) -> Policy:
    """One ``[[policies]]`` table."""
    kind = Table(r, item, path, own_keys(item), required=("kind",)).choice("kind", POLICY_KINDS)
    if kind == "debris_avoidance":
        t = Table(r, item, path, {"kind", *_POLICY_KEYS[kind]})
        return DebrisAvoidance(
            threshold=t.number("threshold", 1e-4, positive=True, maximum=1.0),
            delta_v_m_s=t.number("delta_v_m_s", 0.5, positive=True, maximum=100.0),
            bodies=t.names("bodies"), where=r.where(path))
    t = Table(r, item, path, {"kind", *_POLICY_KEYS[kind]}, required=("below_km", "to_km"))
    below = t.number("below_km", positive=True, maximum=50000.0)
    to = t.number("to_km", positive=True, maximum=50000.0)
    if below >= to:
        raise r.error(t.at("to_km"), "the reboost does not go above its trigger",
                      expected=f"to_km > below_km = {below:g}", found=f"{to:g}")
    return AltitudeMaintenance(
        below_m=below * _KM, to_m=to * _KM,
        check_s=t.number("check_days", 1.0, positive=True) * _DAY,
        bodies=t.names("bodies"), where=r.where(path))


def parse_event(r: Reader, path: KeyPath, item: Any, start: Epoch, end: End,
                vehicles: list[str]) -> Event:
    """One ``[[events]]`` table; ``vehicles`` are the names of the scenario's vehicles."""
    kind = Table(r, item, path, own_keys(item), required=("at", "kind")).choice("kind",
                                                                                EVENT_KINDS)
    t = Table(r, item, path, {"at", "kind", *_EVENT_KEYS[kind]})
    epoch = t.epoch("at")
    ahead = float(epoch - start)
    if ahead < 0.0:
        raise r.error(t.at("at"), "the event is before the start",
                      expected=f"at or after {start.iso(0)}", found=epoch.iso(0))
    limit = _last_second(end, start)
    if ahead > limit:
        raise r.error(t.at("at"), "the event is after the end of the run",
                      expected=f"at or before {(start + limit).iso(0)}", found=epoch.iso(0))
    common: dict[str, Any] = {"epoch": epoch, "where": r.where(path)}
    if kind == "undock":
        return Undock(**common, part=t.text("part"), track=t.flag("track", True))
    if kind == "dock":
        return _dock(r, t, common, vehicles)
    if kind == "move_crew":
        return MoveCrew(**common, crew=t.names("crew", allow_empty=False), to=t.text("to"),
                        seat=t.text("seat", ""))
    if kind == "crew_landing":
        return CrewLanding(**common, vehicle=t.text("vehicle"))
    if kind == "burn":
        return _burn(r, t, common)
    if kind == "array_mode":
        return ArrayMode(**common, policy=ArrayPolicy(t.choice("policy", tuple(ArrayPolicy))),
                         body=t.text("body", ""))
    if kind == "attitude":
        return AttitudeMode(**common, mode=t.choice("mode", ATTITUDE_MODES),
                            body=t.text("body", ""))
    if kind == "conjunction":
        miss_km = t.number("miss_km", None, minimum=0.0, maximum=1e5)
        return Conjunction(**common, body=t.text("body", ""),
                           probability=t.number("probability", positive=True, maximum=1.0),
                           miss_m=None if miss_km is None else miss_km * _KM,
                           object_name=t.text("object", ""))
    source, target = t.text("source"), t.text("target")
    if source == target:
        raise r.error(t.at("target"), "propellant moves between two parts",
                      expected=f"a part other than {source!r}", found=repr(target))
    return TransferPropellant(**common, source=source, target=target,
                              kg=t.number("kg", positive=True))


def _dock(r: Reader, t: Table, common: dict[str, Any], vehicles: list[str]) -> Dock:
    vehicle = t.text("vehicle")
    if vehicle not in vehicles:
        raise r.error(t.at("vehicle"), "not one of the scenario's vehicles",
                      expected="one of " + (", ".join(vehicles) or
                                            "the [[vehicles]] (none given)"),
                      found=repr(vehicle))
    port = t.text("port")
    parent, dot, name = port.rpartition(".")
    if not dot or not parent or name not in DIRECTIONS:
        raise r.error(t.at("port"), "a port is named Parent.direction",
                      expected="e.g. \"IDA-3.zenith\" (" + " | ".join(DIRECTIONS) + ")",
                      found=repr(port))
    return Dock(**common, vehicle=vehicle, port=port)


def _burn(r: Reader, t: Table, common: dict[str, Any]) -> Burn:
    given = sorted((k for k in ("delta_v_m_s", "duration_s") if t.has(k)),
                   key=lambda k: r.doc.locator.locate(t.at(k))[0] or 0)
    if len(given) != 1:  # point at the second one written
        raise r.error(t.at(given[1]) if given else t.path,
                      "a burn is given by delta_v_m_s or by duration_s",
                      expected="exactly one of them",
                      found=" and ".join(given) if given else "neither")
    dv = t.number("delta_v_m_s", None, minimum=-1e4, maximum=1e4)
    if dv == 0.0:
        raise r.error(t.at("delta_v_m_s"), "a burn changes the velocity",
                      expected="a non-zero number", found="0")
    if dv is not None and dv < 0.0 and t.has("direction"):
        raise r.error(t.at("delta_v_m_s"), "a negative velocity change already means "
                      "retrograde", expected="a positive value with direction",
                      found=f"{dv:g} with direction = {t.items['direction']!r}")
    aim = None
    if t.has("aim"):
        if dv is not None:
            raise r.error(t.at("aim"), "only a finite burn can be aimed",
                          expected="duration_s instead of delta_v_m_s")
        target = t.table("aim", {"lat_deg", "lon_deg"}, required=("lat_deg", "lon_deg"))
        aim = (target.number("lat_deg", minimum=-90.0, maximum=90.0),
               target.number("lon_deg", minimum=-180.0, maximum=180.0))
    elif t.has("aim_window_h"):
        raise r.error(t.at("aim_window_h"), "only goes with aim", expected="aim with it")
    return Burn(**common, vehicle=t.text("vehicle"), delta_v_m_s=dv,
                duration_s=t.number("duration_s", None, positive=True, maximum=1e7),
                direction=t.choice("direction", ("prograde", "retrograde"), "prograde"),
                aim=aim, aim_window_s=t.number("aim_window_h", 24.0, positive=True,
                                               maximum=72.0) * 3600.0)


def _last_second(end: End, start: Epoch) -> float:
    """Seconds from the start to the latest instant the run can reach."""
    limits = [end.max_days * _DAY] if end.reentry else []
    if end.days is not None:
        limits.append(end.days * _DAY)
    if end.until is not None:
        limits.append(float(end.until - start))
    return min(limits) if limits else math.inf
