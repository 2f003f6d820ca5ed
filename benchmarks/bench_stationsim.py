"""stationsim's own numerical propagator on the peer benchmark's standard cases.

usage: python benchmarks/bench_stationsim.py CASE [tol] [--days D] [--cold]

CASE:
  A    two-body + J2 about inertial +z (the benchmark's J2, MU, RE), 30 d
  B    A + drag, static exponential density over a sphere, Cd*A/m = 0.011 m^2/kg, 30 d
  C    EGM96 8x8 (bundled) + NRLMSISE-00 (F10.7 = F10.7a = 150, Ap = 15) by density fit, 30 d
  C2   as C with NRLMSIS 2.1
  D    B's forces until |r| - RE < 120 km (lifetime)
  ENS  100 members of B with the benchmark's A/m spread, one propagate() call
  CAL  1-day error of tolerances 1e-7..1e-10 against a 1e-15 run (cases A and B)
  DIAG where case B's integration time goes: stationsim's own equations of motion in a bare
       heyoka integrator, one 30-day propagate_until, with and without compact mode and the
       two built-in height events (best of 5)

``--days D`` changes the span of A, B, C, C2 (e.g. 1 for the one-day comparison);
``--cold`` switches heyoka's on-disk cache off in this process, so ``compile_s`` is a cold JIT;
``--daily-ap`` runs C/C2's MSIS in daily-Ap mode instead of stationsim's default storm-time mode
(the 3-hourly ap history), a diagnostic variant.

Prints ``RESULT {json}`` lines like the peers' scripts in ``../shared/bench-peers`` (whose
``common.py`` defines the cases; it is imported from there so that the cases cannot drift).
Only the propagation is timed (``run_s``); building the propagator and its first, 60-second
propagation (which compiles the integrator) are ``setup_s``, of which ``compile_s`` is heyoka's
JIT as the propagator's statistics report it.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The peers' folder, next to the repository (the only place outside it a benchmark may read).
PEERS = Path(os.environ.get("STATIONSIM_BENCH_PEERS", ROOT / ".." / "shared" / "bench-peers"))
if not (PEERS / "common.py").is_file():
    sys.exit(f"bench_stationsim: the peer benchmark folder ../shared/bench-peers (looked in "
             f"{PEERS}) is missing; it holds common.py, the definition of the cases")
sys.path.insert(0, str(PEERS))

import common as cm  # noqa: E402  (../shared/bench-peers/common.py)
import heyoka as hy  # noqa: E402
import numpy as np  # noqa: E402

import stationsim  # noqa: E402
from stationsim.data import SpaceWeather, load_gravity_field, load_timescale  # noqa: E402
from stationsim.forces.atmosphere import MsisAtmosphere  # noqa: E402
from stationsim.forces.drag import ConstantDrag  # noqa: E402
from stationsim.forces.gravity import GravityField  # noqa: E402
from stationsim.propagation.dynamics import ExponentialDensity, ForceModel  # noqa: E402
from stationsim.propagation.events import Action, ExpressionEvent  # noqa: E402
from stationsim.propagation.numerical import Propagator  # noqa: E402

DEFAULT_TOL = 1e-8          # the benchmark's "~1 m over a day" decade (see CAL)


def j2_field() -> GravityField:
    """Degree-2 field from the benchmark's J2, MU, RE: ``Cbar20 = -J2 / sqrt(5)``, ``C00 = 1``."""
    c = np.zeros((3, 3))
    s = np.zeros((3, 3))
    c[0, 0] = 1.0
    c[2, 0] = -cm.J2 / np.sqrt(5.0)
    return GravityField("benchmark-J2", cm.MU, cm.RE, c, s, 2)


def exponential() -> ExponentialDensity:
    return ExponentialDensity(rho0_kg_m3=cm.RHO0, h0_m=cm.H0, scale_height_m=cm.HSCALE,
                              spherical=True)


