"""Rotations between the celestial and terrestrial frames: GCRF, TEME and ITRF.

Frames:
    GCRF: Geocentric Celestial Reference Frame (the inertial frame of stationsim's dynamics).
    ITRF: International Terrestrial Reference Frame (Earth-fixed).
    TEME: True Equator, Mean Equinox of date, the output frame of SGP4.

Models (all through ERFA, the IAU's SOFA algorithms):
    GCRF -> ITRF: the CIO-based IAU 2006/2000A chain of the IERS Conventions 2010, ch. 5:
    ``r_itrf = W(t) R3(ERA) C(t) r_gcrf``, with the CIP coordinates X, Y from the IAU 2006/2000A
    series corrected by the IERS pole offsets dX, dY, the CIO locator s, the Earth rotation angle
    from UT1, and polar motion x_p, y_p with the TIO locator s'.
    TEME -> ITRF: ``r_itrf = W0 R3(GMST82) r_teme``: TEME is turned into the pseudo-Earth-fixed
    frame by the 1982 Greenwich mean sidereal time, then polar motion without s' (Vallado et al.
    2006, "Revisiting Spacetrack Report #3", AIAA 2006-6753, sect. on TEME), then on to GCRF.

Velocities include the transport term of the rotating frame, ``v_tirs = R C v - w x r_tirs``
with ``w = (0, 0, 7.292115146706979e-5 (1 - LOD/86400))`` rad/s.

Shapes: an epoch of shape ``S`` gives matrices of shape ``S + (3, 3)``; positions ``(..., 3)``
broadcast against the epoch's shape (e.g. ``(N,)`` epochs with ``(N, 3)`` states, or one epoch
with ``(M, 3)`` states). Units are SI: metres and metres per second.
"""

from __future__ import annotations

from dataclasses import dataclass

import erfa
import numpy as np

from stationsim.constants import EARTH_ROTATION_RATE_RAD_S, SECONDS_PER_DAY
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray


@dataclass(frozen=True)
class EarthRotation:
    """The three factors of the GCRF -> ITRF rotation at some epochs, and the spin rate.

    Attributes:
        c2i: celestial-to-intermediate matrix C (GCRF -> CIRS), shape ``S + (3, 3)``.
        era_rad: Earth rotation angle [rad], shape ``S``.
        pom: polar-motion matrix W (TIRS -> ITRF), shape ``S + (3, 3)``.
        omega_rad_s: Earth's spin rate about the CIP [rad/s], shape ``S``.
    """

    c2i: FloatArray
    era_rad: FloatArray
    pom: FloatArray
    omega_rad_s: FloatArray

    @property
    def gcrf_to_itrf(self) -> FloatArray:
        """The full matrix M with ``r_itrf = M r_gcrf``, shape ``S + (3, 3)``."""
        return np.asarray(erfa.c2tcio(self.c2i, self.era_rad, self.pom))


def earth_rotation(epoch: Epoch, *, pole_offsets: bool = True) -> EarthRotation:
    """The IAU 2006/2000A celestial-to-terrestrial rotation at ``epoch``.

    Args:
        epoch: the instants; its timescale supplies UT1 - UTC, polar motion, dX, dY and LOD.
        pole_offsets: apply the IERS celestial pole offsets dX, dY (the IERS Conventions do;
            astropy and several other libraries do not; without them the CIP is off by up to
            ~0.3 mas, ~1 cm at the ISS's distance from the geocentre).
    """
    tt1, tt2 = epoch.tt
    ut1a, ut1b = epoch.ut1
    mjd = epoch.mjd_utc
    x, y = erfa.xy06(tt1, tt2)
    if pole_offsets:
        dx, dy = epoch.ts.cip_offsets_rad(mjd)
        x, y = x + dx, y + dy
    s = erfa.s06(tt1, tt2, x, y)
    c2i = erfa.c2ixys(x, y, s)
    era = erfa.era00(ut1a, ut1b)
    xp, yp = epoch.ts.polar_motion_rad(mjd)
    pom = erfa.pom00(xp, yp, erfa.sp00(tt1, tt2))
    omega = EARTH_ROTATION_RATE_RAD_S * (1.0 - epoch.ts.lod_s(mjd) / SECONDS_PER_DAY)
    return EarthRotation(np.asarray(c2i), np.asarray(era), np.asarray(pom), np.asarray(omega))


def earth_rotation_angle_rad(epoch: Epoch) -> FloatArray:
    """The Earth rotation angle [rad] at ``epoch`` (IAU 2000, from UT1): the angle
    :func:`earth_rotation` gives, without the precession-nutation and polar-motion matrices."""
    return np.asarray(erfa.era00(*epoch.ut1))


def _apply(matrix: FloatArray, vector: FloatArray) -> FloatArray:
    return np.asarray(np.einsum("...ij,...j->...i", matrix, vector))


def _apply_t(matrix: FloatArray, vector: FloatArray) -> FloatArray:
    return np.asarray(np.einsum("...ji,...j->...i", matrix, vector))


