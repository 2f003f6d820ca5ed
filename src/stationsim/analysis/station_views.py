"""The views of the station schematic (:mod:`stationsim.analysis.station_plot`) and where
things fall in them.

Two orthographic views at one scale [m], forward (+x) up in both: the top view, seen from the
zenith (starboard, +y, to the right), and the side view, seen from starboard (nadir, +z, to the
right). Here: the outline of each part in a view, what a view shows, the size of a name
written at the label size, and a clear place for a name beside the drawing, joined to its part
by a leader line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from matplotlib.axes import Axes
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.textpath import TextToPath

from stationsim.errors import InputError
from stationsim.station.configuration import Configuration
from stationsim.station.geometry import Placement, layout

__all__ = ["AXIS_INDEX", "LABEL_PT", "PAD_M", "SIDE_VIEW", "TOP_VIEW", "Box", "Panel", "Point",
           "View", "callout", "extent", "outline", "overlaps", "sized_placements",
           "text_size_m", "visible_points"]

LABEL_PT = 6.5  # size of the part names [pt]
PAD_M = 3.0  # blank margin around the drawing [m]
_TEXT = TextToPath()
Box = tuple[float, float, float, float]  # left, bottom, width, height [m]
Point = tuple[float, float]


class View(NamedTuple):
    """Body axes shown across, up and toward the viewer (``toward`` = +1: the viewer is on
    its positive side); ``room_m``: more margin across, for names beside the drawing [m]."""

    title: str
    across: int
    up: int
    depth: int
    toward: float
    room_m: float


TOP_VIEW = View("Top view, from zenith\nforward +x ↑, starboard +y →", 1, 0, 2, -1.0, 0.0)
SIDE_VIEW = View("Side view, from starboard\nforward +x ↑, nadir +z →", 2, 0, 1, 1.0, 7.0)
AXIS_INDEX = {"x": 0, "y": 1, "z": 2}


@dataclass
class Panel:
    """One view being drawn: its patches and their outlines, the truss among them, the
    places taken by names, and the size of a typographic point there [m]."""

    ax: Axes
    view: View
    drawn: dict[str, Patch]
    boxes: dict[str, Box] = field(default_factory=dict)
    truss: set[str] = field(default_factory=set)
    taken: list[Box] = field(default_factory=list)
    m_per_pt: float = 0.0

    def above(self, name: str) -> list[Box]:
        """Outlines of the patches drawn over ``name``'s."""
        z = self.drawn[name].get_zorder()
        return [self.boxes[n] for n, p in self.drawn.items() if n != name and p.get_zorder() > z]


def outline(place: Placement, view: View) -> Box:
    """``(left, bottom, width, height)`` [m] of a part's outline in ``view``."""
    half = [place.diameter_m / 2.0] * 3
    half[AXIS_INDEX[place.axis]] = place.length_m / 2.0
    cx, cy = place.center_m[view.across], place.center_m[view.up]
    wx, wy = half[view.across], half[view.up]
    return float(cx - wx), float(cy - wy), 2.0 * wx, 2.0 * wy


def sized_placements(config: Configuration) -> dict[str, Placement]:
    """The placements of the parts whose size is known."""
    placed = layout({p.name: p for p in config.parts}, config.links, config.root)
    if out := {n: p for n, p in placed.items() if p.length_m > 0.0 and p.diameter_m > 0.0}:
        return out
    raise InputError(f"{config.name} has no part of known size to draw", source="station",
                     expected="parts with a length and a diameter")


def extent(placements: dict[str, Placement], view: View) -> Box:
    """``(left, right, bottom, top)`` [m] of what the view shows, margins included."""
    b = np.array([outline(p, view) for p in placements.values()])
    pad = PAD_M + view.room_m
    return (float(b[:, 0].min()) - pad, float((b[:, 0] + b[:, 2]).max()) + pad,
            float(b[:, 1].min()) - PAD_M, float((b[:, 1] + b[:, 3]).max()) + PAD_M)


def text_size_m(text: str, m_per_pt: float) -> tuple[float, float]:
    """Width and height [m] of ``text`` (lines apart) written at the label size."""
    font = FontProperties(size=LABEL_PT)
    width = max(_TEXT.get_text_width_height_descent(line, font, ismath=False)[0]
                for line in text.split("\n"))
    return (width + 2.0) * m_per_pt, (LABEL_PT * 1.25 * (text.count("\n") + 1) + 1.0) * m_per_pt


def overlaps(a: Box, b: Box) -> bool:
    """Whether two outlines share some area (touching edges do not)."""
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def visible_points(panel: Panel, name: str) -> list[Point]:
    """Points of the part's outline, a little inside it, that no nearer part hides."""
    left, bottom, width, height = panel.boxes[name]
    hide, grid = panel.above(name), np.linspace(0.2, 0.8, 7)
    points = [(float(left + u * width), float(bottom + v * height)) for u in grid for v in grid]
    return [(x, y) for x, y in points
            if not any(b[0] <= x <= b[0] + b[2] and b[1] <= y <= b[1] + b[3] for b in hide)]


def callout(panel: Panel, text: str, points: list[Point], own: str = "") -> Text | None:
    """``text`` beside the drawing, level with the visible ``points`` or a little off, joined
    to the nearest of them by a thin line crossing as little as may be; ``None`` where no
    clear place is near."""
    if not points:
        return None
    w, h = text_size_m(text, panel.m_per_pt)
    left, right = panel.ax.get_xlim()
    solid = [b for n, b in panel.boxes.items() if n not in panel.truss] + panel.taken
    others = [b for n, b in panel.boxes.items() if n != own] + panel.taken
    level = float(np.mean([p[1] for p in points]))
    best: tuple[float, Box, Point, Point] | None = None
    for side in (-1.0, 1.0):
        for step in range(21):  # 0, +0.8, -0.8, +1.6 ... m off the level
            y = level + (step + 1) // 2 * (1 if step % 2 else -1) * 0.8
            edges = [b[0] if side < 0 else b[0] + b[2] for b in solid
                     if b[1] < y + h / 2 and y - h / 2 < b[1] + b[3]]
            edge = (min(edges) if side < 0 else max(edges)) if edges else points[0][0]
            x0 = edge - 1.2 - w if side < 0 else edge + 1.2
            region = (x0, y - h / 2, w, h)
            if x0 < left or x0 + w > right or any(overlaps(region, b) for b in others):
                continue
            end = (x0 + w if side < 0 else x0, y)
            anchor = min(points, key=lambda p: float(np.hypot(p[0] - end[0], p[1] - end[1])))
            along = [(end[0] + t * (anchor[0] - end[0]), end[1] + t * (anchor[1] - end[1]))
                     for t in np.linspace(0.1, 0.9, 9)]
            crossed = sum(any(b[0] < x < b[0] + b[2] and b[1] < v < b[1] + b[3] for b in others)
                          for x, v in along)
            cost = float(np.hypot(anchor[0] - end[0], anchor[1] - end[1])) + 0.4 * step
            if best is None or cost + 3.0 * crossed < best[0]:
                best = (cost + 3.0 * crossed, region, end, anchor)
    if best is None:
        return None
    _, region, end, anchor = best
    panel.taken.append(region)
    panel.ax.plot([end[0], anchor[0]], [end[1], anchor[1]], color="#333333", lw=0.5,
                  zorder=450)
    return panel.ax.text(region[0] + region[2] / 2, end[1], text, ha="center", va="center",
                         fontsize=LABEL_PT, color="#222222", zorder=450, linespacing=1.0)
