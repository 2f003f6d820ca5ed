"""Decay against real tracking: the ballistic-coefficient fit, then prediction, with NRLMSIS 2.1
and the bundled observed space weather.

References:

* Delfi-PQ (NORAD 51074, a PocketQube of TU Delft, SSO 97.5 deg), which re-entered in early
  January 2024: its TLEs of the last 100 days (``tests/reference/tle/``, thinned from the
  18th SDS series; see the README there). The "true" re-entry is the 120-km crossing predicted
  from the last TLE (2024-01-05 21:15 UTC, ~130 km, n = 16.28 rev/d), with the ballistic
  coefficient fitted at the 3-day lead: the last TLE is hours from the end, so its own error
  is a few hours at most.
* The ISS TLEs of 2022-03-19 to 04-09 bundled with the package (no reboost between them).
* The ISS TLEs of 2025-09-27 to 12-25, one a day (``tests/reference/tle/``): four spans between
  reboosts, each fitted on its own, for the decay between sets 5 to 10 days apart.

The requirements: Delfi-PQ's re-entry from 60, 30, 10 and 3 days before the last TLE
within 10 % of the remaining lifetime; the ISS decay between TLE pairs within 15 %. Where
stationsim misses them the test is a strict expected failure that records the measured value.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from stationsim.api import load_elements
from stationsim.data import load_gravity_field, load_space_weather, load_timescale
from stationsim.forces import MsisAtmosphere
from stationsim.forces.density_correction import CorrectedAtmosphere
from stationsim.forces.drag import ConstantDrag
from stationsim.io.density_correction import parse_density_correction
from stationsim.propagation.ballistic import (
    fit_ballistic_coefficient,
    sgp4_state_gcrf,
    spans_between_manoeuvres,
)
from stationsim.propagation.dynamics import ForceModel
from stationsim.propagation.numerical import Propagator
from stationsim.time import Epoch, Timescale

DELFI = Path(__file__).parents[1] / "reference" / "tle" / "delfi-pq_51074_last100d.tle"
ISS_2025 = Path(__file__).parents[1] / "reference" / "tle" / "iss_25544_2025q4_daily.tle"
#: NRLMSIS 2.1 calibrated on three SpaceBEE picosatellites (480-500 km, not Delfi-PQ) over
#: 2023-07-30..2024-01-11 by ``stationsim calibrate`` (see tests/reference/tle/README.md).
CORRECTION = Path(__file__).parents[1] / "reference" / "density_correction_spacebee_2023.csv"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def setup() -> dict[str, object]:
    warnings.simplefilter("ignore")
    ts = load_timescale()
    prop = Propagator(ForceModel(gravity=load_gravity_field(), degree=8, thrust=False),
                      atmosphere=MsisAtmosphere(load_space_weather()))
    return {"ts": ts, "prop": prop}


def _delfi_errors(ts: Timescale, prop: Propagator) -> dict[float, float]:
    """Prediction error as a fraction of the remaining lifetime, per lead [days], with the
    atmosphere of ``prop`` in both the fits and the predictions."""
    els = load_elements(DELFI)
    last = els[-1].epoch(ts)

    def predict(lead: float, ballistic: float | None = None) -> tuple[Epoch, float]:
        at = last + (-lead * 86400.0)
        use = [e for e in els
               if -30 * 86400.0 < float(e.epoch(ts) - at) <= 1.0]
        b = ballistic if ballistic is not None else fit_ballistic_coefficient(
            use, ts, prop).value_kg_m2
        start = els[-1] if ballistic is not None else use[-1]
        t0 = start.epoch(ts)
        r0, v0 = sgp4_state_gcrf(start, t0)
        member = prop.propagate(
            t0, r0, v0, drag=ConstantDrag.from_ballistic_coefficient(b),
            duration_s=200 * 86400.0).members[0]
        entry = member.event("reentry")
        assert entry is not None, f"no re-entry predicted from {lead} days"
        return entry.epoch, b

    _, b3 = predict(3.0)
    truth, _ = predict(0.0, ballistic=b3)
    out = {}
    for lead in (60.0, 30.0, 10.0, 3.0):
        when, _ = predict(lead)
        remaining = float(truth - (last + (-lead * 86400.0)))
        out[lead] = float(when - truth) / remaining
    return out


@pytest.fixture(scope="module")
def delfi(setup: dict[str, object]) -> dict[float, float]:
    """Prediction error as a fraction of the remaining lifetime, per lead [days]."""
    return _delfi_errors(setup["ts"], setup["prop"])  # type: ignore[arg-type]


@pytest.mark.parametrize("lead", [10.0, 3.0])
def test_delfi_pq_short_leads_within_10_percent(delfi: dict[float, float], lead: float) -> None:
    """Re-entry from 10 and 3 days before the last TLE: within 10 % of the remaining lifetime
    (measured: -5.3 % and see docs/validation.md)."""
    assert abs(delfi[lead]) <= 0.10, f"lead {lead} d: {100 * delfi[lead]:+.1f} %"


@pytest.mark.xfail(strict=True, reason="NRLMSIS 2.1 with a 30-day fit predicts Delfi-PQ's "
                   "re-entry early at long leads: -23 % at 60 days, -13 % at 30 days: the "
                   "model was 20-33 % low in October 2023 (measured on SpaceBEEs) and the "
                   "fits of those leads absorb it; calibrated, they pass (below)")
@pytest.mark.parametrize("lead", [60.0, 30.0])
def test_delfi_pq_long_leads_within_10_percent(delfi: dict[float, float], lead: float) -> None:
    """The 10 % requirement at 60 and 30 days (not met; see the xfail reason)."""
    assert abs(delfi[lead]) <= 0.10, f"lead {lead} d: {100 * delfi[lead]:+.1f} %"


def test_delfi_pq_long_leads_bounded(delfi: dict[float, float]) -> None:
    """Regression bound on the long leads: within 30 % (60 d) and 20 % (30 d); measured
    -22.9 % and -12.7 %."""
    assert abs(delfi[60.0]) <= 0.30
    assert abs(delfi[30.0]) <= 0.20


@pytest.mark.parametrize("lead", [2.0, 1.5])
def test_fit_converges_in_the_last_days(setup: dict[str, object], lead: float) -> None:
    """Two days and less before the last TLE (240 km and lower), a little more drag than the
    answer brings the object down inside the 30-day window. The fit once jumped between such
    values and gave up (B* then stood in: 35 instead of 21 kg/m^2, the re-entry 2 days late).
    It must converge to the 3-day fit's value within 3 %."""
    ts, prop = setup["ts"], setup["prop"]
    els = load_elements(DELFI)
    last = els[-1].epoch(ts)  # type: ignore[attr-defined]

    def fit(days: float) -> float:
        at = last + (-days * 86400.0)
        use = [e for e in els if -30 * 86400.0 < float(e.epoch(ts) - at) <= 1.0]  # type: ignore[arg-type]
        return fit_ballistic_coefficient(use, ts, prop).value_kg_m2  # type: ignore[arg-type]

    assert fit(lead) == pytest.approx(fit(3.0), rel=0.03)


