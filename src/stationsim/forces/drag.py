"""Atmospheric drag: ``a = -1/2 rho (C_D A / m) |v_rel| v_rel`` in GCRF, and the protocol that
supplies mass and drag area.

``v_rel = v - w x r`` is the velocity relative to the air, which co-rotates with the Earth at
``w = 7.292115146706979e-5`` rad/s (IERS Conventions 2010, table 1.2) about the axis given by
the caller (the CIP, as the GCRF z axis turned by precession-nutation; see
:mod:`stationsim.propagation.dynamics`). Winds are not modelled.

The spacecraft enters through :class:`DragProperties`: anything with a ``mass_kg`` and a
``drag_area_m2(epoch, r, v)`` giving ``C_D * A`` (drag coefficient times cross-section) meets
it structurally; :class:`ConstantDrag` is the simplest, and the station model supplies its own
(its attitude and solar-array policy decide the area). The propagator samples ``C_D A`` at the
start of each integration segment (at most 3 hours long) and keeps it fixed over the segment;
the mass is a state variable, so burns that spend propellant change it continuously.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import heyoka as hy
import numpy as np

from stationsim.errors import InputError
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = [
    "ConstantDrag",
    "DragProperties",
    "DragPropertiesError",
    "drag_acceleration",
    "relative_velocity",
]


class DragPropertiesError(InputError):
    """Mass, drag coefficient or area that cannot be used (zero, negative, not finite)."""


@runtime_checkable
class DragProperties(Protocol):
    """Mass and drag area of a spacecraft."""

    @property
    def mass_kg(self) -> float:
        """Mass at the start of the propagation [kg]."""
        ...

    def drag_area_m2(self, epoch: Epoch, r_gcrf_m: FloatArray, v_gcrf_m_s: FloatArray) -> float:
        """``C_D * A`` [m^2]: drag coefficient times the cross-section facing the flow."""
        ...


@dataclass(frozen=True)
class ConstantDrag:
    """Fixed mass [kg], drag coefficient and cross-section [m^2].

    ``ballistic_coefficient_kg_m2`` is ``m / (C_D A)``, the quantity fitted from tracking data.
    """

    mass_kg: float
    drag_coefficient: float = 2.2
    area_m2: float = 1.0

    def __post_init__(self) -> None:
        for name in ("mass_kg", "drag_coefficient", "area_m2"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value > 0.0):
                raise DragPropertiesError(f"{name} must be a positive finite number",
                                          expected="> 0", found=repr(value))

    @classmethod
    def from_ballistic_coefficient(cls, ballistic_coefficient_kg_m2: float,
                                   mass_kg: float | None = None) -> ConstantDrag:
        """Drag properties with ``m / (C_D A)`` given [kg/m^2]; the mass (default 1 kg, with
        ``C_D A`` = 1/B) only matters for thrust. The mass is part of the integrated state, and
        the integrator's error control weighs the state's largest component: a mass far above
        the position's ~7e6 m (as a mass equal to an extreme B would be) would loosen the
        position's tolerance by as much."""
        if not (np.isfinite(ballistic_coefficient_kg_m2) and ballistic_coefficient_kg_m2 > 0):
            raise DragPropertiesError("the ballistic coefficient must be a positive finite "
                                      "number", expected="> 0 kg/m^2",
                                      found=repr(ballistic_coefficient_kg_m2))
        mass = 1.0 if mass_kg is None else mass_kg
        return cls(mass_kg=mass, drag_coefficient=1.0,
                   area_m2=mass / ballistic_coefficient_kg_m2)

    @property
    def ballistic_coefficient_kg_m2(self) -> float:
        """``m / (C_D A)`` [kg/m^2]."""
        return self.mass_kg / (self.drag_coefficient * self.area_m2)

    def drag_area_m2(self, epoch: Epoch, r_gcrf_m: FloatArray, v_gcrf_m_s: FloatArray) -> float:
        """``C_D * A`` [m^2]."""
        return self.drag_coefficient * self.area_m2


def relative_velocity(r: Sequence[hy.expression], v: Sequence[hy.expression],
                      omega: Sequence[hy.expression | float]) -> list[hy.expression]:
    """``v - w x r`` for a spin vector ``w`` [rad/s] (expressions or numbers)."""
    return [v[0] - (omega[1] * r[2] - omega[2] * r[1]),
            v[1] - (omega[2] * r[0] - omega[0] * r[2]),
            v[2] - (omega[0] * r[1] - omega[1] * r[0])]


def drag_acceleration(v_rel: Sequence[hy.expression], density: hy.expression,
                      cd_area_over_mass: hy.expression) -> list[hy.expression]:
    """Drag acceleration [m/s^2]: ``-1/2 rho (C_D A/m) |v_rel| v_rel``.

    Args:
        v_rel: velocity relative to the air [m/s], GCRF.
        density: mass density [kg/m^3].
        cd_area_over_mass: ``C_D A / m`` [m^2/kg].
    """
    speed = hy.sqrt(v_rel[0] * v_rel[0] + v_rel[1] * v_rel[1] + v_rel[2] * v_rel[2])
    factor = -0.5 * density * cd_area_over_mass * speed
    return [factor * v_rel[0], factor * v_rel[1], factor * v_rel[2]]
