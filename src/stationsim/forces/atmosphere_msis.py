"""NRLMSIS 2.1 and NRLMSISE-00 thermosphere density, through NRL's Fortran code in ``pymsis``.

Interface (SI, stationsim's conventions): epochs in UTC, WGS-84 geodetic latitude and longitude
[rad], height above the WGS-84 ellipsoid [m]; out: total mass density [kg/m^3] and neutral
temperature at the point [K]. ``pymsis`` takes degrees and kilometres; the conversion happens here
and nowhere else.

Models:
    ``"msis2.1"``: NRLMSIS 2.1 (Emmert et al. 2022, "NRLMSIS 2.1: an empirical model of nitric
    oxide incorporated into MSIS", JGR Space Physics 127, e2022JA030896), the current NRL model.
    ``"nrlmsise00"``: NRLMSISE-00 (Picone, Hedin, Drob and Aikin 2002, JGR 107(A12), 1468). Its
    mass density is that of ``GTD7D``, the "effective" density for drag that adds anomalous oxygen
    (which matters above ~500 km); ``GTD7`` leaves it out.

Space weather (as both models' input documentation defines it):
    ``f107_sfu``: observed (not 1-AU adjusted) F10.7 of the **previous** UTC day [sfu];
    ``f107a_sfu``: 81-day mean of observed F10.7 centred on the epoch's day [sfu];
    and either ``ap_history`` (shape ``S + (7,)``: daily Ap; the 3-hourly ap at the epoch, 3, 6
    and 9 h before; the means of the eight 3-hourly ap 12-33 h and 36-57 h before), which runs the
    model in its storm-time mode (legacy switch 9 = -1), or ``ap_daily`` (shape ``S``, the day's
    Ap), which runs it in daily-Ap mode (switch 9 = 1). :meth:`stationsim.data.SpaceWeather
    .msis_inputs` gives exactly the first three.

Validity: heights from 0 to 1,000 km. The models reach from the ground to the exobase; above
1,000 km they are extrapolations and drag no longer matters for a station, so such heights are
refused. Outside that span, and for non-finite inputs, latitudes beyond +-pi/2 (usually degrees
given where radians are expected) or negative indices, :class:`AtmosphereInputError` is raised.

``pymsis`` works in single precision and truncates the epoch to whole seconds: the densities are
good to about 6 significant digits, far finer than the models' own 10-20 % error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, get_args, runtime_checkable

import numpy as np
import pymsis
from numpy.typing import ArrayLike

from stationsim.constants import SECONDS_PER_DAY
from stationsim.errors import InputError
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = [
    "MSIS_MAX_HEIGHT_M",
    "MSIS_MIN_HEIGHT_M",
    "AtmosphereInputError",
    "MsisDrivers",
    "MsisModel",
    "MsisOutput",
    "SpaceWeatherSource",
    "msis",
    "msis_density",
]

#: The MSIS models selectable per call.
MsisModel = Literal["msis2.1", "nrlmsise00"]
#: Lowest and highest height above the WGS-84 ellipsoid accepted [m].
MSIS_MIN_HEIGHT_M = 0.0
MSIS_MAX_HEIGHT_M = 1_000_000.0

# pymsis's ``version`` argument for each model; 0 selects its NRLMSISE-00 build.
_PYMSIS_VERSION: dict[str, str] = {"msis2.1": "2.1", "nrlmsise00": "0"}
# The legacy switch array has 25 entries; index 8 (switch 9) selects the geomagnetic mode.
_N_SWITCHES = 25
_GEOMAGNETIC_SWITCH = 8
# The origin of modified Julian dates, 1858-11-17T00:00 UTC, as a datetime64.
_MJD_ORIGIN = np.datetime64("1858-11-17T00:00:00", "us")


class AtmosphereInputError(InputError):
    """Inputs an atmosphere model cannot take: non-finite values, a height outside the model's
    range, a latitude beyond +-pi/2, a negative solar or geomagnetic index, or shapes that do not
    broadcast."""


class MsisDrivers(Protocol):
    """Space-weather inputs of the MSIS models at some epochs (shapes ``S`` and ``S + (7,)``);
    :class:`stationsim.data.MsisInputs` is one."""

    @property
    def f107_sfu(self) -> FloatArray:
        """Observed F10.7 of the previous UTC day [sfu]."""
        ...

    @property
    def f107a_sfu(self) -> FloatArray:
        """81-day mean of observed F10.7 centred on the epoch's day [sfu]."""
        ...

    @property
    def ap_history(self) -> FloatArray:
        """The NRLMSISE-00 ``AP`` array, shape ``S + (7,)`` (see the module notes)."""
        ...


