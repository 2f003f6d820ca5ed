"""Fuzz target: GeoJSON country outlines, ``stationsim.io.geojson.parse_country_outlines``.

Run it alone with

    python fuzz/fuzz_geojson.py NEW_FOLDER fuzz/corpus/geojson [-max_total_time=60 ...]

(libFuzzer adds the inputs it finds to the first folder, which must exist), or run every
target with ``python fuzz/run_all.py``.
"""

from __future__ import annotations

import contextlib
import sys

import atheris
from _common import text_of

with atheris.instrument_imports(include=["stationsim"]):
    from stationsim.errors import StationsimError
    from stationsim.io.geojson import parse_country_outlines


def TestOneInput(data: bytes) -> None:  # noqa: N802 (atheris' conventional name)
    """Any StationsimError is an answer; any other exception is a crash."""
    with contextlib.suppress(StationsimError):
        parse_country_outlines(text_of(data), source="fuzz.geojson")


if __name__ == "__main__":
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
