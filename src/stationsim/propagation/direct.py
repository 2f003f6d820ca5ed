"""The slow, accurate path: the atmosphere model itself at every evaluation of the forces.

:class:`~.numerical.Propagator` replaces the atmosphere by a fit per window so that the whole
force model compiles into heyoka's Taylor integrator. :class:`DirectPropagator` keeps the model:
SciPy's DOP853 (Hairer's 8(5,3) Runge-Kutta, adaptive, dense output) integrates the same
equations, every force but drag evaluated from the same heyoka expressions (:mod:`.dynamics`,
through ``heyoka.cfunc``), and drag from the density that the atmosphere gives at the point
and instant of each evaluation: NRLMSIS 2.1 or NRLMSISE-00 through pymsis (about 15 s a
simulated day for an ISS orbit, a thousand times the fitted path's cost). It is the reference
that measures what the fit costs in accuracy (``docs/validation.md``), and a user's choice when
the answer matters more than the time.

What it shares with the fitted path: the force model's gravity, Sun, Moon and SRP; the Earth
orientation, held per UTC day (:class:`.windows.Windows`); the air co-rotating about the CIP;
``C_D A`` sampled from the drag properties at each 3-hour UTC slot; the built-in events
(entry interface 120 km, breakup 78 km) on the WGS-84 geodetic height. What it leaves out:
finite burns and user events (the fitted path has them). UTC is taken as TT less its offset at
the start, which is wrong by one second after a leap second inside a run (a density change of
~1e-6).

The atmosphere needs ``density_geodetic(mjd_utc, lat_rad, lon_rad, height_m)`` (the MSIS and
exponential models have it); any other :class:`~stationsim.forces.atmosphere.Atmosphere` is
called through its ``density(epoch, r_gcrf_m)``, with the IAU 2006 rotation at every point,
slower still.
"""

from __future__ import annotations

import dataclasses
import time as _time
from collections.abc import Callable
from typing import Any

import heyoka as hy
import numpy as np
from scipy.integrate import solve_ivp

from stationsim.errors import PropagationError
from stationsim.forces.atmosphere import Atmosphere
from stationsim.forces.drag import DragProperties
from stationsim.frames import itrf_to_geodetic
from stationsim.propagation.dynamics import ForceModel, build_dynamics
from stationsim.propagation.events import EventRecord, event_record, failure_time
from stationsim.propagation.initial import end_time
from stationsim.propagation.results import MemberResult, PropagationResult
from stationsim.propagation.windows import DAY, SLOT, Windows
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = ["DirectPropagator"]


