"""A scenario run's and a re-entry prediction's results in the files other tools read.

* **CCSDS OEM** (KVN; :mod:`stationsim.io.oem`) of every piece of a scenario: GCRF positions
  and velocities, UTC, for STK, GMAT or Orekit. A scenario keeps one revolution a day and every
  output step for two days after each event (:mod:`stationsim.scenario.runner`); each stretch
  sampled at the output step becomes a segment of its own, so that no tool interpolates across
  a day without samples.
* **CZML** (:mod:`stationsim.io.czml`) for Cesium: the same stretches as moving objects with
  their paths, the pieces' re-entry points; for a prediction, the nominal member's last
  revolutions, every member's re-entry point (the median highlighted) and the debris
  footprints as corridors.
* **GeoJSON** (:mod:`stationsim.io.geojson`, RFC 7946): the ground tracks, the re-entry
  points and the footprints, for a GIS or a web map.
"""

from __future__ import annotations

import itertools

import numpy as np

from stationsim.analysis.footprint import footprint_size_m
from stationsim.analysis.reentry import ReentryReport
from stationsim.frames import gcrf_to_itrf_position, itrf_to_geodetic
from stationsim.io.czml import (
    CzmlCorridor,
    CzmlPoint,
    CzmlTrack,
    Rgba,
    format_czml,
    reentry_window_points,
)
from stationsim.io.geojson import (
    GeoFeature,
    GeoLine,
    GeoPoint,
    GeoPolygon,
    format_geojson,
    strip_outline,
)
from stationsim.io.oem import OEM, OEMSegment, format_oem_kvn
from stationsim.scenario.bodies import Body
from stationsim.scenario.runner import ScenarioRun
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = ["EXPORT_FILES", "reentry_czml", "reentry_geojson", "scenario_czml",
           "scenario_files", "scenario_geojson", "scenario_oem", "stretches", "strip_ring"]

#: The files :func:`scenario_files` gives, by name.
EXPORT_FILES = ("ephemeris.oem", "tracks.czml", "tracks.geojson")
#: Piece colours (the report's: US segment blue, Russian segment red, others in turn).
_COLOURS: tuple[Rgba, ...] = ((31, 119, 180, 255), (214, 39, 40, 255), (44, 160, 44, 255),
                              (148, 103, 189, 255), (255, 127, 14, 255), (140, 86, 75, 255))
#: The most stretches of one piece in the CZML and GeoJSON (the first ones and the last).
_MAX_STRETCHES = 24


def stretches(times_s: FloatArray, step_s: float) -> list[slice]:
    """The runs of ``times_s`` sampled at most ``1.5 step_s`` apart, of two samples or more."""
    t = np.asarray(times_s, dtype=np.float64)
    if len(t) < 2:
        return []
    breaks = np.flatnonzero(np.diff(t) > 1.5 * step_s) + 1
    edges = np.concatenate([[0], breaks, [len(t)]])
    return [slice(int(a), int(b)) for a, b in itertools.pairwise(edges)
            if b - a >= 2]


def _shown(parts: list[slice]) -> list[slice]:
    """At most :data:`_MAX_STRETCHES`: the first ones (the events) and the last (the end)."""
    if len(parts) <= _MAX_STRETCHES:
        return parts
    return parts[:_MAX_STRETCHES - 4] + parts[-4:]