def model_for(case: str, daily_ap: bool = False) -> tuple[ForceModel, object | None]:
    common = dict(sun=False, moon=False, thrust=False)
    if case == "A":
        return ForceModel(gravity=j2_field(), degree=2, order=0, drag=None,
                          orientation="uniform", **common), None
    if case in ("B", "D", "ENS"):
        return ForceModel(gravity=j2_field(), degree=2, order=0, drag=exponential(),
                          orientation="uniform", **common), None
    if case in ("C", "C2"):
        weather = SpaceWeather.constant(f107_sfu=cm.F107, f107a_sfu=cm.F107A, ap=cm.AP)
        atmosphere = MsisAtmosphere(weather, model="nrlmsise00" if case == "C" else "msis2.1",
                                    storm_time=not daily_ap)
        return ForceModel(gravity=load_gravity_field(), degree=8, order=8, drag="fit",
                          **common), atmosphere
    raise SystemExit(f"bench_stationsim: unknown case {case!r}")


def drag_for(case: str):
    if case == "A":
        return None
    if case == "ENS":
        return [ConstantDrag.from_ballistic_coefficient(1.0 / float(b)) for b in cm.ensemble_bcs()]
    return ConstantDrag.from_ballistic_coefficient(1.0 / cm.BC)


def reentry_event() -> ExpressionEvent:
    """|r| - RE crosses 120 km downwards (written as r^2 - r0^2, as the heyoka peer does)."""
    r0 = cm.RE + cm.H_REENTRY

    def fn(dyn):
        x, y, z = dyn.variables[:3]
        return x * x + y * y + z * z - r0 * r0

    return ExpressionEvent("alt120-sphere", fn, direction="down", action=Action.STOP)


def diskcache_info() -> dict:
    st = hy.llvm_state
    try:
        return dict(enabled=bool(st.get_diskcache_enabled()),
                    size_mb=round(st.get_diskcache_size() / 2 ** 20, 1))
    except Exception as exc:  # older heyoka: no disk cache API
        return dict(error=str(exc))


