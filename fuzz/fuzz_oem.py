"""Fuzz target: CCSDS OEM in KVN or XML, ``stationsim.io.oem.parse_oem``.

Run it alone with

    python fuzz/fuzz_oem.py NEW_FOLDER fuzz/corpus/oem [-max_total_time=60 ...]

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
    from stationsim.io.oem import parse_oem


def TestOneInput(data: bytes) -> None:  # noqa: N802 (atheris' conventional name)
    """Any StationsimError is an answer; any other exception is a crash."""
    with contextlib.suppress(StationsimError):
        parse_oem(text_of(data), "fuzz.oem")


if __name__ == "__main__":
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