def _geodetic(when: Epoch, r_gcrf_m: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Longitude, latitude [deg] and height [m] of GCRF positions."""
    lat, lon, h = itrf_to_geodetic(gcrf_to_itrf_position(when, r_gcrf_m))
    return np.degrees(lon), np.degrees(lat), np.asarray(h)


def _object_id(index: int) -> str:
    return f"STATIONSIM-{index + 1:03d}"


def scenario_oem(run: ScenarioRun) -> str:
    """Every piece's sampled stretches as OEM segments (GCRF, UTC, km and km/s in the file)."""
    segments = []
    step = run.scenario.output_step_s
    for k, body in enumerate(run.bodies):
        t, y = body.ephemeris()
        for part in stretches(t, step):
            segments.append(OEMSegment.from_states(
                run.start + t[part], y[part, :3], y[part, 3:6], object_name=body.name,
                object_id=_object_id(k), ref_frame="GCRF", interpolation="LAGRANGE",
                interpolation_degree=min(7, part.stop - part.start - 1),
                comments=(f"stationsim scenario {run.scenario.name}: {body.name}",)))
    return format_oem_kvn(OEM(segments=tuple(segments), originator="STATIONSIM",
                              creation_date=_creation(run)))


def _creation(run: ScenarioRun) -> str:
    """The run's start as the creation date: the same run gives the same bytes."""
    return str(run.start.iso(3)).removesuffix("Z")


def _body_tracks(run: ScenarioRun, k: int, body: Body
                 ) -> list[tuple[Epoch, FloatArray, FloatArray, FloatArray, FloatArray]]:
    """A piece's shown stretches: (first epoch, seconds after it, lon, lat, height)."""
    t, y = body.ephemeris()
    out = []
    for part in _shown(stretches(t, run.scenario.output_step_s)):
        when = run.start + t[part]
        lon, lat, h = _geodetic(when, y[part, :3])
        out.append((run.start + float(t[part][0]), t[part] - t[part][0], lon, lat, h))
    return out


def scenario_czml(run: ScenarioRun) -> str:
    """The pieces' sampled stretches as moving objects and their re-entry points."""
    tracks: list[CzmlTrack] = []
    points: list[CzmlPoint] = []
    for k, body in enumerate(run.bodies):
        colour = _COLOURS[k % len(_COLOURS)]
        for j, (first, ts, lon, lat, h) in enumerate(_body_tracks(run, k, body)):
            tracks.append(CzmlTrack(
                packet_id=f"piece-{k}-{j}", name=body.name, epoch=first, times_s=ts,
                lon_deg=lon, lat_deg=lat, height_m=np.maximum(h, 0.0), color_rgba=colour,
                trail_s=5700.0, description=f"{body.name}, from {first.iso(0)}"))
        where = body.reentry or body.breakup
        if where is not None:
            points.append(CzmlPoint(
                packet_id=f"reentry-{k}", name=f"{body.name}: re-entry", lon_deg=where[2],
                lat_deg=where[1], epoch=where[0], color_rgba=colour, highlight=True,
                description=f"{body.name} reaches 120 km at {where[0].iso(0)}"))
    return format_czml(f"stationsim: {run.scenario.name}", tracks=tracks, points=points)


def scenario_geojson(run: ScenarioRun) -> str:
    """The pieces' ground tracks (one line per sampled stretch) and re-entry points."""
    features: list[GeoFeature] = []
    for k, body in enumerate(run.bodies):
        for first, ts, lon, lat, _ in _body_tracks(run, k, body):
            features.append(GeoLine(lon, lat, {"piece": body.name, "kind": "ground track",
                                               "start": first, "end": first + float(ts[-1])}))
        where = body.reentry or body.breakup
        if where is not None:
            features.append(GeoPoint(where[2], where[1], {"piece": body.name,
                                                          "kind": "re-entry (120 km)",
                                                          "epoch": where[0]}))
    return format_geojson(features)


def scenario_files(run: ScenarioRun) -> dict[str, str]:
    """The text of each of :data:`EXPORT_FILES`."""
    return {"ephemeris.oem": scenario_oem(run), "tracks.czml": scenario_czml(run),
            "tracks.geojson": scenario_geojson(run)}


def _member_points(report: ReentryReport) -> tuple[list[Epoch], FloatArray, FloatArray]:
    """The re-entered members' 120-km epochs and places (lon, lat [deg])."""
    places = np.asarray(report.member_places, dtype=np.float64).reshape(-1, 2)
    return list(report.entries), places[:, 1], places[:, 0]


def _footprint_width_m(report: ReentryReport) -> float | None:
    if report.risk is None:
        return None
    return footprint_size_m(report.risk.mass_kg)[1]


def reentry_czml(report: ReentryReport) -> str:
    """The nominal member's last revolutions, every member's 120-km point (the median
    highlighted) and, with a mass, the first members' debris footprints."""
    tracks: list[CzmlTrack] = []
    if len(report.track) >= 2:
        t = report.track[:, 2]
        tracks.append(CzmlTrack(
            packet_id="nominal", name=f"{report.name or report.norad_id}: nominal member",
            epoch=report.epoch + float(t[0]), times_s=t - t[0], lon_deg=report.track[:, 1],
            lat_deg=report.track[:, 0], height_m=np.maximum(report.track_height_m, 0.0)
            if len(report.track_height_m) == len(t) else 0.0,
            description="the member nearest the median, in the numerical propagator"))
    entries, lon, lat = _member_points(report)
    points: list[CzmlPoint] = []
    if entries and report.place is not None:
        points = reentry_window_points(entries, lon, lat, median=report.median,
                                       median_lon_deg=report.place[1],
                                       median_lat_deg=report.place[0])
    corridors = []
    width = _footprint_width_m(report)
    if width is not None:
        for k, track in enumerate(report.footprint_tracks):
            corridors.append(CzmlCorridor(
                packet_id=f"footprint-{k}", name=f"debris footprint {k + 1}",
                lon_deg=track[:, 1], lat_deg=track[:, 0], width_m=width))
    return format_czml(f"stationsim: re-entry of {report.name or report.norad_id}",
                       tracks=tracks, points=points, corridors=corridors)


def reentry_geojson(report: ReentryReport) -> str:
    """The same as :func:`reentry_czml` for a map: the nominal track, the members' 120-km
    points and the footprint outlines."""
    features: list[GeoFeature] = []
    if len(report.track) >= 2:
        features.append(GeoLine(report.track[:, 1], report.track[:, 0],
                                {"kind": "nominal member's last revolutions",
                                 "start": report.epoch + float(report.track[0, 2])}))
    entries, lon, lat = _member_points(report)
    for k, when in enumerate(entries):
        features.append(GeoPoint(float(lon[k]), float(lat[k]),
                                 {"kind": "member re-entry (120 km)", "epoch": when}))
    if report.place is not None:
        features.append(GeoPoint(report.place[1], report.place[0],
                                 {"kind": "median re-entry", "epoch": report.median,
                                  "p05": report.p05, "p95": report.p95}))
    width = _footprint_width_m(report)
    if width is not None:
        for track in report.footprint_tracks:
            features.append(GeoPolygon(*strip_ring(track, width),
                                       properties={"kind": "debris footprint",
                                                   "width_km": round(width / 1e3, 1)}))
    return format_geojson(features)


def strip_ring(track_deg: FloatArray, width_m: float) -> tuple[FloatArray, FloatArray]:
    """The outline of a footprint around its centre line (lat, lon [deg]): lon, lat."""
    ring = strip_outline(track_deg[:, 1], track_deg[:, 0], width_m)
    return ring[:, 0], ring[:, 1]
