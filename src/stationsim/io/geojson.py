"""GeoJSON text: country outlines in (Natural Earth's admin-0 countries), re-entry results out.

Writing follows RFC 7946, *The GeoJSON Format* (IETF, 2016). Positions are WGS 84 longitude
and latitude [deg], in that order (sections 3.1.1 and 4), rounded to 6 decimals, about 0.1 m
(section 11.2). A line or polygon that crosses the 180th meridian is cut there into a
MultiLineString or MultiPolygon whose parts meet at longitude +180 and -180 (section 3.1.9).
Between two positions a line is straight in longitude and latitude (section 3.1.1), so the
cut point is interpolated linearly in both. Polygon rings are closed and their exterior
rings counter-clockwise (the right-hand rule of section 3.1.6). Times in properties are ISO
8601 UTC text ending in ``Z``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from stationsim.constants import WGS84_A_M, WGS84_F
from stationsim.errors import DataFileError, ExportError
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = ["CountryOutline", "GeoFeature", "GeoLine", "GeoPoint", "GeoPolygon", "PropertyValue",
           "format_geojson", "parse_country_outlines", "split_line_at_antimeridian",
           "split_ring_at_antimeridian", "strip_outline"]

#: A property value: JSON scalars (NumPy's too), or an epoch (written as ISO 8601 UTC text
#: with a ``Z``).
PropertyValue = str | int | float | bool | np.integer[Any] | np.bool_ | Epoch | None

#: Decimals of the written longitudes and latitudes (RFC 7946, section 11.2).
DECIMALS = 6
#: The WGS 84 arithmetic mean radius (2a + b) / 3 [m], for offsets on a sphere.
_MEAN_RADIUS_M = WGS84_A_M * (1.0 - WGS84_F / 3.0)


@dataclass(frozen=True)
class CountryOutline:
    """One country: its name, ISO 3166 alpha-3 code, estimated population and the outer rings
    of its polygons, each ``(K, 2)`` longitude and latitude [deg]."""

    name: str
    iso_a3: str
    population: float
    rings: tuple[FloatArray, ...]


def parse_country_outlines(text: str, *, source: str = "GeoJSON") -> list[CountryOutline]:
    """The countries of a GeoJSON FeatureCollection of (Multi)Polygons with the properties
    ``name``, ``iso_a3`` and ``pop_est``. Holes are dropped (they do not matter at 1:110m)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(f"not JSON ({exc.msg})", source=source, line=exc.lineno,
                            column=exc.colno) from None
    except RecursionError:
        raise DataFileError("not readable JSON (nested too deeply)", source=source) from None
    except ValueError:  # an integer longer than int() reads
        raise DataFileError("not readable JSON (a number with too many digits)",
                            source=source) from None
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list):
        raise DataFileError("not a GeoJSON FeatureCollection", source=source)
    out: list[CountryOutline] = []
    for k, feature in enumerate(features):
        where = f"{source}, feature {k}"
        try:
            props = feature["properties"]
            geometry = feature["geometry"]
            kind = geometry["type"]
            coords = geometry["coordinates"]
            polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" \
                else None
            if polygons is None:
                raise DataFileError(f"geometry {kind!r} is not a polygon", source=where)
            rings = tuple(np.asarray(p[0], dtype=np.float64)[:, :2] for p in polygons)
            out.append(CountryOutline(str(props.get("name", "")), str(props.get("iso_a3", "")),
                                      float(props.get("pop_est") or 0.0), rings))
        except (KeyError, TypeError, IndexError, ValueError, AttributeError,
                OverflowError) as exc:  # properties not an object; numbers past a float
            raise DataFileError(f"malformed feature ({exc})", source=where) from None
    return out


# --- writing -------------------------------------------------------------------------------
@dataclass(frozen=True)
class GeoPoint:
    """A point feature (e.g. a member's re-entry point): longitude and latitude [deg]."""

    lon_deg: float
    lat_deg: float
    properties: Mapping[str, PropertyValue] = field(default_factory=dict)
    feature_id: str | int | None = None


@dataclass(frozen=True)
class GeoLine:
    """A line feature (e.g. a ground track): longitudes and latitudes [deg] in order, at least
    two. Consecutive points are joined the short way round: a step of more than 180 deg in
    longitude crosses the antimeridian."""

    lon_deg: ArrayLike
    lat_deg: ArrayLike
    properties: Mapping[str, PropertyValue] = field(default_factory=dict)
    feature_id: str | int | None = None