def _spin(omega: FloatArray, r: FloatArray) -> FloatArray:
    """``w x r`` for a spin ``w = (0, 0, omega)`` about z."""
    omega = np.asarray(omega)[..., np.newaxis]
    return np.concatenate(
        [-omega * r[..., 1:2], omega * r[..., 0:1], np.zeros_like(r[..., 2:3])], axis=-1
    )


def _rz(angle: FloatArray) -> FloatArray:
    """Frame rotation R3(angle) about z (as ERFA's ``rz``), shape ``angle.shape + (3, 3)``."""
    c, s = np.cos(angle), np.sin(angle)
    m = np.zeros((*np.shape(angle), 3, 3))
    m[..., 0, 0], m[..., 0, 1] = c, s
    m[..., 1, 0], m[..., 1, 1] = -s, c
    m[..., 2, 2] = 1.0
    return m


def gcrf_to_itrf(
    epoch: Epoch, r_gcrf_m: FloatArray, v_gcrf_m_s: FloatArray, *, pole_offsets: bool = True
) -> tuple[FloatArray, FloatArray]:
    """Position [m] and velocity [m/s] from GCRF to ITRF at ``epoch``; see the module notes."""
    rot = earth_rotation(epoch, pole_offsets=pole_offsets)
    rz = _rz(rot.era_rad)
    r_tirs = _apply(rz, _apply(rot.c2i, np.asarray(r_gcrf_m, dtype=np.float64)))
    v_tirs = _apply(rz, _apply(rot.c2i, np.asarray(v_gcrf_m_s, dtype=np.float64)))
    v_tirs = v_tirs - _spin(rot.omega_rad_s, r_tirs)
    return _apply(rot.pom, r_tirs), _apply(rot.pom, v_tirs)


def gcrf_to_itrf_position(
    epoch: Epoch, r_gcrf_m: FloatArray, *, pole_offsets: bool = True
) -> FloatArray:
    """Position [m] from GCRF to ITRF at ``epoch``."""
    rot = earth_rotation(epoch, pole_offsets=pole_offsets)
    return _apply(rot.gcrf_to_itrf, np.asarray(r_gcrf_m, dtype=np.float64))


def itrf_to_gcrf(
    epoch: Epoch, r_itrf_m: FloatArray, v_itrf_m_s: FloatArray, *, pole_offsets: bool = True
) -> tuple[FloatArray, FloatArray]:
    """Position [m] and velocity [m/s] from ITRF to GCRF at ``epoch``; the inverse of
    :func:`gcrf_to_itrf`."""
    rot = earth_rotation(epoch, pole_offsets=pole_offsets)
    rz = _rz(rot.era_rad)
    r_tirs = _apply_t(rot.pom, np.asarray(r_itrf_m, dtype=np.float64))
    v_tirs = _apply_t(rot.pom, np.asarray(v_itrf_m_s, dtype=np.float64))
    v_tirs = v_tirs + _spin(rot.omega_rad_s, r_tirs)
    return _apply_t(rot.c2i, _apply_t(rz, r_tirs)), _apply_t(rot.c2i, _apply_t(rz, v_tirs))


def itrf_to_gcrf_position(
    epoch: Epoch, r_itrf_m: FloatArray, *, pole_offsets: bool = True
) -> FloatArray:
    """Position [m] from ITRF to GCRF at ``epoch``."""
    rot = earth_rotation(epoch, pole_offsets=pole_offsets)
    return _apply_t(rot.gcrf_to_itrf, np.asarray(r_itrf_m, dtype=np.float64))


def teme_to_itrf(
    epoch: Epoch, r_teme_m: FloatArray, v_teme_m_s: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Position [m] and velocity [m/s] from SGP4's TEME to ITRF at ``epoch`` (GMST 1982 and
    polar motion without s', as in AIAA 2006-6753)."""
    ut1a, ut1b = epoch.ut1
    mjd = epoch.mjd_utc
    rz = _rz(np.asarray(erfa.gmst82(ut1a, ut1b)))
    xp, yp = epoch.ts.polar_motion_rad(mjd)
    pom0 = np.asarray(erfa.pom00(xp, yp, 0.0))
    omega = EARTH_ROTATION_RATE_RAD_S * (1.0 - epoch.ts.lod_s(mjd) / SECONDS_PER_DAY)
    r_pef = _apply(rz, np.asarray(r_teme_m, dtype=np.float64))
    v_pef = _apply(rz, np.asarray(v_teme_m_s, dtype=np.float64)) - _spin(omega, r_pef)
    return _apply(pom0, r_pef), _apply(pom0, v_pef)


def teme_to_gcrf(
    epoch: Epoch, r_teme_m: FloatArray, v_teme_m_s: FloatArray, *, pole_offsets: bool = True
) -> tuple[FloatArray, FloatArray]:
    """Position [m] and velocity [m/s] from SGP4's TEME to GCRF at ``epoch``, through ITRF.

    Polar motion cancels on the way (but for the tiny TIO locator s'), so the result depends on
    the Earth-orientation table only through UT1 in GMST 1982 against the ERA, and dX, dY.
    """
    r_itrf, v_itrf = teme_to_itrf(epoch, r_teme_m, v_teme_m_s)
    return itrf_to_gcrf(epoch, r_itrf, v_itrf, pole_offsets=pole_offsets)
