"""Orbit decay of a tracked object: fit its ballistic coefficient, then propagate.

The steps of ``stationsim decay``:

1. the object's TLEs at or before the prediction epoch (``--at``, default the last TLE);
2. the ballistic coefficient ``m / (C_D A)`` fitted to the mean semi-major-axis decay shown by
   the TLEs of the 30 days before (:mod:`stationsim.propagation.ballistic`), with the same
   force model and atmosphere as the prediction, so that the fit absorbs their bias;
3. the numerical propagation from the SGP4 state at the prediction epoch (EGM96 8x8, Sun and
   Moon, drag through the chosen atmosphere with the bundled observed space weather and its
   forecast) for ``days`` or until breakup;
4. a summary: the mean geodetic altitude per day (averaged over a whole revolution), at the
   end (over the last whole revolution), and the re-entry epoch and place (120 km).

The prediction is deterministic; the Monte Carlo window belongs to the re-entry analysis.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from stationsim.constants import GM_EARTH_M3_S2, WGS84_A_M
from stationsim.data import load_gravity_field, load_space_weather
from stationsim.errors import ExtrapolationWarning, InputError, PropagationError
from stationsim.forces.atmosphere import ATMOSPHERES, Atmosphere, atmosphere_by_name
from stationsim.forces.density_correction import CorrectedAtmosphere, DensityCorrection
from stationsim.forces.drag import ConstantDrag
from stationsim.frames import gcrf_to_itrf_position, itrf_to_geodetic
from stationsim.io.density_correction import mjd_utc_iso
from stationsim.propagation.ballistic import (
    BallisticFit,
    fit_ballistic_coefficient,
    sgp4_state_gcrf,
)
from stationsim.propagation.direct import DirectPropagator
from stationsim.propagation.dynamics import ForceModel
from stationsim.propagation.elements import GPElements
from stationsim.propagation.kepler import elements_from_state
from stationsim.propagation.numerical import MemberResult, Propagator
from stationsim.time import Epoch, Timescale
from stationsim.time.tables import FloatArray

__all__ = ["ATMOSPHERES", "LOWEST_TRACKED_KM", "METHODS", "STALE_ELEMENTS_DAYS", "DecayReport",
           "elements_before", "fit_for_prediction", "predict_decay"]

AtmosphereName = Literal["msis2", "nrlmsise00", "harris-priester", "exponential"]
#: How the atmosphere enters the prediction: ``fit`` (a density fit per window in heyoka's
#: Taylor integrator, fast) or ``direct`` (the model at every evaluation, SciPy's DOP853, about
#: a second per simulated day; the reference of the fit's accuracy).
METHODS: tuple[str, ...] = ("fit", "direct")
#: TLEs of this many days before the prediction epoch enter the ballistic-coefficient fit.
FIT_WINDOW_DAYS = 30.0
#: The top of the atmosphere models (NRLMSIS, the exponential table, Harris-Priester) [m].
ATMOSPHERE_TOP_M = 1_000e3
#: Beyond this many days from its epoch, an SGP4 state is flagged as extrapolated.
STALE_ELEMENTS_DAYS = 30.0
#: An SGP4 state below this height [km] is refused: no object stays in orbit there, so it is
#: the element set's drag term run far past its epoch, not a place the object was.
LOWEST_TRACKED_KM = 100.0
#: The longest run of ``--reentry`` [days]; an object still up then is reported as such.
MAX_REENTRY_DAYS = 3650.0
_STEP_S = 60.0


@dataclass
class DecayReport:
    """What ``stationsim decay`` reports (SI inside; the JSON form names its units)."""

    norad_id: int
    name: str
    epoch: Epoch
    atmosphere: str
    fit: BallisticFit | None
    ballistic_source: str
    ballistic_kg_m2: float
    ballistic_sigma_kg_m2: float
    history: list[tuple[Epoch, float]]
    final_epoch: Epoch
    final_mean_altitude_m: float
    status: str
    reentry: tuple[Epoch, float, float] | None
    breakup: tuple[Epoch, float, float] | None
    statistics: dict[str, float] = field(default_factory=dict)
    method: str = "fit"
    #: The density correction applied (its windows' span and count), if any.
    density_correction: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON object of ``stationsim decay --json``."""
        def place(value: tuple[Epoch, float, float] | None) -> dict[str, Any] | None:
            if value is None:
                return None
            return {"epoch": value[0].iso(0), "lat_deg": round(value[1], 4),
                    "lon_deg": round(value[2], 4)}

        return {
            "norad_id": self.norad_id,
            "name": self.name,
            "epoch": self.epoch.iso(0),
            "atmosphere": self.atmosphere,
            "density_correction": self.density_correction,
            "method": self.method,
            "ballistic_coefficient_kg_m2": {
                "value": round(self.ballistic_kg_m2, 4),
                "sigma": round(self.ballistic_sigma_kg_m2, 4),
                "source": self.ballistic_source,
                "tles_used": 0 if self.fit is None else len(self.fit.observed_da_m),
                "fit_rms_m": None if self.fit is None else round(self.fit.rms_m, 1),
            },
            "history": [{"epoch": e.iso(0), "mean_altitude_km": round(h / 1e3, 3)}
                        for e, h in self.history],
            "final": {"epoch": self.final_epoch.iso(0),
                      "mean_altitude_km": round(self.final_mean_altitude_m / 1e3, 3)},
            "status": self.status,
            "reentry": place(self.reentry),
            "breakup": place(self.breakup),
        }


