"""CCSDS Orbit Mean-Elements Messages (OMM) <-> :class:`~stationsim.propagation.GPElements`.

Reads the three encodings in use for SGP4 element sets:

* KVN, the ``KEYWORD = value [units]`` text of CCSDS 502.0-B-3 (Orbit Data Messages, 2023), one
  or more messages each opened by ``CCSDS_OMM_VERS``;
* XML of the CCSDS NDM/XML schema (505.0-B-3): an ``<omm>`` root, or an ``<ndm>`` holding several,
  each with ``<body><segment><metadata>`` and ``<data><meanElements>``/``<tleParameters>``;
* JSON as served by CelesTrak and Space-Track: a list of flat objects keyed by the OMM keywords,
  values as numbers or as strings (Space-Track), the epoch possibly split into ``EPOCH`` and
  ``EPOCH_MICROSECONDS`` (Space-Track's older classes).

Only SGP4 element sets are accepted: ``MEAN_ELEMENT_THEORY`` must be ``SGP4`` (or the standard's
own spelling ``SGP/SGP4``); SGP4-XP, Brouwer, DSST and other theories give different mean elements
and are refused. ``REF_FRAME``, ``CENTER_NAME`` and ``TIME_SYSTEM``, when given, must be ``TEME``,
``EARTH`` and ``UTC``. Units in KVN brackets or XML ``units`` attributes are checked.

XML is read by :mod:`.xml_tree` (the standard library's expat parser), with document type
declarations (and so entity definitions) refused, which rules out entity-expansion and
external-entity attacks.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any
from xml.sax.saxutils import escape

from stationsim.errors import OMMError
from stationsim.io.xml_tree import read_xml_tree, walk
from stationsim.propagation.elements import (
    ElementsValueError,
    GPElements,
    day_of_year_from_calendar,
    object_id_from_designator,
)

__all__ = ["format_omm_json", "format_omm_kvn", "format_omm_xml", "parse_omm"]

#: Keyword -> (GPElements field, units in KVN brackets / XML units attributes), standard order.
_REALS = {
    "MEAN_MOTION": ("mean_motion_rev_per_day", "rev/day"), "ECCENTRICITY": ("eccentricity", ""),
    "INCLINATION": ("inclination_deg", "deg"), "RA_OF_ASC_NODE": ("ra_of_asc_node_deg", "deg"),
    "ARG_OF_PERICENTER": ("arg_of_pericenter_deg", "deg"),
    "MEAN_ANOMALY": ("mean_anomaly_deg", "deg"), "BSTAR": ("bstar_per_earth_radius", "1/ER"),
    "MEAN_MOTION_DOT": ("mean_motion_dot_rev_per_day2", "rev/day**2"),
    "MEAN_MOTION_DDOT": ("mean_motion_ddot_rev_per_day3", "rev/day**3"),
}
#: Keyword -> (GPElements field, default when absent; None: mandatory).
_INTS = {"EPHEMERIS_TYPE": ("ephemeris_type", 0), "NORAD_CAT_ID": ("norad_id", None),
         "ELEMENT_SET_NO": ("element_set_no", 999), "REV_AT_EPOCH": ("rev_at_epoch", 0)}
_KEYWORD_OF = {name: key for key, (name, _) in (_REALS | _INTS).items()} | {
    "object_name": "OBJECT_NAME", "object_id": "OBJECT_ID",
    "classification": "CLASSIFICATION_TYPE", "epoch_year": "EPOCH", "epoch_day_of_year": "EPOCH"}
_THEORIES = ("SGP4", "SGP/SGP4")
_FIXED_METADATA = {"CENTER_NAME": "EARTH", "REF_FRAME": "TEME", "TIME_SYSTEM": "UTC"}
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_EPOCH = re.compile(
    r"(?P<y>\d{4})-(?:(?P<mo>\d{2})-(?P<d>\d{2})|(?P<doy>\d{3}))[T ]"
    r"(?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2}(?:\.\d+)?)Z?")
_KVN = re.compile(
    r"(?P<key>[A-Z0-9_]+)\s*=\s*(?P<value>.*?)\s*(?:\[(?P<units>[^\]]*)\])?\s*")


@dataclass(frozen=True)
class _Value:
    """One keyword's value with where it came from, for error messages."""

    text: str
    where: str  # e.g. "keyword MEAN_MOTION", "record 3, key BSTAR", "element <BSTAR>"
    line: int | None
    units: str | None = None


