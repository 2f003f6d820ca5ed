"""A density model corrected by factors calibrated on tracked objects.

An empirical model's density can be off by 20-30 % for weeks at a time, and the error is shared
by every object in the same part of the thermosphere: October 2023 is such a period for NRLMSIS
2.1 (``docs/validation.md``). A re-entry prediction absorbs the model's bias into its fitted
ballistic coefficient, so a bias that *changes* between the fitting window and the prediction
span becomes a prediction error. Operational centres correct the model with the drag measured
on calibration satellites; :class:`DensityCorrection` carries such a correction (a factor per
time window, from :func:`stationsim.propagation.calibration.calibrate_density`) and
:class:`CorrectedAtmosphere` applies it to any density model.

The factor is piecewise constant over its windows (UTC MJD, ``[start, end)``) and 1 outside
them, where the calibration says nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from stationsim.errors import InputError
from stationsim.forces.atmosphere import Atmosphere
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = ["FACTOR_RANGE", "CorrectedAtmosphere", "DensityCorrection"]

#: The factors a correction may hold: beyond them the "model error" is something else (a
#: manoeuvre, a change of attitude, bad element sets).
FACTOR_RANGE = (0.1, 10.0)


@dataclass(frozen=True, eq=False)
class DensityCorrection:
    """Density factors per time window.

    Attributes:
        start_mjd_utc, end_mjd_utc: the windows ``(K,)``, increasing and not overlapping.
        factor: the true density over the model's in each window ``(K,)``.
        sigma_ln: the standard error of ``ln factor`` ``(K,)`` (the spread of the objects).
        objects: how many calibration objects each window had ``(K,)``.
        model: the density model the factors correct (e.g. ``msis2``).
        source: where the correction was read from (for messages), and ``model_line`` the
            line that names the model there.
    """

    start_mjd_utc: FloatArray
    end_mjd_utc: FloatArray
    factor: FloatArray
    sigma_ln: FloatArray
    objects: FloatArray
    model: str = "msis2"
    source: str = ""
    model_line: int | None = None

    def __post_init__(self) -> None:
        names = ("start_mjd_utc", "end_mjd_utc", "factor", "sigma_ln", "objects")
        arrays = [np.array(getattr(self, name), dtype=np.float64) for name in names]
        for name, array in zip(names, arrays, strict=True):
            array.flags.writeable = False
            object.__setattr__(self, name, array)
        where = self.source or None
        if len({a.shape for a in arrays}) != 1 or arrays[0].ndim != 1 or not len(arrays[0]):
            raise InputError("a density correction needs one row per window", source=where,
                             found=f"shapes {[a.shape for a in arrays]}")
        if not all(np.all(np.isfinite(a)) for a in arrays):
            raise InputError("a density correction holds a value that is not a finite number",
                             source=where)
        start, end, factor, sigma, objects = arrays
        low, high = FACTOR_RANGE
        if np.any(factor < low) or np.any(factor > high):
            raise InputError("a density factor is out of range", source=where,
                             expected=f"{low:g} to {high:g}",
                             found=f"{factor.min():.4g} .. {factor.max():.4g}")
        if np.any(sigma < 0) or np.any(objects < 0):
            raise InputError("sigma_ln and objects must not be negative", source=where)
        if np.any(end <= start) or np.any(start[1:] < end[:-1]):
            raise InputError("density-correction windows must be increasing and must not "
                             "overlap", source=where)

    def overlaps(self, start_mjd_utc: float, end_mjd_utc: float) -> bool:
        """Whether any window meets ``[start, end)`` (UTC MJD)."""
        return bool(np.any((np.asarray(self.start_mjd_utc) < end_mjd_utc)
                           & (np.asarray(self.end_mjd_utc) > start_mjd_utc)))

    def at(self, mjd_utc: ArrayLike) -> FloatArray:
        """The factor at UTC MJDs (any shape); 1 outside the windows."""
        mjd = np.asarray(mjd_utc, dtype=np.float64)
        start = np.asarray(self.start_mjd_utc, dtype=np.float64)
        k = np.clip(np.searchsorted(start, mjd, side="right") - 1, 0, len(start) - 1)
        inside = (mjd >= start[k]) & (mjd < np.asarray(self.end_mjd_utc)[k])
        return np.where(inside, np.asarray(self.factor)[k], 1.0)


class CorrectedAtmosphere:
    """``base`` with its density multiplied by a :class:`DensityCorrection`.

    It keeps the base model's geodetic entry point (``density_geodetic``) when it has one, so
    the propagators sample it as cheaply as the base.
    """

    def __init__(self, base: Atmosphere, correction: DensityCorrection) -> None:
        self.base = base
        self.correction = correction
        if hasattr(base, "density_geodetic"):
            self.density_geodetic = self._density_geodetic

    def density(self, epoch: Epoch, r_gcrf_m: ArrayLike) -> FloatArray:
        """Mass density [kg/m^3] at GCRF positions [m]."""
        return np.asarray(self.base.density(epoch, r_gcrf_m)
                          * self.correction.at(np.asarray(epoch.mjd_utc)))

    def _density_geodetic(self, mjd_utc: ArrayLike, lat_rad: ArrayLike, lon_rad: ArrayLike,
                          height_m: ArrayLike) -> FloatArray:
        rho = self.base.density_geodetic(  # type: ignore[attr-defined]
            mjd_utc, lat_rad, lon_rad, height_m)
        return np.asarray(rho * self.correction.at(mjd_utc))
