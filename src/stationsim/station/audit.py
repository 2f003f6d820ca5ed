"""The capability audit: for a configuration and each of its segments flying alone, the mass
and drag budget, propulsion, attitude control, power and crew return; who provides each
capability, and what is lost when a part leaves.

Each segment entry describes that segment *as a station of its own* after a separation at the
joint between the segments (for the ISS, Zarya from PMA-1), holding the attitude the whole
station flew. The ``station`` entry describes the configuration as it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from stationsim.station.attitude import AttitudeControl, attitude_control
from stationsim.station.configuration import Configuration
from stationsim.station.crew import CrewReturn, crew_return
from stationsim.station.drag import CrossSection, cross_section
from stationsim.station.environment import Environment
from stationsim.station.operations import remove_part, separate_segments
from stationsim.station.parts import Segment
from stationsim.station.power import Power, power
from stationsim.station.propulsion import Propulsion, propulsion

__all__ = ["Capabilities", "Loss", "StationReport", "capabilities", "capability_changes",
           "station_report"]


@dataclass(frozen=True, eq=False)
class Capabilities:
    """What one configuration can do in one environment."""

    config: Configuration
    section: CrossSection
    propulsion: Propulsion
    attitude: AttitudeControl
    power: Power
    crew: CrewReturn

    @property
    def mass_kg(self) -> float:
        """Mass [kg]."""
        return self.config.mass_kg

    @property
    def cd_area_m2(self) -> float:
        """``C_D A`` [m^2]."""
        return self.config.drag.drag_coefficient * self.section.area_m2

    @property
    def ballistic_coefficient_kg_m2(self) -> float:
        """``m / (C_D A)`` [kg/m^2]."""
        return self.mass_kg / self.cd_area_m2

    def providers(self) -> dict[str, list[str]]:
        """Who provides each capability: part names (with a figure where one helps)."""
        drive = self.propulsion
        unknown = [u.part for u in drive.engines if u.engine.role == "main"
                   and u.delta_v_m_s is None]
        return {
            "reboost": [*drive.providers, *(f"{p} (dv unknown)" for p in unknown)],
            "propellant": [f"{k.removeprefix('own:')}: {v:.0f} kg" for k, v in
                           drive.pools.items()],
            "attitude_control": [f"{p} (CMGs)" for p in self.attitude.cmg_parts],
            "cmg_desaturation": list(self.attitude.desaturation_thrusters),
            "power": [f"{p}: {kw:.1f} kW" for p, kw in
                      self.power.generated_by_part_kw.items()],
            "seats": [f"{v}: {n}" for v, n in self.crew.seats.items()],
        }

    def as_dict(self) -> dict[str, Any]:
        """The segment object of ``stationsim station --json``."""
        power_kw = self.power.as_dict()
        return {
            "mass_kg": self.mass_kg,
            "drag_area_m2": self.section.area_m2,
            "cd_area_m2": self.cd_area_m2,
            "ballistic_coefficient_kg_m2": self.ballistic_coefficient_kg_m2,
            "area_breakdown_m2": {"bodies": self.section.bodies_m2,
                                  "wings": self.section.wings_m2},
            "area_by_part_m2": dict(self.section.by_part_m2),
            "propulsion": self.propulsion.as_dict(),
            "attitude": self.attitude.as_dict(),
            "power_kw": power_kw,
            "crew_return": self.crew.as_dict(),
            "providers": self.providers(),
            "parts": list(self.config.names),
        }


def capabilities(config: Configuration, environment: Environment) -> Capabilities:
    """Every capability of ``config`` in ``environment``."""
    drive = propulsion(config)
    return Capabilities(
        config,
        cross_section(config, environment.beta_rad, environment.eclipse_fraction),
        drive,
        attitude_control(config, environment, drive.attitude_thrusters),
        power(config, environment),
        crew_return(config),
    )


@dataclass(frozen=True)
class Loss:
    """What the configuration loses when ``part`` leaves (with what hangs from it)."""

    part: str
    provides: tuple[str, ...]
    lost: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"part": self.part, "provides": list(self.provides), "lost": list(self.lost)}


@dataclass(frozen=True, eq=False)
class StationReport:
    """The audit of one configuration (``stationsim station``)."""

    config: Configuration
    environment: Environment
    whole: Capabilities
    segments: dict[Segment, Capabilities]
    losses: tuple[Loss, ...]
    without: str | None = None
    removed: tuple[str, ...] = ()
    origin: Configuration | None = None

    def segment_summary(self, segment: Segment) -> list[str]:
        """Sentences on what ``segment`` can do alone."""
        return _summary(self.segments[segment], self.origin or self.config)

    def summary(self) -> list[str]:
        """Sentences on what the configuration as a whole can do, with the power one segment
        draws from the other."""
        lines = _summary(self.whole, self.origin or self.config)
        for segment in self.whole.power.by_segment_kw:
            if len(self.whole.power.by_segment_kw) > 1 and (
                    need := self.whole.power.imports_kw(segment)) > 0.0:
                generated, load = self.whole.power.by_segment_kw[segment]
                lines.append(f"the {segment.value} generates {generated:.1f} kW of its "
                             f"{load:.1f} kW load and draws {need:.1f} kW from the other "
                             "segment's arrays")
        return lines

    def as_dict(self) -> dict[str, Any]:
        """The object printed by ``stationsim station --json``."""
        env = self.environment
        return {
            "epoch": str(self.config.epoch.iso(0)),
            "without": self.without,
            "removed": list(self.removed),
            "total_mass_kg": self.whole.mass_kg,
            "attitude": {"name": self.config.attitude.name,
                         "pitch_deg": self.whole.attitude.pitch_deg},
            "array_policy": self.config.drag.array_policy.value,
            "drag_coefficient": self.config.drag.drag_coefficient,
            "orbit": {"altitude_km": env.altitude_m / 1e3,
                      "beta_deg": math.degrees(env.beta_rad),
                      "eclipse_fraction": env.eclipse_fraction,
                      "density_kg_m3": env.density_kg_m3},
            "station": self.whole.as_dict(),
            "segments": {s.value: c.as_dict() for s, c in self.segments.items()},
            "summary": self.summary(),
            "segments_alone": {s.value: self.segment_summary(s) for s in self.segments},
            "crew": [c.as_dict() for c in self.whole.crew.crew],
            "parts": [_part_entry(self.config, name) for name in self.config.names],
            "losses": [loss.as_dict() for loss in self.losses],
        }


def _part_entry(config: Configuration, name: str) -> dict[str, Any]:
    part = config.part(name)
    return {"name": name, "kind": part.kind.value, "segment": part.segment.value,
            "mass_kg": part.total_mass_kg, "attached_to": config.port_of(name)}


def station_report(config: Configuration, environment: Environment, *,
                   without: str | None = None, removed: tuple[str, ...] = (),
                   origin: Configuration | None = None) -> StationReport:
    """The audit of ``config``: the whole, each segment alone, and the loss of each part that
    provides something. ``origin`` is the configuration ``config`` was cut from (to say where
    a departed vehicle went)."""
    whole = capabilities(config, environment)
    alone = {s: capabilities(c, environment) for s, c in separate_segments(config).items()}
    return StationReport(config, environment, whole, alone,
                         _losses(config, environment, whole), without, removed, origin)


def _provides(config: Configuration, name: str) -> tuple[str, ...]:
    part = config.part(name)
    out = []
    if any(e.enabled for e in part.engines) and not (part.propellant and
                                                     part.propellant.reserved):
        out.append("propulsion")
    if part.propellant is not None and part.propellant.total_kg > 0 and \
            not part.propellant.reserved:
        out.append("propellant")
    if part.cmg_count:
        out.append(f"{part.cmg_count} CMGs")
    if part.wings:
        out.append("power")
    if part.seats:
        out.append(f"{part.seats} seats")
    return tuple(out)


def _losses(config: Configuration, environment: Environment,
            whole: Capabilities) -> tuple[Loss, ...]:
    out = []
    for name in config.names:
        provides = _provides(config, name)
        if not provides or name == config.root:
            continue
        rest, change = remove_part(config, name)
        after = capabilities(rest, environment)
        lost = capability_changes(whole, after)
        if len(change.parts) > 1:
            lost.insert(0, "also leaving: " + ", ".join(p for p in change.parts if p != name))
        out.append(Loss(name, provides, tuple(lost)))
    return tuple(out)


def capability_changes(before: Capabilities, after: Capabilities) -> list[str]:
    """What ``after`` can no longer do that ``before`` could, in short phrases."""
    lost = []
    b, a = before.propulsion, after.propulsion
    if a.delta_v_m_s < b.delta_v_m_s - 0.05:
        lost.append(f"reboost dv {b.delta_v_m_s:.1f} -> {a.delta_v_m_s:.1f} m/s")
    gone = set(b.attitude_thrusters) - set(a.attitude_thrusters)
    if gone and not a.attitude_thrusters:
        lost.append("no thrusters left to desaturate the CMGs")
    if after.attitude.cmg_capacity_nms < before.attitude.cmg_capacity_nms:
        lost.append(f"CMG capacity {before.attitude.cmg_capacity_nms:.0f} -> "
                    f"{after.attitude.cmg_capacity_nms:.0f} N m s")
    if after.power.generated_kw < before.power.generated_kw - 0.05:
        lost.append(f"power {before.power.generated_kw:.1f} -> "
                    f"{after.power.generated_kw:.1f} kW")
    if after.crew.seat_total < before.crew.seat_total:
        lost.append(f"seats {before.crew.seat_total} -> {after.crew.seat_total}")
    before_stranded = set(before.crew.without_seat)
    stranded = [n for n in after.crew.without_seat if n not in before_stranded]
    if stranded:
        lost.append("without a seat home: " + ", ".join(stranded))
    return lost


def _summary(caps: Capabilities, whole: Configuration) -> list[str]:
    """What a configuration (a segment alone) can do, in sentences."""
    lines = []
    drive = caps.propulsion
    if drive.reboost_possible:
        lines.append(f"reboost dv {drive.delta_v_m_s:.1f} m/s ({drive.attitude}) from "
                     + ", ".join(drive.providers or ("attached engines",)))
    else:
        lines.append("no reboost propulsion")
    att = caps.attitude
    if att.cmg_count == 0:
        lines.append("no CMGs: attitude held by thrusters only"
                     if drive.attitude_thrusters else "no CMGs and no thrusters: "
                     "no attitude control")
    else:
        where = ", ".join(att.cmg_parts)
        if not att.desaturation_thrusters:
            lines.append(f"{att.cmg_count} CMGs on {where}, no thrusters to desaturate them")
        else:
            lines.append(f"{att.cmg_count} CMGs on {where}, desaturated by thrusters of "
                         + ", ".join(att.desaturation_thrusters))
        if att.hours_to_saturation is not None:
            lines.append(f"CMGs saturate in about {att.hours_to_saturation:.1f} h in the "
                         f"attitude held (XVV pitch {att.pitch_deg:+.1f} deg)")
        else:
            lines.append("no secular momentum build-up in the attitude held")
    p = caps.power
    word = "surplus" if p.balance_kw >= 0 else "deficit"
    lines.append(f"power {p.generated_kw:.1f} kW generated, {p.load_kw:.1f} kW load: "
                 f"{word} {abs(p.balance_kw):.1f} kW")
    seats = caps.crew
    if seats.seats:
        lines.append("seats: " + "; ".join(f"{n} on {v}" for v, n in seats.seats.items()))
    else:
        lines.append("seats: none")
    for check in seats.crew:
        if check.return_vehicle is None and check.assigned_vehicle is not None:
            where = (whole.segment_of_part(check.assigned_vehicle).value
                     if whole.has(check.assigned_vehicle) else "elsewhere")
            lines.append(f"{check.name}'s seat was on {check.assigned_vehicle}, now attached "
                         f"to the {where}")
    return lines