class _Message:
    """The keywords of one OMM (a KVN message, an XML <omm>, a JSON record)."""

    def __init__(self, source: str, label: str, line: int | None, strict: bool) -> None:
        self.source, self.label, self.line, self.strict = source, label, line, strict
        self.values: dict[str, _Value] = {}

    def add(self, key: str, value: _Value) -> None:
        if key in self.values and key != "COMMENT":
            raise self.error(value, "given twice", "each keyword once",
                             f"again (first at line {self.values[key].line})")
        self.values[key] = value

    def error(self, value: _Value | None, reason: str, expected: str, found: str) -> OMMError:
        where = value.where if value is not None else self.label
        return OMMError(f"{where}: {reason}", source=self.source,
                        line=value.line if value is not None else self.line,
                        expected=expected, found=found)

    def get(self, key: str) -> _Value:
        if key not in self.values:
            raise self.error(None, f"missing mandatory keyword {key}", key,
                             "no such keyword")
        return self.values[key]

    def real(self, key: str) -> float:
        value = self.get(key)
        _check_units(self, key, value)
        if _NUMBER.fullmatch(value.text) is None:
            raise self.error(value, "bad number", "a decimal number such as 15.4962",
                             repr(value.text))
        return float(value.text)

    def integer(self, key: str, default: int | None) -> int:
        if key not in self.values and default is not None:
            return default
        value = self.get(key)
        text = value.text[:-2] if value.text.endswith(".0") else value.text
        # ASCII only: str.isdigit() also passes '²', which int() refuses.
        if not (text.isascii() and text.isdigit()) or len(text) > 18:
            raise self.error(value, "bad integer", "digits (at most 18)", repr(value.text))
        return int(text)


def _check_units(message: _Message, key: str, value: _Value) -> None:
    units, given = _REALS[key][1], value.units
    if given is not None and given.replace(" ", "").replace("^", "**").lower() != units.lower():
        raise message.error(value, "wrong units", f"[{units}]" if units else "no units",
                            f"[{given}]")


def _epoch(message: _Message) -> tuple[int, float]:
    value = message.get("EPOCH")
    text = value.text
    micro = message.values.get("EPOCH_MICROSECONDS")
    match = _EPOCH.fullmatch(text)
    if match is None:
        raise message.error(value, "bad epoch", "UTC time YYYY-MM-DDThh:mm:ss[.f] or "
                            "YYYY-DDDThh:mm:ss[.f]", repr(text))
    g = match.groupdict()
    year, seconds = int(g["y"]), Fraction(g["s"])
    if micro is not None and "." not in g["s"]:
        if not (micro.text.isascii() and micro.text.isdigit()) or len(micro.text) > 6:
            raise message.error(micro, "bad number", "0 to 999999 microseconds",
                                repr(micro.text))
        seconds += Fraction(int(micro.text), 1_000_000)
    try:
        if g["doy"] is not None:
            date = dt.date(year, 1, 1) + dt.timedelta(days=int(g["doy"]) - 1)
            if date.year != year or int(g["doy"]) < 1:
                raise ValueError("day of year out of range")
        else:
            date = dt.date(year, int(g["mo"]), int(g["d"]))
        if int(g["h"]) > 23 or int(g["mi"]) > 59 or seconds >= 60:
            raise ValueError("time of day out of range")
    except ValueError as exc:
        raise message.error(value, f"bad epoch ({exc})", "a valid UTC date and time",
                            repr(text)) from None
    day = day_of_year_from_calendar(year, date.month, date.day, int(g["h"]), int(g["mi"]),
                                    seconds)
    return year, day


def _text(message: _Message, key: str) -> str | None:
    value = message.values.get(key)
    if value is None or value.text.strip().upper() in ("", "UNKNOWN"):
        return None
    return value.text.strip()