@pytest.fixture(scope="module")
def delfi_calibrated(setup: dict[str, object]) -> dict[float, float]:
    """The same predictions with NRLMSIS 2.1 corrected by factors measured on other objects."""
    prop = setup["prop"]
    correction = parse_density_correction(CORRECTION.read_text(), str(CORRECTION))
    calibrated = Propagator(prop.model,  # type: ignore[attr-defined]
                            atmosphere=CorrectedAtmosphere(prop.atmosphere,  # type: ignore[attr-defined]
                                                           correction))
    return _delfi_errors(setup["ts"], calibrated)  # type: ignore[arg-type]


@pytest.mark.parametrize("lead", [60.0, 30.0, 10.0, 3.0])
def test_delfi_pq_with_calibrated_density_within_10_percent(
        delfi_calibrated: dict[float, float], lead: float) -> None:
    """The requirement (10 % of the remaining lifetime at every lead) with the density
    corrected by factors calibrated on three SpaceBEE picosatellites (independent objects at
    470-500 km, above Delfi-PQ's 420 km and less of its last 100 days): the correction removes
    the model's October-2023 deficit that the 60- and 30-day fits absorbed. Measured: see
    docs/validation.md."""
    error = delfi_calibrated[lead]
    assert abs(error) <= 0.10, f"lead {lead} d: {100 * error:+.1f} %"


