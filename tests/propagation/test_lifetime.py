"""The fast lifetime engine against the full numerical propagator with the same forces.

Reference: :class:`stationsim.propagation.numerical.Propagator` (itself validated against
Kepler, the Jacobi constant, SciPy and NRLMSIS along the orbit), same start state, same
``B = m / (C_D A)``, NRLMSIS 2.1 with the bundled observed space weather. The
requirement: the lifetime (start to the 120-km crossing) within 2 %.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from stationsim.api import load_elements
from stationsim.constants import GM_EARTH_M3_S2
from stationsim.data import load_gravity_field, load_space_weather, load_timescale
from stationsim.errors import PropagationError
from stationsim.forces import MsisAtmosphere
from stationsim.forces.drag import ConstantDrag
from stationsim.propagation.ballistic import sgp4_state_gcrf
from stationsim.propagation.dynamics import ForceModel
from stationsim.propagation.lifetime import LifetimePropagator, reference_revolution
from stationsim.propagation.numerical import Propagator

DELFI = Path(__file__).parents[1] / "reference" / "tle" / "delfi-pq_51074_last100d.tle"


@pytest.fixture(scope="module")
def setup() -> dict[str, object]:
    warnings.simplefilter("ignore")
    ts = load_timescale()
    model = ForceModel(gravity=load_gravity_field(), degree=4, order=0, sun=False, moon=False,
                       thrust=False)
    atmosphere = MsisAtmosphere(load_space_weather())
    return {"ts": ts, "model": model, "atmosphere": atmosphere}


def _iss_state(ts: object, height_change_m: float = 0.0) -> tuple[object, np.ndarray, np.ndarray]:
    """The bundled ISS state of 2022-11-08, moved radially with a circular speed."""
    e = load_elements(None)[-1]
    t0 = e.epoch(ts)  # type: ignore[arg-type]
    r0, v0 = sgp4_state_gcrf(e, t0)
    if height_change_m:
        r_new = np.linalg.norm(r0) + height_change_m
        r0 = r0 / np.linalg.norm(r0) * r_new
        v0 = v0 / np.linalg.norm(v0) * np.sqrt(GM_EARTH_M3_S2 / r_new)
    return t0, r0, v0


def _lifetimes(setup: dict[str, object], t0: object, r0: np.ndarray, v0: np.ndarray,
               b: float) -> tuple[float, float]:
    model, atmosphere = setup["model"], setup["atmosphere"]
    fast = LifetimePropagator(model, atmosphere).propagate(  # type: ignore[arg-type]
        t0, r0, v0, ballistic_kg_m2=b, output_step_s=None).members[0]  # type: ignore[arg-type]
    full = Propagator(model, atmosphere=atmosphere).propagate(  # type: ignore[arg-type]
        t0, r0, v0, drag=ConstantDrag.from_ballistic_coefficient(b),  # type: ignore[arg-type]
        duration_s=3650 * 86400.0).members[0]
    e_fast, e_full = fast.event("reentry"), full.event("reentry")
    assert e_fast is not None and e_full is not None
    return float(e_fast.epoch - t0), float(e_full.epoch - t0)  # type: ignore[operator]


def test_low_start_lifetime_within_two_percent(setup: dict[str, object]) -> None:
    """ISS-plane orbit lowered to ~200 km, B = 500 kg/m^2 (25 days): measured +0.14 %."""
    t0, r0, v0 = _iss_state(setup["ts"], -200e3)
    fast, full = _lifetimes(setup, t0, r0, v0, 500.0)
    assert 20 * 86400 < full < 30 * 86400
    assert abs(fast / full - 1.0) < 0.02


@pytest.mark.slow
@pytest.mark.parametrize(("case", "b", "dh_m", "tolerance"), [
    ("USOS-like from 418 km", 100.0, 0.0, 0.02),       # 490 d, measured +0.16 %
    ("ISS-like from 418 km", 176.0, 0.0, 0.02),
    ("300 km start", 100.0, -118e3, 0.02),
    ("500 km start", 30.0, 82e3, 0.02),
])
def test_lifetime_against_numerical(setup: dict[str, object], case: str, b: float,
                                    dh_m: float, tolerance: float) -> None:
    """Four starts in the ISS plane (November 2022) to re-entry: within 2 % of the lifetime."""
    t0, r0, v0 = _iss_state(setup["ts"], dh_m)
    fast, full = _lifetimes(setup, t0, r0, v0, b)
    assert abs(fast / full - 1.0) < tolerance, (case, fast / 86400, full / 86400)


@pytest.mark.slow
def test_delfi_like_sun_synchronous(setup: dict[str, object]) -> None:
    """Delfi-PQ (97.5 deg) from its TLE of 2023-12-06 with B = 18.35 kg/m^2 (27 days): measured
    -0.24 % with the full model; here the zonal model."""
    ts = setup["ts"]
    els = load_elements(DELFI)
    at = ts.from_iso("2023-12-06T21:15:00Z")  # type: ignore[attr-defined]
    e = [x for x in els if float(x.epoch(ts) - at) <= 1.0][-1]  # type: ignore[arg-type]
    r0, v0 = sgp4_state_gcrf(e, at)
    fast, full = _lifetimes(setup, at, r0, v0, 18.35)
    assert abs(fast / full - 1.0) < 0.02


def test_members_share_the_table_and_keep_their_order(setup: dict[str, object]) -> None:
    """An ensemble gives each member what it gets alone (the table is shared, each member keeps
    its own step): lifetimes scale with B (about linearly) and equal the single runs."""
    t0, r0, v0 = _iss_state(setup["ts"], -200e3)
    engine = LifetimePropagator(setup["model"], setup["atmosphere"])  # type: ignore[arg-type]
    bs = np.array([400.0, 500.0, 600.0])
    together = engine.propagate(t0, np.repeat(r0[None], 3, 0), np.repeat(v0[None], 3, 0),
                                ballistic_kg_m2=bs, output_step_s=None)  # type: ignore[arg-type]
    times = [float(m.event("reentry").epoch - t0) for m in together.members]  # type: ignore
    alone = engine.propagate(t0, r0, v0, ballistic_kg_m2=500.0,  # type: ignore[arg-type]
                             output_step_s=None).members[0]
    assert times[0] < times[1] < times[2]
    assert times[1] == pytest.approx(float(alone.event("reentry").epoch - t0), rel=1e-3)
    assert times[2] / times[0] == pytest.approx(1.5, rel=0.1)
    # Each re-entered member has its breakup after its entry, and an ephemeris-free end state.
    for m in together.members:
        assert m.status == "reentered"
        names = [e.name for e in m.events]
        assert names == ["reentry", "breakup"]


def test_density_factor_scales_the_decay(setup: dict[str, object]) -> None:
    """Twice the density halves the lifetime (within the 5 % that the height profile of the
    density allows over a decay)."""
    t0, r0, v0 = _iss_state(setup["ts"], -200e3)
    engine = LifetimePropagator(setup["model"], setup["atmosphere"])  # type: ignore[arg-type]
    res = engine.propagate(t0, np.repeat(r0[None], 2, 0), np.repeat(v0[None], 2, 0),
                           ballistic_kg_m2=500.0, output_step_s=None,  # type: ignore[arg-type]
                           density_factor=lambda t, idx: np.array([1.0, 2.0])[idx])
    one, two = (float(m.event("reentry").epoch - t0) for m in res.members)  # type: ignore
    assert two / one == pytest.approx(0.5, rel=0.05)


def test_reference_revolution_reproduces_the_orbit(setup: dict[str, object]) -> None:
    """The scaled reference revolution puts the start where the state is, to the level of the
    J2 short-period terms that its mean inclination and node leave out (~0.01 deg, ~1 km);
    after ten drag-free days of the full zonal model, the engine's node and argument of
    latitude agree with the numerical orbit's within 0.1 deg (the osculating end node
    carries a few hundredths of a degree of short-period wobble; 50 deg of drift) and 0.5 deg."""
    t0, r0, v0 = _iss_state(setup["ts"])
    ref = reference_revolution(setup["model"], t0, r0, v0)  # type: ignore[arg-type]
    r, v = ref.positions(np.array(ref.a_mean_m), np.array(ref.u_rad[0]),
                         np.array(ref.raan_rad))
    assert np.linalg.norm(r - r0) < 5e3
    assert np.linalg.norm(v - v0) < 5.0
    assert 0.0 < ref.low_point_m < 25e3
    days = 10 * 86400.0
    drag_free = ForceModel(gravity=load_gravity_field(), degree=4, order=0, sun=False,
                           moon=False, thrust=False, drag=None)
    end = Propagator(drag_free).propagate(t0, r0, v0,  # type: ignore[arg-type]
                                          duration_s=days).members[0].state
    h = np.cross(end[:3], end[3:6])
    node = float(np.arctan2(h[0], -h[1]))
    expected = ref.raan_rad + ref.raan_rate_rad_s * days
    assert abs(np.degrees(np.angle(np.exp(1j * (node - expected))))) < 0.1
    r_end, _ = ref.positions(np.array(ref.a_mean_m), np.array(ref.u_rad[0] + ref.u_rate_rad_s
                                                              * days), np.array(expected))
    angle = np.arccos(np.dot(r_end, end[:3]) / np.linalg.norm(r_end) / np.linalg.norm(end[:3]))
    assert np.degrees(angle) < 0.5


def test_bad_inputs_raise(setup: dict[str, object]) -> None:
    t0, r0, v0 = _iss_state(setup["ts"])
    engine = LifetimePropagator(setup["model"], setup["atmosphere"])  # type: ignore[arg-type]
    with pytest.raises(PropagationError, match="positive"):
        engine.propagate(t0, r0, v0, ballistic_kg_m2=-1.0)  # type: ignore[arg-type]
    with pytest.raises(PropagationError, match="NaN"):
        engine.propagate(t0, r0 * np.nan, v0, ballistic_kg_m2=1.0)  # type: ignore[arg-type]
    with pytest.raises(PropagationError, match="after its start"):
        engine.propagate(t0, r0, v0, ballistic_kg_m2=1.0,  # type: ignore[arg-type]
                         duration_s=-5.0)


def test_a_member_gets_the_same_answer_in_any_ensemble(setup: dict[str, object]) -> None:
    """Members keep their own clocks and the table's entries depend only on slot and height:
    the ensemble split into chunks gives the same crossings, bit for bit (what lets a Dask
    cluster or local processes share the work)."""
    t0, r0, v0 = _iss_state(setup["ts"], -200e3)
    engine = LifetimePropagator(setup["model"], setup["atmosphere"])  # type: ignore[arg-type]
    bs = np.array([380.0, 450.0, 500.0, 560.0, 610.0, 700.0])
    rs, vs = np.repeat(r0[None], 6, 0), np.repeat(v0[None], 6, 0)

    def entries(rows: slice) -> list[float]:
        res = engine.propagate(t0, rs[rows], vs[rows], ballistic_kg_m2=bs[rows],  # type: ignore
                               output_step_s=None)
        return [float(m.event("reentry").epoch - t0) for m in res.members]  # type: ignore

    whole = entries(slice(0, 6))
    assert whole == entries(slice(0, 2)) + entries(slice(2, 6))


def test_a_slow_lone_member_uses_the_coarse_slot(setup: dict[str, object]) -> None:
    """Eight-day slots while a member loses under 5 km in eight days: the USOS-like decay from
    418 km (490 days) keeps its lifetime within 0.1 % of the four-day table's (measured
    0.074 %) with a third fewer density samples (measured 1,688 against 2,544); a member that
    starts fast (~218 km, 25 days) uses the four-day slots from its first step: the same
    lifetime as the four-day table, bit for bit."""
    model, atmosphere = setup["model"], setup["atmosphere"]

    def run(dh_m: float, b: float, coarse: float | None) -> tuple[float, float]:
        t0, r0, v0 = _iss_state(setup["ts"], dh_m)
        res = LifetimePropagator(model, atmosphere,  # type: ignore[arg-type]
                                 coarse_slot_s=coarse).propagate(
            t0, r0, v0, ballistic_kg_m2=b, output_step_s=None)  # type: ignore[arg-type]
        entry = res.members[0].event("reentry")
        assert entry is not None
        return float(entry.epoch - t0), res.statistics["density_samples"]  # type: ignore

    fine, fine_samples = run(0.0, 100.0, None)
    coarse, coarse_samples = run(0.0, 100.0, 8 * 86400.0)
    assert coarse / fine == pytest.approx(1.0, abs=1e-3)
    assert coarse_samples < 0.75 * fine_samples
    fast_fine, _ = run(-200e3, 500.0, None)
    fast, _ = run(-200e3, 500.0, 8 * 86400.0)
    assert fast == fast_fine


def test_filling_ahead_never_changes_an_answer(setup: dict[str, object]) -> None:
    """A lone member fills its table entries ahead, for the slots it is expected to reach; nine
    members fill only where they are, with a node of margin. An entry depends only on its slot
    and node, so the lone member and the same member among nine copies cross 120 km at the
    same instant, bit for bit, from 300 km (49 days, through both slot lengths)."""
    t0, r0, v0 = _iss_state(setup["ts"], -118e3)
    engine = LifetimePropagator(setup["model"], setup["atmosphere"])  # type: ignore[arg-type]

    def crossings(n: int) -> tuple[list[float], dict[str, float]]:
        res = engine.propagate(t0, np.repeat(r0[None], n, 0),  # type: ignore[arg-type]
                               np.repeat(v0[None], n, 0), ballistic_kg_m2=100.0,
                               output_step_s=None)
        return ([float(m.event("reentry").epoch - t0) for m in res.members],  # type: ignore
                res.statistics)

    (lone,), lone_stats = crossings(1)
    nine, nine_stats = crossings(9)
    assert nine == [lone] * 9
    assert lone_stats["table_fills"] < nine_stats["table_fills"]
