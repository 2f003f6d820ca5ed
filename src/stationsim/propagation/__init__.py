"""Propagation: orbit states and the propagators that advance them.

So far: general-perturbations mean elements (:class:`GPElements`, what a TLE or an SGP4 OMM holds)
and SGP4 on them (TEME output, SI units). ``propagation`` never imports ``io``, ``data`` or
``station``: readers of TLE/OMM text live in :mod:`stationsim.io` and produce
:class:`GPElements`.
"""

from stationsim.propagation.elements import (
    ElementsValueError,
    GPElements,
    day_of_year_from_calendar,
    object_id_from_designator,
)
from stationsim.propagation.sgp4 import (
    SGP4_ERROR_TEXT,
    raise_on_sgp4_error,
    satrec_from_elements,
    sgp4_error_message,
    sgp4_teme,
    sgp4_teme_epoch,
    sgp4_teme_tsince,
)

__all__ = [
    "SGP4_ERROR_TEXT",
    "ElementsValueError",
    "GPElements",
    "day_of_year_from_calendar",
    "object_id_from_designator",
    "raise_on_sgp4_error",
    "satrec_from_elements",
    "sgp4_error_message",
    "sgp4_teme",
    "sgp4_teme_epoch",
    "sgp4_teme_tsince",
]
