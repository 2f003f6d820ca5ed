"""The atmosphere along GCRF states: density models behind one protocol, and the air's velocity.

A density model answers :meth:`Atmosphere.density` for epochs and GCRF positions. Each model
class turns the positions into ITRF (:func:`stationsim.frames.gcrf_to_itrf_position`, IAU
2006/2000A with the timescale's EOP) and then into WGS-84 geodetic latitude, longitude and
height (:func:`stationsim.frames.itrf_to_geodetic`), and calls its kernel:

* :class:`MsisAtmosphere`: NRLMSIS 2.1 or NRLMSISE-00 (:mod:`.atmosphere_msis`) with space
  weather from a :class:`~.atmosphere_msis.SpaceWeatherSource`, such as
  :class:`stationsim.data.SpaceWeather`;
* :class:`ExponentialAtmosphere`: Vallado's exponential table (:mod:`.atmosphere_simple`);
* :class:`HarrisPriesterAtmosphere`: Montenbruck & Gill's modified Harris-Priester, with the
  low-precision Sun of :mod:`.sun`.

The air co-rotates with the Earth, so drag acts on the velocity relative to it,
``v_rel = v - w x r`` (:func:`relative_velocity_gcrf`).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike

from stationsim.constants import EARTH_ROTATION_RATE_RAD_S
from stationsim.errors import InputError
from stationsim.forces.atmosphere_msis import (
    AtmosphereInputError,
    MsisModel,
    MsisOutput,
    SpaceWeatherSource,
    msis,
)
from stationsim.forces.atmosphere_simple import exponential_density, harris_priester_density
from stationsim.forces.sun import sun_position_gcrf
from stationsim.frames import gcrf_to_itrf_position, itrf_to_geodetic
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = [
    "ATMOSPHERES",
    "Atmosphere",
    "ExponentialAtmosphere",
    "HarrisPriesterAtmosphere",
    "MsisAtmosphere",
    "atmosphere_by_name",
    "geodetic_from_gcrf",
    "msis_along_gcrf",
    "relative_velocity_gcrf",
]


class Atmosphere(Protocol):
    """A density model: mass density [kg/m^3] at epochs and GCRF positions [m].

    ``r_gcrf_m`` has shape ``S + (3,)`` with ``S`` broadcasting against ``epoch.shape``; the
    result has the broadcast shape.
    """

    def density(self, epoch: Epoch, r_gcrf_m: ArrayLike) -> FloatArray:
        """Mass density [kg/m^3]."""
        ...


def geodetic_from_gcrf(epoch: Epoch, r_gcrf_m: ArrayLike
                       ) -> tuple[FloatArray, FloatArray, FloatArray]:
    """WGS-84 geodetic latitude [rad], longitude [rad] and height [m] of GCRF positions [m]."""
    r = np.asarray(r_gcrf_m, dtype=np.float64)
    if r.ndim == 0 or r.shape[-1] != 3:
        raise AtmosphereInputError("positions must be 3-vectors", expected="shape (..., 3)",
                                   found=f"shape {r.shape}")
    if not np.all(np.isfinite(r)):
        raise AtmosphereInputError("positions must be finite", found="NaN or infinity")
    return itrf_to_geodetic(gcrf_to_itrf_position(epoch, r))


def msis_along_gcrf(
    epoch: Epoch,
    r_gcrf_m: ArrayLike,
    weather: SpaceWeatherSource,
    *,
    model: MsisModel = "msis2.1",
    storm_time: bool = True,
) -> MsisOutput:
    """MSIS density [kg/m^3] and temperature [K] at GCRF positions [m] and epochs.

    Args:
        epoch: the instants, shape ``S`` (or one epoch for many positions).
        r_gcrf_m: GCRF positions, shape ``S + (3,)``.
        weather: the space-weather source; asked once for all the epochs.
        model: ``"msis2.1"`` or ``"nrlmsise00"``.
        storm_time: use the full 7-element ap history (switch 9 = -1, the models' recommended
            mode when the 3-hourly ap are known); ``False`` uses the daily Ap alone.
    """
    lat, lon, height = geodetic_from_gcrf(epoch, r_gcrf_m)
    drivers = weather.msis_inputs(epoch)
    ap = np.asarray(drivers.ap_history, dtype=np.float64)
    if storm_time:
        return msis(epoch, lat, lon, height, f107_sfu=drivers.f107_sfu,
                    f107a_sfu=drivers.f107a_sfu, ap_history=ap, model=model)
    return msis(epoch, lat, lon, height, f107_sfu=drivers.f107_sfu, f107a_sfu=drivers.f107a_sfu,
                ap_daily=ap[..., 0], model=model)


class MsisAtmosphere:
    """NRLMSIS 2.1 or NRLMSISE-00 along GCRF states (see :func:`msis_along_gcrf`).

    Args:
        weather: where F10.7 and ap come from (e.g. ``stationsim.data.load_space_weather()``).
        model: ``"msis2.1"`` (default) or ``"nrlmsise00"``.
        storm_time: use the 3-hourly ap history (default) rather than the daily Ap.
    """

    def __init__(self, weather: SpaceWeatherSource, *, model: MsisModel = "msis2.1",
                 storm_time: bool = True) -> None:
        self.weather = weather
        self.model: MsisModel = model
        self.storm_time = storm_time
        #: Drivers per 3-hour UTC slot (the ap cadence): (F10.7, F10.7a, ap history).
        self._drivers: dict[int, tuple[float, float, FloatArray]] = {}

    def density(self, epoch: Epoch, r_gcrf_m: ArrayLike) -> FloatArray:
        """Mass density [kg/m^3] at GCRF positions [m]."""
        return msis_along_gcrf(epoch, r_gcrf_m, self.weather, model=self.model,
                               storm_time=self.storm_time).density_kg_m3

    def density_geodetic(self, mjd_utc: ArrayLike, lat_rad: ArrayLike, lon_rad: ArrayLike,
                         height_m: ArrayLike) -> FloatArray:
        """Mass density [kg/m^3] at UTC MJDs and WGS-84 geodetic points (broadcast), for
        callers that have the geodetic coordinates already (the propagators). One point at a
        time, the space weather is looked up once per 3-hour UTC slot, within which the MSIS
        drivers are constant."""
        f107: ArrayLike
        f107a: ArrayLike
        if np.ndim(mjd_utc) == 0:
            slot = int(np.floor(float(mjd_utc) * 8.0))  # type: ignore[arg-type]
            if slot not in self._drivers:
                d = self.weather.msis_inputs(np.array([(slot + 0.5) / 8.0]))
                self._drivers[slot] = (float(np.ravel(d.f107_sfu)[0]),
                                       float(np.ravel(d.f107a_sfu)[0]),
                                       np.asarray(d.ap_history, dtype=np.float64).reshape(7))
            f107, f107a, ap = self._drivers[slot]
        else:
            d = self.weather.msis_inputs(np.asarray(mjd_utc, dtype=np.float64))
            f107, f107a = d.f107_sfu, d.f107a_sfu
            ap = np.asarray(d.ap_history, dtype=np.float64)
        if self.storm_time:
            out = msis(mjd_utc, lat_rad, lon_rad, height_m, f107_sfu=f107, f107a_sfu=f107a,
                       ap_history=ap, model=self.model)
        else:
            out = msis(mjd_utc, lat_rad, lon_rad, height_m, f107_sfu=f107, f107a_sfu=f107a,
                       ap_daily=ap[..., 0], model=self.model)
        return out.density_kg_m3


class ExponentialAtmosphere:
    """Vallado's exponential atmosphere (no space weather) along GCRF states."""

    def density(self, epoch: Epoch, r_gcrf_m: ArrayLike) -> FloatArray:
        """Mass density [kg/m^3] at GCRF positions [m]."""
        _, _, height = geodetic_from_gcrf(epoch, r_gcrf_m)
        return exponential_density(height)

    def density_geodetic(self, mjd_utc: ArrayLike, lat_rad: ArrayLike, lon_rad: ArrayLike,
                         height_m: ArrayLike) -> FloatArray:
        """Mass density [kg/m^3] at geodetic points (only the height matters)."""
        return exponential_density(height_m)


