"""What the fuzz targets share: bytes in, text out as stationsim reads users' files.

A target passes :func:`text_of` the fuzzer's bytes and calls one parser; a
:class:`~stationsim.errors.StationsimError` is an answer, any other exception a crash that
libFuzzer records.
"""

from __future__ import annotations

import warnings

# Stale-table and predicted-data warnings are expected outcomes, not findings.
warnings.simplefilter("ignore")


def text_of(data: bytes) -> str:
    """The text of a file's bytes, decoded as stationsim reads users' files (UTF-8, each
    invalid byte becoming U+FFFD)."""
    return data.decode("utf-8", "replace")
