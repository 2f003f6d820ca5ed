"""CZML documents: the packet structure of the CZML Guide (Cesium), and bad requests ending in
ExportError with a message that says what is wrong."""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pytest

from stationsim.errors import ExportError, StationsimError
from stationsim.io import (
    CzmlArea,
    CzmlCorridor,
    CzmlPoint,
    CzmlTrack,
    format_czml,
    reentry_window_points,
)
from stationsim.time import Epoch, Timescale

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
START = "2024-10-01T00:00:00Z"


def _track(ts: Timescale, **changes: Any) -> CzmlTrack:
    """Three revolutions' worth of samples, every 60 s, across the antimeridian."""
    t = np.arange(0.0, 5400.0, 60.0)
    lon = (150.0 + 0.07 * t + 180.0) % 360.0 - 180.0
    fields: dict[str, Any] = {
        "packet_id": "station", "name": "ISS", "epoch": ts.from_iso(START), "times_s": t,
        "lon_deg": lon, "lat_deg": 51.6 * np.sin(t / 5400.0 * 2 * np.pi),
        "height_m": 400e3 - t, "color_rgba": (255, 0, 0, 255)}
    fields.update(changes)
    return CzmlTrack(**fields)


def _window(ts: Timescale) -> list[CzmlPoint]:
    start = ts.from_iso(START)
    entries = [start + 3600.0 * k for k in range(1, 4)]
    return reentry_window_points(entries, [10.0, 20.0, 30.0], [-5.0, 0.0, 5.0],
                                 median=start + 7200.0, median_lon_deg=21.0,
                                 median_lat_deg=1.0)


def _doc(ts: Timescale, **kwargs: Any) -> list[dict[str, Any]]:
    footprint = CzmlCorridor("footprint", "debris footprint", [170.0, 178.0, -175.0],
                             [0.0, 2.0, 4.0], width_m=300e3)
    zone = CzmlArea("zone", "landing zone", [-150.0, -140.0, -140.0, -150.0, -150.0],
                    [-40.0, -40.0, -30.0, -30.0, -40.0], description="South Pacific <zone>")
    text = format_czml("re-entry", [_track(ts)], _window(ts), [footprint], [zone], **kwargs)
    doc = json.loads(text)
    assert isinstance(doc, list)
    return doc


def _interval(ts: Timescale, text: str) -> tuple[Epoch, Epoch]:
    start, stop = text.split("/")
    assert ISO_Z.match(start) and ISO_Z.match(stop), text
    return ts.from_iso(start), ts.from_iso(stop)


def test_document_packet_first(ts: Timescale) -> None:
    doc = _doc(ts)
    first = doc[0]
    assert first["id"] == "document" and first["version"] == "1.0"
    assert first["name"] == "re-entry"
    clock = first["clock"]
    assert set(clock) == {"interval", "currentTime", "multiplier", "range", "step"}
    assert clock["range"] == "LOOP_STOP" and clock["step"] == "SYSTEM_CLOCK_MULTIPLIER"
    begin, end = _interval(ts, clock["interval"])
    # The clock covers the track (0 to 5340 s) and the members' re-entries (up to 3 h).
    assert float(begin - ts.from_iso(START)) == pytest.approx(0.0, abs=1e-3)
    assert float(end - begin) == pytest.approx(3 * 3600.0, abs=1e-3)
    assert clock["currentTime"] == first["clock"]["interval"].split("/")[0]
    assert all(p["id"] != "document" for p in doc[1:])


def test_ids_unique_and_intervals_iso(ts: Timescale) -> None:
    doc = _doc(ts)
    ids = [p["id"] for p in doc]
    assert len(ids) == len(set(ids)) == 1 + 1 + 4 + 2
    for packet in doc[1:]:
        if "availability" in packet:
            start, stop = _interval(ts, packet["availability"])
            assert float(stop - start) >= 0.0


