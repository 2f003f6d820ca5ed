"""The bundled Natural Earth 1:110m countries (for maps)."""

from __future__ import annotations

from functools import lru_cache

from stationsim.data.loader import bundled_file
from stationsim.io.geojson import CountryOutline, parse_country_outlines

__all__ = ["COUNTRIES_FILE", "load_countries"]

#: Natural Earth admin-0 countries at 1:110m (public domain), as GeoJSON.
COUNTRIES_FILE = "geography/naturalearth_lowres.geojson"


@lru_cache(maxsize=1)
def load_countries() -> tuple[CountryOutline, ...]:
    """The 177 countries of the bundled Natural Earth 1:110m file; cached."""
    text = bundled_file(COUNTRIES_FILE).read_text(encoding="utf-8")
    return tuple(parse_country_outlines(text, source=COUNTRIES_FILE))
