"""Validation of the numerical propagator (:mod:`stationsim.propagation.numerical`).

References, one per test (each docstring names it with its tolerance and the value measured
when the test was written):

* two-body motion: the analytic Kepler solution of :mod:`stationsim.propagation.kepler`;
* the Jacobi integral of motion in a uniformly rotating 8 x 8 field, with a potential written
  here (fully normalised Legendre functions by the forward column recursion, Holmes &
  Featherstone 2002, J. Geodesy 76, eqs. 11-13; the expansion of Montenbruck & Gill 2000,
  eq. 3.89), independent of the acceleration under test;
* events: WGS-84 geodetic heights of :mod:`stationsim.frames`; the Kepler period;
* burns: vis-viva, Gauss's first-order ``da = 2 a^2 v dv / mu``, Tsiolkovsky's rocket equation,
  and a SciPy DOP853 integration of the same equations written here;
* drag: the circular-orbit decay ``da/dt = -rho (C_D A / m) sqrt(mu a)`` with King-Hele's
  factor for the rotating atmosphere ``F = (1 - r w cos i / v)^2`` (King-Hele, *Theory of
  Satellite Orbits in an Atmosphere*, 1964), and a SciPy DOP853 integration (rtol 1e-11) of
  J2 + exponential density + co-rotating air written here (J2 acceleration: Vallado, 4th ed.,
  eq. 8-32).
"""

from __future__ import annotations

from collections.abc import Callable

import heyoka as hy
import numpy as np
import numpy.typing as npt
import pytest
from scipy.integrate import solve_ivp  # type: ignore[import-untyped]

from stationsim.constants import GM_EARTH_M3_S2, WGS84_A_M
from stationsim.data import load_gravity_field
from stationsim.errors import PropagationError, StationsimError
from stationsim.forces.drag import ConstantDrag
from stationsim.forces.gravity import GravityField
from stationsim.forces.thrust import STANDARD_GRAVITY_M_S2
from stationsim.frames import earth_rotation, gcrf_to_itrf_position, itrf_to_geodetic
from stationsim.propagation.dynamics import Dynamics, ExponentialDensity, ForceModel
from stationsim.propagation.events import (
    Action,
    EventRecord,
    ExpressionEvent,
    HeightEvent,
    impulsive_burn,
)
from stationsim.propagation.kepler import Elements, elements_from_state, state_from_elements
from stationsim.propagation.numerical import FiniteBurn, PropagationResult, Propagator
from stationsim.time import Epoch, Timescale

Array = npt.NDArray[np.float64]

#: The spin rate of ``orientation="uniform"`` (the parameter's default) [rad/s].
OMEGA = 7.292115146706979e-5
DAY = 86400.0


# --- fixtures --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def epoch(ts: Timescale) -> Epoch:
    return ts.from_iso("2022-03-06T00:00:00Z")


@pytest.fixture(scope="module")
def egm96() -> GravityField:
    return load_gravity_field()


def _iss_elements(height_m: float = 420e3, e: float = 0.0005) -> Elements:
    return Elements(np.array(WGS84_A_M + height_m), np.array(e), np.array(np.radians(51.64)),
                    np.array(1.0), np.array(0.5), np.array(0.2))


@pytest.fixture(scope="module")
def iss() -> tuple[Elements, Array, Array]:
    """An ISS-like orbit: 420 km, e = 0.0005, i = 51.64 deg."""
    el = _iss_elements()
    r, v = state_from_elements(el)
    return el, r, v


_POINT_MASS = ForceModel(gravity=None, drag=None, sun=False, moon=False, thrust=False)


@pytest.fixture(scope="module")
def two_body() -> Propagator:
    """Point mass, the default tolerance 1e-9."""
    return Propagator(_POINT_MASS)


@pytest.fixture(scope="module")
def two_body_tight() -> Propagator:
    """Point mass, tolerance 1e-12."""
    return Propagator(_POINT_MASS, tolerance=1e-12)


@pytest.fixture(scope="module")
def thrusting() -> Propagator:
    """Point mass and the thrust terms."""
    return Propagator(ForceModel(gravity=None, drag=None, sun=False, moon=False, thrust=True),
                      tolerance=1e-12)


