"""The world map under stationsim's maps: the bundled Natural Earth countries (1:110m), the
crew vehicles' landing zones, equirectangular, nothing downloaded; and the scenario map (each
piece's ground track, its re-entry point and window, the landing zones)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from stationsim.analysis.landing import LANDING_ZONES, destination_point
from stationsim.analysis.plots import save_figure
from stationsim.errors import InputError
from stationsim.io.geojson import CountryOutline

__all__ = ["draw_countries", "draw_landing_zones", "finish_world_axes", "plot_scenario_map",
           "split_at_dateline"]

#: Piece colours, as the scenario's other plots.
_PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
_SOYUZ_COLOUR = "#8e44ad"
_DRAGON_COLOUR = "#16a085"


def split_at_dateline(lat: np.ndarray, lon: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Pieces of a track that do not jump across the +/-180 deg meridian."""
    cut = np.flatnonzero(np.abs(np.diff(lon)) > 180.0) + 1
    return [(la, lo) for la, lo in zip(np.split(lat, cut), np.split(lon, cut), strict=True)
            if len(la) > 1]


def draw_countries(ax: Axes, countries: Sequence[CountryOutline]) -> None:
    """Land in a pale sand colour over a pale blue sea."""
    ax.set_facecolor("#dbe9f4")
    for country in countries:
        for ring in country.rings:
            ax.fill(ring[:, 0], ring[:, 1], facecolor="#f4f1e8", edgecolor="#9a9a9a",
                    linewidth=0.4, zorder=1)


def draw_landing_zones(ax: Axes) -> None:
    """Each zone as the circle of its reach (where a pass of the station's track still counts
    as a landing opportunity; :mod:`.landing`), Soyuz and Dragon in their own colours."""
    seen: set[str] = set()
    for zone in LANDING_ZONES:
        ring = np.array([destination_point(zone.lat_deg, zone.lon_deg, zone.reach_m, az)
                         for az in np.linspace(0.0, 360.0, 73)])
        colour = _SOYUZ_COLOUR if zone.vehicle == "soyuz" else _DRAGON_COLOUR
        label = ("Soyuz landing zone (Kazakhstan), reach 150 km" if zone.vehicle == "soyuz"
                 else "Dragon splash-down sites (Florida), reach 150 km")
        ax.fill(ring[:, 1], ring[:, 0], facecolor=colour, alpha=0.25, edgecolor=colour,
                linewidth=0.8, zorder=4, label=label if zone.vehicle not in seen else "_")
        seen.add(zone.vehicle)


def finish_world_axes(ax: Axes) -> None:
    """The whole world, a 60 x 30 degree grid, equal aspect."""
    ax.set_xlim(-180, 180)
    ax.set_ylim(-90, 90)
    ax.set_xticks(np.arange(-180, 181, 60))
    ax.set_yticks(np.arange(-90, 91, 30))
    ax.set_xlabel("longitude [deg]")
    ax.set_ylabel("latitude [deg]")
    ax.set_aspect("equal")
    ax.grid(color="white", linewidth=0.5, zorder=2)


def _track(part: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray] | None:
    track = part.get("ground_track")
    if not track:
        return None
    try:
        lat = np.asarray(track["lat_deg"], dtype=np.float64)
        lon = np.asarray(track["lon_deg"], dtype=np.float64)
    except (KeyError, TypeError, ValueError):
        raise InputError("a part's ground track needs lat_deg and lon_deg lists of numbers",
                         source="results", found=repr(part.get("name"))) from None
    if lat.shape != lon.shape:
        raise InputError("a part's ground track has lists of different lengths",
                         source="results", found=repr(part.get("name")))
    return lat, lon


def plot_scenario_map(results: Mapping[str, Any], countries: Sequence[CountryOutline],
                      path: str | Path) -> Path:
    """The scenario's map, written to ``path`` (PNG, SVG or PDF; atomically): each part's
    ground track (the revolutions before its re-entry, or the first after it began), its
    re-entry (120 km) and breakup (78 km) points, the aim of an aimed burn, and the landing
    zones of the crew vehicles."""
    fig = Figure(figsize=(11, 7.2), layout="constrained")
    ax = fig.add_subplot(1, 1, 1)
    draw_countries(ax, countries)
    draw_landing_zones(ax)
    for i, part in enumerate(results.get("parts") or []):
        colour = _PALETTE[i % len(_PALETTE)]
        name = str(part.get("name", f"part {i + 1}"))
        track = _track(part)
        if track is not None:
            what = part["ground_track"].get("what", "ground track")
            label = f"{name}: {what} from {str(part['ground_track'].get('start', ''))[:16]}"
            for la, lo in split_at_dateline(*track):
                ax.plot(lo, la, color=colour, linewidth=1.1, zorder=3, label=label)
                label = "_"
        reentry = part.get("reentry")
        if reentry and reentry.get("lat_deg") is not None:
            ax.plot(reentry["lon_deg"], reentry["lat_deg"], marker="*", markersize=15,
                    color=colour, markeredgecolor="black", linestyle="none", zorder=5,
                    label=f"{name} re-entry (120 km) {str(reentry['median'])[:16]} UTC, "
                          f"90 %: {str(reentry['p05'])[:10]} .. {str(reentry['p95'])[:10]}")
        breakup = part.get("breakup")
        if breakup and breakup.get("lat_deg") is not None:
            ax.plot(breakup["lon_deg"], breakup["lat_deg"], marker="X", markersize=10,
                    color=colour, markeredgecolor="black", linestyle="none", zorder=5,
                    label=f"{name} breakup (78 km) {str(breakup['epoch'])[:16]} UTC")
        aim = part.get("aim")
        if aim:
            ax.plot(aim["lon_deg"], aim["lat_deg"], marker="o", markersize=12,
                    markerfacecolor="none", markeredgecolor=colour, markeredgewidth=2.0,
                    linestyle="none", zorder=5,
                    label=f"{name}: the aim of its deorbit burn")
    finish_world_axes(ax)
    title = str(results.get("title") or results.get("scenario") or "scenario")
    ax.set_title(f"{title}: ground tracks, re-entry points and landing zones", fontsize=11)
    # Below the map: the South Pacific, where controlled re-entries aim, stays clear.
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=8,
              frameon=False)
    return save_figure(fig, path)