def corrected(atmosphere: Atmosphere, name: str, correction: DensityCorrection | None
              ) -> Atmosphere:
    """``atmosphere`` (called ``name``) with ``correction`` applied, or unchanged without one.

    Raises:
        InputError: a correction calibrated for another model.
    """
    if correction is None:
        return atmosphere
    if correction.model != name:
        raise InputError("the density correction was calibrated for another atmosphere",
                         source=correction.source or "--density-correction",
                         line=correction.model_line, expected=f"{name} (--atmosphere)",
                         found=repr(correction.model))
    return CorrectedAtmosphere(atmosphere, correction)


def correction_summary(correction: DensityCorrection | None,
                       spans: dict[str, tuple[Epoch, Epoch] | None] | None = None
                       ) -> dict[str, Any] | None:
    """The JSON summary of a density correction: its span, windows and factor range, and
    (with ``spans``, what a run corrected: ``{"fit": (start, end), ...}``, ``None`` for a part
    it did not correct) ``used_for``, the parts whose span a window meets. A correction that
    meets none of them is said in a warning."""
    if correction is None:
        return None
    used: list[str] | None = None
    if spans is not None:
        used = [name for name, span in spans.items() if span is not None
                and correction.overlaps(float(np.asarray(span[0].mjd_utc)),
                                        float(np.asarray(span[1].mjd_utc)))]
        if not used:
            parts = [name for name, span in spans.items() if span is not None]
            covered = (f"{mjd_utc_iso(float(correction.start_mjd_utc[0]))[:10]} to "
                       f"{mjd_utc_iso(float(correction.end_mjd_utc[-1]))[:10]}")
            why = (f"its windows ({covered}) do not meet the {' or the '.join(parts)}" if parts
                   else "this run has no fit (B given) and its members fly a held forecast, "
                        "which a correction does not apply to")
            warnings.warn(f"the density correction is not used: {why}", UserWarning,
                          stacklevel=2)
    summary: dict[str, Any] = {
        "model": correction.model,
        "start": mjd_utc_iso(float(correction.start_mjd_utc[0])),
        "end": mjd_utc_iso(float(correction.end_mjd_utc[-1])),
        "windows": len(correction.factor),
        "factor_min": round(float(min(correction.factor)), 4),
        "factor_max": round(float(max(correction.factor)), 4)}
    if used is not None:
        summary["used_for"] = used
    return summary


