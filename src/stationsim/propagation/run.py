"""One run of the numerical propagator (:class:`.numerical.Propagator`): the windows, density
fits and segments its members share, and the scalar integrator's pass over each member.

A run is cut into windows (a UTC day; shorter near re-entry) and each window into segments
(3-hour slots of the ap index, burn starts and ends, epoch events); between segments only
runtime parameters change: Earth orientation per window, the density fit per window and its slot
offset, the drag area, the thrust. No Python code runs inside a step.

Per window, the density of the run's atmosphere (MSIS, Harris-Priester, ...) is sampled along
the predicted orbit and fitted (:mod:`.windows`).

The ephemeris recorder evaluates the integrator's dense output on a fixed grid. A member starts
on the stage of the run that its state calls for (the entry guard and the built-in events:
:mod:`.numerical`); a state reset that puts a member at or below the entry guard moves it on at
once. Ensembles of two or more members run in SIMD batches (:mod:`.batch`) on the same run.
"""

from __future__ import annotations

import itertools
import time as _time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import heyoka as hy
import numpy as np

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
)
from stationsim.propagation.dynamics import Dynamics, ForceModel
from stationsim.propagation.events import (
    Action,
    EpochEvent,
    EventRecord,
    ExpressionEvent,
    HeightEvent,
    event_record,
    failure_time,
)
from stationsim.propagation.results import FiniteBurn, MemberResult
from stationsim.propagation.windows import Windows
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = ["RunSetup"]


class RunSetup(Protocol):
    """What a run needs of its propagator (:class:`.numerical.Propagator`)."""

    model: ForceModel
    atmosphere: Atmosphere | None
    samples_per_window: int

    @property
    def dynamics(self) -> Dynamics:
        """The equations of motion."""
        ...

    def stages(self, located: list[HeightEvent | ExpressionEvent], lanes: int) -> list[Stage]:
        """The stages of a run that locates ``located``, on integrators with ``lanes`` SIMD
        lanes (0: scalar)."""
        ...


class _Run(Windows):
    """The state of one run: the windows, fits and segments shared by its members."""

    def __init__(self, prop: RunSetup, lanes: int | None, epoch: Epoch, t_end: float,
                 located: list[HeightEvent | ExpressionEvent], epoch_events: list[EpochEvent],
                 burns: Sequence[FiniteBurn], grid: FloatArray) -> None:
        """A run of ``prop`` on integrators with ``lanes`` SIMD lanes (0 or None: scalar),
        locating ``located`` (the built-in events first, if any)."""
        super().__init__(prop.model, prop.atmosphere, prop.samples_per_window,
                         prop.dynamics.layout, epoch, t_end)
        self.prop = prop
        self.stages = prop.stages(located, lanes or 0)
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
