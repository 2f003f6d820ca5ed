"""GeoJSON country outlines: malformed input ends in DataFileError naming the place."""

from __future__ import annotations

import pytest

from stationsim.errors import DataFileError
from stationsim.io.geojson import parse_country_outlines

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
