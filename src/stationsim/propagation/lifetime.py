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
* the orbit average ``<rho g>`` comes from a table per time slot (four days, or eight while a
  member loses under 5 km in eight days: see ``coarse_slot_s``) and per mean height (every
  10 km), filled where members are: each entry averages the atmosphere model at 8 points spread
  over the slot and over the revolution (a rank-1 lattice of times and phases), so the
  day-night bulge, the latitude band and the slot's space weather enter as the model has them.
  ``ln <rho g>`` is interpolated linearly in height; as the scale height grows with height
  (25-60 km), that overestimates the density between nodes a little: 10-km nodes shorten the
  benchmark lifetimes by 0.01-0.2 % against 5-km ones.

The members share the table (one atmosphere, one orbit plane): an ensemble of any size costs
the table plus a few vector operations per step. Each member may carry its own multiplicative
density factor over time (a space-weather dispersion). Each member keeps its own clock and
fourth-order Runge-Kutta step, within one slot and short enough that its mean height changes by
at most 5 km; the arrays advance every member at once. A table entry depends only on its slot
and node, so a member's result is the same whatever ensemble it is run in: an ensemble split
into chunks (other processes, a Dask cluster) gives the same numbers, bit for bit.

A lone member (up to eight) pays for its table entries alone. It fills them ahead, in one call
of the atmosphere model for up to eight slots: the nodes it is expected to pass through at its
present rate, the density growing with a scale height on the way down (see
:mod:`.lifetime_table`); a guess that falls short costs one more call, never a different
answer. By default it uses eight-day slots while it decays slowly (its weather averaged over
eight days, which moves a lifetime of years by under 0.1 %) and four-day ones for the rest.
Ensembles pass one slot for all (``coarse_slot_s=None``), chosen from the nominal lifetime, so
that their members, spread in height, share the entries.

