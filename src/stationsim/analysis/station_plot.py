"""A schematic of a station: its parts where the layout places them, coloured by segment.

Two orthographic views at one scale [m], forward (+x) up in both: the top view, seen from the
zenith (starboard, +y, to the right), and the side view, seen from starboard (nadir, +z, to the
right); their geometry is in :mod:`stationsim.analysis.station_views`. Each part is the cylinder
of :mod:`stationsim.station.geometry`: a rectangle (length along its axis, diameter across), or
a disc (a square for truss) where its axis points at the viewer. Nearer parts hide farther
ones, but truss lies under the rest so that the modules stay readable. Parts that leave are
hatched and faded; the joints between segments (for the ISS, Zarya at PMA-1) are marked. A name
goes inside its part where it fits, else beside the drawing with a leader line (modules and
vehicles). Solar-array wings, radiators and parts of unknown size are not drawn.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Patch, Rectangle
from matplotlib.text import Text

from stationsim.analysis.plots import check_picture_path, save_figure
from stationsim.analysis.scenario_plots import PALETTE
from stationsim.analysis.station_views import (
    AXIS_INDEX,
    LABEL_PT,
    PAD_M,
    SIDE_VIEW,
    TOP_VIEW,
    Panel,
    Point,
    View,
    callout,
    extent,
    outline,
    overlaps,
    sized_placements,
    text_size_m,
    visible_points,
)
from stationsim.errors import InputError
from stationsim.station.configuration import Configuration
from stationsim.station.geometry import Placement
from stationsim.station.graph import descendants
from stationsim.station.operations import separate_segments
from stationsim.station.parts import Part, PartKind, Segment

__all__ = ["SEGMENT_COLOURS", "Schematic", "draw_station_schematic", "leaving_parts",
           "plot_station_schematic"]

#: Colour of each segment's modules (from the palette of the scenario figures).
SEGMENT_COLOURS: dict[Segment, str] = {Segment.USOS: PALETTE[0], Segment.ROS: PALETTE[1]}
_TRUSS = "#A9A9A9"
RGB = tuple[float, float, float]


@dataclass(frozen=True)
class Schematic:
    """What :func:`draw_station_schematic` drew: each part's patch in the top and side views
    (parts of unknown size are absent) and its name, where one was written."""

    top: dict[str, Patch]
    side: dict[str, Patch]
    labels: dict[str, Text]


def leaving_parts(config: Configuration, names: Iterable[str]) -> frozenset[str]:
    """The parts that leave when ``names`` leave: each named part with everything attached
    below it (away from the root); a segment's name (``ROS``, ``USOS``) stands for that segment
    with its vehicles, as a separation at the segments' joint takes it.

    Raises:
        InputError: a name that is neither a part of ``config`` nor a segment in it.
    """
    out: set[str] = set()
    unknown = []
    segments = {s.value.lower(): s for s in config.segments()}
    for name in names:
        if config.has(name):
            out |= descendants(config.links, name)
        elif name.lower() in segments:
            out |= set(separate_segments(config)[segments[name.lower()]].names)
        else:
            unknown.append(name)
    if unknown:
        raise InputError(f"no such part or segment in {config.name}: {', '.join(unknown)}",
                         source="detached", found=", ".join(map(repr, unknown)),
                         expected="a segment or one of " + ", ".join(config.names))
    return frozenset(out)


def _check_detached(config: Configuration, detached: Collection[str]) -> frozenset[str]:
    names = (detached,) if isinstance(detached, str) else tuple(detached)  # a name, not letters
    if unknown := [n for n in names if not config.has(n)]:
        raise InputError(f"parts said to leave are not in {config.name}: {', '.join(unknown)}",
                         source="detached", expected="names of parts of the configuration",
                         found=", ".join(map(repr, unknown)))
    return frozenset(names)


def _mix(colour: str | RGB, other: str, share: float) -> RGB:
    r, g, b = (1.0 - share) * np.array(to_rgb(colour)) + share * np.array(to_rgb(other))
    return float(r), float(g), float(b)


def _fill(part: Part) -> RGB:
    """The segment's colour; darker for adapters, lighter for vehicles, grey for truss."""
    if part.kind in (PartKind.TRUSS, PartKind.EXTERNAL):
        return to_rgb(_TRUSS)
    base = SEGMENT_COLOURS.get(part.segment, PALETTE[2])
    if part.kind is PartKind.VEHICLE:
        return _mix(base, "white", 0.5)
    return _mix(base, "black", 0.35) if part.kind is PartKind.ADAPTER else to_rgb(base)


