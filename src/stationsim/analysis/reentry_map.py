"""The map of a re-entry prediction: where the ensemble's members cross 120 km, the nominal
member's last revolutions, and its predicted point, over the bundled Natural Earth countries
(equirectangular, no download) with the crew vehicles' landing zones."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from matplotlib.figure import Figure

from stationsim.analysis.plots import save_figure
from stationsim.analysis.reentry import ReentryReport
from stationsim.analysis.world_map import (
    draw_countries,
    draw_landing_zones,
    finish_world_axes,
    split_at_dateline,
)
from stationsim.io.geojson import CountryOutline

__all__ = ["plot_reentry_map"]


def plot_reentry_map(report: ReentryReport, countries: Sequence[CountryOutline],
                     path: str | Path) -> Path:
    """Write the map of ``report`` to ``path`` (PNG, SVG or PDF; atomically)."""
    fig = Figure(figsize=(11, 5.8))
    ax = fig.add_subplot(1, 1, 1)
    draw_countries(ax, countries)
    draw_landing_zones(ax)
    label = "debris footprints (center lines, up to 40 members)"
    for track in report.footprint_tracks:
        for la, lo in split_at_dateline(track[:, 0], track[:, 1]):
            ax.plot(lo, la, color="#e67e22", linewidth=1.2, alpha=0.5, zorder=3, label=label,
                    solid_capstyle="round")
            label = "_"
    if len(report.member_places):
        ax.scatter(report.member_places[:, 1], report.member_places[:, 0], s=6, c="#c0392b",
                   alpha=0.45, linewidths=0, zorder=3,
                   label=f"members at 120 km ({len(report.member_places)}; the place is "
                         f"the fast engine's)")
    if len(report.track):
        label = "nominal member, last revolutions (numerical)"
        for la, lo in split_at_dateline(report.track[:, 0], report.track[:, 1]):
            ax.plot(lo, la, color="#1f4e79", linewidth=1.0, zorder=4, label=label)
            label = "_"
    if report.place is not None:
        ax.plot(report.place[1], report.place[0], marker="*", markersize=16, color="#f1c40f",
                markeredgecolor="black", zorder=5, linestyle="none",
                label=f"predicted re-entry {report.median.iso(0)}")
    finish_world_axes(ax)
    if report.risk is not None:
        risk = report.risk
        one_in = (f"1 in {1.0 / risk.casualty_expectation:,.0f}"
                  if risk.casualty_expectation > 0 else "none")
        ax.text(0.99, 0.02, f"footprint {risk.length_km:,.0f} x {risk.width_km:,.0f} km; "
                f"{100 * risk.land_fraction:.0f} % over land; casualty expectation {one_in}",
                transform=ax.transAxes, ha="right", va="bottom", fontsize=8,
                bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none"})
    title = report.name or f"object {report.norad_id}"
    ax.set_title(f"{title}: re-entry predicted from {report.epoch.iso(0)}  "
                 f"(90 % window {report.p05.iso(0)[:16]} .. {report.p95.iso(0)[:16]}, "
                 f"{report.space_weather} space weather)", fontsize=10)
    ax.legend(loc="lower left", fontsize=8, framealpha=0.9)
    return save_figure(fig, path)
