"""Pure text <-> object conversions: TLE, OMM and other file formats. No network, no file finding.

Each module parses text that the caller has read (and names its ``source`` for error messages)
and formats objects back into text.
"""

from stationsim.io.czml import (
    CzmlArea,
    CzmlCorridor,
    CzmlPoint,
    CzmlTrack,
    format_czml,
    reentry_window_points,
)
from stationsim.io.geojson import (
    GeoLine,
    GeoPoint,
    GeoPolygon,
    format_geojson,
    split_line_at_antimeridian,
    split_ring_at_antimeridian,
    strip_outline,
)
from stationsim.io.oem import (
    OEM,
    TIME_SYSTEMS,
    OEMSegment,
    format_oem_kvn,
    format_oem_xml,
    parse_oem,
)

__all__ = [
    "OEM",
    "TIME_SYSTEMS",
    "CzmlArea",
    "CzmlCorridor",
    "CzmlPoint",
    "CzmlTrack",
    "GeoLine",
    "GeoPoint",
    "GeoPolygon",
    "OEMSegment",
    "format_czml",
    "format_geojson",
    "format_oem_kvn",
    "format_oem_xml",
    "parse_oem",
    "reentry_window_points",
    "split_line_at_antimeridian",
    "split_ring_at_antimeridian",
    "strip_outline",
]
