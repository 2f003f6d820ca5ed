"""The Monte Carlo band of an object's mean height over the coming days.

The same members as the re-entry window (:mod:`.prediction`: the fitted ballistic coefficient,
the dispersed state, ``B`` and space weather, the same seed), decayed by the fast lifetime
engine for a set number of days and read every ``step`` days: the median and the 5 % and 95 %
of their mean height ``a - R_e`` (``R_e`` the WGS 84 equatorial radius) and of their decay
since the start ``a(t) - a(0)``. The band is what an altitude plot with its uncertainty
shows, and what can be checked against an object's later element sets long before it
re-enters (``docs/validation.md``: SpaceBEE picosatellites through the storms of 2023-2024).

A member that re-enters before a reading counts as lower than every member still up.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from stationsim.analysis.decay import FIT_WINDOW_DAYS, correction_summary
from stationsim.analysis.prediction import prepare_prediction
from stationsim.constants import WGS84_A_M
from stationsim.errors import InputError
from stationsim.forces.density_correction import DensityCorrection
from stationsim.propagation.ballistic import mean_sma_sgp4
from stationsim.propagation.elements import GPElements
from stationsim.propagation.ensemble import mean_sma_grid, rank_low_percentiles
from stationsim.propagation.lifetime import LifetimePropagator
from stationsim.time import Epoch, Timescale
from stationsim.time.tables import FloatArray

__all__ = ["MAX_BAND_DAYS", "MAX_READINGS", "HeightBand", "predict_height_band"]

#: The longest band [days] (ten years, as the re-entry window).
MAX_BAND_DAYS = 3650.0
#: The most readings of a band (its length over its step).
MAX_READINGS = 10_000
_QUANTILES = (0.05, 0.5, 0.95)


@dataclass
class HeightBand:
    """The band (SI inside; :meth:`as_dict` names its units).

    Attributes:
        times_s: the readings, seconds after ``epoch``.
        height_m: ``(3, K)``: the 5 %, 50 % and 95 % of the members' mean height [m]
            (``-inf`` where that share of the members has re-entered).
        decay_m: ``(3, K)``: the same of their decay since the start, ``a(t) - a(0)`` [m]
            (``-inf`` likewise).
        down: ``(K,)``: the share of members re-entered by each reading.
        observed_s, observed_height_m: the element sets after the epoch that fall within the
            band (a hindcast can be checked by eye): their times [s after ``epoch``] and SGP4
            mean heights (the osculating semi-major axis averaged over a revolution, less the
            equatorial radius) [m].
    """

    norad_id: int
    name: str
    epoch: Epoch
    space_weather: str
    seed: int
    members: int
    ballistic_kg_m2: float
    ballistic_sigma_kg_m2: float
    times_s: FloatArray
    height_m: FloatArray
    decay_m: FloatArray
    down: FloatArray
    notes: list[str] = field(default_factory=list)
    #: The density correction applied (:func:`.decay.correction_summary`), if any.
    density_correction: dict[str, Any] | None = None
    observed_s: FloatArray = field(default_factory=lambda: np.empty(0))
    observed_height_m: FloatArray = field(default_factory=lambda: np.empty(0))

    def at(self, seconds: float) -> tuple[FloatArray, FloatArray]:
        """The height and decay percentiles ``(3,)`` each at a time after the epoch [s],
        interpolated linearly between readings."""
        if not (self.times_s[0] <= seconds <= self.times_s[-1]):
            raise InputError("a time outside the band", expected=(
                f"0 to {self.times_s[-1] / 86400.0:.1f} days"),
                found=f"{seconds / 86400.0:.2f} days")
        return (np.array([np.interp(seconds, self.times_s, row) for row in self.height_m]),
                np.array([np.interp(seconds, self.times_s, row) for row in self.decay_m]))

    def as_dict(self) -> dict[str, Any]:
        """JSON form: heights and decay in kilometres (``null`` where members are down)."""
        def km(row: FloatArray) -> list[float | None]:
            return [round(float(x) / 1e3, 4) if np.isfinite(x) else None for x in row]
        return {
            "norad_id": self.norad_id, "name": self.name, "epoch": self.epoch.iso(0),
            "space_weather": self.space_weather, "seed": self.seed, "members": self.members,
            "ballistic_coefficient_kg_m2": {"value": round(self.ballistic_kg_m2, 4),
                                            "sigma": round(self.ballistic_sigma_kg_m2, 4)},
            "days": [round(float(t) / 86400.0, 6) for t in self.times_s],
            "height_km": {"p05": km(self.height_m[0]), "median": km(self.height_m[1]),
                          "p95": km(self.height_m[2])},
            "decay_km": {"p05": km(self.decay_m[0]), "median": km(self.decay_m[1]),
                         "p95": km(self.decay_m[2])},
            "share_down": [round(float(x), 6) for x in self.down],
            "observed": {"days": [round(float(t) / 86400.0, 6) for t in self.observed_s],
                         "height_km": [round(float(h) / 1e3, 4)
                                       for h in self.observed_height_m]},
            "density_correction": self.density_correction,
            "notes": list(self.notes),
        }


def predict_height_band(elements: Sequence[GPElements], ts: Timescale, *,
                        at: Epoch | None = None, days: float = 30.0,
                        step_days: float | None = None,
                        members: int = 200, seed: int = 0, space_weather: str = "observed",
                        atmosphere: str = "msis2", ballistic_kg_m2: float | None = None,
                        density_correction: DensityCorrection | None = None,
                        progress: Callable[[str, float], None] | None = None) -> HeightBand:
    """The band of the mean height for ``days`` after ``at`` (default the last element set),
    read every ``step_days`` (default: a day, or a twelfth of ``days`` when shorter; at most
    :data:`MAX_READINGS` readings; see the module notes; the other arguments as for
    :func:`stationsim.analysis.reentry.predict_reentry`)."""
    if not (np.isfinite(days) and 0.0 < days <= MAX_BAND_DAYS):
        raise InputError("the band's length is out of range", source="--days",
                         expected=f"more than 0 and at most {MAX_BAND_DAYS:.0f} days",
                         found=repr(days))
    if step_days is None:
        step_days = 1.0 if days >= 1.0 else days / 12.0
    # Readings at 0, step, 2 step ... days: at most MAX_READINGS of them.
    if not (np.isfinite(step_days) and days / (MAX_READINGS - 1) <= step_days <= days):
        raise InputError("the band's step is out of range", source="--step-days",
                         expected=f"from {days / (MAX_READINGS - 1):.3g} days (at most "
                                  f"{MAX_READINGS:,} readings) to {days:g} days (--days)",
                         found=repr(step_days))
    setup = prepare_prediction(elements, ts, at=at, members=members, seed=seed,
                               space_weather=space_weather, atmosphere=atmosphere,
                               ballistic_kg_m2=ballistic_kg_m2,
                               density_correction=density_correction, progress=progress)
    ens = setup.ensemble
    step_s = step_days * 86400.0
    times = np.arange(int(np.floor(days / step_days + 1e-9)) + 1, dtype=np.float64) * step_s

    def report(fraction: float) -> None:
        if progress is not None:
            progress("Monte Carlo (lifetime engine)", fraction)

    with warnings.catch_warnings():
        # The forecast's warning is the notes' business here.
        warnings.simplefilter("ignore")
        # Heights against time: daily slots throughout (a coarse slot would move a storm's
        # effect by days).
        result = LifetimePropagator(setup.model, setup.atmosphere, slot_s=86400.0,
                                    coarse_slot_s=None).propagate(
            setup.start, ens.r_gcrf_m, ens.v_gcrf_m_s, ballistic_kg_m2=ens.ballistic_kg_m2,
            duration_s=float(times[-1]), density_factor=ens.density_factor,
            output_step_s=step_s, progress=report, reference=setup.reference)
    sma = mean_sma_grid(result.members, times)
    notes = list(setup.notes)
    if setup.forecast_from_s < float(times[-1]):
        notes.append("space weather: a forecast from "
                     f"{(setup.start + max(setup.forecast_from_s, 0.0)).iso(0)[:10]}, "
                     "dispersed with the historical error of a held forecast")
    later = sorted((float(e.epoch(ts) - setup.start), e) for e in elements
                   if e.norad_id == setup.last.norad_id
                   and 0.0 < float(e.epoch(ts) - setup.start) <= float(times[-1]))
    return HeightBand(
        observed_s=np.array([t for t, _ in later]),
        observed_height_m=np.array([mean_sma_sgp4(e, ts) - WGS84_A_M for _, e in later]),
        norad_id=setup.last.norad_id, name=setup.last.object_name or "", epoch=setup.start,
        space_weather=space_weather, seed=seed, members=len(ens),
        ballistic_kg_m2=setup.ballistic_kg_m2,
        ballistic_sigma_kg_m2=setup.ballistic_sigma_kg_m2, times_s=times,
        height_m=rank_low_percentiles(sma - WGS84_A_M, _QUANTILES),
        decay_m=rank_low_percentiles(sma - sma[:, :1], _QUANTILES),
        down=np.mean(np.isnan(sma), axis=0), notes=notes,
        density_correction=correction_summary(density_correction, {
            "fit": (setup.start + (-FIT_WINDOW_DAYS * 86400.0), setup.start)
            if setup.fit else None,
            "members": (setup.start, setup.start + float(times[-1]))
            if setup.forecast_inputs is None else None}))
