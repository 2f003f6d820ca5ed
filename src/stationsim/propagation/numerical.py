"""The numerical propagator: Cowell's method with heyoka's adaptive Taylor integrator.

A run advances one or more members (an ensemble) from a common epoch. The equations are those
of :mod:`.dynamics`, compiled once per force model (and cached on disk by heyoka). A run is cut
into windows and segments between which only runtime parameters change (:mod:`.run`).

Events: the entry interface (120 km geodetic, "reentry") is recorded and the member goes on
to breakup (78 km, "breakup"), where it stops with the status "reentered"; user events are
:mod:`.events`. The two built-in events are located in every step (a third of the cost of a
J2 + drag step), so a run leaves them out when no member can reach them: no drag (or a static
exponential density through which no member can fall to the guard below within the run's
span, :mod:`.decay_bound`), no finite burns, no event that resets the state, no SRP area,
every member's osculating perigee more than 100 km above the entry interface (heights over
the equatorial radius, a lower bound of the geodetic height; the margin covers the perigee's
J2/J3 oscillations of at most tens of km) and, with the Sun or the Moon, apogees below one
Earth radius of height (whose lunisolar perigee drift is far below the margin; higher orbits
keep the events). Otherwise a member starts with a
cheap guard in their place, ``|r|`` falling to the equatorial radius + the higher built-in
height + 10 km, above which the events' height (at least ``|r| - a``) cannot reach theirs; at
the guard the run moves on to the integrator with the built-in events (the same equations, and
the guard too: a Taylor step depends only on the state it starts from, so the steps are the same
whichever integrator a member is on; every downward crossing of the guard ends a step).

Ensembles of two or more members run in SIMD batches (heyoka's batch mode, :mod:`.batch`);
``simd=False`` runs them one after another through the scalar integrator, whose member results
are bit for bit those of single runs. The types given and returned are in :mod:`.results`.
"""

from __future__ import annotations

import contextlib
import functools
import time as _time
from collections.abc import Callable, Sequence
from typing import Any

import heyoka as hy
import numpy as np
from threadpoolctl import ThreadpoolController

from stationsim.constants import GM_EARTH_M3_S2, WGS84_A_M
from stationsim.errors import PropagationError
from stationsim.forces.atmosphere import Atmosphere
from stationsim.forces.drag import DragProperties
from stationsim.propagation.batch import Stage, propagate_batches
from stationsim.propagation.decay_bound import fall_time_lower_bound_s
from stationsim.propagation.dynamics import (
    Dynamics,
    ExponentialDensity,
    ForceModel,
    build_dynamics,
)
from stationsim.propagation.events import (
    Action,
    EpochEvent,
    ExpressionEvent,
    HeightEvent,
    heyoka_direction,
)
from stationsim.propagation.initial import end_time, initial_states
from stationsim.propagation.results import FiniteBurn, MemberResult, PropagationResult
from stationsim.propagation.run import _Run
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = ["FiniteBurn", "MemberResult", "PropagationResult", "Propagator"]


