"""A station that holds no attitude: drag and sunlight averaged over all orientations.

References: Cauchy's formula (a convex body's projected area averaged over all directions is a
quarter of its surface: ``pi d L / 4 + pi d^2 / 8`` for a cylinder, ``A / 2`` for a flat plate
seen from both sides); the mean of ``max(cos, 0)`` over the sphere, 1/4, for a one-sided panel
turned every way. Checked numerically here for a cylinder and a plate by averaging their
silhouettes over random directions (tolerance 1 %, the sampling's own spread).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from stationsim.station import Attitude, Configuration, Environment, cross_section, power
from stationsim.station.drag import body_of

TUMBLING = Attitude("tumbling", 0.0, tumbling=True)


def _mean_silhouette_cylinder(d: float, length: float, n: int = 200_000) -> float:
    """Projected area of a cylinder averaged over random directions (Monte Carlo)."""
    rng = np.random.default_rng(3)
    mu = rng.uniform(-1.0, 1.0, n)  # cosine between the view and the axis
    return float(np.mean(np.abs(mu) * np.pi * d * d / 4.0
                         + np.sqrt(1.0 - mu * mu) * d * length))


def test_cauchys_formula_for_a_cylinder_and_a_plate() -> None:
    d, length = 4.2, 13.0
    cauchy = (np.pi * d * length + 0.5 * np.pi * d * d) / 4.0
    assert _mean_silhouette_cylinder(d, length) == pytest.approx(cauchy, rel=0.01)
    rng = np.random.default_rng(5)
    plate = np.mean(np.abs(rng.uniform(-1.0, 1.0, 200_000)))  # |cos| of a plate's normal
    assert plate == pytest.approx(0.5, rel=0.01)
    sunlit = np.mean(np.maximum(rng.uniform(-1.0, 1.0, 200_000), 0.0))
    assert sunlit == pytest.approx(0.25, rel=0.01)


def test_a_tumbling_station_shows_the_sum_of_its_parts_quarters(march6: Configuration,
                                                               nominal: Environment) -> None:
    tumbling = replace(march6, attitude=TUMBLING)
    section = cross_section(tumbling, nominal.beta_rad, nominal.eclipse_fraction)
    body = body_of(tumbling)
    expect_bodies = sum(body.fills.get(name, 1.0)
                        * (np.pi * p.diameter_m * p.length_m + 0.5 * np.pi * p.diameter_m ** 2)
                        / 4.0 for name, p in body.placements.items()
                        if p.length_m > 0 and p.diameter_m > 0 and body.fills.get(name, 1.0) > 0)
    expect_wings = sum(0.5 * w.count * w.area_m2 for _, w, _, _ in body.wings if w.adds_area)
    assert section.bodies_m2 == pytest.approx(expect_bodies)
    assert section.wings_m2 == pytest.approx(expect_wings)
    assert section.area_m2 == pytest.approx(sum(section.by_part_m2.values()))
    held = cross_section(march6, nominal.beta_rad, nominal.eclipse_fraction)
    # Every side in turn, the wings broadside half the time: more drag than the night glider.
    assert section.area_m2 > held.area_m2


def test_a_tumbling_station_makes_a_quarter_of_its_sunlit_power(march6: Configuration,
                                                                nominal: Environment) -> None:
    tumbling = power(replace(march6, attitude=TUMBLING), nominal)
    held = power(march6, nominal)
    assert tumbling.generated_kw == pytest.approx(
        0.25 * (1.0 - nominal.eclipse_fraction) * tumbling.sunlit_kw, rel=1e-9)
    assert tumbling.generated_kw < 0.5 * held.generated_kw
    assert tumbling.load_kw == held.load_kw
