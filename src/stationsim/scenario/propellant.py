"""Burns paid for from the tanks of a configuration: which engines fire, in which attitude,
how much propellant they use (the rocket equation), and the configuration after it.

A reboost uses "whatever propulsion is attached" (:func:`stationsim.station.propulsion`): the
attitude that gives the most along-track velocity change, and in it the pools of propellant in
order of their best engine's specific impulse. A burn named after a vehicle or module uses that
part's main engines and the pool they draw on.

Propellant is taken from a pool as the station stores it: a part's own tanks (``own:<part>``),
or the segment's network (the network-fed tanks in proportion to what they hold, then refuelling
cargo on a propellant line).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from stationsim.errors import StationsimError
from stationsim.forces.thrust import STANDARD_GRAVITY_M_S2
from stationsim.station import Configuration, Engine, Part, propulsion
from stationsim.station.propulsion import EngineUse

__all__ = ["BurnPlan", "drain", "plan_engine_burn", "plan_reboost", "propellant_kg_for"]


@dataclass(frozen=True)
class BurnPlan:
    """A burn as it will be flown.

    Attributes:
        engines: ``"Part: engine"`` of the engines that fire.
        attitude: the attitude the station takes for it.
        thrust_n: their summed thrust [N]; ``isp_s`` their specific impulse [s].
        propellant_kg: what it uses [kg]; ``delta_v_m_s`` what it gives the mass [m/s].
        wanted_m_s: what was asked [m/s] (more than ``delta_v_m_s`` when the tanks ran dry).
    """

    engines: tuple[str, ...]
    attitude: str
    thrust_n: float
    isp_s: float
    propellant_kg: float
    delta_v_m_s: float
    wanted_m_s: float

    @property
    def duration_s(self) -> float:
        """How long the engines fire [s]."""
        return self.propellant_kg * self.isp_s * STANDARD_GRAVITY_M_S2 / self.thrust_n


def propellant_kg_for(delta_v_m_s: float, mass_kg: float, isp_s: float) -> float:
    """Propellant [kg] that gives ``mass_kg`` the velocity change ``delta_v_m_s``."""
    return mass_kg * (1.0 - math.exp(-abs(delta_v_m_s) / (isp_s * STANDARD_GRAVITY_M_S2)))


def _delta_v(mass_kg: float, propellant_kg: float, isp_s: float) -> float:
    if propellant_kg <= 0.0:
        return 0.0
    return isp_s * STANDARD_GRAVITY_M_S2 * math.log(mass_kg / (mass_kg - propellant_kg))


def _thrust(engine: Engine) -> float:
    return float(engine.thrust_n or 0.0) * float(engine.count or 1)


def _usable(use: EngineUse) -> bool:
    engine = use.engine
    return (engine.role == "main" and engine.thrust_n is not None and engine.isp_s is not None
            and use.propellant_kg > 0.0)


def plan_reboost(config: Configuration, delta_v_m_s: float
                 ) -> tuple[Configuration, BurnPlan] | None:
    """Raise the orbit by ``delta_v_m_s`` with whatever is attached; ``None`` when nothing can
    reboost. The tanks may give less than asked: see :attr:`BurnPlan.delta_v_m_s`."""
    drive = propulsion(config)
    if not drive.reboost_possible or drive.attitude is None:
        return None
    uses = [u for u in drive.engines if drive.attitude in u.attitudes and _usable(u)]
    best: dict[str, EngineUse] = {}
    for use in uses:
        held = best.get(use.pool)
        if held is None or (use.engine.isp_s or 0.0) > (held.engine.isp_s or 0.0):
            best[use.pool] = use
    order = sorted(best.values(), key=lambda u: -(u.engine.isp_s or 0.0))
    mass, left = config.mass_kg, delta_v_m_s
    used_kg, impulse_s_kg, fired = 0.0, 0.0, []
    thrust = 0.0
    current = config
    for use in order:
        if left <= 0.0:
            break
        isp = float(use.engine.isp_s or 0.0)
        kg = min(propellant_kg_for(left, mass, isp), use.propellant_kg)
        gained = _delta_v(mass, kg, isp)
        current = drain(current, use.pool, kg)
        mass -= kg
        left -= gained
        used_kg += kg
        impulse_s_kg += kg * isp
        thrust = max(thrust, _thrust(use.engine))
        fired.append(f"{use.part}: {use.engine.name}")
    if used_kg <= 0.0:
        return None
    isp_mean = impulse_s_kg / used_kg
    plan = BurnPlan(tuple(fired), drive.attitude, thrust, isp_mean, used_kg,
                    _delta_v(config.mass_kg, used_kg, isp_mean), delta_v_m_s)
    return current, plan


def plan_engine_burn(config: Configuration, part_name: str, *,
                     delta_v_m_s: float | None = None, duration_s: float | None = None
                     ) -> tuple[Configuration, BurnPlan]:
    """A burn of ``part_name``'s main engines for a velocity change or a duration.

    Raises:
        StationsimError: the part has no main engine of known thrust and Isp, or no
            propellant to burn.
    """
    part = config.part(part_name)
    drive = propulsion(config)
    uses = [u for u in drive.engines if u.part == part.name and _usable(u)]
    if not uses:
        raise StationsimError(f"{part.name} has no main engine of known thrust and specific "
                              "impulse with propellant to burn")
    use = max(uses, key=lambda u: u.engine.isp_s or 0.0)
    isp, thrust = float(use.engine.isp_s or 0.0), _thrust(use.engine)
    if duration_s is not None:
        wanted_kg = thrust * duration_s / (isp * STANDARD_GRAVITY_M_S2)
        wanted = _delta_v(config.mass_kg, min(wanted_kg, config.mass_kg * 0.999), isp)
    else:
        wanted = abs(float(delta_v_m_s or 0.0))
        wanted_kg = propellant_kg_for(wanted, config.mass_kg, isp)
    kg = min(wanted_kg, use.propellant_kg)
    after = drain(config, use.pool, kg)
    plan = BurnPlan((f"{use.part}: {use.engine.name}",), _attitude_of(use), thrust, isp, kg,
                    _delta_v(config.mass_kg, kg, isp), wanted)
    return after, plan


def _attitude_of(use: EngineUse) -> str:
    return use.attitudes[0] if use.attitudes else "XVV"


def drain(config: Configuration, pool: str, kg: float) -> Configuration:
    """``config`` with ``kg`` of propellant taken from ``pool`` (module notes). Mass leaves
    with it; never more than the pool holds."""
    if kg <= 0.0:
        return config
    left = kg
    parts = list(config.parts)
    if pool.startswith("own:"):
        name = pool[4:]
        targets = [i for i, p in enumerate(parts) if p.name == name]
    else:
        targets = [i for i, p in enumerate(parts) if p.propellant is not None
                   and not p.propellant.reserved and p.propellant.feed == "network"]
    total = sum(_load(parts[i]) for i in targets)
    if total > 0.0:
        share = min(left, total)
        for i in targets:
            take = share * _load(parts[i]) / total
            parts[i] = _with_load(parts[i], _load(parts[i]) - take)
        left -= share
    if left > 1e-9 and not pool.startswith("own:"):
        for i, part in enumerate(parts):
            fuel = part.propellant
            if fuel is None or fuel.reserved or fuel.cargo_kg <= 0.0:
                continue
            link = config.parent_link(part.name)
            port = None if link is None else config.part(link.parent).port(link.port)
            if port is None or not port.propellant_line:
                continue
            take = min(left, fuel.cargo_kg)
            parts[i] = replace(part, propellant=replace(fuel, cargo_kg=fuel.cargo_kg - take))
            left -= take
    return replace(config, parts=tuple(parts))


def _load(part: Part) -> float:
    return 0.0 if part.propellant is None else part.propellant.load_kg


def _with_load(part: Part, load_kg: float) -> Part:
    if part.propellant is None:
        return part
    return replace(part, propellant=replace(part.propellant, load_kg=max(load_kg, 0.0)))
