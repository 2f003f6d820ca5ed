"""Ensembles in SIMD batches (:mod:`stationsim.propagation.batch`) against the scalar path.

Reference: the same :class:`Propagator` with ``simd=False`` (members one after another on the
scalar integrator, whose results are bit for bit those of single runs: ``test_numerical.py``).
Batch and scalar code round differently (vectorised arithmetic), so the comparisons allow
rounding-level differences; each docstring gives the tolerance and the value measured when the
test was written. Step counts are compared exactly: a lane takes the steps its member takes
alone.
"""

from __future__ import annotations

import heyoka as hy
import numpy as np
import numpy.typing as npt
import pytest

from stationsim.constants import GM_EARTH_M3_S2, WGS84_A_M
from stationsim.data import load_gravity_field
from stationsim.forces import ExponentialAtmosphere
from stationsim.forces.drag import ConstantDrag
from stationsim.propagation.dynamics import ExponentialDensity, ForceModel
from stationsim.propagation.events import Action, EpochEvent, HeightEvent, impulsive_burn
from stationsim.propagation.kepler import Elements, elements_from_state, state_from_elements
from stationsim.propagation.numerical import FiniteBurn, PropagationResult, Propagator
from stationsim.time import Epoch, Timescale

Array = npt.NDArray[np.float64]
DAY = 86400.0
LANES = hy.recommended_simd_size()


@pytest.fixture(scope="module")
def epoch(ts: Timescale) -> Epoch:
    return ts.from_iso("2022-03-06T00:00:00Z")


def _orbit(height_m: float, e: float = 0.0005) -> tuple[Array, Array]:
    """An ISS-like orbit (i = 51.64 deg) of semi-major axis ``a + height_m``."""
    return state_from_elements(Elements(np.array(WGS84_A_M + height_m), np.array(e),
                                        np.array(np.radians(51.64)), np.array(1.0),
                                        np.array(0.5), np.array(0.2)))


def _stack(r: Array, v: Array, n: int) -> tuple[Array, Array]:
    return np.repeat(r[None], n, axis=0), np.repeat(v[None], n, axis=0)


def _drags(*ballistic_kg_m2: float) -> list[ConstantDrag]:
    return [ConstantDrag.from_ballistic_coefficient(b) for b in ballistic_kg_m2]


def _assert_same(batch: PropagationResult, scalar: PropagationResult, position_m: float,
                 time_s: float) -> None:
    """Member by member: statuses, event names and members; event epochs within ``time_s``,
    their states and the final and ephemeris states within ``position_m``; the ephemeris
    times exactly."""
    assert len(batch.members) == len(scalar.members)
    for b, s in zip(batch.members, scalar.members, strict=True):
        assert b.status == s.status
        assert [(e.name, e.member) for e in b.events] == [(e.name, e.member) for e in s.events]
        for eb, es in zip(b.events, s.events, strict=True):
            assert abs(float(eb.epoch - es.epoch)) <= time_s
            assert np.linalg.norm(eb.r_gcrf_m - es.r_gcrf_m) <= position_m
            assert abs(eb.height_m - es.height_m) <= position_m
        assert abs(float(b.epoch - s.epoch)) <= time_s
        assert np.linalg.norm(b.state[:3] - s.state[:3]) <= position_m
        assert b.state[6] == pytest.approx(s.state[6], rel=1e-12)
        np.testing.assert_array_equal(b.times_s, s.times_s)
        if b.states.size:
            assert np.max(np.linalg.norm(b.states[:, :3] - s.states[:, :3], axis=1)) <= position_m


# --- propagators ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def j2_drag() -> Propagator:
    """J2 and a static exponential density, ``orientation="uniform"`` (case B's forces)."""
    return Propagator(ForceModel(gravity=load_gravity_field(), degree=2, order=0,
                                 drag=ExponentialDensity(), sun=False, moon=False, thrust=False,
                                 orientation="uniform"))


@pytest.fixture(scope="module")
def falling() -> Propagator:
    """Point mass and a static exponential atmosphere, IAU 2006 Earth."""
    return Propagator(ForceModel(gravity=None, drag=ExponentialDensity(), sun=False,
                                 moon=False, thrust=False))


