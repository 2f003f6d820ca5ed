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

from matplotlib.figure import Figure

from stationsim.analysis.decay import DecayReport
from stationsim.errors import InputError

__all__ = ["SUFFIXES", "check_picture_path", "plot_decay", "save_figure"]

#: The picture formats offered.
SUFFIXES = (".png", ".svg", ".pdf")


def check_picture_path(path: str | Path) -> Path:
    """``path`` if a picture can be written there (a known suffix, an existing folder);
    callers check before a long run, so that a bad name costs nothing."""
    target = Path(path)
    if target.suffix.lower() not in SUFFIXES:
        raise InputError("unsupported picture format", source=str(target),
                         expected=" or ".join(SUFFIXES), found=repr(target.suffix or "none"))
    if not target.parent.exists():
        raise InputError("the folder does not exist", source=str(target.parent))
    return target


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
