"""The report of a scenario run: Markdown, a standalone HTML page, and the files of a run.

Input is the results dictionary of a run (the content of ``results.json``; ISO 8601 UTC text
ending in ``Z``, floats, lists)::

    {"scenario", "title", "description", "start", "end",
     "settings": {"atmosphere", "space_weather", "drag_calibration": {"mode", "scale",
                  "fitted_ballistic_kg_m2", "modelled_ballistic_kg_m2"}},
     "parts": [{"name", "segment", "mass_kg", "since", "status", "crew",
                "ballistic_coefficient_kg_m2", "decay_m_per_day_at_start",
                "reentry": {"median", "p05", "p95", "window_basis", "lat_deg", "lon_deg"}
                | None, "breakup": {"epoch", "lat_deg", "lon_deg"} | None,
                "capabilities": {"propulsion": {"delta_v_m_s", "reboost_possible", "providers"},
                                 "attitude": {"hours_to_cmg_saturation", "desaturation"},
                                 "power_kw": {"generated", "load"}, "seats"},
                "lost": [sentence, ...], "debris": {"conjunctions", "dodged",
                "collision_risk_accepted"}, "series": {...}}],
     "crew": [{"name", "aboard", "can_return", "return_vehicle", "landing", "note"}],
     "events": [{"epoch", "kind", "detail", "body"}],
     "landing_opportunities": {vehicle: [{"epoch", "zone", "lat_deg", "lon_deg", "miss_km"}]}}

Both renderers share one content model (sections of paragraphs, bullet lists and tables), so
Markdown and HTML say the same things. Every string taken from the results is escaped: for HTML
with :func:`html.escape`; for Markdown, ``& < >`` as HTML entities (so that raw HTML in a value
stays inert in Markdown viewers) and ``|`` inside tables.
"""

from __future__ import annotations

import html
import json
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stationsim.analysis.scenario_plots import parse_utc, plot_altitudes, plot_ledgers
from stationsim.analysis.world_map import plot_scenario_map
from stationsim.data.geography import load_countries
from stationsim.errors import InputError

__all__ = ["REPORT_FILES", "render_html", "render_markdown", "write_report"]

#: The files :func:`write_report` writes, in order.
REPORT_FILES = ("results.json", "report.md", "report.html", "altitude.png", "ledgers.png",
                "map.png")
_CAPTIONS = {
    "altitude": "Mean altitude of each part. Shaded around a line: the Monte Carlo band of "
                "its height (5-95 %); shaded across: its re-entry window (5-95 %). Dashed: "
                "120 km entry interface. Dotted: events.",
    "ledgers": "Propellant, cumulative Δv used, CMG momentum against capacity, and orbit-average "
               "power generated and used, per part.",
    "station": "The station at the start, coloured by segment; hatched: what the scenario's "
               "events take away.",
    "map": "Ground tracks of each part (its last revolutions before re-entry, or its first), "
           "re-entry points, and the Soyuz and Dragon landing zones.",
}
_DASH = "—"

Cell = str | tuple[str, str]  # text, or (text, tone) with tone "good", "bad" or "note"


@dataclass
class _Table:
    headers: list[str]
    rows: list[list[Cell]]


@dataclass
class _Section:
    title: str
    blocks: list[str | list[str] | _Table] = field(default_factory=list)


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


# --- content ----------------------------------------------------------------------------------

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


def _parts_table(parts: Sequence[Mapping[str, Any]]) -> _Table:
    rows: list[list[Cell]] = []
    for p in parts:
        status = str(p.get("status", ""))
        tone = {"reentered": "bad", "in orbit": "good"}.get(status, "note")
        shown = {"reentered": "re-entered"}.get(status, status)
        rows.append([p["name"], str(p.get("segment", "")), _num(p.get("mass_kg")),
                     (shown, tone), _when(p.get("since")),
                     _num(p.get("decay_m_per_day_at_start")),
                     _num(p.get("ballistic_coefficient_kg_m2"))])
    return _Table(["Part", "Segment", "Mass [kg]", "Status", "Since (UTC)",
                   "Decay at start [m/day]", "Ballistic coeff. [kg/m²]"], rows)


