"""Fast lifetime engine: orbit-averaged decay of the mean semi-major axis under drag.

For months and years of decay the full numerical propagator spends its time following every
revolution. This engine follows what decides the lifetime and nothing more:

* each member's *mean* semi-major axis ``a`` (the osculating ``a`` averaged over a revolution,
  as in :mod:`.ballistic`) obeys the orbit average of the drag term of Gauss's equation,
  ``da/dt = -sqrt(mu a) / B * <rho g>``, where ``g = |v_rel| (v - w r cos i) / v^2`` carries
  the co-rotating air (``w`` the Earth's rate) and ``B = m / (C_D A)``;
* the mean argument of latitude advances at the nodal rate of the orbit (measured on the
  reference revolution), scaled as ``(a0 / a)^1.5``, and the node drifts at the J2 secular
  rate, so that a member has a place
  (and a ground track) at any time, not only a height;
* the shape of a revolution (radius against argument of latitude, with the J2 short-period
  terms and the eccentricity of the start) is taken from one drag-free revolution of the full
  force model and scaled with ``a``;
* the orbit average ``<rho g>`` comes from a table per time slot (a UTC day) and per mean
  height (every 5 km), filled lazily where members are: each entry averages the atmosphere
  model at 48 points spread over the slot and over the revolution (a low-discrepancy sequence
  of phases), so the day-night bulge, the latitude band and the day's space weather enter as
  the model has them. ``ln <rho g>`` is interpolated linearly in height (under 0.1 % between
  nodes, the scale height being 25-60 km).

The members share the table (one atmosphere, one orbit plane): an ensemble of any size costs
the table plus a few vector operations per step. Each member may carry its own multiplicative
density factor over time (a space-weather dispersion). Each member keeps its own clock and
fourth-order Runge-Kutta step, within one slot and short enough that its mean height changes by
at most 2 km; the arrays advance every member at once. A table entry depends only on its slot
and node, so a member's result is the same whatever ensemble it is run in: an ensemble split
into chunks (other processes, a Dask cluster) gives the same numbers, bit for bit.

A member *re-enters* when the lowest point of its revolution (the mean height less the depth
of the reference revolution's lowest geodetic point) reaches the entry height (120 km), and
*breaks up* at 78 km; a member may also be stopped at a hand-over height, where the full
numerical propagator can take over for the last revolutions, which decide the place.

Validated against :class:`.numerical.Propagator` with the same forces (``docs/validation.md``,
``tests/propagation/test_lifetime.py``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stationsim.constants import EARTH_ROTATION_RATE_RAD_S, GM_EARTH_M3_S2, WGS84_A_M
from stationsim.errors import PropagationError
from stationsim.forces.atmosphere import Atmosphere
from stationsim.frames import gcrf_to_itrf_position, itrf_to_geodetic
from stationsim.frames.earth import earth_rotation
from stationsim.propagation.dynamics import ForceModel
from stationsim.propagation.events import EventRecord
from stationsim.propagation.kepler import elements_from_state, j2_secular_rates
from stationsim.propagation.numerical import (
    MemberResult,
    PropagationResult,
    Propagator,
    end_time,
    initial_states,
)
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = ["LifetimePropagator", "ReferenceRevolution", "reference_revolution"]

#: Samples of the reference revolution.
_K = 128
#: Atmosphere samples per table entry (time slot x height node).
_SAMPLES = 48
#: Height nodes of the table [m].
_NODE_M = 5e3
#: Largest change of a member's mean height in one step [m].
_MAX_STEP_DROP_M = 2e3
_GOLDEN = 0.6180339887498949


@dataclass(frozen=True)
class ReferenceRevolution:
    """One drag-free revolution of the nominal orbit: the shape the engine scales with ``a``.

    Attributes:
        a_mean_m: the revolution's mean semi-major axis [m].
        u_rad: argument of latitude (unwrapped) of ``K + 1`` samples equally spaced in time
            over one nodal period, the last closing the revolution (``u_rad[0] + 2 pi``).
        radius_ratio: their radius over ``a_mean_m``.
        v_radial_ratio, v_along_ratio: velocity components over ``sqrt(mu / a_mean)``.
        inclination_rad: mean inclination.
        raan_rad: node at the start [rad]; ``raan_rate_rad_s`` its secular drift.
        u_rate_rad_s: nodal mean motion at ``a_mean_m`` [rad/s].
        low_point_m: the mean height ``a - R_e`` less the lowest geodetic height of the
            revolution [m] (the J2 terms, the ellipsoid and the eccentricity).
        a_offset_m: the start state's mean less its osculating semi-major axis [m].
        u0_rad: the start state's argument of latitude.
    """

    a_mean_m: float
    u_rad: FloatArray
    radius_ratio: FloatArray
    v_radial_ratio: FloatArray
    v_along_ratio: FloatArray
    inclination_rad: float
    raan_rad: float
    raan_rate_rad_s: float
    u_rate_rad_s: float
    low_point_m: float
    a_offset_m: float
    u0_rad: float

    def positions(self, a_m: ArrayLike, u_rad: ArrayLike, raan_rad: ArrayLike
                  ) -> tuple[FloatArray, FloatArray]:
        """GCRF positions and velocities [m, m/s] at mean semi-major axis ``a``, mean argument
        of latitude ``u`` (the reference's ``u_rad[0]`` at its start, advancing uniformly) and
        node (broadcast), shape ``(..., 3)`` each."""
        a, u, raan = np.broadcast_arrays(np.asarray(a_m, dtype=np.float64),
                                         np.asarray(u_rad, dtype=np.float64),
                                         np.asarray(raan_rad, dtype=np.float64))
        phase = (u - self.u_rad[0]) / (2.0 * np.pi) * _K
        turns = np.floor(phase / _K)
        index = phase - turns * _K
        k0 = np.minimum(np.floor(index).astype(int), _K - 1)
        w = index - k0

        def at(series: FloatArray) -> FloatArray:
            return np.asarray((1.0 - w) * series[k0] + w * series[k0 + 1])

        uu = at(self.u_rad) + 2.0 * np.pi * turns
        r = a * at(self.radius_ratio)
        speed = np.sqrt(GM_EARTH_M3_S2 / a)
        vr, vt = speed * at(self.v_radial_ratio), speed * at(self.v_along_ratio)
        cu, su = np.cos(uu), np.sin(uu)
        co, so = np.cos(raan), np.sin(raan)
        ci, si = np.cos(self.inclination_rad), np.sin(self.inclination_rad)
        # Unit vectors of the radial and along-track directions in GCRF.
        rad = np.stack([co * cu - so * su * ci, so * cu + co * su * ci, su * si], axis=-1)
        alo = np.stack([-co * su - so * cu * ci, -so * su + co * cu * ci, cu * si], axis=-1)
        return r[..., None] * rad, vr[..., None] * rad + vt[..., None] * alo


def reference_revolution(model: ForceModel, epoch: Epoch, r_gcrf_m: FloatArray,
                         v_gcrf_m_s: FloatArray) -> ReferenceRevolution:
    """Two drag-free revolutions of the full force model (its gravity, Sun and Moon) from one
    GCRF state, reduced to the shape, rates and offsets the engine needs."""
    drag_free = dataclasses.replace(model, drag=None, thrust=False, srp=False)
    r0 = np.asarray(r_gcrf_m, dtype=np.float64).reshape(3)
    v0 = np.asarray(v_gcrf_m_s, dtype=np.float64).reshape(3)
    osc0 = elements_from_state(r0, v0)
    period = float(2.0 * np.pi * np.sqrt(float(osc0.a_m) ** 3 / GM_EARTH_M3_S2))
    times = np.arange(2 * _K + 1) * period / _K
    member = Propagator(drag_free).propagate(epoch, r0, v0, duration_s=float(times[-1]),
                                             output_times_s=times).members[0]
    if member.status != "completed" or len(member.times_s) < 2 * _K:
        raise PropagationError("the reference revolution could not be propagated "
                               "(the start is too low for an orbit)")
    st = member.states
    el = elements_from_state(st[:, :3], st[:, 3:6])
    r = np.linalg.norm(st[:, :3], axis=1)
    h_vec = np.cross(st[:, :3], st[:, 3:6])
    node = np.cross(np.array([0.0, 0.0, 1.0]), h_vec)
    node /= np.linalg.norm(node, axis=1)[:, None]
    rhat = st[:, :3] / r[:, None]
    u = np.unwrap(np.arctan2(np.einsum("ij,ij->i", np.cross(node, rhat), h_vec)
                             / np.linalg.norm(h_vec, axis=1), np.einsum("ij,ij->i", node, rhat)))
    t = member.times_s
    # The nodal period: the time to come back to the start's argument of latitude (the
    # short-period terms repeat with u, so they cancel; a slope fit would keep 1e-4 of them).
    u_rate = float(2.0 * np.pi / np.interp(u[0] + 2.0 * np.pi, u, t))
    raan = np.unwrap(np.asarray(el.raan_rad))
    inclination = float(np.mean(el.i_rad))
    # The node: J2's secular rate (a fit over two revolutions would carry the short-period
    # wobble, 2 % of the rate, 36 degrees of node a year); the mean node at the start.
    raan_rate = float(j2_secular_rates(float(np.mean(el.a_m)), 0.0, inclination)[0])
    raan0 = float(np.mean(raan - raan_rate * t))
    # Resample one nodal period at K equal steps from the start.
    nodal = 2.0 * np.pi / u_rate
    grid = np.arange(_K + 1) * nodal / _K
    a_mean = float(np.mean(np.interp(grid[:-1], t, el.a_m)))
    speed = np.sqrt(GM_EARTH_M3_S2 / a_mean)
    v_radial = np.einsum("ij,ij->i", st[:, 3:6], rhat)
    v_along = np.sqrt(np.maximum(np.einsum("ij,ij->i", st[:, 3:6], st[:, 3:6])
                                 - v_radial ** 2, 0.0))
    when = epoch + grid
    positions = np.column_stack([np.interp(grid, t, st[:, j]) for j in range(3)])
    heights = itrf_to_geodetic(gcrf_to_itrf_position(when, positions))[2]
    return ReferenceRevolution(
        a_mean_m=a_mean, u_rad=np.interp(grid, t, u) - 2.0 * np.pi * np.floor(u[0] / (2 * np.pi)),
        radius_ratio=np.interp(grid, t, r) / a_mean,
        v_radial_ratio=np.interp(grid, t, v_radial) / speed,
        v_along_ratio=np.interp(grid, t, v_along) / speed,
        inclination_rad=inclination, raan_rad=raan0,
        raan_rate_rad_s=raan_rate, u_rate_rad_s=u_rate,
        low_point_m=float(a_mean - WGS84_A_M - np.min(heights)),
        a_offset_m=float(a_mean - float(osc0.a_m)), u0_rad=float(np.mod(u[0], 2.0 * np.pi)))


class _Table:
    """``ln <rho g>`` per time slot and height node, filled where asked.

    The samples of a slot share one Earth orientation (the precession-nutation and polar motion
    at the slot's middle, with the rotation angle advanced at the Earth's rate), as the
    propagator's density fits do: the celestial pole moves by well under an arcsecond in a day.
    """

    _NODES = 241  # 0 .. 1,200 km

    def __init__(self, atmosphere: Atmosphere, ref: ReferenceRevolution, epoch: Epoch,
                 slot_s: float, t_end_s: float, margin: int) -> None:
        self.atmosphere = atmosphere
        self.margin = margin
        self.ref = ref
        self.epoch = epoch
        self.slot_s = slot_s
        self.rows = np.full((int(np.ceil(t_end_s / slot_s)) + 1, self._NODES), np.nan)
        self.samples = 0
        self.entries = 0
        m = np.arange(_SAMPLES)
        self._time_frac = (m + 0.5) / _SAMPLES
        self._phase = np.mod(0.5 + m * _GOLDEN, 1.0) * 2.0 * np.pi

    def _geodetic(self, slot: int, t: FloatArray, r: FloatArray
                  ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Latitude, longitude, height of GCRF positions at times ``t`` of one slot, through
        the slot's Earth orientation."""
        rot = earth_rotation(self.epoch + float((slot + 0.5) * self.slot_s))
        angle = rot.era_rad + rot.omega_rad_s * (t - (slot + 0.5) * self.slot_s)
        cirs = np.einsum("ij,...j->...i", rot.c2i, r)
        c, s = np.cos(angle), np.sin(angle)
        tirs = np.stack([c * cirs[..., 0] + s * cirs[..., 1],
                         -s * cirs[..., 0] + c * cirs[..., 1], cirs[..., 2]], axis=-1)
        return itrf_to_geodetic(np.einsum("ij,...j->...i", rot.pom, tirs))

    def _fill(self, wanted: list[tuple[int, NDArray[np.intp]]]) -> None:
        """Fill the entries ``(slot, nodes)`` of ``wanted``, with one call of the atmosphere
        model (its cost per call would otherwise rival its cost per point)."""
        ref = self.ref
        geodetic = getattr(self.atmosphere, "density_geodetic", None)
        factors: list[FloatArray] = []
        densities: list[FloatArray] = []
        points: list[tuple[FloatArray, ...]] = []
        for slot, nodes in wanted:
            t = (slot + self._time_frac) * self.slot_s
            a = WGS84_A_M + nodes.astype(np.float64)[:, None] * _NODE_M + 0.0 * t[None, :]
            u = ref.u_rad[0] + self._phase[None, :] + 0.0 * a
            raan = ref.raan_rad + ref.raan_rate_rad_s * t[None, :] + 0.0 * a
            r, v = ref.positions(a, u, raan)
            # The air co-rotates: along-track and cross-track parts of the relative velocity.
            v_rel = v - np.cross(np.array([0.0, 0.0, EARTH_ROTATION_RATE_RAD_S]), r)
            speed = np.linalg.norm(v, axis=-1)
            factors.append(np.linalg.norm(v_rel, axis=-1)
                           * np.einsum("...j,...j->...", v_rel, v) / speed ** 3)
            when = self.epoch + t
            if geodetic is None:
                densities.append(np.asarray(self.atmosphere.density(when, r)))
            else:
                lat, lon, h = self._geodetic(slot, t, r)
                points.append((np.broadcast_to(when.mjd_utc, lat.shape), lat, lon, h))
        if geodetic is not None:
            flat = np.asarray(geodetic(*(np.concatenate([p[k].ravel() for p in points])
                                         for k in range(4))))
            edges = np.cumsum([0] + [g.size for g in factors])
            densities = [flat[e0:e1].reshape(g.shape)
                         for e0, e1, g in zip(edges[:-1], edges[1:], factors, strict=True)]
        for (slot, nodes), g, rho in zip(wanted, factors, densities, strict=True):
            self.samples += rho.size
            self.entries += len(nodes)
            self.rows[slot, nodes] = np.log(np.mean(rho * g, axis=1))

    def log_density(self, slot: NDArray[np.intp], height_m: FloatArray) -> FloatArray:
        """``ln <rho g>`` at mean heights ``a - R_e`` [m], each in its own slot (arrays of one
        shape). An entry depends only on its slot and node, never on who asks: a member's
        result is the same in any ensemble."""
        x = np.asarray(height_m) / _NODE_M
        if np.any(x < 0) or np.any(x >= self._NODES - 2):
            raise PropagationError("a mean height left the lifetime engine's table "
                                   "(0 to 1,200 km)")
        lo = np.floor(x).astype(np.intp)
        f0, f1 = self.rows[slot, lo], self.rows[slot, lo + 1]
        missing = np.isnan(f0) | np.isnan(f1)
        if np.any(missing):
            # In an ensemble, with a node of margin on each side: the members that enter the
            # slot later will want them, and one call for many entries is cheaper than many.
            wanted = []
            for k in np.unique(slot[missing]):
                near = lo[missing & (slot == k)]
                span = np.arange(-self.margin, 2 + self.margin)
                nodes = np.unique(np.clip(near[:, None] + span[None, :], 0, self._NODES - 1))
                nodes = nodes[np.isnan(self.rows[k, nodes])]
                if len(nodes):
                    wanted.append((int(k), nodes))
            self._fill(wanted)
            f0, f1 = self.rows[slot, lo], self.rows[slot, lo + 1]
        return np.asarray(f0 + (x - lo) * (f1 - f0))


class LifetimePropagator:
    """Orbit-averaged decay of an ensemble (see the module notes).

    Args:
        model: the force model of the reference revolution (its gravity, Sun and Moon).
        atmosphere: the density model averaged into the table.
        reentry_height_m, breakup_height_m: of the revolution's lowest point.
        slot_s: the table's time slot [s] (default one day).
    """

    def __init__(self, model: ForceModel, atmosphere: Atmosphere, *,
                 reentry_height_m: float = 120e3, breakup_height_m: float = 78e3,
                 slot_s: float = 86400.0) -> None:
        self.model = model
        self.atmosphere = atmosphere
        self.reentry_height_m = reentry_height_m
        self.breakup_height_m = breakup_height_m
        self.slot_s = slot_s

    def propagate(self, epoch: Epoch, r_gcrf_m: FloatArray, v_gcrf_m_s: FloatArray, *,
                  ballistic_kg_m2: ArrayLike, until: Epoch | None = None,
                  duration_s: float | None = None,
                  density_factor: Callable[[FloatArray, NDArray[np.intp]], FloatArray]
                  | None = None,
                  handover_height_m: float | None = None,
                  output_step_s: float | None = 86400.0,
                  progress: Callable[[float], None] | None = None,
                  reference: ReferenceRevolution | None = None) -> PropagationResult:
        """Decay members from one epoch to breakup (or the hand-over height, or the end).

        Args:
            epoch: the start; ``r_gcrf_m``, ``v_gcrf_m_s`` the members' states ``(N, 3)``.
            ballistic_kg_m2: ``m / (C_D A)`` per member ``(N,)`` (or one for all).
            until, duration_s: the end (default ten years).
            density_factor: ``f(t_s, members) -> (K,)``, a multiplier of the density of
                members ``members`` (indices, ``(K,)``) at their times ``t_s`` (seconds after
                ``epoch``, ``(K,)``): a space-weather dispersion; default 1.
            handover_height_m: record a ``"handover"`` event (with the state to continue from)
                when a member's mean height ``a - R_e`` reaches this.
            output_step_s: the ephemeris step: one state per member per step (the mean
                orbit's position at that instant); ``None``: only the final state.
            progress: called with the fraction of members done.
            reference: the reference revolution (default: from the first member's state).

        Returns:
            the members' results with ``"reentry"`` and ``"breakup"`` events (the place is
            the mean orbit's at that instant) and, in ``statistics``, ``steps`` (the most any
            member took), ``member_steps`` (all of them), ``density_samples`` and
            ``table_entries``.
        """
        r0, v0 = initial_states(r_gcrf_m, v_gcrf_m_s)
        n = r0.shape[0]
        b = np.broadcast_to(np.asarray(ballistic_kg_m2, dtype=np.float64), (n,)).copy()
        if not np.all(np.isfinite(b) & (b > 0)):
            raise PropagationError("ballistic coefficients must be positive and finite")
        if until is None and duration_s is None:
            duration_s = 3650.0 * 86400.0
        t_end = end_time(epoch, until, duration_s)
        ref = reference if reference is not None else reference_revolution(
            self.model, epoch, r0[0], v0[0])
        table = _Table(self.atmosphere, ref, epoch, self.slot_s, t_end, 1 if n > 8 else 0)
        osc = elements_from_state(r0, v0)
        a = np.asarray(osc.a_m, dtype=np.float64) + ref.a_offset_m
        u = self._argument_of_latitude(r0, v0) - ref.u0_rad + ref.u_rad[0]
        u = ref.u_rad[0] + np.mod(u - ref.u_rad[0] + np.pi, 2.0 * np.pi) - np.pi
        if np.any(a - WGS84_A_M - ref.low_point_m <= self.reentry_height_m):
            raise PropagationError("a member starts below the entry height")
        floor = self.breakup_height_m + ref.low_point_m
        entry = self.reentry_height_m + ref.low_point_m
        levels = [("reentry", entry), ("breakup", floor)]
        if handover_height_m is not None:
            levels.insert(0, ("handover", max(float(handover_height_m), entry)))
        t = np.zeros(n)
        active = np.ones(n, dtype=bool)
        crossed: dict[str, FloatArray] = {name: np.full((n, 3), np.nan) for name, _ in levels}
        outputs: list[list[tuple[float, float, float]]] = [[] for _ in range(n)]
        step_out = np.inf if output_step_s is None else float(output_step_s)
        next_out = np.zeros(n) if output_step_s is not None else np.full(n, np.inf)
        iterations = member_steps = 0

        def rate(slot: NDArray[np.intp], tt: FloatArray, aa: FloatArray,
                 idx: NDArray[np.intp]) -> FloatArray:
            h = np.maximum(aa - WGS84_A_M, floor - ref.low_point_m + 1.0)
            rho_g = np.exp(table.log_density(slot, h))
            if density_factor is not None:
                rho_g = rho_g * np.asarray(density_factor(tt, idx))
            return np.asarray(-np.sqrt(GM_EARTH_M3_S2 * aa) * rho_g / b[idx])

        def u_rate(aa: FloatArray) -> FloatArray:
            return np.asarray(ref.u_rate_rad_s * (ref.a_mean_m / aa) ** 1.5)

        done = 0
        # Every member keeps its own clock and step (a step stays within one table slot and
        # lowers the member by at most 2 km): its result does not depend on the others.
        while np.any(active):
            idx = np.flatnonzero(active)
            ti, a_i = t[idx], a[idx]
            for j in np.flatnonzero(next_out[idx] <= ti + 1e-6):
                i = int(idx[j])
                outputs[i].append((float(t[i]), float(a[i]), float(u[i])))
                next_out[i] += step_out
            slot = np.floor(ti / self.slot_s).astype(np.intp)
            k1 = rate(slot, ti, a_i, idx)
            dt = np.minimum.reduce([(slot + 1.0) * self.slot_s - ti, t_end - ti,
                                    next_out[idx] - ti,
                                    _MAX_STEP_DROP_M / np.maximum(-k1, 1e-12)])
            dt = np.maximum(dt, 1e-3)
            k2 = rate(slot, ti + dt / 2, a_i + dt / 2 * k1, idx)
            k3 = rate(slot, ti + dt / 2, a_i + dt / 2 * k2, idx)
            k4 = rate(slot, ti + dt, a_i + dt * k3, idx)
            a_new = a_i + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
            u_new = u[idx] + dt / 6.0 * (u_rate(a_i) + 4 * u_rate(a_i + dt / 2 * k1)
                                         + u_rate(np.maximum(a_new, WGS84_A_M)))
            iterations += 1
            member_steps += len(idx)
            # Crossings inside the step, linear in a (a step changes a by at most 2 km).
            for name, level in levels:
                hit = (a_i - WGS84_A_M > level) & (a_new - WGS84_A_M <= level)
                if np.any(hit):
                    frac = (a_i[hit] - WGS84_A_M - level) / (a_i[hit] - a_new[hit])
                    crossed[name][idx[hit]] = np.column_stack([
                        ti[hit] + frac * dt[hit], np.full(frac.shape, WGS84_A_M + level),
                        u[idx[hit]] + frac * (u_new[hit] - u[idx[hit]])])
            a[idx], u[idx], t[idx] = a_new, u_new, ti + dt
            active &= np.isnan(crossed["breakup"][:, 0]) & (t < t_end - 1e-6)
            finished = n - int(np.sum(active))
            if progress is not None and finished != done:
                progress(finished / n)
            done = finished
        return self._results(epoch, ref, crossed, t, a, u, outputs,
                             {"steps": float(iterations), "member_steps": float(member_steps),
                              "density_samples": float(table.samples),
                              "table_entries": float(table.entries)}, progress)

    def _results(self, epoch: Epoch, ref: ReferenceRevolution, crossed: dict[str, FloatArray],
                 t: FloatArray, a: FloatArray, u: FloatArray,
                 outputs: list[list[tuple[float, float, float]]],
                 statistics: dict[str, float],
                 progress: Callable[[float], None] | None) -> PropagationResult:
        records = self._records(epoch, ref, crossed)
        members: list[MemberResult] = []
        for i in range(len(a)):
            events = sorted(records[i], key=lambda e: float(e.epoch - epoch))
            gone = crossed["breakup"][i]
            if np.isfinite(gone[0]):
                status, (t_i, a_i, u_i) = "reentered", (float(x) for x in gone)
            else:
                status, t_i, a_i, u_i = "completed", float(t[i]), float(a[i]), float(u[i])
            rows = np.array(outputs[i] + [(t_i, a_i, u_i)])
            r, v = ref.positions(rows[:, 1], rows[:, 2],
                                 ref.raan_rad + ref.raan_rate_rad_s * rows[:, 0])
            states = np.column_stack([r, v, np.ones(len(rows))])
            members.append(MemberResult(status, epoch + t_i, states[-1], events, rows[:, 0],
                                        states))
        if progress is not None:
            progress(1.0)
        return PropagationResult(epoch=epoch, members=members, statistics=statistics)

    @staticmethod
    def _records(epoch: Epoch, ref: ReferenceRevolution, crossed: dict[str, FloatArray]
                 ) -> list[list[EventRecord]]:
        """Each member's event records, the places of all members' crossings of one kind
        computed in one call (an Earth-orientation call per event would cost more than the
        whole ensemble's integration)."""
        n = next(iter(crossed.values())).shape[0]
        out: list[list[EventRecord]] = [[] for _ in range(n)]
        for name, rows in crossed.items():
            hit = np.flatnonzero(np.isfinite(rows[:, 0]))
            if not len(hit):
                continue
            t, a, u = rows[hit, 0], rows[hit, 1], rows[hit, 2]
            r, v = ref.positions(a, u, ref.raan_rad + ref.raan_rate_rad_s * t)
            when = epoch + t
            lat, lon, h = itrf_to_geodetic(gcrf_to_itrf_position(when, r))
            for j, i in enumerate(hit):
                out[i].append(EventRecord(
                    name=name, member=int(i), epoch=epoch + float(t[j]), r_gcrf_m=r[j],
                    v_gcrf_m_s=v[j], mass_kg=1.0, lat_deg=float(np.degrees(lat[j])),
                    lon_deg=float(np.degrees(lon[j])), height_m=float(h[j])))
        return out

    @staticmethod
    def _argument_of_latitude(r: FloatArray, v: FloatArray) -> FloatArray:
        h = np.cross(r, v)
        node = np.cross(np.array([0.0, 0.0, 1.0]), h)
        node /= np.linalg.norm(node, axis=1)[:, None]
        rhat = r / np.linalg.norm(r, axis=1)[:, None]
        y = np.einsum("ij,ij->i", np.cross(node, rhat), h) / np.linalg.norm(h, axis=1)
        return np.asarray(np.arctan2(y, np.einsum("ij,ij->i", node, rhat)))
