"""CCSDS Orbit Ephemeris Messages (OEM): read and write, in KVN and in XML.

An OEM (CCSDS 502.0-B-3, Orbit Data Messages, 2023) tabulates a spacecraft's state (position,
velocity, optionally acceleration) at epochs, in segments that each name the object, the central
body, the reference frame and the time system. :class:`OEM` and :class:`OEMSegment`
(:mod:`.oem_model`) hold a message in SI units; :func:`parse_oem` reads either encoding, KVN
(:mod:`.oem_kvn`) or the NDM/XML schema of CCSDS 505.0-B-3 (:mod:`.oem_xml`), and
:func:`format_oem_kvn` and :func:`format_oem_xml` write them.

Read checks: the mandatory keywords (header: ``CCSDS_OEM_VERS``, ``CREATION_DATE``,
``ORIGINATOR``; metadata: ``OBJECT_NAME``, ``OBJECT_ID``, ``CENTER_NAME``, ``REF_FRAME``,
``TIME_SYSTEM``, ``START_TIME``, ``STOP_TIME``), ``META_START``/``META_STOP`` pairing, ephemeris
lines of 6 numbers (or 9, with accelerations) after the epoch, epochs increasing within a segment
and inside ``START_TIME`` .. ``STOP_TIME`` (and ``USEABLE_START_TIME`` .. ``USEABLE_STOP_TIME``
inside that), XML units (km, km/s, km/s**2). Covariance blocks are skipped, not read. Frames are
carried by name and never rotated.
"""

from __future__ import annotations

from stationsim.errors import OEMError
from stationsim.io.oem_kvn import format_oem_kvn, read_kvn
from stationsim.io.oem_model import OEM, TIME_SYSTEMS, OEMSegment, build_message
from stationsim.io.oem_xml import format_oem_xml, read_xml

__all__ = ["OEM", "TIME_SYSTEMS", "OEMSegment", "format_oem_kvn", "format_oem_xml", "parse_oem"]


def parse_oem(text: str, source: str = "<string>") -> OEM:
    """The OEM of a text in KVN or XML (detected: XML starts with ``<``).

    Positions, velocities and accelerations come out in m, m/s and m/s**2 in each segment's
    ``REF_FRAME``; epochs as ISO text in its ``TIME_SYSTEM`` (see :class:`OEMSegment`).

    Raises:
        OEMError: naming the source, the line (and column or element) and the keyword, with
            what was expected and what was found.
    """
    text = text.removeprefix("\ufeff")
    body = text.lstrip()
    if body.startswith("<"):
        raw = read_xml(body, source, text[: len(text) - len(body)].count("\n"))
    elif body:
        raw = read_kvn(text, source)
    else:
        raise OEMError("no OEM found: the text is empty", source=source,
                       expected="an OEM in KVN or XML", found="no text")
    return build_message(raw)
