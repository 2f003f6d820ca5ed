"""Station configuration files: the bundled ISS parses; a small station parses into the
expected objects; and every bad file is refused with a message that names the line (and
column) of the problem: an unknown port, a cycle, a negative mass, a duplicate name, a crew
member without a seat, and more.

Reference for the expected lines: the test texts themselves (the line is found by searching
the text, so the message must point at exactly that line).
"""

from __future__ import annotations

import re

import pytest

from stationsim.data import STATION_FILE, bundled_file
from stationsim.io.station_file import StationFileError, parse_station
from stationsim.station import PartKind, Segment
from stationsim.time import Timescale

SMALL = """\
format: stationsim-station 1
name: Small
valid_from: 2022-01-01T00:00:00Z
valid_to: 2022-02-01T00:00:00Z
root: Hub
sources:
  book: "A book"
parts:
  - name: Hub
    kind: module
    segment: USOS
    mass_kg: 10000
    length_m: 5
    diameter_m: 4
    ports: [fwd, aft, nadir]
    src: book
    conf: H
  - name: Lab
    kind: module
    segment: USOS
    mass_kg: 12000
    length_m: 8
    diameter_m: 4
    attached_to: Hub.fwd
    ports: [fwd]
    src: book
    conf: M
  - name: Tug
    kind: module
    segment: ROS
    mass_kg: {value: 9000, src: book, conf: D, note: "a derived mass"}
    length_m: 10
    diameter_m: 4
    attached_to: Hub.aft
    ports: [aft]
  - name: Capsule
    kind: vehicle
    segment: USOS
    mass_kg: 8000
    axis: z
    length_m: 5
    diameter_m: 4
    seats: 2
    attached_to: Hub.nadir
    attached: 2021-12-01
crew:
  - name: Ada
    agency: ESA
    location: Lab
    return_vehicle: Capsule
  - name: Bob
    agency: NASA
    location: Hub
    return_vehicle: Capsule
"""


