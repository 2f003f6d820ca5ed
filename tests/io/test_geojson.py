"""GeoJSON: country outlines read (malformed input ends in DataFileError naming the place),
and re-entry results written to RFC 7946 (antimeridian cut, closed counter-clockwise rings,
six decimals; bad requests end in ExportError)."""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stationsim.errors import DataFileError, ExportError
from stationsim.io.geojson import (
    GeoFeature,
    GeoLine,
    GeoPoint,
    GeoPolygon,
    format_geojson,
    parse_country_outlines,
    split_line_at_antimeridian,
    split_ring_at_antimeridian,
    strip_outline,
)
from stationsim.time import Timescale
from stationsim.time.tables import FloatArray

GOOD = ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        '{"name": "Square", "iso_a3": "SQR", "pop_est": 10}, "geometry": {"type": "Polygon", '
        '"coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}}]}')


def test_polygon() -> None:
    [c] = parse_country_outlines(GOOD)
    assert c.name == "Square" and c.iso_a3 == "SQR" and c.population == 10.0
    assert c.rings[0].shape == (4, 2)


@pytest.mark.parametrize(("text", "match"), [
    ("{", "not JSON"),
    ("[]", "FeatureCollection"),
    ('{"features": [{"properties": {}, "geometry": {"type": "Point", "coordinates": [0, 0]}}]}',
     "feature 0.*not a polygon"),
    ('{"features": [{"geometry": {"type": "Polygon", "coordinates": []}}]}', "feature 0"),
    ('{"features": [{"properties": {}, "geometry": {"type": "Polygon", '
     '"coordinates": [[["a"]]]}}]}', "feature 0"),
])
def test_malformed(text: str, match: str) -> None:
    with pytest.raises(DataFileError, match=match):
        parse_country_outlines(text, source="x.geojson")


# --- writing (RFC 7946) -------------------------------------------------------------------
def _segments_ok(line: list[list[float]]) -> bool:
    """No step of a written line spans more than 180 deg of longitude."""
    lon = np.array(line)[:, 0]
    return bool(np.all(np.abs(np.diff(lon)) <= 180.0))


def _ccw_closed(ring: list[list[float]]) -> bool:
    """Closed (first == last) and counter-clockwise (positive shoelace area)."""
    r = np.array(ring)
    area = np.sum(r[:-1, 0] * r[1:, 1] - r[1:, 0] * r[:-1, 1])
    return ring[0] == ring[-1] and bool(area > 0.0)


def _write(*features: GeoFeature) -> dict[str, Any]:
    doc = json.loads(format_geojson(features))
    assert doc["type"] == "FeatureCollection"
    assert all(f["type"] == "Feature" for f in doc["features"])
    return dict(doc)


def test_line_without_crossing_is_a_linestring() -> None:
    [f] = _write(GeoLine([10.0, 20.0, 30.0], [0.0, 5.0, 10.0], {"member": 3}))["features"]
    assert f["geometry"] == {"type": "LineString",
                             "coordinates": [[10.0, 0.0], [20.0, 5.0], [30.0, 10.0]]}
    assert f["properties"] == {"member": 3}


def test_line_cut_at_antimeridian() -> None:
    # Eastward across the antimeridian, then westward back: two cuts.
    lon = [170.0, 178.0, -176.0, -170.0, -178.0, 176.0]
    lat = [0.0, 2.0, 5.0, 7.0, 9.0, 11.0]
    [f] = _write(GeoLine(lon, lat))["features"]
    geometry = f["geometry"]
    assert geometry["type"] == "MultiLineString"
    lines = geometry["coordinates"]
    assert len(lines) == 3
    assert all(_segments_ok(line) for line in lines)
    # The cut points, interpolated at +/-180: 2 + (2 / 6) * 3 = 3 deg and 9 - (2 / 6) * 2.
    assert lines[0][-1] == [180.0, 3.0] and lines[1][0] == [-180.0, 3.0]
    assert lines[1][-1] == [-180.0, round(9.0 + 2.0 / 6.0 * 2.0, 6)]
    assert lines[2][0] == [180.0, lines[1][-1][1]]


def test_six_decimals() -> None:
    text = format_geojson([GeoPoint(1.0 / 3.0, -2.0 / 3.0)])
    assert re.search(r"\[0\.333333, -0\.666667\]", text)
    assert not re.search(r"\d\.\d{7,}", text)


def test_points_with_times(ts: Timescale) -> None:
    epoch = ts.from_iso("2024-10-01T12:34:56.789Z")
    [f] = _write(GeoPoint(-150.25, 12.5, {"member": np.int64(7), "epoch": epoch,
                                          "median": False, "note": None},
                          feature_id="m7"))["features"]
    assert f["id"] == "m7"
    assert f["geometry"] == {"type": "Point", "coordinates": [-150.25, 12.5]}
    assert f["properties"] == {"member": 7, "epoch": "2024-10-01T12:34:56.789Z",
                               "median": False, "note": None}


