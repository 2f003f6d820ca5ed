"""Propulsion: which engines are attached, which way they push, what propellant they reach, and
the velocity change that gives the configuration (rocket equation).

Thrust direction: an engine pushes along its part's axis, ``toward_parent`` (from the part's
free end toward the port it hangs from: a Progress at Zvezda's aft port pushes the station
forward, +x), ``away_from_parent`` or ``both`` ways. A reboost needs thrust along the velocity:
+x in XVV; any other direction needs the station turned first (yawed 180 degrees for -x,
pitched 90 degrees for z, yawed 90 degrees for y).

Propellant: an engine fed from its ``own`` tanks uses its part's load; one fed from the
``network`` uses the interconnected tanks of the segment (parts whose propellant is marked
``network``) plus refuelling cargo of vehicles docked at ports with a propellant line.
Propellant ``reserved`` for a vehicle's return (Soyuz, Crew Dragon) is never counted.

Velocity change: for each attitude, each reachable pool is burnt by the best engine that
reaches it, one after another, ``dv = Isp g0 ln(m_before / m_after)``, starting from the
configuration's mass; the attitude that gives the most is reported. Engines with unknown
thrust or Isp are listed but give no figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from stationsim.station.configuration import Configuration
from stationsim.station.parts import Direction, Engine, Part

__all__ = ["STANDARD_GRAVITY_M_S2", "EngineUse", "Propulsion", "propulsion", "rocket_delta_v"]

#: Standard acceleration of gravity [m/s^2] (3rd CGPM, 1901), the g0 of the rocket equation.
STANDARD_GRAVITY_M_S2 = 9.80665

_ATTITUDES = {Direction.FWD: "XVV", Direction.AFT: "-XVV (yawed 180 deg)",
              Direction.NADIR: "+ZVV (pitched 90 deg)", Direction.ZENITH: "-ZVV (pitched 90 deg)",
              Direction.STARBOARD: "+YVV (yawed 90 deg)", Direction.PORT: "-YVV (yawed 90 deg)"}


def rocket_delta_v(isp_s: float, mass_kg: float, propellant_kg: float) -> float:
    """``Isp g0 ln(m / (m - m_p))`` [m/s] (0 when there is no propellant)."""
    if propellant_kg <= 0.0:
        return 0.0
    if propellant_kg >= mass_kg:
        raise ValueError("propellant cannot exceed the mass")
    return isp_s * STANDARD_GRAVITY_M_S2 * math.log(mass_kg / (mass_kg - propellant_kg))


@dataclass(frozen=True)
class EngineUse:
    """One engine group as attached: where it pushes and what it can reach.

    Attributes:
        part, engine: which.
        directions: thrust directions in the body frame.
        attitudes: the attitude each direction needs for a prograde (reboost) burn.
        pool: ``own:<part>`` or ``network``.
        propellant_kg: usable propellant it reaches [kg].
        delta_v_m_s: what it alone gives the configuration [m/s]; ``None`` if unknown.
    """

    part: str
    engine: Engine
    directions: tuple[Direction, ...]
    attitudes: tuple[str, ...]
    pool: str
    propellant_kg: float
    delta_v_m_s: float | None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"part": self.part, "engine": self.engine.name, "count": self.engine.count,
                "thrust_n": self.engine.thrust_n, "isp_s": self.engine.isp_s,
                "role": self.engine.role, "attitudes": list(self.attitudes), "pool": self.pool,
                "propellant_kg": self.propellant_kg, "delta_v_m_s": self.delta_v_m_s}


@dataclass(frozen=True)
class Propulsion:
    """What the attached engines can do.

    Attributes:
        engines: every enabled engine group.
        delta_v_m_s: along-track velocity change from all reachable propellant, in the best
            attitude [m/s].
        attitude: that attitude (``None`` when nothing can reboost).
        delta_v_xvv_m_s: the same without turning the station (XVV) [m/s].
        usable_propellant_kg: reachable, unreserved propellant [kg], and ``pools`` where.
        attitude_thrusters: parts whose thrusters can hold attitude or dump CMG momentum.
    """

    engines: tuple[EngineUse, ...]
    delta_v_m_s: float
    attitude: str | None
    delta_v_xvv_m_s: float
    usable_propellant_kg: float
    pools: dict[str, float] = field(default_factory=dict)
    attitude_thrusters: tuple[str, ...] = ()

    @property
    def reboost_possible(self) -> bool:
        """Whether any engine can raise the orbit."""
        return self.delta_v_m_s > 0.0

    @property
    def providers(self) -> tuple[str, ...]:
        """Parts whose engines give the velocity change."""
        return tuple(dict.fromkeys(e.part for e in self.engines
                                   if e.delta_v_m_s and e.engine.role == "main"))

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"delta_v_m_s": self.delta_v_m_s, "attitude": self.attitude,
                "delta_v_xvv_m_s": self.delta_v_xvv_m_s,
                "usable_propellant_kg": self.usable_propellant_kg, "pools": dict(self.pools),
                "reboost_possible": self.reboost_possible,
                "attitude_thrusters": list(self.attitude_thrusters),
                "engines": [e.as_dict() for e in self.engines]}


def _pools(config: Configuration) -> dict[str, float]:
    """Usable propellant per pool [kg]: ``network`` and ``own:<part>``."""
    pools: dict[str, float] = {"network": 0.0}
    for part in config.parts:
        fuel = part.propellant
        if fuel is None or fuel.reserved:
            continue
        if fuel.feed == "network":
            pools["network"] += fuel.load_kg
        else:
            pools[f"own:{part.name}"] = fuel.load_kg
        if fuel.cargo_kg > 0.0 and _on_propellant_line(config, part):
            pools["network"] += fuel.cargo_kg
    return pools


def _on_propellant_line(config: Configuration, part: Part) -> bool:
    link = config.parent_link(part.name)
    if link is None:
        return False
    port = config.part(link.parent).port(link.port)
    return port is not None and port.propellant_line


def _directions(config: Configuration, part: Part, engine: Engine) -> tuple[Direction, ...]:
    link = config.parent_link(part.name)
    if link is not None:
        port = config.part(link.parent).port(link.port)
        out = port.direction if port is not None else Direction.FWD
    else:  # the root: its own +axis plays the port's role
        out = Direction.along(np.eye(3)["xyz".index(part.axis)])
    if engine.sense == "toward_parent":
        return (out.opposite,)
    if engine.sense == "away_from_parent":
        return (out,)
    return (out.opposite, out)


def propulsion(config: Configuration) -> Propulsion:
    """The propulsion capability of ``config`` (module docstring)."""
    pools = _pools(config)
    mass = config.mass_kg
    uses: list[EngineUse] = []
    for part in config.parts:
        if part.propellant is not None and part.propellant.reserved:
            continue
        for engine in part.engines:
            if not engine.enabled:
                continue
            pool = "network" if engine.feed == "network" else f"own:{part.name}"
            fuel = pools.get(pool, 0.0)
            dirs = _directions(config, part, engine)
            dv = (rocket_delta_v(engine.isp_s, mass, fuel)
                  if engine.isp_s is not None and engine.thrust_n is not None else None)
            uses.append(EngineUse(part.name, engine, dirs, tuple(_ATTITUDES[d] for d in dirs),
                                  pool, fuel, dv))
    best: tuple[float, str | None] = (0.0, None)
    xvv = 0.0
    for attitude in dict.fromkeys(a for u in uses for a in u.attitudes):
        dv = _sequential_dv(mass, [u for u in uses if attitude in u.attitudes], pools)
        if attitude == "XVV":
            xvv = dv
        if dv > best[0]:
            best = (dv, attitude)
    thrusters = tuple(dict.fromkeys(u.part for u in uses if u.engine.role == "attitude"
                                    and pools.get(u.pool, 0.0) > 0.0))
    usable = {k: v for k, v in pools.items() if v > 0.0}
    return Propulsion(tuple(uses), best[0], best[1], xvv, float(sum(usable.values())), usable,
                      thrusters)


def _sequential_dv(mass: float, uses: list[EngineUse], pools: dict[str, float]) -> float:
    """Burn each pool with its best-Isp engine, one after another."""
    best_isp: dict[str, float] = {}
    for use in uses:
        if use.engine.isp_s is None or use.engine.thrust_n is None:
            continue
        best_isp[use.pool] = max(best_isp.get(use.pool, 0.0), use.engine.isp_s)
    total, current = 0.0, mass
    for pool, isp in sorted(best_isp.items(), key=lambda item: -item[1]):
        fuel = pools.get(pool, 0.0)
        total += rocket_delta_v(isp, current, fuel)
        current -= fuel
    return total
