"""Where the parts sit, what the flow sees of them, and the mass distribution.

Layout: every part is a cylinder (length along its axis, a diameter) aligned with a body axis
(x forward, y starboard, z nadir). The root sits at the origin; a child attached at a port
touches the parent's face there: an end port lies on the parent's axis at half its length, a
side port on its surface (half the diameter out) at the port's offset along the axis. The
child touches with its end when its axis is along the port's direction, else with its side.
The layout is a sketch good to a metre or two: enough for frontal area, centre of pressure and
inertia, not for clearances.

Frontal area: in the XVV attitude the air arrives along -x, so a part's silhouette is its
projection on the y-z plane: a disc for a part along x, a rectangle for one along y or z. The
silhouettes are drawn on a grid (cells of ``cell_m``); a cell covered by several parts counts
once, owned by the part furthest forward (free-molecular flow is shadowed by what it hits
first). A part's ``frontal_fill`` (1 for a solid shell) scales what its cells block.

Mass: each part is a uniform solid cylinder (a point mass when its size is unknown).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from stationsim.station.graph import Link
from stationsim.station.parts import ConfigurationError, Direction, Part
from stationsim.time.tables import FloatArray

__all__ = ["FrontalArea", "MassProperties", "Placement", "frontal_area", "layout",
           "mass_properties"]

_UNIT = {"x": np.array([1.0, 0.0, 0.0]), "y": np.array([0.0, 1.0, 0.0]),
         "z": np.array([0.0, 0.0, 1.0])}


@dataclass(frozen=True, eq=False)
class Placement:
    """A part's place in the body frame: centre [m], axis, length and diameter [m]."""

    center_m: FloatArray
    axis: str
    length_m: float
    diameter_m: float


def layout(parts: Mapping[str, Part], links: Sequence[Link], root: str) -> dict[str, Placement]:
    """Place every part reachable from ``root`` (at the origin) by walking the links."""
    below: dict[str, list[Link]] = {}
    for link in links:
        below.setdefault(link.parent, []).append(link)
    first = parts[root]
    out = {root: Placement(np.zeros(3), first.axis, first.length_m or 0.0,
                           first.diameter_m or 0.0)}
    stack = [root]
    while stack:
        parent_name = stack.pop()
        parent = out[parent_name]
        for link in below.get(parent_name, []):
            port = parts[parent_name].port(link.port)
            if port is None:
                raise ConfigurationError(f"{parent_name} has no port {link.port!r}")
            child = parts[link.child]
            out[link.child] = _attach(parent, port.direction, port.offset_m, child)
            stack.append(link.child)
    return out


def _attach(parent: Placement, direction: Direction, offset_m: float, child: Part) -> Placement:
    d = direction.vector
    if direction.axis == parent.axis:
        point = parent.center_m + d * parent.length_m / 2.0
    else:
        point = (parent.center_m + d * parent.diameter_m / 2.0
                 + _UNIT[parent.axis] * offset_m)
    length, diameter = child.length_m or 0.0, child.diameter_m or 0.0
    reach = length / 2.0 if direction.axis == child.axis else diameter / 2.0
    return Placement(point + d * reach, child.axis, length, diameter)


@dataclass(frozen=True, eq=False)
class FrontalArea:
    """The silhouette facing the flow (along x).

    Attributes:
        area_m2: blocked area [m^2].
        centroid_yz_m: its centroid (y, z) [m], where the drag force acts.
        by_part_m2: the area each part shows (parts hidden behind others show less).
    """

    area_m2: float
    centroid_yz_m: FloatArray
    by_part_m2: dict[str, float]


