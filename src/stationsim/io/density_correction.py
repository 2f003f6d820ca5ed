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
from collections.abc import Sequence

import numpy as np

from stationsim.errors import InputError
from stationsim.forces.density_correction import DensityCorrection

__all__ = ["format_density_correction", "mjd_utc_iso", "parse_density_correction"]

_HEADER = "start_utc,end_utc,factor,sigma_ln,objects"
_MJD0 = dt.datetime(1858, 11, 17, tzinfo=dt.UTC)
_MAX_ROWS = 100_000


def mjd_utc_iso(mjd: float) -> str:
    """A UTC MJD as ISO 8601 to the second, with ``Z``."""
    return (_MJD0 + dt.timedelta(days=mjd)).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_density_correction(correction: DensityCorrection, comments: Sequence[str] = ()
                              ) -> str:
    """The file's text (``comments``: lines to add after the model line, without ``#``)."""
    lines = ["# stationsim density correction", f"# model: {correction.model}"]
    lines += [f"# {c}" for c in comments]
    lines.append(_HEADER)
    for row in zip(correction.start_mjd_utc, correction.end_mjd_utc, correction.factor,
                   correction.sigma_ln, correction.objects, strict=True):
        lines.append(f"{mjd_utc_iso(row[0])},{mjd_utc_iso(row[1])},{row[2]:.5f},{row[3]:.5f},{int(row[4])}")
    return "\n".join(lines) + "\n"


def parse_density_correction(text: str, source: str = "<density correction>"
                             ) -> DensityCorrection:
    """Read a density-correction file (see the module notes)."""
    model = "msis2"
    rows: list[tuple[float, float, float, float, float]] = []
    header_seen = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if line[1:].strip().startswith("model:"):
                model = line[1:].strip()[len("model:"):].strip()
            continue
        if not header_seen:
            if line.replace(" ", "") != _HEADER:
                raise InputError("not a density-correction file: the first row must be the "
                                 "column names", source=source, line=number,
                                 expected=_HEADER, found=line[:80])
            header_seen = True
            continue
        rows.append(_row(line, source, number))
        if len(rows) > _MAX_ROWS:
            raise InputError("too many windows", source=source, line=number,
                             expected=f"at most {_MAX_ROWS:,}")
    if not rows:
        raise InputError("the density-correction file has no windows", source=source,
                         expected=_HEADER + " and one row per window")
    table = np.array(rows)
    for k in range(1, len(rows)):
        if table[k, 0] < table[k - 1, 1]:
            raise InputError("windows must be in time order and must not overlap",
                             source=source, found=f"{mjd_utc_iso(table[k, 0])} starts before "
                             f"{mjd_utc_iso(table[k - 1, 1])}, the end of the row before")
    return DensityCorrection(table[:, 0], table[:, 1], table[:, 2], table[:, 3], table[:, 4],
                             model=model)


def _row(line: str, source: str, number: int) -> tuple[float, float, float, float, float]:
    raw = line.split(",")
    if len(raw) != 5:
        raise InputError("a window row has five columns", source=source, line=number,
                         expected=_HEADER, found=f"{len(raw)} columns")
    values: list[float] = []
    for k, cell in enumerate(c.strip() for c in raw):
        column = sum(len(c) + 1 for c in raw[:k]) + 1
        try:
            if k < 2:
                when = dt.datetime.fromisoformat(cell.replace("Z", "+00:00"))
                if when.tzinfo is None:
                    when = when.replace(tzinfo=dt.UTC)
                values.append((when - _MJD0).total_seconds() / 86400.0)
            else:
                values.append(float(cell))
        except ValueError:
            names = _HEADER.split(",")
            raise InputError(f"{names[k]} is not a {'UTC time' if k < 2 else 'number'}",
                             source=source, line=number, column=column,
                             found=repr(cell[:40])) from None
    start, end, factor, sigma, objects = values
    if end <= start:
        raise InputError("a window must end after it starts", source=source, line=number)
    if not (np.isfinite(factor) and 0.1 <= factor <= 10.0):
        raise InputError("the factor is out of range", source=source, line=number,
                         expected="0.1 to 10", found=repr(factor))
    if not (np.isfinite(sigma) and sigma >= 0.0 and np.isfinite(objects) and objects >= 0):
        raise InputError("sigma_ln and objects must be non-negative numbers", source=source,
                         line=number)
    return start, end, factor, sigma, objects
