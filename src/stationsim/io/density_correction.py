"""Density-correction files: the factors of :class:`~stationsim.forces.density_correction.
DensityCorrection` as CSV, one window per row.

Format (written by ``stationsim calibrate``, read by ``--density-correction``)::

    # stationsim density correction
    # model: msis2
    # ... (more comment lines: how it was made)
    start_utc,end_utc,factor,sigma_ln,objects
    2023-10-02T00:00:00Z,2023-10-10T00:00:00Z,1.3112,0.0151,2

Times are UTC (ISO 8601 with ``Z``), windows increasing and not overlapping; ``factor`` is the
true density over the model's (positive), ``sigma_ln`` the standard error of its logarithm and
``objects`` the number of calibration objects. Parsing is pure (text in, correction out);
errors are :class:`~stationsim.errors.InputError` with the line and column.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import numpy as np

from stationsim.errors import InputError
from stationsim.forces.atmosphere import ATMOSPHERES
from stationsim.forces.density_correction import FACTOR_RANGE, DensityCorrection

__all__ = ["format_density_correction", "mjd_utc_iso", "parse_density_correction"]

_HEADER = "start_utc,end_utc,factor,sigma_ln,objects"
_MJD0 = dt.datetime(1858, 11, 17, tzinfo=dt.UTC)
_MAX_ROWS = 100_000
#: A plain decimal number (no underscores, no other digits than 0-9, no NaN or infinity).
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def mjd_utc_iso(mjd: float) -> str:
    """A UTC MJD as ISO 8601 to the second, with ``Z``."""
    return (_MJD0 + dt.timedelta(days=mjd)).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_density_correction(correction: DensityCorrection, comments: Sequence[str] = ()
                              ) -> str:
    """The file's text (``comments``: lines to add after the model line, without ``#``)."""
    lines = ["# stationsim density correction", f"# model: {correction.model}"]
    # A comment must not read as a second model line.
    lines += [f"# {'note ' if c.strip().lower().startswith('model') else ''}{c}"
              for c in comments]
    lines.append(_HEADER)
    for row in zip(correction.start_mjd_utc, correction.end_mjd_utc, correction.factor,
                   correction.sigma_ln, correction.objects, strict=True):
        lines.append(f"{mjd_utc_iso(row[0])},{mjd_utc_iso(row[1])},{row[2]:.5f},{row[3]:.5f},{int(row[4])}")
    return "\n".join(lines) + "\n"


def parse_density_correction(text: str, source: str = "<density correction>"
                             ) -> DensityCorrection:
    """Read a density-correction file (see the module notes): comment lines, one of them
    ``# model: NAME`` before the column names, then one row per window."""
    model: tuple[str, int] | None = None
    rows: list[tuple[float, float, float, float, float]] = []
    header_seen = False
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            key, colon, value = stripped[1:].partition(":")
            if not header_seen and colon and key.strip().lower() == "model":
                model = _model(value.strip(), model, source, number)
            continue
        if not header_seen:
            if stripped.replace(" ", "") != _HEADER:
                raise InputError("not a density-correction file: the first row must be the "
                                 "column names", source=source, line=number,
                                 expected=_HEADER, found=repr(stripped[:60]))
            if model is None:
                raise InputError("the file does not say which atmosphere it corrects",
                                 source=source, line=number,
                                 expected="a line '# model: NAME' before the column names, "
                                          "NAME one of " + ", ".join(ATMOSPHERES))
            header_seen = True
            continue
        rows.append(_row(line, source, number))
        if len(rows) > _MAX_ROWS:
            raise InputError("too many windows", source=source, line=number,
                             expected=f"at most {_MAX_ROWS:,}")
    if not rows or model is None:
        raise InputError("the density-correction file has no windows", source=source,
                         expected=_HEADER + " and one row per window")
    table = np.array(rows)
    for k in range(1, len(rows)):
        if table[k, 0] < table[k - 1, 1]:
            raise InputError("windows must be in time order and must not overlap",
                             source=source, found=f"{mjd_utc_iso(table[k, 0])} starts before "
                             f"{mjd_utc_iso(table[k - 1, 1])}, the end of the row before")
    return DensityCorrection(table[:, 0], table[:, 1], table[:, 2], table[:, 3], table[:, 4],
                             model=model[0], source=source, model_line=model[1])


def _model(name: str, before: tuple[str, int] | None, source: str, number: int
           ) -> tuple[str, int]:
    if before is not None:
        raise InputError("the model is named twice", source=source, line=number,
                         found=f"also on line {before[1]}")
    if name not in ATMOSPHERES:
        raise InputError("unknown atmosphere model", source=source, line=number,
                         expected=" | ".join(ATMOSPHERES), found=repr(name[:40]))
    return name, number


def _row(line: str, source: str, number: int) -> tuple[float, float, float, float, float]:
    raw = line.split(",")
    if len(raw) != 5:
        raise InputError("a window row has five columns", source=source, line=number,
                         expected=_HEADER, found=f"{len(raw)} columns")
    values: list[float] = []
    names = _HEADER.split(",")
    for k, cell in enumerate(raw):
        column = sum(len(c) + 1 for c in raw[:k]) + len(cell) - len(cell.lstrip()) + 1
        text = cell.strip()
        try:
            if k < 2:
                when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
                if when.tzinfo is None:
                    when = when.replace(tzinfo=dt.UTC)
                values.append((when - _MJD0).total_seconds() / 86400.0)
            elif _NUMBER.fullmatch(text) and (k < 4 or (text.isascii() and text.isdigit())):
                values.append(float(text))
            else:
                raise ValueError(text)
        except ValueError:
            kind = "UTC time" if k < 2 else "number" if k < 4 else "whole number"
            raise InputError(f"{names[k]} is not a {kind}", source=source, line=number,
                             column=column, found=repr(text[:40])) from None
    start, end, factor, sigma, objects = values
    if end <= start:
        raise InputError("a window must end after it starts", source=source, line=number)
    low, high = FACTOR_RANGE
    if not low <= factor <= high:
        raise InputError("the factor is out of range", source=source, line=number,
                         expected=f"{low:g} to {high:g}", found=repr(factor))
    if sigma < 0:
        raise InputError("sigma_ln must not be negative", source=source, line=number,
                         found=repr(sigma))
    return start, end, factor, sigma, objects