@pytest.fixture(scope="module")
def falling() -> Propagator:
    """Point mass and a static exponential atmosphere, IAU 2006 Earth (so that the heights
    of the events are those of :mod:`stationsim.frames`)."""
    return Propagator(ForceModel(gravity=None, drag=ExponentialDensity(), sun=False,
                                 moon=False, thrust=False))


def _kepler_state(el: Elements, dt: float, mu: float = GM_EARTH_M3_S2) -> tuple[Array, Array]:
    n = np.sqrt(mu / el.a_m ** 3)
    moved = Elements(el.a_m, el.e, el.i_rad, el.raan_rad, el.argp_rad,
                     np.mod(el.m_rad + n * dt, 2 * np.pi))
    return state_from_elements(moved, mu)


def _height(record: EventRecord) -> float:
    itrf = gcrf_to_itrf_position(record.epoch, record.r_gcrf_m)
    return float(itrf_to_geodetic(itrf)[2])


def _vis_viva_a(r: Array, v: Array, mu: float = GM_EARTH_M3_S2) -> float:
    return float(1.0 / (2.0 / np.linalg.norm(r) - np.dot(v, v) / mu))


# --- two-body --------------------------------------------------------------------------------
def test_two_body_matches_kepler(two_body_tight: Propagator, epoch: Epoch,
                                 iss: tuple[Elements, Array, Array]) -> None:
    """Point mass, ISS orbit, 1 day, tolerance 1e-12: position within 1 mm (the requirement)
    and velocity within 1e-6 m/s of the Kepler solution. Measured: 2.2e-7 m, 3e-10 m/s."""
    el, r, v = iss
    member = two_body_tight.propagate(epoch, r, v, duration_s=DAY).members[0]
    rk, vk = _kepler_state(el, DAY)
    assert member.status == "completed"
    assert float(member.epoch - epoch) == DAY
    assert np.linalg.norm(member.state[:3] - rk) < 1e-3
    assert np.linalg.norm(member.state[3:6] - vk) < 1e-6


def test_two_body_default_tolerance(two_body: Propagator, epoch: Epoch,
                                    iss: tuple[Elements, Array, Array]) -> None:
    """At the default tolerance (1e-9) the class documents "about 0.05 m over a day": within
    0.05 m of Kepler after 1 day. Measured: 6.7 mm (0.54 mm at 1e-10, 1.3e-6 m at 1e-11: the
    1 mm requirement needs a tolerance of 1e-10 or below)."""
    el, r, v = iss
    member = two_body.propagate(epoch, r, v, duration_s=DAY).members[0]
    rk, _ = _kepler_state(el, DAY)
    assert np.linalg.norm(member.state[:3] - rk) < 0.05


# --- Jacobi integral -------------------------------------------------------------------------
def _sh_potential(field: GravityField, degree: int, r_body: Array) -> Array:
    """``U = mu/r sum_n (a/r)^n sum_m Pbar_nm(sin phi) (C cos m lam + S sin m lam)``
    [m^2/s^2] at body-fixed positions ``(N, 3)``, written here independently of heyoka."""
    x, y, z = r_body.T
    rn = np.sqrt(x * x + y * y + z * z)
    t = z / rn
    u = np.sqrt(x * x + y * y) / rn
    lam = np.arctan2(y, x)
    p = np.zeros((degree + 1, degree + 1, rn.size))
    p[0, 0] = 1.0
    for m in range(1, degree + 1):
        p[m, m] = (np.sqrt(3.0) if m == 1 else np.sqrt((2 * m + 1) / (2 * m))) * u * p[m - 1, m - 1]
    for m in range(degree + 1):
        if m + 1 <= degree:
            p[m + 1, m] = np.sqrt(2 * m + 3) * t * p[m, m]
        for n in range(m + 2, degree + 1):
            a_nm = np.sqrt((2 * n - 1) * (2 * n + 1) / ((n - m) * (n + m)))
            b_nm = np.sqrt((2 * n + 1) * (n + m - 1) * (n - m - 1)
                           / ((n - m) * (n + m) * (2 * n - 3)))
            p[n, m] = a_nm * t * p[n - 1, m] - b_nm * p[n - 2, m]
    total = np.zeros(rn.size)
    for n in range(degree + 1):
        inner = np.zeros(rn.size)
        for m in range(n + 1):
            inner += p[n, m] * (field.c[n, m] * np.cos(m * lam) + field.s[n, m] * np.sin(m * lam))
        total += (field.radius_m / rn) ** n * inner
    return np.asarray(field.mu_m3_s2 / rn * total)


