"""Running a scenario: the station and its pieces propagated between events, the events applied
as state resets, the policies checked, and a log of what happened and why.

How a run goes:

1. The start state: SGP4 at the start epoch from the bundled ISS TLE at or before it, from an
   inline element set, or from an orbit given by numbers. The start configuration: the station
   record at the start epoch (or at ``station_epoch``), in its torque-equilibrium attitude.
2. The drag calibration (``drag_calibration = "tle"``): the whole station's ``m / (C_D A)`` is
   fitted to the TLEs of the 30 days before the start (:mod:`stationsim.propagation.ballistic`,
   with the run's forces and atmosphere) and every body's modelled ``C_D A`` is scaled by the
   ratio of the modelled to the fitted value. The geometric model's error (its area, its
   ``C_D``, the atmosphere's bias) is thus taken out for the whole station, and the model is
   trusted only for the split between the pieces. Without TLE history the geometric model is
   used, and the log says so. Steps 1 and 2 are :mod:`.setup`'s.
3. Between stops every flying body is propagated by the numerical core (EGM96 8x8, Sun, Moon,
   drag through the chosen atmosphere with a density fit per window; see
   :mod:`stationsim.propagation.numerical`) with its own mass and ``C_D A``
   (:class:`stationsim.station.StationDrag`). Stops are the events, the policies' checks, the
   halves of planned reboosts, the ends of finite burns and the end of the run.
4. Events (:mod:`stationsim.scenario.events`) change configurations; a separation turns one
   body into two on the same state (the few cm/s of a real separation change no re-entry date
   by more than the atmosphere's uncertainty).
5. The policies. Altitude maintenance (:mod:`.policy`), checked every ``check_days`` per
   body: when the mean height above the equatorial radius over the last revolution is below
   ``below_km``, a two-burn reboost (half a revolution apart, each half the velocity change;
   Hohmann's for a small change) raises it to ``to_km`` with whatever propulsion the body
   has. If it has none, the log says so once. Debris avoidance (:mod:`.debris`), at each
   conjunction event: a small posigrade burn when its probability of collision reaches the
   threshold, if anything can fire.
6. A body ends at breakup (re-entered) or at the end of the run.
"""

from __future__ import annotations

import math
import re
import time as _time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from stationsim.errors import (
    PredictedDataWarning,
    ScenarioRunError,
    StaleTableWarning,
    StationsimError,
)
from stationsim.forces.atmosphere import atmosphere_by_name
from stationsim.forces.sun import sun_direction_gcrf
from stationsim.propagation.dynamics import ForceModel
from stationsim.propagation.numerical import Propagator
from stationsim.scenario.bodies import Body, ScaledDrag
from stationsim.scenario.debris import meet_conjunction
from stationsim.scenario.environment import orbit_environment
from stationsim.scenario.events import EventContext, apply_event, describe_capabilities
from stationsim.scenario.policy import check_altitude
from stationsim.scenario.setup import (
    CALIBRATION_WINDOW_DAYS,
    ISS_NORAD_ID,
    Context,
    calibrate,
    default_context,
    initial_state,
    run_weather,
    station_record,
)
from stationsim.scenario.spec import (
    AltitudeMaintenance,
    Burn,
    Conjunction,
    Event,
    Scenario,
    SpaceWeatherMode,
)
from stationsim.scenario.window import ReentryWindow, reentry_window
from stationsim.station import Configuration, CrewReturn, StationDrag, crew_return
from stationsim.time import Epoch

__all__ = ["CALIBRATION_WINDOW_DAYS", "ISS_NORAD_ID", "Context", "CrewSnapshot", "LogEntry",
           "ScenarioRun", "default_context", "run_scenario"]

#: Event kinds after which the crew's ways home are taken again.
_CREW_EVENTS = frozenset({"undock", "dock", "move_crew", "crew_landing"})


def _crew_snapshot(epoch: Epoch, what: str, bodies: Sequence[Body]) -> CrewSnapshot:
    return CrewSnapshot(epoch, what, {b.name: crew_return(b.config) for b in bodies
                                      if b.flying and b.config.crew})


DAY_S = 86400.0
#: The span sampled each day [s]: a little more than one revolution at the ISS's height.
SAMPLED_REVOLUTION_S = 5700.0
#: Days sampled at every output step after a body begins (ground tracks for landing passes).
DENSE_DAYS = 2.0