def _elements(message: _Message) -> GPElements:
    theory = message.values.get("MEAN_ELEMENT_THEORY")
    if theory is None and message.strict:
        message.get("MEAN_ELEMENT_THEORY")
    if theory is not None and theory.text.strip().upper() not in _THEORIES:
        raise message.error(theory, "unsupported MEAN_ELEMENT_THEORY (only SGP4 mean elements "
                            "can be propagated with SGP4)", "SGP4", repr(theory.text))
    for key, wanted in _FIXED_METADATA.items():
        given = message.values.get(key)
        if given is not None and given.text.strip().upper() != wanted:
            raise message.error(given, f"unsupported {key} for SGP4 elements", wanted,
                                repr(given.text))
    if "MEAN_MOTION" not in message.values and "SEMI_MAJOR_AXIS" in message.values:
        raise message.error(message.values["SEMI_MAJOR_AXIS"], "SGP4 elements need "
                            "MEAN_MOTION", "MEAN_MOTION [rev/day]", "SEMI_MAJOR_AXIS only")
    fields: dict[str, Any] = {name: message.real(key) for key, (name, _) in _REALS.items()}
    fields |= {name: message.integer(key, default) for key, (name, default) in _INTS.items()}
    fields["epoch_year"], fields["epoch_day_of_year"] = _epoch(message)
    fields["object_name"] = _text(message, "OBJECT_NAME")
    fields["object_id"] = _text(message, "OBJECT_ID")
    designator = _text(message, "INTLDES")  # Space-Track's TLE-style designator
    if fields["object_id"] is None and designator is not None:
        try:
            fields["object_id"] = object_id_from_designator(designator)
        except ValueError:
            raise message.error(message.values["INTLDES"], "bad international designator",
                                "like 98067A", repr(designator)) from None
    fields["classification"] = _text(message, "CLASSIFICATION_TYPE") or "U"
    try:
        return GPElements(**fields)
    except ElementsValueError as exc:
        key = _KEYWORD_OF.get(exc.field, exc.field)
        value = message.values.get(key)
        raise message.error(value, f"{exc.reason} in {key}", exc.expected or "",
                            exc.found or "") from None


# --- the three encodings ------------------------------------------------------------------------
def _parse_kvn(text: str, source: str) -> list[_Message]:
    messages: list[_Message] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("COMMENT"):
            continue
        match = _KVN.fullmatch(line)
        if match is None:
            reason = "not a KVN line" if messages else "not an OMM in KVN, XML or JSON"
            raise OMMError(reason, source=source, line=number,
                           expected="KEYWORD = value [units]", found=repr(line[:40]))
        key = match["key"]
        if key == "CCSDS_OMM_VERS":
            messages.append(_Message(source, "OMM message", number, strict=True))
        elif not messages:
            raise OMMError("KVN OMM must start with CCSDS_OMM_VERS", source=source,
                           line=number, expected="CCSDS_OMM_VERS = 3.0", found=repr(line[:40]))
        messages[-1].add(key, _Value(match["value"], f"keyword {key}", number, match["units"]))
    return messages


def _parse_xml(text: str, source: str, offset: int) -> list[_Message]:
    top = read_xml_tree(text, source, offset, OMMError)
    if top.tag not in ("omm", "ndm"):
        raise OMMError("XML root is not an OMM", source=source, line=top.line,
                       expected="<omm> or <ndm>", found=f"<{top.tag}>")
    messages = []
    for omm in (n for n in walk(top) if n.tag == "omm"):
        message = _Message(source, "element <omm>", omm.line, strict=True)
        for segment in (n for n in walk(omm) if n.tag == "segment"):
            for leaf in walk(segment):
                if not leaf.children and leaf.tag not in ("COMMENT", "USER_DEFINED"):
                    message.add(leaf.tag, _Value(leaf.text.strip(), f"element <{leaf.tag}>",
                                                 leaf.line, leaf.attrs.get("units")))
        messages.append(message)
    return messages


def _parse_json(text: str, source: str) -> list[_Message]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise OMMError(f"malformed JSON ({exc.msg})", source=source, line=exc.lineno,
                       column=exc.colno, expected="a JSON list of OMM objects",
                       found=repr(exc.doc[exc.pos: exc.pos + 20])) from None
    except RecursionError:
        raise OMMError("malformed JSON (nested too deeply)", source=source,
                       expected="a JSON list of OMM objects",
                       found="arrays or objects nested hundreds deep") from None
    except ValueError:  # an integer longer than int() reads
        limit = sys.get_int_max_str_digits()
        long = re.search(f"[0-9]{{{limit + 1},}}", text)
        start = long.start() if long else 0
        raise OMMError("malformed JSON (a number with too many digits)", source=source,
                       line=text.count("\n", 0, start) + 1,
                       column=start - text.rfind("\n", 0, start),
                       expected=f"at most {limit} digits",
                       found=f"{len(long.group()) if long else 'more'} digits") from None
    records = [data] if isinstance(data, dict) else data
    if not isinstance(records, list):
        raise OMMError("JSON OMM is not a list of objects", source=source,
                       expected="[{...}, ...]", found=type(data).__name__)
    messages = []
    for index, record in enumerate(records, start=1):
        message = _Message(source, f"record {index}", None, strict=False)
        if not isinstance(record, dict):
            raise message.error(None, "not a JSON object", "{...}", type(record).__name__)
        for key, raw in record.items():
            if isinstance(raw, bool) or not isinstance(raw, (str, int, float, type(None))):
                raise message.error(_Value(str(raw), f"record {index}, key {key}", None),
                                    "bad value type", "a number or a string", repr(raw))
            value = "" if raw is None else (repr(raw) if isinstance(raw, float) else str(raw))
            message.add(str(key), _Value(value, f"record {index}, key {key}", None))
        messages.append(message)
    return messages