@dataclass(frozen=True)
class GeoPolygon:
    """An area feature (e.g. a debris footprint or a landing zone): one outer ring of
    longitudes and latitudes [deg], open or closed, in either direction, without holes, not
    crossing itself. Its edges are joined the short way round, and it must not enclose a
    pole."""

    lon_deg: ArrayLike
    lat_deg: ArrayLike
    properties: Mapping[str, PropertyValue] = field(default_factory=dict)
    feature_id: str | int | None = None


GeoFeature = GeoPoint | GeoLine | GeoPolygon


def _lon_lat(lon_deg: ArrayLike, lat_deg: ArrayLike, what: str, least: int
             ) -> tuple[FloatArray, FloatArray]:
    """Validated 1-D longitude and latitude arrays [deg] of at least ``least`` points."""
    try:
        lon = np.asarray(lon_deg, dtype=np.float64)
        lat = np.asarray(lat_deg, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ExportError(f"{what}: coordinates are not numbers ({exc})") from None
    if lon.ndim != 1 or lon.shape != lat.shape:
        raise ExportError(f"{what}: longitudes and latitudes must be 1-D arrays of one length, "
                          f"got shapes {lon.shape} and {lat.shape}")
    if lon.size < least:
        raise ExportError(f"{what}: needs at least {least} points, got {lon.size}")
    if not (np.all(np.isfinite(lon)) and np.all(np.isfinite(lat))):
        raise ExportError(f"{what}: coordinates must be finite (NaN or infinity found)")
    if np.any(np.abs(lon) > 180.0):
        raise ExportError(f"{what}: longitudes must lie in [-180, 180] deg, found "
                          f"{lon[np.argmax(np.abs(lon))]:g}")
    if np.any(np.abs(lat) > 90.0):
        raise ExportError(f"{what}: latitudes must lie in [-90, 90] deg, found "
                          f"{lat[np.argmax(np.abs(lat))]:g}")
    return lon, lat


def _unwrap(lon: FloatArray) -> FloatArray:
    """Longitudes made continuous: each step taken the short way, in [-180, 180) deg."""
    step = (np.diff(lon) + 180.0) % 360.0 - 180.0
    return np.concatenate([lon[:1], lon[0] + np.cumsum(step)])


def _band(x: FloatArray | float) -> FloatArray:
    """The 360-deg band [-180 + 360 k, 180 + 360 k] that holds unwrapped longitude ``x``."""
    return np.floor((np.asarray(x) + 180.0) / 360.0)


def split_line_at_antimeridian(lon_deg: ArrayLike, lat_deg: ArrayLike) -> list[FloatArray]:
    """The pieces of a line that cross no antimeridian, each ``(K, 2)`` longitude and latitude
    [deg] within [-180, 180]. Where a step crosses the 180th meridian, a point interpolated
    linearly in longitude and latitude ends one piece at +/-180 and starts the next at -/+180
    (RFC 7946, section 3.1.9); every input point is kept, in order."""
    lon, lat = _lon_lat(lon_deg, lat_deg, "line", 2)
    u = _unwrap(lon)
    lo, hi = np.minimum(u[:-1], u[1:]), np.maximum(u[:-1], u[1:])
    meridian = 180.0 + 360.0 * np.ceil((lo - 180.0) / 360.0)
    # A step spans at most 180 deg, so it crosses at most one meridian strictly inside.
    crossing = np.flatnonzero((meridian > lo) & (meridian < hi))
    m = meridian[crossing]
    t = (m - u[crossing]) / (u[crossing + 1] - u[crossing])
    y = lat[crossing] + t * (lat[crossing + 1] - lat[crossing])
    x = np.insert(u, crossing + 1, m)
    y = np.insert(lat, crossing + 1, y)
    band = _band(0.5 * (x[:-1] + x[1:]))
    cut = np.flatnonzero(np.diff(band)) + 1
    starts = np.concatenate([[0], cut])
    ends = np.concatenate([cut, [x.size - 1]])
    return [np.column_stack([x[s:e + 1] - 360.0 * band[s], y[s:e + 1]])
            for s, e in zip(starts, ends, strict=True)]


def _signed_area(ring: FloatArray) -> float:
    """Twice the signed area of an open ring in the longitude-latitude plane (CCW > 0)."""
    x, y = ring[:, 0], ring[:, 1]
    return float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def _crossing(a: FloatArray, b: FloatArray, m: float) -> FloatArray:
    """Where the straight edge ``a`` -> ``b`` meets the meridian ``x = m``."""
    t = (m - a[0]) / (b[0] - a[0])
    return np.array([m, a[1] + t * (b[1] - a[1])])


def _cut_ring(ring: FloatArray, m: float) -> list[FloatArray]:
    """An open counter-clockwise ring (unwrapped longitudes) cut by the meridian ``x = m`` into
    the rings of its parts on either side. The ring is split into chains that begin and end
    on the meridian; along the meridian, the inside of a simple ring is the intervals between
    the sorted crossings taken in pairs, and each part follows a chain's end to the other end
    of its interval, where the part's next chain begins."""
    east = ring[:, 0] > m
    if east.all() or not east.any():
        return [ring]
    s = int(np.flatnonzero(east != np.roll(east, 1))[0])
    q, side = np.roll(ring, -s, axis=0), np.roll(east, -s)
    first = _crossing(q[-1], q[0], m)
    chains: list[list[FloatArray]] = []
    sides: list[bool] = []
    current = [first, q[0]]
    for i in range(1, len(q)):
        if side[i] != side[i - 1]:
            point = _crossing(q[i - 1], q[i], m)
            chains.append([*current, point])
            sides.append(bool(side[i - 1]))
            current = [point, q[i]]
        else:
            current.append(q[i])
    chains.append([*current, first])
    sides.append(bool(side[-1]))
    # Crossing k ends chain k and begins chain k + 1.
    count = len(chains)
    order = sorted(range(count), key=lambda k: float(chains[k][-1][1]))
    partner = {}
    for a, b in zip(order[::2], order[1::2], strict=True):
        partner[a], partner[b] = b, a
    parts: list[FloatArray] = []
    used: set[int] = set()
    for k0 in range(count):
        if k0 in used:
            continue
        points: list[FloatArray] = []
        k = k0
        while k not in used:
            used.add(k)
            points.extend(chains[k])
            k = (partner[k] + 1) % count
            if sides[k] != sides[k0]:
                raise ExportError("polygon: the ring crosses itself")
        if k != k0:
            raise ExportError("polygon: the ring crosses itself")
        parts.append(np.array(points))
    return parts


def _clean_ring(ring: FloatArray) -> FloatArray | None:
    """Rounded, without repeated points, counter-clockwise and closed; None if it has no
    area left."""
    r = np.round(ring, DECIMALS)
    keep = np.any(r != np.roll(r, 1, axis=0), axis=1)
    r = r[keep] if keep.any() else r[:1]
    if len(r) < 3:
        return None
    area = _signed_area(r)
    if area == 0.0:
        return None
    if area < 0.0:
        r = r[::-1]
    return np.vstack([r, r[:1]])


def split_ring_at_antimeridian(lon_deg: ArrayLike, lat_deg: ArrayLike) -> list[FloatArray]:
    """The parts of a polygon's outer ring on either side of the antimeridian, each a closed
    counter-clockwise ``(K, 2)`` ring of longitude and latitude [deg] within [-180, 180]
    (RFC 7946, sections 3.1.6 and 3.1.9); one part if it does not cross."""
    lon, lat = _lon_lat(lon_deg, lat_deg, "polygon", 3)
    if lon.size > 3 and lon[0] == lon[-1] and lat[0] == lat[-1]:
        lon, lat = lon[:-1], lat[:-1]
    u = _unwrap(np.append(lon, lon[0]))
    if abs(u[-1] - u[0]) > 180.0:
        raise ExportError("polygon: the ring encloses a pole, which this writer cannot cut")
    ring = np.column_stack([u[:-1], lat])
    area = _signed_area(ring)
    if area == 0.0:
        raise ExportError("polygon: the ring encloses no area")
    if area < 0.0:
        ring = ring[::-1]
    parts = [ring]
    lo, hi = ring[:, 0].min(), ring[:, 0].max()
    for m in 180.0 + 360.0 * np.arange(np.ceil((lo - 180.0) / 360.0),
                                       np.floor((hi - 180.0) / 360.0) + 1.0):
        if lo < m < hi:
            parts = [piece for p in parts for piece in _cut_ring(p, float(m))]
    out = []
    for p in parts:
        shifted = p - np.array([360.0 * float(_band(0.5 * (p[:, 0].min() + p[:, 0].max()))),
                                0.0])
        cleaned = _clean_ring(shifted)
        if cleaned is not None:
            out.append(cleaned)
    return out


def strip_outline(lon_deg: ArrayLike, lat_deg: ArrayLike, width_m: float) -> FloatArray:
    """The outline of a strip ``width_m`` wide [m] centred on a line (e.g. a debris footprint
    around its centre line): each point moved half the width to either side, at right angles
    to the line, along great circles of a sphere of the WGS 84 mean radius. Returns an open
    ``(2K, 2)`` ring of longitude and latitude [deg], the left edge forward and the right edge
    back; give it to :class:`GeoPolygon`. The ring is simple where the line bends gently:
    its radius of curvature above half the width, its samples closer than half the width (a
    ground track every 10 km, 300 km wide, is); a strip over a pole cannot be written."""
    lon, lat = _lon_lat(lon_deg, lat_deg, "strip", 2)
    if not (math.isfinite(width_m) and width_m > 0.0):
        raise ExportError(f"strip: the width must be a positive number of metres, got "
                          f"{width_m!r}")
    phi, lam = np.radians(lat), np.radians(_unwrap(lon))
    heading = np.arctan2(np.gradient(lam) * np.cos(phi), np.gradient(phi))
    d = 0.5 * width_m / _MEAN_RADIUS_M
    edges = []
    for bearing in (heading - 0.5 * np.pi, heading + 0.5 * np.pi):
        plat = np.arcsin(np.sin(phi) * np.cos(d) + np.cos(phi) * np.sin(d) * np.cos(bearing))
        plon = lam + np.arctan2(np.sin(bearing) * np.sin(d) * np.cos(phi),
                                np.cos(d) - np.sin(phi) * np.sin(plat))
        edges.append(np.column_stack([(np.degrees(plon) + 180.0) % 360.0 - 180.0,
                                      np.degrees(plat)]))
    return np.vstack([edges[0], edges[1][::-1]])


def _property(key: object, value: object, what: str) -> str | int | float | bool | None:
    """A property value ready for JSON: epochs as ISO 8601 UTC text, finite numbers only."""
    if not isinstance(key, str):
        raise ExportError(f"{what}: property names must be text, got {key!r}")
    if isinstance(value, Epoch):
        if value.shape:
            raise ExportError(f"{what}: property {key!r} must be a single epoch, got an "
                              f"array of shape {value.shape}")
        return str(value.iso(3))
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        raise ExportError(f"{what}: property {key!r} is {value}, which JSON cannot hold")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise ExportError(f"{what}: property {key!r} has the unsupported type "
                      f"{type(value).__name__} (text, number, boolean, None or Epoch)")


def _positions(ring: FloatArray) -> list[list[float]]:
    """Positions ``[lon, lat]`` rounded to :data:`DECIMALS` (and ``-0.0`` written as 0)."""
    return [[round(float(x), DECIMALS) + 0.0, round(float(y), DECIMALS) + 0.0] for x, y in ring]


def _geometry(feature: GeoFeature, what: str) -> dict[str, object]:
    """The RFC 7946 geometry object of one feature."""
    if isinstance(feature, GeoPoint):
        lon, lat = _lon_lat([feature.lon_deg], [feature.lat_deg], what, 1)
        return {"type": "Point", "coordinates": _positions(np.column_stack([lon, lat]))[0]}
    if isinstance(feature, GeoLine):
        lines = [_positions(p) for p in split_line_at_antimeridian(feature.lon_deg,
                                                                   feature.lat_deg)]
        if len(lines) == 1:
            return {"type": "LineString", "coordinates": lines[0]}
        return {"type": "MultiLineString", "coordinates": lines}
    if isinstance(feature, GeoPolygon):
        rings = [_positions(p) for p in split_ring_at_antimeridian(feature.lon_deg,
                                                                   feature.lat_deg)]
        if not rings:
            raise ExportError(f"{what}: the polygon has no area at {DECIMALS} decimals")
        if len(rings) == 1:
            return {"type": "Polygon", "coordinates": [rings[0]]}
        return {"type": "MultiPolygon", "coordinates": [[r] for r in rings]}
    raise ExportError(f"{what}: not a GeoPoint, GeoLine or GeoPolygon "
                      f"({type(feature).__name__})")


def format_geojson(features: Sequence[GeoFeature], *, indent: int | None = None) -> str:
    """A GeoJSON FeatureCollection (RFC 7946) of the features, in order. Raises
    :class:`~stationsim.errors.ExportError` naming the feature (by index) that cannot be
    written and why."""
    out = []
    ids: set[str | int] = set()
    for k, feature in enumerate(features):
        what = f"feature {k}"
        try:
            geometry = _geometry(feature, what)
        except ExportError as exc:
            if str(exc).startswith(what):
                raise
            raise ExportError(f"{what}, {exc}") from None
        item: dict[str, object] = {"type": "Feature"}
        if feature.feature_id is not None:
            if feature.feature_id in ids:
                raise ExportError(f"{what}: the id {feature.feature_id!r} is used twice")
            ids.add(feature.feature_id)
            item["id"] = feature.feature_id
        item["geometry"] = geometry
        item["properties"] = {str(key): _property(key, value, what)
                              for key, value in dict(feature.properties).items()}
        out.append(item)
    return json.dumps({"type": "FeatureCollection", "features": out}, indent=indent,
                      allow_nan=False)
