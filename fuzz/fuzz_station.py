"""Fuzz target: station configuration files, ``stationsim.io.station_file.parse_station``.

Run it alone with

    python fuzz/fuzz_station.py NEW_FOLDER fuzz/corpus/station [-max_total_time=60 ...]

(libFuzzer adds the inputs it finds to the first folder, which must exist), or run every
target with ``python fuzz/run_all.py``.
"""

from __future__ import annotations

import contextlib
import sys

import atheris
from _common import text_of

with atheris.instrument_imports(include=["stationsim"]):
    from stationsim.data import load_timescale
    from stationsim.errors import StationsimError
    from stationsim.io.station_file import parse_station

TS = load_timescale()


def TestOneInput(data: bytes) -> None:  # noqa: N802 (atheris' conventional name)
    """Any StationsimError is an answer; any other exception is a crash."""
    with contextlib.suppress(StationsimError):
        parse_station(text_of(data), ts=TS, source="fuzz.yaml")


if __name__ == "__main__":
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
