"""Ensemble members in SIMD batches: heyoka's batch mode (``hy.taylor_adaptive_batch``).

The members of a run share its epoch, so their UTC windows, 3-hour slots, burn times and epoch
events align: a batch of ``hy.recommended_simd_size()`` members (lanes; the last batch padded
with copies of its first member, never integrated and discarded) runs window by window and
segment by segment exactly as one member does on the scalar integrator
(:class:`stationsim.propagation.numerical.Propagator`), with one column of runtime parameters
per lane (``C_D A``, ``C_R A``, the lane's thrust, its density fit).

Density fits are per lane, as in the scalar path; the window length, which the scalar path
chooses per member from its decay rate, is the shortest any live lane of the batch needs, so a
lane can get shorter windows (and more segment cuts) than it would alone, near a re-entry of
another lane. Otherwise a lane's segments are those of the member run alone.

Events: heyoka stops a batch's ``propagate_until`` when any lane hits a terminal event (that
lane's step ends at the event; the others finish their step and report ``success``). Each
lane's outcome is handled as the scalar path does (recorded with its geodetic position; a
state reset; a STOP), then the batch goes on; a stopped lane (and a padding lane) is kept at
its time by giving it its own time as the target, so it takes no more steps. A Taylor step's
size depends only on the state where it starts, so these interruptions do not change any other
lane's steps. The same holds for the stages of a run (:class:`Stage`): when one lane reaches
the entry guard, the whole batch moves on to the integrator with the built-in height events
(which holds the guard too, so that every lane's steps end at its own guard crossings, as they
do in the scalar path).

Batch and scalar results agree to rounding, not bit for bit: the vectorised code rounds
differently (same step counts; about 1e-6 m after a day of an ISS orbit, 2e-4 m after 30 days
of J2 and drag, orders of magnitude below the integration error at the tolerance). One more
difference of that size: a member that trips the entry guard itself takes one extra, tiny step
right after it (the next integrator finds the guard's root again at its start), a lane moved on
by another lane's guard does not (``tests/propagation/test_batch.py``: 3e-6 m, 4e-10 s).

Batches run one after another on one core. (heyoka releases the GIL while it integrates: two
threads, each with its own integrators, would halve the time on two cores, but the run's
windows, fits and parameters would first have to stop sharing state. heyoka's own
``ensemble_propagate_until`` makes one ``propagate_until`` per member or batch, without the
segments and per-lane event handling between calls.)
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import heyoka as hy
import numpy as np

from stationsim.errors import PropagationError
from stationsim.forces.density_fit import DensityFit
from stationsim.forces.drag import DragProperties
from stationsim.propagation.events import (
    Action,
    EpochEvent,
    EventRecord,
    ExpressionEvent,
    HeightEvent,
    failure_time,
)
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = ["LaneOutcome", "RunPlan", "Stage", "below_guard", "first_stage", "grid_between",
           "next_stage", "propagate_batches"]


def grid_between(grid: FloatArray, t0: float, t1: float) -> bool:
    """Whether the sorted ``grid`` holds a time in ``[min(t0, t1), max(t0, t1)]``."""
    lo, hi = (t0, t1) if t0 <= t1 else (t1, t0)
    k = int(np.searchsorted(grid, lo))
    return k < grid.size and bool(grid[k] <= hi)


@dataclass
class Stage:
    """A compiled integrator (built by ``build`` when first used) and the events it locates,
    in its order.

    With ``guard_radius_m``, ``located[0]`` is the entry guard, ``|r|`` falling to that radius
    [m], which ends a step and moves the run on to the next stage if there is one; the first
    stage of two serves only members that start above the radius.
    """

    located: list[HeightEvent | ExpressionEvent]
    build: Callable[[], Any]
    guard_radius_m: float | None = None
    _ta: Any = None

    @property
    def ta(self) -> Any:
        """The integrator (scalar or batch)."""
        if self._ta is None:
            self._ta = self.build()
        return self._ta


def first_stage(stages: Sequence[Stage], states: FloatArray) -> int:
    """The stage that members with states ``(N, 7)`` (GCRF, SI) start in."""
    radius = stages[0].guard_radius_m
    if (len(stages) > 1 and radius is not None
            and np.all(np.linalg.norm(states[:, :3], axis=1) > radius)):
        return 0
    return len(stages) - 1


def below_guard(stage: Stage, positions: FloatArray) -> bool:
    """Whether any of the GCRF ``positions`` ``(K, 3)`` [m] is at or below ``stage``'s entry
    guard (where a state reset can put a member without a crossing to detect)."""
    radius = stage.guard_radius_m
    return radius is not None and bool(np.any(np.linalg.norm(positions, axis=1) <= radius))


def next_stage(stages: Sequence[Stage], stage: int, pars: FloatArray,
               stats: dict[str, float]) -> int:
    """Move on from stage ``stage`` to the next, if any: its integrator gets the time, state
    and parameters (the layout's ``pars``, one column per lane in batch mode) of this one's.
    Returns the stage now in use."""
    if stage + 1 >= len(stages):
        return stage
    old, new = stages[stage].ta, stages[stage + 1].ta
    if isinstance(new.dtime[0], np.ndarray):
        new.set_dtime(*old.dtime)
    else:
        new.dtime = old.dtime
    new.state[:] = old.state
    new.pars[:] = pars[:new.pars.shape[0]]
    if new.with_events:
        new.reset_cooldowns()
    stats["guard_trips"] += 1
    return stage + 1


class RunPlan(Protocol):
    """What a batch needs of a run (:class:`stationsim.propagation.numerical._Run`)."""

    epoch: Epoch
    t_end: float
    grid: FloatArray
    stages: list[Stage]
    epoch_events: list[EpochEvent]

    def open_window(self, t: float, lanes: Sequence[tuple[FloatArray, DragProperties | None]],
                    stats: dict[str, float]) -> tuple[list[DensityFit | None], float]:
        """Fits per lane and the end [s] of the window that starts at ``t`` [s]."""
        ...

    def segments(self, t: float, we: float, fits: Sequence[DensityFit | None],
                 pending: list[EpochEvent]) -> list[tuple[float, float]]:
        """The window's segments [s]."""
        ...

    def lane_parameters(self, s0: float, fit: DensityFit | None, drag: DragProperties | None,
                        srp_area: float, index: int, y: FloatArray) -> FloatArray:
        """A member's runtime parameters for the segment from ``s0`` [s]."""
        ...

    def record(self, name: str, index: int, t: float, y: FloatArray) -> EventRecord:
        """The record of an event at time ``t`` [s] and state ``y``."""
        ...


@dataclass
class LaneOutcome:
    """One member's outcome: status, final time ``t`` [s from the epoch] and state
    ``(x, y, z, vx, vy, vz, m)`` (GCRF, SI), events, ephemeris (times [s], states ``(K, 7)``)."""

    status: str
    t: float
    state: FloatArray
    events: list[EventRecord]
    times_s: FloatArray
    states: FloatArray


def propagate_batches(plan: RunPlan, size: int, states: FloatArray,
                      drags: Sequence[DragProperties | None], srp_areas: FloatArray,
                      stats: dict[str, float],
                      progress: Callable[[float], None] | None = None) -> list[LaneOutcome]:
    """Propagate members (initial states ``(N, 7)``, GCRF, SI) in batches of ``size``, the
    lanes of the plan's batch integrators; ``drags`` and ``srp_areas`` (``C_R A`` [m^2]) per
    member."""
    n = states.shape[0]
    out: list[LaneOutcome] = []
    for first in range(0, n, size):
        members = list(range(first, min(first + size, n)))
        report = None
        if progress is not None:
            report = _fraction(progress, first, len(members), n)
        batch = _Batch(plan, members, states, drags, srp_areas)
        out += batch.run(stats, report)
    return out


def _fraction(progress: Callable[[float], None], first: int, count: int,
              n: int) -> Callable[[float], None]:
    """A batch's fraction done as the run's fraction done."""
    return lambda fraction: progress((first + count * fraction) / n)


class _Batch:
    """One batch: the lanes' members, statuses, records and ephemerides."""

    def __init__(self, plan: RunPlan, members: list[int], states: FloatArray,
                 drags: Sequence[DragProperties | None], srp_areas: FloatArray) -> None:
        self.plan, self.members = plan, members
        self.stage = first_stage(plan.stages, states[members])
        self.ta = ta = plan.stages[self.stage].ta
        size = int(ta.batch_size)
        self.drags = [drags[i] for i in members]
        self.srp = [float(srp_areas[i]) for i in members]
        padded = members + [members[0]] * (size - len(members))
        self.pars = np.zeros((0, size))  # the layout's parameters of the segment, per lane
        ta.set_time(0.0)
        ta.state[:] = np.ascontiguousarray(states[padded].T)
        if ta.with_events:
            ta.reset_cooldowns()
        #: Lanes still integrating (padding lanes never are).
        self.running = np.zeros(size, dtype=bool)
        self.running[:len(members)] = True
        self.status = ["completed"] * len(members)
        self.records: list[list[EventRecord]] = [[] for _ in members]
        self.out_t: list[list[FloatArray]] = [[] for _ in members]
        self.out_y: list[list[FloatArray]] = [[] for _ in members]
        self.last_out = np.full(len(members), -np.inf)

    def run(self, stats: dict[str, float],
            progress: Callable[[float], None] | None) -> list[LaneOutcome]:
        """Integrate the batch to the run's end (or until every lane has stopped)."""
        plan = self.plan
        pending = list(plan.epoch_events)
        t = 0.0
        while t < plan.t_end and self.running.any():
            live: list[int] = np.flatnonzero(self.running).tolist()
            y = np.array(self.ta.state)
            window, we = plan.open_window(t, [(y[:, j], self.drags[j]) for j in live], stats)
            fits: dict[int, DensityFit | None] = dict(zip(live, window, strict=True))
            for s0, s1 in plan.segments(t, we, window, pending):
                self._set_parameters(s0, fits)
                self._integrate(s1, stats)
                self._epoch_events(s1, pending, stats)
                t = s1
                if not self.running.any():
                    break
            if progress is not None:
                progress(min(t / plan.t_end, 1.0))
        final = np.array(self.ta.state)
        times = np.array(self.ta.time)
        return [LaneOutcome(self.status[k], float(times[k]), final[:, k].copy(), self.records[k],
                            np.concatenate(self.out_t[k]) if self.out_t[k] else np.empty(0),
                            np.concatenate(self.out_y[k]) if self.out_y[k] else
                            np.empty((0, 7)))
                for k in range(len(self.members))]

    def _set_parameters(self, s0: float, fits: dict[int, DensityFit | None]) -> None:
        """Each running lane's parameters for the segment from ``s0``. A stopped lane keeps
        those of its last segment and a padding lane its member's first ones: parameters of
        a later window at a lane's frozen time (a density fit far outside its window) could
        give it non-finite derivatives, which would halt the whole batch."""
        y = np.array(self.ta.state)
        columns: dict[int, FloatArray] = {}
        for j in np.flatnonzero(self.running).tolist():
            columns[j] = self.plan.lane_parameters(s0, fits.get(j), self.drags[j], self.srp[j],
                                                   self.members[j], y[:, j])
        if self.pars.shape[0] == 0:
            self.pars = np.repeat(columns[0][:, None], y.shape[1], axis=1)
        for j, column in columns.items():
            self.pars[:, j] = column
        # The integrator holds a prefix of the layout's parameters (Propagator._integrator).
        self.ta.pars[:] = self.pars[:self.ta.pars.shape[0]]

    def _integrate(self, s1: float, stats: dict[str, float]) -> None:
        """Integrate the running lanes to ``s1`` [s], handling each lane's located events."""
        plan = self.plan
        begin = _time.perf_counter()
        while True:
            ta, stage = self.ta, plan.stages[self.stage]
            before = np.array(ta.time)
            lanes: list[int] = np.flatnonzero(self.running).tolist()
            c_out, _ = ta.propagate_until(np.where(self.running, s1, before),
                                          c_output=grid_between(plan.grid, float(np.min(
                                              before[self.running], initial=s1)), s1))
            outcomes = ta.propagate_res
            # A lane stopped in the previous call may report one step of zero length here.
            stats["steps"] += sum(outcomes[j][3] for j in lanes)
            after = np.array(ta.time)
            if plan.grid.size and c_out is not None:
                self._output(c_out, lanes, before, after)
            again = guard = False
            for j in lanes:
                outcome = outcomes[j][0]
                if outcome == hy.taylor_outcome.time_limit:
                    continue
                if outcome == hy.taylor_outcome.success:  # stopped by another lane's event
                    again = True
                    continue
                code = int(outcome)
                member = self.members[j]
                if not (-(2 ** 31) < code < 0):
                    raise PropagationError(f"member {member}: the integrator failed at "
                                           f"{failure_time(plan.epoch, float(after[j]))} "
                                           f"({outcome!r}); the state may have left the "
                                           "models' domain")
                if stage.guard_radius_m is not None and code == -1:
                    guard = again = True
                    continue
                event = stage.located[-code - 1]
                y = np.array(ta.state[:, j])
                self.records[j].append(plan.record(event.name, member, float(after[j]), y))
                if event.action is Action.STOP:
                    self.running[j] = False
                    self.status[j] = "reentered" if event.name == "breakup" else "stopped"
                    continue
                again = True
                if event.action is Action.RESET_STATE and event.reset is not None:
                    ta.state[:, j] = event.reset(y)
                    guard = guard or below_guard(stage, ta.state[:3, j][None, :])
            if guard:  # on to the built-in events, for the whole batch
                self._next_stage(stats)
            if not again:
                break
        stats["integrate_s"] += _time.perf_counter() - begin

    def _next_stage(self, stats: dict[str, float]) -> None:
        self.stage = next_stage(self.plan.stages, self.stage, self.pars, stats)
        self.ta = self.plan.stages[self.stage].ta

    def _epoch_events(self, s1: float, pending: list[EpochEvent],
                      stats: dict[str, float]) -> None:
        """The epoch events at ``s1`` [s], for every running lane, in order."""
        plan = self.plan
        for ev in [e for e in pending if abs(float(e.epoch - plan.epoch) - s1) < 1e-6]:
            pending.remove(ev)
            for j in np.flatnonzero(self.running).tolist():
                y = np.array(self.ta.state[:, j])
                self.records[j].append(plan.record(ev.name, self.members[j], s1, y))
                if ev.action is Action.STOP:
                    self.running[j] = False
                    self.status[j] = "stopped"
                elif ev.action is Action.RESET_STATE and ev.reset is not None:
                    self.ta.state[:, j] = ev.reset(y)
                    if below_guard(plan.stages[self.stage], self.ta.state[:3, j][None, :]):
                        self._next_stage(stats)

    def _output(self, c_out: Any, lanes: list[int], before: FloatArray,
                after: FloatArray) -> None:
        """Record the grid times each lane passed in the last call, from the dense output."""
        grid = self.plan.grid
        chosen: dict[int, FloatArray] = {}
        for j in lanes:
            sel = grid[(grid >= before[j]) & (grid <= after[j])]
            sel = sel[sel > self.last_out[j]]
            if sel.size:
                chosen[j] = sel
        if not chosen:
            return
        # One evaluation for all lanes: (K, lanes) times, each lane's own or its current time.
        times = np.tile(after, (max(s.size for s in chosen.values()), 1))
        for j, sel in chosen.items():
            times[:sel.size, j] = sel
        values = np.asarray(c_out(np.ascontiguousarray(times)))
        for j, sel in chosen.items():
            self.out_t[j].append(sel)
            self.out_y[j].append(values[:sel.size, :, j])
            self.last_out[j] = sel[-1]
