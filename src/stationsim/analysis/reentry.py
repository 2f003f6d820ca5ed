"""Re-entry prediction with its uncertainty: a Monte Carlo window over the fast lifetime engine.

The steps of ``stationsim reentry``:

1. the inputs (:mod:`.prediction`): the object's TLEs at or before the prediction epoch, the
   ballistic coefficient ``B = m / (C_D A)`` fitted to the decay of the 30 days before with
   its 1-sigma uncertainty, and ``N`` dispersed members drawn with a seeded generator (the
   same seed gives the same result, bit for bit): initial state, ``B`` and, wherever a
   forecast stands in for measurements, the density;
2. the members decay in the fast lifetime engine (:mod:`stationsim.propagation.lifetime`) with
   the same atmosphere; the re-entry epoch distribution is read from them (median, 5 % and
   95 %);
3. with the object's mass, each re-entered member's debris footprint downrange of its 120-km
   point, the land and people under it, and the casualty expectation in the manner of NASA's
   DAS (:mod:`stationsim.analysis.footprint`), with the countries most likely hit;
4. the member nearest the median is handed over at 200 km to the full numerical propagator
   (EGM96 8x8, Sun, Moon, drag) for its last revolutions, which decide the place: its 120-km
   crossing gives the place, and its offset from the engine's own crossing shifts the
   percentiles (a few hours at most).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from stationsim.analysis.decay import FIT_WINDOW_DAYS, correction_summary
from stationsim.analysis.distributed_run import (
    ChunkTask,
    choose_workers,
    chunk_bounds,
    run_chunks,
)
from stationsim.analysis.footprint import (
    SURVIVING_FRACTION,
    RiskSummary,
    footprint,
    risk_summary,
)
from stationsim.analysis.prediction import (
    SPACE_WEATHER_MODES,
    prepare_prediction,
)
from stationsim.data.geography import load_geography
from stationsim.errors import InputError, PropagationError
from stationsim.forces.atmosphere import Atmosphere
from stationsim.forces.density_correction import DensityCorrection
from stationsim.forces.drag import ConstantDrag
from stationsim.frames import gcrf_to_itrf, gcrf_to_itrf_position, itrf_to_geodetic
from stationsim.propagation.ballistic import BallisticFit
from stationsim.propagation.dynamics import ForceModel
from stationsim.propagation.elements import GPElements
from stationsim.propagation.ensemble import entry_percentiles
from stationsim.propagation.lifetime import (
    LifetimePropagator,
    ReferenceRevolution,
)
from stationsim.propagation.numerical import Propagator
from stationsim.time import Epoch, Timescale
from stationsim.time.tables import FloatArray

__all__ = ["SPACE_WEATHER_MODES", "ReentryReport", "predict_reentry"]

#: Mean height [m] where the nominal member is handed to the numerical propagator.
HANDOVER_HEIGHT_M = 200e3
#: The most members whose footprints are drawn (a random sample: the draws' order is random).
MAX_FOOTPRINTS = 2000


@dataclass
class ReentryReport:
    """What ``stationsim reentry`` reports (SI inside; the JSON form names its units)."""

    norad_id: int
    name: str
    epoch: Epoch
    space_weather: str
    atmosphere: str
    seed: int
    ballistic_kg_m2: float
    ballistic_sigma_kg_m2: float
    fit: BallisticFit | None
    entries: list[Epoch]
    median: Epoch
    p05: Epoch
    p95: Epoch
    place: tuple[float, float] | None
    member_places: FloatArray
    still_up: int
    track: FloatArray = field(default_factory=lambda: np.empty((0, 3)))
    notes: list[str] = field(default_factory=list)
    statistics: dict[str, float] = field(default_factory=dict)
    risk: RiskSummary | None = None
    footprint_tracks: list[FloatArray] = field(default_factory=list)
    track_height_m: FloatArray = field(default_factory=lambda: np.empty(0))
    #: Where ``B`` came from: ``fit`` (the TLEs), ``bstar`` (their B*: the fit failed) or
    #: ``given``.
    ballistic_source: str = "fit"
    #: The density correction applied (:func:`.decay.correction_summary`), if any.
    density_correction: dict[str, Any] | None = None

    @property
    def members(self) -> int:
        """The ensemble's size."""
        return len(self.entries) + self.still_up

    def as_dict(self) -> dict[str, Any]:
        """The JSON object of ``stationsim reentry --json``."""
        lat, lon = self.place if self.place is not None else (None, None)
        lifetime = float(self.median - self.epoch) / 86400.0
        return {
            "norad_id": self.norad_id,
            "name": self.name,
            "epoch": self.epoch.iso(0),
            "ballistic_coefficient_kg_m2": {
                "value": round(self.ballistic_kg_m2, 4),
                "sigma": round(self.ballistic_sigma_kg_m2, 4),
                "tles_used": 0 if self.fit is None else len(self.fit.observed_da_m),
                "fit_rms_m": None if self.fit is None else round(self.fit.rms_m, 1),
                "source": self.ballistic_source,
            },
            "reentry": {
                "median": self.median.iso(0), "p05": self.p05.iso(0), "p95": self.p95.iso(0),
                "lat_deg": None if lat is None else round(lat, 3),
                "lon_deg": None if lon is None else round(lon, 3),
                "days_from_epoch": {
                    "median": round(lifetime, 3),
                    "p05": round(float(self.p05 - self.epoch) / 86400.0, 3),
                    "p95": round(float(self.p95 - self.epoch) / 86400.0, 3)},
            },
            "members": self.members,
            "members_still_up": self.still_up,
            "space_weather": self.space_weather,
            "atmosphere": self.atmosphere,
            "density_correction": self.density_correction,
            "seed": self.seed,
            "engine": "lifetime (orbit-averaged) + numerical hand-over at 200 km",
            "risk": None if self.risk is None else self.risk.as_dict(),
            "notes": list(self.notes),
        }


