"""Monte Carlo ensembles for re-entry windows: dispersed members and their percentiles.

A member differs from the nominal (member 0, never dispersed) by

* an along-track position error and a speed error (what a recent element set leaves open);
* a log-normal factor on its ballistic coefficient ``B = m / (C_D A)`` (the fit's uncertainty
  and the model's: attitude, area, the density model's error with height and activity);
* a density factor ``exp(z s(t))`` with one normal draw ``z`` per member and a spread ``s(t)``
  that grows with time (an error in the space-weather forecast; see
  :mod:`stationsim.data.forecast_error`).

Draws are stratified (Latin hypercube sampling, :func:`stratified_normal`): each of ``N - 1``
equally likely strata of the normal distribution gets one draw, in random order, so a small
ensemble's percentiles carry far less sampling noise than plain draws would give them. The
same seed gives the same members, bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtri

from stationsim.errors import PropagationError
from stationsim.propagation.results import MemberResult
from stationsim.time.tables import FloatArray

__all__ = ["MODEL_SIGMA_LN_B", "Dispersion", "Ensemble", "draw_ensemble", "entry_percentiles",
           "mean_sma_grid", "rank_low_percentiles", "stratified_normal"]


#: The model sigma of ``ln B`` added in quadrature to a fit's own: the drift of the effective
#: ballistic coefficient from one month to the next (attitude, area, the density model's error
#: with height and activity), which a fit's residuals cannot show. Calibrated on SpaceBEE
#: picosatellites (45 hindcasts of 30 days' decay from 2023-02 to 2024-05, three objects,
#: ``benchmarks/reentry_calibration.py``): with 10 % the 5-95 % band held the observed decay
#: 35 times in 45, the spread of the misses asking for about 12 %; Delfi-PQ's re-entry
#: windows are the held-out check (``docs/validation.md``).
MODEL_SIGMA_LN_B = 0.12


def stratified_normal(rng: np.random.Generator, n: int) -> FloatArray:
    """``n`` standard normal draws, the first zero (the nominal), the others one from each of
    ``n - 1`` equally likely strata, in random order."""
    if n == 1:
        return np.zeros(1)
    u = (rng.permutation(n - 1) + rng.uniform(0.0, 1.0, n - 1)) / (n - 1)
    return np.concatenate([[0.0], ndtri(u)])


@dataclass(frozen=True)
class Dispersion:
    """The 1-sigma dispersions of an ensemble.

    Attributes:
        along_track_m: position along the velocity [m].
        speed_m_s: speed [m/s] (about 90 m of semi-major axis per 5 cm/s at 400 km).
        ln_ballistic: of ``ln B``.
        ln_density: ``s(t)``, of ``ln`` of the density factor at times ``t`` (an array of
            seconds after the start); ``None``: no space-weather dispersion.
    """

    along_track_m: float = 1000.0
    speed_m_s: float = 0.05
    ln_ballistic: float = 0.10
    ln_density: Callable[[FloatArray], FloatArray] | None = None


@dataclass(frozen=True)
class Ensemble:
    """Members' GCRF states ``(N, 3)`` [m, m/s], ballistic coefficients ``(N,)`` [kg/m^2],
    and their space-weather draws ``z_density`` ``(N,)`` with the spread ``ln_density`` (both
    ``None`` without that dispersion)."""

    r_gcrf_m: FloatArray
    v_gcrf_m_s: FloatArray
    ballistic_kg_m2: FloatArray
    z_density: FloatArray | None = None
    ln_density: Callable[[FloatArray], FloatArray] | None = None

    def __len__(self) -> int:
        return len(self.ballistic_kg_m2)

    @property
    def density_factor(self) -> Callable[[FloatArray, NDArray[np.intp]], FloatArray] | None:
        """``f(t_s, members) -> (K,)``, the density factor of members ``members`` at their
        times ``t_s``, as :class:`~stationsim.propagation.lifetime.LifetimePropagator` asks
        (``None`` without a space-weather dispersion)."""
        z, spread = self.z_density, self.ln_density
        if z is None or spread is None:
            return None

        def factor(t_s: FloatArray, idx: NDArray[np.intp]) -> FloatArray:
            return np.asarray(np.exp(z[idx] * spread(np.asarray(t_s))))
        return factor

    def part(self, first: int, stop: int) -> Ensemble:
        """Members ``first`` to ``stop - 1``: a chunk that gives, member for member, what the
        whole ensemble gives."""
        return Ensemble(self.r_gcrf_m[first:stop], self.v_gcrf_m_s[first:stop],
                        self.ballistic_kg_m2[first:stop],
                        None if self.z_density is None else self.z_density[first:stop],
                        self.ln_density)


def draw_ensemble(r0: FloatArray, v0: FloatArray, ballistic_kg_m2: float, members: int,
                  seed: int, dispersion: Dispersion) -> Ensemble:
    """``members`` members around one GCRF state and ``B`` (see the module notes); the mean of
    the ``B`` factor is one."""
    if members < 1:
        raise PropagationError(f"an ensemble needs at least one member (got {members})")
    rng = np.random.default_rng(seed)
    r0 = np.asarray(r0, dtype=np.float64).reshape(3)
    v0 = np.asarray(v0, dtype=np.float64).reshape(3)
    speed = float(np.linalg.norm(v0))
    ds = dispersion.along_track_m * stratified_normal(rng, members)
    dv = dispersion.speed_m_s * stratified_normal(rng, members)
    r = r0[None, :] + ds[:, None] * (v0 / speed)[None, :]
    v = v0[None, :] * (1.0 + dv / speed)[:, None]
    z_b = stratified_normal(rng, members)
    s_b = dispersion.ln_ballistic
    b = ballistic_kg_m2 * np.exp(s_b * z_b - 0.5 * s_b ** 2 * (z_b != 0))
    z_w = stratified_normal(rng, members) if dispersion.ln_density is not None else None
    return Ensemble(r, v, b, z_w, dispersion.ln_density)


def entry_percentiles(entry_s: FloatArray) -> tuple[float, float, float]:
    """Median, 5 % and 95 % of members' entry times [s] (``NaN``: still up, later than any)."""
    ranked = np.where(np.isnan(entry_s), np.inf, np.asarray(entry_s, dtype=np.float64))
    q50, q05, q95 = (float(np.quantile(ranked, q, method="inverted_cdf"))
                     for q in (0.5, 0.05, 0.95))
    return q50, q05, q95


