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

Both renderers share one content model (sections of paragraphs, bullet lists and tables, built
by :mod:`stationsim.analysis.report_content`), so Markdown and HTML say the same things. Every
string taken from the results is escaped: for HTML with :func:`html.escape`; for Markdown,
``& < >`` as HTML entities (so that raw HTML in a value stays inert in Markdown viewers) and
``|`` inside tables.
"""

from __future__ import annotations

import html
import json
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from stationsim.analysis.report_content import Cell, Table, document
from stationsim.analysis.scenario_plots import plot_altitudes, plot_ledgers
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


def _md_table(table: Table) -> list[str]:
    def row(cells: Sequence[Cell]) -> str:
        texts = [c[0] if isinstance(c, tuple) else c for c in cells]
        return "| " + " | ".join(_md(t, cell=True) for t in texts) + " |"

    return [row(table.headers), "|" + "---|" * len(table.headers),
            *(row(r) for r in table.rows)]


def render_markdown(results: Mapping[str, Any], *,
                    images: Mapping[str, str] | None = None) -> str:
    """The report as Markdown; ``images`` (key -> relative file name) adds a Figures section."""
    title, sections = document(results)
    figures = _check_images(images)
    out = [f"# {_md(title)}", ""]
    for section in sections:
        if section.title:
            out += [f"## {_md(section.title)}", ""]
        for block in section.blocks:
            if isinstance(block, Table):
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


def _html_table(table: Table) -> str:
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
    title, sections = document(results)
    figures = _check_images(images)
    out = [f"<h1>{html.escape(title)}</h1>"]
    for section in sections:
        if section.title:
            out.append(f"<h2>{html.escape(section.title)}</h2>")
        for block in section.blocks:
            if isinstance(block, Table):
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
    for name in (*REPORT_FILES, *(extra or {}), *(figures or {})):
        if (folder / name).is_dir():  # the rename would fail after the others
            raise InputError(f"a folder is in the way of the file {name}", source=str(folder),
                             found=str(folder / name))
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
