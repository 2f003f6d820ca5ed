"""Calibrating a density model on tracked objects (the correction of
:mod:`stationsim.forces.density_correction`).

For each calibration object and each time window (eight days by default) the ballistic
coefficient ``B = m / (C_D A)`` is fitted to the decay its element sets show
(:func:`.ballistic.fit_ballistic_coefficient`, with the propagator, and so the density model,
that the correction is for). An object's real ``B`` hardly changes from week to week, so the
window's fitted value, against the object's level over all windows, measures the model's
density error in that window:

    ``B_fit = B_true * rho_model / rho_true``, so ``rho_true / rho_model = B_true / B_fit``,

with ``B_true`` the object's level. The levels and the windows' factors are estimated
together, by least squares on ``ln B_fit[object, window] = ln B_object - ln factor[window]``
with the mean of ``ln factor`` over the windows set to 0, so that an object tracked through only
part of the span is put on the level of the others it shares windows with, rather than on its
own mean. Objects that share no window with each other form separate groups whose levels
nothing ties together: each group then gets a mean of 1, with a warning. ``sigma_ln`` is the
standard error of a window's ``ln factor`` from the objects' scatter about the solution (for a
window with one object, its fit's own relative sigma). A fit more than a factor of 3 from its
object's median (a manoeuvre, a change of attitude, bad element sets: no model is that wrong
for a week) is left out, and so is an object with fewer than three fits left; an object whose
fits split into two clusters more than 3 times apart loses both.

The mean level is set to 1: the correction fixes the model's *changes* of bias over the
calibration span, which is what moves a prediction whose ``B`` was fitted on the weeks before
it, and leaves its average bias to the prediction's own fit. Objects whose attitude (and so
area) changes from week to week make poor calibrators: the windows' spread shows it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from stationsim.constants import WGS84_A_M
from stationsim.errors import InputError, PropagationError
from stationsim.forces.density_correction import DensityCorrection
from stationsim.propagation.ballistic import fit_ballistic_coefficient, mean_sma_sgp4
from stationsim.propagation.elements import GPElements
from stationsim.propagation.numerical import Propagator
from stationsim.time import Epoch, Timescale

__all__ = ["CalibrationFit", "calibrate_density"]

#: Fewest windows an object needs for its level to stand for its real ``B``.
MIN_WINDOWS_PER_OBJECT = 3
#: A fit further than this factor from its object's median is not the atmosphere's doing.
OUTLIER_FACTOR = 3.0


@dataclass(frozen=True)
class CalibrationFit:
    """One object's fit in one window (``used``: kept in the solution, not an outlier)."""

    norad_id: int
    window: int
    start: Epoch
    tles: int
    mean_height_km: float
    ballistic_kg_m2: float
    sigma_kg_m2: float
    used: bool = True


def calibrate_density(series: Sequence[Sequence[GPElements]], ts: Timescale,
                      propagator: Propagator, *, start: Epoch, end: Epoch,
                      window_days: float = 8.0, model: str = "msis2",
                      source: str | None = None,
                      progress: Callable[[float], None] | None = None
                      ) -> tuple[DensityCorrection, list[CalibrationFit]]:
    """The density correction of ``propagator``'s atmosphere from ``start`` to ``end``.

    Args:
        series: the element sets of each calibration object (one object per entry; sets with
            the same epoch count once).
        ts: the timescale.
        propagator: the propagator (force model and atmosphere) of the fits.
        start, end: the span; windows of ``window_days`` from ``start``, the last one ending
            at ``end`` (shorter if need be). Only element sets inside the span are used; one
            on a boundary serves both windows.
        model: the name of the corrected atmosphere, recorded with the correction.
        source: what the element sets came from, for messages.
        progress: called with the fraction of fits done.

    Returns:
        the correction (windows without any fit are left out, where the factor is 1) and
        every fit made.

    Raises:
        InputError: a span shorter than one window, a window outside 1-60 days, or no object
            with fits in at least three windows.
    """
    span_days = float(end - start) / 86400.0
    if not (np.isfinite(window_days) and 1.0 <= window_days <= 60.0):
        raise InputError("the calibration window must be 1 to 60 days", source="--window-days",
                         found=repr(window_days))
    if not span_days >= window_days:
        raise InputError("the calibration span must hold at least one window",
                         source="--from/--to", expected=f"at least {window_days:g} days",
                         found=f"{span_days:.1f} days")
    count = int(np.ceil(span_days / window_days - 1e-9))
    bounds = [min(k * window_days, span_days) * 86400.0 for k in range(count + 1)]
    fits: list[CalibrationFit] = []
    done, total = 0, count * len(series)
    for elements in series:
        unique = {e.epoch_jd_utc[0] + e.epoch_jd_utc[1]: e for e in reversed(elements)}
        by_time = [unique[key] for key in sorted(unique)]
        times = [float(e.epoch(ts) - start) for e in by_time]
        for k in range(count):
            lo, hi = bounds[k], bounds[k + 1]
            use = [e for e, t in zip(by_time, times, strict=True) if lo <= t <= hi]
            done += 1
            try:
                fit = fit_ballistic_coefficient(use, ts, propagator)
            except PropagationError:
                continue  # too few sets, a manoeuvre, or a re-entry inside the window
            finally:
                if progress is not None:
                    progress(done / total)
            kept = sorted(use, key=lambda e: e.epoch_jd_utc[0] + e.epoch_jd_utc[1])[
                fit.dropped_before_manoeuvre:]
            fits.append(CalibrationFit(
                norad_id=kept[0].norad_id, window=k, start=start + bounds[k], tles=len(kept),
                mean_height_km=(mean_sma_sgp4(kept[0], ts) - WGS84_A_M) / 1e3,
                ballistic_kg_m2=fit.value_kg_m2, sigma_kg_m2=fit.sigma_kg_m2))
    edges = [start + b for b in bounds]
    fits = _too_few_windows(_reject_outliers(fits))
    return _correction(fits, edges, model, source), fits