def test_polygon_closed_and_counter_clockwise() -> None:
    # Given clockwise and open: written counter-clockwise and closed.
    [f] = _write(GeoPolygon([0.0, 0.0, 10.0, 10.0], [0.0, 10.0, 10.0, 0.0]))["features"]
    assert f["geometry"]["type"] == "Polygon"
    [ring] = f["geometry"]["coordinates"]
    assert _ccw_closed(ring) and len(ring) == 5


def test_polygon_cut_at_antimeridian() -> None:
    [f] = _write(GeoPolygon([170.0, -170.0, -170.0, 170.0], [0.0, 0.0, 10.0, 10.0]))["features"]
    geometry = f["geometry"]
    assert geometry["type"] == "MultiPolygon"
    rings = [polygon[0] for polygon in geometry["coordinates"]]
    assert len(rings) == 2
    for ring in rings:
        assert _ccw_closed(ring) and _segments_ok(ring)
    assert sorted(min(abs(x) for x, _ in ring) for ring in rings) == [170.0, 170.0]
    assert {max(x for x, _ in ring) for ring in rings} == {180.0, -170.0}


def test_concave_polygon_cut_in_three() -> None:
    # A "C" open to the east whose two prongs cross the antimeridian.
    lon = np.array([170.0, 190.0, 190.0, 175.0, 175.0, 190.0, 190.0, 170.0])
    lat = [0.0, 0.0, 2.0, 2.0, 8.0, 8.0, 10.0, 10.0]
    parts = split_ring_at_antimeridian((lon + 180.0) % 360.0 - 180.0, lat)
    assert len(parts) == 3
    assert sum(_area(p) for p in parts) == pytest.approx(_area(np.column_stack([lon, lat])))
    assert all(_ccw_closed(p.tolist()) for p in parts)


def test_footprint_strip() -> None:
    # A 300 km wide strip along the equator across the antimeridian: 2.7 deg wide.
    lon = (np.linspace(170.0, 190.0, 21) + 180.0) % 360.0 - 180.0
    outline = strip_outline(lon, np.zeros(21), 300e3)
    assert outline.shape == (42, 2)
    assert np.ptp(outline[:, 1]) == pytest.approx(300e3 / 6371008.8 * 180.0 / np.pi, rel=1e-6)
    [f] = _write(GeoPolygon(outline[:, 0], outline[:, 1], {"kind": "footprint"}))["features"]
    assert f["geometry"]["type"] == "MultiPolygon"
    for [ring] in f["geometry"]["coordinates"]:
        assert _ccw_closed(ring) and _segments_ok(ring)
        assert all(-180.0 <= x <= 180.0 for x, _ in ring)


def test_written_polygons_read_back() -> None:
    text = format_geojson([GeoPolygon([0.0, 1.0, 1.0], [0.0, 0.0, 1.0],
                                      {"name": "Square", "iso_a3": "SQR", "pop_est": 10})])
    [c] = parse_country_outlines(text)
    assert c.name == "Square" and c.rings[0].shape == (4, 2)


def _area(ring: FloatArray) -> float:
    """Shoelace area of a ring (closed or open) in the longitude-latitude plane."""
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * abs(float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)))


@pytest.mark.parametrize(("feature", "match"), [
    (GeoLine([0.0], [0.0]), "feature 0, line: needs at least 2 points"),
    (GeoLine([0.0, np.nan], [0.0, 1.0]), "finite"),
    (GeoLine([0.0, 181.0], [0.0, 1.0]), r"longitudes.*181"),
    (GeoLine([0.0, 1.0], [0.0, -91.0]), r"latitudes.*-91"),
    (GeoLine([0.0, 1.0, 2.0], [0.0, 1.0]), "shapes"),
    (GeoLine([[0.0, 1.0]], [[0.0, 1.0]]), "1-D"),
    (GeoLine(["a", "b"], [0.0, 1.0]), "not numbers"),
    (GeoPoint(0.0, 95.0), "feature 0: latitudes"),
    (GeoPolygon([0.0, 1.0], [0.0, 1.0]), "at least 3 points"),
    (GeoPolygon([0.0, 1.0, 2.0], [0.0, 1.0, 2.0]), "no area"),
    (GeoPolygon([0.0, 120.0, -120.0], [80.0, 80.0, 80.0]), "encloses a pole"),
    (GeoPoint(0.0, 0.0, {"x": float("nan")}), "property 'x'.*JSON"),
    (GeoPoint(0.0, 0.0, {"x": [1, 2]}),  # type: ignore[dict-item]
     "property 'x'.*unsupported type list"),
    (GeoPoint(0.0, 0.0, {1: "a"}), "property names must be text"),  # type: ignore[dict-item]
])
def test_bad_features(feature: GeoFeature, match: str) -> None:
    with pytest.raises(ExportError, match=match):
        format_geojson([feature])


