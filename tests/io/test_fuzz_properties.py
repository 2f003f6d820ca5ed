"""Every parser of user files, fed mutations of small valid real inputs, either gives its result
or raises one of the project's own errors (a :class:`~stationsim.errors.StationsimError`) whose
message names the place: the source and, for line-based text, the line. Never another exception,
a hang or a burst of memory.

The valid inputs are the seed corpora of the coverage-guided fuzz targets (``fuzz/corpus``,
written by ``fuzz/make_corpus.py`` from the bundled data and the tests' reference files); the
first test checks that each seed parses. Mutations: bit flips in the UTF-8 bytes (decoded as
the readers decode user files, bad bytes becoming U+FFFD), deletions, insertions of random or
troublesome text (huge numbers, NaN and infinity, digits that are not ASCII, control
characters, deep nesting), tokens replaced, lines deleted, repeated or swapped, truncation,
and very long lines. Reference: the error contract of :mod:`stationsim.errors`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import resource
import signal
import threading
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stationsim.data import load_timescale
from stationsim.errors import InputError, StationsimError
from stationsim.io.geojson import parse_country_outlines
from stationsim.io.gravity_gfc import parse_gfc
from stationsim.io.iers import parse_finals2000a, parse_leap_seconds
from stationsim.io.oem import parse_oem
from stationsim.io.omm import parse_omm
from stationsim.io.spaceweather import parse_space_weather
from stationsim.io.station_file import parse_station
from stationsim.io.tle import parse_tle
from stationsim.scenario import parse_scenario

CORPUS = Path(__file__).resolve().parents[2] / "fuzz" / "corpus"
_TS = load_timescale()
#: A parse that takes longer than this is a hang (the slowest seed parses in ~0.1 s).
_HANG_S = 8.0
#: Peak memory may not grow by more than this in one parse (the largest table a small input
#: may legitimately ask for, a degree-2190 gravity model, takes 77 MB).
_MEMORY_MB = 400.0

Parse = Callable[[str, str], Any]
#: target -> (parse(text, source), line-based text format?)
PARSERS: dict[str, tuple[Parse, bool]] = {
    "tle": (parse_tle, True),
    "omm": (parse_omm, True),
    "oem": (parse_oem, True),
    "spaceweather": (parse_space_weather, True),
    "leap_seconds": (parse_leap_seconds, True),
    "finals2000a": (parse_finals2000a, True),
    "gfc": (parse_gfc, True),
    "scenario_toml": (lambda text, source: parse_scenario(text, ts=_TS, source=source,
                                                          format="toml"), True),
    "scenario_yaml": (lambda text, source: parse_scenario(text, ts=_TS, source=source,
                                                          format="yaml"), True),
    "station": (lambda text, source: parse_station(text, ts=_TS, source=source), True),
    "geojson": (lambda text, source: parse_country_outlines(text, source=source), False),
}


def _seeds(target: str) -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted((CORPUS / target).iterdir())]


SEEDS = {target: _seeds(target) for target in PARSERS}

# Reasons of errors about the text as a whole, which have no one line to point at.
_WHOLE_TEXT = ("empty", "no element set", "no OEM", "no leap-second rows", "no observed rows",
               "fewer than two", "is not closed", "no 'end_of_head'", "the header lacks",
               "not a GeoJSON", "not a CSSI space-weather file", "JSON OMM is not a list",
               "the scenario file is empty", "nested too deeply", "(top level) needs")

# Places in JSON, which the readers name by record (OMM) or feature (GeoJSON), not by line.
_JSON_PLACES = ("record ", "feature ")

_TROUBLE = [
    "nan", "NaN", "-inf", "inf", "Infinity", "1e999", "-1e999", "1e-999", "9" * 400,
    "1" * 5000, "-0", "0", "00000-0", "+", "-", ".", "=", ":", "- ", "#", ",", "[", "]", "{",
    "}", "<", ">", "</a>", "&amp;", "<!DOCTYPE x>", "'", '"', "\\", "\t", "\r", "\r\n", "\x00",
    "\x0c", "\x1c", "\x85", "\u2028", "\ufeff", "\ud800", "\ufffd", "é", "²", "٣", "１", "𝟘",
    "null", "true", "~", "&a", "*a", "!!python/object:x", "2022-13-45T25:61:61Z",
    "9999-12-31T23:59:60Z", "0001-01-01T00:00:00Z", "[" * 3000, "<a>" * 3000, '{"a":' * 3000,
]


@st.composite
def mutated(draw: st.DrawFn, seeds: list[str]) -> str:
    """A seed with one to four mutations."""
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "delete", "insert", "token", "line delete",
                                     "line repeat", "line swap", "truncate", "long line"]))
        lines = text.split("\n")
        index = draw(st.integers(0, max(len(lines) - 1, 0)))
        where = draw(st.integers(0, len(text)))
        if kind == "flip":
            data = bytearray(text.encode("utf-8", "surrogatepass"))
            if data:
                data[where % len(data)] ^= 1 << draw(st.integers(0, 7))
            text = data.decode("utf-8", "replace")
        elif kind == "delete":
            text = text[:where] + text[where + draw(st.integers(1, 40)):]
        elif kind == "insert":
            text = text[:where] + draw(st.sampled_from(_TROUBLE) | st.text(max_size=20)) \
                + text[where:]
        elif kind == "token":
            tokens = lines[index].split(" ")
            tokens[draw(st.integers(0, len(tokens) - 1))] = draw(
                st.sampled_from(_TROUBLE) | st.text(max_size=8))
            lines[index] = " ".join(tokens)
            text = "\n".join(lines)
        elif kind == "line delete":
            del lines[index]
            text = "\n".join(lines)
        elif kind == "line repeat":
            lines.insert(index, lines[index])
            text = "\n".join(lines)
        elif kind == "line swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
            text = "\n".join(lines)
        elif kind == "truncate":
            text = text[:where]
        else:
            lines.insert(index, draw(st.sampled_from("x9 #-[<")) * draw(
                st.integers(1_000, 200_000)))
            text = "\n".join(lines)
    return text


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Fail (rather than hang) when the block runs longer than ``seconds``."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise TimeoutError(f"a parse took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0.0)
        signal.signal(signal.SIGALRM, previous)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # kB on Linux


def check(target: str, text: str) -> None:
    """Parse ``text``: a result, or a StationsimError that names the place."""
    parse, line_based = PARSERS[target]
    source = f"fuzzed.{target}"
    before = _peak_mb()
    with _time_limit(_HANG_S), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # stale tables, predicted data and the like
        try:
            parse(text, source)
        except StationsimError as exc:
            message = str(exc)
            assert source in message, message
            if line_based and isinstance(exc, InputError) and exc.line is None:
                assert any(words in exc.reason for words in _WHOLE_TEXT + _JSON_PLACES), message
    assert _peak_mb() - before < _MEMORY_MB


#: Examples per test are multiplied by this (e.g. ``STATIONSIM_FUZZ_SCALE=20`` for a long run).
SCALE = max(1, int(os.environ.get("STATIONSIM_FUZZ_SCALE", "1")))


def examples(count: int) -> settings:
    return settings(max_examples=count * SCALE, deadline=dt.timedelta(seconds=3),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("target", sorted(PARSERS))
def test_every_seed_parses(target: str) -> None:
    parse, _ = PARSERS[target]
    assert SEEDS[target], f"no seed in fuzz/corpus/{target}"
    for text in SEEDS[target]:
        parse(text, f"seed.{target}")


@examples(600)
@given(mutated(SEEDS["tle"]))
def test_tle_mutations(text: str) -> None:
    check("tle", text)


@examples(600)
@given(mutated(SEEDS["omm"]))
def test_omm_mutations(text: str) -> None:
    check("omm", text)


@examples(600)
@given(mutated(SEEDS["oem"]))
def test_oem_mutations(text: str) -> None:
    check("oem", text)


@examples(300)
@given(mutated(SEEDS["spaceweather"]))
def test_space_weather_mutations(text: str) -> None:
    check("spaceweather", text)


@examples(600)
@given(mutated(SEEDS["leap_seconds"]))
def test_leap_second_mutations(text: str) -> None:
    check("leap_seconds", text)


@examples(600)
@given(mutated(SEEDS["finals2000a"]))
def test_finals2000a_mutations(text: str) -> None:
    check("finals2000a", text)


@examples(600)
@given(mutated(SEEDS["gfc"]))
def test_gfc_mutations(text: str) -> None:
    check("gfc", text)


@examples(400)
@given(mutated(SEEDS["scenario_toml"]))
def test_scenario_toml_mutations(text: str) -> None:
    check("scenario_toml", text)


@examples(400)
@given(mutated(SEEDS["scenario_yaml"]))
def test_scenario_yaml_mutations(text: str) -> None:
    check("scenario_yaml", text)


@examples(200)
@given(mutated(SEEDS["station"]))
def test_station_mutations(text: str) -> None:
    check("station", text)


@examples(600)
@given(mutated(SEEDS["geojson"]))
def test_geojson_mutations(text: str) -> None:
    check("geojson", text)
