"""Reading YAML nodes with their place in the file: the typed accessors that the station
file parser (:mod:`stationsim.io.station_file`) uses, each failing with a
:class:`StationFileError` that names the line and column, what was expected and what was found.

A number may be written bare or as ``{value: ..., src: ..., conf: ..., note: ...}``; the
accessors take the value and check the citation (source keys must be declared, confidence
one of H, M, L, D, A).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import yaml

from stationsim.errors import InputError
from stationsim.station import Citation
from stationsim.time import Epoch, Timescale

__all__ = ["CITATION_KEYS", "CONFIDENCE", "Node", "NodeReader", "StationFileError"]

#: Confidence tags: agency, reputable secondary, weak, derived here, assumed.
CONFIDENCE = ("H", "M", "L", "D", "A")
#: Keys that cite a value or an entry.
CITATION_KEYS = {"src", "conf", "note"}
Node = yaml.Node


class StationFileError(InputError):
    """A station configuration file that is malformed or describes an impossible station."""


class NodeReader:
    """Typed access to YAML nodes; every failure names the node's line and column."""

    def __init__(self, source: str, ts: Timescale) -> None:
        self.source, self.ts = source, ts
        self.sources: set[str] = set()

    def error(self, node: Node, message: str, *, expected: str | None = None,
              found: str | None = None) -> StationFileError:
        mark = node.start_mark
        return StationFileError(message, source=self.source, line=mark.line + 1,
                                column=mark.column + 1, expected=expected, found=found)

    def mapping(self, node: Node, what: str, *, allowed: set[str] | None = None,
                required: tuple[str, ...] = ()) -> dict[str, Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, f"{what} must be a mapping", expected="key: value lines")
        out: dict[str, Node] = {}
        for key_node, value in node.value:
            key = str(key_node.value)
            if key in out:
                raise self.error(key_node, f"duplicate key {key!r} in {what}",
                                 expected="each key once")
            if allowed is not None and key not in allowed:
                raise self.error(key_node, f"unknown key {key!r} in {what}",
                                 expected="one of " + ", ".join(sorted(allowed)))
            out[key] = value
        for key in required:
            if key not in out:
                raise self.error(node, f"{what} lacks {key!r}", expected=f"a {key!r} key")
        return out

    def sequence(self, node: Node, what: str) -> list[Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, f"{what} must be a list", expected="'- ' items")
        return list(node.value)

    def _unwrap(self, node: Node, what: str) -> Node:
        """The ``value`` of a ``{value:, src:, conf:, note:}`` mapping (checked), or the node."""
        if isinstance(node, yaml.MappingNode):
            items = self.mapping(node, what, allowed=CITATION_KEYS | {"value"}, required=("value",))
            self.citation(items)
            return items["value"]
        return node

    def _scalar(self, node: Node, what: str) -> str | None:
        node = self._unwrap(node, what)
        if not isinstance(node, yaml.ScalarNode):
            raise self.error(node, f"{what} must be a single value")
        if node.tag == "tag:yaml.org,2002:null":
            return None
        return str(node.value)

    def text(self, node: Node, what: str) -> str:
        value = self._scalar(node, what)
        if value is None or not value.strip():
            raise self.error(node, f"{what} is empty", expected="a value")
        return value

    def optional_text(self, node: Node | None, what: str) -> str | None:
        return None if node is None else self._scalar(node, what)

    def number(self, node: Node, what: str, *, minimum: float | None = 0.0,
               maximum: float | None = None, positive: bool = False) -> float | None:
        """A finite number (``None`` for null); by default not negative."""
        raw = self._scalar(node, what)
        if raw is None:
            return None
        try:
            value = float(raw)
        except ValueError:
            raise self.error(node, f"{what} must be a number", found=repr(raw)) from None
        if not np.isfinite(value):
            raise self.error(node, f"{what} must be finite", found=repr(raw))
        if minimum is not None and value < minimum:
            raise self.error(node, f"{what} must not be negative" if minimum == 0.0 else
                             f"{what} is too small", expected=f">= {minimum:g}", found=raw)
        if positive and value <= 0.0:
            raise self.error(node, f"{what} must be positive", expected="> 0", found=raw)
        if maximum is not None and value > maximum:
            raise self.error(node, f"{what} is too large", expected=f"<= {maximum:g}",
                             found=raw)
        return value

    def required_number(self, node: Node, what: str, **limits: Any) -> float:
        value = self.number(node, what, **limits)
        if value is None:
            raise self.error(node, f"{what} is unknown (null)", expected="a number")
        return value

    def integer(self, node: Node, what: str) -> int | None:
        value = self.number(node, what)
        if value is not None and value != int(value):
            raise self.error(node, f"{what} must be a whole number", found=repr(value))
        return None if value is None else int(value)

    def flag(self, node: Node, what: str) -> bool:
        raw = self.text(node, what).lower()
        if raw not in ("true", "false"):
            raise self.error(node, f"{what} must be true or false", found=repr(raw))
        return raw == "true"

    def choice(self, node: Node, what: str, choices: tuple[str, ...]) -> str:
        value = self.text(node, what)
        if value not in choices:
            raise self.error(node, f"unknown {what}", expected=" | ".join(choices),
                             found=repr(value))
        return value

    def epoch(self, node: Node | None, what: str) -> Epoch | None:
        if node is None:
            return None
        raw = self._scalar(node, what)
        if raw is None:
            return None
        try:
            return self.ts.from_iso(raw)
        except InputError as exc:
            raise self.error(node, f"{what}: {exc.reason}", expected=exc.expected,
                             found=exc.found) from None

    def citation(self, items: dict[str, Node]) -> Citation:
        keys: tuple[str, ...] = ()
        if "src" in items:
            node = items["src"]
            nodes = self.sequence(node, "src") if isinstance(node, yaml.SequenceNode) else [node]
            keys = tuple(self.text(n, "src") for n in nodes)
            for key, n in zip(keys, nodes, strict=True):
                if key not in self.sources:
                    raise self.error(n, f"unknown source {key!r}",
                                     expected="a key of 'sources'")
        conf = self.choice(items["conf"], "confidence", CONFIDENCE) if "conf" in items else "A"
        note = self.optional_text(items.get("note"), "note") or ""
        return Citation(keys, conf, note)
