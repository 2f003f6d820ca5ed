"""Scenario files, TOML or YAML, read into plain data with a :class:`Locator` that gives the
line (and column) where each key or list item is written.

What a scenario may say is :mod:`stationsim.scenario.schema`'s business; this module only reads
the text: nested ``dict``/``list`` of ``str``, ``int``, ``float``, ``bool`` (TOML dates and times
as :mod:`datetime` objects, YAML timestamps as their text, YAML nulls as ``None``). A key path is
a tuple such as ``("events", 2, "at")``, written ``events[2].at`` (list indices count from 0).

TOML is read by :mod:`tomllib`, which reports no positions; they are found by a small scanner
(:mod:`stationsim.io.scenario_locator`). YAML is composed into nodes, which carry their marks;
anchors and aliases are followed, merge keys (``<<``) and tags other than YAML's core ones are
refused. Malformed text raises :class:`~stationsim.errors.ScenarioFileError` with the parser's
own line and column.
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from stationsim.errors import ScenarioFileError
from stationsim.io.scenario_locator import KeyPath, Locator, format_path, locate_toml
from stationsim.io.yaml_compose import compose_yaml

__all__ = ["FORMATS", "KeyPath", "Locator", "ScenarioDocument", "ScenarioFileError",
           "describe_value", "format_path", "parse_scenario_document",
           "scenario_format"]

#: The formats a scenario file may be written in.
FORMATS = ("toml", "yaml")
_SUFFIXES = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml"}
_TOML_PLACE = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")
#: Deeper nesting than any scenario needs; refused before Python's recursion limit is reached.
_MAX_DEPTH = 48
#: YAML aliases can make a short text stand for a huge tree; refuse past this many values.
_MAX_VALUES = 100_000
_YAML = "tag:yaml.org,2002:"


@dataclass(frozen=True)
class ScenarioDocument:
    """A scenario file read into plain data: ``data`` (the top-level table), its
    :class:`Locator`, the ``format`` it was read as, its ``source`` name and its ``lines``."""

    data: dict[str, Any]
    locator: Locator
    format: str
    source: str
    lines: tuple[str, ...]


def scenario_format(source: str, format: str | None = None) -> str:
    """``toml`` or ``yaml``: ``format`` if given, else from the suffix of ``source``
    (``.toml``, ``.yaml``, ``.yml``); a name without a suffix (``<string>``) is TOML."""
    if format is not None:
        if format.lower() not in FORMATS:
            raise ScenarioFileError("unknown scenario file format", source=source,
                                    expected=" | ".join(FORMATS), found=repr(format))
        return format.lower()
    suffix = "" if source.startswith("<") else PurePath(source).suffix.lower()
    if not suffix:
        return "toml"
    if suffix not in _SUFFIXES:
        raise ScenarioFileError("cannot tell the format of the scenario file from its name",
                                source=source, expected="a .toml, .yaml or .yml file",
                                found=repr(suffix))
    return _SUFFIXES[suffix]


def parse_scenario_document(text: str, *, source: str = "<string>",
                            format: str | None = None) -> ScenarioDocument:
    """Read a scenario file's text (see the module docstring).

    Raises:
        ScenarioFileError: malformed TOML or YAML, or a top level that is not a table.
    """
    kind = scenario_format(source, format)
    text = text.removeprefix("\ufeff")
    lines = tuple(text.splitlines())
    if kind == "toml":
        data, locator = _read_toml(text, source, lines)
    else:
        data, locator = _read_yaml(text, source)
    return ScenarioDocument(data, locator, kind, source, lines)


# --- TOML ---------------------------------------------------------------------------------------
def _read_toml(text: str, source: str, lines: tuple[str, ...]) -> tuple[dict[str, Any], Locator]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        place = _TOML_PLACE.search(message)
        line = column = None
        if place is not None:
            message = message[:place.start()]
            if place.group(1):
                line, column = int(place.group(1)), int(place.group(2))
            else:
                line = max(len(lines), 1)
        raise ScenarioFileError(f"not valid TOML: {message}", source=source, line=line,
                                column=column) from None
    except RecursionError:
        raise ScenarioFileError("not valid TOML: nested too deeply", source=source) from None
    except ValueError:  # an integer longer than int() reads
        limit = sys.get_int_max_str_digits()
        long = re.search(f"[0-9][0-9_]{{{limit},}}", text)
        start = long.start() if long else 0
        raise ScenarioFileError("not valid TOML: a number with too many digits",
                                source=source, line=text.count("\n", 0, start) + 1,
                                column=start - text.rfind("\n", 0, start),
                                expected=f"at most {limit} digits") from None
    _check_depth(data, (), source)
    return data, locate_toml(text)


def _check_depth(value: Any, path: KeyPath, source: str) -> None:
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if len(where) > _MAX_DEPTH:
            raise ScenarioFileError(f"{format_path(where[:8])}...: nested too deeply",
                                    source=source, expected=f"at most {_MAX_DEPTH} levels")
        if isinstance(item, dict):
            stack.extend((v, (*where, k)) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, (*where, i)) for i, v in enumerate(item))


# --- YAML ---------------------------------------------------------------------------------------
def _read_yaml(text: str, source: str) -> tuple[dict[str, Any], Locator]:
    root = compose_yaml(text, source, ScenarioFileError)
    if root is None:
        raise ScenarioFileError("the scenario file is empty", source=source,
                                expected="keys such as 'start' and 'end'")
    walker = _YamlWalker(source)
    data = walker.walk(root, (), ())
    if not isinstance(data, dict):
        raise walker.error(root, (), "the top level of a scenario must be a table of keys",
                           found=describe_value(data))
    return data, Locator(walker.keys, walker.texts)


class _YamlWalker:
    """Plain values from composed YAML nodes, recording where each key and item is."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.keys: dict[KeyPath, tuple[int, int]] = {}
        self.texts: dict[KeyPath, tuple[int, int, bool]] = {}
        self.count = 0
        self.constructor = SafeConstructor()

    def error(self, node: yaml.Node, path: KeyPath, message: str,
              found: str | None = None) -> ScenarioFileError:
        prefix = f"{format_path(path)}: " if path else ""
        return ScenarioFileError(prefix + message, source=self.source,
                                 line=node.start_mark.line + 1,
                                 column=node.start_mark.column + 1, found=found)

    def walk(self, node: yaml.Node, path: KeyPath, active: tuple[int, ...]) -> Any:
        self.count += 1
        if self.count > _MAX_VALUES:
            raise self.error(node, path, f"more than {_MAX_VALUES} values (aliases repeating "
                             "a large part of the file?)")
        if len(path) > _MAX_DEPTH:
            raise self.error(node, path, "nested too deeply")
        if id(node) in active:
            raise self.error(node, path, "an alias refers to a node that contains it")
        if isinstance(node, yaml.MappingNode):
            if node.tag != _YAML + "map":
                raise self.error(node, path, "unsupported YAML tag", found=node.tag)
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == _YAML + "merge":
                    raise self.error(key_node, path, "YAML merge keys ('<<') are not supported")
                if not isinstance(key_node, yaml.ScalarNode):
                    raise self.error(key_node, path, "a key must be a plain name")
                key = str(key_node.value)
                if key in out:
                    raise self.error(key_node, (*path, key), "duplicate key")
                self.keys[(*path, key)] = _mark(key_node)
                out[key] = self.walk(value_node, (*path, key), (*active, id(node)))
            return out
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _YAML + "seq":
                raise self.error(node, path, "unsupported YAML tag", found=node.tag)
            items = []
            for index, item in enumerate(node.value):
                self.keys[(*path, index)] = _mark(item)
                items.append(self.walk(item, (*path, index), (*active, id(node))))
            return items
        if not isinstance(node, yaml.ScalarNode):
            raise self.error(node, path, "unsupported YAML node", found=type(node).__name__)
        return self.scalar(node, path)

    def scalar(self, node: yaml.ScalarNode, path: KeyPath) -> Any:
        tag = node.tag.removeprefix(_YAML)
        if tag in ("str", "timestamp"):  # timestamps stay text: the schema reads instants
            line, column = _mark(node)
            if node.style == "|":
                self.texts[path] = (line + 1, 1, True)
            else:
                self.texts[path] = (line, column + (1 if node.style in ("'", '"') else 0), False)
            return str(node.value)
        builders = {"null": self.constructor.construct_yaml_null,
                    "bool": self.constructor.construct_yaml_bool,
                    "int": self.constructor.construct_yaml_int,
                    "float": self.constructor.construct_yaml_float}
        if tag not in builders:
            raise self.error(node, path, "unsupported YAML tag", found=node.tag)
        try:
            return builders[tag](node)
        except (ValueError, TypeError, yaml.YAMLError):
            raise self.error(node, path, f"not a valid {tag}", found=repr(node.value)) from None


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def describe_value(value: Any) -> str:
    """What a plain value is, in the words of a scenario file."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, str):
        return f"text ({value[:40]!r})"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__} ({value!s})"