@pytest.fixture(scope="module")
def thrusting() -> Propagator:
    """Point mass and the thrust terms, tolerance 1e-12."""
    return Propagator(ForceModel(gravity=None, drag=None, sun=False, moon=False, thrust=True),
                      tolerance=1e-12)


# --- members and lanes ------------------------------------------------------------------------
def test_batch_equals_scalar_member_by_member(j2_drag: Propagator, epoch: Epoch) -> None:
    """Ten members (a full batch and a padded one) with ballistic coefficients 20 to
    200 kg/m^2, 1 day, ephemeris every 1800 s: per member, the batch's final state and
    ephemeris are the scalar path's within 1e-5 m (measured 9e-7 m), with the same number of
    steps; each member decays with its own drag (the semi-major axes ordered by the
    coefficients)."""
    n = 10
    r, v = _stack(*_orbit(420e3), n)
    drags = _drags(*np.linspace(20.0, 200.0, n))
    batch = j2_drag.propagate(epoch, r, v, drag=drags, duration_s=DAY, output_step_s=1800.0)
    scalar = j2_drag.propagate(epoch, r, v, drag=drags, duration_s=DAY, output_step_s=1800.0,
                               simd=False)
    assert batch.statistics["simd_lanes"] == LANES and scalar.statistics["simd_lanes"] == 0
    assert batch.statistics["steps"] == scalar.statistics["steps"]
    _assert_same(batch, scalar, position_m=1e-5, time_s=0.0)
    a = [float(elements_from_state(m.state[:3], m.state[3:6]).a_m) for m in batch.members]
    assert np.all(np.diff(a) > 0.0)
    assert batch.members[0].times_s.size == 49


def test_lanes_are_independent_and_padding_is_discarded(j2_drag: Propagator,
                                                         epoch: Epoch) -> None:
    """``LANES + 1`` identical members (the last alone in its batch with ``LANES - 1`` padding
    lanes) give identical results, bit for bit, and exactly one result each; a single member
    with ``simd=True`` (padded) matches the scalar path within 1e-5 m (measured 5e-9 m)."""
    n = LANES + 1
    r, v = _stack(*_orbit(420e3), n)
    drag = ConstantDrag.from_ballistic_coefficient(50.0)
    res = j2_drag.propagate(epoch, r, v, drag=drag, duration_s=DAY / 4, output_step_s=600.0)
    assert len(res.members) == n
    for member in res.members[1:]:
        np.testing.assert_array_equal(member.state, res.members[0].state)
        np.testing.assert_array_equal(member.states, res.members[0].states)
    one = j2_drag.propagate(epoch, r[0], v[0], drag=drag, duration_s=DAY / 4,
                            output_step_s=600.0, simd=True)
    alone = j2_drag.propagate(epoch, r[0], v[0], drag=drag, duration_s=DAY / 4,
                              output_step_s=600.0)
    assert one.statistics["simd_lanes"] == LANES and alone.statistics["simd_lanes"] == 0
    assert len(one.members) == 1
    _assert_same(one, alone, position_m=1e-5, time_s=0.0)


# --- events ------------------------------------------------------------------------------------
def test_one_lane_reenters_the_others_go_on(falling: Propagator, epoch: Epoch) -> None:
    """From a 200 km circular orbit, ballistic coefficients 50, 0.5, 50 and 1 kg/m^2, a 150 km
    CONTINUE event, 1 day, ephemeris every 60 s: members 1 and 3 re-enter (member 1 first) and
    stop at breakup while 0 and 2 go on to the end; per member, the events (names, members,
    epochs within 1e-6 s, positions and heights within 1e-4 m) and the states match the scalar
    path (measured: 4e-10 s and 3e-6 m; the member that trips the entry guard itself takes one
    extra, tiny step right after it, a lane moved on by another's guard does not)."""
    r, v = _stack(*_orbit(200e3, 0.0), 4)
    drags = _drags(50.0, 0.5, 50.0, 1.0)
    events = [HeightEvent("150 km", 150e3, "down")]
    batch = falling.propagate(epoch, r, v, drag=drags, duration_s=DAY, events=events,
                              output_step_s=60.0)
    scalar = falling.propagate(epoch, r, v, drag=drags, duration_s=DAY, events=events,
                               output_step_s=60.0, simd=False)
    assert [m.status for m in batch.members] == ["completed", "reentered", "completed",
                                                 "reentered"]
    assert [e.name for e in batch.members[1].events] == ["150 km", "reentry", "breakup"]
    assert batch.members[0].events == [] and batch.members[2].events == []
    assert float(batch.members[3].epoch - batch.members[1].epoch) > 3000.0
    assert float(batch.members[0].epoch - epoch) == DAY
    assert batch.statistics["guard_trips"] >= 1
    _assert_same(batch, scalar, position_m=1e-4, time_s=1e-6)
    end = float(batch.members[1].epoch - epoch)
    assert batch.members[1].times_s[-1] <= end < batch.members[1].times_s[-1] + 60.0