@pytest.fixture(scope="module")
def iss_pairs(setup: dict[str, object]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One fit over the six ISS TLEs of 2022-03-19..04-09; decay between consecutive TLEs,
    observed and predicted, and the pairs' spans [days]."""
    ts, prop = setup["ts"], setup["prop"]
    els = load_elements(None)[3:9]
    fit = fit_ballistic_coefficient(els, ts, prop)  # type: ignore[arg-type]
    spans = np.diff([float(e - fit.epochs[0]) for e in fit.epochs]) / 86400.0
    return np.diff(fit.observed_da_m), np.diff(fit.predicted_da_m), spans


def test_iss_2022_pairs_bounded(iss_pairs: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    """Pairs spanning 3 days or more (1-day pairs are within the TLEs' ~20 m noise): predicted
    over observed decay within a factor 0.6-1.7 (measured 1.57, 0.79 and 1.07 for the 6-, 9.4-
    and 3.1-day pairs); and the whole span matches by construction of the fit (5 %)."""
    observed, predicted, spans = iss_pairs
    long = spans >= 3.0
    ratio = predicted[long] / observed[long]
    assert np.all((ratio > 0.6) & (ratio < 1.7)), ratio
    assert np.sum(predicted) / np.sum(observed) == pytest.approx(1.0, abs=0.05)


@pytest.mark.xfail(strict=True, reason="the ISS decay rate varied from 32 to 98 m/day over "
                   "2022-03-19..04-09 while NRLMSIS 2.1 with the observed F10.7 and Ap "
                   "predicts 50-80 m/day: the 6- and 9.4-day pairs are off by +57 % and -21 %")
def test_iss_2022_pairs_within_15_percent(
        iss_pairs: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    """The requirement: each pair within 15 % (not met; see the xfail reason)."""
    observed, predicted, spans = iss_pairs
    long = spans >= 3.0
    assert np.all(np.abs(predicted[long] / observed[long] - 1.0) <= 0.15)


@pytest.fixture(scope="module")
def iss_2025(setup: dict[str, object]) -> tuple[list[float], np.ndarray]:
    """The ISS of late 2025, cut at each rise of the mean semi-major axis over 150 m (a
    reboost; the first set after one is left out, its orbit determination may straddle the
    burn). Each span of a week or more gets its own fit; returned: the fitted B per span
    [kg/m^2], and predicted over observed decay for every pair of sets 5 to 10 days apart."""
    ts, prop = setup["ts"], setup["prop"]
    spans = spans_between_manoeuvres(load_elements(ISS_2025), ts)  # type: ignore[arg-type]
    fits, ratios = [], []
    for span in spans:
        if len(span) < 6 or float(span[-1].epoch(ts) - span[0].epoch(ts)) < 7 * 86400.0:  # type: ignore[arg-type]
            continue
        fit = fit_ballistic_coefficient(span, ts, prop)  # type: ignore[arg-type]
        fits.append(fit.value_kg_m2)
        days = (fit.epochs.mjd_utc - fit.epochs.mjd_utc[0]).astype(float)
        obs, pred = fit.observed_da_m, fit.predicted_da_m
        ratios += [(pred[j] - pred[i]) / (obs[j] - obs[i])
                   for i in range(len(days)) for j in range(i + 1, len(days))
                   if 5.0 <= days[j] - days[i] <= 10.0]
    return fits, np.array(ratios)


def test_iss_2025_decay_between_reboosts(iss_2025: tuple[list[float], np.ndarray]) -> None:
    """The same 15 % measure on a dense record: 274 pairs over four spans between reboosts
    (measured: median ratio 1.03; 74 % of pairs within 15 %, 93 % within 25 %, ratios
    0.76-1.47). Bounds: median within 10 %, at least 65 % within 15 % and 85 % within 25 %;
    every span's B within 100-180 kg/m^2 (measured 120-154; the station model gives 128 for
    March 2022, and the fits of 2022 126-184), so a density or unit error cannot hide in B."""
    fits, ratios = iss_2025
    assert len(fits) == 4 and len(ratios) > 200
    assert all(100.0 < b < 180.0 for b in fits), fits
    assert np.median(ratios) == pytest.approx(1.0, abs=0.10)
    assert np.mean(np.abs(ratios - 1.0) <= 0.15) >= 0.65
    assert np.mean(np.abs(ratios - 1.0) <= 0.25) >= 0.85
