"""A run's time windows: UTC-aligned windows, the Earth orientation over each, and the
density fit that stands in for the atmosphere model over each.

The propagators (:mod:`.numerical`; :mod:`.direct` for the orientation only) cut a run into
windows: a UTC day, or shorter near re-entry, the longest of :data:`WINDOWS` in which the
expected decay stays within 6 km. Per window the Earth-orientation parameters are set once
(:meth:`Windows.set_orientation`), and the run's atmosphere is sampled along the orbit predicted
by a small drag-free J2 integrator (:func:`predict`), in a height band that covers the expected
decay, and fitted (:mod:`stationsim.forces.density_fit`).
"""

from __future__ import annotations

import time as _time
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import heyoka as hy
import numpy as np

from stationsim.constants import GM_EARTH_M3_S2, J2_EARTH, JD_J2000, WGS84_A_M, WGS84_F
from stationsim.forces.atmosphere import Atmosphere
from stationsim.forces.density_fit import DensityFit, fit_log_density
from stationsim.forces.drag import DragProperties
from stationsim.forces.gravity import point_mass_acceleration, zonal_acceleration
from stationsim.forces.sun import sun_position_gcrf
from stationsim.frames import earth_rotation, earth_rotation_angle_rad, itrf_to_geodetic
from stationsim.propagation.dynamics import ForceModel, ParameterLayout
from stationsim.propagation.kepler import elements_from_state
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = ["DAY", "SLOT", "WINDOWS", "Windows", "predict"]

DAY = 86400.0
#: Window lengths [s], each dividing the previous one; the shortest is used near re-entry.
WINDOWS = (86400.0, 10800.0, 3600.0, 1200.0, 300.0, 60.0)
#: The decay allowed within one window before a shorter window is chosen [m].
_DECAY_PER_WINDOW_M = 6e3
#: The cadence of the ap index [s]: the density fit gets one offset per 3-hour UTC slot.
SLOT = 10800.0
_BAND_MARGIN_M = 3e3


