"""What the density fit costs in accuracy: case C and its re-entry variant DC, run with the fitted
path (:class:`stationsim.propagation.Propagator`) and the direct path with NRLMSISE-00 at every
evaluation (:class:`stationsim.propagation.DirectPropagator`).

usage: python benchmarks/fit_vs_direct.py [--days D] [--no-lifetime]

Reports for case C (30 days by default) the decay of the mean height and the final position
difference, and for DC (case C's forces until 120 km) the lifetimes and their relative
difference, against the required limits (lifetime within 0.5 %). The direct DC run takes several
minutes. Prints ``RESULT {json}`` lines and writes ``benchmarks/results/fit_vs_direct.json``.
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np
from bench_stationsim import ROOT, cm, drag_for, model_for

from stationsim.data import load_timescale
from stationsim.propagation import DirectPropagator, Propagator
from stationsim.propagation.kepler import elements_from_state


def mean_height_km(times_s: np.ndarray, states: np.ndarray, t_end: float) -> float:
    """``a - R`` [km] of the osculating elements averaged over the last orbit before ``t_end``."""
    sel = times_s >= t_end - 5560.0
    el = elements_from_state(states[sel, :3], states[sel, 3:6])
    return float(np.mean(el.a_m) - cm.RE) / 1e3


def run(prop: Propagator | DirectPropagator, epoch, duration_s: float, output_step_s: float
        ) -> tuple[dict, object]:
    y0 = np.asarray(cm.Y0, dtype=float)
    start = time.perf_counter()
    res = prop.propagate(epoch, y0[:3], y0[3:6], drag=drag_for("C"), duration_s=duration_s,
                         output_step_s=output_step_s)
    wall = time.perf_counter() - start
    m = res.members[0]
    out = {"wall_s": round(wall, 2), "status": m.status,
           "statistics": {k: round(float(v), 3) for k, v in res.statistics.items()}}
    entry = m.event("reentry")
    if entry is not None:
        out["lifetime_d"] = float(entry.epoch - epoch) / 86400.0
        out["reentry"] = {"epoch": entry.epoch.iso(0), "lat_deg": round(entry.lat_deg, 2),
                          "lon_deg": round(entry.lon_deg, 2)}
    return out, m


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=float, default=30.0)
    parser.add_argument("--no-lifetime", action="store_true")
    args = parser.parse_args()
    model, atmosphere = model_for("C")
    epoch = load_timescale().from_iso(cm.EPOCH_UTC)
    fitted = Propagator(model, atmosphere=atmosphere)
    direct = DirectPropagator(model, atmosphere=atmosphere)
    report: dict = {"case": "C", "days": args.days}
    span = args.days * 86400.0
    c_fit, m_fit = run(fitted, epoch, span, 60.0)
    c_dir, m_dir = run(direct, epoch, span, 60.0)
    y0 = np.asarray(cm.Y0, dtype=float)
    h0 = float(elements_from_state(y0[:3], y0[3:6]).a_m - cm.RE) / 1e3
    for rec, m in ((c_fit, m_fit), (c_dir, m_dir)):
        rec["final_mean_height_km"] = round(mean_height_km(m.times_s, m.states, span), 4)
    decay_fit = c_fit["final_mean_height_km"] - h0
    decay_dir = c_dir["final_mean_height_km"] - h0
    report["C"] = {"fit": c_fit, "direct": c_dir,
                   "position_difference_km": round(float(np.linalg.norm(
                       m_fit.state[:3] - m_dir.state[:3])) / 1e3, 3),
                   "decay_relative_difference": round((decay_fit - decay_dir) / decay_dir, 5)}
    print("RESULT " + json.dumps({"C": report["C"]}), flush=True)
    if not args.no_lifetime:
        ten_years = 3650.0 * 86400.0
        d_fit, _ = run(fitted, epoch, ten_years, 3600.0)
        d_dir, _ = run(direct, epoch, ten_years, 3600.0)
        rel = (d_fit["lifetime_d"] - d_dir["lifetime_d"]) / d_dir["lifetime_d"]
        report["DC"] = {"fit": d_fit, "direct": d_dir, "lifetime_relative_difference":
                        round(rel, 6), "limit": 0.005, "pass": abs(rel) <= 0.005}
        print("RESULT " + json.dumps({"DC": report["DC"]}), flush=True)
    out = ROOT / "benchmarks" / "results" / "fit_vs_direct.json"
    out.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