def _reentry_table(parts: Sequence[Mapping[str, Any]]) -> _Table:
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
    return _Table(["Part", "Median (UTC)", "5 % (UTC)", "95 % (UTC)", "Window basis",
                   "Where", "Breakup"], rows)


def _capability_table(parts: Sequence[Mapping[str, Any]]) -> _Table:
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
    return _Table(["Part", "Δv [m/s]", "Reboost", "Propulsion from", "CMG saturation in",
                   "Desaturation", "Power made / used [kW]", "Seats"], rows)


def _lost(parts: Sequence[Mapping[str, Any]]) -> list[str]:
    lines = []
    for p in parts:
        lost = [str(s) for s in p.get("lost") or []]
        lines.append(f"{p['name']}: " + (" ".join(lost) if lost else "lost nothing."))
    return lines


def _crew_table(crew: Sequence[Mapping[str, Any]]) -> _Table:
    rows: list[list[Cell]] = [
        [c["name"], str(c.get("aboard", "")), _yes_no(c.get("can_return")),
         str(c.get("return_vehicle") or _DASH), _when(c.get("landing")), str(c.get("note", ""))]
        for c in crew]
    return _Table(["Name", "Aboard", "Can get home", "On", "Landing (UTC)", "Note"], rows)


def _crew_changes_table(changes: Sequence[Mapping[str, Any]]) -> _Table:
    rows: list[list[Cell]] = []
    for change in changes:
        aboard, home = int(change.get("aboard", 0)), int(change.get("can_return", 0))
        stranded = [f"{c['name']} ({c['aboard']})" for c in change.get("crew", [])
                    if not c.get("can_return")]
        seats = ", ".join(f"{body} {n}" for body, n in (change.get("seats") or {}).items())
        rows.append([_when(change.get("epoch")), str(change.get("after", "")),
                     (f"{home} of {aboard}", "bad" if home < aboard else "good"),
                     seats or _DASH, ", ".join(stranded) or _DASH])
    return _Table(["Time (UTC)", "After", "Can get home", "Seats aboard", "Without a seat"],
                  rows)


def _landing_table(opportunities: Mapping[str, Sequence[Mapping[str, Any]]]) -> _Table:
    rows: list[list[Cell]] = []
    for vehicle, passes in opportunities.items():
        if not passes:
            rows.append([str(vehicle), ("no pass within reach", "bad"), _DASH, _DASH, _DASH])
        for o in passes:
            rows.append([str(vehicle), _when(o.get("epoch")), str(o.get("zone", "")),
                         _place(o.get("lat_deg"), o.get("lon_deg")), _num(o.get("miss_km"))])
    return _Table(["Vehicle", "Pass (UTC)", "Zone", "Track point", "Miss [km]"], rows)


def _event_table(events: Sequence[Mapping[str, Any]]) -> _Table:
    rows: list[list[Cell]] = [
        [_when(e.get("epoch")), str(e.get("body", "")), str(e.get("kind", "")).replace("_", " "),
         str(e.get("detail", ""))]
        for e in sorted(events, key=lambda e: parse_utc(e["epoch"]))]
    return _Table(["Time (UTC)", "Body", "Event", "Why / detail"], rows)


def _document(results: Mapping[str, Any]) -> tuple[str, list[_Section]]:
    """Title and sections of the report."""
    if not isinstance(results, Mapping) or "parts" not in results:
        raise InputError("not a results dictionary", source="results",
                         expected="a mapping with 'parts', 'crew', 'events', ...")
    title = str(results.get("title") or results.get("scenario") or "Scenario")
    parts = results.get("parts", [])
    settings = results.get("settings") or {}
    cal = settings.get("drag_calibration") or {}
    head = _Section("")
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
        _Section("At a glance", [_glance(results)]),
        _Section("Parts", [_parts_table(parts)]),
        _Section("Re-entry", [_reentry_table(parts)]),
        _Section("Capabilities", [_capability_table(parts)]),
        _Section("What each part lost", [_lost(parts)]),
        _Section("Crew", [_crew_table(results.get("crew", []))]),
        _Section("Crew after each change",
                 ["Who can go home on a vehicle attached to their piece, taken again after "
                  "every undocking, docking, crew move and landing.",
                  _crew_changes_table(results.get("crew_changes", []))]),
        _Section("Landing opportunities",
                 ["Passes of the ground track within reach of a landing zone, after the "
                  "vehicle could leave.", _landing_table(results.get("landing_opportunities")
                                                         or {})]),
        _Section("Event log", [_event_table(results.get("events", []))]),
    ]
    return title, sections