class DirectPropagator:
    """Cowell's method with SciPy's DOP853 and the atmosphere model at every evaluation.

    Args:
        model: the forces; ``model.drag`` must be ``"fit"`` (here: the atmosphere itself) or
            ``None``. Thrust terms are left out.
        atmosphere: the density model (required with drag).
        rtol: DOP853's relative tolerance (1e-10: about 0.01 m over a day for an ISS orbit);
            the absolute tolerances are 1e-4 m and 1e-7 m/s.
        reentry_height_m, breakup_height_m: the built-in height events (WGS-84 geodetic).
    """

    def __init__(self, model: ForceModel, *, atmosphere: Atmosphere | None = None,
                 rtol: float = 1e-10, reentry_height_m: float = 120e3,
                 breakup_height_m: float = 78e3) -> None:
        if model.drag not in ("fit", None):
            raise PropagationError("the direct path takes its density from the atmosphere "
                                   "model: give ForceModel(drag='fit') or no drag")
        if model.drag == "fit" and atmosphere is None:
            raise PropagationError("drag needs an atmosphere model")
        self.model = model
        self.atmosphere = atmosphere
        self.rtol = rtol
        self.reentry_height_m = reentry_height_m
        self.breakup_height_m = breakup_height_m
        self._dynamics = build_dynamics(dataclasses.replace(model, drag=None, thrust=False))
        dyn = self._dynamics
        outputs = [rhs for _, rhs in dyn.equations[3:6]] + list(dyn.itrf)
        self._cfunc = hy.cfunc(outputs, dyn.variables)

    def propagate(self, epoch: Epoch, r_gcrf_m: FloatArray, v_gcrf_m_s: FloatArray, *,
                  drag: DragProperties | None = None, until: Epoch | None = None,
                  duration_s: float | None = None, srp_area_m2: float = 0.0,
                  output_step_s: float | None = None,
                  progress: Callable[[float], None] | None = None) -> PropagationResult:
        """Propagate one member from ``epoch`` (GCRF ``(3,)`` position [m] and velocity [m/s]);
        the arguments are those of :meth:`.numerical.Propagator.propagate`. The member stops
        at breakup (status ``"reentered"``)."""
        r0 = np.asarray(r_gcrf_m, dtype=np.float64).reshape(-1)
        v0 = np.asarray(v_gcrf_m_s, dtype=np.float64).reshape(-1)
        if r0.shape != (3,) or v0.shape != (3,):
            raise PropagationError(f"the direct path propagates one state of two 3-vectors; "
                                   f"got {r0.shape} and {v0.shape}")
        if not (np.all(np.isfinite(r0)) and np.all(np.isfinite(v0))):
            raise PropagationError("the initial state has NaN or infinite values")
        t_end = end_time(epoch, until, duration_s)
        run = _DirectRun(self, epoch, t_end, drag, srp_area_m2)
        grid = (np.arange(0.0, t_end + 1e-9, output_step_s) if output_step_s else np.empty(0))
        start = _time.perf_counter()
        member = run.member(np.concatenate([r0, v0]), grid, progress)
        stats = {"evaluations": float(run.evaluations), "density_calls": float(run.density_calls),
                 "integrate_s": _time.perf_counter() - start}
        return PropagationResult(epoch=epoch, members=[member], statistics=stats)


