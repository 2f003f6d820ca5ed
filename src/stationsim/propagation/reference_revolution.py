"""The reference revolution of the lifetime engine: one drag-free revolution of the full force
model, reduced to the shape (radius and velocity against argument of latitude), the rates and the
offsets that the orbit-averaged engine scales with the mean semi-major axis (see
:mod:`.lifetime`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from stationsim.constants import GM_EARTH_M3_S2, WGS84_A_M
from stationsim.errors import PropagationError
from stationsim.frames import itrf_to_geodetic
from stationsim.frames.earth import earth_rotation
from stationsim.propagation.dynamics import ForceModel
from stationsim.propagation.kepler import elements_from_state, j2_secular_rates
from stationsim.propagation.numerical import Propagator
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = ["K_SAMPLES", "ReferenceRevolution", "drag_free_propagator", "reference_revolution"]

#: Samples of the reference revolution.
K_SAMPLES = 128
_K = K_SAMPLES


@dataclass(frozen=True)
class ReferenceRevolution:
    """One drag-free revolution of the nominal orbit: the shape the engine scales with ``a``.

    Attributes:
        a_mean_m: the revolution's mean semi-major axis [m].
        u_rad: argument of latitude (unwrapped) of ``K + 1`` samples equally spaced in time
            over one nodal period, the last closing the revolution (``u_rad[0] + 2 pi``).
        radius_ratio: their radius over ``a_mean_m``.
        v_radial_ratio, v_along_ratio: velocity components over ``sqrt(mu / a_mean)``.
        inclination_rad: mean inclination.
        raan_rad: node at the start [rad]; ``raan_rate_rad_s`` its secular drift.
        u_rate_rad_s: nodal mean motion at ``a_mean_m`` [rad/s].
        low_point_m: the mean height ``a - R_e`` less the lowest geodetic height of the
            revolution [m] (the J2 terms, the ellipsoid and the eccentricity).
        a_offset_m: the start state's mean less its osculating semi-major axis [m].
        u0_rad: the start state's argument of latitude.
    """

    a_mean_m: float
    u_rad: FloatArray
    radius_ratio: FloatArray
    v_radial_ratio: FloatArray
    v_along_ratio: FloatArray
    inclination_rad: float
    raan_rad: float
    raan_rate_rad_s: float
    u_rate_rad_s: float
    low_point_m: float
    a_offset_m: float
    u0_rad: float

    def positions(self, a_m: ArrayLike, u_rad: ArrayLike, raan_rad: ArrayLike
                  ) -> tuple[FloatArray, FloatArray]:
        """GCRF positions and velocities [m, m/s] at mean semi-major axis ``a``, mean argument
        of latitude ``u`` (the reference's ``u_rad[0]`` at its start, advancing uniformly) and
        node (broadcast), shape ``(..., 3)`` each."""
        a, u, raan = np.broadcast_arrays(np.asarray(a_m, dtype=np.float64),
                                         np.asarray(u_rad, dtype=np.float64),
                                         np.asarray(raan_rad, dtype=np.float64))
        phase = (u - self.u_rad[0]) / (2.0 * np.pi) * _K
        turns = np.floor(phase / _K)
        index = phase - turns * _K
        k0 = np.minimum(np.floor(index).astype(int), _K - 1)
        w = index - k0

        def at(series: FloatArray) -> FloatArray:
            return np.asarray((1.0 - w) * series[k0] + w * series[k0 + 1])

        uu = at(self.u_rad) + 2.0 * np.pi * turns
        r = a * at(self.radius_ratio)
        speed = np.sqrt(GM_EARTH_M3_S2 / a)
        vr, vt = speed * at(self.v_radial_ratio), speed * at(self.v_along_ratio)
        cu, su = np.cos(uu), np.sin(uu)
        co, so = np.cos(raan), np.sin(raan)
        ci, si = np.cos(self.inclination_rad), np.sin(self.inclination_rad)
        # Unit vectors of the radial and along-track directions in GCRF.
        rad = np.stack([co * cu - so * su * ci, so * cu + co * su * ci, su * si], axis=-1)
        alo = np.stack([-co * su - so * cu * ci, -so * su + co * cu * ci, cu * si], axis=-1)
        return r[..., None] * rad, vr[..., None] * rad + vt[..., None] * alo


def drag_free_propagator(model: ForceModel) -> Propagator:
    """The propagator of :func:`reference_revolution` for ``model``: its gravity, Sun and Moon,
    without drag, thrust or radiation pressure. Keep it to reuse its compiled integrator."""
    return Propagator(dataclasses.replace(model, drag=None, thrust=False, srp=False))


def reference_revolution(model: ForceModel, epoch: Epoch, r_gcrf_m: FloatArray,
                         v_gcrf_m_s: FloatArray, *, propagator: Propagator | None = None
                         ) -> ReferenceRevolution:
    """Two drag-free revolutions of the full force model (its gravity, Sun and Moon) from one
    GCRF state, reduced to the shape, rates and offsets the engine needs.

    Args:
        propagator: :func:`drag_free_propagator` of ``model``, if one is at hand (building
            its integrator costs more than the two revolutions).
    """
    r0 = np.asarray(r_gcrf_m, dtype=np.float64).reshape(3)
    v0 = np.asarray(v_gcrf_m_s, dtype=np.float64).reshape(3)
    osc0 = elements_from_state(r0, v0)
    period = float(2.0 * np.pi * np.sqrt(float(osc0.a_m) ** 3 / GM_EARTH_M3_S2))
    times = np.arange(2 * _K + 1) * period / _K
    if propagator is None:
        propagator = drag_free_propagator(model)
    member = propagator.propagate(epoch, r0, v0, duration_s=float(times[-1]),
                                  output_times_s=times).members[0]
    if member.status != "completed" or len(member.times_s) < 2 * _K:
        raise PropagationError("the reference revolution could not be propagated "
                               "(the start is too low for an orbit)")
    st = member.states
    el = elements_from_state(st[:, :3], st[:, 3:6])
    r = np.linalg.norm(st[:, :3], axis=1)
    h_vec = np.cross(st[:, :3], st[:, 3:6])
    node = np.cross(np.array([0.0, 0.0, 1.0]), h_vec)
    node /= np.linalg.norm(node, axis=1)[:, None]
    rhat = st[:, :3] / r[:, None]
    u = np.unwrap(np.arctan2(np.einsum("ij,ij->i", np.cross(node, rhat), h_vec)
                             / np.linalg.norm(h_vec, axis=1), np.einsum("ij,ij->i", node, rhat)))
    t = member.times_s
    # The nodal period: the time to come back to the start's argument of latitude (the
    # short-period terms repeat with u, so they cancel; a slope fit would keep 1e-4 of them).
    u_rate = float(2.0 * np.pi / np.interp(u[0] + 2.0 * np.pi, u, t))
    raan = np.unwrap(np.asarray(el.raan_rad))
    inclination = float(np.mean(el.i_rad))
    # The node: J2's secular rate (a fit over two revolutions would carry the short-period
    # wobble, 2 % of the rate, 36 degrees of node a year); the mean node at the start.
    raan_rate = float(j2_secular_rates(float(np.mean(el.a_m)), 0.0, inclination)[0])
    raan0 = float(np.mean(raan - raan_rate * t))
    # Resample one nodal period at K equal steps from the start.
    nodal = 2.0 * np.pi / u_rate
    grid = np.arange(_K + 1) * nodal / _K
    a_mean = float(np.mean(np.interp(grid[:-1], t, el.a_m)))
    speed = np.sqrt(GM_EARTH_M3_S2 / a_mean)
    v_radial = np.einsum("ij,ij->i", st[:, 3:6], rhat)
    v_along = np.sqrt(np.maximum(np.einsum("ij,ij->i", st[:, 3:6], st[:, 3:6])
                                 - v_radial ** 2, 0.0))
    positions = np.column_stack([np.interp(grid, t, st[:, j]) for j in range(3)])
    # A geodetic height does not change with a rotation about the pole: the celestial pole's
    # direction at the start serves the whole revolution (it moves by milliarcseconds in it).
    to_itrf = earth_rotation(epoch).gcrf_to_itrf
    heights = itrf_to_geodetic(np.einsum("ij,kj->ki", to_itrf, positions))[2]
    return ReferenceRevolution(
        a_mean_m=a_mean, u_rad=np.interp(grid, t, u) - 2.0 * np.pi * np.floor(u[0] / (2 * np.pi)),
        radius_ratio=np.interp(grid, t, r) / a_mean,
        v_radial_ratio=np.interp(grid, t, v_radial) / speed,
        v_along_ratio=np.interp(grid, t, v_along) / speed,
        inclination_rad=inclination, raan_rad=raan0,
        raan_rate_rad_s=raan_rate, u_rate_rad_s=u_rate,
        low_point_m=float(a_mean - WGS84_A_M - np.min(heights)),
        a_offset_m=float(a_mean - float(osc0.a_m)), u0_rad=float(np.mod(u[0], 2.0 * np.pi)))