def test_sh_potential_gradient_is_the_propagator_field(egm96: GravityField) -> None:
    """The test's potential is the one behind the accelerations: its central-difference
    gradient matches :func:`gravity_acceleration_body` to 1e-9 relative (a check of this
    test's reference, not of the propagator)."""
    from stationsim.forces.gravity import gravity_acceleration_body

    rng = np.random.default_rng(3)
    r = rng.normal(size=(10, 3))
    r *= (6.8e6 / np.linalg.norm(r, axis=1))[:, None]
    step = 20.0  # m: rounding (U ~ 6e7) and truncation errors both near 1e-11 relative
    grad = np.stack([(_sh_potential(egm96, 8, r + step * e)
                      - _sh_potential(egm96, 8, r - step * e)) / (2 * step)
                     for e in np.eye(3)], axis=1)
    acc = gravity_acceleration_body(egm96, r, 8, 8)
    assert np.max(np.linalg.norm(grad - acc, axis=1) / np.linalg.norm(acc, axis=1)) < 1e-9


def test_jacobi_integral_8x8(egm96: GravityField, epoch: Epoch,
                             iss: tuple[Elements, Array, Array]) -> None:
    """EGM96 8 x 8, no drag, ``orientation="uniform"`` (the Earth spins about z at w),
    10 days, tolerance 1e-9: the Jacobi integral ``C = |v|^2/2 - w . (r x v) - U(r_body)`` is
    conserved to 1e-9 relative (the requirement) on a 600 s grid. The body frame follows the
    propagator's own rotation angle (ERA at each UTC midnight, then w t). Measured: 3.8e-10
    (2.4e-12 at tolerance 1e-12)."""
    _, r, v = iss
    prop = Propagator(ForceModel(gravity=egm96, degree=8, drag=None, sun=False, moon=False,
                                 thrust=False, orientation="uniform"))
    member = prop.propagate(epoch, r, v, duration_s=10 * DAY, output_step_s=600.0).members[0]
    t, y = member.times_s, member.states
    assert t.size == 1441 and t[-1] == 10 * DAY
    day_start = DAY * np.floor(t / DAY)
    era = {d: float(earth_rotation(epoch + d).era_rad) for d in np.unique(day_start)}
    theta = np.array([era[d] for d in day_start]) + OMEGA * (t - day_start)
    c, s = np.cos(theta), np.sin(theta)
    r_body = np.stack([c * y[:, 0] + s * y[:, 1], -s * y[:, 0] + c * y[:, 1], y[:, 2]], axis=1)
    jacobi = (0.5 * np.sum(y[:, 3:6] ** 2, axis=1)
              - OMEGA * (y[:, 0] * y[:, 4] - y[:, 1] * y[:, 3])
              - _sh_potential(egm96, 8, r_body))
    assert np.max(np.abs(jacobi - jacobi[0])) / abs(jacobi[0]) < 1e-9


# --- events ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def reentry(falling: Propagator, epoch: Epoch) -> PropagationResult:
    """A 0.5 kg/m^2 object from a 200 km circular orbit, with a 150 km CONTINUE event."""
    r, v = state_from_elements(Elements(np.array(WGS84_A_M + 200e3), np.array(0.0),
                                        np.array(np.radians(51.64)), np.array(1.0),
                                        np.array(0.0), np.array(0.2)))
    drag = ConstantDrag.from_ballistic_coefficient(0.5)
    return falling.propagate(epoch, r, v, drag=drag, duration_s=10 * DAY,
                             events=[HeightEvent("150 km", 150e3, "down")],
                             output_step_s=60.0)


