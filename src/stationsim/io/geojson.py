"""Country outlines from GeoJSON text (Natural Earth's admin-0 countries): pure parsing."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from stationsim.errors import DataFileError
from stationsim.time.tables import FloatArray

__all__ = ["CountryOutline", "parse_country_outlines"]


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
        except (KeyError, TypeError, IndexError, ValueError) as exc:
            raise DataFileError(f"malformed feature ({exc})", source=where) from None
    return out