def _check_images(images: Mapping[str, str] | None) -> dict[str, str]:
    out = dict(images or {})
    for key, name in out.items():
        if "://" in name or name.startswith(("/", "\\")) or ".." in Path(name).parts:
            raise InputError(f"image {key!r} must be a file name relative to the report",
                             expected="e.g. altitude.png", found=repr(name))
    return out


# --- Markdown ---------------------------------------------------------------------------------

def _md(text: str, cell: bool = False) -> str:
    # Markdown passes HTML through: escape it ("->" of the audit's sentences becomes an arrow
    # first, so that it stays readable).
    text = html.escape(str(text).replace("->", "\u2192"), quote=False)
    return " ".join(text.replace("|", "\\|").split()) if cell else text


def _md_table(table: _Table) -> list[str]:
    def row(cells: Sequence[Cell]) -> str:
        texts = [c[0] if isinstance(c, tuple) else c for c in cells]
        return "| " + " | ".join(_md(t, cell=True) for t in texts) + " |"

    return [row(table.headers), "|" + "---|" * len(table.headers),
            *(row(r) for r in table.rows)]


def render_markdown(results: Mapping[str, Any], *,
                    images: Mapping[str, str] | None = None) -> str:
    """The report as Markdown; ``images`` (key -> relative file name) adds a Figures section."""
    title, sections = _document(results)
    figures = _check_images(images)
    out = [f"# {_md(title)}", ""]
    for section in sections:
        if section.title:
            out += [f"## {_md(section.title)}", ""]
        for block in section.blocks:
            if isinstance(block, _Table):
                out += [*_md_table(block), ""]
            elif isinstance(block, list):
                out += [*(f"- {_md(line)}" for line in block), ""]
            else:
                out += [_md(block), ""]
    if figures:
        out += ["## Figures", ""]
        for key, name in figures.items():
            out += [f"![{_md(_CAPTIONS.get(key, key))}]({_md(name)})", ""]
    return "\n".join(out)


# --- HTML -------------------------------------------------------------------------------------

_CSS = (
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;"
    "color:#1b1b1b;background:#fafafa;line-height:1.45}main{max-width:1100px;margin:0 auto;"
    "padding:1.5rem 2rem 3rem;background:#fff}h1{font-size:1.7rem;margin:.2rem 0 .6rem}"
    "h2{font-size:1.2rem;margin:1.8rem 0 .5rem;border-bottom:2px solid #4477AA}"
    "table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.4rem 0 1rem}"
    "th,td{border:1px solid #d0d0d0;padding:.3rem .5rem;text-align:left;vertical-align:top}"
    "th{background:#eef2f7}tr:nth-child(even) td{background:#f7f7f7}"
    ".good{color:#176b2c;font-weight:600}.bad{color:#b0182b;font-weight:600}.note{color:#555}"
    "figure{margin:1rem 0}img{max-width:100%;height:auto;border:1px solid #ddd}"
    "figcaption{font-size:.85rem;color:#444}")


