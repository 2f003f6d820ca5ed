"""SGP4 through python-sgp4 (Vallado's C++ SGP4, the 2006 "Revisiting Spacetrack Report #3" code).

Every element set, from a TLE or from an OMM, is turned into a ``Satrec`` by ``Satrec.sgp4init``
with WGS-72 constants and operation mode ``'i'`` (improved), the settings of Vallado's verification
run and of ``Satrec.twoline2rv``. The epoch passed to ``sgp4init`` is computed with the same
floating-point steps as the C++ ``twoline2rv`` (its ``days2mdhms`` and ``jday``), so a TLE gives
bit-for-bit the state that ``Satrec.twoline2rv`` gives.

Output frame: TEME of date (True Equator, Mean Equinox), the frame SGP4 works in; rotate it with
:func:`stationsim.frames.teme_to_gcrf`. Output units: SI, metres and metres per second. Time
arguments are minutes since the element epoch or two-part UTC Julian dates.

Error codes (python-sgp4 ``SGP4_ERRORS``): 0 none; 1 mean eccentricity out of [0, 1); 2 mean
motion below zero; 3 perturbed eccentricity out of [0, 1]; 4 semilatus rectum below zero; 5 not
used; 6 the orbit has decayed (radius below one Earth radius). For codes 1 to 5 the state is NaN;
for code 6 python-sgp4 still returns the (meaningless) state.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sgp4.api import SGP4_ERRORS, WGS72, Satrec, SatrecArray

from stationsim.errors import PropagationError
from stationsim.propagation.elements import GPElements
from stationsim.time.tables import FloatArray

if TYPE_CHECKING:
    from stationsim.time import Epoch

__all__ = [
    "SGP4_ERROR_TEXT",
    "raise_on_sgp4_error",
    "satrec_from_elements",
    "sgp4_error_message",
    "sgp4_teme",
    "sgp4_teme_epoch",
    "sgp4_teme_tsince",
]

IntArray = NDArray[np.uint8]

#: Error code -> what it means (python-sgp4's texts, code 6 explained for re-entry work).
SGP4_ERROR_TEXT: Mapping[int, str] = {
    **{int(code): str(text) for code, text in SGP4_ERRORS.items()},
    6: "mrt is less than 1.0: the orbit has decayed below the Earth's surface (re-entered)",
}

#: Julian date of 1949-12-31 00:00 UTC, the origin of SGP4's epoch count (Vallado 2006).
_SGP4_EPOCH_ORIGIN_JD = 2433281.5
#: Minutes per day.
_MIN_PER_DAY = 1440.0
#: Revolutions per day -> radians per minute, the C++ code's ``xpdotp`` (1440 / 2 pi).
_XPDOTP = 1440.0 / (2.0 * math.pi)
_DEG2RAD = math.pi / 180.0
_KM = 1000.0


def _vallado_epoch_days(year: int, day_of_year: float) -> float:
    """Days from 1949-12-31 00:00 UTC to the epoch, with the floating-point steps of the C++
    ``twoline2rv`` (``days2mdhms_SGP4`` then ``jday_SGP4``) so that ``sgp4init`` sees the very
    same double; two routes to the same date can differ in the last bits and so in the state."""
    month_days = [0, 31, 29 if year % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    day_int = math.floor(day_of_year)
    month, before = 1, 0
    while day_int > before + month_days[month] and month < 12:
        before += month_days[month]
        month += 1
    day = day_int - before
    temp = (day_of_year - day_int) * 24.0
    hour = math.floor(temp)
    temp = (temp - hour) * 60.0
    minute = math.floor(temp)
    second = (temp - minute) * 60.0
    jd = (367.0 * year - math.floor((7 * (year + math.floor((month + 9) / 12.0))) * 0.25)
          + math.floor(275 * month / 9.0) + day + 1721013.5)
    fraction = (second + minute * 60.0 + hour * 3600.0) / 86400.0
    return (jd + fraction) - _SGP4_EPOCH_ORIGIN_JD


def satrec_from_elements(elements: GPElements) -> Satrec:
    """A python-sgp4 ``Satrec`` initialised from ``elements`` (WGS-72, opsmode ``'i'``).

    Initialisation errors are not raised: they are left in ``satrec.error`` and show as error
    codes (and NaN states) when propagating, as in Vallado's code.
    """
    el = elements
    satrec = Satrec()
    satrec.sgp4init(
        WGS72,
        "i",
        el.norad_id,
        _vallado_epoch_days(el.epoch_year, el.epoch_day_of_year),
        el.bstar_per_earth_radius,
        el.mean_motion_dot_rev_per_day2 / (_XPDOTP * _MIN_PER_DAY),
        el.mean_motion_ddot_rev_per_day3 / (_XPDOTP * _MIN_PER_DAY * _MIN_PER_DAY),
        el.eccentricity,
        el.arg_of_pericenter_deg * _DEG2RAD,
        el.inclination_deg * _DEG2RAD,
        el.mean_anomaly_deg * _DEG2RAD,
        el.mean_motion_rev_per_day / _XPDOTP,
        el.ra_of_asc_node_deg * _DEG2RAD,
    )
    # Descriptive fields that sgp4init leaves unset, filled as twoline2rv fills them.
    satrec.jdsatepoch, satrec.jdsatepochF = el.epoch_jd_utc
    satrec.epochyr = el.epoch_year % 100
    satrec.epochdays = el.epoch_day_of_year
    satrec.classification = el.classification
    satrec.intldesg = el.tle_designator
    satrec.ephtype = el.ephemeris_type
    satrec.elnum = el.element_set_no
    satrec.revnum = el.rev_at_epoch
    return satrec


def sgp4_teme_tsince(
    elements: GPElements, tsince_min: ArrayLike
) -> tuple[FloatArray, FloatArray, IntArray]:
    """TEME position [m] and velocity [m/s] at ``tsince_min`` minutes after the element epoch.

    Returns ``(r_teme_m, v_teme_m_s, error_code)`` with shapes ``tsince.shape + (3,)`` twice and
    ``tsince.shape``. The times are passed to SGP4 exactly as given (no Julian-date round trip),
    as Vallado's verification does.
    """
    satrec = satrec_from_elements(elements)
    t = np.asarray(tsince_min, dtype=np.float64)
    flat = t.ravel()
    r = np.empty((flat.size, 3))
    v = np.empty((flat.size, 3))
    codes = np.empty(flat.size, dtype=np.uint8)
    for k, minutes in enumerate(flat.tolist()):
        code, rk, vk = satrec.sgp4_tsince(minutes)
        codes[k] = code
        r[k] = rk
        v[k] = vk
    return (r.reshape(*t.shape, 3) * _KM, v.reshape(*t.shape, 3) * _KM, codes.reshape(t.shape))


def sgp4_teme(
    elements: Sequence[GPElements], jd_utc1: ArrayLike, jd_utc2: ArrayLike = 0.0
) -> tuple[FloatArray, FloatArray, IntArray]:
    """TEME states of many element sets at many UTC times (python-sgp4 ``SatrecArray``).

    ``jd_utc1 + jd_utc2`` is a two-part UTC Julian date (broadcast to one dimension of ``n_times``;
    put the day in the first part and the fraction in the second to keep precision). Returns
    ``(r_teme_m, v_teme_m_s, error_codes)`` of shapes ``(n_sats, n_times, 3)``, same, and
    ``(n_sats, n_times)``.
    """
    jd1, jd2 = np.broadcast_arrays(np.asarray(jd_utc1, dtype=np.float64),
                                   np.asarray(jd_utc2, dtype=np.float64))
    jd1 = np.ascontiguousarray(jd1.ravel())
    jd2 = np.ascontiguousarray(jd2.ravel())
    if not elements:
        empty = np.empty((0, jd1.size, 3))
        return empty, empty.copy(), np.empty((0, jd1.size), dtype=np.uint8)
    array = SatrecArray([satrec_from_elements(el) for el in elements])
    codes, r, v = array.sgp4(jd1, jd2)
    return np.asarray(r) * _KM, np.asarray(v) * _KM, np.asarray(codes, dtype=np.uint8)


def sgp4_teme_epoch(
    elements: Sequence[GPElements], t: Epoch
) -> tuple[FloatArray, FloatArray, IntArray]:
    """As :func:`sgp4_teme`, at the instants of a :class:`~stationsim.time.Epoch` (its UTC view;
    SGP4 counts time in UTC like the element epochs)."""
    jd1, jd2 = t.ravel().utc
    return sgp4_teme(elements, jd1, jd2)


def sgp4_error_message(code: int) -> str:
    """What an SGP4 error code means (``"no error"`` for 0)."""
    if code == 0:
        return "no error"
    return f"SGP4 error {code}: {SGP4_ERROR_TEXT.get(code, 'unknown SGP4 error code')}"


def raise_on_sgp4_error(error_codes: ArrayLike, *, label: str = "SGP4") -> None:
    """Raise :class:`~stationsim.errors.PropagationError` if any code is nonzero.

    The message gives the first failing code, its meaning, where it first occurs (index in the
    array) and how many points failed. ``label`` names what was propagated (e.g. ``"ISS 25544"``).
    """
    codes: NDArray[Any] = np.asarray(error_codes)
    bad = np.flatnonzero(codes.ravel())
    if bad.size == 0:
        return
    first = int(bad[0])
    code = int(codes.ravel()[first])
    where = np.unravel_index(first, codes.shape) if codes.shape else ()
    index = tuple(int(i) for i in where)
    raise PropagationError(
        f"{label}: {sgp4_error_message(code)}, first at index {index}; "
        f"{bad.size} of {codes.size} points failed"
    )
