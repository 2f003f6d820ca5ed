"""Pure text <-> object conversions: TLE, OMM and other file formats. No network, no file finding.

Each module parses text that the caller has read (and names its ``source`` for error messages)
and formats objects back into text.
"""
