"""The Sun seen from a circular orbit: beta angle, eclipse fraction, and how much a solar-array
wing generates and how much of it faces the flow under each array policy (orbit averages).

Geometry (station in XVV, body frame x along the velocity, z nadir): with the orbit's beta
angle ``b`` (Sun elevation above the orbit plane) and ``u`` the orbit angle from orbit noon,
the Sun direction in the body frame is ``s = (cos b sin u, sin b, -cos b cos u)``. A two-axis
wing (rotary joint about y, beta gimbal about its own long axis) can face any direction; one
that faces the Sun shows ``|s_x|`` of its area to the flow. The wing is in Earth's shadow for
``|u| > pi (1 - f)``, ``f`` the eclipse fraction of a cylindrical shadow.

Array policies (ISS usage: Wikipedia "Night Glider mode", citing Landis & Lu, J. Propulsion and
Power 7(1), 1991; NASA, *The ISS: Operating an Outpost in the New Frontier*, 2018, sec. on
array constraints):

* ``sun_tracking``: the wings follow the Sun, and keep turning through the eclipse at the
  orbital rate (so they face the flow near dawn and dusk, day or night);
* ``night_glider``: track in sunlight, edge-on to the flow in eclipse (about 30 % less array
  drag than tracking, no power lost);
* ``sun_slicer``: edge-on to the flow the whole orbit (least drag; the beta gimbal alone turns
  the wing toward the Sun, so power drops as ``sqrt(1 - s_x^2)``).

A one-axis wing (turning about y only, like Zvezda's) always tracks: its normal follows the
Sun's projection on the x-z plane, showing ``|sin u|`` of its area and generating ``cos b``.
An edge-on wing still shows ``edge_fraction`` of its area (mast and edges).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from stationsim.constants import WGS84_A_M
from stationsim.time.tables import FloatArray

__all__ = ["ArrayPolicy", "WingFactors", "beta_angle_rad", "eclipse_fraction", "wing_factors"]

_SAMPLES = 720


class ArrayPolicy(StrEnum):
    """How the USOS wings are pointed (see the module docstring)."""

    SUN_TRACKING = "sun_tracking"
    NIGHT_GLIDER = "night_glider"
    SUN_SLICER = "sun_slicer"


def beta_angle_rad(sun_direction: FloatArray, r_m: FloatArray, v_m_s: FloatArray) -> float:
    """Angle [rad] between the Sun direction and the orbit plane of the state ``(r, v)``
    (any inertial frame, the same for all three vectors)."""
    h = np.cross(np.asarray(r_m, dtype=np.float64), np.asarray(v_m_s, dtype=np.float64))
    s = np.asarray(sun_direction, dtype=np.float64)
    sine = float(np.dot(s, h) / (np.linalg.norm(s) * np.linalg.norm(h)))
    return float(np.arcsin(np.clip(sine, -1.0, 1.0)))


def eclipse_fraction(beta_rad: float, altitude_m: float,
                     earth_radius_m: float = WGS84_A_M) -> float:
    """Fraction of a circular orbit in Earth's (cylindrical) shadow.

    ``f = acos(sqrt(h^2 + 2 R h) / ((R + h) cos b)) / pi``, 0 when the argument exceeds 1
    (Wertz, *Spacecraft Attitude Determination and Control*, 1978, sec. 3.5; the same in
    Larson & Wertz, *SMAD*).
    """
    cos_beta = abs(np.cos(beta_rad))
    if cos_beta == 0.0:
        return 0.0
    arg = np.sqrt(altitude_m ** 2 + 2.0 * earth_radius_m * altitude_m) / (
        (earth_radius_m + altitude_m) * cos_beta)
    return 0.0 if arg >= 1.0 else float(np.arccos(arg) / np.pi)


@dataclass(frozen=True)
class WingFactors:
    """Orbit averages for one wing: ``drag`` (fraction of its area facing the flow) and
    ``power`` (fraction of its sunlit output, eclipse included)."""

    drag: float
    power: float


def wing_factors(policy: ArrayPolicy | str, beta_rad: float, eclipse: float, *,
                 tracking: str = "two_axis", edge_fraction: float = 0.05) -> WingFactors:
    """Orbit-averaged drag and power fractions of one wing (module docstring)."""
    u = (np.arange(_SAMPLES) + 0.5) * (2.0 * np.pi / _SAMPLES) - np.pi
    sx = np.cos(beta_rad) * np.sin(u)
    sunlit = np.abs(u) < np.pi * (1.0 - eclipse)
    if tracking == "one_axis":
        drag = np.maximum(np.abs(np.sin(u)), edge_fraction)
        power = np.where(sunlit, abs(np.cos(beta_rad)), 0.0)
        return WingFactors(float(drag.mean()), float(power.mean()))
    policy = ArrayPolicy(policy)
    facing = np.maximum(np.abs(sx), edge_fraction)
    if policy is ArrayPolicy.SUN_TRACKING:
        drag = facing
        power = sunlit.astype(np.float64)
    elif policy is ArrayPolicy.NIGHT_GLIDER:
        drag = np.where(sunlit, facing, edge_fraction)
        power = sunlit.astype(np.float64)
    else:
        drag = np.full_like(u, edge_fraction)
        power = np.where(sunlit, np.sqrt(np.clip(1.0 - sx * sx, 0.0, 1.0)), 0.0)
    return WingFactors(float(np.mean(drag)), float(np.mean(power)))