class Windows:
    """The windows of one run from ``epoch`` to ``t_end`` [s of TT]: their bounds, the
    runtime parameters ``pars`` (of ``layout``) they set, and the density fits.

    Args:
        model: the forces (its ``orientation`` and ``drag`` decide what a window sets).
        atmosphere: the model behind the density fits (with ``model.drag == "fit"``).
        samples_per_window: atmosphere samples per fit.
    """

    def __init__(self, model: ForceModel, atmosphere: Atmosphere | None,
                 samples_per_window: int, layout: ParameterLayout, epoch: Epoch,
                 t_end: float) -> None:
        self.model, self.atmosphere = model, atmosphere
        self.samples_per_window = samples_per_window
        self.layout, self.epoch, self.t_end = layout, epoch, t_end
        #: Per-run memos of windows and orientation (members and batches share their times).
        self._boundaries: dict[tuple[float, float], tuple[float, float]] = {}
        self._orientation: dict[tuple[float, float], FloatArray] = {}
        self.mjd0 = float(np.asarray(epoch.mjd_utc))
        tt1, tt2 = epoch.tt
        self.jc0 = float(((tt1 - JD_J2000) + tt2) / 36525.0)
        self.pars = layout.defaults()
        if "jc0" in layout:
            self.pars[layout.index("jc0")] = self.jc0

    # --- windows --------------------------------------------------------------------------
    def utc_boundary(self, t: float, length: float) -> tuple[float, float]:
        """The UTC-aligned window of ``length`` [s] containing integrator time ``t``."""
        if (t, length) not in self._boundaries:
            self._boundaries[t, length] = self._utc_boundary(t, length)
        return self._boundaries[t, length]

    def _utc_boundary(self, t: float, length: float) -> tuple[float, float]:
        start, end = self._utc_window(t, length)
        if end <= t + 1e-6:
            # ``t`` on a boundary can come back a hair before it (the UTC seconds of a
            # two-part epoch are rounded): its window is the next one, not an empty one.
            start, end = self._utc_window(end + 1e-3, length)
        return start, end

    def _utc_window(self, t: float, length: float) -> tuple[float, float]:
        ts = self.epoch.ts
        here = self.epoch + t
        day, sec = here.utc_day_seconds()
        k = np.floor(float(sec) / length)
        start = ts.from_utc_day_seconds(day, k * length) - self.epoch
        end = ts.from_utc_day_seconds(day, min((k + 1) * length, DAY))
        end_s = float(end - self.epoch)
        if (k + 1) * length >= DAY:
            end_s = float(ts.from_utc_day_seconds(float(day) + 1.0, 0.0) - self.epoch)
        return float(start), end_s

    def set_orientation(self, t0: float, t1: float) -> None:
        """Earth-orientation parameters for the window ``[t0, t1)`` (computed once per run)."""
        lay, p = self.layout, self.pars
        end = lay.index("omega") + 1
        if (t0, t1) in self._orientation:
            p[:end] = self._orientation[t0, t1]
            return
        self._set_orientation(t0, t1)
        self._orientation[t0, t1] = p[:end].copy()

    def _set_orientation(self, t0: float, t1: float) -> None:
        lay, p = self.layout, self.pars
        if self.model.orientation == "uniform":
            p[lay.index("era0")] = float(earth_rotation_angle_rad(self.epoch + t0))
            p[lay.index("t_era0")] = t0
            return
        mid = earth_rotation(self.epoch + 0.5 * (t0 + t1))
        start = earth_rotation(self.epoch + t0)
        p[lay.index("c2i"):lay.index("c2i") + 9] = np.asarray(mid.c2i).ravel()
        p[lay.index("pom"):lay.index("pom") + 9] = np.asarray(mid.pom).ravel()
        p[lay.index("era0")] = float(start.era_rad)
        p[lay.index("t_era0")] = t0
        p[lay.index("omega")] = float(start.omega_rad_s)

    def open_window(self, t: float, lanes: Sequence[tuple[FloatArray, DragProperties | None]],
                    stats: dict[str, float]) -> tuple[list[DensityFit | None], float]:
        """Start a window at integrator time ``t`` [s] for members given as (state, drag):
        set the Earth orientation; return one density fit per member (``None`` without fitted
        drag) and the window's end [s]. With a fit, the window is the longest of
        :data:`WINDOWS` in which no member decays by more than 6 km, so that members run
        together share their windows and slots."""
        fits: list[DensityFit | None] = [None] * len(lanes)
        if self.model.drag == "fit":
            rates = [self._decay_rate(t, y, drag) for y, drag in lanes]
            length = min(window_length(rate) for rate in rates)
            we = t
            for k, ((y, _), rate) in enumerate(zip(lanes, rates, strict=True)):
                fits[k], _ws, we = self.fit_density(t, y, rate, stats, length)
        elif self.model.orientation == "uniform":
            we = self.t_end  # nothing changes between windows: one segment per event
        else:
            _ws, we = self.utc_boundary(t, DAY)
        # Orientation over the rest of the UTC day, whatever the run's end: a state at t
        # must not depend on how far beyond t the run goes.
        self.set_orientation(t, self.utc_boundary(t, DAY)[1])
        return fits, min(we, self.t_end)

    def fit_density(self, t: float, state: FloatArray, decay_rate: float,
                    stats: dict[str, float], length: float | None = None
                    ) -> tuple[DensityFit, float, float]:
        """Fit the atmosphere over the window that starts at ``t``; returns the fit and the
        window's start and end [s]. The window is ``length`` [s] long (default: shortened
        while the expected decay exceeds 6 km)."""
        if length is None:
            length = window_length(decay_rate)
        ws, we = self.utc_boundary(t, length)
        we = min(we, max(self.t_end, t + 1.0))
        time_now = _time.perf_counter()
        self.set_orientation(t, self.utc_boundary(t, DAY)[1])
        ns = self.samples_per_window
        frac = (np.arange(ns) + 0.5) / ns
        times = t + frac * (we - t)
        positions = predict(state, times - t)
        low = _BAND_MARGIN_M + 1.5 * decay_rate * (we - t)
        offsets = -low + (low + _BAND_MARGIN_M) * _van_der_corput(ns)
        radius = np.linalg.norm(positions, axis=1)
        floor = WGS84_A_M * (1.0 - WGS84_F) + 60e3
        new_radius = np.maximum(radius + offsets, floor)
        positions = positions * (new_radius / radius)[:, None]
        rho = self.density(times, positions)
        sun = sun_position_gcrf(self.epoch + 0.5 * (t + we))
        edges = [t]
        if length >= SLOT:
            edges += [c for c in ws + SLOT * np.arange(1, length / SLOT) if t < c < we]
        edges.append(we)
        fit = fit_log_density(positions, times, rho, sun_gcrf=sun, start_s=t, length_s=we - t,
                              slot_edges_s=np.array(edges))
        stats["density_fits"] += 1
        stats["density_samples"] += ns
        stats["fit_s"] += _time.perf_counter() - time_now
        return fit, ws, we

    def density(self, times_s: FloatArray, r_gcrf_m: FloatArray) -> FloatArray:
        """The atmosphere's density [kg/m^3] at integrator times [s] of the current window and
        GCRF positions ``(N, 3)`` [m].

        Models with ``density_geodetic`` get geodetic points from the window's Earth
        orientation, the one the equations use (the celestial pole held over the day moves by
        under 0.01 arcsec, 0.3 m on the ground), and UTC as the run's start plus ``times_s``
        (off by a second after a leap second inside the window); others turn each point with
        the full IAU 2006/2000A chain.
        """
        atmosphere = self.atmosphere
        assert atmosphere is not None  # checked by the propagators
        at_points = getattr(atmosphere, "density_geodetic", None)
        if at_points is None:
            return np.asarray(atmosphere.density(self.epoch + times_s, r_gcrf_m))
        lat, lon, height = itrf_to_geodetic(self.itrf_positions(times_s, r_gcrf_m))
        return np.asarray(at_points(self.mjd0 + times_s / DAY, lat, lon, height))

    def itrf_positions(self, times_s: FloatArray, r_gcrf_m: FloatArray) -> FloatArray:
        """ITRF positions [m] of GCRF positions ``(N, 3)`` [m] at integrator times [s], by the
        current window's orientation parameters (as :mod:`.dynamics` turns them)."""
        lay, p = self.layout, self.pars
        c2i = p[lay.index("c2i"):lay.index("c2i") + 9].reshape(3, 3)
        pom = p[lay.index("pom"):lay.index("pom") + 9].reshape(3, 3)
        theta = p[lay.index("era0")] + p[lay.index("omega")] * (
            np.asarray(times_s) - p[lay.index("t_era0")])
        q = np.asarray(r_gcrf_m) @ c2i.T
        c, s = np.cos(theta), np.sin(theta)
        tirs = np.column_stack([c * q[:, 0] + s * q[:, 1], -s * q[:, 0] + c * q[:, 1], q[:, 2]])
        return np.asarray(tirs @ pom.T)

    def _decay_rate(self, t: float, state: FloatArray, drag: DragProperties | None) -> float:
        """An upper estimate of the decay rate of the semi-major axis [m/s] at time ``t``: the
        circular-orbit rate ``rho (C_D A/m) sqrt(mu a)`` with the density at perigee height,
        doubled for the density's variation around the orbit."""
        if self.model.drag != "fit" or drag is None or self.atmosphere is None:
            return 0.0
        el = elements_from_state(state[:3], state[3:6])
        if not 0.0 < float(el.e) < 1.0:
            return 0.0
        perigee = float(el.a_m * (1.0 - el.e))
        point = state[:3] / np.linalg.norm(state[:3]) * max(perigee, WGS84_A_M + 60e3)
        when = self.epoch + t
        rho = float(np.asarray(self.atmosphere.density(when, point[None, :]))[0])
        cd_area = drag.drag_area_m2(when, state[:3], state[3:6])
        return float(2.0 * rho * cd_area / state[6] * np.sqrt(GM_EARTH_M3_S2 * el.a_m))