@runtime_checkable
class SpaceWeatherSource(Protocol):
    """Anything that gives the MSIS space-weather inputs at epochs.

    :class:`stationsim.data.SpaceWeather` satisfies it structurally (``forces`` never imports
    ``data``); a test, or a user's own source of indices, may supply another.
    """

    def msis_inputs(self, when: Epoch | ArrayLike) -> MsisDrivers:
        """Previous-day F10.7, its 81-day centred mean and the ap history at ``when`` (an
        :class:`~stationsim.time.Epoch` or UTC modified Julian dates)."""
        ...


@dataclass(frozen=True, eq=False)
class MsisOutput:
    """What an MSIS model gives at points (arrays of the broadcast input shape).

    Attributes:
        density_kg_m3: total mass density [kg/m^3] (NRLMSISE-00: with anomalous oxygen).
        temperature_k: neutral temperature at the point [K].
    """

    density_kg_m3: FloatArray
    temperature_k: FloatArray


def msis(
    when: Epoch | ArrayLike,
    lat_rad: ArrayLike,
    lon_rad: ArrayLike,
    height_m: ArrayLike,
    *,
    f107_sfu: ArrayLike,
    f107a_sfu: ArrayLike,
    ap_history: ArrayLike | None = None,
    ap_daily: ArrayLike | None = None,
    model: MsisModel = "msis2.1",
) -> MsisOutput:
    """Mass density and temperature of NRLMSIS 2.1 or NRLMSISE-00 at points (vectorised).

    Args:
        when: UTC epochs: an :class:`~stationsim.time.Epoch`, or UTC modified Julian dates
            (plain numbers also reach before 1972, where an ``Epoch`` cannot).
        lat_rad: WGS-84 geodetic latitude [rad], within [-pi/2, pi/2].
        lon_rad: longitude [rad], positive east (any finite value; wrapped here).
        height_m: height above the WGS-84 ellipsoid [m], 0 to 1,000 km.
        f107_sfu: observed F10.7 of the previous UTC day [sfu].
        f107a_sfu: 81-day centred mean of observed F10.7 [sfu].
        ap_history: the 7-element ap array, shape ``S + (7,)``: storm-time mode.
        ap_daily: the daily Ap, shape ``S``: daily-Ap mode. Give exactly one of the two.
        model: ``"msis2.1"`` or ``"nrlmsise00"``.

    Every array input broadcasts to one shape ``S`` (the ap history along its leading axes).

    Returns:
        :class:`MsisOutput` of shape ``S``.

    Raises:
        AtmosphereInputError: see the module notes.
    """
    if model not in _PYMSIS_VERSION:
        raise AtmosphereInputError("unknown atmosphere model", expected=_choices(),
                                   found=repr(model))
    if (ap_history is None) == (ap_daily is None):
        raise AtmosphereInputError(
            "give the geomagnetic activity either as ap_history (shape (..., 7), storm-time "
            "mode) or as ap_daily (daily-Ap mode), not both or neither"
        )
    day, sec = _utc_day_seconds(when)
    lat = _float_array(lat_rad, "lat_rad")
    lon = _float_array(lon_rad, "lon_rad")
    height = _float_array(height_m, "height_m")
    f107 = _float_array(f107_sfu, "f107_sfu")
    f107a = _float_array(f107a_sfu, "f107a_sfu")
    storm_time = ap_history is not None
    if storm_time:
        ap = _float_array(ap_history, "ap_history")
        if ap.ndim == 0 or ap.shape[-1] != 7:
            raise AtmosphereInputError("ap_history must have 7 values along its last axis",
                                       expected="shape (..., 7)", found=f"shape {ap.shape}")
    else:
        ap = _float_array(ap_daily, "ap_daily")[..., np.newaxis]
    try:
        shape = np.broadcast_shapes(day.shape, lat.shape, lon.shape, height.shape, f107.shape,
                                    f107a.shape, ap.shape[:-1])
    except ValueError:
        found = ", ".join(f"{n} {a.shape}" for n, a in (
            ("when", day), ("lat_rad", lat), ("lon_rad", lon), ("height_m", height),
            ("f107_sfu", f107), ("f107a_sfu", f107a), ("ap", ap)))
        raise AtmosphereInputError("input shapes do not broadcast together",
                                   found=found) from None
    _check_ranges(lat, height, f107, f107a, ap)
    n = int(np.prod(shape))
    if n == 0:
        empty = np.zeros(shape)
        return MsisOutput(empty, empty.copy())

    def flat(a: FloatArray) -> FloatArray:
        return np.broadcast_to(a, shape).ravel()

    dates = _datetime64(flat(day), flat(sec))
    lon_deg = np.mod(np.degrees(flat(lon)) + 180.0, 360.0) - 180.0
    aps = np.broadcast_to(ap, (*shape, ap.shape[-1])).reshape(n, -1)
    if not storm_time:
        aps = np.repeat(aps, 7, axis=1)  # only the first column is read in daily-Ap mode
    options = [1.0] * _N_SWITCHES
    options[_GEOMAGNETIC_SWITCH] = -1.0 if storm_time else 1.0
    out = np.asarray(pymsis.calculate(
        dates, lon_deg, np.degrees(flat(lat)), flat(height) / 1000.0, flat(f107), flat(f107a),
        aps, options=options, version=_PYMSIS_VERSION[model],
    ), dtype=np.float64).reshape(n, -1)
    # pymsis returns SI mass density (column 0) and temperature (column 10).
    return MsisOutput(out[:, 0].reshape(shape), out[:, 10].reshape(shape))