def test_reentry_and_breakup(reentry: PropagationResult, epoch: Epoch) -> None:
    """The built-in events: "reentry" at 120 km and "breakup" at 78 km geodetic height
    (WGS-84 through :mod:`stationsim.frames`), each within 10 m; status "reentered", breakup
    after reentry, the run ends at breakup. Measured: 0.13 m and 0.31 m."""
    member = reentry.members[0]
    assert member.status == "reentered"
    entry, breakup = member.event("reentry"), member.event("breakup")
    assert entry is not None and breakup is not None
    assert abs(_height(entry) - 120e3) < 10.0
    assert abs(_height(breakup) - 78e3) < 10.0
    assert entry.height_m == pytest.approx(_height(entry), abs=1e-6)
    assert float(breakup.epoch - entry.epoch) > 0.0
    assert float(member.epoch - breakup.epoch) == 0.0
    np.testing.assert_array_equal(member.state[:3], breakup.r_gcrf_m)
    assert member.events[-1] is breakup
    assert member.times_s[-1] <= float(breakup.epoch - epoch)


def test_user_height_event_continues(reentry: PropagationResult) -> None:
    """A user HeightEvent with CONTINUE is recorded (at 150 km within 10 m; measured 2.4 m)
    and the run goes on to re-entry."""
    member = reentry.members[0]
    names = [e.name for e in member.events]
    assert names == ["150 km", "reentry", "breakup"]
    assert abs(_height(member.events[0]) - 150e3) < 10.0


def test_ephemeris_stops_at_breakup(reentry: PropagationResult, epoch: Epoch) -> None:
    """The recorder's grid runs from 0 in 60 s steps, strictly increasing, up to the last
    grid time before breakup, across the CONTINUE events."""
    member = reentry.members[0]
    t = member.times_s
    end = float(member.epoch - epoch)
    np.testing.assert_array_equal(t, np.arange(0.0, end, 60.0)[: t.size])
    assert t.size == int(np.floor(end / 60.0)) + 1


def test_ensemble_members_equal_single_runs(falling: Propagator, epoch: Epoch) -> None:
    """Three members (ballistic coefficients 0.5, 1 and 0.5 kg/m^2) run together on the
    scalar integrator (``simd=False``) give the events, statuses and ephemerides of three
    separate runs, bit for bit (nothing of one member leaks into the next: fits, segments,
    terminal events). SIMD batches: ``test_batch.py``."""
    r, v = state_from_elements(Elements(np.array(WGS84_A_M + 200e3), np.array(0.0),
                                        np.array(np.radians(51.64)), np.array(1.0),
                                        np.array(0.0), np.array(0.2)))
    coefficients = (0.5, 1.0, 0.5)
    drags = [ConstantDrag.from_ballistic_coefficient(b) for b in coefficients]
    events = [HeightEvent("150 km", 150e3, "down")]
    together = falling.propagate(epoch, np.stack([r] * 3), np.stack([v] * 3), drag=drags,
                                 duration_s=DAY, events=events, output_step_s=60.0,
                                 simd=False)
    for member, drag in zip(together.members, drags, strict=True):
        alone = falling.propagate(epoch, r, v, drag=drag, duration_s=DAY, events=events,
                                  output_step_s=60.0).members[0]
        assert member.status == alone.status == "reentered"
        assert [e.name for e in member.events] == [e.name for e in alone.events]
        assert all(float(a.epoch - b.epoch) == 0.0
                   for a, b in zip(member.events, alone.events, strict=True))
        np.testing.assert_array_equal(member.states, alone.states)
    assert float(together.members[1].epoch - together.members[0].epoch) > 3000.0


def test_stop_event(falling: Propagator, epoch: Epoch) -> None:
    """A HeightEvent with STOP at 160 km ends the run there: status "stopped", final state
    at 160 km (10 m), no re-entry."""
    r, v = state_from_elements(Elements(np.array(WGS84_A_M + 200e3), np.array(0.0),
                                        np.array(np.radians(51.64)), np.array(1.0),
                                        np.array(0.0), np.array(0.2)))
    drag = ConstantDrag.from_ballistic_coefficient(0.5)
    member = falling.propagate(epoch, r, v, drag=drag, duration_s=10 * DAY,
                               events=[HeightEvent("floor", 160e3, "down",
                                                   Action.STOP)]).members[0]
    assert member.status == "stopped"
    assert [e.name for e in member.events] == ["floor"]
    assert abs(_height(member.events[0]) - 160e3) < 10.0
    assert float(member.epoch - member.events[0].epoch) == 0.0


