"""The station picture of a scenario report: the station at the start, coloured by segment,
with what the scenario's events take away (a segment that undocks, a module with its subtree, a
vehicle that leaves or takes its crew home) hatched (:mod:`.station_plot`)."""

from __future__ import annotations

from pathlib import Path

from stationsim.analysis.station_plot import leaving_parts, plot_station_schematic
from stationsim.scenario.runner import ScenarioRun
from stationsim.scenario.spec import CrewLanding, Undock

__all__ = ["plot_scenario_station", "what_leaves"]


def what_leaves(run: ScenarioRun) -> tuple[frozenset[str], list[str]]:
    """The parts of the starting station that the scenario's events take away, and a line per
    event (epoch and name) for the caption. Vehicles that dock during the run are not in the
    starting station and are left out."""
    start = run.initial
    segments = {s.value.lower() for s in start.segments()}
    names: list[str] = []
    lines: list[str] = []
    for event in run.scenario.events:
        if isinstance(event, Undock):
            name = event.part
        elif isinstance(event, CrewLanding):
            name = event.vehicle
        else:
            continue
        if start.has(name) or name.lower() in segments:
            names.append(name)
            lines.append(f"{event.epoch.iso(0)[:16]} {name}")
    return leaving_parts(start, names), lines


def plot_scenario_station(run: ScenarioRun, path: str | Path) -> Path:
    """Write the picture to ``path`` (PNG, SVG or PDF)."""
    detached, lines = what_leaves(run)
    title = f"{run.scenario.name}: the station at the start"
    if lines:
        title += " (leaving: " + ", ".join(lines) + " UTC)"
    # With parts leaving, the schematic's own caption names them with their mass.
    note = None if lines else "Nothing of the starting station leaves in this scenario."
    return plot_station_schematic(run.initial, path, detached=detached, title=title, note=note)
