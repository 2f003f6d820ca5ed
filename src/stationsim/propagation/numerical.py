"""The numerical propagator: Cowell's method with heyoka's adaptive Taylor integrator.

A run advances one or more members (an ensemble) from a common epoch. The equations are those
of :mod:`.dynamics`, compiled once per force model (and cached on disk by heyoka). A run is cut
into windows (a UTC day; shorter near re-entry) and each window into segments (3-hour slots of
the ap index, burn starts and ends, epoch events); between segments only runtime parameters
change: Earth orientation per window, the density fit per window and its slot offset, the drag
area, the thrust. No Python code runs inside a step.

Per window, the density of the run's atmosphere (MSIS, Harris-Priester, ...) is sampled along
the orbit predicted with the J2 secular drift (:func:`.kepler.predict_j2`), in a height band
that covers the expected decay, and fitted (:mod:`stationsim.forces.density_fit`).

Events: the entry interface (120 km geodetic, "reentry") is recorded and the member goes on
to breakup (78 km, "breakup"), where it stops with the status "reentered"; user events are
:mod:`.events`. The ephemeris recorder evaluates the integrator's dense output on a fixed grid.
"""

from __future__ import annotations

import itertools
import time as _time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import heyoka as hy
import numpy as np
from threadpoolctl import threadpool_limits

from stationsim.constants import GM_EARTH_M3_S2, JD_J2000, WGS84_A_M, WGS84_F
from stationsim.errors import PropagationError
from stationsim.forces.atmosphere import Atmosphere
from stationsim.forces.density_fit import DensityFit, fit_log_density
from stationsim.forces.drag import DragProperties
from stationsim.forces.gravity import point_mass_acceleration, zonal_acceleration
from stationsim.forces.sun import sun_position_gcrf
from stationsim.frames import earth_rotation, gcrf_to_itrf_position, itrf_to_geodetic
from stationsim.propagation.dynamics import Dynamics, ForceModel, build_dynamics
from stationsim.propagation.events import (
    Action,
    EpochEvent,
    EventRecord,
    ExpressionEvent,
    HeightEvent,
    heyoka_direction,
)
from stationsim.propagation.kepler import elements_from_state
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = ["FiniteBurn", "MemberResult", "PropagationResult", "Propagator"]

