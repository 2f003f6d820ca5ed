"""Make ``docs/images/iss-decay-validation.png``: the ISS's mean semi-major axis from its element
sets against the fitted prediction, for the six sets of 2022-03-19..04-09 (bundled) and the four
spans between reboosts of 2025-09-27..12-25 (``tests/reference/tle``), NRLMSIS 2.1 with the
observed space weather, as ``tests/propagation/test_decay_validation.py`` measures them.

Usage::

    python scripts/make_validation_plots.py [--out docs/images/iss-decay-validation.png]
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

from matplotlib.figure import Figure

from stationsim.analysis.plots import save_figure
from stationsim.api import load_elements
from stationsim.data import load_gravity_field, load_space_weather, load_timescale
from stationsim.forces import MsisAtmosphere
from stationsim.propagation.ballistic import (
    BallisticFit,
    fit_ballistic_coefficient,
    spans_between_manoeuvres,
)
from stationsim.propagation.dynamics import ForceModel
from stationsim.propagation.numerical import Propagator

ROOT = Path(__file__).resolve().parent.parent
ISS_2025 = ROOT / "tests" / "reference" / "tle" / "iss_25544_2025q4_daily.tle"


def spans_2025(ts, prop) -> list[BallisticFit]:
    """One fit per span between reboosts (the set after a reboost left out), as the test."""
    spans = spans_between_manoeuvres(load_elements(ISS_2025), ts)
    return [fit_ballistic_coefficient(s, ts, prop) for s in spans
            if len(s) >= 6 and float(s[-1].epoch(ts) - s[0].epoch(ts)) >= 7 * 86400.0]


def draw(ax, fits: list[BallisticFit], title: str) -> None:
    """Observed (dots) and predicted (line) change of the mean semi-major axis per span, each
    span's B and fit RMS written above its start."""
    low = 0.0
    for k, fit in enumerate(fits):
        when = [e.datetime() for e in fit.epochs]
        ax.plot(when, fit.observed_da_m, "o", ms=3.5, color="#222222",
                label="element sets (mean over one revolution)" if k == 0 else None)
        ax.plot(when, fit.predicted_da_m, "-", lw=1.8, color="#1f5fa8",
                label="NRLMSIS 2.1, observed weather, B fitted per span" if k == 0 else None)
        ax.annotate(f"B {fit.value_kg_m2:.0f} kg/m²\nRMS {fit.rms_m:.0f} m", xy=(when[0], 0.0),
                    xytext=(2, 6), textcoords="offset points", ha="left", va="bottom",
                    fontsize=8, color="#1f5fa8")
        low = min(low, float(fit.observed_da_m.min()), float(fit.predicted_da_m.min()))
    ax.set_ylim(1.05 * low, -0.2 * low)
    ax.set_ylabel("change of mean semi-major axis\nsince the span's first set [m]")
    ax.set_title(title, fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.tick_params(axis="x", labelrotation=25)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "images" /
                    "iss-decay-validation.png")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    ts = load_timescale()
    prop = Propagator(ForceModel(gravity=load_gravity_field(), degree=8, thrust=False),
                      atmosphere=MsisAtmosphere(load_space_weather()))
    fit_2022 = fit_ballistic_coefficient(load_elements(None)[3:9], ts, prop)
    fig = Figure(figsize=(9, 7.5))
    top, bottom = fig.subplots(2, 1)
    draw(top, [fit_2022], "ISS, 2022-03-19 to 04-09: six element sets, one fit "
         "(pairs off by +57 % and -21 %)")
    draw(bottom, spans_2025(ts, prop), "ISS, 2025-09-27 to 12-25: one set a day, cut at three "
         "reboosts (74 % of pairs 5-10 days apart within 15 %)")
    handles, labels = bottom.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=9, frameon=False)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    print(save_figure(fig, args.out))


if __name__ == "__main__":
    main()
