"""Figures of the analyses (matplotlib's object API: no pyplot, no display).

Files are written atomically: to a temporary file beside the target, then renamed, so that an
interrupted run never leaves half a picture behind. The format follows the suffix (``.png``,
``.svg``, ``.pdf``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from stationsim.analysis.decay import DecayReport
from stationsim.analysis.height_band import HeightBand
from stationsim.errors import InputError
from stationsim.io.targets import check_output_file

__all__ = ["SUFFIXES", "check_picture_path", "plot_decay", "plot_height_band", "save_figure"]

#: The picture formats offered.
SUFFIXES = (".png", ".svg", ".pdf")


def check_picture_path(path: str | Path, option: str | None = None) -> Path:
    """``path`` if a picture can be written there (a known suffix, a folder that takes new
    files, no folder in the file's place); callers check before a long run, so that a bad name
    costs nothing. ``option`` names where the path came from in the messages."""
    target = Path(path)
    if target.suffix.lower() not in SUFFIXES:
        raise InputError("unsupported picture format", source=option or str(target),
                         expected=" or ".join(SUFFIXES), found=repr(target.suffix or "none"))
    return check_output_file(target, option)


def save_figure(fig: Any, path: str | Path) -> Path:
    """Write ``fig`` to ``path`` atomically; the suffix chooses the format. The picture is
    readable by all (mode 644), as a file written directly would be."""
    target = check_picture_path(path)
    fd, tmp = tempfile.mkstemp(prefix=".stationsim-", suffix=target.suffix,
                               dir=target.parent)
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=150, bbox_inches="tight")
        os.chmod(tmp, 0o644)  # mkstemp makes 0600
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def plot_decay(report: DecayReport, path: str | Path) -> Path:
    """Mean altitude against time, with the re-entry marked; written to ``path``."""
    # Figure without pyplot: no global state, no display needed.
    fig = Figure(figsize=(8, 4.5))
    ax = fig.subplots()
    when = [e.datetime() for e, _ in report.history]
    alt = [h / 1e3 for _, h in report.history]
    ax.plot(when, alt, color="#1f5fa8", lw=2, label="mean altitude (one revolution)")
    if report.reentry is not None:
        epoch, lat, lon = report.reentry
        ax.axvline(epoch.datetime(), color="#b2182b", lw=1.5, ls="--")
        ax.annotate(f"re-entry {epoch.iso(0)[:16]} UTC\n{lat:+.1f}°, {lon:+.1f}°",
                    xy=(epoch.datetime(), 120.0), xytext=(-10, 10),
                    textcoords="offset points", ha="right", color="#b2182b")
        ax.axhline(120.0, color="#999999", lw=0.8, ls=":")
    ax.set_ylabel("altitude above WGS-84 [km]")
    ax.set_title(f"{report.name or 'object'} ({report.norad_id}): decay from "
                 f"{report.epoch.iso(0)[:16]} UTC, {report.atmosphere}, "
                 f"B = {report.ballistic_kg_m2:.1f} ± {report.ballistic_sigma_kg_m2:.1f} kg/m²",
                 fontsize=10)
    ax.grid(True, alpha=0.3)
    fig.autofmt_xdate()
    ax.legend(loc="upper right", fontsize=9)
    return save_figure(fig, path)


def plot_height_band(band: HeightBand, path: str | Path) -> Path:
    """The band of the members' mean height against time: the median and the 5-95 % shaded,
    with the share of members already down where there is one; written to ``path``."""
    fig = Figure(figsize=(8, 4.5))
    ax = fig.subplots()
    when = [(band.epoch + float(t)).datetime() for t in band.times_s]
    lo, median, hi = (np.where(np.isfinite(row), row / 1e3, np.nan) for row in band.height_m)
    ax.fill_between(when, np.where(np.isnan(lo), 120.0, lo), hi, color="#1f5fa8", alpha=0.25,
                    lw=0, label=f"5-95 % of {band.members} members")
    ax.plot(when, median, color="#1f5fa8", lw=2, label="median")
    if len(band.observed_s):
        ax.plot([(band.epoch + float(t)).datetime() for t in band.observed_s],
                band.observed_height_m / 1e3, "o", color="black", ms=3,
                label="element sets after the epoch (SGP4 mean height)")
    if band.down[-1] > 0:
        first = int(np.argmax(band.down > 0))
        ax.axvline(when[first], color="#b2182b", lw=1.2, ls="--",
                   label=f"first members down ({100 * band.down[-1]:.0f} % by the end)")
    ax.set_ylabel("mean height above the equatorial radius [km]")
    ax.set_title(f"{band.name or 'object'} ({band.norad_id}): from {band.epoch.iso(0)[:16]} "
                 f"UTC, {band.space_weather} space weather, B = {band.ballistic_kg_m2:.1f} "
                 f"± {band.ballistic_sigma_kg_m2:.1f} kg/m²", fontsize=10)
    ax.grid(True, alpha=0.3)
    fig.autofmt_xdate()
    ax.legend(loc="upper right", fontsize=9)
    return save_figure(fig, path)
