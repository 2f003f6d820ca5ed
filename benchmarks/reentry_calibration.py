"""Calibration of the re-entry window: how often does the 5-95 % window hold the truth?

Delfi-PQ (its last 100 days of TLEs in ``tests/reference/tle``; truth 2024-01-06 14:30 UTC, the
120-km crossing from its last TLE): predictions every four days from 70 to 2 days before the
last TLE, 200 members each, in ``observed`` and in ``forecast`` mode, each with the ballistic
coefficient fitted to the 30 days before. A calibrated 90 % window holds the truth about nine
times in ten. The leads are not independent (their fit windows overlap), so the fraction is a
guide, not a statistic.

With ``--calibrated``, Delfi-PQ once more in ``observed`` mode with NRLMSIS 2.1 corrected by the
factors measured on three SpaceBEEs (``tests/reference/density_correction_spacebee_2023.csv``;
truth 2024-01-06 14:41 UTC, the crossing from the last TLE with the same correction).

SpaceBEE picosatellites 55087, 55094 and 55102 (one element set a day in ``tests/reference/tle``,
2023-01 to 2024-06; none re-entered, so the truth is their later decay): from a start every 30
days, 200 members each in both modes, the 5-95 % band of the decay of the mean semi-major axis
10 and 30 days later (:mod:`stationsim.analysis.height_band`) against the decay shown by the
element set nearest that time. The starts span the storms of 2023-04-23, 2023-11-05 and
2024-05-10.

With ``--leads 60,30,10,3``, Delfi-PQ at those leads only, in both modes (with ``--calibrated``
too): the tables of the re-entry window in ``docs/validation.md``, kept apart from the
every-four-days calibration in the results file.

Writes ``benchmarks/results/reentry_calibration.json`` and prints the rows.
Usage: ``python benchmarks/reentry_calibration.py [--step-days N] [--skip-delfi]
[--skip-spacebee] [--calibrated] [--leads L1,L2,...]``.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np

from stationsim.analysis.height_band import predict_height_band
from stationsim.analysis.reentry import predict_reentry
from stationsim.api import load_elements
from stationsim.data import load_timescale
from stationsim.forces.density_correction import DensityCorrection
from stationsim.io.density_correction import parse_density_correction
from stationsim.propagation.ballistic import mean_sma_sgp4

ROOT = Path(__file__).resolve().parent.parent
DELFI = ROOT / "tests" / "reference" / "tle" / "delfi-pq_51074_last100d.tle"
OUT = ROOT / "benchmarks" / "results" / "reentry_calibration.json"
TRUTH = "2024-01-06T14:30:00Z"
CORRECTION = ROOT / "tests" / "reference" / "density_correction_spacebee_2023.csv"
TRUTH_CALIBRATED = "2024-01-06T14:41:00Z"
SPACEBEE = (55087, 55094, 55102)
HORIZONS_DAYS = (10.0, 30.0)


def spacebee(ts) -> dict:
    """The SpaceBEE height-band calibration (see the module notes)."""
    rows = []
    for norad in SPACEBEE:
        els = load_elements(ROOT / "tests" / "reference" / "tle" / f"spacebee_{norad}_daily.tle")
        epochs = np.array([float(e.epoch(ts) - els[0].epoch(ts)) for e in els])
        first = els[0].epoch(ts) + 33 * 86400.0
        for k in range(40):
            at = first + k * 30 * 86400.0
            if float(els[-1].epoch(ts) - at) < 33 * 86400.0:
                break
            for mode in ("observed", "forecast"):
                clock = time.perf_counter()
                band = predict_height_band(els, ts, at=at, days=33.0, members=200,
                                           space_weather=mode)
                start_el = [e for e in els if float(e.epoch(ts) - at) <= 0.0][-1]
                a0 = mean_sma_sgp4(start_el, ts)
                for horizon in HORIZONS_DAYS:
                    target = float(band.epoch + horizon * 86400.0 - els[0].epoch(ts))
                    e = els[int(np.argmin(np.abs(epochs - target)))]
                    dt = float(e.epoch(ts) - band.epoch)
                    observed = mean_sma_sgp4(e, ts) - a0
                    _, decay = band.at(dt)
                    row = {"norad_id": norad, "start": band.epoch.iso(0), "mode": mode,
                           "horizon_days": dt / 86400.0, "observed_decay_km": observed / 1e3,
                           "p05_km": decay[0] / 1e3, "median_km": decay[1] / 1e3,
                           "p95_km": decay[2] / 1e3,
                           "median_error": float((decay[1] - observed) / observed),
                           "inside": bool(decay[0] <= observed <= decay[2]),
                           "wall_s": time.perf_counter() - clock}
                    rows.append(row)
                    print(f"SpaceBEE {norad} {row['start'][:10]} {mode:8s} "
                          f"{horizon:4.0f} d: decay {observed / 1e3:6.2f} km, band "
                          f"{decay[0] / 1e3:6.2f} .. {decay[2] / 1e3:6.2f} (median "
                          f"{decay[1] / 1e3:6.2f}): "
                          f"{'holds' if row['inside'] else 'misses'}", flush=True)
    summary = {}
    for mode in ("observed", "forecast"):
        for horizon in HORIZONS_DAYS:
            mine = [r for r in rows if r["mode"] == mode
                    and abs(r["horizon_days"] - horizon) < 2.0]
            s = {"predictions": len(mine), "inside": sum(r["inside"] for r in mine),
                 "mean_abs_median_error": float(np.mean([abs(r["median_error"])
                                                         for r in mine]))}
            summary[f"{mode} {horizon:.0f} d"] = s
            print(f"SpaceBEE {mode}, {horizon:.0f} days: {s['inside']} of {s['predictions']} "
                  f"bands hold the observed decay; mean |median error| "
                  f"{100 * s['mean_abs_median_error']:.1f} % of the decay")
    return {"rows": rows, "summary": summary}


def delfi(ts, leads, correction: DensityCorrection | None = None,
          both_modes: bool = False) -> dict:
    """The Delfi-PQ re-entry-window calibration at ``leads`` [days] (see the module notes)."""
    els = load_elements(DELFI)
    last = els[-1].epoch(ts)
    truth = ts.from_iso(TRUTH if correction is None else TRUTH_CALIBRATED)
    modes = ("observed", "forecast") if correction is None or both_modes else ("observed",)
    rows = []
    for mode in modes:
        for lead in leads:
            at = last + (-float(lead) * 86400.0)
            clock = time.perf_counter()
            r = predict_reentry(els, ts, at=at, members=200, space_weather=mode,
                                density_correction=correction)
            remaining = float(truth - at)
            row = {"mode": mode, "lead_days": float(lead),
                   "median_error": float(r.median - truth) / remaining,
                   "p05_error": float(r.p05 - truth) / remaining,
                   "p95_error": float(r.p95 - truth) / remaining,
                   "inside": bool(r.p05.mjd_utc <= truth.mjd_utc <= r.p95.mjd_utc),
                   "ballistic_kg_m2": r.ballistic_kg_m2, "wall_s": time.perf_counter() - clock}
            rows.append(row)
            print(f"{mode:8s} {lead:5.1f} d: median {100 * row['median_error']:+6.1f} %, window "
                  f"{100 * row['p05_error']:+6.1f} .. {100 * row['p95_error']:+6.1f} %, "
                  f"{'holds' if row['inside'] else 'misses'} the truth", flush=True)
    summary = {}
    for mode in modes:
        mine = [r for r in rows if r["mode"] == mode]
        summary[mode] = {"predictions": len(mine),
                         "inside": sum(r["inside"] for r in mine),
                         "mean_abs_median_error": float(np.mean([abs(r["median_error"])
                                                                 for r in mine]))}
        s = summary[mode]
        print(f"{mode}: {s['inside']} of {s['predictions']} windows hold the truth; mean "
              f"|median error| {100 * s['mean_abs_median_error']:.1f} % of the time remaining")
    return {"truth": truth.iso(0), "rows": rows, "summary": summary}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--step-days", type=float, default=4.0)
    ap.add_argument("--skip-delfi", action="store_true")
    ap.add_argument("--skip-spacebee", action="store_true")
    ap.add_argument("--calibrated", action="store_true",
                    help="only Delfi-PQ in observed mode with the SpaceBEE density correction")
    ap.add_argument("--leads", type=str, default=None,
                    help="Delfi-PQ at these leads [days] only, e.g. 60,30,10,3")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    ts = load_timescale()
    out = json.loads(OUT.read_text()) if OUT.exists() else {}
    leads = (np.arange(70.0, 1.99, -args.step_days) if args.leads is None
             else [float(x) for x in args.leads.split(",")])
    correction = (parse_density_correction(CORRECTION.read_text(), str(CORRECTION))
                  if args.calibrated else None)
    if args.leads is not None:
        out["leads_calibrated" if args.calibrated else "leads"] = delfi(ts, leads, correction,
                                                                        both_modes=True)
    elif args.calibrated:
        out["delfi_calibrated"] = delfi(ts, leads, correction)
    elif not args.skip_delfi:
        out.update(delfi(ts, leads))
    if not args.skip_spacebee and not args.calibrated and args.leads is None:
        out["spacebee"] = spacebee(ts)
    out["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
