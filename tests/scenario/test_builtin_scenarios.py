"""The built-in scenarios: each parses; each names only parts, ports and crew of the bundled
station record (or its own vehicles), at free ports; their derived numbers follow from the
cited ones; the loader refuses an unknown name with the list of names.

References: the bundled station record (station/iss_2022-03.yaml) for names; for the derived
thrusts, the reboosts of Cygnus NG-17 (2022-06-25, SpaceNews) and Dragon CRS-31 (2024-11-08)
with NASA's 419,455 kg, as the scenarios' README gives them.
"""

from __future__ import annotations

import math
import warnings

import pytest

from stationsim.constants import GM_EARTH_M3_S2
from stationsim.data import (
    builtin_scenario_text,
    builtin_scenarios,
    bundled_file,
    load_station_record,
)
from stationsim.errors import InputError, StaleTableWarning
from stationsim.scenario import (
    Burn,
    Conjunction,
    CrewLanding,
    DebrisAvoidance,
    Dock,
    MoveCrew,
    Scenario,
    Undock,
    parse_scenario,
)
from stationsim.station import Segment
from stationsim.time import Timescale

NAMES = ["baseline-2022", "cygnus-2022", "deorbit-2030", "dragon-boost", "farewell-2022"]


def load(name: str, ts: Timescale) -> Scenario:
    text, source = builtin_scenario_text(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleTableWarning)  # deorbit-2030's dates
        return parse_scenario(text, ts=ts, source=source)


def test_the_five_are_listed_with_titles() -> None:
    listed = builtin_scenarios()
    assert sorted(listed) == NAMES
    assert all(title.strip() for title in listed.values())


def test_readme_is_shipped_beside_them() -> None:
    readme = bundled_file("scenarios/README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in readme for name in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_each_parses_and_uses_only_known_names(name: str, ts: Timescale) -> None:
    scn = load(name, ts)
    assert scn.name == name and scn.title and scn.description
    assert scn.source == f"scenarios/{name}.toml"
    record = load_station_record()
    at = scn.start.epoch if scn.start.station_epoch is None else scn.start.station_epoch
    assert record.covers(at)
    config = record.configuration_at(at)
    parts = {p.name for p in config.parts} | {v.name for v in scn.vehicles}
    crew = {m.name for m in config.crew}
    taken = {link.where for link in config.links}
    for event in scn.events:
        if isinstance(event, Undock):
            assert event.part in parts or event.part in {s.value for s in Segment}
        elif isinstance(event, Dock):
            parent, _, port = event.port.partition(".")
            assert config.part(parent).port(port) is not None
            assert event.port not in taken
            taken.add(event.port)
        elif isinstance(event, MoveCrew):
            assert set(event.crew) <= crew and event.to in parts
        elif isinstance(event, Conjunction):
            assert event.body in parts or event.body in {s.value for s in Segment}
        elif isinstance(event, CrewLanding | Burn):
            assert event.vehicle in parts
            if isinstance(event, CrewLanding) and config.has(event.vehicle):
                taken.discard(config.port_of(event.vehicle) or "")


def test_farewell_keeps_vande_hei_on_the_us_side_before_the_separation(
        ts: Timescale) -> None:
    scn = load("farewell-2022", ts)
    move, undock, approach = scn.events
    assert isinstance(move, MoveCrew) and move.crew == ("Mark Vande Hei",) and move.seat == ""
    assert isinstance(undock, Undock) and (undock.part, undock.track) == ("ROS", True)
    assert float(undock.epoch - ts.from_iso("2022-03-30T07:21:00Z")) < 0.0
    assert float(move.epoch - undock.epoch) < 0.0
    assert scn.end.reentry
    # The real ISS manoeuvred at 00:25 UTC on 2022-10-25 (NASA): here the US segment meets it.
    assert isinstance(approach, Conjunction) and approach.body == "USOS"
    assert approach.epoch.iso(0).startswith("2022-10-25T00:25")
    (policy,) = scn.policies
    assert isinstance(policy, DebrisAvoidance)
    assert (policy.threshold, policy.delta_v_m_s) == (1e-4, 0.5)


def _thrust(delta_a_km: float, burn_s: float, mass_kg: float = 419_455.0,
            a_m: float = 6_796_137.0) -> float:
    """Thrust [N] that gives ``mass_kg`` the velocity change of a raise of the semi-major axis
    by ``delta_a_km`` in ``burn_s``: dv = v da / (2 a), F = m dv / t."""
    v = math.sqrt(GM_EARTH_M3_S2 / a_m)
    return mass_kg * v * delta_a_km * 1e3 / (2.0 * a_m) / burn_s


def test_derived_reboost_thrusts(ts: Timescale) -> None:
    (cygnus,) = load("cygnus-2022", ts).vehicles
    assert cygnus.engines[0].thrust_n == pytest.approx(_thrust((0.8 + 0.2) / 2, 301.0),
                                                       abs=0.5)
    (dragon,) = load("dragon-boost", ts).vehicles
    assert dragon.engines[0].thrust_n == pytest.approx(_thrust((0.11 + 1.13) / 2, 750.0),
                                                       abs=0.5)
    # The kit's propellant gives about the 8.9 m/s reported for the CRS-33 kit.
    assert dragon.propellant is not None
    dv = 300.0 * 9.80665 * math.log(419_455.0 / (419_455.0 - dragon.propellant.load_kg))
    assert dv == pytest.approx(8.9, abs=0.05)
    for scn in (load("cygnus-2022", ts), load("dragon-boost", ts)):
        (policy,) = scn.policies
        assert (policy.below_m, policy.to_m, policy.bodies) == (400e3, 410e3, ("USOS",))


def test_deorbit_vehicle_and_burns(ts: Timescale) -> None:
    scn = load("deorbit-2030", ts)
    (usdv,) = scn.vehicles
    assert usdv.propellant is not None
    assert usdv.propellant.load_kg == 6 * 2562
    assert usdv.total_mass_kg == pytest.approx(30_000.0)
    assert sum((e.count or 1) * (e.thrust_n or 0.0) for e in usdv.engines) == 46 * 400.0
    burns = [e for e in scn.events if isinstance(e, Burn)]
    assert [b.direction for b in burns] == ["retrograde"] * 2
    # The final burn is aimed at Point Nemo, 48 deg 52.6' S, 123 deg 23.6' W.
    assert burns[-1].aim == (-48.9, -123.4) and burns[-1].aim_window_s == 86400.0
    flow = 46 * 400.0 / (300.0 * 9.80665)
    used = sum(b.duration_s or 0.0 for b in burns) * flow
    assert 0.0 < usdv.propellant.load_kg - used < 500.0
    assert scn.start.orbit is not None and scn.start.station_epoch is not None
    assert scn.drag_calibration == "none"


def test_unknown_name_lists_the_built_ins() -> None:
    with pytest.raises(InputError) as info:
        builtin_scenario_text("farewell")
    assert all(name in str(info.value) for name in NAMES)
    with pytest.raises(InputError):
        builtin_scenario_text("../station/iss_2022-03")
