"""CCSDS OEM in KVN, the ``KEYWORD = value`` text of CCSDS 502.0-B-3 (Orbit Data Messages).

Layout: the header (``CCSDS_OEM_VERS`` first), then for each segment ``META_START``, the
metadata keywords, ``META_STOP``, and ephemeris lines ``epoch x y z vx vy vz [ax ay az]`` in km,
km/s and km/s**2, each number separated by spaces. ``COMMENT`` lines may open the header, the
metadata and the ephemeris data. Covariance blocks (``COVARIANCE_START`` .. ``COVARIANCE_STOP``,
after a segment's ephemeris lines) are skipped: their content is not read or checked.
"""

from __future__ import annotations

import re

from stationsim.errors import OEMError
from stationsim.io.oem_model import (
    HEADER_KEYS,
    META_KEYS,
    OEM,
    OEMSegment,
    RawMessage,
    RawSegment,
    Row,
    Section,
    Value,
    km,
    now_utc,
)

__all__ = ["format_oem_kvn", "read_kvn"]

_KEY = re.compile(r"[A-Z0-9_]+")
_TOKEN = re.compile(r"\S+")
_MARKERS = ("META_START", "META_STOP", "COVARIANCE_START", "COVARIANCE_STOP")


def _keyword(raw: str, number: int, source: str) -> tuple[str, Value]:
    key, sep, rest = raw.partition("=")
    key = key.strip()
    if not sep or _KEY.fullmatch(key) is None:
        raise OEMError("not a KVN line", source=source, line=number,
                       expected="KEYWORD = value, an ephemeris line or a marker such as "
                       "META_START", found=repr(raw.strip()[:40]))
    value = rest.strip()
    column = len(raw) - len(rest.lstrip()) + 1 if value else None
    return key, Value(value, f"keyword {key}", number, column)


def _row(raw: str, number: int) -> Row:
    tokens = [Value(m.group(), "ephemeris line", number, m.start() + 1)
              for m in _TOKEN.finditer(raw)]
    return Row(tokens[0], tokens[1:], number)


def read_kvn(text: str, source: str) -> RawMessage:
    """The message of an OEM in KVN, as read; the standard's checks come after.

    Raises:
        OEMError: a line that is not KVN, keywords in the wrong section, unpaired
            META_START/META_STOP or COVARIANCE_START/COVARIANCE_STOP.
    """
    message: RawMessage | None = None
    segment: RawSegment | None = None
    state = "header"  # then: metadata, data, covariance, after covariance
    opened = 0  # line of the META_START or COVARIANCE_START still open
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if message is None:
            key = line.partition("=")[0].strip()
            if key != "CCSDS_OEM_VERS":
                raise OEMError("an OEM in KVN must start with CCSDS_OEM_VERS", source=source,
                               line=number, expected="CCSDS_OEM_VERS = 3.0",
                               found=repr(line[:40]))
            message = RawMessage(Section(source, "header", number))
            message.header.add(key, _keyword(raw, number, source)[1], HEADER_KEYS)
            continue
        if state == "covariance":
            if line == "COVARIANCE_STOP":
                state = "after covariance"
            elif line in ("META_START", "META_STOP", "COVARIANCE_START"):
                raise OEMError("COVARIANCE_START without COVARIANCE_STOP", source=source,
                               line=number, expected=f"COVARIANCE_STOP (block opened at line "
                               f"{opened})", found=line)
            continue
        first = line.split(maxsplit=1)[0]
        if first == "COMMENT":
            comment = line[len("COMMENT"):].strip()
            if state == "header":
                message.header.comments.append(comment)
            elif segment is not None and state == "metadata":
                segment.meta.comments.append(comment)
            elif segment is not None and state == "data" and not segment.rows:
                segment.data_comments.append(comment)
            else:
                raise OEMError("COMMENT out of place", source=source, line=number,
                               expected="comments only at the start of the header, metadata "
                               "or ephemeris data", found=repr(line[:40]))
        elif line in _MARKERS:
            segment, state, opened = _marker(line, number, source, message, segment, state,
                                             opened)
        elif state in ("data", "after covariance") and "=" not in line:
            if segment is None or state == "after covariance":
                raise OEMError("ephemeris line after the covariance data", source=source,
                               line=number, expected="META_START or COVARIANCE_START",
                               found=repr(line[:40]))
            segment.rows.append(_row(raw, number))
        else:
            key, value = _keyword(raw, number, source)
            if state == "header":
                message.header.add(key, value, HEADER_KEYS)
            elif state == "metadata" and segment is not None:
                segment.meta.add(key, value, META_KEYS)
            else:
                raise OEMError(f"keyword {key} after META_STOP", source=source, line=number,
                               expected="ephemeris lines, COVARIANCE_START or META_START",
                               found=repr(line[:40]))
    if message is None:
        raise OEMError("no OEM found: the text is empty", source=source,
                       expected="CCSDS_OEM_VERS = 3.0", found="no text")
    if state in ("metadata", "covariance"):
        start, stop = ("META_START", "META_STOP") if state == "metadata" else (
            "COVARIANCE_START", "COVARIANCE_STOP")
        raise OEMError(f"{start} without {stop}", source=source, line=opened,
                       expected=stop, found="end of text")
    return message