def msis_density(
    when: Epoch | ArrayLike,
    lat_rad: ArrayLike,
    lon_rad: ArrayLike,
    height_m: ArrayLike,
    *,
    f107_sfu: ArrayLike,
    f107a_sfu: ArrayLike,
    ap_history: ArrayLike | None = None,
    ap_daily: ArrayLike | None = None,
    model: MsisModel = "msis2.1",
) -> FloatArray:
    """Total mass density [kg/m^3] only; the arguments are those of :func:`msis`."""
    return msis(when, lat_rad, lon_rad, height_m, f107_sfu=f107_sfu, f107a_sfu=f107a_sfu,
                ap_history=ap_history, ap_daily=ap_daily, model=model).density_kg_m3


# --- edges: time, checks ---------------------------------------------------------------------
def _choices() -> str:
    names: Sequence[str] = get_args(MsisModel)
    return " or ".join(repr(name) for name in names)


def _float_array(value: ArrayLike | None, name: str) -> FloatArray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise AtmosphereInputError(f"{name} must be numbers", found=repr(value)[:80]) from None
    if not np.all(np.isfinite(array)):
        raise AtmosphereInputError(f"{name} must be finite", expected="finite numbers",
                                   found="NaN or infinity")
    return array


def _utc_day_seconds(when: Epoch | ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Whole UTC day (MJD) and seconds into it."""
    if isinstance(when, Epoch):
        return when.utc_day_seconds()
    mjd = _float_array(when, "when (UTC MJD)")
    day = np.floor(mjd)
    return day, (mjd - day) * SECONDS_PER_DAY


def _datetime64(day: FloatArray, sec: FloatArray) -> np.ndarray:
    """UTC instants as ``datetime64[us]``, what pymsis reads its dates from."""
    micro = np.round((day * SECONDS_PER_DAY + sec) * 1e6).astype(np.int64)
    return _MJD_ORIGIN + micro.astype("timedelta64[us]")


def _check_ranges(lat: FloatArray, height: FloatArray, f107: FloatArray, f107a: FloatArray,
                  ap: FloatArray) -> None:
    if np.any(np.abs(lat) > np.pi / 2 + 1e-12):
        worst = float(lat.flat[np.argmax(np.abs(lat))])
        raise AtmosphereInputError(
            "geodetic latitude outside [-pi/2, pi/2] (latitudes are in radians; this looks like "
            "degrees)", expected="|lat_rad| <= 1.5708", found=f"{worst:g}")
    if height.size and (np.min(height) < MSIS_MIN_HEIGHT_M or np.max(height) > MSIS_MAX_HEIGHT_M):
        worst = float(np.min(height)) if np.min(height) < MSIS_MIN_HEIGHT_M \
            else float(np.max(height))
        raise AtmosphereInputError(
            "height outside the range of the MSIS models (heights are in metres above the "
            "WGS-84 ellipsoid)", expected=f"{MSIS_MIN_HEIGHT_M:g} m to {MSIS_MAX_HEIGHT_M:g} m",
            found=f"{worst:g} m")
    for name, value in (("f107_sfu", f107), ("f107a_sfu", f107a)):
        if np.any(value <= 0):
            raise AtmosphereInputError(f"{name} must be positive", expected="> 0",
                                       found=f"{float(np.min(value)):g}")
    if np.any(ap < 0):
        raise AtmosphereInputError("ap must not be negative", expected=">= 0",
                                   found=f"{float(np.min(ap)):g}")