def test_track_position(ts: Timescale) -> None:
    track = _track(ts)
    packet = next(p for p in _doc(ts) if p["id"] == "station")
    position = packet["position"]
    assert position["interpolationAlgorithm"] == "LAGRANGE"
    assert position["interpolationDegree"] == 5
    assert ISO_Z.match(position["epoch"])
    samples = position["cartographicDegrees"]
    assert len(samples) % 4 == 0
    table = np.array(samples).reshape(-1, 4)
    assert np.all(np.diff(table[:, 0]) > 0.0)
    np.testing.assert_allclose(table[:, 0], np.asarray(track.times_s))
    np.testing.assert_allclose(table[:, 1], np.asarray(track.lon_deg), atol=1e-7)
    np.testing.assert_allclose(table[:, 2], np.asarray(track.lat_deg), atol=1e-7)
    np.testing.assert_allclose(table[:, 3], np.asarray(track.height_m), atol=0.01)
    assert np.all(np.abs(table[:, 1]) <= 180.0)
    start, stop = _interval(ts, packet["availability"])
    assert float(stop - start) == pytest.approx(5340.0, abs=1e-3)
    assert packet["path"]["material"]["solidColor"]["color"]["rgba"] == [255, 0, 0, 255]
    assert packet["path"]["trailTime"] == pytest.approx(5340.0)
    assert packet["label"]["text"] == "ISS" and "pixelSize" in packet["point"]


def test_short_track_lowers_the_degree(ts: Timescale) -> None:
    short = _track(ts, times_s=[0.0, 60.0, 120.0], lon_deg=[0.0, 1.0, 2.0],
                   lat_deg=[0.0, 1.0, 2.0], height_m=400e3)
    [_, packet] = json.loads(format_czml("short", [short]))
    assert packet["position"]["interpolationDegree"] == 2
    assert packet["position"]["cartographicDegrees"][3::4] == [400e3] * 3


def test_reentry_window(ts: Timescale) -> None:
    doc = _doc(ts)
    points = {p["id"]: p for p in doc if p["id"].startswith(("member", "reentry"))}
    assert set(points) == {"member-0", "member-1", "member-2", "reentry-median"}
    median = points["reentry-median"]
    member = points["member-1"]
    assert "label" in median and "label" not in member
    assert median["point"]["pixelSize"] > member["point"]["pixelSize"]
    assert median["position"]["cartographicDegrees"] == [21.0, 1.0, 0.0]
    start, stop = _interval(ts, member["availability"])
    assert float(start - ts.from_iso(START)) == pytest.approx(7200.0, abs=1e-3)
    assert stop.iso(3) == _interval(ts, doc[0]["clock"]["interval"])[1].iso(3)
    assert "2024-10-01T02:00:00Z" in member["description"]


def test_footprint_and_zone(ts: Timescale) -> None:
    doc = {p["id"]: p for p in _doc(ts)}
    corridor = doc["footprint"]["corridor"]
    assert corridor["width"] == 300e3
    assert len(corridor["positions"]["cartographicDegrees"]) == 3 * 3
    assert corridor["material"]["solidColor"]["color"]["rgba"][3] < 255
    polygon = doc["zone"]["polygon"]
    # The closing point is dropped: CZML closes polygons itself.
    assert len(polygon["positions"]["cartographicDegrees"]) == 4 * 3
    assert polygon["material"]["solidColor"]["color"]["rgba"][3] < 255
    assert doc["zone"]["description"] == "South Pacific &lt;zone&gt;"


def test_explicit_clock(ts: Timescale) -> None:
    begin = ts.from_iso("2024-09-30T23:00:00Z")
    end = ts.from_iso("2024-10-01T06:00:00Z")
    doc = _doc(ts, clock=(begin, end), current=begin + 600.0, multiplier=10.0)
    clock = doc[0]["clock"]
    assert clock["interval"] == "2024-09-30T23:00:00.000Z/2024-10-01T06:00:00.000Z"
    assert clock["currentTime"] == "2024-09-30T23:10:00.000Z"
    assert clock["multiplier"] == 10.0


def test_error_is_the_project_error() -> None:
    assert issubclass(ExportError, StationsimError)
    assert not issubclass(ExportError, (ValueError, KeyError, TypeError))