def test_ascending_nodes_follow_the_kepler_period(two_body: Propagator, epoch: Epoch,
                                                  iss: tuple[Elements, Array, Array]) -> None:
    """An ExpressionEvent on z crossing upwards (the ascending node) on a two-body orbit
    recurs with the Kepler period 2 pi sqrt(a^3/mu) within 1 s, with z = 0 (1 mm) and
    vz > 0 at each. Measured: 2.5e-8 s, z below 1e-9 m."""
    el, r, v = iss
    node = ExpressionEvent("ascending node", lambda dyn: dyn.variables[2], "up")
    member = two_body.propagate(epoch, r, v, duration_s=6 * 5600.0, events=[node]).members[0]
    nodes = [e for e in member.events if e.name == "ascending node"]
    assert len(nodes) >= 5
    period = 2 * np.pi * np.sqrt(float(el.a_m) ** 3 / GM_EARTH_M3_S2)
    gaps = np.diff([float(e.epoch - epoch) for e in nodes])
    assert np.max(np.abs(gaps - period)) < 1.0
    for e in nodes:
        assert abs(e.r_gcrf_m[2]) < 1e-3
        assert e.v_gcrf_m_s[2] > 0.0


def _coordinate(axis: int) -> Callable[[Dynamics], hy.expression]:
    return lambda dyn: dyn.variables[axis]


def test_expression_events_with_the_same_name_are_distinct(
        two_body: Propagator, epoch: Epoch, iss: tuple[Elements, Array, Array]) -> None:
    """Two ExpressionEvents with the same name but different functions (x = 0, then
    z = 0) each find their own roots: the compiled integrator is not reused for the second."""
    _, r, v = iss
    found = {}
    for axis in (0, 2):
        event = ExpressionEvent("crossing", _coordinate(axis), "up")
        member = two_body.propagate(epoch, r, v, duration_s=6000.0, events=[event]).members[0]
        found[axis] = member.events[0]
    assert abs(found[0].r_gcrf_m[0]) < 1e-3 and abs(found[0].r_gcrf_m[2]) > 1e5
    assert abs(found[2].r_gcrf_m[2]) < 1e-3 and abs(found[2].r_gcrf_m[0]) > 1e5


# --- burns -----------------------------------------------------------------------------------
def test_impulsive_burn(thrusting: Propagator, epoch: Epoch,
                        iss: tuple[Elements, Array, Array]) -> None:
    """A 1 m/s along-track impulsive burn (Isp 300 s) at t = 3000 s on a two-body orbit: the
    semi-major axis after it is vis-viva's from the recorded state plus dv, to 1e-6 of the
    change (1775 m; measured 1.6e-12); Gauss's first-order da = 2 a^2 v dv / mu to 1e-3 of it
    (neglected terms of order dv/v = 1.3e-4; measured 3.3e-4); the mass m0 exp(-dv / (Isp g0))
    to 1e-12 (measured: exact)."""
    _, r, v = iss
    m0 = 420e3
    burn = impulsive_burn("reboost", epoch + 3000.0, (1.0, 0.0, 0.0), isp_s=300.0)
    member = thrusting.propagate(epoch, r, v, drag=ConstantDrag(mass_kg=m0),
                                 duration_s=6000.0, events=[burn]).members[0]
    record = member.event("reboost")
    assert record is not None
    assert float(record.epoch - epoch) == 3000.0
    assert record.mass_kg == m0  # recorded before the state change
    rb, vb = record.r_gcrf_m, record.v_gcrf_m_s
    a_before = _vis_viva_a(rb, vb)
    a_after = _vis_viva_a(rb, vb + vb / np.linalg.norm(vb))
    a_end = float(elements_from_state(member.state[:3], member.state[3:6]).a_m)
    assert abs((a_end - a_before) / (a_after - a_before) - 1.0) < 1e-6
    gauss = 2.0 * a_before ** 2 * np.linalg.norm(vb) * 1.0 / GM_EARTH_M3_S2
    assert abs((a_end - a_before) / gauss - 1.0) < 1e-3
    expected_mass = m0 * np.exp(-1.0 / (300.0 * STANDARD_GRAVITY_M_S2))
    assert member.state[6] == pytest.approx(expected_mass, rel=1e-12)