def test_stop_reset_and_burns_per_lane(thrusting: Propagator, epoch: Epoch) -> None:
    """Three members on a two-body orbit (tolerance 1e-12): an impulsive burn for all at
    t = 3000 s (a RESET_STATE epoch event), a 600 s, 50 N finite burn for member 1 only, and
    a 470 km STOP event that only member 1, raised by its burn, reaches: member 1 stops,
    the others complete; everything matches the scalar path within 1e-6 m and 1e-6 s
    (measured: 7e-10 m, the same epochs)."""
    r, v = _stack(*_orbit(420e3), 3)
    burn = FiniteBurn("burn", epoch + 1000.0, 600.0, 50.0, 300.0, members=(1,))
    events = [impulsive_burn("reboost", epoch + 3000.0, (1.0, 0.0, 0.0), isp_s=300.0),
              HeightEvent("ceiling", 470e3, "up", Action.STOP)]
    args = dict(drag=ConstantDrag(mass_kg=1000.0), duration_s=6000.0, burns=[burn],
                events=events, output_step_s=200.0)
    batch = thrusting.propagate(epoch, r, v, **args)  # type: ignore[arg-type]
    scalar = thrusting.propagate(epoch, r, v, simd=False, **args)  # type: ignore[arg-type]
    assert [m.status for m in batch.members] == ["completed", "stopped", "completed"]
    assert batch.members[1].events[-1].name == "ceiling"
    assert [e.name for e in batch.members[0].events] == ["reboost"]
    masses = [m.state[6] for m in batch.members]
    assert masses[1] < masses[0] == masses[2] < 1000.0
    _assert_same(batch, scalar, position_m=1e-6, time_s=1e-6)


# --- fitted density ------------------------------------------------------------------------------
def test_fitted_density_per_lane(epoch: Epoch) -> None:
    """Drag by a density fit (Vallado's exponential atmosphere), point mass:

    * three members at 420 km (ballistic coefficients 50, 100, 150 kg/m^2), 1 day: one fit
      per member and window as in the scalar path (same count), states within 1e-5 m
      (measured 7e-7 m);
    * two members from 200 km (0.5 and 20 kg/m^2), 1 day: both re-enter; the batch gives the
      long-lived member the short windows its partner needs near its re-entry (more fits than
      the scalar path), which moves its re-entry by less than 1e-3 of its lifetime (measured
      3.6 s of 13.7 hours); the partner's events match the scalar path within 1e-6 s.
    """
    prop = Propagator(ForceModel(gravity=None, drag="fit", sun=False, moon=False, thrust=False),
                      atmosphere=ExponentialAtmosphere())
    r, v = _stack(*_orbit(420e3), 3)
    drags = _drags(50.0, 100.0, 150.0)
    batch = prop.propagate(epoch, r, v, drag=drags, duration_s=DAY)
    scalar = prop.propagate(epoch, r, v, drag=drags, duration_s=DAY, simd=False)
    assert batch.statistics["density_fits"] == scalar.statistics["density_fits"] > 0
    _assert_same(batch, scalar, position_m=1e-5, time_s=0.0)

    r, v = _stack(*_orbit(200e3, 0.0), 2)
    drags = _drags(0.5, 20.0)
    batch = prop.propagate(epoch, r, v, drag=drags, duration_s=DAY)
    scalar = prop.propagate(epoch, r, v, drag=drags, duration_s=DAY, simd=False)
    assert [m.status for m in batch.members] == ["reentered", "reentered"]
    assert batch.statistics["density_fits"] > scalar.statistics["density_fits"]
    first_b, first_s = batch.members[0], scalar.members[0]
    assert abs(float(first_b.epoch - first_s.epoch)) <= 1e-6
    life_b = float(batch.members[1].epoch - epoch)
    life_s = float(scalar.members[1].epoch - epoch)
    assert abs(life_b - life_s) < 1e-3 * life_s


