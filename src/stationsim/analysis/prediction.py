"""What a Monte Carlo prediction starts from: the element sets before its epoch, the fitted
ballistic coefficient, the space weather of its mode, and the dispersed members.

Shared by the re-entry window (:mod:`.reentry`) and the height band (:mod:`.height_band`), so
that both draw the same members from the same inputs and seed:

* the object's TLEs at or before the prediction epoch; ``B = m / (C_D A)`` fitted to the decay
  shown by those of the 30 days before, with its 1-sigma uncertainty
  (:func:`stationsim.analysis.decay.fit_for_prediction`);
* ``N`` members drawn with a seeded generator (:mod:`stationsim.propagation.ensemble`):

  * the initial state: SGP4's at the epoch, moved along-track by N(0, 1 km) and given a speed
    error of N(0, 5 cm/s) (about 90 m of semi-major axis; the accuracy of a recent TLE);
  * ``B``: log-normal around the fit, with the fit's own sigma and a model sigma of 12 %
    (:data:`stationsim.propagation.ensemble.MODEL_SIGMA_LN_B`, calibrated on SpaceBEE
    picosatellites) added in quadrature (attitude and area changes and the density model's
    error with height and activity, which the fit's residuals cannot show: Delfi-PQ's fitted
    B moved by 20-40 % over its last 90 days);
  * the space weather: in ``observed`` mode the measured indices, undispersed, and after the
    last observed day the bundled forecast; in ``forecast`` mode the forecast a user had at
    the epoch (the last 81-day mean of F10.7 and the last 27-day mean of Ap, held). Wherever
    a forecast stands in for measurements, each member's density is scaled by
    ``exp(k z s(t))``: ``z`` one normal draw per member, ``s(t)`` from the spread of the
    held forecast's error against lead time on the bundled history since 1957
    (:mod:`stationsim.data.forecast_error`), and ``k`` the density's sensitivity to F10.7 at
    the object's height (from the model itself).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from stationsim.analysis.decay import corrected, elements_before, fit_for_prediction
from stationsim.analysis.distributed_run import engine_model
from stationsim.data import load_space_weather
from stationsim.data.forecast_error import (
    density_sensitivity,
    held_forecast,
    held_forecast_error,
    ln_density_spread,
)
from stationsim.errors import InputError
from stationsim.forces.atmosphere import Atmosphere, atmosphere_by_name
from stationsim.forces.density_correction import DensityCorrection
from stationsim.propagation.ballistic import BallisticFit, sgp4_state_gcrf
from stationsim.propagation.dynamics import ForceModel
from stationsim.propagation.elements import GPElements
from stationsim.propagation.ensemble import (
    MODEL_SIGMA_LN_B,
    Dispersion,
    Ensemble,
    draw_ensemble,
)
from stationsim.propagation.lifetime import ReferenceRevolution, reference_revolution
from stationsim.propagation.numerical import Propagator
from stationsim.time import Epoch, Timescale
from stationsim.time.tables import FloatArray

__all__ = ["MAX_MEMBERS", "MODEL_SIGMA_LN_B", "SPACE_WEATHER_MODES", "PredictionSetup",
           "prepare_prediction"]

SPACE_WEATHER_MODES: tuple[str, ...] = ("observed", "forecast")
#: The most members one prediction takes.
MAX_MEMBERS = 100_000


@dataclass
class PredictionSetup:
    """The inputs of one prediction.

    Attributes:
        last: the last element set at or before the epoch; ``start`` the prediction epoch.
        ballistic_kg_m2, ballistic_sigma_kg_m2: the fitted (or given) ``B`` and its sigma.
        fit: the fit (``None`` when ``B`` was given).
        ensemble: the members (member 0 the nominal).
        model: the force model of the engine's reference revolution.
        atmosphere: the atmosphere the members fly through (the observed or the held weather).
        forecast_inputs: the held ``(F10.7, Ap)`` in ``forecast`` mode, else ``None``.
        forecast_from_s: seconds after ``start`` from which a forecast stands in for
            measurements (0 in ``forecast`` mode).
        reference: the engine's reference revolution of the nominal state.
        r0, v0: SGP4's GCRF state at ``start`` [m, m/s].
        notes: what the user should know about these inputs.
        ballistic_source: where ``B`` came from: ``fit``, ``bstar`` (the fit failed) or
            ``given``.
    """

    last: GPElements
    start: Epoch
    ballistic_kg_m2: float
    ballistic_sigma_kg_m2: float
    fit: BallisticFit | None
    ensemble: Ensemble
    model: ForceModel
    atmosphere: Atmosphere
    forecast_inputs: tuple[float, float] | None
    forecast_from_s: float
    reference: ReferenceRevolution
    r0: FloatArray
    v0: FloatArray
    notes: list[str]
    ballistic_source: str = "fit"


def prepare_prediction(elements: Sequence[GPElements], ts: Timescale, *, at: Epoch | None,
                       members: int, seed: int, space_weather: str, atmosphere: str,
                       ballistic_kg_m2: float | None,
                       density_correction: DensityCorrection | None = None,
                       progress: Callable[[str, float], None] | None = None
                       ) -> PredictionSetup:
    """Check the request, fit ``B`` and draw the members (see the module notes).

    A ``density_correction`` applies to the fit and, in ``observed`` mode, to the members; a
    forecast's held weather has no calibration, so its members fly the model as it is.

    Raises:
        InputError: an unknown mode, an ensemble size out of range, a ``B`` that is not
            positive, or no element set at or before ``at``.
    """
    if space_weather not in SPACE_WEATHER_MODES:
        raise InputError("unknown space-weather mode", source="--space-weather",
                         expected=" | ".join(SPACE_WEATHER_MODES), found=repr(space_weather))
    if not (1 <= members <= MAX_MEMBERS):
        raise InputError("the ensemble size is out of range", source="--members",
                         expected=f"1 to {MAX_MEMBERS:,}", found=str(members))
    ordered, start = elements_before(elements, ts, at)
    last = ordered[-1]
    observed = load_space_weather()
    notes: list[str] = []
    model = engine_model()
    observed_atmosphere = corrected(atmosphere_by_name(atmosphere, observed), atmosphere,
                                    density_correction)
    if progress is not None:
        progress("fitting the ballistic coefficient", 0.0)
    fitted: BallisticFit | None = None
    if ballistic_kg_m2 is not None:
        if not (np.isfinite(ballistic_kg_m2) and ballistic_kg_m2 > 0):
            raise InputError("the ballistic coefficient must be positive", source="--ballistic",
                             found=repr(ballistic_kg_m2))
        b, b_sigma, source = float(ballistic_kg_m2), 0.0, "given"
    else:
        b, b_sigma, source, fitted = fit_for_prediction(
            ordered, ts, start, Propagator(model, atmosphere=observed_atmosphere))
        if source == "bstar":
            notes.append(f"the ballistic-coefficient fit failed; B = {b:.1f} kg/m^2 comes from "
                         "the TLEs' B* (+/-30 %), a far weaker estimate")
    r0, v0 = (np.asarray(x) for x in sgp4_state_gcrf(last, start))
    forecast_inputs: tuple[float, float] | None = None
    if space_weather == "forecast":
        weather, f107, ap = held_forecast(observed, start)
        forecast_from_s = 0.0
        forecast_inputs = (f107, ap)
        atmo = atmosphere_by_name(atmosphere, weather)
    else:
        mjd = float(start.mjd_utc)
        values = observed.values(np.array([min(mjd, observed.last_observed_mjd)]))
        f107, ap = float(values.f107_obs_lst81_sfu[0]), float(values.ap_daily[0])
        forecast_from_s = (observed.last_observed_mjd + 1.0 - mjd) * 86400.0
        atmo = observed_atmosphere
    kappa = density_sensitivity(atmosphere, f107, ap, start, r0[None, :])
    dispersion = Dispersion(ln_ballistic=float(np.hypot(b_sigma / b, MODEL_SIGMA_LN_B)),
                            ln_density=ln_density_spread(held_forecast_error(observed), kappa,
                                                         forecast_from_s))
    ensemble = draw_ensemble(r0, v0, b, members, seed, dispersion)
    if space_weather == "forecast":
        notes.append(f"forecast at the epoch: F10.7 {f107:.0f} sfu (last 81-day mean) and Ap "
                     f"{ap:.0f} (last 27-day mean), held; density sensitivity "
                     f"d ln rho / d ln F10.7 = {kappa:.2f} at the start")
    return PredictionSetup(
        last=last, start=start, ballistic_kg_m2=b, ballistic_sigma_kg_m2=b_sigma, fit=fitted,
        ensemble=ensemble, model=model, atmosphere=atmo, forecast_inputs=forecast_inputs,
        forecast_from_s=forecast_from_s, reference=reference_revolution(model, start, r0, v0),
        r0=r0, v0=v0, notes=notes, ballistic_source=source)
