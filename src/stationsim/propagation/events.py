"""Events of a numerical propagation and what happens when they occur.

An event is a condition located by root finding on the integrator's dense output (heyoka's
event detection: the root of the event function's Taylor polynomial in each step), or an epoch.
Its action is one of :class:`Action`: record it and go on, stop this member, or change the state
(an impulsive burn, a docking that adds mass) and go on.

Kinds:

* :class:`HeightEvent`: geodetic height [m] above the WGS-84 ellipsoid crosses a value. The
  propagator adds two of its own: the entry interface (120 km, re-entry) and breakup (78 km).
* :class:`EpochEvent`: an instant; the propagator ends a segment exactly there.
* :class:`ExpressionEvent`: any function of the state and time, given as a builder of a heyoka
  expression from the :class:`~stationsim.propagation.dynamics.Dynamics`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import heyoka as hy
import numpy as np

from stationsim.forces.thrust import STANDARD_GRAVITY_M_S2
from stationsim.frames import gcrf_to_itrf_position, itrf_to_geodetic
from stationsim.propagation.dynamics import Dynamics
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = [
    "Action",
    "Direction",
    "EpochEvent",
    "EventRecord",
    "ExpressionEvent",
    "HeightEvent",
    "StateReset",
    "event_record",
    "impulsive_burn",
]

Direction = Literal["down", "up", "any"]
#: A state change: the 7-element state ``(x, y, z, vx, vy, vz, m)`` in, the new one out.
StateReset = Callable[[FloatArray], FloatArray]


class Action(enum.Enum):
    """What the propagator does when an event occurs."""

    CONTINUE = "continue"
    STOP = "stop"
    RESET_STATE = "reset_state"


@dataclass(frozen=True)
class HeightEvent:
    """Geodetic height crossing ``height_m`` [m]; ``direction`` "down" means descending."""

    name: str
    height_m: float
    direction: Direction = "down"
    action: Action = Action.CONTINUE
    reset: StateReset | None = None


@dataclass(frozen=True)
class EpochEvent:
    """An instant; with ``Action.RESET_STATE``, ``reset`` changes the state there."""

    name: str
    epoch: Epoch
    action: Action = Action.RESET_STATE
    reset: StateReset | None = None


@dataclass(frozen=True)
class ExpressionEvent:
    """A root of ``function(dynamics)``, a heyoka expression of the state, time and
    parameters (see :mod:`stationsim.propagation.dynamics` for what is available)."""

    name: str
    function: Callable[[Dynamics], hy.expression]
    direction: Direction = "any"
    action: Action = Action.CONTINUE
    reset: StateReset | None = None


@dataclass(frozen=True)
class EventRecord:
    """An event that occurred: where and when.

    Attributes:
        name: the event's name (``"reentry"`` and ``"breakup"`` for the built-in ones).
        member: index of the ensemble member.
        epoch: when.
        r_gcrf_m, v_gcrf_m_s, mass_kg: the state at the event (before any reset).
        lat_deg, lon_deg, height_m: WGS-84 geodetic position (longitude east, -180..180).
    """

    name: str
    member: int
    epoch: Epoch
    r_gcrf_m: FloatArray
    v_gcrf_m_s: FloatArray
    mass_kg: float
    lat_deg: float
    lon_deg: float
    height_m: float


def event_record(name: str, member: int, epoch: Epoch, y: FloatArray) -> EventRecord:
    """The record of event ``name`` of ``member`` at ``epoch`` in state ``y`` (GCRF, SI, with
    the mass last), with its geodetic place (IAU 2006/2000A Earth orientation)."""
    lat, lon, h = itrf_to_geodetic(gcrf_to_itrf_position(epoch, y[:3]))
    return EventRecord(name=name, member=member, epoch=epoch, r_gcrf_m=y[:3].copy(),
                       v_gcrf_m_s=y[3:6].copy(), mass_kg=float(y[6]),
                       lat_deg=float(np.degrees(lat)), lon_deg=float(np.degrees(lon)),
                       height_m=float(h))


def heyoka_direction(direction: Direction) -> hy.event_direction:
    """The heyoka event direction of a crossing direction of the event function."""
    return {"down": hy.event_direction.negative, "up": hy.event_direction.positive,
            "any": hy.event_direction.any}[direction]


def impulsive_burn(name: str, epoch: Epoch, delta_v_vnc_m_s: tuple[float, float, float],
                   isp_s: float | None = None) -> EpochEvent:
    """An impulsive burn at ``epoch``: ``delta_v`` [m/s] in the VNC frame of the orbit there
    (V along velocity, N along ``r x v``, C = V x N). With ``isp_s`` the mass drops by the
    rocket equation."""
    dv = np.asarray(delta_v_vnc_m_s, dtype=np.float64)

    def reset(state: FloatArray) -> FloatArray:
        r, v = state[:3], state[3:6]
        vv = v / np.linalg.norm(v)
        h = np.cross(r, v)
        nn = h / np.linalg.norm(h)
        cc = np.cross(vv, nn)
        out = np.array(state, dtype=np.float64, copy=True)
        out[3:6] = v + dv[0] * vv + dv[1] * nn + dv[2] * cc
        if isp_s is not None:
            out[6] = state[6] * np.exp(-np.linalg.norm(dv) / (isp_s * STANDARD_GRAVITY_M_S2))
        return out

    return EpochEvent(name=name, epoch=epoch, action=Action.RESET_STATE, reset=reset)


def failure_time(epoch: Epoch, t_s: float) -> str:
    """Where an integration failed, for its error message: the UTC instant, or words when the
    integrator's own time is no longer a number (the state became NaN or infinite)."""
    if not np.isfinite(t_s):
        return "an undefined time (the state became NaN or infinite)"
    return str((epoch + float(t_s)).iso(0))
