"""The lower bound on drag's fall time that lets a run leave out the entry-interface events
(:mod:`stationsim.propagation.decay_bound`).

Reference: the numerical propagator itself, with the same static exponential density (case B
of the benchmarks): the time it really takes to fall to the guard radius (130 km over the
equatorial radius; measured to 131 km, which comes sooner) must never be shorter than the
bound; and a run that leaves the events out
must give the same orbit as one that keeps them (within 1 m after 30 days: heyoka's step-size
control also reads the events' Taylor coefficients, so the steps may differ slightly).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from stationsim.constants import GM_EARTH_M3_S2, WGS84_A_M
from stationsim.data import load_gravity_field
from stationsim.forces.drag import ConstantDrag
from stationsim.propagation.decay_bound import fall_time_lower_bound_s
from stationsim.propagation.dynamics import ExponentialDensity, ForceModel
from stationsim.propagation.events import Action, ExpressionEvent
from stationsim.propagation.kepler import Elements, state_from_elements
from stationsim.propagation.numerical import Propagator
from stationsim.time import Epoch, Timescale

DENSITY = ExponentialDensity()
GUARD_M = WGS84_A_M + 130e3
#: Where the test's own event stops a member: 1 km above the guard, which the propagator's
#: internal guard event shares (two events at one root: the first one taken wins).
STOP_M = GUARD_M + 1e3


@pytest.fixture(scope="module")
def propagator() -> Propagator:
    return Propagator(ForceModel(gravity=load_gravity_field(), degree=2, order=0, drag=DENSITY,
                                 sun=False, moon=False, thrust=False, orientation="uniform"))


@pytest.fixture(scope="module")
def epoch(ts: Timescale) -> Epoch:
    return ts.from_iso("2022-03-06T00:00:00Z")


def _orbit(height_m: float) -> tuple[np.ndarray, np.ndarray]:
    return state_from_elements(Elements(np.array(WGS84_A_M + height_m), np.array(0.0005),
                                        np.array(np.radians(51.64)), np.array(1.0),
                                        np.array(0.5), np.array(0.2)))


def _guard(dyn):  # type: ignore[no-untyped-def]
    x, y, z = dyn.variables[:3]
    return (x * x + y * y + z * z) / STOP_M ** 2 - 1.0


@pytest.mark.parametrize(("height_km", "ballistic"), [(250.0, 50.0), (300.0, 20.0),
                                                       (350.0, 5.0)])
def test_the_bound_is_below_the_real_fall(propagator: Propagator, epoch: Epoch,
                                          height_km: float, ballistic: float) -> None:
    r, v = _orbit(height_km * 1e3)
    drag = ConstantDrag.from_ballistic_coefficient(ballistic)
    event = ExpressionEvent("guard", _guard, "down", Action.STOP)
    member = propagator.propagate(epoch, r, v, drag=drag, duration_s=400 * 86400.0,
                                  events=[event]).members[0]
    fell = member.event("guard")
    assert fell is not None
    real = float(fell.epoch - epoch)
    bound = fall_time_lower_bound_s(WGS84_A_M + height_km * 1e3, 0.0005, 1.0 / ballistic,
                                    GM_EARTH_M3_S2, GUARD_M, (DENSITY.rho0_kg_m3, DENSITY.h0_m,
                                                              DENSITY.scale_height_m))
    assert 0.0 < bound < real
    assert bound > real / 20.0  # conservative, not useless: measured 8-10x below


def test_a_run_that_cannot_fall_leaves_the_events_out_and_gives_the_same_orbit(
        propagator: Propagator, epoch: Epoch, monkeypatch: pytest.MonkeyPatch) -> None:
    r, v = _orbit(418e3)
    drag = ConstantDrag.from_ballistic_coefficient(1.0 / 0.011)  # case B's
    fast = propagator.propagate(epoch, r, v, drag=drag, duration_s=30 * 86400.0)
    assert fast.statistics["built_in_events"] == 0.0
    monkeypatch.setattr(propagator, "_reentry_impossible", lambda *args: False)
    full = propagator.propagate(epoch, r, v, drag=drag, duration_s=30 * 86400.0)
    assert full.statistics["built_in_events"] == 1.0
    gap = np.linalg.norm(fast.members[0].state[:3] - full.members[0].state[:3])
    assert gap < 1.0


def test_a_run_long_enough_to_fall_keeps_them(propagator: Propagator, epoch: Epoch) -> None:
    r, v = _orbit(300e3)
    drag = ConstantDrag.from_ballistic_coefficient(20.0)
    result = propagator.propagate(epoch, r, v, drag=drag, duration_s=400 * 86400.0)
    assert result.statistics["built_in_events"] == 1.0
    assert result.members[0].status == "reentered"


def test_no_bound_for_eccentric_orbits_or_below_the_floor() -> None:
    args = (GM_EARTH_M3_S2, GUARD_M, (3.7e-12, 400e3, 58e3))
    assert fall_time_lower_bound_s(WGS84_A_M + 400e3, 0.06, 0.01, *args) == 0.0
    assert fall_time_lower_bound_s(WGS84_A_M + 150e3, 0.0, 0.01, *args) == 0.0
    assert fall_time_lower_bound_s(WGS84_A_M + 400e3, 0.0, 0.0, *args) == math.inf