def _marker(line: str, number: int, source: str, message: RawMessage,
            segment: RawSegment | None, state: str, opened: int
            ) -> tuple[RawSegment | None, str, int]:
    """The segment, state and opening line after META_START, META_STOP or COVARIANCE_*."""
    if line == "META_START":
        if state == "metadata":
            raise OEMError("META_START without META_STOP", source=source, line=number,
                           expected=f"META_STOP (META_START at line {opened})",
                           found="META_START")
        label = f"segment {len(message.segments) + 1} metadata"
        segment = RawSegment(Section(source, label, number))
        message.segments.append(segment)
        return segment, "metadata", number
    if line == "META_STOP":
        if state != "metadata":
            raise OEMError("META_STOP without META_START", source=source, line=number,
                           expected="META_START before", found="META_STOP")
        return segment, "data", opened
    if line == "COVARIANCE_START" and state in ("data", "after covariance"):
        return segment, "covariance", number
    raise OEMError(f"{line} out of place", source=source, line=number,
                   expected="COVARIANCE_START after a segment's ephemeris lines"
                   if line == "COVARIANCE_START" else "COVARIANCE_START before", found=line)


def _comments(lines: list[str], comments: tuple[str, ...]) -> None:
    lines.extend(f"COMMENT {part}".rstrip() for text in comments for part in text.splitlines())


def _entry(key: str, value: str | int | None) -> list[str]:
    return [] if value is None else [f"{key:<20} = {value}"]


def _segment_lines(seg: OEMSegment) -> list[str]:
    lines = ["META_START"]
    _comments(lines, seg.comments)
    for key, value in (("OBJECT_NAME", seg.object_name), ("OBJECT_ID", seg.object_id),
                       ("CENTER_NAME", seg.center_name), ("REF_FRAME", seg.ref_frame),
                       ("REF_FRAME_EPOCH", seg.ref_frame_epoch),
                       ("TIME_SYSTEM", seg.time_system), ("START_TIME", seg.start_time),
                       ("USEABLE_START_TIME", seg.useable_start_time),
                       ("USEABLE_STOP_TIME", seg.useable_stop_time),
                       ("STOP_TIME", seg.stop_time), ("INTERPOLATION", seg.interpolation),
                       ("INTERPOLATION_DEGREE", seg.interpolation_degree)):
        lines += _entry(key, value)
    lines += ["META_STOP", ""]
    _comments(lines, seg.data_comments)
    columns = [seg.positions_m, seg.velocities_m_s]
    if seg.accelerations_m_s2 is not None:
        columns.append(seg.accelerations_m_s2)
    for index, epoch in enumerate(seg.epochs_iso):
        numbers = " ".join(km(x) for column in columns for x in column[index])
        lines.append(f"{epoch} {numbers}")
    return [*lines, ""]


def format_oem_kvn(oem: OEM) -> str:
    """An OEM in KVN (CCSDS 502.0-B-3, version 3.0): km, km/s and km/s**2 with every digit
    needed to read back the same SI values; ``creation_date`` of ``None`` writes the time now."""
    lines = ["CCSDS_OEM_VERS = 3.0"]
    _comments(lines, oem.comments)
    lines += _entry("CLASSIFICATION", oem.classification)
    lines += _entry("CREATION_DATE", oem.creation_date or now_utc())
    lines += _entry("ORIGINATOR", oem.originator)
    lines += [*_entry("MESSAGE_ID", oem.message_id), ""]
    for seg in oem.segments:
        lines += _segment_lines(seg)
    return "\n".join(lines)
