"""Typed reading of one table of a scenario file: every key checked against the keys allowed,
every value against its type and range, and every failure a
:class:`~stationsim.errors.ScenarioFileError` that names the key path and the line."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Protocol

from stationsim.errors import InputError, ScenarioFileError, StationsimError
from stationsim.io.scenario_file import KeyPath, ScenarioDocument, describe_value, format_path
from stationsim.time import Timescale

__all__ = ["MISSING", "Reader", "Table", "own_keys"]

#: The default of a key that must be given.
MISSING: Any = object()


class Reader(Protocol):
    """What a table needs from the reader of the whole file: the document, its timescale,
    and the errors and places that name a key path."""

    doc: ScenarioDocument
    ts: Timescale

    def error(self, path: KeyPath, message: str, *, expected: str | None = None,
              found: str | None = None, line: int | None = None,
              column: int | None = None) -> ScenarioFileError: ...

    def where(self, path: KeyPath) -> str: ...


class Table:
    """Typed access to one table of the file; every failure names its key path and line."""

    def __init__(self, b: Reader, value: Any, path: KeyPath, allowed: set[str],
                 required: tuple[str, ...] = ()) -> None:
        self.b, self.path = b, path
        if not isinstance(value, dict):
            raise b.error(path, "must be a table of keys", expected="key = value pairs",
                          found=describe_value(value))
        for key in value:
            if key not in allowed:
                raise b.error((*path, key), f"unknown key {key!r}",
                              expected="one of " + ", ".join(sorted(allowed)))
        for key in required:
            if key not in value:
                raise b.error((*path, key), f"missing: {format_path(path) or 'the file'} "
                              f"needs {key!r}", expected=f"a {key!r} key")
        self.items: dict[str, Any] = value

    def has(self, key: str) -> bool:
        return key in self.items

    def at(self, key: str) -> KeyPath:
        return (*self.path, key)

    def _get(self, key: str, default: Any, what: str) -> Any:
        if key in self.items:
            return self.items[key]
        if default is MISSING:
            raise self.b.error(self.at(key), "missing", expected=what)
        return default

    def text(self, key: str, default: Any = MISSING, *, max_length: int | None = None) -> Any:
        value = self._get(key, default, "text")
        if key not in self.items:
            return value
        if not isinstance(value, str) or not value.strip():
            raise self.b.error(self.at(key), "must be text", expected="non-empty text",
                               found=describe_value(value))
        if max_length is not None and len(value.strip()) > max_length:
            raise self.b.error(self.at(key), "is too long",
                               expected=f"at most {max_length:,} characters",
                               found=f"{len(value.strip()):,}")
        return value.strip()

    def number(self, key: str, default: Any = MISSING, *, positive: bool = False,
               minimum: float | None = None, maximum: float | None = None) -> Any:
        value = self._get(key, default, "a number")
        if key not in self.items:
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.b.error(self.at(key), "must be a number", expected="a number",
                               found=describe_value(value))
        try:
            out = float(value)
        except OverflowError:
            out = math.inf
        if not math.isfinite(out):
            raise self.b.error(self.at(key), "must be a finite number", found=repr(value))
        if positive and out <= 0.0:
            raise self.b.error(self.at(key), "must be positive", expected="> 0",
                               found=repr(value))
        if minimum is not None and out < minimum:
            raise self.b.error(self.at(key), "is too small", expected=f">= {minimum:g}",
                               found=repr(value))
        if maximum is not None and out > maximum:
            raise self.b.error(self.at(key), "is too large", expected=f"<= {maximum:g}",
                               found=repr(value))
        return out

    def integer(self, key: str, default: int, *, minimum: int = 0) -> int:
        value = self.items.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.b.error(self.at(key), "must be a whole number",
                               expected=f"an integer >= {minimum}", found=describe_value(value))
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.items.get(key, default)
        if not isinstance(value, bool):
            raise self.b.error(self.at(key), "must be true or false", expected="true | false",
                               found=describe_value(value))
        return value

    def choice(self, key: str, choices: tuple[str, ...], default: Any = MISSING) -> Any:
        value = self._get(key, default, " | ".join(choices))
        if key in self.items and value not in choices:
            raise self.b.error(self.at(key), "unknown value", expected=" | ".join(choices),
                               found=describe_value(value))
        return value

    def names(self, key: str, *, allow_empty: bool = True) -> tuple[str, ...]:
        """A name or a list of names (each non-empty text, none twice)."""
        value = self.items.get(key, [])
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) and v.strip()
                                                   for v in values):
            raise self.b.error(self.at(key), "must be a name or a list of names",
                               expected='"name" or ["name", ...]', found=describe_value(value))
        out = tuple(v.strip() for v in values)
        if len(set(out)) != len(out) or (not out and not allow_empty):
            raise self.b.error(self.at(key), "needs names, each once", found=repr(list(out)))
        return out

    def epoch(self, key: str, default: Any = MISSING) -> Any:
        value = self._get(key, default, "an ISO 8601 UTC time")
        if key not in self.items:
            return value
        if isinstance(value, dt.date):  # a TOML date-time or date (datetime is a date)
            value = value.isoformat()
        if not isinstance(value, str):
            raise self.b.error(self.at(key), "must be a UTC time",
                               expected="text such as \"2022-03-30T07:00:00Z\"",
                               found=describe_value(value))
        try:
            return self.b.ts.from_iso(value)
        except StationsimError as exc:
            reason = exc.reason if isinstance(exc, InputError) else str(exc)
            raise self.b.error(self.at(key), reason, expected=getattr(exc, "expected", None),
                               found=repr(value)) from None

    def table(self, key: str, allowed: set[str], required: tuple[str, ...] = ()) -> Table:
        return Table(self.b, self._get(key, {}, "a table"), self.at(key), allowed, required)

    def tables(self, key: str) -> list[tuple[KeyPath, Any]]:
        """The entries of an array of tables, with their key paths."""
        value = self.items.get(key, [])
        if not isinstance(value, list):
            raise self.b.error(self.at(key), "must be a list of tables",
                               expected=f"[[{key}]] tables", found=describe_value(value))
        return [((*self.at(key), i), item) for i, item in enumerate(value)]


def own_keys(item: Any) -> set[str]:
    """The keys a table has (to check its type and required keys before its kind is known)."""
    return set(item) if isinstance(item, dict) else set()