class _DirectRun(Windows):
    """One member's run: the windows' orientation, the right-hand side, the events."""

    def __init__(self, prop: DirectPropagator, epoch: Epoch, t_end: float,
                 drag: DragProperties | None, srp_area_m2: float) -> None:
        model = prop.model
        super().__init__(model, prop.atmosphere, 0, prop._dynamics.layout, epoch, t_end)
        self.prop, self.drag = prop, drag
        self.mass = 1.0 if drag is None else float(drag.mass_kg)
        if "cr_area_m2" in self.layout:
            self.pars[self.layout.index("cr_area_m2")] = srp_area_m2
        self.mjd0 = float(np.asarray(epoch.mjd_utc))
        self.cd_area = 0.0
        self.evaluations = self.density_calls = 0
        self.spin = np.zeros(3)
        self._point = getattr(prop.atmosphere, "density_geodetic", None)
        self._input = np.zeros(7)
        self._input[6] = self.mass

    # --- the equations --------------------------------------------------------------------
    def _forces(self, t: float, y: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Acceleration without drag [m/s^2] and the ITRF position [m] at ``t``, ``y``."""
        self._input[:6] = y
        out = self.prop._cfunc(self._input, pars=self.pars, time=t)
        return out[:3], out[3:6]

    def _density(self, t: float, y: FloatArray, itrf: FloatArray) -> float:
        self.density_calls += 1
        if self._point is not None:
            lat, lon, h = itrf_to_geodetic(itrf)
            return float(self._point(self.mjd0 + t / DAY, float(lat), float(lon), float(h)))
        assert self.atmosphere is not None
        return float(np.asarray(self.atmosphere.density(self.epoch + t, y[None, :3]))[0])

    def rhs(self, t: float, y: FloatArray) -> FloatArray:
        """``dy/dt`` for ``y = (r, v)`` (GCRF, SI)."""
        self.evaluations += 1
        acc, itrf = self._forces(t, y)
        if self.cd_area > 0.0:
            rho = self._density(t, y, itrf)
            spin = self.spin
            v_rel = y[3:] - np.cross(spin, y[:3])
            acc = acc - (0.5 * rho * self.cd_area / self.mass * np.linalg.norm(v_rel)) * v_rel
        return np.concatenate([y[3:], acc])

    def height(self, t: float, y: FloatArray) -> float:
        """WGS-84 geodetic height [m] at ``t``, ``y``."""
        _, itrf = self._forces(t, y)
        return float(itrf_to_geodetic(itrf)[2])

    # --- the run --------------------------------------------------------------------------
    def member(self, y0: FloatArray, grid: FloatArray,
               progress: Callable[[float], None] | None) -> MemberResult:
        events: list[EventRecord] = []
        out_t: list[FloatArray] = []
        out_y: list[FloatArray] = []
        t, y, status = 0.0, y0, "completed"
        reentry = self._height_event(self.prop.reentry_height_m, terminal=False)
        breakup = self._height_event(self.prop.breakup_height_m, terminal=True)
        while t < self.t_end and status == "completed":
            day_end = self.utc_boundary(t, DAY)[1]
            self.set_orientation(t, day_end)
            lay = self.layout
            first = lay.index("c2i")
            # The air turns about the CIP: the third row of the celestial-to-intermediate matrix.
            self.spin = self.pars[lay.index("omega")] * self.pars[first + 6:first + 9]
            s1 = min(self.utc_boundary(t, SLOT)[1], self.t_end)
            self.cd_area = (0.0 if self.drag is None or self.model.drag is None else
                            float(self.drag.drag_area_m2(self.epoch + t, y[:3], y[3:])))
            sel = grid[(grid >= t) & (grid <= s1)]
            if out_t and sel.size and out_t[-1].size and sel[0] <= out_t[-1][-1]:
                sel = sel[sel > out_t[-1][-1]]
            # The segment's end is always evaluated: it is where the next segment starts.
            wanted = sel if sel.size and sel[-1] == s1 else np.append(sel, s1)
            sol = solve_ivp(self.rhs, (t, s1), y, method="DOP853", rtol=self.prop.rtol,
                            atol=_ATOL, events=[reentry, breakup], t_eval=wanted)
            if sol.status < 0:
                raise PropagationError(f"the integrator failed at "
                                       f"{failure_time(self.epoch, float(sol.t[-1]))}: "
                                       f"{sol.message}")
            keep = np.isin(sol.t, sel)
            if np.any(keep):
                out_t.append(sol.t[keep])
                out_y.append(sol.y.T[keep])
            for name, te, ye in (("reentry", sol.t_events[0], sol.y_events[0]),
                                 ("breakup", sol.t_events[1], sol.y_events[1])):
                for tk, yk in zip(te, ye, strict=True):
                    state = np.concatenate([yk, [self.mass]])
                    events.append(event_record(name, 0, self.epoch + float(tk), state))
            if sol.status == 1:  # the terminal event: breakup
                status = "reentered"
                t, y = float(sol.t_events[1][0]), sol.y_events[1][0]
            else:
                t, y = s1, sol.y[:, -1]
            if progress is not None:
                progress(min(t / self.t_end, 1.0))
        times = np.concatenate(out_t) if out_t else np.empty(0)
        states = (np.column_stack([np.concatenate(out_y), np.full(times.size, self.mass)])
                  if out_y else np.empty((0, 7)))
        return MemberResult(status, self.epoch + t, np.concatenate([y, [self.mass]]), events,
                            times, states)

    def _height_event(self, height_m: float, *, terminal: bool) -> Any:
        def crossing(t: float, y: FloatArray) -> float:
            return self.height(t, y) - height_m
        crossing.terminal = terminal  # type: ignore[attr-defined]
        crossing.direction = -1.0  # type: ignore[attr-defined]
        return crossing


#: DOP853's absolute tolerances: position [m], velocity [m/s].
_ATOL = np.array([1e-4, 1e-4, 1e-4, 1e-7, 1e-7, 1e-7])
