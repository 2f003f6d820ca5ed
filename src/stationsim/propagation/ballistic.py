"""The ballistic coefficient ``B = m / (C_D A)`` from an object's TLE history.

B* alone is not enough to predict decay (it absorbs SGP4's own density model and whatever
else the fit needed); professional re-entry predictions instead fit the effective drag of a
numerical model to the observed decay. Here:

1. Each TLE gives an *observed mean semi-major axis*: SGP4 states over one revolution centred
   on its epoch, turned to GCRF, their osculating ``a`` averaged (this cancels the short-period
   terms, which differ between SGP4 and the numerical model, so only decay remains).
2. The numerical propagator starts from the first TLE's state and is run for three values of
   ``C_D A / m`` at once (two for the sensitivity, then the estimate); the same averaging at
   every TLE epoch gives the *predicted* mean ``a``.
3. Least squares on the decay since the first TLE, ``a_k - a_0``, observed against predicted,
   linearised in ``C_D A / m`` and checked by the final run. The 1-sigma uncertainty comes from
   the residual scatter (at least 1 % of the value, for the model error that scatter cannot
   show).

Manoeuvres spoil the fit: an *increase* of the observed mean ``a`` by more than 150 m between
consecutive TLEs is taken as a reboost and only the TLEs after the last one are used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from stationsim.constants import GM_EARTH_M3_S2
from stationsim.errors import PropagationError
from stationsim.forces.drag import ConstantDrag
from stationsim.frames import teme_to_gcrf
from stationsim.propagation.elements import GPElements
from stationsim.propagation.kepler import elements_from_state
from stationsim.propagation.numerical import Propagator
from stationsim.propagation.sgp4 import raise_on_sgp4_error, sgp4_teme_epoch
from stationsim.time import Epoch, Timescale
from stationsim.time.tables import FloatArray

__all__ = ["BallisticFit", "fit_ballistic_coefficient", "mean_sma_from_ephemeris",
           "mean_sma_sgp4", "sgp4_state_gcrf", "spans_between_manoeuvres"]

#: Rise of the mean semi-major axis between TLEs taken as a manoeuvre [m].
MANOEUVRE_RISE_M = 150.0
_SAMPLES_PER_REV = 64
_OUTPUT_STEP_S = 30.0
_MAX_ITERATIONS = 20


@dataclass(frozen=True)
class BallisticFit:
    """The fitted ballistic coefficient and how well it explains the TLEs.

    Attributes:
        value_kg_m2, sigma_kg_m2: ``m / (C_D A)`` and its 1-sigma uncertainty [kg/m^2].
        epochs: the TLE epochs used; ``observed_da_m`` and ``predicted_da_m`` their mean
            semi-major-axis change since the first [m].
        rms_m: RMS of observed minus predicted [m].
        dropped_before_manoeuvre: TLEs left out because a later one shows a manoeuvre.
    """

    value_kg_m2: float
    sigma_kg_m2: float
    epochs: Epoch
    observed_da_m: FloatArray
    predicted_da_m: FloatArray
    rms_m: float
    dropped_before_manoeuvre: int


def _period_s(a_m: float) -> float:
    return float(2.0 * np.pi * np.sqrt(a_m ** 3 / GM_EARTH_M3_S2))


def sgp4_state_gcrf(elements: GPElements, when: Epoch) -> tuple[FloatArray, FloatArray]:
    """GCRF position [m] and velocity [m/s] of SGP4 at ``when`` (any shape), shape ``(..., 3)``."""
    flat = when.ravel()
    r, v, codes = sgp4_teme_epoch([elements], flat)
    raise_on_sgp4_error(codes, label=f"object {elements.norad_id}")
    rg, vg = teme_to_gcrf(flat, r[0], v[0])
    return rg.reshape(*when.shape, 3), vg.reshape(*when.shape, 3)


def mean_sma_sgp4(elements: GPElements, ts: Timescale) -> float:
    """Observed mean semi-major axis [m]: osculating ``a`` of SGP4 averaged over one revolution
    centred on the element epoch."""
    n_rad_s = elements.mean_motion_rev_per_day * 2.0 * np.pi / 86400.0
    period = 2.0 * np.pi / n_rad_s
    offsets = (np.arange(_SAMPLES_PER_REV) + 0.5) / _SAMPLES_PER_REV * period - period / 2
    when = elements.epoch(ts) + offsets
    r, v = sgp4_state_gcrf(elements, when)
    return float(np.mean(elements_from_state(r, v).a_m))


def mean_sma_from_ephemeris(times_s: FloatArray, states: FloatArray, at_s: FloatArray
                            ) -> FloatArray:
    """Mean semi-major axis [m] over one revolution centred on each ``at_s`` [s], from an
    ephemeris on a regular grid (``states`` ``(K, 6+)``)."""
    a = elements_from_state(states[:, :3], states[:, 3:6]).a_m
    out = np.empty(len(at_s))
    for k, t in enumerate(np.atleast_1d(at_s)):
        period = _period_s(float(np.interp(t, times_s, a)))
        grid = t + (np.arange(_SAMPLES_PER_REV) + 0.5) / _SAMPLES_PER_REV * period - period / 2
        grid = np.clip(grid, times_s[0], times_s[-1])
        out[k] = float(np.mean(np.interp(grid, times_s, a)))
    return out


def _drop_before_manoeuvres(tles: list[GPElements], mean_a: list[float]) -> int:
    last = 0
    for k in range(1, len(mean_a)):
        if mean_a[k] - mean_a[k - 1] > MANOEUVRE_RISE_M:
            last = k
    return last


def spans_between_manoeuvres(tles: Sequence[GPElements], ts: Timescale
                             ) -> list[list[GPElements]]:
    """The element sets (one object, any order) cut at each rise of the mean semi-major axis
    over :data:`MANOEUVRE_RISE_M`, oldest first; the first set after a rise is left out (its
    orbit determination may straddle the burn)."""
    ordered = sorted(tles, key=lambda e: e.epoch_jd_utc[0] + e.epoch_jd_utc[1])
    mean_a = [mean_sma_sgp4(e, ts) for e in ordered]
    spans: list[list[GPElements]] = [[]]
    for k, e in enumerate(ordered):
        if k and mean_a[k] - mean_a[k - 1] > MANOEUVRE_RISE_M:
            spans.append([])
        else:
            spans[-1].append(e)
    return spans


def _guess_from_bstar(tles: Sequence[GPElements]) -> float:
    """``m / (C_D A)`` [kg/m^2] implied by the median B* (``B* = rho0 (C_D A/m) / 2`` with
    SGP4's reference density ``rho0 = 0.15696615`` kg/m^2 per Earth radius; Hoots & Roehrich
    1980), clipped to 5..5,000 kg/m^2: only a starting point, since B* absorbs SGP4's own
    atmosphere."""
    bstar = float(np.median([e.bstar_per_earth_radius for e in tles]))
    if not bstar > 0.0:
        return 100.0
    return float(np.clip(0.15696615 / (2.0 * bstar), 5.0, 5000.0))


def fit_ballistic_coefficient(tles: Sequence[GPElements], ts: Timescale,
                              propagator: Propagator, *, mass_kg: float | None = None,
                              initial_kg_m2: float | None = None) -> BallisticFit:
    """Fit ``m / (C_D A)`` to the decay shown by ``tles`` (one object, sorted or not).

    Args:
        tles: the element sets of the fitting window (at least three, spanning a day or more).
        ts: the timescale.
        propagator: a :class:`Propagator` with drag (its atmosphere and force model are the
            ones the prediction will use, so the fit absorbs their bias).
        mass_kg: the mass, if known (only matters with thrust); otherwise ``B`` itself.
        initial_kg_m2: the starting guess of ``B`` (default: from the TLEs' B*).
    """
    ordered = sorted(tles, key=lambda e: e.epoch_jd_utc[0] + e.epoch_jd_utc[1])
    if len({e.norad_id for e in ordered}) > 1:
        raise PropagationError("the ballistic-coefficient fit takes the TLEs of one object")
    mean_a = [mean_sma_sgp4(e, ts) for e in ordered]
    first = _drop_before_manoeuvres(ordered, mean_a)
    ordered, mean_a = ordered[first:], mean_a[first:]
    epochs = [e.epoch(ts) for e in ordered]
    span = float(epochs[-1] - epochs[0]) if epochs else 0.0
    if len(ordered) < 3 or span < 86400.0:
        raise PropagationError(
            f"the ballistic-coefficient fit needs at least three TLEs spanning a day or more "
            f"after the last manoeuvre; got {len(ordered)} over {span / 86400.0:.1f} days")
    # Start half a revolution early, so that every TLE epoch has a whole revolution around it.
    lead = 0.6 * _period_s(mean_a[0])
    start = epochs[0] + (-lead)
    at_s = np.array([float(e - start) for e in epochs])
    observed = np.array(mean_a) - mean_a[0]
    r0, v0 = sgp4_state_gcrf(ordered[0], start)

    def predicted(xs: Sequence[float]) -> list[FloatArray | None]:
        """Predicted decay for each ``C_D A / m`` in ``xs`` (None: re-entered in the window)."""
        drags = [ConstantDrag.from_ballistic_coefficient(1.0 / x, mass_kg) for x in xs]
        n = len(drags)
        res = propagator.propagate(start, np.repeat(r0[None], n, 0), np.repeat(v0[None], n, 0),
                                   drag=drags, duration_s=at_s[-1] + 0.6 * _period_s(
                                       mean_a[-1]), output_step_s=_OUTPUT_STEP_S)
        rows: list[FloatArray | None] = []
        for m in res.members:
            if m.status != "completed":
                rows.append(None)
                continue
            sma = mean_sma_from_ephemeris(m.times_s, m.states, at_s)
            rows.append(sma - sma[0])
        return rows

    x0 = 1.0 / (initial_kg_m2 if initial_kg_m2 is not None else _guess_from_bstar(ordered))
    d0: FloatArray | None = None
    slope: FloatArray | None = None
    # ``C_D A / m`` known to bring the object down inside the window: every later try stays
    # below it (near the end of a life the decay grows so fast with drag that an undamped
    # step lands there, and the next one jumps back: the iteration must not oscillate).
    too_much = np.inf
    for _ in range(_MAX_ITERATIONS):
        x1 = 1.05 * x0 if 1.05 * x0 < too_much else 0.95 * x0
        d0, d1 = predicted([x0, x1])
        if d0 is None:  # far too much drag: the object came down within the window
            too_much = min(too_much, x0)
            x0 /= 3.0
            continue
        if d1 is None:
            too_much = min(too_much, x1)
            x1 = 0.95 * x0
            (d1,) = predicted([x1])
        # Decay is nearly proportional to C_D A / m without a usable second run.
        slope = d0 / x0 if d1 is None else (d1 - d0) / (x1 - x0)
        step = float(np.dot(slope, observed - d0) / max(float(np.dot(slope, slope)), 1e-300))
        step = float(np.clip(step, -0.5 * x0, 1.0 * x0))  # damped: at most halve or double
        if x0 + step >= too_much:  # not past a known re-entry: halfway there (in log)
            step = float(np.sqrt(x0 * too_much)) - x0
        if abs(step) < 0.005 * x0:
            break
        x0 += step
    else:
        d0 = None
    if d0 is None or slope is None:
        raise PropagationError("the ballistic-coefficient fit did not converge; the TLEs may "
                               "hold a manoeuvre or come from the object's last hours")
    residual = observed - d0
    dof = max(len(observed) - 2, 1)
    sigma_x = float(np.sqrt(np.sum(residual ** 2) / dof / max(np.dot(slope, slope), 1e-300)))
    value = 1.0 / x0
    sigma = max(value * sigma_x / x0, 0.01 * value)
    return BallisticFit(value_kg_m2=value, sigma_kg_m2=sigma,
                        epochs=ts.from_jd_utc(np.array([e.epoch_jd_utc[0] for e in ordered]),
                                              np.array([e.epoch_jd_utc[1] for e in ordered])),
                        observed_da_m=observed, predicted_da_m=d0,
                        rms_m=float(np.sqrt(np.mean(residual ** 2))),
                        dropped_before_manoeuvre=first)