def _thrust_ode(force: float, isp: float, direction: Array) -> Callable[[float, Array], Array]:
    """Point mass plus a VNC-fixed thrust with mass flow, for SciPy."""
    def rhs(_t: float, y: Array) -> Array:
        r, v, m = y[:3], y[3:6], y[6]
        acc = -GM_EARTH_M3_S2 * r / np.linalg.norm(r) ** 3
        if force:
            vv = v / np.linalg.norm(v)
            h = np.cross(r, v)
            nn = h / np.linalg.norm(h)
            cc = np.cross(vv, nn)
            acc = acc + force / m * (direction[0] * vv + direction[1] * nn + direction[2] * cc)
        return np.concatenate([v, acc, [-force / (isp * STANDARD_GRAVITY_M_S2)]])
    return rhs


def test_finite_burn(thrusting: Propagator, epoch: Epoch,
                     iss: tuple[Elements, Array, Array]) -> None:
    """A 600 s, 50 N, Isp 300 s burn of a 1000 kg craft (directions VNC (1, 0.2, 0.1)) from
    t = 1000 s, on a two-body orbit, then 1400 s coasting:

    * final mass m0 - F t / (Isp g0) to 1e-9 relative (measured: exact);
    * the state against SciPy DOP853 (rtol 1e-13) of the same equations, integrated across
      the burn's ends: position within 1 mm, specific energy change to 1e-6 (measured
      3.5e-7 m and 3e-12);
    * a purely along-track burn (30.15 m/s): the energy change over v dv, dv from the rocket
      equation and v the mean of the speeds at the burn's start and end, within 1 % (the
      speed is not linear in time over the burn; measured 0.014 %).
    """
    _, r, v = iss
    m0, force, isp, start, length = 1000.0, 50.0, 300.0, 1000.0, 600.0
    for direction in ((1.0, 0.2, 0.1), (1.0, 0.0, 0.0)):
        burn = FiniteBurn("burn", epoch + start, length, force, isp, direction)
        member = thrusting.propagate(epoch, r, v, drag=ConstantDrag(mass_kg=m0),
                                     duration_s=3000.0, burns=[burn],
                                     output_step_s=200.0).members[0]
        m1 = m0 - force * length / (isp * STANDARD_GRAVITY_M_S2)
        assert member.state[6] == pytest.approx(m1, rel=1e-9)
        unit = np.asarray(direction) / np.linalg.norm(direction)
        y = np.concatenate([r, v, [m0]])
        for t0, t1, f in ((0.0, start, 0.0), (start, start + length, force),
                          (start + length, 3000.0, 0.0)):
            sol = solve_ivp(_thrust_ode(f, isp, unit), (t0, t1), y, method="DOP853",
                            rtol=1e-13, atol=1e-9)
            y = sol.y[:, -1]
        assert np.linalg.norm(member.state[:3] - y[:3]) < 1e-3

        def energy(s: Array) -> float:
            return float(0.5 * np.dot(s[3:6], s[3:6]) - GM_EARTH_M3_S2 / np.linalg.norm(s[:3]))

        e0 = energy(np.concatenate([r, v]))
        assert (energy(member.state) - e0) / (energy(y) - e0) == pytest.approx(1.0, abs=1e-6)
        if direction == (1.0, 0.0, 0.0):
            dv = isp * STANDARD_GRAVITY_M_S2 * np.log(m0 / m1)
            ends = np.searchsorted(member.times_s, [start, start + length])
            assert np.array_equal(member.times_s[ends], [start, start + length])
            speed = float(np.mean(np.linalg.norm(member.states[ends, 3:6], axis=1)))
            assert (energy(member.state) - e0) / (speed * dv) == pytest.approx(1.0, abs=0.01)


def test_burn_for_other_members_only(thrusting: Propagator, epoch: Epoch,
                                     iss: tuple[Elements, Array, Array]) -> None:
    """A burn restricted to member 1 leaves member 0 on its two-body orbit (mass unchanged,
    same state as a run without burns)."""
    _, r, v = iss
    burn = FiniteBurn("burn", epoch + 100.0, 100.0, 50.0, 300.0, members=(1,))
    res = thrusting.propagate(epoch, np.stack([r, r]), np.stack([v, v]),
                              drag=ConstantDrag(mass_kg=1000.0), duration_s=600.0,
                              burns=[burn])
    alone = thrusting.propagate(epoch, r, v, drag=ConstantDrag(mass_kg=1000.0),
                                duration_s=600.0).members[0]
    assert res.members[0].state[6] == 1000.0
    assert res.members[1].state[6] < 1000.0
    assert np.linalg.norm(res.members[0].state[:3] - alone.state[:3]) < 1e-6