class Propagator:
    """Numerical propagation of GCRF states under a :class:`~.dynamics.ForceModel`.

    Args:
        model: the forces.
        atmosphere: the density model behind the fit (required when ``model.drag == "fit"``).
        tolerance: heyoka's relative and absolute tolerance (1e-9: about 0.05 m over a day
            for an ISS orbit; 1e-8 is the "1 m per day" setting of the peer benchmark).
        reentry_height_m, breakup_height_m: the built-in height events.
        samples_per_window: atmosphere samples per density fit.
    """

    def __init__(self, model: ForceModel, *, atmosphere: Atmosphere | None = None,
                 tolerance: float = 1e-9, reentry_height_m: float = 120e3,
                 breakup_height_m: float = 78e3, samples_per_window: int = 300) -> None:
        if model.drag == "fit" and atmosphere is None:
            raise PropagationError("drag by a density fit needs an atmosphere model")
        self.model = model
        self.atmosphere = atmosphere
        self.tolerance = tolerance
        self.reentry_height_m = reentry_height_m
        self.breakup_height_m = breakup_height_m
        self.samples_per_window = samples_per_window
        self._dynamics = build_dynamics(model)
        self._integrators: dict[tuple[Any, ...], Any] = {}
        #: Above this radius [m] the built-in events cannot occur (see the module notes).
        self._guard_radius_m = WGS84_A_M + max(reentry_height_m, breakup_height_m) + 10e3
        self._guard = ExpressionEvent("entry guard", self._guard_function, "down")
        self._built_in = (HeightEvent("reentry", reentry_height_m, "down", Action.CONTINUE),
                          HeightEvent("breakup", breakup_height_m, "down", Action.STOP))

    def _guard_function(self, dyn: Dynamics) -> hy.expression:
        """``|r|^2 / R^2 - 1`` for the guard radius ``R``: of order one, as heyoka's step-size
        control counts the events' Taylor coefficients (``|r|^2 - R^2``, of order 1e13,
        lengthens the steps: 100 instead of 157 a day at 400 km, 10 m off after a day)."""
        x, y, z = dyn.variables[:3]
        return (x * x + y * y + z * z) * (1.0 / self._guard_radius_m ** 2) - 1.0

    @property
    def dynamics(self) -> Dynamics:
        """The equations of motion."""
        return self._dynamics

    # --- set-up --------------------------------------------------------------------------
    def _integrator(self, events: Sequence[HeightEvent | ExpressionEvent], lanes: int = 0) -> Any:
        """The compiled integrator for ``events``: scalar, or with ``lanes`` SIMD lanes."""
        # An expression event's function is part of the compiled integrator: key on it too.
        key = (lanes, *((type(e).__name__, e.name, getattr(e, "height_m", None), e.direction,
                         getattr(e, "function", None)) for e in events))
        if key not in self._integrators:
            dyn = self._dynamics
            event_type = hy.t_event_batch if lanes else hy.t_event
            t_events = []
            for ev in events:
                if isinstance(ev, HeightEvent):
                    fn = dyn.geodetic_height - ev.height_m
                else:
                    fn = ev.function(dyn)
                t_events.append(event_type(fn, direction=heyoka_direction(ev.direction)))
            start = _time.perf_counter()
            state = np.array([WGS84_A_M + 4e5, 0, 0, 0, 7.6e3, 0, 1.0])
            # The integrator holds the parameters up to the last one its equations and
            # events use (the layout's others act on nothing): it is given a prefix of them.
            if lanes:
                ta = hy.taylor_adaptive_batch(
                    dyn.equations, np.repeat(state[:, None], lanes, axis=1),
                    tol=self.tolerance, t_events=t_events, compact_mode=dyn.compact)
            else:
                ta = hy.taylor_adaptive(dyn.equations, state, tol=self.tolerance,
                                        t_events=t_events, compact_mode=dyn.compact)
            self.compile_s = _time.perf_counter() - start
            self._integrators[key] = ta
        return self._integrators[key]

    def stages(self, located: list[HeightEvent | ExpressionEvent], lanes: int) -> list[Stage]:
        """The stages of a run that locates ``located`` (its integrators compiled when first
        used): with the built-in events, first the entry guard and the user's events, then
        the guard and all of them (see the module notes)."""
        def stage(events: list[HeightEvent | ExpressionEvent], guard: float | None) -> Stage:
            return Stage(events, lambda: self._integrator(events, lanes), guard)

        user = [e for e in located if all(e is not b for b in self._built_in)]
        if len(user) == len(located):
            return [stage(located, None)]
        return [stage([self._guard, *user], self._guard_radius_m),
                stage([self._guard, *located], self._guard_radius_m)]

    def _reentry_impossible(self, epoch: Epoch, t_end: float, r0: FloatArray, v0: FloatArray,
                            drags: Sequence[DragProperties | None], srp: FloatArray,
                            burns: Sequence[FiniteBurn],
                            events: Sequence[HeightEvent | EpochEvent | ExpressionEvent]) -> bool:
        """Whether no member can reach the built-in height events (see the module notes)."""
        model = self.model
        if (burns or (model.srp and np.any(srp > 0.0))
                or any(e.action is Action.RESET_STATE for e in events)):
            return False
        if model.drag is not None and not isinstance(model.drag, ExponentialDensity):
            return False
        mu = GM_EARTH_M3_S2 if model.gravity is None else model.gravity.mu_m3_s2
        h = np.cross(r0, v0)
        p = np.sum(h * h, axis=1) / mu
        e = np.linalg.norm(np.cross(v0, h) / mu - r0 / np.linalg.norm(r0, axis=1)[:, None],
                           axis=1)
        if not np.all(e < 1.0):
            return False
        if isinstance(model.drag, ExponentialDensity):
            # One bound for the worst member of each kind: the most drag per kilogram, the
            # largest orbit (the rate grows as sqrt(a)) and the lowest perigee.
            d = model.drag
            per_kg = max(0.0 if drag is None else
                         drag.drag_area_m2(epoch, r0[k], v0[k]) / drag.mass_kg
                         for k, drag in enumerate(drags))
            a = p / (1.0 - e * e)
            widest, lowest = float(np.max(a)), float(np.min(p / (1.0 + e)))
            fall = fall_time_lower_bound_s(widest, 1.0 - lowest / widest, per_kg, mu,
                                           self._guard_radius_m,
                                           (d.rho0_kg_m3, d.h0_m, d.scale_height_m))
            if fall <= t_end:
                return False
        perigee, apogee = p / (1.0 + e) - WGS84_A_M, p / (1.0 - e) - WGS84_A_M
        if (model.sun or model.moon) and np.max(apogee) >= WGS84_A_M:
            return False
        return bool(np.min(perigee) > self.reentry_height_m + 100e3)

    # --- run -----------------------------------------------------------------------------
    def propagate(self, epoch: Epoch, r_gcrf_m: FloatArray, v_gcrf_m_s: FloatArray, *,
                  drag: DragProperties | Sequence[DragProperties] | None = None,
                  until: Epoch | None = None, duration_s: float | None = None,
                  srp_area_m2: float | Sequence[float] = 0.0,
                  burns: Sequence[FiniteBurn] = (),
                  events: Sequence[HeightEvent | EpochEvent | ExpressionEvent] = (),
                  output_step_s: float | None = None,
                  output_times_s: FloatArray | None = None,
                  progress: Callable[[float], None] | None = None,
                  simd: bool | None = None) -> PropagationResult:
        """Propagate members from ``epoch`` (one scalar epoch; GCRF states ``(N, 3)`` or
        ``(3,)`` [m, m/s]).

        Give the end as ``until`` or ``duration_s`` (for a re-entry run, a long duration such as
        ten years: members stop at breakup). ``drag`` supplies mass and ``C_D A`` (one for all
        members or one per member); ``srp_area_m2`` is ``C_R A`` [m^2]. ``progress`` is called
        with the fraction done. ``simd``: members in SIMD batches of
        ``hy.recommended_simd_size()`` lanes (default: when there are two or more members and
        the CPU has SIMD lanes; see :mod:`.batch` for how batch results relate to scalar ones).
        The ephemeris is on a grid of ``output_step_s`` [s] or at ``output_times_s`` (seconds
        from ``epoch``, increasing); the dense output that gives it costs as much as the
        integration itself, so it is kept only in segments that hold grid times: a sparse grid
        (one revolution a day, say) costs little more than none.
        """
        r0, v0 = initial_states(r_gcrf_m, v_gcrf_m_s)
        n = r0.shape[0]
        drags = _per_member(drag, n, "drag")
        srp = np.broadcast_to(np.asarray(srp_area_m2, dtype=np.float64), (n,))
        t_end = end_time(epoch, until, duration_s)
        if output_step_s is not None and not (np.isfinite(output_step_s) and output_step_s > 0):
            raise PropagationError(f"the output step must be a positive number of seconds "
                                   f"(got {output_step_s})")
        built_in = ([] if self._reentry_impossible(epoch, t_end, r0, v0, drags, srp, burns,
                                                   events) else list(self._built_in))
        located = built_in + [e for e in events if not isinstance(e, EpochEvent)]
        epoch_events = sorted((e for e in events if isinstance(e, EpochEvent)),
                              key=lambda e: float(e.epoch - epoch))
        width = hy.recommended_simd_size()
        lanes = width if (simd if simd is not None else n > 1 and width > 1) else 0
        grid = _grid(t_end, output_step_s, output_times_s)
        run = _Run(self, lanes, epoch, t_end, located, epoch_events, burns, grid)
        stats: dict[str, float] = {"steps": 0.0, "density_fits": 0.0, "density_samples": 0.0,
                                   "fit_s": 0.0, "integrate_s": 0.0, "simd_lanes": lanes,
                                   "built_in_events": float(bool(built_in)),
                                   "guard_trips": 0.0}
        # The density fits' small matrix products would otherwise start BLAS threads that
        # fight the integrator for the cores (3x slower on a loaded 2-core machine). Finding
        # the BLAS libraries costs 2 ms, as much as a 30-day J2 run: done once, when needed.
        with (_one_blas_thread() if self.model.drag == "fit" else contextlib.nullcontext()):
            if lanes:
                masses = [1.0 if d is None else d.mass_kg for d in drags]
                states = np.column_stack([r0, v0, masses])
                members = [MemberResult(o.status, epoch + o.t, o.state, o.events, o.times_s,
                                        o.states)
                           for o in propagate_batches(run, lanes, states, drags, srp, stats,
                                                      progress)]
            else:
                members = [self._member(run, i, r0[i], v0[i], drags[i], float(srp[i]), stats,
                                        progress, n) for i in range(n)]
        stats["compile_s"] = getattr(self, "compile_s", 0.0)
        return PropagationResult(epoch=epoch, members=members, statistics=stats)

    @staticmethod
    def _member(run: _Run, i: int, r0: FloatArray, v0: FloatArray, props: DragProperties | None,
                srp: float, stats: dict[str, float],
                progress: Callable[[float], None] | None, n: int) -> MemberResult:
        mass = props.mass_kg if props is not None else 1.0
        state = np.concatenate([r0, v0, [mass]])
        report = None if progress is None else _scaled(progress, i, n)
        return run.member(i, state, props, srp, stats, progress=report)


