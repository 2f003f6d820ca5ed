"""What every propagator checks before it starts: the members' initial states (shapes, finite
values, a closed Earth orbit above the surface) and the end of the run."""

from __future__ import annotations

import numpy as np

from stationsim.constants import GM_EARTH_M3_S2, WGS84_A_M, WGS84_F
from stationsim.errors import PropagationError
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = ["check_closed_orbits", "end_time", "initial_states"]


def initial_states(r_gcrf_m: FloatArray, v_gcrf_m_s: FloatArray
                   ) -> tuple[FloatArray, FloatArray]:
    """Members' GCRF positions and velocities as ``(N, 3)`` arrays (one ``(3,)`` state is one
    member); refused when the shapes differ or a value is not finite."""
    r0 = np.atleast_2d(np.asarray(r_gcrf_m, dtype=np.float64))
    v0 = np.atleast_2d(np.asarray(v_gcrf_m_s, dtype=np.float64))
    n = r0.shape[0]
    if r0.shape != (n, 3) or v0.shape != (n, 3):
        raise PropagationError(f"states must be (N, 3); got {r0.shape} and {v0.shape}")
    if not (np.all(np.isfinite(r0)) and np.all(np.isfinite(v0))):
        raise PropagationError("the initial state has NaN or infinite values")
    check_closed_orbits(r0, v0)
    return r0, v0


def check_closed_orbits(r0: FloatArray, v0: FloatArray) -> None:
    """Refuse states that are no Earth orbit to decay: inside the WGS-84 ellipsoid, with no
    angular momentum (a fall along a straight line: the elements are undefined), or on an open
    (parabolic or hyperbolic) path, whose energy ``v^2/2 - mu/r`` is not negative. The first
    such member is named."""
    r = np.linalg.norm(r0, axis=1)
    inside = ((r0[:, 0] ** 2 + r0[:, 1] ** 2) / WGS84_A_M ** 2
              + r0[:, 2] ** 2 / (WGS84_A_M * (1.0 - WGS84_F)) ** 2) < 1.0
    h = np.linalg.norm(np.cross(r0, v0), axis=1)
    radial = h <= 1e-9 * r * np.maximum(np.linalg.norm(v0, axis=1), 1e-300)
    energy = 0.5 * np.einsum("ij,ij->i", v0, v0) - GM_EARTH_M3_S2 / r
    for bad, why in ((inside, "starts inside the Earth (below the WGS-84 ellipsoid)"),
                     (radial, "has no angular momentum (zero velocity, or a velocity along "
                              "the radius): no orbit"),
                     (energy >= 0.0, "is on an open (parabolic or hyperbolic) path: it "
                                     "escapes the Earth and never re-enters")):
        if np.any(bad):
            k = int(np.flatnonzero(bad)[0])
            raise PropagationError(f"member {k}: the initial state {why}")


def end_time(epoch: Epoch, until: Epoch | None, duration_s: float | None) -> float:
    """The run's end [s after ``epoch``] from ``until`` or ``duration_s`` (exactly one)."""
    if (until is None) == (duration_s is None):
        raise PropagationError("give the end of the run as until or duration_s (one of them)")
    t_end = float(until - epoch) if until is not None else float(duration_s)  # type: ignore
    if not np.isfinite(t_end) or t_end <= 0.0:
        raise PropagationError(f"the run must end after its start (got {t_end} s)")
    return t_end