# --- ephemeris recorder ----------------------------------------------------------------------
@pytest.mark.parametrize("orientation", ["uniform", "iau2006"])
def test_ephemeris_matches_separate_runs(orientation: str, egm96: GravityField, epoch: Epoch,
                                         iss: tuple[Elements, Array, Array]) -> None:
    """``output_step_s`` = 1800 s over 1.5 days (EGM96 4 x 4, Sun, Moon, exponential drag):
    each grid state equals the final state of a separate run stopped at that time, within
    1e-6 m (measured: 0, bit for bit; before the fix of the window orientation, up to 5 cm
    with "iau2006", the orientation having depended on the run's end)."""
    _, r, v = iss
    prop = Propagator(ForceModel(gravity=egm96, degree=4, drag=ExponentialDensity(),
                                 sun=True, moon=True, thrust=False,
                                 orientation=orientation))  # type: ignore[arg-type]
    drag = ConstantDrag(mass_kg=1000.0, area_m2=5.0)
    member = prop.propagate(epoch, r, v, drag=drag, duration_s=1.5 * DAY,
                            output_step_s=1800.0).members[0]
    np.testing.assert_array_equal(member.times_s, np.arange(0.0, 1.5 * DAY + 1.0, 1800.0))
    np.testing.assert_array_equal(member.states[0, :6], np.concatenate([r, v]))
    np.testing.assert_array_equal(member.states[-1], member.state)
    for k in (1, 17, 48, 50):
        alone = prop.propagate(epoch, r, v, drag=drag,
                               duration_s=float(member.times_s[k])).members[0]
        assert np.linalg.norm(alone.state[:3] - member.states[k, :3]) < 1e-6


# --- drag ------------------------------------------------------------------------------------
def test_decay_matches_circular_orbit_formula(epoch: Epoch) -> None:
    """Point mass + static exponential density (3.725e-12 kg/m^3 at 400 km, H = 58.515 km)
    on a circular 400 km, 51.64 deg orbit, C_D A / m = 0.05 m^2/kg, 1 day: the decay of the
    semi-major axis is ``rho (C_D A/m) sqrt(mu a) F dt`` (rho at the mean height of the day,
    F King-Hele's co-rotation factor, 0.922 here) within 2 %. Measured: 0.07 % (without F
    the formula is 7.8 % off)."""
    el = Elements(np.array(WGS84_A_M + 400e3), np.array(0.0), np.array(np.radians(51.64)),
                  np.array(1.0), np.array(0.0), np.array(0.2))
    r, v = state_from_elements(el)
    density = ExponentialDensity()
    prop = Propagator(ForceModel(gravity=None, drag=density, sun=False, moon=False,
                                 thrust=False, orientation="uniform"))
    drag = ConstantDrag(mass_kg=1000.0, drag_coefficient=2.0, area_m2=25.0)
    member = prop.propagate(epoch, r, v, drag=drag, duration_s=DAY).members[0]
    a0 = float(el.a_m)
    a1 = float(elements_from_state(member.state[:3], member.state[3:6]).a_m)
    a_mid = 0.5 * (a0 + a1)
    rho = density.rho0_kg_m3 * np.exp(-(a_mid - WGS84_A_M - density.h0_m)
                                      / density.scale_height_m)
    king_hele = (1.0 - a0 * OMEGA * np.cos(float(el.i_rad)) / np.sqrt(GM_EARTH_M3_S2 / a0)) ** 2
    predicted = -rho * (1.0 / drag.ballistic_coefficient_kg_m2) * np.sqrt(
        GM_EARTH_M3_S2 * a_mid) * king_hele * DAY
    assert predicted < -500.0  # a measurable decay (about 780 m)
    assert (a1 - a0) / predicted == pytest.approx(1.0, abs=0.02)