def parse_omm(text: str, source: str = "<string>") -> list[GPElements]:
    """All SGP4 element sets of an OMM text, its encoding (KVN, XML, JSON) detected.

    Raises:
        OMMError: naming the source and the line (KVN), element and line (XML) or record and
            key (JSON), with what was expected and what was found.
    """
    text = text.removeprefix("\ufeff")
    body = text.lstrip()
    if body.startswith("<"):
        messages = _parse_xml(body, source, text[: len(text) - len(body)].count("\n"))
    elif body.startswith(("[", "{")):
        messages = _parse_json(body, source)
    elif body:
        messages = _parse_kvn(text, source)
    else:
        raise OMMError("no element set found: the text is empty", source=source,
                       expected="an OMM in KVN, XML or JSON", found="no text")
    if not messages:
        raise OMMError("no element set found", source=source,
                       expected="an OMM in KVN, XML or JSON", found="none")
    return [_elements(message) for message in messages]


# --- writing ------------------------------------------------------------------------------------
def _values(el: GPElements) -> list[tuple[str, str, str]]:
    """(keyword, value, units) of the metadata and data sections, in the standard's order;
    numbers with all the digits needed to read back the same floats."""
    reals = [(key, repr(float(getattr(el, name))), units) for key, (name, units) in _REALS.items()]
    ints = [(key, str(getattr(el, name)), "") for key, (name, _) in _INTS.items()]
    return [
        ("OBJECT_NAME", el.object_name or "UNKNOWN", ""),
        ("OBJECT_ID", el.object_id or "UNKNOWN", ""), *[(k, v, "") for k, v in
                                                         _FIXED_METADATA.items()],
        ("MEAN_ELEMENT_THEORY", "SGP4", ""), ("EPOCH", el.epoch_iso.removesuffix("Z"), ""),
        *reals[:6], ints[0], ("CLASSIFICATION_TYPE", el.classification, ""), *ints[1:],
        *reals[6:],
    ]


def _now(creation_date: str | None) -> str:
    if creation_date is not None:
        return creation_date
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def format_omm_kvn(el: GPElements, *, creation_date: str | None = None,
                   originator: str = "stationsim") -> str:
    """One OMM in KVN (CCSDS 502.0-B-3), units in brackets; ``creation_date`` defaults to now.

    Numbers are written with all the digits needed to read back the same floats; the epoch with
    microseconds.
    """
    lines = ["CCSDS_OMM_VERS = 3.0", f"CREATION_DATE = {_now(creation_date)}",
             f"ORIGINATOR = {originator}", ""]
    for key, value, units in _values(el):
        lines.append(f"{key:<19} = {value}" + (f" [{units}]" if units else ""))
        if key in ("MEAN_ELEMENT_THEORY", "MEAN_ANOMALY"):
            lines.append("")
    return "\n".join(lines) + "\n"


def format_omm_xml(el: GPElements, *, creation_date: str | None = None,
                   originator: str = "stationsim") -> str:
    """One OMM as an ``<omm>`` document of the CCSDS NDM/XML schema (version 3.0)."""
    values = _values(el)

    def block(tag: str, items: Sequence[tuple[str, str, str]], pad: str) -> list[str]:
        units = [f' units="{u}"' if u else "" for _, _, u in items]
        return [f"{pad}<{tag}>", *(f"{pad}  <{k}{a}>{escape(v)}</{k}>"
                                   for (k, v, _), a in zip(items, units, strict=True)),
                f"{pad}</{tag}>"]

    header = [("CREATION_DATE", _now(creation_date), ""), ("ORIGINATOR", originator, "")]
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<omm id="CCSDS_OMM_VERS" version="3.0">',
           *block("header", header, "  "), "  <body>", "    <segment>",
           *block("metadata", values[:6], " " * 6), "      <data>",
           *block("meanElements", values[6:13], " " * 8),
           *block("tleParameters", values[13:], " " * 8),
           "      </data>", "    </segment>", "  </body>", "</omm>"]
    return "\n".join(out) + "\n"


def format_omm_json(els: Iterable[GPElements]) -> str:
    """Element sets as CelesTrak-style OMM JSON: a list of flat objects, numbers as numbers."""
    def typed(key: str, value: str) -> Any:
        return float(value) if key in _REALS else int(value) if key in _INTS else value

    records = [{key: typed(key, value) for key, value, _ in _values(el)
                if key not in _FIXED_METADATA} for el in els]
    return json.dumps(records, indent=1) + "\n"
