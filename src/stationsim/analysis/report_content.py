"""The content of a scenario run's report: sections of paragraphs, bullet lists and tables.

:mod:`stationsim.analysis.report` renders this one model as Markdown and as HTML, so that both
say the same things; the shape of the results dictionary read here is described there. Texts
are left unescaped: each renderer escapes for its own format.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from stationsim.analysis.scenario_plots import parse_utc
from stationsim.errors import InputError
from stationsim.scenario.targeting import great_circle_m

__all__ = ["Cell", "Section", "Table", "document"]

_DASH = "—"

Cell = str | tuple[str, str]  # text, or (text, tone) with tone "good", "bad" or "note"


@dataclass
class Table:
    """A table: its column headers and its rows of cells."""

    headers: list[str]
    rows: list[list[Cell]]


@dataclass
class Section:
    """A titled section (the untitled first one heads the report): paragraphs (text), bullet
    lists (lists of text) and tables, in order."""

    title: str
    blocks: list[str | list[str] | Table] = field(default_factory=list)


def _when(text: Any) -> str:
    """``2022-03-30 11:28`` (UTC) from ISO text; a dash for none."""
    return _DASH if not text else parse_utc(str(text)).strftime("%Y-%m-%d %H:%M")


def _num(value: Any, places: int = 0, unit: str = "") -> str:
    if value is None:
        return _DASH
    return f"{float(value):,.{places}f}" + (f" {unit}" if unit else "")


def _place(lat: Any, lon: Any) -> str:
    if lat is None or lon is None:
        return _DASH
    la, lo = float(lat), float(lon)
    return f"{abs(la):.1f}° {'N' if la >= 0 else 'S'}, {abs(lo):.1f}° {'E' if lo >= 0 else 'W'}"


def _yes_no(flag: Any) -> Cell:
    return ("yes", "good") if flag else ("no", "bad")


def _latlon(place: Mapping[str, Any]) -> str:
    lat, lon = float(place["lat_deg"]), float(place["lon_deg"])
    return (f"{abs(lat):.1f}° {'N' if lat >= 0 else 'S'}, "
            f"{abs(lon):.1f}° {'E' if lon >= 0 else 'W'}")


def _glance(results: Mapping[str, Any]) -> list[str]:
    lines: list[str] = []
    end = _when(results.get("end"))
    for part in results.get("parts", []):
        name, rate = part["name"], _num(part.get("decay_m_per_day_at_start"))
        reentry = part.get("reentry")
        if reentry:
            wide = parse_utc(reentry["p95"]) - parse_utc(reentry["p05"])
            lines.append(f"{name} re-enters on {_when(reentry['median'])} UTC (window "
                         f"{_when(reentry['p05'])} to {_when(reentry['p95'])} UTC, "
                         f"{wide.total_seconds() / 86400.0:.1f} days wide).")
            risk = reentry.get("risk")
            if risk:
                one_in = f"1 in {risk['one_in']:,}" if risk.get("one_in") else "none"
                names = ", ".join(str(c["name"]) for c in risk.get("countries", [])[:3])
                lines.append(f"{name} comes down uncontrolled: {risk['mass_kg'] / 1e3:,.1f} t, "
                             f"a debris footprint of {risk['footprint_km']['length']:,.0f} km x "
                             f"{risk['footprint_km']['width']:,.0f} km, casualty expectation "
                             f"{one_in} (NASA's limit: 1 in 10,000); most often under it: "
                             f"{names}.")
        elif part.get("status") == "left":
            lines.append(f"{name} left the station on {_when(part.get('since'))} UTC.")
        elif part.get("status") == "separated":
            lines.append(f"{name} came apart on {_when(part.get('until'))} UTC; its pieces "
                         "follow.")
        else:
            lines.append(f"{name} is still in orbit at the end of the run ({end} UTC).")
        aim, breakup = part.get("aim"), part.get("breakup")
        if aim and breakup:
            miss = float(great_circle_m(breakup["lat_deg"], breakup["lon_deg"],
                                        aim["lat_deg"], aim["lon_deg"]))
            lines.append(f"{name}'s deorbit burn was aimed at {_latlon(aim)}; it breaks up "
                         f"(78 km) on {_when(breakup['epoch'])} UTC at {_latlon(breakup)}, "
                         f"{miss / 1e3:,.0f} km from the aim.")
        lines.append(f"{name} loses {rate} m of altitude a day at the start.")
        if part.get("lost"):
            lines.append(f"{name} lost: " + "; ".join(part["lost"]) + ".")
        debris = part.get("debris") or {}
        if debris.get("conjunctions"):
            count = int(debris["conjunctions"])
            lines.append(f"{name} met {count} close approach{'es' if count > 1 else ''} of "
                         f"tracked objects and dodged {debris['dodged']}; the probability that "
                         f"one it did not dodge hits it: {debris['collision_risk_accepted']:.1e}.")
    crew = results.get("crew", [])
    stuck = [c for c in crew if not c.get("can_return")]
    lines.append(f"{len(crew) - len(stuck)} of {len(crew)} crew can get home.")
    for person in crew:
        if person.get("can_return"):
            landing = person.get("landing")
            when = f", landing {_when(landing)} UTC" if landing else ""
            lines.append(f"{person['name']} can get home on "
                         f"{person.get('return_vehicle') or 'an unnamed vehicle'}{when}.")
        else:
            note = f" ({person['note']})" if person.get("note") else ""
            lines.append(f"{person['name']} cannot get home{note}.")
    for vehicle, passes in (results.get("landing_opportunities") or {}).items():
        if passes:
            first = passes[0]
            lines.append(f"{vehicle}: first landing opportunity {_when(first.get('epoch'))} "
                         f"UTC, {first.get('zone', '')} ({_num(first.get('miss_km'))} km off).")
        else:
            lines.append(f"{vehicle}: no landing opportunity within reach.")
    return lines


def _parts_table(parts: Sequence[Mapping[str, Any]]) -> Table:
    rows: list[list[Cell]] = []
    for p in parts:
        status = str(p.get("status", ""))
        tone = {"reentered": "bad", "in orbit": "good"}.get(status, "note")
        shown = {"reentered": "re-entered"}.get(status, status)
        rows.append([p["name"], str(p.get("segment", "")), _num(p.get("mass_kg")),
                     (shown, tone), _when(p.get("since")),
                     _num(p.get("decay_m_per_day_at_start")),
                     _num(p.get("ballistic_coefficient_kg_m2"))])
    return Table(["Part", "Segment", "Mass [kg]", "Status", "Since (UTC)",
                   "Decay at start [m/day]", "Ballistic coeff. [kg/m²]"], rows)


def _reentry_table(parts: Sequence[Mapping[str, Any]]) -> Table:
    rows: list[list[Cell]] = []
    for p in parts:
        r, b = p.get("reentry"), p.get("breakup")
        if not r:
            rows.append([p["name"], ("none in the run", "good"), _DASH, _DASH, _DASH, _DASH,
                         _DASH])
            continue
        breakup = (f"{_when(b.get('epoch'))}, {_place(b.get('lat_deg'), b.get('lon_deg'))}"
                   if b else _DASH)
        rows.append([p["name"], (_when(r.get("median")), "bad"), _when(r.get("p05")),
                     _when(r.get("p95")), str(r.get("window_basis", "")),
                     _place(r.get("lat_deg"), r.get("lon_deg")), breakup])
    return Table(["Part", "Median (UTC)", "5 % (UTC)", "95 % (UTC)", "Window basis",
                   "Where", "Breakup"], rows)


def _capability_table(parts: Sequence[Mapping[str, Any]]) -> Table:
    rows: list[list[Cell]] = []
    for p in parts:
        cap = p.get("capabilities") or {}
        prop, att = cap.get("propulsion") or {}, cap.get("attitude") or {}
        power = cap.get("power_kw") or {}
        hours = att.get("hours_to_cmg_saturation")
        rows.append([p["name"], _num(prop.get("delta_v_m_s"), 1),
                     _yes_no(prop.get("reboost_possible")),
                     ", ".join(map(str, prop.get("providers") or [])) or _DASH,
                     "never" if hours is None else _num(hours, 1, "h"),
                     _yes_no(att.get("desaturation")),
                     f"{_num(power.get('generated'), 1)} / {_num(power.get('load'), 1)}",
                     _num(cap.get("seats"))])
    return Table(["Part", "Δv [m/s]", "Reboost", "Propulsion from", "CMG saturation in",
                   "Desaturation", "Power made / used [kW]", "Seats"], rows)


def _lost(parts: Sequence[Mapping[str, Any]]) -> list[str]:
    lines = []
    for p in parts:
        lost = [str(s) for s in p.get("lost") or []]
        lines.append(f"{p['name']}: " + (" ".join(lost) if lost else "lost nothing."))
    return lines


def _crew_table(crew: Sequence[Mapping[str, Any]]) -> Table:
    rows: list[list[Cell]] = [
        [c["name"], str(c.get("aboard", "")), _yes_no(c.get("can_return")),
         str(c.get("return_vehicle") or _DASH), _when(c.get("landing")), str(c.get("note", ""))]
        for c in crew]
    return Table(["Name", "Aboard", "Can get home", "On", "Landing (UTC)", "Note"], rows)


def _crew_changes_table(changes: Sequence[Mapping[str, Any]]) -> Table:
    rows: list[list[Cell]] = []
    for change in changes:
        aboard, home = int(change.get("aboard", 0)), int(change.get("can_return", 0))
        stranded = [f"{c['name']} ({c['aboard']})" for c in change.get("crew", [])
                    if not c.get("can_return")]
        seats = ", ".join(f"{body} {n}" for body, n in (change.get("seats") or {}).items())
        rows.append([_when(change.get("epoch")), str(change.get("after", "")),
                     (f"{home} of {aboard}", "bad" if home < aboard else "good"),
                     seats or _DASH, ", ".join(stranded) or _DASH])
    return Table(["Time (UTC)", "After", "Can get home", "Seats aboard", "Without a seat"],
                  rows)


def _landing_table(opportunities: Mapping[str, Sequence[Mapping[str, Any]]]) -> Table:
    rows: list[list[Cell]] = []
    for vehicle, passes in opportunities.items():
        if not passes:
            rows.append([str(vehicle), ("no pass within reach", "bad"), _DASH, _DASH, _DASH])
        for o in passes:
            rows.append([str(vehicle), _when(o.get("epoch")), str(o.get("zone", "")),
                         _place(o.get("lat_deg"), o.get("lon_deg")), _num(o.get("miss_km"))])
    return Table(["Vehicle", "Pass (UTC)", "Zone", "Track point", "Miss [km]"], rows)


def _event_table(events: Sequence[Mapping[str, Any]]) -> Table:
    rows: list[list[Cell]] = [
        [_when(e.get("epoch")), str(e.get("body", "")), str(e.get("kind", "")).replace("_", " "),
         str(e.get("detail", ""))]
        for e in sorted(events, key=lambda e: parse_utc(e["epoch"]))]
    return Table(["Time (UTC)", "Body", "Event", "Why / detail"], rows)


def document(results: Mapping[str, Any]) -> tuple[str, list[Section]]:
    """Title and sections of the report of ``results`` (a run's results dictionary).

    Raises:
        InputError: ``results`` is not a results dictionary.
    """
    if not isinstance(results, Mapping) or "parts" not in results:
        raise InputError("not a results dictionary", source="results",
                         expected="a mapping with 'parts', 'crew', 'events', ...")
    title = str(results.get("title") or results.get("scenario") or "Scenario")
    parts = results.get("parts", [])
    settings = results.get("settings") or {}
    cal = settings.get("drag_calibration") or {}
    head = Section("")
    if results.get("description"):
        head.blocks.append(str(results["description"]))
    head.blocks.append([
        f"Scenario: {results.get('scenario', _DASH)}",
        f"Period: {_when(results.get('start'))} to {_when(results.get('end'))} UTC",
        f"Atmosphere: {settings.get('atmosphere', _DASH)}; "
        f"space weather: {settings.get('space_weather', _DASH)}",
        f"Drag calibration: {cal.get('mode', _DASH)}, scale {_num(cal.get('scale'), 2)} "
        f"(fitted ballistic coefficient {_num(cal.get('fitted_ballistic_kg_m2'))} kg/m², "
        f"modelled {_num(cal.get('modelled_ballistic_kg_m2'))} kg/m²)",
    ])
    sections = [
        head,
        Section("At a glance", [_glance(results)]),
        Section("Parts", [_parts_table(parts)]),
        Section("Re-entry", [_reentry_table(parts)]),
        Section("Capabilities", [_capability_table(parts)]),
        Section("What each part lost", [_lost(parts)]),
        Section("Crew", [_crew_table(results.get("crew", []))]),
        Section("Crew after each change",
                 ["Who can go home on a vehicle attached to their piece, taken again after "
                  "every undocking, docking, crew move and landing.",
                  _crew_changes_table(results.get("crew_changes", []))]),
        Section("Landing opportunities",
                 ["Passes of the ground track within reach of a landing zone, after the "
                  "vehicle could leave.", _landing_table(results.get("landing_opportunities")
                                                         or {})]),
        Section("Event log", [_event_table(results.get("events", []))]),
    ]
    return title, sections