def make_atmosphere(name: str, *, weather: Any = None) -> Atmosphere:
    """The atmosphere called ``name`` (one of :data:`ATMOSPHERES`), with the bundled space
    weather unless ``weather`` is given."""
    if name in ("msis2", "nrlmsise00") and weather is None:
        weather = load_space_weather()
    try:
        return atmosphere_by_name(name, weather)
    except InputError as exc:
        raise InputError(exc.reason, source="--atmosphere", expected=exc.expected,
                         found=exc.found) from None


def _epoch_of(e: GPElements, ts: Timescale) -> Epoch:
    return e.epoch(ts)


def _geodetic_heights(epoch: Epoch, times_s: FloatArray, states: FloatArray) -> FloatArray:
    when = epoch + times_s
    return np.asarray(itrf_to_geodetic(gcrf_to_itrf_position(when, states[:, :3]))[2])


def _orbit_means(times_s: FloatArray, heights: FloatArray, states: FloatArray
                 ) -> tuple[FloatArray, FloatArray]:
    """Daily means of the geodetic height over one revolution after each day's start."""
    a = elements_from_state(states[:, :3], states[:, 3:6]).a_m
    period = 2 * np.pi * np.sqrt(np.clip(a, 6.4e6, None) ** 3 / GM_EARTH_M3_S2)
    days = np.arange(0.0, times_s[-1] + 1.0, 86400.0)
    out_t, out_h = [], []
    for d in days:
        i = int(np.searchsorted(times_s, d))
        if i >= len(times_s):
            break
        sel = (times_s >= times_s[i]) & (times_s < times_s[i] + period[i])
        if times_s[i] + period[i] > times_s[-1] + 1e-6:
            break
        out_t.append(times_s[i])
        out_h.append(float(np.mean(heights[sel])))
    return np.array(out_t), np.array(out_h)


def elements_before(elements: Sequence[GPElements], ts: Timescale, at: Epoch | None
                    ) -> tuple[list[GPElements], Epoch]:
    """The element sets at or before ``at`` (all, without it), oldest first, and the
    prediction epoch (``at``, or the last one's epoch)."""
    ordered = sorted(elements, key=lambda e: e.epoch_jd_utc[0] + e.epoch_jd_utc[1])
    if at is not None:
        ordered = [e for e in ordered if float(_epoch_of(e, ts) - at) <= 1.0]
        if not ordered:
            raise InputError("no element set at or before --at", source="--at",
                             expected=f"an epoch after {elements[0].epoch_iso}",
                             found=at.iso(0))
    if not ordered:
        raise InputError("no element sets to predict from")
    _check_within_atmosphere(ordered[-1])
    start = at if at is not None else _epoch_of(ordered[-1], ts)
    _check_start(ordered[-1], start, ts)
    return ordered, start


def _check_start(elements: GPElements, start: Epoch, ts: Timescale) -> None:
    """Warn when SGP4 carries the last set more than :data:`STALE_ELEMENTS_DAYS` to the
    start, and refuse a start below :data:`LOWEST_TRACKED_KM` (the propagation would begin
    inside the atmosphere, where the models and the density fit do not reach)."""
    age_days = float(start - _epoch_of(elements, ts)) / 86400.0
    r, _ = sgp4_state_gcrf(elements, start)
    height = float(_geodetic_heights(start, np.zeros(1), np.asarray(r).reshape(1, 3))[0])
    if height < LOWEST_TRACKED_KM * 1e3:
        raise PropagationError(
            f"SGP4 puts object {elements.norad_id} {height / 1e3:.0f} km high at the start, "
            f"{start.iso(0)}, {age_days:+.1f} days from its element set of "
            f"{elements.epoch_iso}: below {LOWEST_TRACKED_KM:.0f} km no object stays in orbit; "
            + ("give element sets nearer --at" if abs(age_days) > 1.0
               else "the set does not describe an orbit"))
    if age_days > STALE_ELEMENTS_DAYS:
        warnings.warn(
            f"the last element set before --at is {age_days:.0f} days old "
            f"({elements.epoch_iso}); SGP4 carries it to the start, off by about a kilometre "
            "a day for a low orbit",
            ExtrapolationWarning, stacklevel=3)


