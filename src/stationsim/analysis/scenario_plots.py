"""Figures of a scenario run, drawn from its results dictionary (the content of
``results.json``: ISO 8601 UTC text, floats and lists; see :mod:`stationsim.analysis.report`).

- :func:`plot_altitudes`: mean altitude of each part against the date, re-entry windows, the
  120 km entry interface and the scenario's events.
- :func:`plot_ledgers`: propellant, cumulative delta-v used and control-moment-gyroscope
  momentum of each part against the date.

Files are written atomically by :func:`stationsim.analysis.plots.save_figure` (a temporary file
beside the target, then a rename): a failure while drawing or writing leaves no file. The
format follows the suffix (``.png``, ``.svg``, ``.pdf``).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import dates as _matplotlib_dates
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import NDArray

from stationsim.analysis.plots import save_figure
from stationsim.errors import InputError

__all__ = ["ENTRY_INTERFACE_KM", "parse_utc", "plot_altitudes", "plot_ledgers"]

#: Conventional entry interface [km] (the altitude at which re-entry is said to begin).
ENTRY_INTERFACE_KM = 120.0
#: Colour-blind-safe qualitative palette (Paul Tol's "bright" scheme).
PALETTE = ("#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB")
#: Most event labels drawn on one figure (the lines are always drawn).
MAX_EVENT_LABELS = 12

FloatArray = NDArray[np.float64]
# matplotlib.dates ships without type stubs, and the typed Axes methods declare x as float
# although they take dates through matplotlib's unit registry: both are reached through Any.
_DATES: Any = _matplotlib_dates


def _x(value: dt.datetime | list[dt.datetime]) -> Any:
    """Dates as matplotlib's plotting methods take them (converted by its unit registry)."""
    return value


def _save(fig: Figure, path: str | Path) -> Path:
    """Write atomically; then make the file readable by others (the temporary file behind
    the atomic write is created 0600)."""
    target = save_figure(fig, path)
    os.chmod(target, 0o644)
    return target


def parse_utc(text: str, *, what: str = "time") -> dt.datetime:
    """A timezone-aware UTC ``datetime`` from ISO 8601 text ending in ``Z`` (or an offset)."""
    try:
        value = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{what} is not an ISO 8601 UTC time", source="results",
                         expected="e.g. 2022-03-30T11:28:00Z", found=repr(text)) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _need(mapping: Mapping[str, Any], key: str, where: str) -> Any:
    if not isinstance(mapping, Mapping) or key not in mapping:
        raise InputError(f"{where} has no {key!r}", source="results",
                         expected="the results shape of stationsim.analysis.report")
    return mapping[key]


def _floats(values: Sequence[Any] | None) -> FloatArray:
    """A float array; ``None`` entries become NaN (a gap in the line)."""
    return np.array([np.nan if v is None else float(v) for v in (values or [])],
                    dtype=np.float64)


def _series(part: Mapping[str, Any], start: dt.datetime,
            key: str) -> tuple[list[dt.datetime], FloatArray]:
    """Dates and values of one series of a part (lengths checked)."""
    name = str(part.get("name", "?"))
    series = _need(part, "series", f"part {name!r}")
    days = _floats(_need(series, "day", f"the series of part {name!r}"))
    values = _floats(_need(series, key, f"the series of part {name!r}"))
    if values.size != days.size:
        raise InputError(f"part {name!r}: series {key!r} has {values.size} values for "
                         f"{days.size} days", source="results", expected="equal lengths")
    return [start + dt.timedelta(days=float(d)) for d in days], values


def _date_axis(ax: Axes) -> None:
    locator = _DATES.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(_DATES.ConciseDateFormatter(locator))


def _short(text: str, width: int = 24) -> str:
    text = " ".join(str(text).replace("_", " ").split())
    return text if len(text) <= width else text[: width - 1] + "…"


#: The log entries drawn on the altitude plot: what the scenario or a policy did (the audit's
#: notes, the calibration and data notes stay in the report's event table).
MARKED_EVENTS = frozenset({"undock", "dock", "move_crew", "crew_landing", "burn", "policy",
                           "array_mode", "transfer_propellant"})


def _events(ax: Axes, results: Mapping[str, Any]) -> None:
    """Vertical lines at the events, labelled with their kinds (same minute: one label)."""
    grouped: dict[dt.datetime, list[str]] = {}
    for event in results.get("events") or []:
        if event.get("kind") not in MARKED_EVENTS:
            continue
        when = parse_utc(_need(event, "epoch", "an event"), what="an event's epoch")
        kinds = grouped.setdefault(when.replace(second=0, microsecond=0), [])
        kind = _short(event.get("kind", "event"), 16)
        if kind not in kinds:
            kinds.append(kind)
    for i, (when, kinds) in enumerate(sorted(grouped.items())):
        ax.axvline(_x(when), color="#555555", lw=0.8, ls=":", zorder=1)
        if i < MAX_EVENT_LABELS:
            ax.text(_x(when), 0.98 - 0.05 * (i % 3), " " + _short(", ".join(kinds)),
                    transform=ax.get_xaxis_transform(), rotation=0, ha="left", va="top",
                    fontsize=7.5, color="#333333",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                          "alpha": 0.7})


