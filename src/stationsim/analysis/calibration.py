"""``stationsim calibrate``: a density correction from tracked objects' element sets.

The fits use the force model and atmosphere of ``stationsim decay`` (EGM96 8x8, Sun, Moon and
the chosen atmosphere with the bundled observed space weather), so that the correction is for
exactly the model a prediction flies through; the method is in
:mod:`stationsim.propagation.calibration`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from stationsim.analysis.decay import correction_summary, make_atmosphere
from stationsim.data import load_gravity_field, load_space_weather
from stationsim.errors import InputError
from stationsim.forces.atmosphere import ATMOSPHERES
from stationsim.forces.density_correction import DensityCorrection
from stationsim.io.density_correction import mjd_utc_iso
from stationsim.propagation.calibration import (
    MIN_WINDOWS_PER_OBJECT,
    CalibrationFit,
    calibrate_density,
)
from stationsim.propagation.dynamics import ForceModel
from stationsim.propagation.elements import GPElements
from stationsim.propagation.numerical import Propagator
from stationsim.time import Epoch, Timescale

__all__ = ["CalibrationReport", "calibrate"]


@dataclass
class CalibrationReport:
    """The correction and the fits behind it."""

    correction: DensityCorrection
    fits: list[CalibrationFit]
    objects: list[int]
    window_days: float

    def as_dict(self) -> dict[str, Any]:
        """The JSON object of ``stationsim calibrate --json``."""
        c = self.correction
        return {
            "correction": correction_summary(c),
            "objects": self.objects,
            "window_days": self.window_days,
            "windows": [{"start": mjd_utc_iso(float(s)), "end": mjd_utc_iso(float(e)),
                         "factor": round(float(f), 4), "sigma_ln": round(float(g), 4),
                         "objects": int(n)}
                        for s, e, f, g, n in zip(c.start_mjd_utc, c.end_mjd_utc, c.factor,
                                                 c.sigma_ln, c.objects, strict=True)],
            "fits": [{"norad_id": f.norad_id, "start": f.start.iso(0), "tles": f.tles,
                      "mean_height_km": round(f.mean_height_km, 1),
                      "ballistic_kg_m2": round(f.ballistic_kg_m2, 3), "used": f.used}
                     for f in self.fits],
        }


def calibrate(elements: Sequence[GPElements], ts: Timescale, *, start: Epoch, end: Epoch,
              window_days: float = 8.0, atmosphere: str = "msis2", source: str | None = None,
              progress: Callable[[float], None] | None = None) -> CalibrationReport:
    """The density correction of ``atmosphere`` over ``start``..``end`` from the element
    sets of one or more objects (grouped by catalogue number; ``source`` names them in
    messages). ``objects`` lists those that contributed."""
    if atmosphere not in ATMOSPHERES:
        raise InputError("unknown atmosphere", source="--atmosphere",
                         expected=" | ".join(ATMOSPHERES), found=repr(atmosphere))
    objects = sorted({e.norad_id for e in elements})
    series = [[e for e in elements if e.norad_id == n] for n in objects]
    weather = load_space_weather() if atmosphere in ("msis2", "nrlmsise00") else None
    propagator = Propagator(ForceModel(gravity=load_gravity_field(), degree=8, thrust=False),
                            atmosphere=make_atmosphere(atmosphere, weather=weather))
    correction, fits = calibrate_density(series, ts, propagator, start=start, end=end,
                                         window_days=window_days, model=atmosphere,
                                         source=source, progress=progress)
    counts = {n: sum(f.used and f.norad_id == n for f in fits) for n in objects}
    used = [n for n in objects if counts[n] >= MIN_WINDOWS_PER_OBJECT]
    return CalibrationReport(correction, fits, used, window_days)