def _check_within_atmosphere(elements: GPElements) -> None:
    """Refuse an orbit whose perigee lies above the atmosphere models' top (1,000 km): drag
    does not bring it down, and no model gives its density."""
    n_rad_s = elements.mean_motion_rev_per_day * 2.0 * np.pi / 86400.0
    perigee_m = (GM_EARTH_M3_S2 / n_rad_s ** 2) ** (1.0 / 3.0) * (1.0 - elements.eccentricity) \
        - WGS84_A_M
    if perigee_m > ATMOSPHERE_TOP_M:
        name = f"{elements.object_name} ({elements.norad_id})" if elements.object_name \
            else f"object {elements.norad_id}"
        raise InputError(
            f"{name} flies above the atmosphere: its perigee is {perigee_m / 1e3:,.0f} km up, "
            f"the atmosphere models reach {ATMOSPHERE_TOP_M / 1e3:,.0f} km, so drag does not "
            "bring it down", source=f"the element set of {elements.epoch_iso}")


def fit_for_prediction(ordered: Sequence[GPElements], ts: Timescale, start: Epoch,
                       propagator: Propagator
                       ) -> tuple[float, float, str, BallisticFit | None]:
    """``m / (C_D A)`` [kg/m^2], its sigma, its source (``fit`` or ``bstar``) and the fit, from
    the TLEs of the :data:`FIT_WINDOW_DAYS` before ``start``; B* (+/-30 %, with a warning)
    when the fit cannot be made."""
    window = [e for e in ordered
              if float(start - _epoch_of(e, ts)) <= FIT_WINDOW_DAYS * 86400.0]
    try:
        fit = fit_ballistic_coefficient(window, ts, propagator)
        return fit.value_kg_m2, fit.sigma_kg_m2, "fit", fit
    except PropagationError as exc:
        bstar = float(np.median([e.bstar_per_earth_radius for e in window or ordered[-1:]]))
        if not bstar > 0:
            raise PropagationError(f"cannot estimate the ballistic coefficient: {exc}; "
                                   "give it with --ballistic") from None
        value = 0.15696615 / (2.0 * bstar)
        warnings.warn(f"ballistic coefficient from B* ({value:.1f} kg/m^2, +/-30 %): {exc}",
                      UserWarning, stacklevel=2)
        return value, 0.3 * value, "bstar", None