def run_case(case: str, tol: float, days: float | None, cold: bool,
             daily_ap: bool = False) -> dict:
    rec: dict = dict(tool="stationsim", case=case, tol=tol, version=stationsim.__version__,
                     heyoka=hy.__version__, cold_jit=cold)
    if case in ("C", "C2"):
        rec["msis_ap_mode"] = "daily Ap" if daily_ap else "storm-time (3-hourly ap history)"
    if cold:
        hy.llvm_state.set_diskcache_enabled(False)
    rec["heyoka_diskcache"] = diskcache_info()
    ts = load_timescale()
    epoch = ts.from_iso(cm.EPOCH_UTC)
    y0 = np.asarray(cm.Y0, dtype=float)
    n = cm.ENS_N if case == "ENS" else 1
    r0 = np.repeat(y0[None, :3], n, axis=0)
    v0 = np.repeat(y0[None, 3:], n, axis=0)
    events = [reentry_event()] if case == "D" else []
    drag = drag_for(case)
    if case == "D":
        span = 3000 * 86400.0
    else:
        span = cm.T30 if days is None else days * 86400.0

    t0 = time.perf_counter()
    model, atmosphere = model_for(case, daily_ap)
    prop = Propagator(model, atmosphere=atmosphere, tolerance=tol)
    warm = prop.propagate(epoch, r0[:1], v0[:1], drag=drag[0] if isinstance(drag, list) else drag,
                          duration_s=60.0, events=events)
    rec["setup_s"] = time.perf_counter() - t0
    rec["compile_s"] = float(warm.statistics.get("compile_s", float("nan")))
    layout = prop.dynamics.layout
    if model.drag is not None and model.orientation == "uniform":
        # the air's spin about +z: the layout's default, never changed in "uniform" mode
        rec["omega_air_rad_s"] = float(layout.defaults()[layout.index("omega")])
        rec["omega_benchmark_rad_s"] = cm.OMEGA_E

    with cm.Timer() as tm:
        res = prop.propagate(epoch, r0 if n > 1 else r0[0], v0 if n > 1 else v0[0], drag=drag,
                             duration_s=span, events=events)
    rec["run_s"] = tm.dt
    st = dict(res.statistics)
    rec["stats"] = {k: float(v) for k, v in st.items()}
    t_end = [float(m.epoch - epoch) for m in res.members]
    sim_days = sum(t_end) / 86400.0            # simulated member-days
    rec["sim_days"] = sim_days
    rec["s_per_sim_day"] = tm.dt / sim_days
    rec["steps_per_day"] = st.get("steps", 0.0) / sim_days
    rec["density_evals_per_day"] = st.get("density_samples", 0.0) / sim_days
    rec["fit_s"] = st.get("fit_s", 0.0)
    rec["integrate_s"] = st.get("integrate_s", 0.0)
    rec["other_s"] = tm.dt - rec["fit_s"] - rec["integrate_s"]
    rec["status"] = sorted({m.status for m in res.members})
    rec["events"] = sorted({e.name for m in res.members for e in m.events})
    if n > 1:
        yf = np.array([m.state[:6] for m in res.members]).T
        alts = (np.linalg.norm(yf[:3], axis=0) - cm.RE) / 1e3
        a = [(cm.sma(yf[:, k]) - cm.RE) / 1e3 for k in range(n)]
        rec.update(alt_km_min=float(alts.min()), alt_km_max=float(alts.max()),
                   a_minus_re_km_min=float(min(a)), a_minus_re_km_max=float(max(a)),
                   member0=cm.summarize(yf[:, 0], t_end[0]),
                   member_mid=cm.summarize(yf[:, n // 2], t_end[n // 2]),
                   parallel="SIMD batch: members in lanes of heyoka.recommended_simd_size(), one thread")
    else:
        rec.update(cm.summarize(res.members[0].state[:6], t_end[0]))
        if case == "D":
            rec["lifetime_days"] = t_end[0] / 86400.0
    return rec


def calibrate() -> dict:
    """1-day position error of each tolerance against a tol=1e-15 run (cases A and B)."""
    ts = load_timescale()
    epoch = ts.from_iso(cm.EPOCH_UTC)
    y0 = np.asarray(cm.Y0, dtype=float)
    out = {}
    for case in ("A", "B"):
        model, _ = model_for(case)
        drag = drag_for(case)
        ref = Propagator(model, tolerance=1e-15).propagate(
            epoch, y0[:3], y0[3:], drag=drag, duration_s=86400.0).members[0].state[:3]
        for tol in (1e-7, 1e-8, 1e-9, 1e-10):
            prop = Propagator(model, tolerance=tol)
            prop.propagate(epoch, y0[:3], y0[3:], drag=drag, duration_s=60.0)
            with cm.Timer() as tm:
                y = prop.propagate(epoch, y0[:3], y0[3:], drag=drag,
                                   duration_s=86400.0).members[0].state[:3]
            out[f"{case}_tol{tol:g}"] = dict(err_m=float(np.linalg.norm(y - ref)), s=tm.dt)
    return out


def diagnose() -> dict:
    """Case B's equations (``Propagator.dynamics``) in bare heyoka integrators: the cost of
    compact mode and of the built-in geodetic height events, without the run's Python loop."""
    model, _ = model_for("B")
    prop = Propagator(model, tolerance=DEFAULT_TOL)
    dyn = prop.dynamics
    pars = dyn.layout.defaults()
    pars[dyn.layout.index("cd_area_m2")] = 1.0
    y0 = [*map(float, cm.Y0), 1.0 / cm.BC]
    out = {}
    for compact in (True, False):
        for events in (True, False):
            evs = ([hy.t_event(dyn.geodetic_height - h) for h in (prop.reentry_height_m,
                                                                 prop.breakup_height_m)]
                   if events else [])
            ta = hy.taylor_adaptive(dyn.equations, y0, pars=pars, tol=DEFAULT_TOL, t_events=evs,
                                    compact_mode=compact)
            best = float("inf")
            for _ in range(5):
                ta.time = 0.0
                ta.state[:] = y0
                with cm.Timer() as tm:
                    res = ta.propagate_until(cm.T30)
                best = min(best, tm.dt)
            out[f"compact={compact}, height events={events}"] = dict(s=best, steps=int(res[3]))
    return out


def main(argv: list[str]) -> None:
    args = [a for a in argv if not a.startswith("--")]
    days = None
    if "--days" in argv:
        days = float(argv[argv.index("--days") + 1])
        args.remove(argv[argv.index("--days") + 1])
    cold = "--cold" in argv
    case = args[0] if args else "A"
    tol = float(args[1]) if len(args) > 1 else DEFAULT_TOL
    if case == "CAL":
        cm.emit(dict(tool="stationsim", case="CAL", cal=calibrate(), version=stationsim.__version__))
        return
    if case == "DIAG":
        cm.emit(dict(tool="stationsim", case="DIAG", diag=diagnose(), version=stationsim.__version__))
        return
    cm.emit(run_case(case, tol, days, cold, daily_ap="--daily-ap" in argv))


if __name__ == "__main__":
    main(sys.argv[1:])