def _line(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based number of the line holding the n-th occurrence of ``needle``."""
    count = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            count += 1
            if count == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in the text")


def _refused(text: str, ts: Timescale) -> StationFileError:
    with pytest.raises(StationFileError) as info:
        parse_station(text, ts=ts, source="bad.yaml")
    return info.value


def test_bundled_iss_parses(ts: Timescale) -> None:
    """The bundled file: 39 parts (Soyuz MS-21 among them, from 03-18), 10 crew, the span
    2022-02-21..04-01."""
    text = bundled_file(STATION_FILE).read_text(encoding="utf-8")
    record = parse_station(text, ts=ts, source=STATION_FILE)
    assert len(record.parts) == 39 and len(record.crew) == 10
    assert record.valid_from.iso(0) == "2022-02-21T09:44:00Z"
    assert record.drag.drag_coefficient == 2.2


def test_small_station_parses(ts: Timescale) -> None:
    """Values, citations, links and crew of the small file."""
    record = parse_station(SMALL, ts=ts, source="small.yaml")
    assert [p.name for p in record.parts] == ["Hub", "Lab", "Tug", "Capsule"]
    tug = record.part("Tug")
    assert tug.mass_kg == 9000 and tug.segment is Segment.ROS
    assert record.part("Hub").citation.sources == ("book",)
    assert record.part("Capsule").kind is PartKind.VEHICLE and record.part("Capsule").seats == 2
    assert [k.where for k in record.links] == ["Hub.fwd", "Hub.aft", "Hub.nadir"]
    config = record.configuration_at(ts.from_iso("2022-01-15T00:00:00Z"))
    assert config.root == "Hub" and config.mass_kg == 39_000
    assert {m.name: m.return_vehicle for m in config.crew} == {"Ada": "Capsule",
                                                              "Bob": "Capsule"}


def test_unknown_port(ts: Timescale) -> None:
    text = SMALL.replace("attached_to: Hub.fwd", "attached_to: Hub.zenith")
    error = _refused(text, ts)
    assert error.line == _line(text, "attached_to: Hub.zenith")
    assert error.column == len("    attached_to: ") + 1
    assert "Hub has no port 'zenith'" in str(error)
    assert "expected fwd | aft | nadir" in str(error)
    assert f"bad.yaml, line {error.line}" in str(error)


def test_unknown_parent(ts: Timescale) -> None:
    text = SMALL.replace("attached_to: Hub.fwd", "attached_to: Hab.fwd")
    error = _refused(text, ts)
    assert error.line == _line(text, "Hab.fwd") and "unknown part" in str(error)


def test_cycle(ts: Timescale) -> None:
    """Hub hangs from Lab and Lab from Hub: a cycle, reported at an attachment on it."""
    text = SMALL.replace("    ports: [fwd, aft, nadir]\n",
                         "    ports: [fwd, aft, nadir]\n    attached_to: Lab.fwd\n")
    text = text.replace("root: Hub\n", "")
    error = _refused(text, ts)
    assert "cycle" in str(error)
    assert error.line in (_line(text, "attached_to: Lab.fwd"),
                          _line(text, "attached_to: Hub.fwd"))
    assert re.search(r"(Hub -> Lab -> Hub|Lab -> Hub -> Lab)", str(error))


def test_negative_mass(ts: Timescale) -> None:
    """At the value itself: line and column."""
    text = SMALL.replace("mass_kg: 12000", "mass_kg: -12000")
    error = _refused(text, ts)
    assert error.line == _line(text, "mass_kg: -12000")
    assert error.column == len("    mass_kg: ") + 1
    assert "must not be negative" in str(error) and "Lab" in str(error)


def test_negative_mass_in_a_cited_value(ts: Timescale) -> None:
    text = SMALL.replace("{value: 9000,", "{value: -9000,")
    error = _refused(text, ts)
    assert error.line == _line(text, "value: -9000") and "negative" in str(error)


def test_duplicate_part_name(ts: Timescale) -> None:
    text = SMALL.replace("- name: Tug", "- name: Lab")
    error = _refused(text, ts)
    assert error.line == _line(text, "- name: Lab", occurrence=2)
    assert "duplicate part name 'Lab'" in str(error)
    assert f"line {_line(text, '- name: Lab')}" in str(error)  # where the first one is


def test_duplicate_crew_member(ts: Timescale) -> None:
    text = SMALL.replace("- name: Bob", "- name: Ada")
    error = _refused(text, ts)
    assert error.line == _line(text, "- name: Ada", occurrence=2)
    assert "duplicate crew member" in str(error)


def test_duplicate_key(ts: Timescale) -> None:
    text = SMALL.replace("    mass_kg: 12000\n", "    mass_kg: 12000\n    mass_kg: 13000\n")
    error = _refused(text, ts)
    assert error.line == _line(text, "mass_kg: 13000") and "duplicate key" in str(error)


def test_crew_member_without_a_seat(ts: Timescale) -> None:
    """No return_vehicle: the crew entry's line; a null one: the value's line."""
    text = SMALL.replace("    return_vehicle: Capsule\n", "", 1)
    error = _refused(text, ts)
    assert error.line == _line(text, "- name: Ada") and "no seat home" in str(error)
    text = SMALL.replace("return_vehicle: Capsule", "return_vehicle: null", 1)
    error = _refused(text, ts)
    assert error.line == _line(text, "return_vehicle: null") and "no seat home" in str(error)


def test_seat_on_a_part_without_seats(ts: Timescale) -> None:
    text = SMALL.replace("return_vehicle: Capsule", "return_vehicle: Tug", 1)
    error = _refused(text, ts)
    assert error.line == _line(text, "return_vehicle: Tug") and "no seats" in str(error)


def test_seat_assigned_twice(ts: Timescale) -> None:
    """Two crew, one seat: the second assignment is refused at its line."""
    text = SMALL.replace("seats: 2", "seats: 1")
    error = _refused(text, ts)
    assert error.line == _line(text, "return_vehicle: Capsule", occurrence=2)
    assert "seat assigned twice" in str(error)


def test_crew_aboard_before_their_vehicle(ts: Timescale) -> None:
    text = SMALL.replace("attached: 2021-12-01", "attached: 2022-01-10")
    error = _refused(text, ts)
    assert error.line == _line(text, "return_vehicle: Capsule") and "not docked" in str(error)


def test_two_parts_in_one_port(ts: Timescale) -> None:
    text = SMALL.replace("attached_to: Hub.aft", "attached_to: Hub.fwd")
    error = _refused(text, ts)
    assert error.line == _line(text, "attached_to: Hub.fwd", occurrence=2)
    assert "holds two parts" in str(error)


@pytest.mark.parametrize(("old", "new", "needle", "words"), [
    ("    conf: H\n", "    conf: Z\n", "conf: Z", "unknown confidence"),
    ("    src: book\n    conf: H", "    src: nobook\n    conf: H", "src: nobook", "unknown source"),
    ("    kind: module\n", "    kinds: module\n", "kinds: module", "unknown key 'kinds'"),
    ("segment: ROS", "segment: MIR", "segment: MIR", "unknown segment"),
    ("attached: 2021-12-01", "attached: 2021-13-01", "attached: 2021-13-01", "impossible date"),
    ("length_m: 8", "length_m: eight", "length_m: eight", "must be a number"),
    ("format: stationsim-station 1", "format: other 2", "format: other", "unknown format"),
])
def test_other_mistakes_name_their_line(ts: Timescale, old: str, new: str, needle: str,
                                        words: str) -> None:
    text = SMALL.replace(old, new, 1)
    error = _refused(text, ts)
    assert error.line == _line(text, needle), str(error)
    assert words in str(error)


def test_yaml_syntax_error(ts: Timescale) -> None:
    text = SMALL.replace("    ports: [fwd]\n", "    ports: [fwd\n")
    error = _refused(text, ts)
    assert "not valid YAML" in str(error) and error.line is not None


def test_empty_file(ts: Timescale) -> None:
    assert "empty" in str(_refused("", ts))


# --- inputs found by fuzzing (fuzz/, test_fuzz_properties.py) -----------------------------------
@pytest.mark.parametrize("character", ["\x00", "\x0b", "\x1c", "\ud800"])
def test_a_character_yaml_does_not_allow(ts: Timescale, character: str) -> None:
    """yaml.reader.ReaderError (no line or column of its own) came out as is."""
    text = SMALL.replace("name: Lab", f"name: La{character}b")
    error = _refused(text, ts)
    assert (error.line, error.column) == (_line(text, "name: La"), 13), str(error)
    assert "not valid YAML" in str(error)


def test_deep_nesting_is_refused_not_a_crash(ts: Timescale) -> None:
    """RecursionError from the YAML composer."""
    assert "nested too deeply" in str(_refused("parts: " + "[" * 5000, ts))


def test_a_second_unattached_part_names_its_line(ts: Timescale) -> None:
    """A part that lost its attached_to made a second root: the error had no line."""
    text = SMALL.replace("    attached_to: Hub.aft\n", "")
    error = _refused(text, ts)
    assert "do not form one station" in str(error)
    assert error.line == _line(text, "name: Tug"), str(error)