def predict_decay(elements: Sequence[GPElements], ts: Timescale, *, at: Epoch | None = None,
                  days: float | None = 30.0, reentry: bool = False,
                  atmosphere: str = "msis2", ballistic_kg_m2: float | None = None,
                  method: str = "fit",
                  density_correction: DensityCorrection | None = None,
                  progress: Callable[[str, float], None] | None = None) -> DecayReport:
    """The decay prediction of one object (its TLEs, any order); see the module notes.

    Args:
        elements: the object's element sets.
        ts: the timescale.
        at: the prediction epoch (default: the last TLE's epoch); only TLEs at or before it
            are used.
        days: how long to propagate (ignored with ``reentry``).
        reentry: propagate until breakup (at most ten years).
        atmosphere: one of :data:`ATMOSPHERES`.
        ballistic_kg_m2: skip the fit and use this ``m / (C_D A)``.
        method: one of :data:`METHODS`, for the prediction (the ballistic-coefficient fit
            always takes the fitted path: it runs the 30 days several times).
        density_correction: factors calibrated on tracked objects
            (:mod:`stationsim.propagation.calibration`), applied to the atmosphere of the fit
            and of the prediction.
        progress: called with a phase name and the fraction done.
    """
    if atmosphere not in ATMOSPHERES:
        raise InputError("unknown atmosphere", source="--atmosphere",
                         expected=" | ".join(ATMOSPHERES), found=repr(atmosphere))
    if method not in METHODS:
        raise InputError("unknown method", source="--method", expected=" | ".join(METHODS),
                         found=repr(method))
    ordered, start = elements_before(elements, ts, at)
    last = ordered[-1]
    if reentry:
        span_days = MAX_REENTRY_DAYS
    elif days is None or not (np.isfinite(days) and 0 < days <= MAX_REENTRY_DAYS):
        raise InputError("the number of days must be between 0 and 3650", source="--days",
                         found=repr(days))
    else:
        span_days = float(days)
    weather = load_space_weather() if atmosphere in ("msis2", "nrlmsise00") else None
    atmo = corrected(make_atmosphere(atmosphere, weather=weather), atmosphere,
                     density_correction)
    model = ForceModel(gravity=load_gravity_field(), degree=8, thrust=False)
    propagator = Propagator(model, atmosphere=atmo)
    fit: BallisticFit | None = None
    if ballistic_kg_m2 is not None:
        value, sigma, source = float(ballistic_kg_m2), 0.0, "given"
    else:
        if progress is not None:
            progress("fitting the ballistic coefficient", 0.0)
        value, sigma, source, fit = fit_for_prediction(ordered, ts, start, propagator)
    r0, v0 = sgp4_state_gcrf(last, start)

    def report(fraction: float) -> None:
        if progress is not None:
            progress("propagating", fraction)

    chosen = propagator if method == "fit" else DirectPropagator(model, atmosphere=atmo)
    result = chosen.propagate(start, r0, v0, drag=ConstantDrag.from_ballistic_coefficient(value),
                              duration_s=span_days * 86400.0, output_step_s=_STEP_S,
                              progress=report)
    member = result.members[0]
    out = _report(last, start, atmosphere, fit, source, value, sigma, member, result.statistics)
    out.method = method
    out.density_correction = correction_summary(density_correction, {
        "fit": (start + (-FIT_WINDOW_DAYS * 86400.0), start) if fit is not None else None,
        "prediction": (start, member.epoch)})
    return out


def _report(last: GPElements, start: Epoch, atmosphere: str, fit: BallisticFit | None,
            source: str, value: float, sigma: float, member: MemberResult,
            statistics: dict[str, float]) -> DecayReport:
    heights = _geodetic_heights(start, member.times_s, member.states)
    day_t, day_h = _orbit_means(member.times_s, heights, member.states)
    history = [(start + float(t), float(h)) for t, h in zip(day_t, day_h, strict=True)]
    a = elements_from_state(member.states[-1, :3], member.states[-1, 3:6]).a_m
    period = float(2 * np.pi * np.sqrt(max(float(a), 6.4e6) ** 3 / GM_EARTH_M3_S2))
    t_end = member.times_s[-1]
    if member.status == "reentered":
        # The last whole revolution before the entry interface.
        entry = member.event("reentry")
        t_end = float(entry.epoch - start) if entry is not None else t_end
    sel = (member.times_s > t_end - period) & (member.times_s <= t_end)
    final_h = float(np.mean(heights[sel])) if np.any(sel) else float(heights[-1])

    def place(name: str) -> tuple[Epoch, float, float] | None:
        rec = member.event(name)
        return None if rec is None else (rec.epoch, rec.lat_deg, rec.lon_deg)

    return DecayReport(norad_id=last.norad_id, name=last.object_name or "", epoch=start,
                       atmosphere=atmosphere, fit=fit, ballistic_source=source,
                       ballistic_kg_m2=value, ballistic_sigma_kg_m2=sigma, history=history,
                       final_epoch=member.epoch, final_mean_altitude_m=final_h,
                       status=member.status, reentry=place("reentry"),
                       breakup=place("breakup"), statistics=statistics)
