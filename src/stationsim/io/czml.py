"""CZML text for Cesium: a re-entry prediction or a scenario's tracks on a 3-D globe.

CZML is the JSON format of CesiumJS (the *CZML Guide* and its *Packet* reference, Cesium). A
document is a JSON array of packets. The first has the id ``document``, the version ``"1.0"``
and the clock. The others are built from small records:

- :class:`CzmlTrack`: a moving object (a station piece, or an ensemble member's last
  revolutions). Its sampled ``position`` is LAGRANGE-interpolated, of degree 5 (lower if
  there are fewer than six samples), and it has an ``availability``, a coloured ``path``, a
  ``label`` and a ``point``.
- :class:`CzmlPoint`: a fixed point shown from an instant, such as a member's re-entry
  point; :func:`reentry_window_points` makes the window's points, the median highlighted.
- :class:`CzmlCorridor`: a strip of a given width around a centre line (the debris footprint).
- :class:`CzmlArea`: a polygon, such as a landing zone.

Positions are ``cartographicDegrees``: geodetic longitude and latitude [deg] and height
above the WGS 84 ellipsoid [m], Earth-fixed (Cesium turns them into its ``FIXED`` frame).
ITRF metres become geodetic coordinates with :func:`stationsim.frames.itrf_to_geodetic`.
Sampled positions list ``[t, lon, lat, height, ...]`` with ``t`` in SI seconds after the
property's ``epoch``. Instants and intervals are ISO 8601 UTC text ending in ``Z``
(``start/stop``). Colours are ``rgba`` of four integers from 0 to 255.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from stationsim.errors import ExportError
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = ["CzmlArea", "CzmlCorridor", "CzmlPoint", "CzmlTrack", "Rgba", "format_czml",
           "reentry_window_points"]

#: A colour: red, green, blue and alpha, each an integer from 0 to 255.
Rgba = tuple[int, int, int, int]

_WHITE: Rgba = (255, 255, 255, 255)
_BLACK: Rgba = (0, 0, 0, 255)
_LAGRANGE_DEGREE = 5


@dataclass(frozen=True)
class CzmlTrack:
    """A moving object: samples at ``times_s`` [s] after ``epoch`` (strictly increasing, at
    least two) of geodetic longitude and latitude [deg] and height above the WGS 84 ellipsoid
    [m]; a scalar height holds for every sample. ``trail_s`` is how long a stretch of path
    trails the object [s] (None: the whole track). ``description`` is plain text."""

    packet_id: str
    name: str
    epoch: Epoch
    times_s: ArrayLike
    lon_deg: ArrayLike
    lat_deg: ArrayLike
    height_m: ArrayLike = 0.0
    color_rgba: Rgba = (31, 78, 121, 255)
    width_px: float = 2.0
    trail_s: float | None = None
    description: str = ""


@dataclass(frozen=True)
class CzmlPoint:
    """A fixed point at geodetic longitude and latitude [deg] and height [m]. It is shown
    from ``epoch`` (None: always) until ``until`` (None: the end of the clock).
    ``highlight`` draws it larger, outlined and labelled (the median re-entry point)."""

    packet_id: str
    name: str
    lon_deg: float
    lat_deg: float
    height_m: float = 0.0
    epoch: Epoch | None = None
    until: Epoch | None = None
    color_rgba: Rgba = (192, 57, 43, 200)
    pixel_size: float = 6.0
    highlight: bool = False
    description: str = ""


@dataclass(frozen=True)
class CzmlCorridor:
    """A strip ``width_m`` wide [m] centred on a line of longitudes and latitudes [deg] on
    the ground (a debris footprint around its centre line), drawn translucent; shown from
    ``epoch`` until ``until`` as for :class:`CzmlPoint`."""

    packet_id: str
    name: str
    lon_deg: ArrayLike
    lat_deg: ArrayLike
    width_m: float
    color_rgba: Rgba = (230, 126, 34, 110)
    epoch: Epoch | None = None
    until: Epoch | None = None
    description: str = ""


@dataclass(frozen=True)
class CzmlArea:
    """A polygon on the ground: one ring of longitudes and latitudes [deg], open or closed
    (a landing zone), drawn translucent with an outline; shown from ``epoch`` until
    ``until`` as for :class:`CzmlPoint`."""

    packet_id: str
    name: str
    lon_deg: ArrayLike
    lat_deg: ArrayLike
    color_rgba: Rgba = (39, 174, 96, 90)
    epoch: Epoch | None = None
    until: Epoch | None = None
    description: str = ""


# --- validation ----------------------------------------------------------------------------
def _array(values: ArrayLike, what: str, n: int | None = None) -> FloatArray:
    """A finite 1-D float array (of length ``n`` if given)."""
    try:
        a = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ExportError(f"{what}: not numbers ({exc})") from None
    if n is not None and a.ndim == 0:
        a = np.full(n, float(a))
    if a.ndim != 1 or (n is not None and a.size != n):
        want = "a 1-D array" if n is None else f"{n} values (one per sample)"
        raise ExportError(f"{what}: expected {want}, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ExportError(f"{what}: values must be finite (NaN or infinity found)")
    return a


def _lon_lat(lon_deg: ArrayLike, lat_deg: ArrayLike, what: str, least: int
             ) -> tuple[FloatArray, FloatArray]:
    """Validated longitudes in [-180, 180] and latitudes in [-90, 90] [deg], one length."""
    lon = _array(lon_deg, f"{what} lon_deg")
    lat = _array(lat_deg, f"{what} lat_deg")
    if lon.size != lat.size:
        raise ExportError(f"{what}: {lon.size} longitudes but {lat.size} latitudes")
    if lon.size < least:
        raise ExportError(f"{what}: needs at least {least} points, got {lon.size}")
    if np.any(np.abs(lon) > 180.0):
        raise ExportError(f"{what}: longitudes must lie in [-180, 180] deg, found "
                          f"{lon[np.argmax(np.abs(lon))]:g}")
    if np.any(np.abs(lat) > 90.0):
        raise ExportError(f"{what}: latitudes must lie in [-90, 90] deg, found "
                          f"{lat[np.argmax(np.abs(lat))]:g}")
    return lon, lat


def _epoch(value: object, what: str) -> Epoch:
    """A single epoch."""
    if not isinstance(value, Epoch) or value.shape:
        raise ExportError(f"{what}: expected a single Epoch, got {value!r}")
    return value


def _rgba(value: object, what: str) -> list[int]:
    """Four integers from 0 to 255."""
    if isinstance(value, tuple | list) and len(value) == 4 and all(
            isinstance(c, int | np.integer) and not isinstance(c, bool) and 0 <= c <= 255
            for c in value):
        return [int(c) for c in value]
    raise ExportError(f"{what}: colour must be four integers 0-255 (r, g, b, alpha), "
                      f"got {value!r}")


def _positive(value: float, what: str) -> float:
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise ExportError(f"{what}: must be a positive finite number, got {value!r}")
    return float(value)


def _text(value: str) -> str:
    """Plain text as the HTML of a CZML ``description``."""
    return html.escape(value).replace("\n", "<br>")


def _color(rgba: list[int]) -> dict[str, Any]:
    return {"rgba": rgba}


def _interval(start: Epoch, stop: Epoch) -> str:
    return f"{start.iso(3)}/{stop.iso(3)}"


def _ground(lon: FloatArray, lat: FloatArray) -> list[float]:
    """``[lon, lat, 0, ...]`` for positions on the ellipsoid."""
    return [v for x, y in zip(lon, lat, strict=True) for v in (round(float(x), 7),
                                                               round(float(y), 7), 0.0)]


# --- packets -------------------------------------------------------------------------------
def _track_packet(track: CzmlTrack, what: str) -> tuple[dict[str, Any], Epoch, Epoch]:
    """The packet of a track, and the first and last instants of its samples."""
    epoch = _epoch(track.epoch, f"{what} epoch")
    t = np.round(_array(track.times_s, f"{what} times_s"), 6)
    if t.size < 2:
        raise ExportError(f"{what}: needs at least 2 samples, got {t.size}")
    if np.any(np.diff(t) <= 0.0):
        k = int(np.flatnonzero(np.diff(t) <= 0.0)[0])
        raise ExportError(f"{what}: times_s must increase strictly (to the microsecond); "
                          f"sample {k + 1} at {t[k + 1]:g} s follows {t[k]:g} s")
    lon, lat = _lon_lat(track.lon_deg, track.lat_deg, what, 1)
    if lon.size != t.size:
        raise ExportError(f"{what}: {t.size} times but {lon.size} positions")
    height = _array(track.height_m, f"{what} height_m", t.size)
    color = _rgba(track.color_rgba, what)
    start, stop = epoch + float(t[0]), epoch + float(t[-1])
    trail = float(t[-1] - t[0]) if track.trail_s is None else _positive(
        track.trail_s, f"{what} trail_s")
    samples = np.column_stack([t, np.round(lon, 7), np.round(lat, 7), np.round(height, 2)])
    description = track.description or (f"{track.name}: {start.iso(0)} to {stop.iso(0)}, "
                                         f"{t.size} samples")
    packet = {
        "id": track.packet_id, "name": track.name, "description": _text(description),
        "availability": _interval(start, stop),
        "position": {"epoch": epoch.iso(3), "interpolationAlgorithm": "LAGRANGE",
                     "interpolationDegree": min(_LAGRANGE_DEGREE, t.size - 1),
                     "cartographicDegrees": [float(v) for v in samples.ravel()]},
        "path": {"material": {"solidColor": {"color": _color(color)}},
                 "width": _positive(track.width_px, f"{what} width_px"),
                 "leadTime": 0.0, "trailTime": trail,
                 "resolution": max(1.0, float(np.median(np.diff(t))))},
        "label": {"text": track.name, "font": "12pt sans-serif", "fillColor": _color(color),
                  "outlineColor": _color(list(_BLACK)), "outlineWidth": 2,
                  "style": "FILL_AND_OUTLINE", "horizontalOrigin": "LEFT",
                  "pixelOffset": {"cartesian2": [10.0, 0.0]}},
        "point": {"color": _color(color), "pixelSize": 7.0,
                  "outlineColor": _color(list(_WHITE)), "outlineWidth": 1.0},
    }
    return packet, start, stop


def _shown(epoch: Epoch | None, until: Epoch | None, clock_stop: Epoch, what: str
           ) -> str | None:
    """The availability of a fixed item: from ``epoch`` to ``until`` (or the clock's end)."""
    if epoch is None:
        if until is not None:
            raise ExportError(f"{what}: 'until' needs an 'epoch' to start from")
        return None
    start = _epoch(epoch, f"{what} epoch")
    stop = clock_stop if until is None else _epoch(until, f"{what} until")
    if float(stop - start) < 0.0:
        raise ExportError(f"{what}: shown from {start.iso(3)}, after its end {stop.iso(3)}")
    return _interval(start, stop)


def _point_packet(point: CzmlPoint, clock_stop: Epoch, what: str) -> dict[str, Any]:
    lon, lat = _lon_lat([point.lon_deg], [point.lat_deg], what, 1)
    height = _array([point.height_m], f"{what} height_m")
    color = _rgba(point.color_rgba, what)
    size = _positive(point.pixel_size, f"{what} pixel_size")
    when = "" if point.epoch is None else f"{_epoch(point.epoch, what).iso(0)}; "
    description = point.description or (f"{point.name}: {when}latitude {lat[0]:.3f} deg, "
                                         f"longitude {lon[0]:.3f} deg")
    packet: dict[str, Any] = {"id": point.packet_id, "name": point.name,
                              "description": _text(description)}
    shown = _shown(point.epoch, point.until, clock_stop, what)
    if shown is not None:
        packet["availability"] = shown
    packet["position"] = {"cartographicDegrees": [round(float(lon[0]), 7),
                                                  round(float(lat[0]), 7),
                                                  round(float(height[0]), 2)]}
    packet["point"] = {"color": _color(color), "pixelSize": size * (2.0 if point.highlight
                                                                      else 1.0),
                       "outlineColor": _color(list(_WHITE if point.highlight else _BLACK)),
                       "outlineWidth": 2.0 if point.highlight else 0.5}
    if point.highlight:
        packet["label"] = {"text": point.name, "font": "14pt sans-serif",
                           "fillColor": _color(list(_WHITE)),
                           "outlineColor": _color(list(_BLACK)), "outlineWidth": 2,
                           "style": "FILL_AND_OUTLINE", "horizontalOrigin": "LEFT",
                           "pixelOffset": {"cartesian2": [12.0, -12.0]}}
    return packet


def _surface_packet(item: CzmlCorridor | CzmlArea, clock_stop: Epoch, what: str
                    ) -> dict[str, Any]:
    """The packet of a corridor or a polygon on the ellipsoid."""
    corridor = isinstance(item, CzmlCorridor)
    lon, lat = _lon_lat(item.lon_deg, item.lat_deg, what, 2 if corridor else 3)
    if not corridor and lon.size > 3 and lon[0] == lon[-1] and lat[0] == lat[-1]:
        lon, lat = lon[:-1], lat[:-1]  # CZML polygons close themselves
    color = _rgba(item.color_rgba, what)
    packet: dict[str, Any] = {"id": item.packet_id, "name": item.name}
    if item.description:
        packet["description"] = _text(item.description)
    shown = _shown(item.epoch, item.until, clock_stop, what)
    if shown is not None:
        packet["availability"] = shown
    graphics: dict[str, Any] = {
        "positions": {"cartographicDegrees": _ground(lon, lat)},
        "material": {"solidColor": {"color": _color(color)}},
        "height": 0.0, "outline": True, "outlineColor": _color([*color[:3], 255])}
    if isinstance(item, CzmlCorridor):
        graphics["width"] = _positive(item.width_m, f"{what} width_m")
        graphics["cornerType"] = "ROUNDED"
        packet["corridor"] = graphics
    else:
        packet["polygon"] = graphics
    return packet


def format_czml(name: str, tracks: Sequence[CzmlTrack] = (), points: Sequence[CzmlPoint] = (),
                corridors: Sequence[CzmlCorridor] = (), areas: Sequence[CzmlArea] = (), *,
                clock: tuple[Epoch, Epoch] | None = None, current: Epoch | None = None,
                multiplier: float = 60.0, indent: int | None = None) -> str:
    """A CZML document (*CZML Guide*, Cesium). Its clock runs over ``clock`` (start, stop) or,
    by default, from the first to the last instant of the tracks and the points' epochs; it
    starts at ``current`` (default: the start) and runs ``multiplier`` times real time,
    looping. Raises :class:`~stationsim.errors.ExportError` naming the item that cannot be
    written and why."""
    ids: set[str] = {"document"}
    for kind, items in (("track", tracks), ("point", points), ("corridor", corridors),
                        ("area", areas)):
        for k, item in enumerate(items):
            pid = getattr(item, "packet_id", None)
            if not isinstance(pid, str) or not pid:
                raise ExportError(f"{kind} {k}: packet_id must be non-empty text, got {pid!r}")
            if pid in ids:
                raise ExportError(f"{kind} {k}: the id {pid!r} is used twice (or is reserved)")
            ids.add(pid)
    packets: list[dict[str, Any]] = []
    instants: list[Epoch] = []
    for k, track in enumerate(tracks):
        packet, start, stop = _track_packet(track, f"track {k} ({track.packet_id})")
        packets.append(packet)
        instants += [start, stop]
    for k, point in enumerate(points):
        if point.epoch is not None:
            instants.append(_epoch(point.epoch, f"point {k} ({point.packet_id}) epoch"))
    if clock is not None:
        if not isinstance(clock, tuple) or len(clock) != 2:
            raise ExportError(f"clock: expected (start, stop) epochs, got {clock!r}")
        begin, end = _epoch(clock[0], "clock start"), _epoch(clock[1], "clock stop")
    elif instants:
        offsets = [float(e - instants[0]) for e in instants]
        begin = instants[int(np.argmin(offsets))]
        end = instants[int(np.argmax(offsets))]
    else:
        raise ExportError("clock: no track or timed point gives a time span; give "
                          "clock=(start, stop)")
    if float(end - begin) <= 0.0:
        raise ExportError(f"clock: its stop {end.iso(3)} must come after its start "
                          f"{begin.iso(3)}")
    now = begin if current is None else _epoch(current, "current")
    if not 0.0 <= float(now - begin) <= float(end - begin):
        raise ExportError(f"current: {now.iso(3)} lies outside the clock "
                          f"{_interval(begin, end)}")
    document = {"id": "document", "name": name, "version": "1.0",
                "clock": {"interval": _interval(begin, end), "currentTime": now.iso(3),
                          "multiplier": _positive(multiplier, "clock multiplier"),
                          "range": "LOOP_STOP", "step": "SYSTEM_CLOCK_MULTIPLIER"}}
    packets += [_point_packet(p, end, f"point {k} ({p.packet_id})")
                for k, p in enumerate(points)]
    packets += [_surface_packet(c, end, f"corridor {k} ({c.packet_id})")
                for k, c in enumerate(corridors)]
    packets += [_surface_packet(a, end, f"area {k} ({a.packet_id})")
                for k, a in enumerate(areas)]
    return json.dumps([document, *packets], indent=indent, allow_nan=False)


def reentry_window_points(entries: Sequence[Epoch], lon_deg: ArrayLike, lat_deg: ArrayLike,
                          *, median: Epoch, median_lon_deg: float, median_lat_deg: float,
                          color_rgba: Rgba = (192, 57, 43, 200),
                          median_rgba: Rgba = (241, 196, 15, 255)) -> list[CzmlPoint]:
    """The points of a re-entry window: each member where it crossed 120 km [deg], shown from
    its re-entry epoch on, and the predicted (median) re-entry point, highlighted."""
    lon, lat = _lon_lat(lon_deg, lat_deg, "members", 0)
    if len(entries) != lon.size:
        raise ExportError(f"members: {len(entries)} re-entry epochs but {lon.size} places")
    out = [CzmlPoint(f"member-{k}", f"member {k}", float(x), float(y),
                     epoch=_epoch(e, f"member {k} epoch"), color_rgba=color_rgba,
                     description=f"member {k} at 120 km: {e.iso(0)}; latitude {y:.3f} deg, "
                                 f"longitude {x:.3f} deg")
           for k, (e, x, y) in enumerate(zip(entries, lon, lat, strict=True))]
    when = _epoch(median, "median epoch")
    (median_lon_deg,), (median_lat_deg,) = _lon_lat([median_lon_deg], [median_lat_deg],
                                                    "median", 1)
    out.append(CzmlPoint("reentry-median", "predicted re-entry", float(median_lon_deg),
                         float(median_lat_deg), epoch=when, color_rgba=median_rgba,
                         pixel_size=8.0, highlight=True,
                         description=f"predicted re-entry (median of {lon.size} members): "
                                     f"{when.iso(0)}; latitude {median_lat_deg:.3f} deg, "
                                     f"longitude {median_lon_deg:.3f} deg"))
    return out
