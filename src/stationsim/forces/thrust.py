"""Thrust: a finite burn as an acceleration and a mass flow, and the impulsive limit.

A finite burn has a thrust ``F`` [N], a specific impulse ``Isp`` [s] and a direction fixed in
the VNC frame of the current orbit (V along the inertial velocity, N along the orbit normal
``r x v``, C = V x N completing the triad, so ``C`` points roughly outward, radially):

    a = F / m (d_V V + d_N N + d_C C),        dm/dt = -F / (Isp g0)

with ``g0 = 9.80665`` m/s^2 (standard gravity, CGPM 1901). A reboost is ``d = (1, 0, 0)``; a
deorbit burn ``(-1, 0, 0)``. The propagator sets ``F`` to zero outside the burn's window, so the
same compiled equations serve every segment.

An impulsive burn is applied by an event as a velocity change; :func:`impulsive_mass_ratio`
gives the mass left by the rocket equation.
"""

from __future__ import annotations

from collections.abc import Sequence

import heyoka as hy
import numpy as np

__all__ = [
    "STANDARD_GRAVITY_M_S2",
    "impulsive_mass_ratio",
    "thrust_acceleration",
    "vnc_axes",
]

#: Standard gravity g0 [m/s^2] (3rd CGPM, 1901), which defines the specific impulse in seconds.
STANDARD_GRAVITY_M_S2 = 9.80665


def vnc_axes(r: Sequence[hy.expression], v: Sequence[hy.expression]
             ) -> tuple[list[hy.expression], list[hy.expression], list[hy.expression]]:
    """The unit vectors V, N, C of the VNC frame (GCRF components)."""
    vn = hy.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2])
    vv = [v[0] / vn, v[1] / vn, v[2] / vn]
    h = [r[1] * v[2] - r[2] * v[1], r[2] * v[0] - r[0] * v[2], r[0] * v[1] - r[1] * v[0]]
    hn = hy.sqrt(h[0] * h[0] + h[1] * h[1] + h[2] * h[2])
    nn = [h[0] / hn, h[1] / hn, h[2] / hn]
    cc = [vv[1] * nn[2] - vv[2] * nn[1], vv[2] * nn[0] - vv[0] * nn[2],
          vv[0] * nn[1] - vv[1] * nn[0]]
    return vv, nn, cc


def thrust_acceleration(r: Sequence[hy.expression], v: Sequence[hy.expression],
                        mass: hy.expression, thrust_n: hy.expression, isp_s: hy.expression,
                        direction_vnc: Sequence[hy.expression]
                        ) -> tuple[list[hy.expression], hy.expression]:
    """Acceleration [m/s^2, GCRF] and mass rate [kg/s] of a burn (see the module notes).

    ``direction_vnc`` is a unit vector in the VNC frame; ``isp_s`` must stay positive (give
    any positive value when ``thrust_n`` is zero).
    """
    vv, nn, cc = vnc_axes(r, v)
    scale = thrust_n / mass
    acc = [scale * (direction_vnc[0] * vv[k] + direction_vnc[1] * nn[k]
                    + direction_vnc[2] * cc[k]) for k in range(3)]
    return acc, -thrust_n / (isp_s * STANDARD_GRAVITY_M_S2)


def impulsive_mass_ratio(delta_v_m_s: float, isp_s: float) -> float:
    """Final over initial mass after an impulsive ``delta_v`` [m/s] (Tsiolkovsky)."""
    return float(np.exp(-abs(delta_v_m_s) / (isp_s * STANDARD_GRAVITY_M_S2)))
