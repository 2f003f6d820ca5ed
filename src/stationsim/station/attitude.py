"""Attitude control: how much angular momentum the control-moment gyroscopes (CMGs) can store,
how fast the environment fills them in the attitude held, and whether thrusters are attached
to empty them.

Torque model (orbit-averaged, body frame x forward, y starboard, z nadir; the station held
in XVV turned by a pitch angle ``t`` about y, so the nadir is ``n = (sin t, 0, cos t)``):

* gravity gradient, exact for a rigid body: ``T_gg = 3 w^2 n x (I n)``, ``w`` the orbital
  rate, ``I`` the inertia tensor about the centre of mass (:mod:`.geometry`);
* aerodynamic: the mean drag ``F = q C_D A`` (orbit-averaged cross-section and density, ``q``
  at the circular speed) acting at the centre of the cross-section, ``T_a = d x (-F, 0, 0)``
  with ``d`` from the centre of mass to it. Evaluated in XVV without the pitch offset.

In an attitude fixed to the orbit frame the body turns once per orbit about y. A torque about
y (pitch) is then *secular*: the CMGs' momentum grows by ``T_y`` every second. A constant torque
about x or z (roll, yaw) turns with the body in inertial space and only makes the stored
momentum swing, up to ``2 |T_xz| / w``. Hours to saturation, starting empty:
``sqrt(H^2 - h_swing^2) / |T_y|``, with ``H`` the array's capacity (the sum of the wheels'
momenta: the envelope of an array of four double-gimbal CMGs reaches that sum only along some
axes, so this is an upper bound). Not modelled: the cyclic torques at twice the orbital rate
(turning wings, the day-night density bulge), venting, crew motion, and the momentum manager
that steers the real station toward its torque-equilibrium attitude.

Torque-equilibrium attitude (TEA): the pitch where the secular torque vanishes,
``3 w^2 [(I_xx - I_zz) sin(2t) / 2 + I_xz cos(2t)] + T_a,y = 0``, the root nearest XVV.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from stationsim.station.configuration import Configuration
from stationsim.station.drag import body_of, cross_section
from stationsim.station.environment import Environment
from stationsim.time.tables import FloatArray

__all__ = ["AttitudeControl", "attitude_control", "environment_torques", "equilibrium_pitch"]

#: Below this secular torque [N m] momentum is taken not to build up (about 1 % of the ISS's
#: aerodynamic torques).
_NO_TORQUE_NM = 1e-3


@dataclass(frozen=True, eq=False)
class AttitudeControl:
    """The attitude-control capability of a configuration.

    Attributes:
        cmg_count, cmg_capacity_nms: gyroscopes attached and their summed momentum [N m s].
        cmg_parts: the parts carrying them.
        desaturation_thrusters: parts whose thrusters can dump CMG momentum.
        pitch_deg: pitch of the attitude held [deg].
        gravity_gradient_nm, aero_nm: the two torques in that attitude [N m], body frame.
        secular_torque_nm: the pitch torque that accumulates [N m].
        swing_nms: the bounded swing of momentum from roll and yaw torques [N m s].
        hours_to_saturation: ``None`` without CMGs or without secular torque.
        equilibrium_pitch_deg: this configuration's own TEA pitch (``None`` if none).
    """

    cmg_count: int
    cmg_capacity_nms: float
    cmg_parts: tuple[str, ...]
    desaturation_thrusters: tuple[str, ...]
    pitch_deg: float
    gravity_gradient_nm: FloatArray
    aero_nm: FloatArray
    secular_torque_nm: float
    swing_nms: float
    hours_to_saturation: float | None
    equilibrium_pitch_deg: float | None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"hours_to_cmg_saturation": self.hours_to_saturation,
                "cmg_count": self.cmg_count, "cmg_capacity_nms": self.cmg_capacity_nms,
                "cmg_parts": list(self.cmg_parts),
                "desaturation_thrusters": list(self.desaturation_thrusters),
                "pitch_deg": self.pitch_deg,
                "gravity_gradient_torque_nm": [float(x) for x in self.gravity_gradient_nm],
                "aero_torque_nm": [float(x) for x in self.aero_nm],
                "secular_torque_nm": self.secular_torque_nm,
                "momentum_swing_nms": self.swing_nms,
                "equilibrium_pitch_deg": self.equilibrium_pitch_deg}


def environment_torques(config: Configuration, environment: Environment,
                        pitch_rad: float) -> tuple[FloatArray, FloatArray]:
    """Gravity-gradient and aerodynamic torques [N m] (body frame) at the given pitch."""
    body = body_of(config)
    w = environment.mean_motion_rad_s
    nadir = np.array([math.sin(pitch_rad), 0.0, math.cos(pitch_rad)])
    gravity = 3.0 * w * w * np.cross(nadir, body.mass.inertia_kg_m2 @ nadir)
    section = cross_section(config, environment.beta_rad, environment.eclipse_fraction)
    force = environment.dynamic_pressure_pa * config.drag.drag_coefficient * section.area_m2
    arm = np.array([0.0, section.centroid_yz_m[0] - body.mass.center_m[1],
                    section.centroid_yz_m[1] - body.mass.center_m[2]])
    aero = np.cross(arm, np.array([-force, 0.0, 0.0]))
    return np.asarray(gravity), np.asarray(aero)


def equilibrium_pitch(config: Configuration, environment: Environment) -> float | None:
    """Pitch [rad] of the torque-equilibrium attitude nearest XVV (``None`` if none)."""
    inertia = body_of(config).mass.inertia_kg_m2
    w = environment.mean_motion_rad_s
    _, aero = environment_torques(config, environment, 0.0)
    a = 3.0 * w * w * (inertia[0, 0] - inertia[2, 2]) / 2.0
    b = 3.0 * w * w * inertia[0, 2]
    amplitude = math.hypot(a, b)
    if amplitude == 0.0 or abs(aero[1]) > amplitude:
        return None
    # a sin(2t) + b cos(2t) = R sin(2t + phi) = -T_a,y
    phi = math.atan2(b, a)
    base = math.asin(-aero[1] / amplitude)
    roots = [(base - phi) / 2.0, (math.pi - base - phi) / 2.0]
    roots = [(r + math.pi / 2.0) % math.pi - math.pi / 2.0 for r in roots]
    return min(roots, key=abs)


def attitude_control(config: Configuration, environment: Environment,
                     desaturation_thrusters: tuple[str, ...] = ()) -> AttitudeControl:
    """The attitude-control capability of ``config`` held at its attitude's pitch."""
    cmg = [p for p in config.parts if p.cmg_count > 0]
    count = sum(p.cmg_count for p in cmg)
    capacity = float(sum(p.cmg_count * p.cmg_momentum_nms for p in cmg))
    pitch = config.attitude.pitch_rad
    gravity, aero = environment_torques(config, environment, pitch)
    total = gravity + aero
    secular = float(total[1])
    swing = 2.0 * float(math.hypot(total[0], total[2])) / environment.mean_motion_rad_s
    hours: float | None = None
    if capacity > 0.0 and abs(secular) > _NO_TORQUE_NM:
        hours = (math.sqrt(capacity ** 2 - swing ** 2) / abs(secular) / 3600.0
                 if swing < capacity else 0.0)
    elif capacity > 0.0 and swing >= capacity:
        hours = 0.0
    own = equilibrium_pitch(config, environment)
    return AttitudeControl(count, capacity, tuple(p.name for p in cmg), desaturation_thrusters,
                           math.degrees(pitch), gravity, aero, secular, swing, hours,
                           None if own is None else math.degrees(own))