# --- progress and the built-in events -------------------------------------------------------------
def test_progress_in_batches(j2_drag: Propagator, epoch: Epoch) -> None:
    """The progress callback of a batched run rises from near 0 to 1, never going back."""
    seen: list[float] = []
    r, v = _stack(*_orbit(420e3), LANES + 2)
    j2_drag.propagate(epoch, r, v, drag=ConstantDrag.from_ballistic_coefficient(50.0),
                      duration_s=DAY / 8, progress=seen.append)
    assert seen and np.all(np.diff(seen) >= 0.0) and seen[-1] == pytest.approx(1.0)
    assert 0.0 < seen[0] < 1.0


def test_built_in_events_only_where_they_can_occur(thrusting: Propagator,
                                                   epoch: Epoch) -> None:
    """No drag, no burns: an ISS orbit runs without the built-in height events; a perigee at
    110 km (apogee 600 km) keeps them and records the entry interface at every pass below
    120 km, and so does the ISS orbit with an impulsive burn (which could lower it)."""
    r, v = _orbit(420e3)
    mass = ConstantDrag(mass_kg=1000.0)
    high = thrusting.propagate(epoch, r, v, drag=mass, duration_s=6000.0)
    assert high.statistics["built_in_events"] == 0.0
    a = WGS84_A_M + 0.5 * (110e3 + 600e3)
    e = 0.5 * (600e3 - 110e3) / a
    rl, vl = state_from_elements(Elements(np.array(a), np.array(e), np.array(np.radians(51.64)),
                                          np.array(1.0), np.array(0.5), np.array(0.2)))
    low = thrusting.propagate(epoch, rl, vl, drag=mass, duration_s=6000.0)
    assert low.statistics["built_in_events"] == 1.0
    assert low.members[0].status == "completed"
    assert low.members[0].event("reentry") is not None
    burn = impulsive_burn("kick", epoch + 1000.0, (-1.0, 0.0, 0.0))
    kicked = thrusting.propagate(epoch, r, v, drag=mass, duration_s=6000.0, events=[burn])
    assert kicked.statistics["built_in_events"] == 1.0


def _drop_to_125_km(state: Array) -> Array:
    """The state moved to 125 km above the equatorial radius at 0.99 of the circular speed."""
    out = np.array(state, copy=True)
    radius = WGS84_A_M + 125e3
    out[:3] = state[:3] / np.linalg.norm(state[:3]) * radius
    speed = 0.99 * np.sqrt(GM_EARTH_M3_S2 / radius)
    out[3:6] = state[3:6] / np.linalg.norm(state[3:6]) * speed
    return out


def test_reset_below_the_entry_guard(thrusting: Propagator, epoch: Epoch) -> None:
    """An epoch event that puts the member below the entry guard (125 km, no crossing to
    detect) at 0.99 of the circular speed moves it on to the built-in events: "reentry" and
    "breakup" follow, status "reentered", alone and in a batch (epochs within 1e-6 s;
    measured: the same)."""
    r, v = _orbit(420e3)
    drop = EpochEvent("drop", epoch + 600.0, Action.RESET_STATE, _drop_to_125_km)
    mass = ConstantDrag(mass_kg=1000.0)
    alone = thrusting.propagate(epoch, r, v, drag=mass, duration_s=6000.0, events=[drop])
    rs, vs = _stack(r, v, 2)
    batch = thrusting.propagate(epoch, rs, vs, drag=mass, duration_s=6000.0, events=[drop])
    assert alone.statistics["guard_trips"] == batch.statistics["guard_trips"] == 1
    for member in (alone.members[0], *batch.members):
        assert member.status == "reentered"
        assert [e.name for e in member.events] == ["drop", "reentry", "breakup"]
        assert abs(float(member.epoch - alone.members[0].epoch)) <= 1e-6