def mean_sma_grid(members: Sequence[MemberResult], times_s: FloatArray) -> FloatArray:
    """Members' mean semi-major axis [m] ``(N, K)`` at ``times_s`` [s from the run's start],
    interpolated in their ephemerides (the lifetime engine's ``mean_sma_m``); ``NaN`` once a
    member has re-entered (or where an ephemeris has no mean semi-major axis)."""
    t = np.asarray(times_s, dtype=np.float64)
    out = np.full((len(members), len(t)), np.nan)
    for i, m in enumerate(members):
        if m.mean_sma_m is None or not len(m.times_s):
            continue
        up = t <= m.times_s[-1] + 1e-6
        if m.status == "reentered":
            up &= t < m.times_s[-1]
        out[i, up] = np.interp(t[up], m.times_s, m.mean_sma_m)
    return out


def rank_low_percentiles(values: FloatArray, q: Sequence[float]) -> FloatArray:
    """Percentiles ``q`` (fractions) over members (axis 0) of ``values`` ``(N, K)``, ``NaN``
    (a member already down) ranked below every value and given as ``-inf``."""
    ranked = np.where(np.isnan(values), -np.inf, np.asarray(values, dtype=np.float64))
    return np.asarray(np.quantile(ranked, list(q), axis=0, method="inverted_cdf"))
