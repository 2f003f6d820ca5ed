"""Where the keys and list items of a scenario file are written: key paths, their written form,
and the :class:`Locator` that gives the line (and column) of each.

A key path is a tuple such as ``("events", 2, "at")``, written ``events[2].at`` (list indices
count from 0). :mod:`tomllib` reports no positions, so for TOML a small scanner walks the text
(already known to be valid) for table headers (``[start]``, ``[start.orbit]``, ``[[events]]``
counted per array), ``key = value`` lines with dotted or quoted keys, and inline tables and
arrays (:func:`locate_toml`). YAML's positions come with its composed nodes
(:mod:`stationsim.io.scenario_file`).
"""

from __future__ import annotations

import contextlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["KeyPath", "Locator", "format_path", "locate_toml"]

KeyPath = tuple[str | int, ...]
_BARE = re.compile(r"[A-Za-z0-9_-]+")


def format_path(path: KeyPath) -> str:
    """A key path as people write it: ``("events", 2, "at")`` -> ``events[2].at``."""
    out = ""
    for item in path:
        if isinstance(item, int):
            out += f"[{item}]"
        else:
            name = item if _BARE.fullmatch(item) else '"' + item.replace('"', '\\"') + '"'
            out += ("." if out else "") + name
    return out or "(top level)"


@dataclass(frozen=True)
class Locator:
    """Where the keys and list items of a scenario file are written.

    Attributes:
        keys: key path -> (line, column), 1-based, of the key (or list item).
        texts: key path of a string value -> (line, column, block) where its text begins;
            ``block`` is true when the text starts on a line of its own and keeps its line
            breaks (a TOML ``\"\"\"`` string opened at the end of a line, a YAML ``|`` block), so
            that line ``k`` of the string is line ``line + k - 1`` of the file.
    """

    keys: Mapping[KeyPath, tuple[int, int]] = field(default_factory=dict)
    texts: Mapping[KeyPath, tuple[int, int, bool]] = field(default_factory=dict)

    def locate(self, path: KeyPath) -> tuple[int | None, int | None]:
        """(line, column) of ``path``, or of the nearest enclosing key or table that is known;
        ``(None, None)`` at the top level."""
        for n in range(len(path), 0, -1):
            hit = self.keys.get(tuple(path[:n]))
            if hit is not None:
                return hit
        return None, None

    def text_start(self, path: KeyPath) -> tuple[int, int, bool] | None:
        """Where the text of the string at ``path`` begins (see :attr:`texts`)."""
        return self.texts.get(tuple(path))


def locate_toml(text: str) -> Locator:
    """The :class:`Locator` of a valid TOML text. What the scanner cannot follow keeps the
    positions found so far; the rest of the paths fall back to their enclosing tables."""
    scanner = _TomlScanner(text)
    with contextlib.suppress(_ScanError, IndexError, tomllib.TOMLDecodeError):
        scanner.run()
    return Locator(scanner.keys, scanner.texts)


class _ScanError(Exception):
    """The scanner met text it does not follow (the locator then falls back)."""


