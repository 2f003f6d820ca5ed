"""CCSDS OEM in XML, as laid out by the NDM/XML schema (CCSDS 505.0-B-3).

Layout: an ``<oem id="CCSDS_OEM_VERS" version="3.0">`` root (or an ``<ndm>`` holding exactly one
``<oem>``) with ``<header>`` and ``<body>``; each ``<segment>`` has ``<metadata>`` (one element
per KVN keyword) and ``<data>`` (``<COMMENT>``, then ``<stateVector>`` elements of ``<EPOCH>``,
``<X>`` .. ``<Z_DOT>`` and optionally ``<X_DDOT>`` .. ``<Z_DDOT>``, in km, km/s and km/s**2;
a ``units`` attribute, when given, is checked). ``<covarianceMatrix>`` elements are skipped.

XML is read by :mod:`.xml_tree` (the standard library's expat parser), with document type
declarations (and so entity definitions) refused, which rules out entity-expansion and
external-entity attacks.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from stationsim.errors import OEMError
from stationsim.io.oem_model import (
    HEADER_KEYS,
    META_KEYS,
    OEM,
    UNITS,
    OEMSegment,
    RawMessage,
    RawSegment,
    Row,
    Section,
    Value,
    km,
    now_utc,
)
from stationsim.io.xml_tree import XmlNode, read_xml_tree

__all__ = ["format_oem_xml", "read_xml"]

_STATE = ("X", "Y", "Z", "X_DOT", "Y_DOT", "Z_DOT", "X_DDOT", "Y_DDOT", "Z_DDOT")


def _child(node: XmlNode, tag: str, source: str) -> XmlNode:
    found = [child for child in node.children if child.tag == tag]
    if len(found) != 1:
        raise OEMError(f"element <{node.tag}> needs one <{tag}>", source=source,
                       line=node.line, expected=f"one <{tag}>", found=f"{len(found)}")
    return found[0]


def _leaf(node: XmlNode, source: str) -> Value:
    if node.children:
        raise OEMError(f"element <{node.tag}> holds elements", source=source, line=node.line,
                       expected="text only", found=f"<{node.children[0].tag}>")
    return Value(node.text.strip(), f"element <{node.tag}>", node.line,
                 units=node.attrs.get("units"))


def _fill(section: Section, node: XmlNode, allowed: tuple[str, ...]) -> None:
    for child in node.children:
        value = _leaf(child, section.source)
        if child.tag == "COMMENT":
            section.comments.append(value.text)
        else:
            section.add(child.tag, value, allowed)


def _row(node: XmlNode, source: str) -> Row:
    values: dict[str, Value] = {}
    for child in node.children:
        if child.tag not in ("EPOCH", *_STATE) or child.tag in values:
            raise OEMError(f"unexpected <{child.tag}> in <stateVector>", source=source,
                           line=child.line, expected="EPOCH, X, Y, Z, X_DOT, Y_DOT, Z_DOT "
                           "[X_DDOT, Y_DDOT, Z_DDOT], each once", found=f"<{child.tag}>")
        values[child.tag] = _leaf(child, source)
    width = 9 if any(tag in values for tag in _STATE[6:]) else 6
    missing = [tag for tag in ("EPOCH", *_STATE[:width]) if tag not in values]
    if missing:
        raise OEMError(f"<stateVector> without <{missing[0]}>", source=source, line=node.line,
                       expected=f"<{missing[0]}>", found="no such element")
    return Row(values["EPOCH"], [values[tag] for tag in _STATE[:width]], node.line)


def _segment(node: XmlNode, number: int, source: str) -> RawSegment:
    metadata = _child(node, "metadata", source)
    segment = RawSegment(Section(source, f"segment {number} metadata", metadata.line))
    _fill(segment.meta, metadata, META_KEYS)
    for child in _child(node, "data", source).children:
        if child.tag == "COMMENT":
            segment.data_comments.append(_leaf(child, source).text)
        elif child.tag == "stateVector":
            segment.rows.append(_row(child, source))
        elif child.tag != "covarianceMatrix":
            raise OEMError(f"unexpected <{child.tag}> in <data>", source=source,
                           line=child.line, expected="COMMENT, stateVector or "
                           "covarianceMatrix", found=f"<{child.tag}>")
    return segment


def read_xml(text: str, source: str, offset: int = 0) -> RawMessage:
    """The message of an OEM in XML, as read; the standard's checks come after. ``offset``:
    lines before ``text`` in the source, for line numbers.

    Raises:
        OEMError: malformed XML, a DOCTYPE, or elements missing or out of place.
    """
    top = read_xml_tree(text, source, offset, OEMError)
    if top.tag == "ndm":
        top = _child(top, "oem", source)
    if top.tag != "oem":
        raise OEMError("XML root is not an OEM", source=source, line=top.line,
                       expected="<oem> or <ndm>", found=f"<{top.tag}>")
    header = Section(source, "element <header>", top.line)
    version = top.attrs.get("version")
    if version is not None:
        header.add("CCSDS_OEM_VERS", Value(version.strip(), "attribute version", top.line),
                   HEADER_KEYS)
    _fill(header, _child(top, "header", source), HEADER_KEYS[1:])
    body = _child(top, "body", source)
    message = RawMessage(header)
    for child in body.children:
        if child.tag != "segment":
            raise OEMError(f"unexpected <{child.tag}> in <body>", source=source,
                           line=child.line, expected="<segment>", found=f"<{child.tag}>")
        message.segments.append(_segment(child, len(message.segments) + 1, source))
    return message


def _element(tag: str, value: str | int | None, pad: str, units: str = "") -> list[str]:
    if value is None:
        return []
    attr = f" units={quoteattr(units)}" if units else ""
    return [f"{pad}<{tag}{attr}>{escape(str(value))}</{tag}>"]


def _comments(comments: tuple[str, ...], pad: str) -> list[str]:
    return [line for text in comments for line in _element("COMMENT", text, pad)]


def _segment_lines(seg: OEMSegment) -> list[str]:
    pad = " " * 8
    lines = ["    <segment>", "      <metadata>", *_comments(seg.comments, pad)]
    for key, value in (("OBJECT_NAME", seg.object_name), ("OBJECT_ID", seg.object_id),
                       ("CENTER_NAME", seg.center_name), ("REF_FRAME", seg.ref_frame),
                       ("REF_FRAME_EPOCH", seg.ref_frame_epoch),
                       ("TIME_SYSTEM", seg.time_system), ("START_TIME", seg.start_time),
                       ("USEABLE_START_TIME", seg.useable_start_time),
                       ("USEABLE_STOP_TIME", seg.useable_stop_time),
                       ("STOP_TIME", seg.stop_time), ("INTERPOLATION", seg.interpolation),
                       ("INTERPOLATION_DEGREE", seg.interpolation_degree)):
        lines += _element(key, value, pad)
    lines += ["      </metadata>", "      <data>", *_comments(seg.data_comments, pad)]
    columns = [seg.positions_m, seg.velocities_m_s]
    if seg.accelerations_m_s2 is not None:
        columns.append(seg.accelerations_m_s2)
    for index, epoch in enumerate(seg.epochs_iso):
        numbers = [x for column in columns for x in column[index]]
        lines += [f"{pad}<stateVector>", f"{pad}  <EPOCH>{escape(epoch)}</EPOCH>"]
        lines += [f'{pad}  <{tag} units="{unit}">{km(x)}</{tag}>'
                  for tag, unit, x in zip(_STATE, UNITS, numbers, strict=False)]
        lines.append(f"{pad}</stateVector>")
    return [*lines, "      </data>", "    </segment>"]


def format_oem_xml(oem: OEM) -> str:
    """An OEM as an ``<oem>`` document of the CCSDS NDM/XML schema (version 3.0), numbers in
    km, km/s and km/s**2 with every digit needed to read back the same SI values."""
    pad = "    "
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<oem id="CCSDS_OEM_VERS" version="3.0">',
             "  <header>", *_comments(oem.comments, pad),
             *_element("CLASSIFICATION", oem.classification, pad),
             *_element("CREATION_DATE", oem.creation_date or now_utc(), pad),
             *_element("ORIGINATOR", oem.originator, pad),
             *_element("MESSAGE_ID", oem.message_id, pad), "  </header>", "  <body>"]
    for seg in oem.segments:
        lines += _segment_lines(seg)
    return "\n".join([*lines, "  </body>", "</oem>", ""])
