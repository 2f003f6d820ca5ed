"""Scenario files read into plain data: TOML and YAML give the same data, the locator finds the
line (and column) of every key and list item, and malformed text is refused with the parser's
own line and column.

Reference for the expected lines: the test texts themselves (the line is found by searching
the text, so the locator must point at exactly that line).
"""

from __future__ import annotations

import contextlib
import string

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from stationsim.errors import InputError, ScenarioFileError
from stationsim.io.scenario_file import (
    format_path,
    parse_scenario_document,
    scenario_format,
)

TOML = '''\
name = "demo"          # a comment
"quoted key" = 1
physics.atmosphere = "msis2"

[start]
epoch = "2022-03-27T13:08:21Z"
tle = """
1 25544U 98067A   22086.54746528  .00007553  00000+0  14224-3 0  9994
2 25544  51.6447  20.9354 0003979 317.3996  16.1142 15.49578066332518
"""

[start.orbit]
altitude_km = 400

[[vehicles]]
name = "Tug"
engines = [
  { name = "main", thrust_n = 400, isp_s = 300 },  # first
  { name = "spare", thrust_n = 100, isp_s = 290 },
]

[[events]]
at = "2022-03-30T07:00:00Z"
kind = "undock"

[[events]]
at = 2022-03-31T00:00:00Z
kind = "dock"
ports = ["a", 'b', """c"""]

[events.extra]
x.y = { z = [1, 2] }
'''