@dataclass(frozen=True)
class LogEntry:
    """One line of the run's log: at ``epoch``, ``kind`` happened to ``body``: ``detail``."""

    epoch: Epoch
    kind: str
    detail: str
    body: str = ""


@dataclass
class CrewSnapshot:
    """Who is aboard which flying body, and their ways home, right after ``what`` (the start,
    or an event by its kind and place in the scenario file) at ``epoch``."""

    epoch: Epoch
    what: str
    bodies: dict[str, CrewReturn]


@dataclass
class ScenarioRun:
    """What a run did: the bodies (with ephemerides and ledgers), the log, the calibration,
    and the crew's ways home after every change."""

    scenario: Scenario
    start: Epoch
    end: Epoch
    bodies: list[Body]
    log: list[LogEntry]
    calibration: dict[str, float | str | None]
    initial: Configuration
    departures: list[tuple[str, str, Epoch, tuple[str, ...]]] = field(default_factory=list)
    statistics: dict[str, float] = field(default_factory=dict)
    windows: list[tuple[Body, ReentryWindow]] = field(default_factory=list)
    crew_changes: list[CrewSnapshot] = field(default_factory=list)

    def window(self, body: Body) -> ReentryWindow | None:
        """The re-entry window of ``body`` (:mod:`.window`), if it re-entered."""
        return next((w for b, w in self.windows if b is body), None)

    def body(self, name: str) -> Body:
        """The body called ``name`` (the last one, if a name was used twice)."""
        for body in reversed(self.bodies):
            if body.name == name:
                return body
        raise KeyError(name)


def run_scenario(scenario: Scenario, context: Context | None = None, *,
                 progress: Callable[[float], None] | None = None) -> ScenarioRun:
    """Run ``scenario`` (module notes). ``progress`` is called with the fraction of the
    run's span done."""
    ctx = context or default_context()
    try:
        return _Runner(scenario, ctx, progress).run()
    except StationsimError as exc:
        # What went wrong names the event or key; the file it is in comes first.
        if not scenario.source or str(exc).startswith(scenario.source):
            raise
        raise ScenarioRunError(f"{scenario.source}: {exc}") from exc


