"""The equations of motion as heyoka expressions: state, runtime parameters, forces.

State (SI, GCRF): ``x, y, z`` [m], ``vx, vy, vz`` [m/s] and the mass ``m`` [kg]. Time: the
integrator's time ``t`` is in seconds of TT since the run's reference epoch.

Everything that changes between segments of a run enters as a runtime parameter, so one
compiled integrator serves the whole run (and every member of an ensemble):

* Earth orientation: ``r_itrf = W R3(ERA0 + w (t - t0)) C r_gcrf`` with the celestial-to-
  intermediate matrix ``C`` and the polar-motion matrix ``W`` of the IAU 2006/2000A chain
  (:func:`stationsim.frames.earth_rotation`) held over a window (a day: precession-nutation
  moves the pole by < 0.01 arcsec a day, 0.3 m at the ISS), and the Earth rotation angle
  advanced at the spin rate ``w``. ``orientation="uniform"`` sets ``C = W = I``: the Earth
  spins about the GCRF z axis (the peer benchmark's simplified Earth).
* Sun and Moon: their heyoka ephemerides take TDB Julian centuries ``T0 + t / 36525 d``
  (TT for TDB: < 2 ms).
* Drag: ``C_D A`` [m^2] per member and the density's parameters (a log-density fit per
  window, :mod:`stationsim.forces.density_fit`, or a static exponential).
* SRP: ``C_R A`` [m^2] per member. Thrust: force [N], Isp [s], VNC direction.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import heyoka as hy
import numpy as np

from stationsim.constants import GM_EARTH_M3_S2, WGS84_A_M, WGS84_F
from stationsim.forces import srp, thirdbody
from stationsim.forces.density_fit import N_FIT_PARS, log_density_expression
from stationsim.forces.drag import drag_acceleration, relative_velocity
from stationsim.forces.gravity import (
    GravityField,
    central_zonal_acceleration,
    point_mass_acceleration,
    spherical_harmonic_acceleration,
)
from stationsim.forces.thrust import thrust_acceleration

__all__ = [
    "ExponentialDensity",
    "ForceModel",
    "Orientation",
    "ParameterLayout",
    "build_dynamics",
]

Orientation = Literal["iau2006", "uniform"]
_ECC2 = WGS84_F * (2.0 - WGS84_F)


@dataclass(frozen=True)
class ExponentialDensity:
    """A single static exponential ``rho0 exp(-(h - h0) / H)``, compiled into the equations.

    ``spherical=True`` measures ``h`` above a sphere of radius ``a`` (WGS-84 equatorial), as the
    peer benchmark's case B does; otherwise above the approximate ellipsoid of the density fit.
    """

    rho0_kg_m3: float = 3.725e-12
    h0_m: float = 400e3
    scale_height_m: float = 58.515e3
    spherical: bool = True


@dataclass(frozen=True)
class ForceModel:
    """Which forces act.

    Attributes:
        gravity: the geopotential (``None``: a point mass with GM of IERS 2010).
        degree, order: of the harmonics used (order 0: zonal terms only, about the CIP axis).
        drag: ``"fit"`` (a log-density fit of the run's atmosphere per window),
            an :class:`ExponentialDensity`, or ``None`` (no drag).
        sun, moon: point-mass third bodies.
        srp: solar radiation pressure with the cylindrical shadow.
        thrust: include the (idle unless a burn is active) thrust terms.
        orientation: ``"iau2006"`` or ``"uniform"`` (see the module notes).
    """

    gravity: GravityField | None = None
    degree: int = 8
    order: int | None = None
    drag: Literal["fit"] | ExponentialDensity | None = "fit"
    sun: bool = True
    moon: bool = True
    srp: bool = False
    thrust: bool = True
    orientation: Orientation = "iau2006"

    @property
    def effective_order(self) -> int:
        """The harmonic order used."""
        return self.degree if self.order is None else self.order


@dataclass
class ParameterLayout:
    """Names and positions of the runtime parameters."""

    slots: dict[str, tuple[int, int]] = field(default_factory=dict)
    size: int = 0

    def add(self, name: str, count: int = 1) -> int:
        """Reserve ``count`` parameters under ``name``; return the first index."""
        self.slots[name] = (self.size, count)
        self.size += count
        return self.slots[name][0]

    def __contains__(self, name: str) -> bool:
        return name in self.slots

    def index(self, name: str) -> int:
        """First index of ``name``."""
        return self.slots[name][0]

    def defaults(self) -> np.ndarray:
        """A parameter vector with neutral values (identity matrices, unit Isp)."""
        values = np.zeros(self.size)
        for name in ("c2i", "pom"):
            if name in self.slots:
                values[self.index(name):self.index(name) + 9] = np.eye(3).ravel()
        if "isp_s" in self.slots:
            values[self.index("isp_s")] = 1.0
        if "omega" in self.slots:
            values[self.index("omega")] = 7.292115146706979e-5
        return values


@dataclass(frozen=True)
class Dynamics:
    """The compiled-to-be system: equations, parameter layout and helper expressions."""

    equations: list[tuple[hy.expression, hy.expression]]
    layout: ParameterLayout
    variables: list[hy.expression]
    geodetic_height: hy.expression
    itrf: list[hy.expression]
    #: Large enough for heyoka's compact mode, which compiles big systems much faster but runs
    #: small ones about twice as slow.
    compact: bool


def _mat(first: int) -> list[list[hy.expression]]:
    return [[hy.par[first + 3 * i + j] for j in range(3)] for i in range(3)]


def _mul(m: Sequence[Sequence[hy.expression]], v: Sequence[hy.expression]) -> list[hy.expression]:
    return [m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2] for i in range(3)]


def _mul_t(m: Sequence[Sequence[hy.expression]], v: Sequence[hy.expression]
           ) -> list[hy.expression]:
    return [m[0][i] * v[0] + m[1][i] * v[1] + m[2][i] * v[2] for i in range(3)]


def build_dynamics(model: ForceModel) -> Dynamics:
    """The equations of motion for ``model`` (see the module notes for the parameters)."""
    x, y, z, vx, vy, vz, m = hy.make_vars("x", "y", "z", "vx", "vy", "vz", "m")
    r, v = [x, y, z], [vx, vy, vz]
    lay = ParameterLayout()
    # The matrices' parameters are reserved for both orientations (one layout); the uniform
    # Earth leaves them out of the equations, which are then cheaper.
    c2i = _mat(lay.add("c2i", 9))
    pom = _mat(lay.add("pom", 9))
    era0, t_era0, omega = (hy.par[lay.add(n)] for n in ("era0", "t_era0", "omega"))
    uniform = model.orientation == "uniform"
    turn, turn_back = (_same, _same) if uniform else (_mul, _mul_t)
    theta = era0 + omega * (hy.time - t_era0)
    ct, st = hy.cos(theta), hy.sin(theta)
    q = turn(c2i, r)
    tirs = [ct * q[0] + st * q[1], -st * q[0] + ct * q[1], q[2]]
    itrf = turn(pom, tirs)

    field_ = model.gravity
    mu = GM_EARTH_M3_S2 if field_ is None else field_.mu_m3_s2
    if field_ is None or model.degree < 2:
        acc = point_mass_acceleration(r, mu)
    elif model.effective_order == 0:
        # Zonal terms are symmetric about the CIP: the intermediate frame suffices.
        # The central term is symmetric too: one fused expression, turned back once.
        js = [field_.zonal_j(n) for n in range(2, model.degree + 1)]
        acc = turn_back(c2i, central_zonal_acceleration(q, mu, field_.radius_m, js))
    else:
        a_itrf = spherical_harmonic_acceleration(itrf, field_, model.degree,
                                                 model.effective_order)
        a_tirs = turn_back(pom, a_itrf)
        a_cirs = [ct * a_tirs[0] - st * a_tirs[1], st * a_tirs[0] + ct * a_tirs[1], a_tirs[2]]
        acc = turn_back(c2i, a_cirs)
    acc = list(acc)
    mdot: hy.expression = hy.expression(0.0)

    if model.drag is not None:
        cd_area = hy.par[lay.add("cd_area_m2")]
        if uniform:  # omega x r with omega along z, written out (fewer operations)
            v_rel = [vx + omega * y, vy - omega * x, vz]
        else:
            v_rel = relative_velocity(r, v, [omega * c2i[2][0], omega * c2i[2][1],
                                             omega * c2i[2][2]])
        if isinstance(model.drag, ExponentialDensity):
            # rho0 exp(-(h - h0) / H) as exp(c1 s + c0), s the radius or the height: the
            # constants folded (the exponent's rounding, ~1e-14 of it, is far below the
            # model's own error).
            d = model.drag
            slope = -1.0 / d.scale_height_m
            if d.spherical:
                s_m = hy.sqrt(x * x + y * y + z * z)
                offset = (WGS84_A_M + d.h0_m) / d.scale_height_m
            else:
                s_m = _approximate_height(r)
                offset = d.h0_m / d.scale_height_m
            rho = hy.exp(slope * s_m + (offset + math.log(d.rho0_kg_m3)))
        else:
            rho = hy.exp(log_density_expression(r, lay.add("density", N_FIT_PARS)))
        drag = drag_acceleration(v_rel, rho, cd_area / m)
        acc = [acc[k] + drag[k] for k in range(3)]

    if model.thrust:
        force = hy.par[lay.add("thrust_n")]
        isp = hy.par[lay.add("isp_s")]
        first_dir = lay.add("dir_vnc", 3)  # reserve once (not once per component)
        direction = [hy.par[first_dir + k] for k in range(3)]
        a_t, mdot = thrust_acceleration(r, v, m, force, isp, direction)
        acc = [acc[k] + a_t[k] for k in range(3)]

    if model.sun or model.moon or model.srp:
        acc = _add_sun_moon(model, lay, r, m, acc)

    equations = [(x, vx), (y, vy), (z, vz), (vx, acc[0]), (vy, acc[1]), (vz, acc[2]),
                 (m, mdot)]
    # Compact mode where the system is large (third bodies, SRP, harmonics beyond 8 x 8); the
    # density fit's terms and an 8 x 8 field compile in a few seconds once (heyoka caches the
    # code on disk) and then run twice as fast (case C: 0.136 -> 0.070 s of integration).
    compact = (model.sun or model.moon or model.srp
               or (field_ is not None and model.effective_order > 0 and model.degree > 8))
    # The height is the same in every frame turned about the CIP: the intermediate one spares
    # the events the Earth's rotation (polar motion, < 0.5 arcsec, moves it by centimetres).
    return Dynamics(equations, lay, [x, y, z, vx, vy, vz, m], _ellipsoid_height(q), itrf,
                    compact)


def _same(m: Sequence[Sequence[hy.expression]], v: Sequence[hy.expression]
          ) -> list[hy.expression]:
    """The identity in place of a rotation (``orientation="uniform"``)."""
    return list(v)


def _ellipsoid_height(itrf: Sequence[hy.expression]) -> hy.expression:
    """Height above the WGS-84 ellipsoid along the geocentric radius: ``|r|`` less the
    ellipse's radius at the geocentric latitude (of a position in any frame whose z axis is
    the Earth's). Within 0.7 m of the geodetic height up to
    150 km and 2.1 m at 400 km (checked in the tests), and much cheaper than iterating."""
    r2 = itrf[0] * itrf[0] + itrf[1] * itrf[1] + itrf[2] * itrf[2]
    cos2 = (itrf[0] * itrf[0] + itrf[1] * itrf[1]) / r2
    return hy.sqrt(r2) - WGS84_A_M * hy.sqrt((1.0 - _ECC2) / (1.0 - _ECC2 * cos2))


def _approximate_height(r: Sequence[hy.expression]) -> hy.expression:
    """Height above the ellipsoid to ~20 m at LEO: ``|r| - a (1 - f sin^2 phi')``."""
    rn = hy.sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2])
    s = r[2] / rn
    return rn - WGS84_A_M * (1.0 - WGS84_F * s * s)


def _add_sun_moon(model: ForceModel, lay: ParameterLayout, r: list[hy.expression],
                  m: hy.expression, acc: list[hy.expression]) -> list[hy.expression]:
    jc = hy.par[lay.add("jc0")] + hy.time / (86400.0 * 36525.0)
    sun = thirdbody.sun_position_gcrf(jc)
    if model.sun:
        a = thirdbody.third_body_acceleration(r, sun, thirdbody.GM_SUN_M3_S2)
        acc = [acc[k] + a[k] for k in range(3)]
    if model.moon:
        moon = thirdbody.moon_position_gcrf(jc)
        a = thirdbody.third_body_acceleration(r, moon, thirdbody.GM_MOON_M3_S2)
        acc = [acc[k] + a[k] for k in range(3)]
    if model.srp:
        cr_area = hy.par[lay.add("cr_area_m2")]
        a = srp.srp_acceleration(r, sun, cr_area / m)
        acc = [acc[k] + a[k] for k in range(3)]
    return acc
