"""The numerical propagator: Cowell's method with heyoka's adaptive Taylor integrator.

A run advances one or more members (an ensemble) from a common epoch. The equations are those
of :mod:`.dynamics`, compiled once per force model (and cached on disk by heyoka). A run is cut
into windows (a UTC day; shorter near re-entry) and each window into segments (3-hour slots of
the ap index, burn starts and ends, epoch events); between segments only runtime parameters
change: Earth orientation per window, the density fit per window and its slot offset, the drag
area, the thrust. No Python code runs inside a step.

Per window, the density of the run's atmosphere (MSIS, Harris-Priester, ...) is sampled along
the predicted orbit and fitted (:mod:`.windows`).

Events: the entry interface (120 km geodetic, "reentry") is recorded and the member goes on
to breakup (78 km, "breakup"), where it stops with the status "reentered"; user events are
:mod:`.events`. The ephemeris recorder evaluates the integrator's dense output on a fixed grid.
The two built-in events are located in every step (a third of the cost of a J2 + drag step),
so a run leaves them out when no member can reach them: no drag, no finite burns, no event that
resets the state, no SRP area, every member's osculating perigee more than 100 km above the
entry interface (heights over the equatorial radius, a lower bound of the geodetic height; the
margin covers the perigee's J2/J3 oscillations of at most tens of km) and, with the Sun or the
Moon, apogees below one Earth radius of height (whose lunisolar perigee drift is far below the
margin; higher orbits keep the events). Otherwise a member starts with a cheap guard in their
place, ``|r|`` falling to the equatorial radius + the higher built-in height + 10 km, above
which the events' height (at least ``|r| - a``) cannot reach theirs; at the guard the run moves
on to the integrator with the built-in events (the same equations, and the guard too: a Taylor
step depends only on the state it starts from, so the steps are the same whichever integrator
a member is on; every downward crossing of the guard ends a step). A state reset that puts a
member at or below the guard moves it on at once.

Ensembles of two or more members run in SIMD batches (heyoka's batch mode, :mod:`.batch`);
``simd=False`` runs them one after another through the scalar integrator, whose member results
are bit for bit those of single runs.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import time as _time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import heyoka as hy
import numpy as np
from threadpoolctl import ThreadpoolController

from stationsim.constants import GM_EARTH_M3_S2, WGS84_A_M
from stationsim.errors import PropagationError
from stationsim.forces.atmosphere import Atmosphere
from stationsim.forces.density_fit import DensityFit
from stationsim.forces.drag import DragProperties
from stationsim.propagation.batch import (
    Stage,
    below_guard,
    first_stage,
    grid_between,
    next_stage,
    propagate_batches,
)
from stationsim.propagation.dynamics import Dynamics, ForceModel, build_dynamics
from stationsim.propagation.events import (
    Action,
    EpochEvent,
    EventRecord,
    ExpressionEvent,
    HeightEvent,
    event_record,
    failure_time,
    heyoka_direction,
)
from stationsim.propagation.initial import end_time, initial_states
from stationsim.propagation.windows import Windows
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = ["FiniteBurn", "MemberResult", "PropagationResult", "Propagator"]


@dataclass(frozen=True)
class FiniteBurn:
    """A burn of constant thrust [N] and specific impulse [s] from ``start`` for
    ``duration_s``, along a fixed VNC direction (default: along-track, a reboost)."""

    name: str
    start: Epoch
    duration_s: float
    thrust_n: float
    isp_s: float
    direction_vnc: tuple[float, float, float] = (1.0, 0.0, 0.0)
    members: tuple[int, ...] | None = None


@dataclass
class MemberResult:
    """One member's outcome.

    Attributes:
        status: ``"completed"`` (reached the end), ``"reentered"`` (reached breakup) or
            ``"stopped"`` (a user event with ``Action.STOP``).
        epoch: the final epoch; ``state`` the final ``(x, y, z, vx, vy, vz, m)`` (GCRF, SI).
        events: the events that occurred, in order.
        times_s, states: the ephemeris (seconds from the run's epoch; states ``(K, 7)``).
        mean_sma_m: the mean semi-major axis at the ephemeris times [m], where the engine
            follows it (the lifetime engine); else ``None``.
    """

    status: str
    epoch: Epoch
    state: FloatArray
    events: list[EventRecord]
    times_s: FloatArray
    states: FloatArray
    mean_sma_m: FloatArray | None = None

    def event(self, name: str) -> EventRecord | None:
        """The first event called ``name``, if it occurred."""
        return next((e for e in self.events if e.name == name), None)


@dataclass
class PropagationResult:
    """The members' results and the run's statistics: steps, density fits and samples, wall
    time per phase [s] (``fit_s``, ``integrate_s``, ``compile_s``: the last integrator built),
    ``simd_lanes`` (0: the scalar integrator), ``built_in_events`` (0: left out, the run could
    not reach them) and ``guard_trips`` (moves from the entry guard to the built-in events)."""

    epoch: Epoch
    members: list[MemberResult]
    statistics: dict[str, float] = field(default_factory=dict)


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

    def _stages(self, located: list[HeightEvent | ExpressionEvent], lanes: int) -> list[Stage]:
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

    def _reentry_impossible(self, r0: FloatArray, v0: FloatArray, srp: FloatArray,
                            burns: Sequence[FiniteBurn],
                            events: Sequence[HeightEvent | EpochEvent | ExpressionEvent]) -> bool:
        """Whether no member can reach the built-in height events (see the module notes)."""
        model = self.model
        if (model.drag is not None or burns or (model.srp and np.any(srp > 0.0))
                or any(e.action is Action.RESET_STATE for e in events)):
            return False
        mu = GM_EARTH_M3_S2 if model.gravity is None else model.gravity.mu_m3_s2
        h = np.cross(r0, v0)
        p = np.sum(h * h, axis=1) / mu
        e = np.linalg.norm(np.cross(v0, h) / mu - r0 / np.linalg.norm(r0, axis=1)[:, None],
                           axis=1)
        if not np.all(e < 1.0):
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
        built_in = ([] if self._reentry_impossible(r0, v0, srp, burns, events) else
                    list(self._built_in))
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


class _Run(Windows):
    """The state of one run: the windows, fits and segments shared by its members."""

    def __init__(self, prop: Propagator, lanes: int | None, epoch: Epoch, t_end: float,
                 located: list[HeightEvent | ExpressionEvent], epoch_events: list[EpochEvent],
                 burns: Sequence[FiniteBurn], grid: FloatArray) -> None:
        """A run of ``prop`` on integrators with ``lanes`` SIMD lanes (0 or None: scalar),
        locating ``located`` (the built-in events first, if any)."""
        super().__init__(prop.model, prop.atmosphere, prop.samples_per_window,
                         prop.dynamics.layout, epoch, t_end)
        self.prop = prop
        self.stages = prop._stages(located, lanes or 0)
        #: The scalar path's member's stage.
        self.stage = len(self.stages) - 1
        self.epoch_events, self.burns = epoch_events, list(burns)
        self.grid = grid

    @property
    def ta(self) -> Any:
        """The scalar path's integrator (of the current stage)."""
        return self.stages[self.stage].ta

    # --- one member -----------------------------------------------------------------------
    def member(self, index: int, state: FloatArray, drag: DragProperties | None,
               srp_area: float, stats: dict[str, float],
               progress: Callable[[float], None] | None) -> MemberResult:
        lay, p = self.layout, self.pars
        self.stage = first_stage(self.stages, state[None, :])
        ta = self.ta
        ta.time = 0.0
        ta.state[:] = state
        if ta.with_events:  # a previous member's terminal event must not mute this one's
            ta.reset_cooldowns()
        if "cr_area_m2" in lay:
            p[lay.index("cr_area_m2")] = srp_area
        records: list[EventRecord] = []
        out_t: list[FloatArray] = []
        out_y: list[FloatArray] = []
        status = "completed"
        t = 0.0
        pending = list(self.epoch_events)
        while t < self.t_end and status == "completed":
            fits, we = self.open_window(t, [(np.array(self.ta.state), drag)], stats)
            fit = fits[0]
            for s0, s1 in self.segments(t, we, fits, pending):
                self._set_segment(s0, fit, drag, index, np.array(self.ta.state))
                self.ta.pars[:] = p[:self.ta.pars.shape[0]]
                status, t = self._integrate(index, s0, s1, records, out_t, out_y, pending, stats)
                if status != "completed":
                    break
            if progress is not None:
                progress(min(t / self.t_end, 1.0))
        final = np.array(self.ta.state)
        times = np.concatenate(out_t) if out_t else np.empty(0)
        states = np.concatenate(out_y) if out_y else np.empty((0, 7))
        return MemberResult(status, self.epoch + self.ta.time, final, records, times, states)

    def segments(self, t: float, we: float, fits: Sequence[DensityFit | None],
                 pending: list[EpochEvent]) -> list[tuple[float, float]]:
        """The segments ``(s0, s1)`` [s] of the window ``[t, we]``: cut at the fits' slot
        edges, the burns' ends and the pending epoch events."""
        cuts = {t, we}
        for fit in fits:
            if fit is not None:
                cuts.update(float(c) for c in fit.slot_edges_s)
        for burn in self.burns:
            b0 = float(burn.start - self.epoch)
            cuts.update((b0, b0 + burn.duration_s))
        cuts.update(float(e.epoch - self.epoch) for e in pending)
        ordered = sorted(c for c in cuts if t <= c <= we)
        return [(a, b) for a, b in itertools.pairwise(ordered) if b > a]

    def lane_parameters(self, s0: float, fit: DensityFit | None, drag: DragProperties | None,
                        srp_area: float, index: int, y: FloatArray) -> FloatArray:
        """The runtime parameters of member ``index`` (state ``y``) for the segment that
        starts at ``s0`` [s] (a copy; the orientation is the window's)."""
        if "cr_area_m2" in self.layout:
            self.pars[self.layout.index("cr_area_m2")] = srp_area
        self._set_segment(s0, fit, drag, index, y)
        return self.pars.copy()

    def _set_segment(self, s0: float, fit: DensityFit | None, drag: DragProperties | None,
                     index: int, y: FloatArray) -> None:
        lay, p = self.layout, self.pars
        if fit is not None:
            first = lay.index("density")
            p[first:first + len(fit.parameters(0))] = fit.parameters(fit.slot_of(s0 + 1e-6))
        if "cd_area_m2" in lay:
            p[lay.index("cd_area_m2")] = (0.0 if drag is None else
                                          drag.drag_area_m2(self.epoch + s0, y[:3], y[3:6]))
        if "thrust_n" in lay:
            p[lay.index("thrust_n")] = 0.0
            p[lay.index("isp_s")] = 1.0
            for burn in self.burns:
                b0 = float(burn.start - self.epoch)
                active = b0 <= s0 + 1e-6 < b0 + burn.duration_s
                if active and (burn.members is None or index in burn.members):
                    p[lay.index("thrust_n")] = burn.thrust_n
                    p[lay.index("isp_s")] = burn.isp_s
                    d = np.asarray(burn.direction_vnc, dtype=np.float64)
                    first = lay.index("dir_vnc")
                    p[first:first + 3] = d / np.linalg.norm(d)

    def _integrate(self, index: int, s0: float, s1: float, records: list[EventRecord],
                   out_t: list[FloatArray], out_y: list[FloatArray], pending: list[EpochEvent],
                   stats: dict[str, float]) -> tuple[str, float]:
        begin = _time.perf_counter()
        while True:
            ta = self.ta
            t_before = ta.time
            res = ta.propagate_until(s1, c_output=grid_between(self.grid, t_before, s1))
            stats["steps"] += res[3]
            if self.grid.size:
                sel = self.grid[(self.grid >= t_before) & (self.grid <= ta.time)]
                if out_t and sel.size and out_t[-1].size and sel[0] <= out_t[-1][-1]:
                    sel = sel[sel > out_t[-1][-1]]
                if sel.size and res[4] is not None:
                    out_t.append(sel)
                    out_y.append(np.atleast_2d(res[4](sel)))
            outcome = res[0]
            if outcome == hy.taylor_outcome.time_limit:
                break
            code = int(outcome)
            if not (-(2 ** 31) < code < 0):
                raise PropagationError(f"member {index}: the integrator failed at "
                                       f"{failure_time(self.epoch, float(ta.time))} "
                                       f"({outcome!r}); the "
                                       "state may have left the models' domain")
            stage = self.stages[self.stage]
            if stage.guard_radius_m is not None and code == -1:  # the entry guard
                self.stage = next_stage(self.stages, self.stage, self.pars, stats)
                continue
            event = stage.located[-code - 1]
            y = np.array(ta.state)
            records.append(self.record(event.name, index, ta.time, y))
            if event.action is Action.STOP:
                stats["integrate_s"] += _time.perf_counter() - begin
                return ("reentered" if event.name == "breakup" else "stopped"), ta.time
            if event.action is Action.RESET_STATE and event.reset is not None:
                self._reset(event.reset(y), stats)
        stats["integrate_s"] += _time.perf_counter() - begin
        for ev in [e for e in pending if abs(float(e.epoch - self.epoch) - s1) < 1e-6]:
            pending.remove(ev)
            y = np.array(self.ta.state)
            records.append(self.record(ev.name, index, s1, y))
            if ev.action is Action.STOP:
                return "stopped", s1
            if ev.action is Action.RESET_STATE and ev.reset is not None:
                self._reset(ev.reset(y), stats)
        return "completed", s1

    def _reset(self, state: FloatArray, stats: dict[str, float]) -> None:
        """Reset the member's state; one put at or below the entry guard (no crossing to
        detect) moves on to the built-in events at once."""
        self.ta.state[:] = state
        if below_guard(self.stages[self.stage], state[None, :3]):
            self.stage = next_stage(self.stages, self.stage, self.pars, stats)

    def record(self, name: str, index: int, t: float, y: FloatArray) -> EventRecord:
        """The record of event ``name`` of member ``index`` at time ``t`` [s], state ``y``."""
        return event_record(name, index, self.epoch + t, y)