def _solve(fits: list[CalibrationFit]) -> tuple[dict[int, float], dict[int, float], int]:
    """Least-squares levels ``ln B`` per object and ``ln factor`` per window of the used fits
    (see the module notes), and the number of groups: sets of objects and windows linked by
    shared windows. Each group's ``ln factor`` has a mean of 0 (nothing ties one group's level
    to another's)."""
    rows = [f for f in fits if f.used]
    objects = sorted({f.norad_id for f in rows})
    windows = sorted({f.window for f in rows})
    if not rows:
        return {}, {}, 0
    o_index = {o: k for k, o in enumerate(objects)}
    w_index = {w: len(objects) + k for k, w in enumerate(windows)}
    # Groups by union-find over the fits (each links its object and its window).
    parent = list(range(len(objects) + len(windows)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for f in rows:
        parent[root(o_index[f.norad_id])] = root(w_index[f.window])
    groups = sorted({root(w_index[w]) for w in windows})
    design = np.zeros((len(rows) + len(groups), len(objects) + len(windows)))
    target = np.zeros(len(rows) + len(groups))
    for k, f in enumerate(rows):  # ln B = level - ln factor
        design[k, o_index[f.norad_id]] = 1.0
        design[k, w_index[f.window]] = -1.0
        target[k] = np.log(f.ballistic_kg_m2)
    for k, g in enumerate(groups):
        design[len(rows) + k, [w_index[w] for w in windows if root(w_index[w]) == g]] = 1.0
    solution = np.linalg.lstsq(design, target, rcond=None)[0]
    return ({o: float(solution[o_index[o]]) for o in objects},
            {w: float(solution[w_index[w]]) for w in windows}, len(groups))


def _reject_outliers(fits: list[CalibrationFit]) -> list[CalibrationFit]:
    """Mark as unused the fits more than a factor of 3 from their object's median: no model's
    error of a week is that large, a manoeuvre or a change of attitude can be."""
    medians = {n: float(np.median([np.log(f.ballistic_kg_m2) for f in fits if f.norad_id == n]))
               for n in {f.norad_id for f in fits}}
    return [replace(f, used=bool(abs(np.log(f.ballistic_kg_m2) - medians[f.norad_id])
                                 <= np.log(OUTLIER_FACTOR))) for f in fits]


def _too_few_windows(fits: list[CalibrationFit]) -> list[CalibrationFit]:
    """Mark as unused the fits of objects with fewer than three used ones: their level would
    be a guess."""
    counts: dict[int, int] = {}
    for f in fits:
        counts[f.norad_id] = counts.get(f.norad_id, 0) + f.used
    return [f if counts[f.norad_id] >= MIN_WINDOWS_PER_OBJECT else replace(f, used=False)
            for f in fits]


def _correction(fits: list[CalibrationFit], edges: list[Epoch], model: str,
                source: str | None = None) -> DensityCorrection:
    """Factors per window from the used fits (see the module notes)."""
    fits = _too_few_windows(fits)
    level, log_factor, groups = _solve(fits)
    if not level:
        objects = {f.norad_id for f in fits}
        raise InputError("no calibration object could be fitted in three windows or more",
                         source=source, expected="objects with element sets through the span, "
                         "without manoeuvres", found=f"{sum(f.used for f in fits)} usable fits "
                         f"of {len(objects)} objects")
    if groups > 1:
        warnings.warn(f"the calibration objects fall into {groups} groups that share no window:"
                      " the factors of one group are not tied to another's (each group has a "
                      "mean of 1); give objects that overlap in time", UserWarning,
                      stacklevel=3)
    rows = []
    for k in range(len(edges) - 1):
        if k not in log_factor:
            continue
        here = [f for f in fits if f.window == k and f.used]
        if len(here) > 1:
            implied = [level[f.norad_id] - np.log(f.ballistic_kg_m2) for f in here]
            sigma = float(np.std(implied, ddof=1) / np.sqrt(len(here)))
        else:
            sigma = here[0].sigma_kg_m2 / here[0].ballistic_kg_m2
        rows.append((float(np.asarray(edges[k].mjd_utc)), float(np.asarray(edges[k + 1].mjd_utc)),
                     float(np.exp(log_factor[k])), sigma, float(len(here))))
    table = np.array(rows)
    try:
        return DensityCorrection(table[:, 0], table[:, 1], table[:, 2], table[:, 3],
                                 table[:, 4], model=model)
    except InputError as exc:
        raise InputError(f"{exc.reason}: the objects' fits vary too much from window to window"
                         " to be the atmosphere's doing (changes of attitude or manoeuvres?)",
                         source=source, expected=exc.expected, found=exc.found) from None
