"""Calibrating a density model on tracked objects (the correction of
:mod:`stationsim.forces.density_correction`).

For each calibration object and each time window (eight days by default) the ballistic
coefficient ``B = m / (C_D A)`` is fitted to the decay its element sets show
(:func:`.ballistic.fit_ballistic_coefficient`, with the propagator, and so the density model,
that the correction is for). An object's real ``B`` hardly changes from week to week, so the
window's fitted value, against the object's median over all windows, measures the model's
density error in that window:

    ``B_fit = B_true * rho_model / rho_true``, so ``rho_true / rho_model = B_true / B_fit``,

with ``B_true`` taken as the median. The window's factor is the geometric mean of this ratio
over the objects that could be fitted in it; ``sigma_ln`` is the standard error of that mean
(the objects' spread; for a window with one object, its fit's own relative sigma).

The median sets the mean level: the correction fixes the model's *changes* of bias over the
calibration span, which is what moves a prediction whose ``B`` was fitted on the weeks
before it, and leaves its average bias to the prediction's own fit. Objects whose attitude
(and so area) changes from week to week make poor calibrators: the windows' spread shows it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from stationsim.constants import WGS84_A_M
from stationsim.errors import InputError, PropagationError
from stationsim.forces.density_correction import DensityCorrection
from stationsim.propagation.ballistic import fit_ballistic_coefficient, mean_sma_sgp4
from stationsim.propagation.elements import GPElements
from stationsim.propagation.numerical import Propagator
from stationsim.time import Epoch, Timescale

__all__ = ["CalibrationFit", "calibrate_density"]

#: Fewest windows an object needs for its median to stand for its real ``B``.
MIN_WINDOWS_PER_OBJECT = 3


@dataclass(frozen=True)
class CalibrationFit:
    """One object's fit in one window."""

    norad_id: int
    window: int
    start: Epoch
    tles: int
    mean_height_km: float
    ballistic_kg_m2: float
    sigma_kg_m2: float


def calibrate_density(series: Sequence[Sequence[GPElements]], ts: Timescale,
                      propagator: Propagator, *, start: Epoch, end: Epoch,
                      window_days: float = 8.0, model: str = "msis2",
                      progress: Callable[[float], None] | None = None
                      ) -> tuple[DensityCorrection, list[CalibrationFit]]:
    """The density correction of ``propagator``'s atmosphere from ``start`` to ``end``.

    Args:
        series: the element sets of each calibration object (one object per entry).
        ts: the timescale.
        propagator: the propagator (force model and atmosphere) of the fits.
        start, end: the span; windows of ``window_days`` from ``start`` (the last one ends
            at or after ``end``). An element set on a boundary serves both windows.
        model: the name of the corrected atmosphere, recorded with the correction.
        progress: called with the fraction of fits done.

    Returns:
        the correction (windows without any fit are left out, where the factor is 1) and
        every fit made.

    Raises:
        InputError: an empty or reversed span, a window outside 1-60 days, or no object
            with fits in at least three windows.
    """
    span_days = float(end - start) / 86400.0
    if not (np.isfinite(window_days) and 1.0 <= window_days <= 60.0):
        raise InputError("the calibration window must be 1 to 60 days", source="--window-days",
                         found=repr(window_days))
    if not span_days >= window_days:
        raise InputError("the calibration span must hold at least one window",
                         expected=f"at least {window_days:g} days", found=f"{span_days:.1f} days")
    count = int(np.ceil(span_days / window_days - 1e-9))
    edges = [start + k * window_days * 86400.0 for k in range(count + 1)]
    fits: list[CalibrationFit] = []
    done, total = 0, count * len(series)
    for elements in series:
        by_time = sorted(elements, key=lambda e: e.epoch_jd_utc[0] + e.epoch_jd_utc[1])
        times = [float(e.epoch(ts) - start) for e in by_time]
        for k in range(count):
            lo, hi = k * window_days * 86400.0, (k + 1) * window_days * 86400.0
            use = [e for e, t in zip(by_time, times, strict=True) if lo <= t <= hi]
            done += 1
            try:
                fit = fit_ballistic_coefficient(use, ts, propagator)
            except PropagationError:
                continue  # too few sets, a manoeuvre, or a re-entry inside the window
            finally:
                if progress is not None:
                    progress(done / total)
            fits.append(CalibrationFit(
                norad_id=use[0].norad_id, window=k, start=edges[k], tles=len(use),
                mean_height_km=(mean_sma_sgp4(use[0], ts) - WGS84_A_M) / 1e3,
                ballistic_kg_m2=fit.value_kg_m2, sigma_kg_m2=fit.sigma_kg_m2))
    return _correction(fits, edges, model), fits


def _correction(fits: list[CalibrationFit], edges: list[Epoch], model: str
                ) -> DensityCorrection:
    """Factors per window from the fits (see the module notes)."""
    objects = {f.norad_id for f in fits}
    median = {n: float(np.median([f.ballistic_kg_m2 for f in fits if f.norad_id == n]))
              for n in objects
              if sum(f.norad_id == n for f in fits) >= MIN_WINDOWS_PER_OBJECT}
    if not median:
        raise InputError("no calibration object could be fitted in three windows or more",
                         expected="objects with element sets through the span, without "
                         "manoeuvres", found=f"{len(fits)} fits of {len(objects)} objects")
    rows = []
    for k in range(len(edges) - 1):
        here = [f for f in fits if f.window == k and f.norad_id in median]
        if not here:
            continue
        logs = np.array([np.log(median[f.norad_id] / f.ballistic_kg_m2) for f in here])
        if len(here) > 1:
            sigma = float(np.std(logs, ddof=1) / np.sqrt(len(here)))
        else:
            sigma = here[0].sigma_kg_m2 / here[0].ballistic_kg_m2
        rows.append((float(np.asarray(edges[k].mjd_utc)), float(np.asarray(edges[k + 1].mjd_utc)),
                     float(np.exp(np.mean(logs))), sigma, float(len(here))))
    table = np.array(rows)
    return DensityCorrection(table[:, 0], table[:, 1], table[:, 2], table[:, 3], table[:, 4],
                             model=model)