def predict_reentry(elements: Sequence[GPElements], ts: Timescale, *,
                    at: Epoch | None = None, members: int = 200, seed: int = 0,
                    space_weather: str = "observed", atmosphere: str = "msis2",
                    ballistic_kg_m2: float | None = None, max_days: float = 3650.0,
                    scheduler: str | None = None, workers: int | None = None,
                    mass_kg: float | None = None,
                    surviving_fraction: float = SURVIVING_FRACTION,
                    density_correction: DensityCorrection | None = None,
                    progress: Callable[[str, float], None] | None = None) -> ReentryReport:
    """The Monte Carlo re-entry prediction of one object (see the module notes).

    Args:
        elements: the object's element sets (any order); only those at or before ``at`` count.
        ts: the timescale.
        at: the prediction epoch (default: the last TLE's epoch).
        members: the ensemble's size (1 to 100,000).
        seed: the random generator's seed.
        space_weather: ``"observed"`` or ``"forecast"``.
        atmosphere: the density model (``msis2``, ``nrlmsise00``, ...).
        ballistic_kg_m2: use this ``m / (C_D A)`` (sigma 0) instead of fitting one.
        max_days: the longest run.
        scheduler: a Dask scheduler's address (``tcp://HOST:PORT``): the ensemble runs on
            that cluster; default: this machine.
        workers: worker processes (default: one up to 2,000 members, else all cores); see
            :mod:`stationsim.analysis.distributed_run`. The result does not depend on either.
        mass_kg: the object's mass, for the debris footprint and the casualty risk
            (:mod:`stationsim.analysis.footprint`); without it, neither.
        surviving_fraction: the share of the mass that reaches the ground.
        density_correction: factors calibrated on tracked objects, applied to the fit and,
            in ``observed`` mode, to the members and the hand-over.
        progress: called with a phase name and the fraction done.
    """
    if mass_kg is not None and not (np.isfinite(mass_kg) and mass_kg > 0):
        raise InputError("the mass must be a positive number of kilograms", source="--mass",
                         found=repr(mass_kg))
    if not (0.0 < surviving_fraction <= 1.0):
        raise InputError("the surviving fraction must lie in (0, 1]",
                         source="--surviving-fraction", found=repr(surviving_fraction))
    setup = prepare_prediction(elements, ts, at=at, members=members, seed=seed,
                               space_weather=space_weather, atmosphere=atmosphere,
                               ballistic_kg_m2=ballistic_kg_m2,
                               density_correction=density_correction, progress=progress)
    start, model, atmo, ref = setup.start, setup.model, setup.atmosphere, setup.reference
    b, ensemble, notes = setup.ballistic_kg_m2, setup.ensemble, setup.notes
    forecast_from_s, r0, v0 = setup.forecast_from_s, setup.r0, setup.v0

    def report(phase: str) -> Callable[[float], None]:
        def inner(fraction: float) -> None:
            if progress is not None:
                progress(phase, fraction)
        return inner

    slot_s = _slot_for(model, atmo, start, np.asarray(r0), np.asarray(v0), b, max_days, ref)
    count = choose_workers(members, scheduler, workers)
    tasks = [ChunkTask(first, ensemble.part(first, stop), start, atmosphere,
                       setup.forecast_inputs, slot_s,
                       max_days * 86400.0, HANDOVER_HEIGHT_M, ref,
                       density_correction if setup.forecast_inputs is None else None)
             for first, stop in chunk_bounds(members, 1 if count == 1 else 4 * count)]
    chunks = run_chunks(tasks, scheduler=scheduler, workers=count,
                        progress=report("Monte Carlo (lifetime engine)"))
    times = np.concatenate([c.entry_s for c in chunks])
    places_all = np.concatenate([c.place_deg for c in chunks])
    entry_states = np.concatenate([c.entry_state for c in chunks])
    handovers = np.concatenate([c.handover for c in chunks])
    still_up = int(np.sum(np.isnan(times)))
    if still_up == members:
        raise PropagationError(
            f"no member re-enters within {max_days:,.0f} days, the prediction's horizon: the "
            f"object stays up longer ('stationsim band --days {max_days:.0f}' shows how far it "
            "comes down meanwhile)")
    if still_up:
        notes.append(f"{still_up} of {members} members are still up after {max_days:.0f} days; "
                     f"the percentiles count them as later than every re-entry")
    median_s, p05_s, p95_s = entry_percentiles(times)
    if space_weather == "observed" and (still_up or np.nanmax(times) > forecast_from_s):
        notes.append("space weather: observed until "
                     f"{(start + forecast_from_s).iso(0)[:10]}, then the bundled forecast, "
                     f"dispersed with the historical error of a held forecast")
    ranked = np.where(np.isnan(times), np.inf, times)
    nominal = int(np.argmin(np.where(np.isfinite(ranked), np.abs(ranked - median_s), np.inf)))
    place, offset, track, track_height = _hand_over(
        model, atmo, start, handovers[nominal], float(times[nominal]),
        (ensemble.r_gcrf_m[nominal], ensemble.v_gcrf_m_s[nominal]),
        float(ensemble.ballistic_kg_m2[nominal]), report("hand-over"))
    if place is None:
        notes.append("the hand-over run did not reach 120 km; the place is the engine's")
        place = (float(places_all[nominal, 0]), float(places_all[nominal, 1]))
    places = places_all[np.isfinite(times)]
    statistics = {key: float(sum(c.statistics.get(key, 0.0) for c in chunks))
                  for key in ("member_steps", "density_samples", "table_entries")}
    statistics.update(steps=max(c.statistics.get("steps", 0.0) for c in chunks),
                      chunks=float(len(chunks)), workers=float(count), slot_s=slot_s)

    def at_offset(seconds: float) -> Epoch:
        if not np.isfinite(seconds):
            return start + max_days * 86400.0
        return start + (seconds + offset)

    risk: RiskSummary | None = None
    tracks: list[FloatArray] = []
    if mass_kg is not None:
        risk, tracks = _risk(start, times, entry_states, mass_kg, surviving_fraction,
                             ref.inclination_rad)
    else:
        notes.append("no debris footprint or casualty risk: give the object's mass (--mass)")
    return ReentryReport(
        norad_id=setup.last.norad_id, name=setup.last.object_name or "", epoch=start,
        space_weather=space_weather, atmosphere=atmosphere, seed=seed, ballistic_kg_m2=b,
        ballistic_sigma_kg_m2=setup.ballistic_sigma_kg_m2, fit=setup.fit,
        entries=[start + float(t + offset) for t in times[np.isfinite(times)]],
        median=at_offset(median_s), p05=at_offset(p05_s), p95=at_offset(p95_s),
        place=place, member_places=places, still_up=still_up, track=track, notes=notes,
        statistics={**statistics, "handover_offset_s": offset}, risk=risk,
        footprint_tracks=tracks, track_height_m=track_height,
        ballistic_source=setup.ballistic_source,
        density_correction=correction_summary(density_correction, {
            "fit": (start + (-FIT_WINDOW_DAYS * 86400.0), start) if setup.fit else None,
            "members": (start, at_offset(p95_s)) if setup.forecast_inputs is None else None}))


