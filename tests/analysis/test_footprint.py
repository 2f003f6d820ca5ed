"""Debris footprint and casualty risk (:mod:`stationsim.analysis.footprint`).

References: NASA's UARS figures of September 2011 (5,668 kg dry, 532 kg surviving in 26 pieces,
a footprint of about 500 miles, a casualty risk of 1 in 3,200, orbit inclined 57 deg); NASA's
300 km x 5,370 km footprint for the ISS deorbit (as cited by the National Research Council,
2000); the Earth's land share of 29.2 %; Natural Earth's population estimates (7.65 billion).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from stationsim.analysis.footprint import (
    Footprint,
    casualty_area_m2,
    footprint,
    footprint_size_m,
    orbit_average_density,
    risk_summary,
)
from stationsim.cli.main import app
from stationsim.constants import GM_EARTH_M3_S2
from stationsim.data.geography import load_geography

DELFI = Path(__file__).parents[1] / "reference" / "tle" / "delfi-pq_51074_last100d.tle"


@pytest.fixture(scope="module")
def geo():  # type: ignore[no-untyped-def]
    return load_geography()


def test_grid_holds_the_worlds_land_and_people(geo) -> None:  # type: ignore[no-untyped-def]
    rows = geo.land.shape[0]
    lat = 90.0 - (np.arange(rows) + 0.5) * geo.step_deg
    w = np.cos(np.radians(lat))[:, None] * np.ones(geo.land.shape[1])
    assert np.sum(geo.land * w) / np.sum(w) == pytest.approx(0.292, abs=0.01)
    area = (np.radians(geo.step_deg) * 6371.0088) ** 2 * w
    assert np.sum(geo.density_per_km2 * area) == pytest.approx(7.654e9, rel=1e-3)


def test_footprint_sizes_at_their_anchors() -> None:
    assert footprint_size_m(5668.0)[0] == pytest.approx(804e3, rel=1e-9)
    assert footprint_size_m(420e3) == pytest.approx((5370e3, 300e3), rel=1e-9)
    assert footprint_size_m(20.0) == pytest.approx((66.6e3, 3.72e3), rel=1e-3)


def test_uars_comes_out_at_nasas_risk(geo) -> None:  # type: ignore[no-untyped-def]
    """The casualty area per surviving kilogram is calibrated on UARS: 1 in 3,200 (5 %)."""
    area = casualty_area_m2(5668.0, 532.0 / 5668.0)
    assert 15.0 < area < 30.0  # a few dozen fragments in DAS's terms
    risk = area * orbit_average_density(geo, np.radians(57.0)) / 1e6
    assert 1.0 / risk == pytest.approx(3200.0, rel=0.05)


def _state(lat_deg: float, lon_deg: float, heading_north: bool = True):  # type: ignore[no-untyped-def]
    """An Earth-fixed state at 120 km over a point, moving north-east on a 52-deg orbit."""
    r = 6498e3
    la, lo = np.radians(lat_deg), np.radians(lon_deg)
    pos = r * np.array([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])
    east = np.array([-np.sin(lo), np.cos(lo), 0.0])
    north = np.array([-np.sin(la) * np.cos(lo), -np.sin(la) * np.sin(lo), np.cos(la)])
    speed = np.sqrt(GM_EARTH_M3_S2 / r)
    v = speed * (0.8 * east + (0.6 if heading_north else -0.6) * north)
    return pos, v - np.cross([0.0, 0.0, 7.292115e-5], pos)


def test_a_footprint_over_the_pacific_and_one_over_europe(geo) -> None:  # type: ignore[no-untyped-def]
    r, v = _state(-20.0, -140.0)
    sea = footprint(geo, r, v, 5668.0)
    assert sea.land_fraction < 0.001 and sea.people == 0.0 and not sea.country_km2
    assert sea.area_km2 == pytest.approx(804 * footprint_size_m(5668.0)[1] / 1e3, rel=0.03)
    start = sea.track_deg[0]
    assert start == pytest.approx([-20.0, -140.0], abs=0.05)
    r, v = _state(44.0, -2.0)
    land = footprint(geo, r, v, 420e3)
    names = {geo.names[c] for c in land.country_km2}
    assert {"France", "Germany"} <= names
    assert 0.5 < land.land_fraction <= 1.0 and land.density_per_km2 > 20.0


def test_risk_summary_counts_countries(geo) -> None:  # type: ignore[no-untyped-def]
    a = Footprint(np.zeros((2, 2)), 100.0, 0.5, 1000.0, {3: 50.0})
    b = Footprint(np.zeros((2, 2)), 100.0, 0.0, 0.0, {})
    s = risk_summary(geo, [a, b], 420e3, np.radians(51.6), 0.2)
    assert s.countries[0]["probability"] == 0.5
    assert s.countries[0]["debris_share"] == 0.25
    assert s.land_fraction == 0.25
    assert s.casualty_expectation == pytest.approx(casualty_area_m2(420e3, 0.2) * 5.0 / 1e6)


def test_cli_reports_the_risk_with_a_mass() -> None:
    result = CliRunner().invoke(app, ["reentry", str(DELFI), "--at", "2024-01-03T21:15:00Z",
                                      "--ballistic", "20", "--members", "30", "--mass", "2.5",
                                      "--json"])
    assert result.exit_code == 0, result.output
    risk = json.loads(result.stdout)["risk"]
    assert risk["mass_kg"] == 2.5 and risk["surviving_fraction"] == 0.2
    assert 0.0 <= risk["land_fraction"] <= 1.0
    assert risk["casualty_expectation"] < 1e-6  # a 2.5-kg PocketQube