def frontal_area(placements: Mapping[str, Placement], fills: Mapping[str, float],
                 cell_m: float = 0.25) -> FrontalArea:
    """Union of the parts' silhouettes on the y-z plane (see the module docstring)."""
    boxes = []
    for name, place in placements.items():
        if place.length_m <= 0.0 or place.diameter_m <= 0.0 or fills.get(name, 1.0) <= 0.0:
            continue
        half = _half_extents(place)
        y, z = place.center_m[1], place.center_m[2]
        boxes.append((name, place, y - half[0], y + half[0], z - half[1], z + half[1]))
    if not boxes:
        return FrontalArea(0.0, np.zeros(2), {})
    y0 = min(b[2] for b in boxes) - cell_m
    z0 = min(b[4] for b in boxes) - cell_m
    ny = int(np.ceil((max(b[3] for b in boxes) - y0) / cell_m)) + 2
    nz = int(np.ceil((max(b[5] for b in boxes) - z0) / cell_m)) + 2
    yc = y0 + (np.arange(ny) + 0.5) * cell_m
    zc = z0 + (np.arange(nz) + 0.5) * cell_m
    front = np.full((ny, nz), -np.inf)
    owner = np.full((ny, nz), -1, dtype=np.int64)
    fill = np.zeros((ny, nz))
    for index, (name, place, ylo, yhi, zlo, zhi) in enumerate(boxes):
        i0, i1 = np.searchsorted(yc, ylo), np.searchsorted(yc, yhi)
        j0, j1 = np.searchsorted(zc, zlo), np.searchsorted(zc, zhi)
        if i1 <= i0 or j1 <= j0:
            continue
        inside = np.ones((i1 - i0, j1 - j0), dtype=bool)
        if place.axis == "x":  # a disc
            dy = yc[i0:i1, None] - place.center_m[1]
            dz = zc[None, j0:j1] - place.center_m[2]
            inside = dy * dy + dz * dz <= (place.diameter_m / 2.0) ** 2
        nose = place.center_m[0] + (place.length_m / 2.0 if place.axis == "x"
                                    else place.diameter_m / 2.0)
        window = front[i0:i1, j0:j1]
        take = inside & (nose > window)
        window[take] = nose
        owner[i0:i1, j0:j1][take] = index
        fill[i0:i1, j0:j1][take] = fills.get(name, 1.0)
    weight = fill * cell_m * cell_m
    area = float(weight.sum())
    if area <= 0.0:
        return FrontalArea(0.0, np.zeros(2), {})
    centroid = np.array([float((weight.sum(axis=1) * yc).sum() / area),
                         float((weight.sum(axis=0) * zc).sum() / area)])
    by_part = {}
    for index, box in enumerate(boxes):
        shown = float(weight[owner == index].sum())
        if shown > 0.0:
            by_part[box[0]] = shown
    return FrontalArea(area, centroid, by_part)


def _half_extents(place: Placement) -> tuple[float, float]:
    """Half widths of the silhouette along y and z."""
    r, h = place.diameter_m / 2.0, place.length_m / 2.0
    if place.axis == "y":
        return h, r
    if place.axis == "z":
        return r, h
    return r, r


@dataclass(frozen=True, eq=False)
class MassProperties:
    """Total mass [kg], centre of mass [m] and inertia tensor about it [kg m^2], body frame."""

    mass_kg: float
    center_m: FloatArray
    inertia_kg_m2: FloatArray


def mass_properties(masses_kg: Mapping[str, float],
                    placements: Mapping[str, Placement]) -> MassProperties:
    """Mass, centre of mass and inertia of parts modelled as uniform solid cylinders."""
    names = [name for name in masses_kg if name in placements]
    m = np.array([masses_kg[name] for name in names], dtype=np.float64)
    total = float(m.sum())
    if total <= 0.0:
        return MassProperties(0.0, np.zeros(3), np.zeros((3, 3)))
    r = np.array([placements[name].center_m for name in names])
    center = (m[:, None] * r).sum(axis=0) / total
    inertia = np.zeros((3, 3))
    for mass, name, pos in zip(m, names, r, strict=True):
        place = placements[name]
        inertia += _cylinder_inertia(mass, place)
        d = pos - center
        inertia += mass * (np.dot(d, d) * np.eye(3) - np.outer(d, d))
    return MassProperties(total, center, inertia)


def _cylinder_inertia(mass: float, place: Placement) -> FloatArray:
    radius, length = place.diameter_m / 2.0, place.length_m
    along = mass * radius ** 2 / 2.0
    across = mass * (3.0 * radius ** 2 + length ** 2) / 12.0
    axis = _UNIT[place.axis]
    return np.asarray(across * np.eye(3) + (along - across) * np.outer(axis, axis))

