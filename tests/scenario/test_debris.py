"""Conjunctions and the debris-avoidance policy, on the bundled ISS of March 2022.

References: Gauss's equation for a tangential impulse on a near-circular orbit
(da = 2 a dv / v) and the rocket equation for what the burn costs; the product rule of
independent events for the risk a body accepts (1 - prod(1 - p)). Runs are a few hours long
with the lifetime forces, as in ``test_runner.py``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from stationsim import api
from stationsim.constants import GM_EARTH_M3_S2
from stationsim.data import load_timescale
from stationsim.errors import ScenarioFileError, StationsimError
from stationsim.forces.thrust import STANDARD_GRAVITY_M_S2
from stationsim.propagation.kepler import elements_from_state
from stationsim.scenario import parse_scenario
from stationsim.scenario.runner import Context, ScenarioRun, default_context, run_scenario
from stationsim.scenario.spec import (
    Conjunction,
    DebrisAvoidance,
    End,
    Scenario,
    Start,
    Undock,
)
from stationsim.time import Timescale

START = "2022-03-27T13:08:21Z"
PERIOD_S = 5560.0  # the ISS's period at 418 km


@pytest.fixture(scope="module")
def ctx() -> Context:
    return default_context(api.load_elements())


def at(iso: str):
    return load_timescale().from_iso(iso)


def scenario(events=(), *, days: float = 0.3, policies=()) -> Scenario:
    return Scenario("test", Start(at(START)), End(days=days), events=tuple(events),
                    policies=tuple(policies), drag_calibration="none")


def mean_a(run: ScenarioRun, name: str, t0_s: float) -> float:
    """Osculating semi-major axis averaged over one revolution from ``t0_s`` [m]."""
    t, y = run.body(name).ephemeris()
    pick = (t >= t0_s) & (t < t0_s + PERIOD_S)
    return float(np.mean(elements_from_state(y[pick, :3], y[pick, 3:6]).a_m))


def conjunction(iso: str, p: float, body: str = "", where: str = "events[0]") -> Conjunction:
    return Conjunction(at(iso), where, body=body, probability=p, miss_m=1200.0,
                       object_name="a Cosmos 1408 fragment")


def test_the_whole_station_dodges_with_its_own_engines(ctx: Context) -> None:
    policy = DebrisAvoidance(threshold=1e-4, delta_v_m_s=0.5, where="policies[0]")
    event = conjunction("2022-03-27T16:00:00Z", 3e-4)
    base = run_scenario(scenario(), ctx)
    run = run_scenario(scenario([event], policies=[policy]), ctx)
    iss = run.body("ISS")
    t_burn = float(event.epoch - at(START))
    a0, a = mean_a(base, "ISS", t_burn + 600), mean_a(run, "ISS", t_burn + 600)
    # Gauss: da = 2 a dv / v for 0.5 m/s (about 0.9 km, as Roscosmos reported for 2023-11-10).
    assert a - a0 == pytest.approx(2 * a0 * 0.5 / math.sqrt(GM_EARTH_M3_S2 / a0), rel=0.03)
    assert iss.delta_v_used_m_s == pytest.approx(0.5)
    used = run.bodies[0].ledger[0].propellant_kg - iss.propellant_kg()
    # Zvezda's and Progress's engines: Isp 302 s (the station file's values).
    expect = run.initial.mass_kg * (1 - math.exp(-0.5 / (302 * STANDARD_GRAVITY_M_S2)))
    assert used == pytest.approx(expect, rel=0.01)
    said = [e for e in run.log if e.kind == "debris"]
    assert len(said) == 1 and "avoidance burn of 0.50 m/s" in said[0].detail
    assert "Cosmos 1408" in said[0].detail and "miss 1.2 km" in said[0].detail
    assert [c.dodged for c in iss.conjunctions] == [True]
    assert iss.collision_risk_accepted() == 0.0


def test_the_us_segment_alone_cannot_dodge_and_accepts_the_risk(ctx: Context) -> None:
    policy = DebrisAvoidance(threshold=1e-4, delta_v_m_s=0.5)
    events = [Undock(at("2022-03-27T14:00:00Z"), "events[0]", part="ROS"),
              conjunction("2022-03-27T16:00:00Z", 2e-4, "USOS", "events[1]"),
              conjunction("2022-03-27T17:00:00Z", 5e-4, "Destiny", "events[2]"),
              conjunction("2022-03-27T18:00:00Z", 3e-4, "ROS", "events[3]")]
    run = run_scenario(scenario(events, policies=[policy]), ctx)
    usos, ros = run.body("USOS"), run.body("ROS")
    assert usos.delta_v_used_m_s == 0.0
    assert [c.dodged for c in usos.conjunctions] == [False, False]
    # Independent events: the chance that at least one of the two hits.
    assert usos.collision_risk_accepted() == pytest.approx(1 - (1 - 2e-4) * (1 - 5e-4),
                                                           rel=1e-12)
    said = [e.detail for e in run.log if e.kind == "debris" and e.body == "USOS"]
    assert len(said) == 2 and all("cannot dodge it: no propulsion attached" in d for d in said)
    assert all("where they would shelter" in d for d in said)
    # The Russian segment has its engines: it dodges.
    assert [c.dodged for c in ros.conjunctions] == [True]
    assert ros.delta_v_used_m_s == pytest.approx(0.5)


def test_below_the_threshold_or_without_a_policy_nothing_fires(ctx: Context) -> None:
    low = run_scenario(scenario([conjunction("2022-03-27T16:00:00Z", 5e-5)],
                                policies=[DebrisAvoidance(threshold=1e-4)]), ctx)
    assert "below the policy's threshold of 1e-04" in \
        next(e.detail for e in low.log if e.kind == "debris")
    none = run_scenario(scenario([conjunction("2022-03-27T16:00:00Z", 5e-3)]), ctx)
    assert "no debris-avoidance policy" in \
        next(e.detail for e in none.log if e.kind == "debris")
    for run, p in ((low, 5e-5), (none, 5e-3)):
        iss = run.body("ISS")
        assert iss.delta_v_used_m_s == 0.0
        assert iss.collision_risk_accepted() == pytest.approx(p)


def test_a_segment_named_before_it_flies_alone_means_the_body_carrying_it(ctx: Context
                                                                          ) -> None:
    run = run_scenario(scenario([conjunction("2022-03-27T16:00:00Z", 2e-4, "USOS")],
                                policies=[DebrisAvoidance()]), ctx)
    assert [c.dodged for c in run.body("ISS").conjunctions] == [True]


def test_a_policy_for_other_bodies_does_not_fire(ctx: Context) -> None:
    policy = DebrisAvoidance(threshold=1e-5, bodies=("USOS",))
    run = run_scenario(scenario([conjunction("2022-03-27T16:00:00Z", 1e-3)],
                                policies=[policy]), ctx)
    assert run.body("ISS").delta_v_used_m_s == 0.0


def test_an_unnamed_body_among_several_is_refused(ctx: Context) -> None:
    events = [Undock(at("2022-03-27T14:00:00Z"), "events[0]", part="ROS"),
              conjunction("2022-03-27T16:00:00Z", 1e-3, "", "events[1], line 12")]
    with pytest.raises(StationsimError, match=r"events\[1\], line 12: 2 bodies fly .*ROS"):
        run_scenario(scenario(events, policies=[DebrisAvoidance()]), ctx)


FILE = '''\
[start]
epoch = "2022-03-27T13:08:21Z"
[end]
days = 2
[[policies]]
kind = "debris_avoidance"
threshold = 1e-5
delta_v_m_s = 1.0
[[events]]
at = "2022-03-28T00:00:00Z"
kind = "conjunction"
probability = 2e-4
miss_km = 4.5
object = "DMSP F14 fragment"
'''


def test_the_file_keys(ts: Timescale) -> None:
    scn = parse_scenario(FILE, ts=ts, source="s.toml")
    assert scn.policies == (DebrisAvoidance(threshold=1e-5, delta_v_m_s=1.0,
                                            where="policies[0], line 5"),)
    (event,) = scn.events
    assert isinstance(event, Conjunction) and event.kind == "conjunction"
    assert (event.probability, event.miss_m, event.object_name, event.body) == \
        (2e-4, 4500.0, "DMSP F14 fragment", "")
    defaults = parse_scenario(FILE.replace("threshold = 1e-5\ndelta_v_m_s = 1.0\n", ""),
                              ts=ts, source="s.toml")
    assert defaults.policies[0].threshold == 1e-4  # NASA's red threshold, 1 in 10,000
    assert defaults.policies[0].delta_v_m_s == 0.5


@pytest.mark.parametrize(("change", "path", "marker"), [
    ("probability = 2e-4", "events[0].probability", "probability = 1.5"),
    ("probability = 2e-4", "events[0].probability", "probability = 0"),
    ("threshold = 1e-5", "policies[0].threshold", "threshold = -1e-4"),
    ("delta_v_m_s = 1.0", "policies[0].delta_v_m_s", "delta_v_m_s = 0"),
    ("miss_km = 4.5", "events[0].miss_km", "miss_km = -1"),
    ("threshold = 1e-5", "policies[0].below_km", "below_km = 400"),
])
def test_file_errors_name_the_key_and_line(ts: Timescale, change: str, path: str,
                                           marker: str) -> None:
    text = FILE.replace(change, marker)
    with pytest.raises(ScenarioFileError) as info:
        parse_scenario(text, ts=ts, source="s.toml")
    line = next(i for i, s in enumerate(text.splitlines(), 1) if marker in s)
    assert f"{path}:" in str(info.value) and info.value.line == line


def test_a_conjunction_needs_its_probability(ts: Timescale) -> None:
    text = FILE.replace("probability = 2e-4\n", "")
    with pytest.raises(ScenarioFileError, match=r"events\[0\]\.probability: missing"):
        parse_scenario(text, ts=ts, source="s.toml")