def plot_altitudes(results: Mapping[str, Any], path: str | Path) -> Path:
    """Mean altitude [km] of each part against the date (UTC), written to ``path``.

    Each part is one line; a re-entered part's predicted re-entry is marked at the median
    with its 5-95 % window shaded, and the band of its Monte Carlo members' heights (5-95 %)
    drawn around its line from the start of its free flight; events are dotted vertical lines
    with short labels; the 120 km entry interface is a dashed line.
    """
    start = parse_utc(_need(results, "start", "results"), what="the start")
    parts = _need(results, "parts", "results")
    fig = Figure(figsize=(11, 6), layout="constrained")
    ax = fig.subplots()
    low, high = ENTRY_INTERFACE_KM, ENTRY_INTERFACE_KM
    for i, part in enumerate(parts):
        colour = PALETTE[i % len(PALETTE)]
        name = str(_need(part, "name", "a part"))
        when, alt_km = _series(part, start, "mean_altitude_km")
        if np.any(np.isfinite(alt_km)):
            low, high = min(low, float(np.nanmin(alt_km))), max(high, float(np.nanmax(alt_km)))
        reentry = part.get("reentry")
        label = name
        if reentry:
            median = parse_utc(_need(reentry, "median", f"the re-entry of {name!r}"))
            early = parse_utc(_need(reentry, "p05", f"the re-entry of {name!r}"))
            late = parse_utc(_need(reentry, "p95", f"the re-entry of {name!r}"))
            label = f"{name} (re-entry {median:%Y-%m-%d})"
            ax.axvspan(_x(early), _x(late), color=colour, alpha=0.10, lw=0,
                       label=f"{name} re-entry window, 5-95 %")
            band = reentry.get("band")
            if band:
                b_when = [parse_utc(x, what=f"the band of {name!r}") for x in band["epochs"]]
                lower, upper = (np.array([ENTRY_INTERFACE_KM if v is None else float(v)
                                          for v in band[k]]) for k in ("p05_km", "p95_km"))
                ax.fill_between(_x(b_when), lower, upper, color=colour, alpha=0.25, lw=0,
                                label=f"{name} Monte Carlo band of the height, 5-95 %",
                                zorder=2)
            ax.plot(_x([median]), [ENTRY_INTERFACE_KM], marker="v", ms=10, color=colour,
                    mec="black", mew=0.6, ls="none", zorder=5)
            ax.annotate(f"{name}\n{median:%Y-%m-%d %H:%M}", (median, ENTRY_INTERFACE_KM),
                        xytext=(10, 8), textcoords="offset points", ha="left",
                        fontsize=8, color=colour,
                        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none",
                              "alpha": 0.8})
        ax.plot(_x(when), alt_km, color=colour, lw=2, label=label, zorder=3)
    ax.axhline(ENTRY_INTERFACE_KM, color="#444444", lw=1.0, ls="--",
               label=f"entry interface, {ENTRY_INTERFACE_KM:.0f} km", zorder=2)
    ax.set_ylim(low - 15.0, high + 0.12 * (high - low + 30.0))
    _events(ax, results)
    _date_axis(ax)
    ax.set_xlabel("date (UTC)")
    ax.set_ylabel("mean height above the equatorial radius [km]")
    title = str(results.get("title") or results.get("scenario") or "scenario")
    ax.set_title(f"{title}: mean altitude of each part", fontsize=12)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper right", fontsize=8.5, framealpha=0.9)  # re-entry labels sit low
    return _save(fig, path)


def plot_ledgers(results: Mapping[str, Any], path: str | Path) -> Path:
    """Propellant [kg], cumulative delta-v used [m/s], CMG momentum [N m s] against the CMG
    capacity, and orbit-average power generated and used [kW], per part, against the date
    (UTC); written to ``path``."""
    start = parse_utc(_need(results, "start", "results"), what="the start")
    parts = _need(results, "parts", "results")
    fig = Figure(figsize=(11, 11.5), layout="constrained")
    axes = fig.subplots(4, 1, sharex=True)
    panels = (("propellant_kg", "propellant [kg]", "Propellant on board"),
              ("delta_v_used_m_s", "Δv used [m/s]", "Cumulative Δv used"),
              ("cmg_momentum_nms", "momentum [N·m·s]",
               "CMG momentum (dashed: capacity)"),
              ("power_generated_kw", "power [kW]",
               "Power: orbit-average generation (solid) and load (dashed)"))
    for i, part in enumerate(parts):
        colour = PALETTE[i % len(PALETTE)]
        name = str(_need(part, "name", "a part"))
        series = _need(part, "series", name)
        for ax, (key, _, _) in zip(axes, panels, strict=True):
            if key not in series:  # results written before the power ledger existed
                continue
            when, values = _series(part, start, key)
            ax.plot(_x(when), values, color=colour, lw=2, label=name)
        capacity = series.get("cmg_capacity_nms")
        if capacity is not None and float(capacity) > 0.0:
            axes[2].axhline(float(capacity), color=colour, lw=1.2, ls="--",
                            label=f"{name} capacity")
        if "power_load_kw" in series:
            when, load = _series(part, start, "power_load_kw")
            axes[3].plot(_x(when), load, color=colour, lw=1.2, ls="--")
    for ax, (_, ylabel, heading) in zip(axes, panels, strict=True):
        ax.set_ylabel(ylabel)
        ax.set_title(heading, fontsize=10, loc="left")
        ax.grid(True, alpha=0.3)
        top = max(ax.get_ylim()[1], 1.0)
        ax.set_ylim(-0.04 * top, top)  # lines at zero stay visible above the axis
        _date_axis(ax)
    axes[0].legend(loc="best", fontsize=8.5, framealpha=0.9)
    axes[2].legend(loc="best", fontsize=8, framealpha=0.9, ncol=2)
    axes[3].set_xlabel("date (UTC)")
    title = str(results.get("title") or results.get("scenario") or "scenario")
    fig.suptitle(f"{title}: propellant, Δv, attitude-control and power ledgers", fontsize=12)
    return _save(fig, path)