@functools.lru_cache(maxsize=1)
def _blas_controller() -> ThreadpoolController:
    return ThreadpoolController()


def _one_blas_thread() -> Any:
    """A context with BLAS held to one thread."""
    return _blas_controller().limit(limits=1, user_api="blas")


def _scaled(progress: Callable[[float], None], i: int, n: int) -> Callable[[float], None]:
    """Member ``i``'s fraction done as the run's fraction done."""
    return lambda fraction: progress((i + fraction) / n)


def _per_member(drag: DragProperties | Sequence[DragProperties] | None, n: int,
                what: str) -> list[DragProperties | None]:
    if drag is None or isinstance(drag, DragProperties):
        return [drag] * n
    items: list[DragProperties | None] = list(drag)
    if len(items) != n:
        raise PropagationError(f"{what}: {len(items)} given for {n} members")
    return items


def _grid(t_end: float, step_s: float | None, times_s: FloatArray | None) -> FloatArray:
    """The output grid [s from the run's epoch] within ``[0, t_end]``."""
    if times_s is not None:
        grid = np.asarray(times_s, dtype=np.float64).ravel()
        if not (np.all(np.isfinite(grid)) and np.all(np.diff(grid) > 0)):
            raise PropagationError("the output times must be finite and increasing")
        return grid[(grid >= 0.0) & (grid <= t_end + 1e-9)]
    return np.arange(0.0, t_end + 1e-9, step_s) if step_s else np.empty(0)

