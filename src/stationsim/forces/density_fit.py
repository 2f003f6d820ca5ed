"""Atmospheric density on the integrator's hot path: a log-density fit over a time window.

Calling MSIS at every right-hand-side evaluation costs about 10-30 us per point and cannot be
compiled into the Taylor integrator. Instead, for each time window (a UTC day by default),
the real model is sampled along the predicted orbit and ``ln rho`` is fitted by least squares
on a fixed basis; the fitted coefficients enter the equations of motion as runtime parameters,
so a new window costs a parameter update, never a recompilation.

The basis (all quantities in GCRF, SI units):

* ``u = r / |r|``; ``z = u_z`` (sine of the geocentric latitude);
* the Sun's direction projected on the equator, ``(c_s, s_s)``, a parameter per window;
  ``w = (u_x c_s + u_y s_s) + i (u_y c_s - u_x s_s) = cos(phi) exp(i Lambda)``, with
  ``Lambda`` the local solar hour angle: the harmonics ``w^k`` (k = 1..3) carry the diurnal,
  semidiurnal and terdiurnal bulge and stay regular over the poles;
* latitude factors ``1, z, z^2``; a time factor ``1, tau`` with ``tau`` from -1 to 1 over
  the window;
* the height ``hp = (|r| - a (1 - f z^2) - h0) / 20 km`` above an approximate ellipsoid
  (within ~20 m of the WGS-84 geodetic height at LEO), with terms ``hp, hp^2, hp^3,
  hp Re w, hp Im w, hp z^2``;
* plus one offset per 3-hour slot of the window (the cadence of the ap index), passed as a
  parameter for the slot being integrated.

Measured along ISS orbits against the model being fitted (``tests/forces/test_density_fit.py``
and ``docs/validation.md``): about 1 % RMS with constant or quiet space weather, 1.4 % on
active days, and 2.1 % on the onset day of the May 2024 storm.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import heyoka as hy
import numpy as np

from stationsim.constants import WGS84_A_M, WGS84_F
from stationsim.time.tables import FloatArray

__all__ = [
    "HEIGHT_SCALE_M",
    "N_BASIS",
    "N_FIT_PARS",
    "PLUNGE_HEIGHT_M",
    "DensityFit",
    "basis_values",
    "fit_log_density",
    "log_density_expression",
]

#: Below this mean sample height [m] the fit keeps only its height terms (the final plunge).
PLUNGE_HEIGHT_M = 150e3
#: Height unit of the polynomial terms [m].
HEIGHT_SCALE_M = 20e3
#: Harmonics of the local solar time.
_HARMONICS = 3


def _basis(x: Any, y: Any, z: Any, cs: Any, ss: Any, h0: Any, tau: Any,
           sqrt: Any) -> list[Any]:
    """The basis functions, written once for heyoka expressions (see the module notes)."""
    r = sqrt(x * x + y * y + z * z)
    ux, uy, uz = x / r, y / r, z / r
    wr = ux * cs + uy * ss
    wi = uy * cs - ux * ss
    harmonics = [1.0]
    pr, pi = wr, wi
    for _ in range(_HARMONICS):
        harmonics += [pr, pi]
        pr, pi = pr * wr - pi * wi, pr * wi + pi * wr
    lat = [1.0, uz, uz * uz]
    hp = (r - WGS84_A_M * (1.0 - WGS84_F * uz * uz) - h0) / HEIGHT_SCALE_M
    out: list[Any] = []
    for harmonic in harmonics:
        for factor in lat:
            term = harmonic * factor
            out += [term, term * tau]
    out += [hp, hp * hp, hp * hp * hp, hp * wr, hp * wi, hp * uz * uz]
    return out


#: Number of basis functions (without the slot offsets).
N_BASIS = (2 * _HARMONICS + 1) * 3 * 2 + 6
#: Parameters of one fit in the equations of motion: coefficients, c_s, s_s, h0, window
#: start [s], window half-length [s], slot offset.
N_FIT_PARS = N_BASIS + 6


def log_density_expression(xyz: Sequence[hy.expression], first_par: int) -> hy.expression:
    """``ln rho`` [ln(kg/m^3)] at GCRF position expressions ``xyz`` [m].

    The fit's parameters occupy ``hy.par[first_par : first_par + N_FIT_PARS]`` in the order
    ``coefficients (N_BASIS), c_s, s_s, h0 [m], window start [s], half-length [s], slot
    offset``; ``hy.time`` is the integrator's time [s].
    """
    p = [hy.par[first_par + k] for k in range(N_FIT_PARS)]
    coef = p[:N_BASIS]
    cs, ss, h0, t0, half, offset = p[N_BASIS:]
    tau = (hy.time - t0) / half - 1.0
    terms = _basis(xyz[0], xyz[1], xyz[2], cs, ss, h0, tau, hy.sqrt)
    return hy.sum([c * t for c, t in zip(coef, terms, strict=True)]) + offset


@lru_cache(maxsize=1)
def _basis_cfunc() -> Any:
    x, y, z, tau = hy.make_vars("x", "y", "z", "tau")
    terms = _basis(x, y, z, hy.par[0], hy.par[1], hy.par[2], tau, hy.sqrt)
    return hy.cfunc([t if isinstance(t, hy.expression) else hy.expression(t) for t in terms],
                    vars=[x, y, z, tau])


def basis_values(r_gcrf_m: FloatArray, tau: FloatArray, sun_equator: tuple[float, float],
                 h0_m: float) -> FloatArray:
    """The basis functions at positions ``(N, 3)`` [m] and window times ``tau`` ``(N,)``,
    shape ``(N, N_BASIS)``, through the compiled expressions (one definition, two uses)."""
    r = np.asarray(r_gcrf_m, dtype=np.float64)
    inputs = np.vstack([r.T, np.asarray(tau, dtype=np.float64)[None, :]])
    pars = np.repeat(np.array([[sun_equator[0]], [sun_equator[1]], [h0_m]]), r.shape[0], axis=1)
    return np.asarray(_basis_cfunc()(np.ascontiguousarray(inputs),
                                     pars=np.ascontiguousarray(pars))).T


@dataclass(frozen=True)
class DensityFit:
    """One window's fit: ``ln rho = coefficients . basis + slot_offsets[slot]``.

    Attributes:
        coefficients: ``(N_BASIS,)``.
        slot_edges_s: ``(K + 1,)`` integrator times [s] bounding the window's slots (3-hour
            slots of UTC, clipped to the window; one slot when the space weather is steady).
        slot_offsets: ``(K,)`` offsets of the slots (the first is 0).
        sun_equator: ``(c_s, s_s)``, the unit vector of the Sun's equatorial projection.
        h0_m: reference height [m].
        start_s, length_s: the window in integrator time [s] (``tau`` runs from -1 to 1).
        rms_log: RMS residual of the fit in ``ln rho`` at the samples (about the relative error).
    """

    coefficients: FloatArray
    slot_edges_s: FloatArray
    slot_offsets: FloatArray
    sun_equator: tuple[float, float]
    h0_m: float
    start_s: float
    length_s: float
    rms_log: float

    def parameters(self, slot: int) -> FloatArray:
        """The ``N_FIT_PARS`` runtime parameters for integrating slot ``slot``."""
        return np.concatenate([self.coefficients, [
            self.sun_equator[0], self.sun_equator[1], self.h0_m, self.start_s,
            self.length_s / 2.0, self.slot_offsets[slot]]])

    def slots_of(self, t_s: FloatArray) -> FloatArray:
        """The slot index of integrator times ``t_s`` [s] (clipped to the window)."""
        k = np.searchsorted(self.slot_edges_s, np.asarray(t_s, dtype=np.float64), side="right")
        return np.asarray(np.clip(k - 1, 0, len(self.slot_offsets) - 1))

    def slot_of(self, t_s: float) -> int:
        """The slot of one integrator time [s]."""
        return int(self.slots_of(np.array([t_s]))[0])

    def log_density(self, r_gcrf_m: FloatArray, t_s: FloatArray) -> FloatArray:
        """The fitted ``ln rho`` at positions ``(N, 3)`` and integrator times ``(N,)``."""
        t = np.asarray(t_s, dtype=np.float64)
        tau = (t - self.start_s) / (self.length_s / 2.0) - 1.0
        return np.asarray(basis_values(r_gcrf_m, tau, self.sun_equator, self.h0_m)
                          @ self.coefficients + self.slot_offsets[self.slots_of(t)])


#: Ridge regularisation, relative to the unit-scaled normal matrix: it keeps coefficients
#: that the samples cannot separate (a window shorter than an orbit) small, not wild.
_RIDGE = 1e-8


def fit_log_density(r_gcrf_m: FloatArray, t_s: FloatArray, density_kg_m3: FloatArray, *,
                    sun_gcrf: FloatArray, start_s: float, length_s: float,
                    slot_edges_s: FloatArray | None = None) -> DensityFit:
    """Least-squares fit of ``ln rho`` over one window.

    Args:
        r_gcrf_m: sample positions ``(N, 3)`` [m], GCRF.
        t_s: sample times ``(N,)`` in integrator time [s], within the window.
        density_kg_m3: the model's density at the samples ``(N,)``.
        sun_gcrf: the Sun's GCRF direction (any length) for the window.
        start_s, length_s: the window [s].
        slot_edges_s: edges of the slots that get their own offset (e.g. the 3-hour ap
            slots); default one slot.
    """
    r = np.asarray(r_gcrf_m, dtype=np.float64)
    t = np.asarray(t_s, dtype=np.float64)
    rho = np.asarray(density_kg_m3, dtype=np.float64)
    sun = np.asarray(sun_gcrf, dtype=np.float64)
    norm = float(np.hypot(sun[0], sun[1]))
    sun_equator = (float(sun[0] / norm), float(sun[1] / norm))
    radius = np.linalg.norm(r, axis=1)
    h0 = float(np.mean(radius - WGS84_A_M * (1.0 - WGS84_F * (r[:, 2] / radius) ** 2)))
    tau = (t - start_s) / (length_s / 2.0) - 1.0
    design = basis_values(r, tau, sun_equator, h0)
    if h0 < PLUNGE_HEIGHT_M:
        # The last minutes: height dominates and the samples span tens of km of it. Keep only
        # ln(rho) linear in height, a local exponential atmosphere: it cannot grow wild
        # outside the samples, as a polynomial would when the orbit leaves the band.
        keep = np.zeros(N_BASIS, dtype=bool)
        keep[0] = True
        keep[N_BASIS - 6] = True
        design = design * keep
    edges = (np.array([start_s, start_s + length_s]) if slot_edges_s is None
             else np.asarray(slot_edges_s, dtype=np.float64))
    n_slots = len(edges) - 1
    slot = np.clip(np.searchsorted(edges, t, side="right") - 1, 0, n_slots - 1)
    used = [k for k in range(1, n_slots) if np.any(slot == k)]
    if used:
        indicators = (slot[:, None] == np.array(used)[None, :]).astype(float)
        design = np.hstack([design, indicators])
    target = np.log(rho)
    # Columns differ in scale (hp^3 against 1): solve on unit columns, with a light ridge.
    scale = np.linalg.norm(design, axis=0)
    scale[scale == 0.0] = 1.0
    unit = design / scale
    normal = unit.T @ unit
    normal[np.diag_indices_from(normal)] += _RIDGE * np.trace(normal) / normal.shape[0]
    solution = np.linalg.solve(normal, unit.T @ target) / scale
    residual = design @ solution - target
    offsets = np.zeros(n_slots)
    for j, k in enumerate(used):
        offsets[k] = solution[N_BASIS + j]
    return DensityFit(coefficients=solution[:N_BASIS].copy(), slot_edges_s=edges,
                      slot_offsets=offsets, sun_equator=sun_equator, h0_m=h0,
                      start_s=float(start_s), length_s=float(length_s),
                      rms_log=float(np.sqrt(np.mean(residual ** 2))))
