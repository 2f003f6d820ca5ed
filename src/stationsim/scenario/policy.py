"""The altitude-maintenance policy: "when the mean altitude falls below X km, reboost to Y km
with whatever propulsion is attached".

The mean altitude is the height above the equatorial radius averaged over the last revolution
of the body's ephemeris (the short-period J2 swing of the radius, about +/-3 km at the ISS's
inclination, averages out over a revolution). The reboost is two burns half a revolution apart,
each half of the total velocity change, which for a small raise is Hohmann's transfer:
``dv = v dh / (2 a)`` in all. The first half is applied at the check; the second half is
scheduled half a revolution later. If the tanks give less than asked, the body gets what they
hold and the log says so; if nothing can reboost, the log says so once and the policy falls
idle for that body.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from stationsim.constants import GM_EARTH_M3_S2, WGS84_A_M
from stationsim.scenario.bodies import Body, Impulse
from stationsim.scenario.events import EventContext
from stationsim.scenario.propellant import plan_reboost
from stationsim.scenario.spec import AltitudeMaintenance

__all__ = ["check_altitude", "mean_altitude_m", "raise_delta_v_m_s"]


def raise_delta_v_m_s(altitude_m: float, raise_m: float) -> float:
    """Total velocity change [m/s] of a two-burn raise by ``raise_m`` from a circular orbit at
    ``altitude_m`` above the equatorial radius (small-change form of Hohmann's transfer)."""
    a = WGS84_A_M + altitude_m
    return math.sqrt(GM_EARTH_M3_S2 / a) * raise_m / (2.0 * a)


def mean_altitude_m(body: Body) -> float:
    """Height above the equatorial radius averaged over the body's last revolution [m] (its
    current state alone when the ephemeris is shorter)."""
    r_now = float(np.linalg.norm(body.state[:3]))
    period = 2.0 * math.pi * math.sqrt(r_now ** 3 / GM_EARTH_M3_S2)
    t, y = body.ephemeris()
    if t.size < 2 or t[-1] - t[0] < period:
        return r_now - WGS84_A_M
    last = t >= t[-1] - period
    return float(np.mean(np.linalg.norm(y[last, :3], axis=1))) - WGS84_A_M


def check_altitude(body: Body, policies: Sequence[AltitudeMaintenance],
                   ctx: EventContext) -> None:
    """Apply the policies that cover ``body`` (module notes)."""
    for policy in policies:
        if policy.bodies and body.name not in policy.bodies:
            continue
        height = mean_altitude_m(body)
        if height >= policy.below_m:
            continue
        wanted = raise_delta_v_m_s(height, policy.to_m - height)
        planned = plan_reboost(body.config, wanted)
        reason = (f"mean altitude {height / 1e3:.1f} km is below {policy.below_m / 1e3:.1f} km "
                  f"({policy.where})")
        if planned is None:
            ctx.note(body.epoch, "policy", f"reboost wanted by policy: {reason}; no propulsion "
                     f"attached to {body.name}", body.name)
            body.policy_idle = True
            return
        body.config, plan = planned
        half = 0.5 * plan.delta_v_m_s
        short = ("" if plan.delta_v_m_s >= wanted - 1e-6 else
                 f"; the tanks gave {plan.delta_v_m_s:.2f} of {wanted:.2f} m/s")
        ctx.note(body.epoch, "policy", f"reboost to {policy.to_m / 1e3:.1f} km: {reason}; "
                 f"2 x {half:.2f} m/s by {', '.join(plan.engines)} in {plan.attitude}, "
                 f"{plan.propellant_kg:.0f} kg of propellant{short}", body.name)
        body.push(half)
        period = 2.0 * math.pi * math.sqrt(float(np.linalg.norm(body.state[:3])) ** 3
                                           / GM_EARTH_M3_S2)
        body.delta_v_used_m_s += half
        body.impulses.append(Impulse(body.epoch + 0.5 * period, half,
                                     f"second half of the reboost: {half:.2f} m/s"))
        if plan.delta_v_m_s < wanted - 1e-6:
            body.policy_idle = True
            ctx.note(body.epoch, "policy", f"{body.name}'s tanks are empty: the policy can do "
                     "no more", body.name)
        return