YAML = '''\
name: demo
"quoted key": 1
physics: {atmosphere: msis2}
start:
  epoch: "2022-03-27T13:08:21Z"
  tle: |
    1 25544U 98067A   22086.54746528  .00007553  00000+0  14224-3 0  9994
    2 25544  51.6447  20.9354 0003979 317.3996  16.1142 15.49578066332518
  orbit:
    altitude_km: 400
vehicles:
  - name: Tug
    engines:
      - {name: main, thrust_n: 400, isp_s: 300}
      - {name: spare, thrust_n: 100, isp_s: 290}
events:
  - at: "2022-03-30T07:00:00Z"
    kind: undock
  - at: 2022-03-31T00:00:00Z
    kind: dock
    ports: [a, b, c]
    extra: {x: {y: {z: [1, 2]}}}
'''


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the ``occurrence``-th line containing ``needle``."""
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[occurrence - 1]


def test_format_from_suffix_or_argument() -> None:
    assert scenario_format("a/b.toml") == "toml"
    assert scenario_format("b.YAML") == "yaml"
    assert scenario_format("b.yml") == "yaml"
    assert scenario_format("<string>") == "toml"
    assert scenario_format("b.txt", "yaml") == "yaml"
    with pytest.raises(ScenarioFileError, match=r"expected a \.toml"):
        scenario_format("b.json")
    with pytest.raises(ScenarioFileError, match="unknown scenario file format"):
        scenario_format("b.toml", "json")


def test_key_paths_are_written_as_people_write_them() -> None:
    assert format_path(("events", 2, "at")) == "events[2].at"
    assert format_path(("quoted key",)) == '"quoted key"'
    assert format_path(()) == "(top level)"


def test_toml_and_yaml_give_the_same_data() -> None:
    toml = parse_scenario_document(TOML, source="demo.toml").data
    yml = parse_scenario_document(YAML, source="demo.yaml").data
    # TOML reads the unquoted date-time as a datetime, YAML keeps its timestamp as text.
    toml_time = toml["events"][1].pop("at")
    assert yml["events"][1].pop("at") == "2022-03-31T00:00:00Z"
    assert toml_time.isoformat() == "2022-03-31T00:00:00+00:00"
    assert toml == yml


@pytest.mark.parametrize(("path", "needle", "occurrence"), [
    (("name",), 'name = "demo"', 1),
    (("quoted key",), '"quoted key"', 1),
    (("physics",), "physics.atmosphere", 1),
    (("physics", "atmosphere"), "physics.atmosphere", 1),
    (("start",), "[start]", 1),
    (("start", "epoch"), "epoch =", 1),
    (("start", "tle"), "tle =", 1),
    (("start", "orbit"), "[start.orbit]", 1),
    (("start", "orbit", "altitude_km"), "altitude_km", 1),
    (("vehicles", 0), "[[vehicles]]", 1),
    (("vehicles", 0, "engines", 0), "name = \"main\"", 1),
    (("vehicles", 0, "engines", 1, "isp_s"), "isp_s = 290", 1),
    (("events",), "[[events]]", 1),
    (("events", 0, "kind"), 'kind = "undock"', 1),
    (("events", 1), "[[events]]", 2),
    (("events", 1, "at"), "at = 2022-03-31", 1),
    (("events", 1, "ports", 2), '"""c"""', 1),
    (("events", 1, "extra"), "[events.extra]", 1),
    (("events", 1, "extra", "x", "y", "z", 1), "x.y", 1),
])
def test_toml_locator_finds_each_line(path: tuple[str | int, ...], needle: str,
                                      occurrence: int) -> None:
    doc = parse_scenario_document(TOML, source="demo.toml")
    line, column = doc.locator.locate(path)
    assert line == line_of(TOML, needle, occurrence)
    assert column is not None


def test_toml_locator_columns_of_inline_items() -> None:
    doc = parse_scenario_document(TOML, source="demo.toml")
    line, column = doc.locator.locate(("vehicles", 0, "engines", 1, "thrust_n"))
    assert column == TOML.splitlines()[line - 1].index("thrust_n") + 1


def test_locator_falls_back_to_the_enclosing_table() -> None:
    doc = parse_scenario_document(TOML, source="demo.toml")
    assert doc.locator.locate(("events", 1, "vehicle")) == (line_of(TOML, "[[events]]", 2), 1)
    assert doc.locator.locate(("nothing",)) == (None, None)


def test_multiline_strings_know_where_their_text_starts() -> None:
    toml = parse_scenario_document(TOML, source="demo.toml")
    assert toml.locator.text_start(("start", "tle")) == (line_of(TOML, "1 25544U"), 1, True)
    yml = parse_scenario_document(YAML, source="demo.yaml")
    assert yml.locator.text_start(("start", "tle")) == (line_of(YAML, "1 25544U"), 1, True)
    assert toml.locator.text_start(("name",)) == (1, 9, False)


@pytest.mark.parametrize(("path", "needle", "occurrence"), [
    (("name",), "name: demo", 1),
    (("start", "tle"), "tle: |", 1),
    (("vehicles", 0), "- name: Tug", 1),
    (("vehicles", 0, "engines", 1, "isp_s"), "isp_s: 290", 1),
    (("events", 1), "- at: 2022-03-31", 1),
    (("events", 1, "kind"), "kind: dock", 1),
    (("events", 1, "extra", "x", "y", "z", 1), "extra:", 1),
])
def test_yaml_locator_finds_each_line(path: tuple[str | int, ...], needle: str,
                                      occurrence: int) -> None:
    doc = parse_scenario_document(YAML, source="demo.yaml")
    line, _ = doc.locator.locate(path)
    assert line == line_of(YAML, needle, occurrence)


def test_malformed_toml_gives_the_parsers_line_and_column() -> None:
    text = 'name = "x"\n[start]\nepoch = "2022-01-01T00:00:00Z"\nbad = [1, 2\nnext = 3\n'
    with pytest.raises(ScenarioFileError) as info:
        parse_scenario_document(text, source="bad.toml")
    assert info.value.line == 5 and info.value.column is not None
    assert "bad.toml, line 5" in str(info.value) and "not valid TOML" in str(info.value)


def test_toml_error_at_the_end_of_the_text() -> None:
    with pytest.raises(ScenarioFileError) as info:
        parse_scenario_document('a = 1\nb = """open\n', source="bad.toml")
    assert info.value.line == 2


def test_malformed_yaml_gives_the_parsers_line_and_column() -> None:
    text = "name: x\nstart:\n  epoch: 2022\n   bad: [1, 2\n"
    with pytest.raises(ScenarioFileError) as info:
        parse_scenario_document(text, source="bad.yaml")
    assert info.value.line == 4
    assert "not valid YAML" in str(info.value)


@pytest.mark.parametrize(("text", "message", "line"), [
    ("a: 1\nb: 2\na: 3\n", "a: duplicate key", 3),
    ("base: &b {x: 1}\nother:\n  <<: *b\n", "merge keys", 3),
    ("a: !!python/name:os.system x\n", "unsupported YAML tag", 1),
    ("a: !!binary aGVsbG8=\n", "unsupported YAML tag", 1),
    ("a: &x [1, *x]\n", "contains it", 1),
    ("a:\n  ? [1, 2]\n  : 3\n", "plain name", 2),
    ("- 1\n- 2\n", "top level", 1),
    ("a: !!int abc\n", "not a valid int", 1),
])
def test_yaml_that_is_refused(text: str, message: str, line: int) -> None:
    with pytest.raises(ScenarioFileError, match=message) as info:
        parse_scenario_document(text, source="x.yaml")
    assert info.value.line == line