class _TomlScanner:
    """Positions of keys, table headers and array items in a valid TOML text."""

    def __init__(self, text: str) -> None:
        self.s, self.i, self.line, self.line_start = text, 0, 1, 0
        self.keys: dict[KeyPath, tuple[int, int]] = {}
        self.texts: dict[KeyPath, tuple[int, int, bool]] = {}
        self.arrays: dict[KeyPath, int] = {}  # array of tables -> index of its last table

    def pos(self) -> tuple[int, int]:
        return self.line, self.i - self.line_start + 1

    def peek(self, n: int = 0) -> str:
        return self.s[self.i + n] if self.i + n < len(self.s) else ""

    def advance(self, n: int = 1) -> None:
        for _ in range(n):
            if self.i >= len(self.s):
                raise _ScanError("end of text")
            if self.s[self.i] == "\n":
                self.line, self.line_start = self.line + 1, self.i + 1
            self.i += 1

    def skip(self, newlines: bool) -> None:
        """Skip blanks and comments (and line breaks when ``newlines``)."""
        while self.i < len(self.s):
            c = self.s[self.i]
            if c in " \t\r" or (newlines and c == "\n"):
                self.advance()
            elif c == "#":
                while self.i < len(self.s) and self.s[self.i] != "\n":
                    self.advance()
            else:
                break

    def expect(self, token: str) -> None:
        self.skip(False)
        if not self.s.startswith(token, self.i):
            raise _ScanError(f"expected {token!r} at {self.pos()}")
        self.advance(len(token))

    def note(self, path: KeyPath, where: tuple[int, int]) -> None:
        for n in range(1, len(path) + 1):
            self.keys.setdefault(path[:n], where)

    def resolve(self, keys: KeyPath) -> KeyPath:
        """A header's keys with the current index of each array of tables inserted."""
        path: KeyPath = ()
        for key in keys:
            path = (*path, key)
            if path in self.arrays:
                path = (*path, self.arrays[path])
        return path

    def run(self) -> None:
        table: KeyPath = ()
        while True:
            self.skip(True)
            if self.i >= len(self.s):
                return
            where = self.pos()
            if self.s.startswith("[[", self.i):
                self.advance(2)
                keys = self.key()
                self.expect("]]")
                full = (*self.resolve(keys[:-1]), keys[-1])
                index = self.arrays.get(full, -1) + 1
                self.arrays[full] = index
                table = (*full, index)
                self.note(full, where)
                self.keys[table] = where
            elif self.peek() == "[":
                self.advance()
                keys = self.key()
                self.expect("]")
                table = self.resolve(keys)
                self.note(table, where)
            else:
                self.pair(table)

    def pair(self, table: KeyPath) -> None:
        where = self.pos()
        keys = self.key()
        self.expect("=")
        self.skip(False)
        self.note((*table, *keys), where)
        self.value((*table, *keys))

    def key(self) -> KeyPath:
        parts: list[str] = []
        while True:
            self.skip(False)
            if self.peek() in ('"', "'"):
                start = self.i
                self.string(self.peek(), multiline=False)
                parts.append(str(tomllib.loads("k = " + self.s[start:self.i])["k"]))
            else:
                start = self.i
                while self.i < len(self.s) and _BARE.fullmatch(self.s[self.i]):
                    self.advance()
                if self.i == start:
                    raise _ScanError(f"no key at {self.pos()}")
                parts.append(self.s[start:self.i])
            self.skip(False)
            if self.peek() != ".":
                return tuple(parts)
            self.advance()

    def string(self, quote: str, *, multiline: bool) -> None:
        """Move past a string that starts here (its opening quote or quotes)."""
        delim = quote * 3 if multiline else quote
        self.advance(len(delim))
        while not self.s.startswith(delim, self.i):
            if self.i >= len(self.s) or (not multiline and self.peek() == "\n"):
                raise _ScanError("unterminated string")
            self.advance(2 if quote == '"' and self.peek() == "\\" else 1)
        self.advance(len(delim))
        if multiline:  # up to two quotes may end the text just before the delimiter
            for _ in range(2):
                if self.peek() == quote:
                    self.advance()

    def value(self, path: KeyPath) -> None:
        c = self.peek()
        if c in ('"', "'"):
            multiline = self.s.startswith(c * 3, self.i)
            if multiline:
                after = self.i + 3
                block = self.s.startswith("\n", after) or self.s.startswith("\r\n", after)
                line, column = self.pos()
                self.texts[path] = (line + 1, 1, True) if block else (line, column + 3, False)
            else:
                line, column = self.pos()
                self.texts[path] = (line, column + 1, False)
            self.string(c, multiline=multiline)
        elif c == "{":
            self.advance()
            while True:
                self.skip(True)
                if self.peek() == "}":
                    self.advance()
                    return
                self.pair(path)
                self.skip(True)
                if self.peek() == ",":
                    self.advance()
        elif c == "[":
            self.advance()
            index = 0
            while True:
                self.skip(True)
                if self.peek() == "]":
                    self.advance()
                    return
                self.keys.setdefault((*path, index), self.pos())
                self.value((*path, index))
                index += 1
                self.skip(True)
                if self.peek() == ",":
                    self.advance()
        else:
            start = self.i
            while self.i < len(self.s) and self.s[self.i] not in ",]}\n#":
                self.advance()
            if self.i == start:
                raise _ScanError(f"no value at {self.pos()}")