def window_length(decay_rate: float) -> float:
    """The longest window [s] in which a decay at ``decay_rate`` [m/s] stays within 6 km."""
    return next((c for c in WINDOWS if decay_rate * c <= _DECAY_PER_WINDOW_M), WINDOWS[-1])


_PREDICTOR: list[Any] = []


def predict(state: FloatArray, dt_s: FloatArray) -> FloatArray:
    """Positions [m] after ``dt_s`` (increasing) without drag: point mass + J2 about GCRF z,
    osculating, so the predicted heights follow the real orbit's J2 oscillations."""
    if not _PREDICTOR:
        x, y, z, vx, vy, vz = hy.make_vars("x", "y", "z", "vx", "vy", "vz")
        acc = point_mass_acceleration([x, y, z], GM_EARTH_M3_S2)
        j2 = zonal_acceleration([x, y, z], GM_EARTH_M3_S2, WGS84_A_M, [J2_EARTH])
        sys = [(x, vx), (y, vy), (z, vz)] + [(w, a + b) for w, a, b in zip(
            (vx, vy, vz), acc, j2, strict=True)]
        _PREDICTOR.append(hy.taylor_adaptive(sys, [WGS84_A_M + 4e5, 0, 0, 0, 7.6e3, 0],
                                             tol=1e-6))
    ta = _PREDICTOR[0]
    ta.time = 0.0
    ta.state[:] = state[:6]
    grid = np.concatenate([[0.0], np.asarray(dt_s, dtype=np.float64)])
    res = ta.propagate_grid(grid)
    return np.asarray(res[-1][1:, :3])


@lru_cache(maxsize=8)
def _van_der_corput(n: int) -> FloatArray:
    """The first ``n`` points of the base-2 van der Corput sequence (deterministic, even)."""
    out = np.zeros(n)
    for i in range(n):
        k, denom, value = i + 1, 1.0, 0.0
        while k:
            denom *= 2.0
            k, bit = divmod(k, 2)
            value += bit / denom
        out[i] = value
    return out