def _patch(part: Part, place: Placement, view: View, leaves: bool) -> Patch:
    """The outline, drawn over the farther parts (truss lowest)."""
    low = part.kind in (PartKind.TRUSS, PartKind.EXTERNAL)
    z = (50.0 if low else 150.0) + view.toward * float(place.center_m[view.depth])
    fill = _fill(part)
    style: dict[str, Any] = {"lw": 0.6, "zorder": z, "ec": _mix(fill, "black", 0.45)}
    if leaves:
        style.update(hatch="///", hatchcolor=style["ec"], ls=(0, (3, 1.5)))
        fill = _mix(fill, "white", 0.6)
    left, bottom, width, height = outline(place, view)
    if AXIS_INDEX[place.axis] == view.depth and not low:
        centre = (left + width / 2.0, bottom + height / 2.0)
        return Circle(centre, place.diameter_m / 2.0, fc=fill, **style)
    return Rectangle((left, bottom), width, height, fc=fill, **style)


def _inside_label(panel: Panel, name: str, part: Part, leaves: bool) -> Text | None:
    """The name written inside the part's outline, level or turned a quarter, where it fits
    unhidden and clear of other names; on one line, or broken after its first word."""
    box = panel.boxes[name]
    if isinstance(panel.drawn[name], Circle):  # the square inscribed in the disc
        side = box[2] / np.sqrt(2.0)
        box = (box[0] + (box[2] - side) / 2, box[1] + (box[3] - side) / 2, side, side)
    blocked = [*panel.above(name), *panel.taken]
    cx, cy = box[0] + box[2] / 2.0, box[1] + box[3] / 2.0
    first, *rest = name.split()
    for text in [name, *([first + "\n" + " ".join(rest)] if rest else [])]:
        w, h = text_size_m(text, panel.m_per_pt)
        for angle, (lw, lh) in ((0.0, (w, h)), (90.0, (h, w))):
            region = (cx - lw / 2.0, cy - lh / 2.0, lw, lh)
            if lw > box[2] or lh > box[3] or any(overlaps(region, b) for b in blocked):
                continue
            panel.taken.append(region)
            fill = _fill(part)
            dark = 0.2126 * fill[0] + 0.7152 * fill[1] + 0.0722 * fill[2] < 0.45 and not leaves
            back = ({"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8}
                    if leaves else None)
            return panel.ax.text(cx, cy, text, rotation=angle, ha="center", va="center",
                                 fontsize=LABEL_PT, zorder=300, linespacing=1.0, bbox=back,
                                 color="white" if dark else "#222222")
    return None


def _joints(panel: Panel, config: Configuration,
            placements: dict[str, Placement]) -> list[tuple[str, Point]]:
    """Bars across the joints a separation of the segments cuts (where the child part
    touches its parent's port); their descriptions and places."""
    out = []
    for link in config.links:
        below, above = config.segment_of_part(link.child), config.segment_of_part(link.parent)
        child, port = placements.get(link.child), config.part(link.parent).port(link.port)
        if below is above or child is None or port is None:
            continue
        d = port.direction.vector
        reach = child.length_m if port.direction.axis == child.axis else child.diameter_m
        point = child.center_m - d * reach / 2.0
        x, y = float(point[panel.view.across]), float(point[panel.view.up])
        span = 0.5 * child.diameter_m + 1.5
        if abs(d[panel.view.depth]) < 0.5:  # the joint is seen edge-on: a bar across it
            bar = ((x - span, y - 0.4, 2 * span, 0.8) if abs(d[panel.view.up]) > 0.5
                   else (x - 0.4, y - span, 0.8, 2 * span))
            panel.ax.add_patch(Rectangle(bar[:2], bar[2], bar[3], fc="black", lw=0, zorder=400))
            panel.taken.append(bar)
        out.append((f"{below.value}–{above.value} joint\n({link.child} at {link.parent})",
                    (x, y)))
    return out


def draw_station_schematic(ax_top: Axes, ax_side: Axes, config: Configuration,
                           detached: Collection[str] = ()) -> Schematic:
    """Draw ``config`` on two axes (the top and side views of the module notes), the parts
    named in ``detached`` hatched and faded; return the patches and names by part.

    The axes get equal aspect, no frame, and limits holding the station with margins [m]; both
    show the same forward range, so that the views line up when their boxes do.

    Raises:
        InputError: a name in ``detached`` that is not a part of ``config``.
    """
    leaves = _check_detached(config, detached)
    placements = sized_placements(config)
    schematic = Schematic({}, {}, {})
    panels = (Panel(ax_top, TOP_VIEW, schematic.top), Panel(ax_side, SIDE_VIEW, schematic.side))
    extents = [extent(placements, p.view) for p in panels]
    low, high = min(e[2] for e in extents) - 3.0, max(e[3] for e in extents)
    for panel, ext in zip(panels, extents, strict=True):
        for name, place in placements.items():
            part = config.part(name)
            panel.drawn[name] = panel.ax.add_patch(_patch(part, place, panel.view, name in leaves))
            panel.boxes[name] = outline(place, panel.view)
            if part.kind in (PartKind.TRUSS, PartKind.EXTERNAL):
                panel.truss.add(name)
        panel.ax.set(xlim=ext[:2], ylim=(low, high), aspect="equal", adjustable="box")
        panel.ax.set_axis_off()
        panel.ax.set_title(panel.view.title, fontsize=8.5, loc="left", linespacing=1.3)
        panel.ax.apply_aspect()
        fig = panel.ax.get_figure(root=True)
        inches = panel.ax.get_position().width * (fig.get_figwidth() if fig else 1.0)
        panel.m_per_pt = (ext[1] - ext[0]) / (72.0 * inches)
        for joint, where in _joints(panel, config, placements):
            if panel.view is TOP_VIEW:
                callout(panel, joint, [where])
    wide, ext = max(zip(panels, extents, strict=True), key=lambda pe: pe[1][1] - pe[1][0])
    bar = next((m for m in (5.0, 10.0, 20.0, 50.0) if m >= 45.0 * wide.m_per_pt), 100.0)
    x0 = ext[1] - PAD_M - bar  # a scale bar in black and white halves, in the wider view
    for i, colour in enumerate(("black", "white")):
        wide.ax.add_patch(Rectangle((x0 + i * bar / 2.0, low + 2.0), bar / 2.0, 0.9, fc=colour,
                                    ec="black", lw=0.6, zorder=500))
    for x, text in ((x0, "0"), (x0 + bar, f"{bar:.0f} m")):
        wide.ax.text(x, low + 1.2, text, ha="center", va="top", fontsize=7, zorder=500)
    order = sorted(placements, key=lambda n: -placements[n].length_m * placements[n].diameter_m)
    for name in order:  # inside the outlines first, a side-on outline preferred
        for panel in sorted(panels, key=lambda p: isinstance(p.drawn[name], Circle)):
            if label := _inside_label(panel, name, config.part(name), name in leaves):
                schematic.labels[name] = label
                break
    for name in order:  # then beside the drawing, in the view showing most of the part
        if name in schematic.labels or config.part(name).kind not in (PartKind.MODULE,
                                                                      PartKind.VEHICLE):
            continue
        seen = sorted(((visible_points(p, name), p) for p in panels),
                      key=lambda s: 10 * isinstance(s[1].drawn[name], Circle) - len(s[0]))
        for points, panel in seen:
            if points and (label := callout(panel, name, points, name)):
                schematic.labels[name] = label
                break
    return schematic


def _legend(shown: list[Part], leaves: bool) -> list[Patch]:
    """Legend entries for the kinds of part drawn."""
    out = []
    for s, long in ((Segment.ROS, "Russian segment"), (Segment.USOS, "US segment")):
        for vehicle in (False, True):
            if any(p.segment is s and p.is_vehicle is vehicle and p.kind is not PartKind.TRUSS
                   for p in shown):
                out.append(Patch(fc=_mix(SEGMENT_COLOURS[s], "white", 0.5 * vehicle),
                                 ec="black", lw=0.5, label=f"visiting vehicle ({s.value})"
                                 if vehicle else f"{long} ({s.value})"))
    if any(p.kind is PartKind.TRUSS for p in shown):
        out.append(Patch(fc=_TRUSS, ec="black", lw=0.5, label="truss"))
    if leaves:
        out.append(Patch(fc="white", ec="#555555", hatch="///", lw=0.5, ls=(0, (3, 1.5)),
                         label="leaves"))
    return out


def plot_station_schematic(config: Configuration, path: str | Path, *,
                           detached: Collection[str] = (), title: str | None = None,
                           note: str | None = None) -> Path:
    """Write a schematic of ``config`` to ``path`` (PNG, SVG or PDF): top and side views at
    one scale [m], parts coloured by segment, the parts named in ``detached`` hatched and
    faded, a legend, a scale bar, and a caption (``note``; by default the list of what leaves
    and its mass [t]). :func:`leaving_parts` turns a segment or a departing part into every
    part that goes with it.

    Raises:
        InputError: an unsupported picture format or a missing folder; a name in ``detached``
            that is not a part of ``config``.
    """
    check_picture_path(path)
    leaves = _check_detached(config, detached)
    placements = sized_placements(config)
    if note is None and leaves:
        names = [n for n in config.names if n in leaves]
        tonnes = sum(config.part(n).total_mass_kg for n in names) / 1e3
        note = (f"Hatched and faded: what leaves ({len(names)} part{'s' * (len(names) > 1)}, "
                f"{tonnes:.0f} t): " + ", ".join(names) + ".")
    top, side = extent(placements, TOP_VIEW), extent(placements, SIDE_VIEW)
    top_m, side_m = top[1] - top[0], side[1] - side[0]
    per_m = min(10.6 / (top_m + side_m), 0.075)  # the scale [in/m]: the ISS fills 11.5 in
    plot_h = (max(top[3], side[3]) - min(top[2], side[2]) + 3.0) * per_m
    gap = max(0.3, 2.0 - top_m * per_m)  # [in], room for the top view's title
    fig_w = max(0.6 + gap + (top_m + side_m) * per_m, 7.5)
    caption = textwrap.wrap(note or "", int(13 * fig_w))  # 8 pt: about 13 letters an inch
    under = 0.75 + 0.16 * len(caption)  # room for the legend and caption [in]
    fig = Figure(figsize=(fig_w, plot_h + under + 1.0))
    fig_h = fig.get_figheight()
    left, bottom, height = 0.3 / fig_w, (under + 0.2) / fig_h, plot_h / fig_h
    ax_top = fig.add_axes((left, bottom, top_m * per_m / fig_w, height))
    ax_side = fig.add_axes((left + (top_m * per_m + gap) / fig_w, bottom,
                            side_m * per_m / fig_w, height))
    draw_station_schematic(ax_top, ax_side, config, leaves)
    fig.suptitle(title or config.name, x=left, y=1.0 - 0.1 / fig_h, ha="left", va="top",
                 fontsize=12)
    fig.legend(handles=_legend([config.part(n) for n in placements], bool(leaves)),
               loc="lower left", bbox_to_anchor=(left, (under - 0.3) / fig_h), ncol=6,
               fontsize=8, frameon=False, handlelength=1.8, borderaxespad=0.0)
    fig.text(left, (under - 0.4) / fig_h, "\n".join(caption), fontsize=8, va="top")
    unsized = [p.name for p in config.parts if p.name not in placements]
    fig.text(left, 0.08 / fig_h, "Parts drawn as cylinders of their length and diameter at "
             "their ports; solar-array wings and radiators not drawn"
             + (f"; size unknown, not drawn: {', '.join(unsized)}" if unsized else "") + ".",
             fontsize=6.5, color="#555555")
    target = save_figure(fig, path)
    os.chmod(target, 0o644)  # the atomic write's temporary file is made 0600
    return target