def _risk(start: Epoch, times: FloatArray, states: FloatArray, mass_kg: float,
          surviving_fraction: float, inclination_rad: float
          ) -> tuple[RiskSummary, list[FloatArray]]:
    """Footprints of up to :data:`MAX_FOOTPRINTS` re-entered members (the first ones: the
    draws are in random order) and their risk summary; the tracks of the first few."""
    geography = load_geography()
    pick = np.flatnonzero(np.isfinite(times))[:MAX_FOOTPRINTS]
    when = start + times[pick]
    r, v = gcrf_to_itrf(when, states[pick, :3], states[pick, 3:6])
    prints = [footprint(geography, r[k], v[k], mass_kg) for k in range(len(pick))]
    return (risk_summary(geography, prints, mass_kg, inclination_rad, surviving_fraction),
            [f.track_deg for f in prints[:40]])


def _slot_for(model: ForceModel, atmosphere: Atmosphere, start: Epoch, r0: FloatArray,
              v0: FloatArray, ballistic: float, max_days: float,
              ref: ReferenceRevolution) -> float:
    """The table's time slot for an ensemble: a hundredth of the nominal lifetime (from a
    quick run of the nominal member with eight-day slots), between one and eight days. The
    slot only sets how finely day-to-day weather is resolved: the 490-day USOS-like lifetime
    moves by 0.04 % between one- and eight-day slots (docs/validation.md)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quick = LifetimePropagator(model, atmosphere, slot_s=8 * 86400.0).propagate(
            start, r0, v0, ballistic_kg_m2=ballistic, duration_s=max_days * 86400.0,
            reference=ref, output_step_s=None).members[0].event("reentry")
    life = max_days * 86400.0 if quick is None else float(quick.epoch - start)
    return float(np.clip(life / 100.0, 86400.0, 8 * 86400.0))


def _hand_over(model: ForceModel, atmosphere: Atmosphere, start: Epoch, handover: FloatArray,
               engine_entry_s: float, initial: tuple[FloatArray, FloatArray],
               ballistic: float, progress: Callable[[float], None]
               ) -> tuple[tuple[float, float] | None, float, FloatArray, FloatArray]:
    """The nominal member's last revolutions in the numerical propagator, from its hand-over
    state ``(t, r, v)`` (NaN: it starts below the hand-over height, so from ``initial``): its
    120-km place, the offset of its crossing from the engine's [s], and its ground track
    (lat, lon, seconds from ``start``) with its geodetic height [m]."""
    if not np.isfinite(engine_entry_s):
        return None, 0.0, np.empty((0, 3)), np.empty(0)
    if np.isfinite(handover[0]):
        since, r0, v0 = start + float(handover[0]), handover[1:4], handover[4:7]
    else:
        since, r0, v0 = start, initial[0], initial[1]
    prop = Propagator(model, atmosphere=atmosphere)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = prop.propagate(since, r0, v0,
                             drag=ConstantDrag.from_ballistic_coefficient(ballistic),
                             duration_s=30 * 86400.0, output_step_s=60.0, progress=progress)
    m = res.members[0]
    entry = m.event("reentry")
    if entry is None:
        return None, 0.0, np.empty((0, 3)), np.empty(0)
    keep = m.times_s >= m.times_s[-1] - 3 * 5400.0
    when = since + m.times_s[keep]
    lat, lon, height = itrf_to_geodetic(gcrf_to_itrf_position(when, m.states[keep, :3]))
    track = np.column_stack([np.degrees(lat), np.degrees(lon),
                             m.times_s[keep] + float(since - start)])
    return ((entry.lat_deg, entry.lon_deg),
            float(entry.epoch - start) - engine_entry_s, track, np.asarray(height))