def test_bad_collection(ts: Timescale) -> None:
    with pytest.raises(ExportError, match="feature 1: the id 'a' is used twice"):
        format_geojson([GeoPoint(0.0, 0.0, feature_id="a"), GeoPoint(1.0, 1.0, feature_id="a")])
    with pytest.raises(ExportError, match="not a GeoPoint"):
        format_geojson(["point"])  # type: ignore[list-item]
    with pytest.raises(ExportError, match="single epoch"):
        format_geojson([GeoPoint(0.0, 0.0, {"t": ts.from_iso(["2024-01-01", "2024-01-02"])})])
    with pytest.raises(ExportError, match="width"):
        strip_outline([0.0, 1.0], [0.0, 0.0], -1.0)


# --- the antimeridian cut of random tracks --------------------------------------------------
@st.composite
def _tracks(draw: st.DrawFn) -> tuple[FloatArray, FloatArray]:
    """Random tracks: steps of less than 179 deg in longitude, wrapped into [-180, 180)."""
    n = draw(st.integers(2, 40))
    lon0 = draw(st.floats(-180.0, 180.0))
    steps = draw(st.lists(st.floats(-179.0, 179.0), min_size=n - 1, max_size=n - 1))
    lat = draw(st.lists(st.floats(-90.0, 90.0), min_size=n, max_size=n))
    lon = (lon0 + np.concatenate([[0.0], np.cumsum(steps)]) + 180.0) % 360.0 - 180.0
    return lon, np.array(lat)


def _same_lon(a: float, b: float) -> bool:
    return abs((a - b + 180.0) % 360.0 - 180.0) < 1e-6


@settings(max_examples=200, deadline=None)
@given(_tracks())
def test_antimeridian_cut_of_random_tracks(track: tuple[FloatArray, FloatArray]) -> None:
    lon, lat = track
    pieces = split_line_at_antimeridian(lon, lat)
    for piece in pieces:
        assert len(piece) >= 2
        assert np.all(np.abs(piece[:, 0]) <= 180.0) and np.all(np.abs(piece[:, 1]) <= 90.0)
        assert np.all(np.abs(np.diff(piece[:, 0])) <= 180.0)
    # Consecutive pieces meet on the antimeridian, at one latitude, from either side.
    for a, b in itertools.pairwise(pieces):
        assert abs(a[-1, 0]) == 180.0 and b[0, 0] == -a[-1, 0] and a[-1, 1] == b[0, 1]
    # Every input point is kept, in order; the only added points lie on the antimeridian.
    out = np.vstack([pieces[0], *[p[1:] for p in pieces[1:]]])
    k = 0
    for x, y in out:
        if k < lon.size and _same_lon(x, lon[k]) and abs(y - lat[k]) < 1e-9:
            k += 1
        else:
            assert abs(x) == 180.0
    assert k == lon.size
    # The written form agrees: a LineString or a MultiLineString with the same pieces.
    [f] = json.loads(format_geojson([GeoLine(lon, lat)]))["features"]
    lines = (f["geometry"]["coordinates"] if f["geometry"]["type"] == "MultiLineString"
             else [f["geometry"]["coordinates"]])
    assert len(lines) == len(pieces)
    assert all(_segments_ok(line) for line in lines)


@settings(max_examples=100, deadline=None)
@given(st.floats(-180.0, 180.0), st.floats(-60.0, 60.0),
       st.lists(st.floats(1.0, 20.0), min_size=3, max_size=24))
def test_antimeridian_cut_keeps_the_area(lon0: float, lat0: float, radii: list[float]) -> None:
    """A star-shaped polygon around (lon0, lat0): its parts hold its whole area."""
    angle = np.linspace(0.0, 2.0 * np.pi, len(radii), endpoint=False)
    x = lon0 + np.array(radii) * np.cos(angle)
    y = lat0 + np.array(radii) * np.sin(angle)
    parts = split_ring_at_antimeridian((x + 180.0) % 360.0 - 180.0, y)
    assert sum(_area(p) for p in parts) == pytest.approx(_area(np.column_stack([x, y])),
                                                         rel=1e-5)
    for p in parts:
        assert _ccw_closed(p.tolist()) and np.all(np.abs(p[:, 0]) <= 180.0)
        assert np.all(np.abs(np.diff(p[:, 0])) <= 180.0)


# --- inputs found by fuzzing (fuzz/, test_fuzz_properties.py) -----------------------------------
@pytest.mark.parametrize(("text", "match"), [
    ("[" * 5000, "nested too deeply"),  # RecursionError from json.loads
    ('{"features": [' + "1" * 5000 + "]}", "too many digits"),  # ValueError from int()
    (GOOD.replace('{"name": "Square", "iso_a3": "SQR", "pop_est": 10}', "2.5"),
     "feature 0"),  # AttributeError: properties that are not an object
    (GOOD.replace('"pop_est": 10', '"pop_est": 1' + "0" * 400), "feature 0"),  # OverflowError
    (GOOD.replace("[0, 0], [1, 0]", "[0, 0], [1" + "0" * 400 + ", 0]"), "feature 0"),
])
def test_fuzzed_inputs_give_data_file_errors(text: str, match: str) -> None:
    with pytest.raises(DataFileError, match=match) as info:
        parse_country_outlines(text, source="fuzzed.geojson")
    assert "fuzzed.geojson" in str(info.value)