def _html_table(table: _Table) -> str:
    def cell(c: Cell, tag: str) -> str:
        if isinstance(c, tuple):
            return f'<{tag} class="{html.escape(c[1])}">{html.escape(c[0])}</{tag}>'
        return f"<{tag}>{html.escape(c)}</{tag}>"

    head = "".join(cell(h, "th") for h in table.headers)
    body = "".join("<tr>" + "".join(cell(c, "td") for c in r) + "</tr>" for r in table.rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(results: Mapping[str, Any], images: Mapping[str, str]) -> str:
    """The report as one standalone HTML page (inline CSS, no external resources); images are
    referenced by the relative file names in ``images`` (e.g. ``{"altitude": "altitude.png"}``).
    """
    title, sections = _document(results)
    figures = _check_images(images)
    out = [f"<h1>{html.escape(title)}</h1>"]
    for section in sections:
        if section.title:
            out.append(f"<h2>{html.escape(section.title)}</h2>")
        for block in section.blocks:
            if isinstance(block, _Table):
                out.append(_html_table(block))
            elif isinstance(block, list):
                out.append("<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in block)
                           + "</ul>")
            else:
                out.append(f"<p>{html.escape(block)}</p>")
    if figures:
        out.append("<h2>Figures</h2>")
        for key, name in figures.items():
            caption = html.escape(_CAPTIONS.get(key, key))
            out.append(f'<figure><img src="{html.escape(name)}" alt="{caption}">'
                       f"<figcaption>{caption}</figcaption></figure>")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            "<main>\n" + "\n".join(out) + "\n</main>\n</body>\n</html>\n")


# --- files ------------------------------------------------------------------------------------

def write_report(results: Mapping[str, Any], out_dir: Path,
                 extra: Mapping[str, str] | None = None,
                 figures: Mapping[str, Callable[[Path], Path]] | None = None) -> list[Path]:
    """Write ``results.json``, ``report.md``, ``report.html``, ``altitude.png``, ``ledgers.png``
    and ``map.png`` into ``out_dir`` (made if missing), and the texts of ``extra`` by their
    names (plain file names, e.g. the standard files of :mod:`.exports`), and the pictures of
    ``figures`` (name -> a function that draws into the path it is given; ``station.png`` is
    shown among the report's figures); returns their paths.

    All or nothing: every file is first written to a temporary file in ``out_dir``; only when
    all are complete are they renamed into place, each rename atomic. A failure before
    that (a bad value, a plotting error, a full disk) removes the temporaries and leaves the
    folder as it was. Only a failing rename (the folder removed meanwhile) could leave some
    files new and others old, never a partial one.
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        text_json = json.dumps(results, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    except (TypeError, ValueError) as exc:
        raise InputError(f"the results cannot be written as JSON: {exc}", source="results",
                         expected="text, finite numbers, lists and mappings") from None
    extra = dict(extra or {})
    drawn = dict(figures or {})
    images = {"altitude": "altitude.png", "ledgers": "ledgers.png", "map": "map.png"}
    if "station.png" in drawn:
        images = {"station": "station.png", **images}
    for name in (*extra, *drawn):
        if Path(name).name != name or name in REPORT_FILES or name.startswith("."):
            raise InputError("an extra report file needs a plain name of its own",
                             source="report", found=repr(name))
    texts = {"results.json": text_json, "report.md": render_markdown(results, images=images),
             "report.html": render_html(results, images), **extra}
    plots: dict[str, Callable[[Mapping[str, Any], Path], Path]] = {
        "altitude.png": plot_altitudes, "ledgers.png": plot_ledgers,
        "map.png": lambda r, path: plot_scenario_map(r, load_countries(), path)}
    staged: dict[str, Path] = {}
    try:
        for name in (*REPORT_FILES, *extra, *drawn):
            fd, tmp_name = tempfile.mkstemp(prefix=".stationsim-", suffix=Path(name).suffix,
                                            dir=folder)
            staged[name] = Path(tmp_name)
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(texts.get(name, ""))
            if name in plots:
                plots[name](results, staged[name])
            elif name in drawn:
                drawn[name](staged[name])
            os.chmod(staged[name], 0o644)  # mkstemp makes 0600; a report is for reading
        done = []
        for name, tmp in staged.items():
            os.replace(tmp, folder / name)
            done.append(folder / name)
        return done
    finally:
        for leftover in staged.values():
            if leftover.exists():
                leftover.unlink()