class _Runner:
    def __init__(self, scenario: Scenario, ctx: Context,
                 progress: Callable[[float], None] | None) -> None:
        self.scn, self.ctx, self.progress = scenario, ctx, progress
        self.log: list[LogEntry] = []
        self.start = scenario.start.epoch
        self.weather = run_weather(scenario, ctx.weather, self._note)
        self.atmosphere = atmosphere_by_name(scenario.atmosphere, self.weather)
        finite = any(isinstance(e, Burn) and e.duration_s is not None for e in scenario.events)
        full = scenario.forces == "full"
        self.model = ForceModel(gravity=ctx.gravity, degree=8 if full else 4,
                                order=None if full else 0, sun=full, moon=full, thrust=finite)
        self.propagator = Propagator(self.model, atmosphere=self.atmosphere)
        self.event_times_s = [float(e.epoch - self.start) for e in scenario.events]
        self.maintenance = [p for p in scenario.policies if isinstance(p, AltitudeMaintenance)]
        self.scale = 1.0
        self.calibration: dict[str, float | str | None] = {"mode": scenario.drag_calibration}

    # --- the run -------------------------------------------------------------------------------
    def run(self) -> ScenarioRun:
        clock = _time.perf_counter()
        r, v, how = initial_state(self.scn, self.ctx)
        record = station_record(self.scn, self.ctx)
        at = self.scn.start.station_epoch
        at = at if at is not None else self.start
        env = orbit_environment(self.start, r, v, self.atmosphere, self.propagator)
        config = record.configuration_at(at, env)
        end = self._end()
        self._note(self.start, "start", f"{config.name}: {config.mass_kg / 1e3:.1f} t, "
                   f"{len(config.crew)} crew; state by {how}; mean height "
                   f"{env.altitude_m / 1e3:.1f} km", "")
        self.scale, self.calibration = calibrate(self.scn, self.ctx, self.propagator, config,
                                                 r, v, self._note)
        body = Body("ISS" if self.scn.start.station == "bundled" else config.name, config,
                    self.start, np.concatenate([r, v]), self.start)
        ctx = EventContext(self.start, self.atmosphere, self.scn, self._note,
                           propagator=self.propagator, drag=self._drag)
        describe_capabilities(body, env, ctx, origin=None)
        bodies = [body]
        events = list(self.scn.events)
        for b in bodies:
            self._schedule_check(b)
        body.record_ledger(self.start)
        crew_changes = [_crew_snapshot(self.start, "start", bodies)]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            while True:
                flying = [b for b in bodies if b.flying]
                if not flying:
                    break
                stop = self._next_stop(flying, events, end)
                for b in flying:
                    self._advance(b, stop)
                    b.record_ledger(self.start)
                if self.progress is not None:
                    self.progress(min(float(stop - self.start) / float(end - self.start), 1.0))
                while events and float(events[0].epoch - stop) <= 1e-3:
                    event = events.pop(0)
                    if isinstance(event, Conjunction):
                        meet_conjunction(event, bodies, ctx)
                        continue
                    for child in apply_event(event, bodies, ctx):
                        child.record_ledger(self.start)
                        bodies.append(child)
                    if event.kind in _CREW_EVENTS:
                        crew_changes.append(_crew_snapshot(
                            event.epoch, f"{event.kind} ({event.where})", bodies))
                for b in [b for b in bodies if b.flying]:
                    self._due_impulses(b, stop)
                    if b.next_check is not None and float(b.next_check - stop) <= 1e-3:
                        check_altitude(b, self.maintenance, ctx)
                        self._schedule_check(b)
                for b in bodies:
                    if b.flying and b.next_check is None and self.maintenance:
                        self._schedule_check(b)
                if float(end - stop) <= 1e-3:
                    break
            clock_windows = _time.perf_counter()
            windows = [(b, w) for b in bodies if (w := self._window(b)) is not None]
            windows_s = _time.perf_counter() - clock_windows
        last = max((b.epoch for b in bodies), key=lambda e: float(e - self.start))
        self._warnings(caught, last)
        for b in bodies:
            if b.flying:
                b.status = "completed"
        run = ScenarioRun(self.scn, self.start, end, bodies, sorted(
            self.log, key=lambda e: float(e.epoch - self.start)), self.calibration, config,
            ctx.departures, windows=windows, crew_changes=crew_changes)
        run.statistics["windows_s"] = windows_s
        run.statistics["wall_s"] = _time.perf_counter() - clock
        return run

    def _window(self, body: Body) -> ReentryWindow | None:
        """The piece's re-entry window (Monte Carlo; see :mod:`.window`)."""
        if body.reentry is None:
            return None
        horizon = 3650.0 * 86400.0
        if self.scn.space_weather is SpaceWeatherMode.FORECAST:
            forecast_from = self.start
        else:  # observed until the table's last observed day (constant: never a forecast)
            days = min(self.weather.last_observed_mjd + 1.0 - float(self.start.mjd_utc),
                       2.0 * horizon / 86400.0)
            forecast_from = self.start + days * 86400.0
        value = self.calibration.get("fitted_ballistic_kg_m2")
        sigma = self.calibration.get("fitted_sigma_kg_m2")
        fit_sigma_ln = (float(sigma) / float(value)
                        if isinstance(value, float) and isinstance(sigma, float) else 0.0)
        return reentry_window(body, self.start, self.model, self.atmosphere,
                              self.scn.atmosphere, self.weather, self.scale, fit_sigma_ln,
                              forecast_from)

    def _warnings(self, caught: list[warnings.WarningMessage], end: Epoch) -> None:
        """Each distinct warning of the run (predicted space weather, a stale table) once in
        the log, at the run's end: it concerns the run, not an instant."""
        seen: set[str] = set()
        for item in caught:
            # One entry per kind of warning: the counts and spans in the text vary by call.
            text = item.category.__name__ + re.sub(r"\(.*?\)|\d+", "", str(item.message))
            if text not in seen:
                seen.add(text)
                kind = "data" if issubclass(item.category, (PredictedDataWarning,
                                                            StaleTableWarning)) else "warning"
                self._note(end, kind, str(item.message))

    def _end(self) -> Epoch:
        end = self.scn.end
        spans = [end.max_days * 86400.0]
        if end.until is not None:
            spans.append(float(end.until - self.start))
        if end.days is not None:
            spans.append(end.days * 86400.0)
        return self.start + min(spans)

    def _schedule_check(self, body: Body) -> None:
        policies = [p for p in self.maintenance if not p.bodies or body.name in p.bodies]
        if not policies or body.policy_idle:
            body.next_check = None
            return
        step = min(p.check_s for p in policies)
        body.next_check = body.epoch + step

    def _next_stop(self, flying: list[Body], events: list[Event], end: Epoch) -> Epoch:
        candidates = [end]
        if events:
            candidates.append(events[0].epoch)
        for b in flying:
            if b.next_check is not None:
                candidates.append(b.next_check)
            candidates.extend(i.epoch for i in b.impulses)
            for burn in b.finite_burns:
                ends = burn.start + burn.duration_s
                candidates.extend(t for t in (burn.start, ends) if float(t - b.epoch) > 1e-3)
        now = flying[0].epoch  # every flying body is at the same instant between stops
        later = [c for c in candidates if float(c - now) > 1e-3]
        return min(later, key=lambda c: float(c - now)) if later else end

    def _advance(self, body: Body, stop: Epoch) -> None:
        span = float(stop - body.epoch)
        if span <= 1e-3:
            return
        drag = self._drag(body)
        burns = [b for b in body.finite_burns if float(b.start - body.epoch) >= -1e-3
                 and float(stop - b.start) > 1e-3]
        result = self.propagator.propagate(body.epoch, body.state[:3], body.state[3:6],
                                           drag=drag, until=stop, burns=burns,
                                           output_times_s=self._grid(body, stop))
        member = result.members[0]
        offset = float(body.epoch - self.start)
        body.times_s.append(member.times_s + offset)
        body.states.append(member.states[:, :6])
        body.finite_burns = [b for b in body.finite_burns if b not in burns]
        if body.pending_config is not None and not body.finite_burns:
            # The tanks were drained when the burn was planned; the mass in the state fell
            # with the flow, and the configuration now agrees with it.
            body.config, body.pending_config = body.pending_config, None
            body.delta_v_used_m_s += body.pending_delta_v_m_s
            body.pending_delta_v_m_s = 0.0
        body.epoch = member.epoch
        body.state = np.asarray(member.state[:6], dtype=np.float64)
        if member.status == "reentered":
            body.status = "reentered"
            for name in ("reentry", "breakup"):
                event = member.event(name)
                if event is not None:
                    place = (event.epoch, event.lat_deg, event.lon_deg)
                    setattr(body, name, place)
            where = body.reentry or body.breakup
            if where is not None:
                self._note(where[0], "reentry", f"{body.name} reaches 120 km at "
                           f"{where[1]:.1f} deg, {where[2]:.1f} deg", body.name)

    def _drag(self, body: Body) -> ScaledDrag:
        """``body``'s mass and calibrated ``C_D A`` as its configuration stands."""
        return ScaledDrag(StationDrag(body.config, sun_direction_gcrf), self.scale)

    def _grid(self, body: Body, stop: Epoch) -> np.ndarray:
        """Output times of a call [s from the body's epoch]: one revolution a day (at the
        scenario's output step, from each whole day after the start), every step for the first
        two days of a body and after each event (for ground tracks and landing passes), and
        the stop."""
        step = self.scn.output_step_s
        t0, t1 = float(body.epoch - self.start), float(stop - self.start)
        days = np.arange(math.floor(t0 / DAY_S), math.ceil(t1 / DAY_S) + 1) * DAY_S
        revolution = np.arange(0.0, SAMPLED_REVOLUTION_S, step)
        starts = [float(body.since - self.start)]
        starts += [t for t in self.event_times_s if t0 - DENSE_DAYS * DAY_S <= t <= t1]
        dense = (np.asarray(starts)[:, None]
                 + np.arange(0.0, DENSE_DAYS * DAY_S, step)[None, :]).ravel()
        grid = np.unique(np.concatenate([(days[:, None] + revolution[None, :]).ravel(), dense,
                                         [t0, t1]]))
        return grid[(grid >= t0) & (grid <= t1)] - t0

    def _due_impulses(self, body: Body, now: Epoch) -> None:
        due = [i for i in body.impulses if float(i.epoch - now) <= 1e-3]
        for impulse in due:
            body.push(impulse.delta_v_m_s)
            body.delta_v_used_m_s += abs(impulse.delta_v_m_s)
            self._note(now, "burn", impulse.label, body.name)
        body.impulses = [i for i in body.impulses if i not in due]

    def _note(self, epoch: Epoch, kind: str, detail: str, body: str = "") -> None:
        self.log.append(LogEntry(epoch, kind, detail, body))

