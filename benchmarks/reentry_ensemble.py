"""Re-entry benchmarks: the fast lifetime engine against the numerical propagator, and the
Monte Carlo ensembles of `stationsim reentry`, on this machine, in one run.

1. Five cases, one member each, engine and numerical propagator with the same forces (zonal
   J2-J4 and NRLMSIS 2.1 drag with the bundled observed space weather; Delfi-PQ with the full
   model): lifetime difference and time ratio. Also the engine's time per member inside a
   1,000-member ensemble, the figure a 50x speed target is about in practice.
2. 1,000 members of a USOS-like object (B = 100 kg/m^2) from the bundled ISS element set of
   2022-11-08 through ``api.reentry`` (target: under 60 s on two cores).
3. 100,000 members of the same on a local Dask cluster of two worker processes: time and the
   peak memory of the driver and of the largest worker.

Writes ``benchmarks/results/reentry.json``; ``benchmarks/run.py`` puts it in
``docs/benchmarks.md``. Usage: ``python benchmarks/reentry_ensemble.py [--quick]`` (``--quick``:
no 100,000-member run).
"""

from __future__ import annotations

import argparse
import json
import resource
import time
import warnings
from pathlib import Path

import numpy as np

from stationsim import api
from stationsim.constants import GM_EARTH_M3_S2
from stationsim.data import load_gravity_field, load_space_weather, load_timescale
from stationsim.forces import MsisAtmosphere
from stationsim.forces.drag import ConstantDrag
from stationsim.propagation.ballistic import sgp4_state_gcrf
from stationsim.propagation.dynamics import ForceModel
from stationsim.propagation.lifetime import LifetimePropagator
from stationsim.propagation.numerical import Propagator

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results" / "reentry.json"
DELFI = ROOT / "tests" / "reference" / "tle" / "delfi-pq_51074_last100d.tle"
#: Timed runs of the engine per case (its median is reported; the numerical propagator, which
#: takes seconds, runs once).
ENGINE_REPEATS = 5


def _state(height_change_m: float = 0.0):
    ts = load_timescale()
    e = api.load_elements(None)[-1]
    t0 = e.epoch(ts)
    r0, v0 = sgp4_state_gcrf(e, t0)
    if height_change_m:
        rn = np.linalg.norm(r0) + height_change_m
        r0 = r0 / np.linalg.norm(r0) * rn
        v0 = v0 / np.linalg.norm(v0) * np.sqrt(GM_EARTH_M3_S2 / rn)
    return t0, r0, v0


def engine_cases() -> list[dict]:
    atmosphere = MsisAtmosphere(load_space_weather())
    zonal = ForceModel(gravity=load_gravity_field(), degree=4, order=0, sun=False, moon=False,
                       thrust=False)
    full = ForceModel(gravity=load_gravity_field(), degree=8, thrust=False)
    ts = load_timescale()
    delfi_at = ts.from_iso("2023-12-06T21:15:00Z")
    delfi = [x for x in api.load_elements(DELFI) if float(x.epoch(ts) - delfi_at) <= 1.0][-1]
    cases = [("ISS plane, ~218 km", zonal, *_state(-200e3), 500.0),
             ("USOS-like from 418 km", zonal, *_state(), 100.0),
             ("ISS-like from 418 km", zonal, *_state(), 176.0),
             ("300 km start", zonal, *_state(-118e3), 100.0),
             ("500 km start", zonal, *_state(82e3), 30.0),
             ("Delfi-PQ 2023-12-06, full model", full, delfi_at,
              *sgp4_state_gcrf(delfi, delfi_at), 18.35)]
    rows = []
    for name, model, t0, r0, v0, b in cases:
        engine = LifetimePropagator(model, atmosphere)
        engine.propagate(t0, r0, v0, ballistic_kg_m2=b, duration_s=86400.0,
                         output_step_s=None)  # warm: the reference revolution's integrator
        times = []
        for _ in range(ENGINE_REPEATS):  # tens of milliseconds: the median of a few runs
            clock = time.perf_counter()
            fast_run = engine.propagate(t0, r0, v0, ballistic_kg_m2=b, output_step_s=None)
            times.append(time.perf_counter() - clock)
        fast_s = float(np.median(times))
        fast = fast_run.members[0]
        prop = Propagator(model, atmosphere=atmosphere)
        prop.propagate(t0, r0, v0, drag=ConstantDrag.from_ballistic_coefficient(b),
                       duration_s=86400.0)  # warm: compilation
        clock = time.perf_counter()
        slow = prop.propagate(t0, r0, v0, drag=ConstantDrag.from_ballistic_coefficient(b),
                              duration_s=3650 * 86400.0).members[0]
        slow_s = time.perf_counter() - clock
        life_fast = float(fast.event("reentry").epoch - t0)
        life_slow = float(slow.event("reentry").epoch - t0)
        rows.append({"case": name, "ballistic_kg_m2": b, "lifetime_days": life_slow / 86400,
                     "lifetime_error": life_fast / life_slow - 1.0, "engine_s": fast_s,
                     "numerical_s": slow_s, "speedup": slow_s / fast_s,
                     "engine_repeats": ENGINE_REPEATS,
                     "engine_density_samples": fast_run.statistics["density_samples"],
                     "engine_table_fills": fast_run.statistics["table_fills"],
                     "engine_steps": fast_run.statistics["steps"]})
        error = 100 * rows[-1]["lifetime_error"]
        print(f"{name}: lifetime {life_slow / 86400:.2f} d, engine {error:+.3f} %, "
              f"{fast_s:.2f} s vs {slow_s:.2f} s ({rows[-1]['speedup']:.1f}x)", flush=True)
    return rows


def ensemble(members: int, workers: int) -> dict:
    clock = time.perf_counter()
    report = api.reentry(None, members=members, ballistic_kg_m2=100.0, seed=1, workers=workers)
    wall = time.perf_counter() - clock
    data = report.as_dict()["reentry"]
    row = {"members": members, "workers": workers, "wall_s": wall,
           "per_member_ms": 1e3 * wall / members,
           "median": data["median"], "p05": data["p05"], "p95": data["p95"],
           "driver_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
           "worker_peak_mb": (None if workers == 1 else
                              resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
           "statistics": report.statistics}
    print(f"{members} members, {workers} worker(s): {wall:.1f} s, window {data['p05'][:10]} .. "
          f"{data['p95'][:10]}, peak {row['driver_peak_mb']:.0f} MB (driver), "
          f"{row['worker_peak_mb'] or 0:.0f} MB (largest worker)", flush=True)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="leave out the 100,000-member run")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    out = {"date": started, "engine": engine_cases(), "ensembles": [ensemble(1000, 1)]}
    if not args.quick:
        out["ensembles"].append(ensemble(100_000, 2))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, indent=1))
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