def test_drag_matches_scipy(egm96: GravityField, epoch: Epoch,
                            iss: tuple[Elements, Array, Array]) -> None:
    """J2 + static exponential density (above the sphere of radius 6378137 m) + air
    co-rotating about z, ``orientation="uniform"``, C_D A / m = 0.05 m^2/kg, 1 day: the
    propagator (tolerance 1e-9) and SciPy DOP853 (rtol 1e-11) of the same equations written
    here agree within 1 m. Measured: 0.037 m."""
    _, r, v = iss
    density = ExponentialDensity()
    prop = Propagator(ForceModel(gravity=egm96, degree=2, order=0, drag=density, sun=False,
                                 moon=False, thrust=False, orientation="uniform"))
    drag = ConstantDrag(mass_kg=1000.0, drag_coefficient=2.0, area_m2=25.0)
    member = prop.propagate(epoch, r, v, drag=drag, duration_s=DAY).members[0]
    mu, radius, j2 = egm96.mu_m3_s2, egm96.radius_m, egm96.zonal_j(2)
    cd_area = drag.drag_coefficient * drag.area_m2

    def rhs(_t: float, y: Array) -> Array:
        x, vel, m = y[:3], y[3:6], y[6]
        rn = np.linalg.norm(x)
        zz = (x[2] / rn) ** 2
        k = -1.5 * j2 * mu * radius ** 2 / rn ** 5
        acc = -mu * x / rn ** 3 + k * np.array([x[0] * (1 - 5 * zz), x[1] * (1 - 5 * zz),
                                                x[2] * (3 - 5 * zz)])
        v_rel = vel - np.array([-OMEGA * x[1], OMEGA * x[0], 0.0])
        rho = density.rho0_kg_m3 * np.exp(-(rn - WGS84_A_M - density.h0_m)
                                          / density.scale_height_m)
        acc = acc - 0.5 * rho * cd_area / m * np.linalg.norm(v_rel) * v_rel
        return np.concatenate([vel, acc, [0.0]])

    sol = solve_ivp(rhs, (0.0, DAY), np.concatenate([r, v, [drag.mass_kg]]), method="DOP853",
                    rtol=1e-11, atol=1e-6)
    assert sol.success
    assert np.linalg.norm(sol.y[:3, -1] - member.state[:3]) < 1.0


# --- bad input -------------------------------------------------------------------------------
@pytest.mark.parametrize(("kwargs", "message"), [
    ({"r": [np.nan, 0.0, 7e6]}, "NaN"),
    ({"v": [0.0, np.inf, 0.0]}, "NaN or infinite"),
    ({"r": [7e6, 0.0]}, "(N, 3)"),
    ({"r": np.zeros((2, 3)) + 7e6}, "(N, 3)"),
    ({"duration_s": -10.0}, "end after its start"),
    ({"duration_s": 0.0}, "end after its start"),
    ({"duration_s": np.nan}, "end after its start"),
    ({"duration_s": None}, "until or duration_s"),
    ({"until": "epoch"}, "until or duration_s"),
    ({"duration_s": None, "until": "before"}, "end after its start"),
    ({"drag": [ConstantDrag(mass_kg=1.0)] * 2}, "2 given for 1 members"),
    ({"output_step_s": -60.0}, "output step"),
    ({"output_step_s": np.nan}, "output step"),
])
def test_bad_input(two_body: Propagator, epoch: Epoch, kwargs: dict[str, object],
                   message: str) -> None:
    """Impossible requests raise PropagationError naming the problem (before any work)."""
    args: dict[str, object] = {"r": [7e6, 0.0, 0.0], "v": [0.0, 7.5e3, 0.0],
                               "duration_s": 100.0}
    args.update(kwargs)
    r, v = args.pop("r"), args.pop("v")
    if args.get("until") == "epoch":
        args["until"] = epoch + 100.0
    elif args.get("until") == "before":
        args["until"] = epoch + (-100.0)
    with pytest.raises(PropagationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        two_body.propagate(epoch, r, v, **args)  # type: ignore[arg-type]


def test_fit_drag_needs_an_atmosphere() -> None:
    """``drag="fit"`` without an atmosphere model is refused when the propagator is built."""
    with pytest.raises(PropagationError, match="needs an atmosphere"):
        Propagator(ForceModel(gravity=None, drag="fit", sun=False, moon=False))
    assert issubclass(PropagationError, StationsimError)


def test_bad_drag_properties() -> None:
    """A non-positive mass is refused by ConstantDrag (an input error with the value)."""
    with pytest.raises(StationsimError, match="mass_kg"):
        ConstantDrag(mass_kg=-1.0)
