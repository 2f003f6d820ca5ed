"""Electrical power: what the attached solar-array wings generate over an orbit against the
loads of the attached modules.

Generation: each wing gives its sunlit output (``power_kw``, degradation included) times the
orbit-averaged power fraction of its tracking and the array policy at the orbit's beta angle
and eclipse fraction (:func:`stationsim.station.sunlight.wing_factors`); a wing mounted over
another (iROSA) takes ``shades_kw`` from the wing below. A tumbling station's wings face the
Sun at random: a one-sided panel turned every way catches, on average, a quarter of its full
output while sunlit (the mean of ``max(cos, 0)`` over the sphere). Batteries carry the sunlit
surplus into the eclipse; their losses are counted in the loads. Loads: each pressurised
module's share of the station's average load, as the data file allocates it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stationsim.station.configuration import Configuration
from stationsim.station.environment import Environment
from stationsim.station.parts import Segment
from stationsim.station.sunlight import ArrayPolicy, wing_factors

__all__ = ["TUMBLING_POWER_FRACTION", "Power", "power"]

#: Sunlit output of a wing turned every way, as a fraction of its output facing the Sun.
TUMBLING_POWER_FRACTION = 0.25


@dataclass(frozen=True)
class Power:
    """Orbit-averaged power of a configuration [kW].

    Attributes:
        generated_kw: orbit-average generation.
        sunlit_kw: generation in full sun with the wings facing it.
        load_kw: average load.
        generated_by_part_kw: orbit-average generation per part carrying wings.
        by_segment_kw: ``{segment: (generated, load)}`` for the segments present.
    """

    generated_kw: float
    sunlit_kw: float
    load_kw: float
    generated_by_part_kw: dict[str, float] = field(default_factory=dict)
    by_segment_kw: dict[Segment, tuple[float, float]] = field(default_factory=dict)

    @property
    def balance_kw(self) -> float:
        """Generation minus load (negative: a deficit)."""
        return self.generated_kw - self.load_kw

    def imports_kw(self, segment: Segment) -> float:
        """What ``segment`` takes from the other segment to meet its load [kW]."""
        generated, load = self.by_segment_kw.get(segment, (0.0, 0.0))
        return max(load - generated, 0.0)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"generated": self.generated_kw, "load": self.load_kw,
                "balance": self.balance_kw, "sunlit": self.sunlit_kw,
                "by_part": dict(self.generated_by_part_kw)}


def power(config: Configuration, environment: Environment) -> Power:
    """Power generated and used by ``config`` in ``environment`` (module docstring)."""
    policy = config.drag.array_policy
    by_part: dict[str, float] = {}
    sunlit_total = 0.0
    by_segment: dict[Segment, list[float]] = {}
    for part in config.parts:
        segment = config.segment_of_part(part.name)
        entry = by_segment.setdefault(segment, [0.0, 0.0])
        entry[1] += part.load_kw
        if not part.wings:
            continue
        average = sunlit = 0.0
        for wing in part.wings:
            rule = policy if wing.follows_policy else ArrayPolicy.SUN_TRACKING
            factor = (TUMBLING_POWER_FRACTION * (1.0 - environment.eclipse_fraction)
                      if config.attitude.tumbling else
                      wing_factors(rule, environment.beta_rad, environment.eclipse_fraction,
                                   tracking=wing.tracking).power)
            net = wing.count * (wing.power_kw - wing.shades_kw)
            sunlit += net
            average += net * factor
        by_part[part.name] = average
        sunlit_total += sunlit
        entry[0] += average
    generated = float(sum(by_part.values()))
    load = float(sum(p.load_kw for p in config.parts))
    return Power(generated, sunlit_total, load, by_part,
                 {s: (v[0], v[1]) for s, v in by_segment.items()})