def test_empty_yaml_and_alias_bombs_are_refused() -> None:
    with pytest.raises(ScenarioFileError, match="empty"):
        parse_scenario_document("# nothing\n", source="x.yaml")
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefg":
        prev = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [" + ", ".join([f"*{prev}"] * 10) + "]\n"
    with pytest.raises(ScenarioFileError, match="more than"):
        parse_scenario_document(bomb, source="x.yaml")


def test_deep_nesting_is_refused_not_a_crash() -> None:
    with pytest.raises(ScenarioFileError, match="nested too deeply"):
        parse_scenario_document("a = " + "[" * 60 + "]" * 60 + "\n", source="x.toml")
    with pytest.raises(ScenarioFileError, match="nested too deeply"):
        parse_scenario_document("a: " + "[" * 2000 + "]" * 2000 + "\n", source="x.yaml")


# --- properties ---------------------------------------------------------------------------------
_keys = st.text(string.ascii_lowercase + "_", min_size=1, max_size=6)
_scalars = (st.integers(-10**6, 10**6) | st.booleans()
            | st.text(string.ascii_letters + string.digits + " .-", max_size=12)
            | st.floats(allow_nan=False, allow_infinity=False, width=32))


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value + '"'
    assert isinstance(value, list)
    return "[" + ", ".join(_toml_value(v) for v in value) + "]"


@st.composite
def toml_documents(draw: st.DrawFn) -> tuple[str, list[tuple[tuple[str | int, ...], int]]]:
    """A TOML text of top-level keys, tables and arrays of tables, with the line each key
    (or table) was written on."""
    lines: list[str] = []
    where: list[tuple[tuple[str | int, ...], int]] = []
    names = draw(st.lists(_keys, min_size=1, max_size=8, unique=True))
    flat, tables = names[: len(names) // 2], names[len(names) // 2:]
    for key in flat:
        lines.append(f"{key} = {_toml_value(draw(_scalars | st.lists(_scalars, max_size=3)))}")
        where.append(((key,), len(lines)))
    for name in tables:
        repeat = draw(st.integers(0, 3))
        for index in range(max(repeat, 1)):
            lines.append(f"[[{name}]]" if repeat else f"[{name}]")
            table: tuple[str | int, ...] = (name, index) if repeat else (name,)
            where.append((table, len(lines)))
            for key in draw(st.lists(_keys, max_size=4, unique=True)):
                lines.append(f"  {key} = {_toml_value(draw(_scalars))}  # note")
                where.append(((*table, key), len(lines)))
            lines.append("")
    return "\n".join(lines) + "\n", where


@settings(max_examples=150, deadline=None)
@given(toml_documents())
def test_toml_locator_on_generated_files(doc: tuple[str, list[tuple[tuple[str | int, ...],
                                                                     int]]]) -> None:
    text, where = doc
    located = parse_scenario_document(text, source="gen.toml").locator
    for path, line in where:
        assert located.locate(path)[0] == line, (path, text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_garbage_text_is_data_or_an_input_error(text: str) -> None:
    for source in ("x.toml", "x.yaml"):
        with contextlib.suppress(InputError):
            parse_scenario_document(text, source=source)


def test_yaml_dump_round_trip_keeps_the_locator_consistent() -> None:
    data = yaml.safe_load(YAML)
    doc = parse_scenario_document(yaml.safe_dump(data, sort_keys=False), source="x.yaml")
    assert doc.locator.locate(("events", 1, "kind"))[0] is not None


def test_a_character_yaml_does_not_allow_names_its_line() -> None:
    """Found by fuzzing: yaml.reader.ReaderError has no mark, and the error had no line."""
    text = "name: x\nstart:\n  epoch: 20\x1c22\n"
    with pytest.raises(ScenarioFileError, match="not valid YAML") as info:
        parse_scenario_document(text, source="x.yaml")
    assert (info.value.line, info.value.column) == (3, 12)


def test_a_toml_number_with_too_many_digits_names_its_line() -> None:
    """Found by fuzzing: tomllib's int() raised ValueError (more than 4300 digits)."""
    text = "name = 'x'\n[start]\nepoch = " + "1" * 5000 + "\n"
    with pytest.raises(ScenarioFileError, match="too many digits") as info:
        parse_scenario_document(text, source="x.toml")
    assert (info.value.line, info.value.column) == (3, 9)