class HarrisPriesterAtmosphere:
    """Montenbruck & Gill's modified Harris-Priester model along GCRF states.

    Args:
        n: exponent of the bulge's ``cos(psi / 2)``: 2 for low-inclination orbits, 6 for polar
            ones; the default 4 lies between, as the ISS's 51.6 degrees does.
    """

    def __init__(self, *, n: float = 4.0) -> None:
        self.n = n

    def density(self, epoch: Epoch, r_gcrf_m: ArrayLike) -> FloatArray:
        """Mass density [kg/m^3] at GCRF positions [m]."""
        r = np.asarray(r_gcrf_m, dtype=np.float64)
        _, _, height = geodetic_from_gcrf(epoch, r)
        return harris_priester_density(height, r, sun_position_gcrf(epoch), n=self.n)


def relative_velocity_gcrf(
    r_gcrf_m: ArrayLike,
    v_gcrf_m_s: ArrayLike,
    omega_rad_s: float = EARTH_ROTATION_RATE_RAD_S,
) -> FloatArray:
    """Velocity [m/s] relative to the co-rotating atmosphere, in GCRF: ``v - w x r``.

    ``w = (0, 0, omega)`` is taken along the GCRF z axis, with the nominal rate
    7.292115146706979e-5 rad/s (IERS Conventions 2010, table 1.2). The true spin axis (the CIP)
    is tilted from GCRF z by precession-nutation, about 20 arcsec per year since 2000 (0.12
    degree in 2022): the neglected term is about 1 m/s at LEO, 1.5e-4 of the velocity, far
    below the thermospheric winds (tens to hundreds of m/s) that co-rotation leaves out anyway.
    Shapes ``(..., 3)``, broadcast.
    """
    r = np.asarray(r_gcrf_m, dtype=np.float64)
    v = np.asarray(v_gcrf_m_s, dtype=np.float64)
    spin = np.stack([-omega_rad_s * r[..., 1], omega_rad_s * r[..., 0],
                     np.zeros_like(r[..., 2])], axis=-1)
    return np.asarray(v - spin)


#: The atmospheres a run can name: NRLMSIS 2.1, NRLMSISE-00, Harris-Priester, exponential.
ATMOSPHERES: tuple[str, ...] = ("msis2", "nrlmsise00", "harris-priester", "exponential")


def atmosphere_by_name(name: str, weather: SpaceWeatherSource | None) -> Atmosphere:
    """The atmosphere called ``name`` (one of :data:`ATMOSPHERES`); the MSIS models need the
    space ``weather``.

    Raises:
        InputError: an unknown name, or MSIS without space weather.
    """
    if name in ("msis2", "nrlmsise00"):
        if weather is None:
            raise InputError(f"the {name} atmosphere needs space weather")
        return MsisAtmosphere(weather, model="msis2.1" if name == "msis2" else "nrlmsise00")
    if name == "harris-priester":
        return HarrisPriesterAtmosphere()
    if name == "exponential":
        return ExponentialAtmosphere()
    raise InputError("unknown atmosphere", expected=" | ".join(ATMOSPHERES), found=repr(name))
