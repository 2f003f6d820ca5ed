"""Propagation: orbit states and the propagators that advance them.

General-perturbations mean elements (:class:`GPElements`, what a TLE or an SGP4 OMM holds) and
SGP4 on them (TEME output, SI units); the numerical propagator on heyoka
(:class:`Propagator`, forces in :class:`ForceModel`, events in :mod:`.events`); the slow,
accurate path with the atmosphere model at every evaluation (:class:`DirectPropagator`); two-body
kernels (:mod:`.kepler`); the ballistic-coefficient fit from TLEs (:mod:`.ballistic`).
``propagation`` never imports ``io``, ``data`` or ``station``: readers of TLE/OMM text live in
:mod:`stationsim.io` and produce :class:`GPElements`; forces reach it as protocols.
"""

from stationsim.propagation.direct import DirectPropagator
from stationsim.propagation.dynamics import ExponentialDensity, ForceModel
from stationsim.propagation.elements import (
    ElementsValueError,
    GPElements,
    day_of_year_from_calendar,
    object_id_from_designator,
)
from stationsim.propagation.events import (
    Action,
    EpochEvent,
    EventRecord,
    ExpressionEvent,
    HeightEvent,
    impulsive_burn,
)
from stationsim.propagation.numerical import (
    FiniteBurn,
    MemberResult,
    PropagationResult,
    Propagator,
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
    "Action",
    "DirectPropagator",
    "ElementsValueError",
    "EpochEvent",
    "EventRecord",
    "ExponentialDensity",
    "ExpressionEvent",
    "FiniteBurn",
    "ForceModel",
    "GPElements",
    "HeightEvent",
    "MemberResult",
    "PropagationResult",
    "Propagator",
    "day_of_year_from_calendar",
    "impulsive_burn",
    "object_id_from_designator",
    "raise_on_sgp4_error",
    "satrec_from_elements",
    "sgp4_error_message",
    "sgp4_teme",
    "sgp4_teme_epoch",
    "sgp4_teme_tsince",
]