@pytest.mark.parametrize(("changes", "match"), [
    ({"times_s": np.r_[0.0, 60.0, 60.0, np.arange(180.0, 5400.0, 60.0)]},
     "increase strictly.*sample 2"),
    ({"times_s": [0.0]}, "at least 2 samples"),
    ({"lon_deg": np.full(90, np.nan)}, "finite"),
    ({"lat_deg": np.full(90, 95.0)}, r"latitudes.*\[-90, 90\].*95"),
    ({"lon_deg": np.full(90, 200.0)}, r"longitudes.*\[-180, 180\].*200"),
    ({"lon_deg": np.zeros(10), "lat_deg": np.zeros(10)}, "90 times but 10 positions"),
    ({"lon_deg": np.zeros(10)}, "10 longitudes but 90 latitudes"),
    ({"height_m": np.zeros(3)}, "height_m.*90 values"),
    ({"lon_deg": np.zeros((90, 2))}, "1-D"),
    ({"lat_deg": ["a"] * 90}, "not numbers"),
    ({"color_rgba": (255, 0, 0)}, "colour"),
    ({"color_rgba": (255, 0, 0, 300)}, "colour"),
    ({"trail_s": -5.0}, "trail_s.*positive"),
    ({"packet_id": ""}, "packet_id"),
    ({"packet_id": "document"}, "used twice"),
])
def test_bad_track(ts: Timescale, changes: dict[str, Any], match: str) -> None:
    with pytest.raises(ExportError, match=match):
        format_czml("bad", [_track(ts, **changes)])


def test_bad_epoch(ts: Timescale) -> None:
    epochs = ts.from_iso([START, START])
    with pytest.raises(ExportError, match="single Epoch"):
        format_czml("bad", [_track(ts, epoch=epochs)])


def test_bad_document(ts: Timescale) -> None:
    start = ts.from_iso(START)
    with pytest.raises(ExportError, match="used twice"):
        format_czml("bad", [_track(ts), _track(ts)])
    with pytest.raises(ExportError, match="no track or timed point"):
        format_czml("bad", points=[CzmlPoint("p", "p", 0.0, 0.0)])
    with pytest.raises(ExportError, match="must come after its start"):
        format_czml("bad", [_track(ts)], clock=(start, start + -1.0))
    with pytest.raises(ExportError, match="outside the clock"):
        format_czml("bad", [_track(ts)], current=start + 86400.0)
    with pytest.raises(ExportError, match="multiplier"):
        format_czml("bad", [_track(ts)], multiplier=float("nan"))
    with pytest.raises(ExportError, match="after its end"):
        format_czml("bad", [_track(ts)],
                    points=[CzmlPoint("p", "p", 0.0, 0.0, epoch=start + 60.0, until=start)])
    with pytest.raises(ExportError, match="'until' needs an 'epoch'"):
        format_czml("bad", [_track(ts)], points=[CzmlPoint("p", "p", 0.0, 0.0, until=start)])
    with pytest.raises(ExportError, match=r"point 0 \(p\).*latitudes"):
        format_czml("bad", [_track(ts)], points=[CzmlPoint("p", "p", 0.0, -91.0)])
    with pytest.raises(ExportError, match=r"width_m.*positive"):
        format_czml("bad", [_track(ts)],
                    corridors=[CzmlCorridor("c", "c", [0.0, 1.0], [0.0, 1.0], width_m=0.0)])
    with pytest.raises(ExportError, match="at least 3 points"):
        format_czml("bad", [_track(ts)], areas=[CzmlArea("a", "a", [0.0, 1.0], [0.0, 1.0])])
    with pytest.raises(ExportError, match="3 re-entry epochs but 2 places"):
        reentry_window_points([start] * 3, [0.0, 1.0], [0.0, 1.0], median=start,
                              median_lon_deg=0.0, median_lat_deg=0.0)
    with pytest.raises(ExportError, match=r"median.*latitudes"):
        reentry_window_points([start], [0.0], [0.0], median=start, median_lon_deg=0.0,
                              median_lat_deg=100.0)