A member *re-enters* when the lowest point of its revolution (the mean height less the depth
of the reference revolution's lowest geodetic point) reaches the entry height (120 km), and
*breaks up* at 78 km; a member may also be stopped at a hand-over height, where the full
numerical propagator can take over for the last revolutions, which decide the place.

Validated against :class:`.numerical.Propagator` with the same forces (``docs/validation.md``,
``tests/propagation/test_lifetime.py``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stationsim.constants import GM_EARTH_M3_S2, WGS84_A_M
from stationsim.errors import PropagationError
from stationsim.forces.atmosphere import Atmosphere
from stationsim.frames import gcrf_to_itrf_position, itrf_to_geodetic
from stationsim.propagation.dynamics import ForceModel
from stationsim.propagation.events import EventRecord
from stationsim.propagation.initial import end_time, initial_states
from stationsim.propagation.kepler import elements_from_state
from stationsim.propagation.lifetime_table import OrbitDensityTable
from stationsim.propagation.numerical import Propagator
from stationsim.propagation.reference_revolution import (
    ReferenceRevolution,
    drag_free_propagator,
    reference_revolution,
)
from stationsim.propagation.results import MemberResult, PropagationResult
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = ["LifetimePropagator", "ReferenceRevolution", "reference_revolution"]

#: Largest change of a member's mean height in one step [m].
_MAX_STEP_DROP_M = 5e3
#: Largest change of mean height, at the current rate, over one coarse slot [m].
_COARSE_MAX_DROP_M = 5e3


class LifetimePropagator:
    """Orbit-averaged decay of an ensemble (see the module notes).

    Args:
        model: the force model of the reference revolution (its gravity, Sun and Moon).
        atmosphere: the density model averaged into the table.
        reentry_height_m, breakup_height_m: of the revolution's lowest point.
        slot_s: the table's time slot [s] (default four days).
        coarse_slot_s: a longer slot [s] (default eight days; ``None``: none) for members
            that decay slowly: a member uses it while the mean height it would lose in one
            coarse slot, at its current rate, is under 5 km, and ``slot_s`` from then on.
    """

    def __init__(self, model: ForceModel, atmosphere: Atmosphere, *,
                 reentry_height_m: float = 120e3, breakup_height_m: float = 78e3,
                 slot_s: float = 4 * 86400.0, coarse_slot_s: float | None = 8 * 86400.0) -> None:
        self.model = model
        self.atmosphere = atmosphere
        self.reentry_height_m = reentry_height_m
        self.breakup_height_m = breakup_height_m
        self.slot_s = slot_s
        self.coarse_slot_s = (coarse_slot_s if coarse_slot_s is not None
                              and coarse_slot_s > slot_s else None)
        self._drag_free: Propagator | None = None

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
            the mean orbit's at that instant) and the mean semi-major axis at the ephemeris
            times (``mean_sma_m``); in ``statistics``, ``steps`` (the most any
            member took), ``member_steps`` (all of them), ``density_samples``,
            ``table_entries`` and ``table_fills`` (calls of the atmosphere model).
        """
        r0, v0 = initial_states(r_gcrf_m, v_gcrf_m_s)
        n = r0.shape[0]
        b = np.broadcast_to(np.asarray(ballistic_kg_m2, dtype=np.float64), (n,)).copy()
        if not np.all(np.isfinite(b) & (b > 0)):
            raise PropagationError("ballistic coefficients must be positive and finite")
        if until is None and duration_s is None:
            duration_s = 3650.0 * 86400.0
        t_end = end_time(epoch, until, duration_s)
        ref = reference
        if ref is None:
            if self._drag_free is None:
                self._drag_free = drag_free_propagator(self.model)
            ref = reference_revolution(self.model, epoch, r0[0], v0[0],
                                       propagator=self._drag_free)
        # Table 0 has the fine slot; table 1 (if any) the coarse one, where members start.
        slots = [self.slot_s] + ([self.coarse_slot_s] if self.coarse_slot_s else [])
        # A few members fill their own entries ahead (one call for many slots); many share
        # theirs, with a node of margin.
        lone = n <= 8
        tables = [OrbitDensityTable(self.atmosphere, ref, epoch, length, t_end,
                                    0 if lone else 1, self.breakup_height_m)
                  for length in slots]
        slot_length = np.array(slots)
        tier = np.full(n, len(slots) - 1, dtype=np.intp)
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
        last_rate = np.zeros(n)

        def rate(lv: NDArray[np.intp], slot: NDArray[np.intp], tt: FloatArray,
                 aa: FloatArray, idx: NDArray[np.intp]) -> FloatArray:
            h = np.maximum(aa - WGS84_A_M, floor - ref.low_point_m + 1.0)
            drop = -last_rate[idx] * slot_length[lv] if lone else None
            if len(tables) == 1 or (lv == lv[0]).all():
                log_rho_g = tables[int(lv[0])].log_density(slot, h, drop)
            else:
                log_rho_g = np.empty_like(h)
                for k, table in enumerate(tables):
                    at = lv == k
                    log_rho_g[at] = table.log_density(slot[at], h[at],
                                                      None if drop is None else drop[at])
            rho_g = np.exp(log_rho_g)
            if density_factor is not None:
                rho_g = rho_g * np.asarray(density_factor(tt, idx))
            return np.asarray(-np.sqrt(GM_EARTH_M3_S2 * aa) * rho_g / b[idx])

        def u_rate(aa: FloatArray) -> FloatArray:
            return np.asarray(ref.u_rate_rad_s * (ref.a_mean_m / aa) ** 1.5)

        done = 0
        # Every member keeps its own clock and step (a step stays within one table slot and
        # lowers the member by at most 5 km): its result does not depend on the others.
        while active.any():
            idx = np.flatnonzero(active)
            ti, a_i = t[idx], a[idx]
            for j in np.flatnonzero(next_out[idx] <= ti + 1e-6):
                i = int(idx[j])
                outputs[i].append((float(t[i]), float(a[i]), float(u[i])))
                next_out[i] += step_out
            lv = tier[idx]
            slot = np.floor(ti / slot_length[lv]).astype(np.intp)
            k1 = rate(lv, slot, ti, a_i, idx)
            if len(tables) > 1:
                # Too fast for the coarse slot (or a coarse slot would reach past the end):
                # the fine one from now on.
                quick = (lv == 1) & ((-k1 * slot_length[1] > _COARSE_MAX_DROP_M)
                                     | ((slot + 1.0) * slot_length[1] > t_end))
                if quick.any():
                    tier[idx[quick]] = 0
                    lv = tier[idx]
                    slot = np.floor(ti / slot_length[lv]).astype(np.intp)
                    k1[quick] = rate(lv[quick], slot[quick], ti[quick], a_i[quick],
                                     idx[quick])
            dt = np.minimum.reduce([(slot + 1.0) * slot_length[lv] - ti, t_end - ti,
                                    next_out[idx] - ti,
                                    _MAX_STEP_DROP_M / np.maximum(-k1, 1e-12)])
            dt = np.maximum(dt, 1e-3)
            k2 = rate(lv, slot, ti + dt / 2, a_i + dt / 2 * k1, idx)
            k3 = rate(lv, slot, ti + dt / 2, a_i + dt / 2 * k2, idx)
            k4 = rate(lv, slot, ti + dt, a_i + dt * k3, idx)
            a_new = a_i + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
            if lone:
                last_rate[idx] = k4
            u_new = u[idx] + dt / 6.0 * (u_rate(a_i) + 4 * u_rate(a_i + dt / 2 * k1)
                                         + u_rate(np.maximum(a_new, WGS84_A_M)))
            iterations += 1
            member_steps += len(idx)
            # Crossings inside the step, linear in a (a step changes a by at most 5 km).
            for name, level in levels:
                hit = (a_i - WGS84_A_M > level) & (a_new - WGS84_A_M <= level)
                if hit.any():
                    frac = (a_i[hit] - WGS84_A_M - level) / (a_i[hit] - a_new[hit])
                    crossed[name][idx[hit]] = np.column_stack([
                        ti[hit] + frac * dt[hit], np.full(frac.shape, WGS84_A_M + level),
                        u[idx[hit]] + frac * (u_new[hit] - u[idx[hit]])])
            a[idx], u[idx], t[idx] = a_new, u_new, ti + dt
            active &= np.isnan(crossed["breakup"][:, 0]) & (t < t_end - 1e-6)
            finished = n - int(active.sum())
            if progress is not None and finished != done:
                progress(finished / n)
            done = finished
        return self._results(epoch, ref, crossed, t, a, u, outputs,
                             {"steps": float(iterations), "member_steps": float(member_steps),
                              "density_samples": float(sum(x.samples for x in tables)),
                              "table_entries": float(sum(x.entries for x in tables)),
                              "table_fills": float(sum(x.fills for x in tables))},
                             progress)

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
                                        states, rows[:, 1].copy()))
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