_DAY = 86400.0
#: Window lengths [s], each dividing the previous one; the shortest is used near re-entry.
_WINDOWS = (86400.0, 10800.0, 3600.0, 1200.0, 300.0)
#: The decay allowed within one window before a shorter window is chosen [m].
_DECAY_PER_WINDOW_M = 6e3
#: The cadence of the ap index [s]: the density fit gets one offset per 3-hour UTC slot.
_SLOT = 10800.0
_BAND_MARGIN_M = 3e3


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
    """

    status: str
    epoch: Epoch
    state: FloatArray
    events: list[EventRecord]
    times_s: FloatArray
    states: FloatArray

    def event(self, name: str) -> EventRecord | None:
        """The first event called ``name``, if it occurred."""
        return next((e for e in self.events if e.name == name), None)


@dataclass
class PropagationResult:
    """The members' results and the run's statistics (steps, density fits and samples,
    wall time per phase)."""

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
        self._integrators: dict[tuple[Any, ...], tuple[Any, list[Any]]] = {}

    @property
    def dynamics(self) -> Dynamics:
        """The equations of motion."""
        return self._dynamics

    # --- set-up --------------------------------------------------------------------------
    def _integrator(self, events: Sequence[HeightEvent | ExpressionEvent]) -> tuple[Any, list[Any]]:
        # An expression event's function is part of the compiled integrator: key on it too.
        key = tuple((type(e).__name__, e.name, getattr(e, "height_m", None), e.direction,
                     getattr(e, "function", None)) for e in events)
        if key not in self._integrators:
            dyn = self._dynamics
            t_events = []
            for ev in events:
                if isinstance(ev, HeightEvent):
                    fn = dyn.geodetic_height - ev.height_m
                else:
                    fn = ev.function(dyn)
                t_events.append(hy.t_event(fn, direction=heyoka_direction(ev.direction)))
            start = _time.perf_counter()
            ta = hy.taylor_adaptive(dyn.equations, [WGS84_A_M + 4e5, 0, 0, 0, 7.6e3, 0, 1.0],
                                    pars=dyn.layout.defaults(), tol=self.tolerance,
                                    t_events=t_events, compact_mode=dyn.compact)
            self.compile_s = _time.perf_counter() - start
            self._integrators[key] = (ta, list(events))
        return self._integrators[key]

    # --- run -----------------------------------------------------------------------------
    def propagate(self, epoch: Epoch, r_gcrf_m: FloatArray, v_gcrf_m_s: FloatArray, *,
                  drag: DragProperties | Sequence[DragProperties] | None = None,
                  until: Epoch | None = None, duration_s: float | None = None,
                  srp_area_m2: float | Sequence[float] = 0.0,
                  burns: Sequence[FiniteBurn] = (),
                  events: Sequence[HeightEvent | EpochEvent | ExpressionEvent] = (),
                  output_step_s: float | None = None,
                  progress: Callable[[float], None] | None = None) -> PropagationResult:
        """Propagate members from ``epoch`` (one scalar epoch; states ``(N, 3)`` or ``(3,)``).

        Give the end as ``until`` or ``duration_s`` (for a re-entry run, a long duration such as
        ten years: members stop at breakup). ``drag`` supplies mass and ``C_D A`` (one for all
        members or one per member); ``srp_area_m2`` is ``C_R A``. ``progress`` is called with
        the fraction done.
        """
        r0 = np.atleast_2d(np.asarray(r_gcrf_m, dtype=np.float64))
        v0 = np.atleast_2d(np.asarray(v_gcrf_m_s, dtype=np.float64))
        n = r0.shape[0]
        if r0.shape != (n, 3) or v0.shape != (n, 3):
            raise PropagationError(f"states must be (N, 3); got {r0.shape} and {v0.shape}")
        if not (np.all(np.isfinite(r0)) and np.all(np.isfinite(v0))):
            raise PropagationError("the initial state has NaN or infinite values")
        drags = _per_member(drag, n, "drag")
        srp = np.broadcast_to(np.asarray(srp_area_m2, dtype=np.float64), (n,))
        t_end = _end_time(epoch, until, duration_s)
        if output_step_s is not None and not (np.isfinite(output_step_s) and output_step_s > 0):
            raise PropagationError(f"the output step must be a positive number of seconds "
                                   f"(got {output_step_s})")
        built_in = [HeightEvent("reentry", self.reentry_height_m, "down", Action.CONTINUE),
                    HeightEvent("breakup", self.breakup_height_m, "down", Action.STOP)]
        located = built_in + [e for e in events if not isinstance(e, EpochEvent)]
        epoch_events = sorted((e for e in events if isinstance(e, EpochEvent)),
                              key=lambda e: float(e.epoch - epoch))
        ta, _ = self._integrator(located)
        run = _Run(self, ta, epoch, t_end, located, epoch_events, burns, output_step_s)
        stats: dict[str, float] = {"steps": 0.0, "density_fits": 0.0, "density_samples": 0.0,
                                   "fit_s": 0.0, "integrate_s": 0.0}
        # The density fits' small matrix products would otherwise start BLAS threads that
        # fight the integrator for the cores (3x slower on a loaded 2-core machine).
        with threadpool_limits(limits=1, user_api="blas"):
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


def _end_time(epoch: Epoch, until: Epoch | None, duration_s: float | None) -> float:
    if (until is None) == (duration_s is None):
        raise PropagationError("give the end of the run as until or duration_s (one of them)")
    t_end = float(until - epoch) if until is not None else float(duration_s)  # type: ignore
    if not np.isfinite(t_end) or t_end <= 0.0:
        raise PropagationError(f"the run must end after its start (got {t_end} s)")
    return t_end


class _Run:
    """The state of one run: the windows, fits and segments shared by its members."""

    def __init__(self, prop: Propagator, ta: Any, epoch: Epoch, t_end: float,
                 located: list[HeightEvent | ExpressionEvent], epoch_events: list[EpochEvent],
                 burns: Sequence[FiniteBurn], output_step_s: float | None) -> None:
        self.prop, self.ta, self.epoch, self.t_end = prop, ta, epoch, t_end
        self.layout = prop.dynamics.layout
        self.located, self.epoch_events, self.burns = located, epoch_events, list(burns)
        self.grid = (np.arange(0.0, t_end + 1e-9, output_step_s) if output_step_s
                     else np.empty(0))
        tt1, tt2 = epoch.tt
        self.jc0 = float(((tt1 - JD_J2000) + tt2) / 36525.0)
        day, sec = epoch.utc_day_seconds()
        self.day0 = float(day)
        self.sec0 = float(sec)
        self.pars = self.layout.defaults()
        if "jc0" in self.layout:
            self.pars[self.layout.index("jc0")] = self.jc0

    # --- windows --------------------------------------------------------------------------
    def utc_boundary(self, t: float, length: float) -> tuple[float, float]:
        """The UTC-aligned window of ``length`` [s] containing integrator time ``t``."""
        ts = self.epoch.ts
        here = self.epoch + t
        day, sec = here.utc_day_seconds()
        k = np.floor(float(sec) / length)
        start = ts.from_utc_day_seconds(day, k * length) - self.epoch
        end = ts.from_utc_day_seconds(day, min((k + 1) * length, _DAY))
        end_s = float(end - self.epoch)
        if (k + 1) * length >= _DAY:
            end_s = float(ts.from_utc_day_seconds(float(day) + 1.0, 0.0) - self.epoch)
        return float(start), end_s

    def set_orientation(self, t0: float, t1: float) -> None:
        """Earth-orientation parameters for the window ``[t0, t1)``."""
        lay, p = self.layout, self.pars
        if self.prop.model.orientation == "uniform":
            rot = earth_rotation(self.epoch + t0)
            p[lay.index("era0")] = float(rot.era_rad)
            p[lay.index("t_era0")] = t0
            return
        mid = earth_rotation(self.epoch + 0.5 * (t0 + t1))
        start = earth_rotation(self.epoch + t0)
        p[lay.index("c2i"):lay.index("c2i") + 9] = np.asarray(mid.c2i).ravel()
        p[lay.index("pom"):lay.index("pom") + 9] = np.asarray(mid.pom).ravel()
        p[lay.index("era0")] = float(start.era_rad)
        p[lay.index("t_era0")] = t0
        p[lay.index("omega")] = float(start.omega_rad_s)

    def fit_density(self, t: float, state: FloatArray, decay_rate: float,
                    stats: dict[str, float]) -> tuple[DensityFit, float, float]:
        """Fit the atmosphere over the window that starts at ``t``; returns the fit and the
        window's end. The window is shortened while the expected decay exceeds 6 km."""
        length = _WINDOWS[-1]
        for candidate in _WINDOWS:
            if decay_rate * candidate <= _DECAY_PER_WINDOW_M:
                length = candidate
                break
        ws, we = self.utc_boundary(t, length)
        we = min(we, max(self.t_end, t + 1.0))
        begin = time_now = _time.perf_counter()
        ns = self.prop.samples_per_window
        frac = (np.arange(ns) + 0.5) / ns
        times = t + frac * (we - t)
        positions = _predict(state, times - t)
        low = _BAND_MARGIN_M + 1.5 * decay_rate * (we - t)
        offsets = -low + (low + _BAND_MARGIN_M) * _van_der_corput(ns)
        radius = np.linalg.norm(positions, axis=1)
        floor = WGS84_A_M * (1.0 - WGS84_F) + 60e3
        new_radius = np.maximum(radius + offsets, floor)
        positions = positions * (new_radius / radius)[:, None]
        atmosphere = self.prop.atmosphere
        assert atmosphere is not None  # checked in Propagator.__init__
        rho = atmosphere.density(self.epoch + times, positions)
        sun = sun_position_gcrf(self.epoch + 0.5 * (t + we))
        edges = [t]
        if length >= _SLOT:
            edges += [c for c in ws + _SLOT * np.arange(1, length / _SLOT) if t < c < we]
        edges.append(we)
        fit = fit_log_density(positions, times, rho, sun_gcrf=sun, start_s=t, length_s=we - t,
                              slot_edges_s=np.array(edges))
        stats["density_fits"] += 1
        stats["density_samples"] += ns
        stats["fit_s"] += _time.perf_counter() - time_now
        del begin
        return fit, ws, we

    # --- one member -----------------------------------------------------------------------
    def member(self, index: int, state: FloatArray, drag: DragProperties | None,
               srp_area: float, stats: dict[str, float],
               progress: Callable[[float], None] | None) -> MemberResult:
        ta, lay, p = self.ta, self.layout, self.pars
        ta.time = 0.0
        ta.state[:] = state
        if "cr_area_m2" in lay:
            p[lay.index("cr_area_m2")] = srp_area
        records: list[EventRecord] = []
        out_t: list[FloatArray] = []
        out_y: list[FloatArray] = []
        status = "completed"
        t = 0.0
        pending = list(self.epoch_events)
        while t < self.t_end and status == "completed":
            fit: DensityFit | None = None
            if self.prop.model.drag == "fit":
                y = np.array(ta.state)
                rate = self._decay_rate(t, y, drag)
                fit, _ws, we = self.fit_density(t, y, rate, stats)
            elif self.prop.model.orientation == "uniform":
                we = self.t_end  # nothing changes between windows: one segment per event
            else:
                _ws, we = self.utc_boundary(t, _DAY)
            we = min(we, self.t_end)
            # Orientation over the rest of the UTC day, whatever the run's end: a state at t
            # must not depend on how far beyond t the run goes.
            self.set_orientation(t, self.utc_boundary(t, _DAY)[1])
            for s0, s1 in self._segments(t, we, fit, pending):
                self._set_segment(s0, fit, drag, index)
                ta.pars[:] = p
                status, t = self._integrate(index, s0, s1, records, out_t, out_y, pending, stats)
                if status != "completed":
                    break
            if progress is not None:
                progress(min(t / self.t_end, 1.0))
        final = np.array(ta.state)
        times = np.concatenate(out_t) if out_t else np.empty(0)
        states = np.concatenate(out_y) if out_y else np.empty((0, 7))
        return MemberResult(status, self.epoch + ta.time, final, records, times, states)

    def _decay_rate(self, t: float, state: FloatArray, drag: DragProperties | None) -> float:
        """An upper estimate of the decay rate of the semi-major axis [m/s] at time ``t``: the
        circular-orbit rate ``rho (C_D A/m) sqrt(mu a)`` with the density at perigee height,
        doubled for the density's variation around the orbit."""
        if self.prop.model.drag != "fit" or drag is None or self.prop.atmosphere is None:
            return 0.0
        el = elements_from_state(state[:3], state[3:6])
        if not 0.0 < float(el.e) < 1.0:
            return 0.0
        perigee = float(el.a_m * (1.0 - el.e))
        point = state[:3] / np.linalg.norm(state[:3]) * max(perigee, WGS84_A_M + 60e3)
        when = self.epoch + t
        rho = float(np.asarray(self.prop.atmosphere.density(when, point[None, :]))[0])
        cd_area = drag.drag_area_m2(when, state[:3], state[3:6])
        return float(2.0 * rho * cd_area / state[6] * np.sqrt(GM_EARTH_M3_S2 * el.a_m))

    def _segments(self, t: float, we: float, fit: DensityFit | None,
                  pending: list[EpochEvent]) -> list[tuple[float, float]]:
        cuts = {t, we}
        if fit is not None:
            cuts.update(float(c) for c in fit.slot_edges_s)
        for burn in self.burns:
            b0 = float(burn.start - self.epoch)
            cuts.update((b0, b0 + burn.duration_s))
        cuts.update(float(e.epoch - self.epoch) for e in pending)
        ordered = sorted(c for c in cuts if t <= c <= we)
        return [(a, b) for a, b in itertools.pairwise(ordered) if b > a]

    def _set_segment(self, s0: float, fit: DensityFit | None, drag: DragProperties | None,
                     index: int) -> None:
        lay, p, ta = self.layout, self.pars, self.ta
        if fit is not None:
            first = lay.index("density")
            p[first:first + len(fit.parameters(0))] = fit.parameters(fit.slot_of(s0 + 1e-6))
        if "cd_area_m2" in lay:
            y = np.array(ta.state)
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
        ta = self.ta
        begin = _time.perf_counter()
        while True:
            t_before = ta.time
            res = ta.propagate_until(s1, c_output=self.grid.size > 0)
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
                                       f"{(self.epoch + ta.time).iso(0)} ({outcome!r}); the "
                                       "state may have left the models' domain")
            event = self.located[-code - 1]
            y = np.array(ta.state)
            records.append(self._record(event.name, index, ta.time, y))
            if event.action is Action.STOP:
                stats["integrate_s"] += _time.perf_counter() - begin
                return ("reentered" if event.name == "breakup" else "stopped"), ta.time
            if event.action is Action.RESET_STATE and event.reset is not None:
                ta.state[:] = event.reset(y)
        stats["integrate_s"] += _time.perf_counter() - begin
        for ev in [e for e in pending if abs(float(e.epoch - self.epoch) - s1) < 1e-6]:
            pending.remove(ev)
            y = np.array(ta.state)
            records.append(self._record(ev.name, index, s1, y))
            if ev.action is Action.STOP:
                return "stopped", s1
            if ev.action is Action.RESET_STATE and ev.reset is not None:
                ta.state[:] = ev.reset(y)
        return "completed", s1

    def _record(self, name: str, index: int, t: float, y: FloatArray) -> EventRecord:
        when = self.epoch + t
        itrf = gcrf_to_itrf_position(when, y[:3])
        lat, lon, h = itrf_to_geodetic(itrf)
        return EventRecord(name=name, member=index, epoch=when, r_gcrf_m=y[:3].copy(),
                           v_gcrf_m_s=y[3:6].copy(), mass_kg=float(y[6]),
                           lat_deg=float(np.degrees(lat)), lon_deg=float(np.degrees(lon)),
                           height_m=float(h))


_PREDICTOR: list[Any] = []


def _predict(state: FloatArray, dt_s: FloatArray) -> FloatArray:
    """Positions [m] after ``dt_s`` (increasing) without drag: point mass + J2 about GCRF z,
    osculating, so the predicted heights follow the real orbit's J2 oscillations."""
    if not _PREDICTOR:
        x, y, z, vx, vy, vz = hy.make_vars("x", "y", "z", "vx", "vy", "vz")
        acc = point_mass_acceleration([x, y, z], GM_EARTH_M3_S2)
        j2 = zonal_acceleration([x, y, z], GM_EARTH_M3_S2, WGS84_A_M, [_J2])
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


#: J2 for the predictor (EGM96, -sqrt(5) C20).
_J2 = 1.0826266835531513e-3


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
