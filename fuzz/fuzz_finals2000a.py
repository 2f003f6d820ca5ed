"""Fuzz target: the IERS finals2000A series, ``stationsim.io.iers.parse_finals2000a``.

Run it alone with

    python fuzz/fuzz_finals2000a.py NEW_FOLDER fuzz/corpus/finals2000a [-max_total_time=60 ...]

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
    from stationsim.io.iers import parse_finals2000a


def TestOneInput(data: bytes) -> None:  # noqa: N802 (atheris' conventional name)
    """Any StationsimError is an answer; any other exception is a crash."""
    with contextlib.suppress(StationsimError):
        parse_finals2000a(text_of(data), "fuzz.all")


if __name__ == "__main__":
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
