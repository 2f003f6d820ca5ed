"""Numerical robustness: impossible starts end in a clear error of the project's own type, and
runs that cannot go on say why, never a silent NaN.

Cases: a state inside the Earth, no angular momentum, an open (hyperbolic) path, NaN or
infinite values, zero, negative or NaN mass and ballistic coefficient, epochs outside the
bundled tables (UTC before 1972, space weather after its last forecast), a start below the
entry interface (a documented status: re-entered at once), and a report with a NaN in it."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pytest

from stationsim.analysis.report import write_report
from stationsim.constants import GM_EARTH_M3_S2, WGS84_A_M
from stationsim.data import load_gravity_field, load_space_weather, load_timescale
from stationsim.errors import DataRangeError, InputError, PropagationError, StationsimError
from stationsim.forces import MsisAtmosphere
from stationsim.forces.drag import ConstantDrag, DragPropertiesError
from stationsim.propagation.dynamics import ForceModel
from stationsim.propagation.events import failure_time
from stationsim.propagation.lifetime import LifetimePropagator
from stationsim.propagation.numerical import Propagator


@pytest.fixture(scope="module")
def engines() -> tuple[Propagator, LifetimePropagator]:
    warnings.simplefilter("ignore")
    atmosphere = MsisAtmosphere(load_space_weather())
    model = ForceModel(gravity=load_gravity_field(), degree=4, order=0, sun=False, moon=False,
                       thrust=False)
    return Propagator(model, atmosphere=atmosphere), LifetimePropagator(model, atmosphere)


def circular(height_m: float, speed_factor: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """A 51.6-degree circular orbit's state at the ascending node, the speed scaled."""
    r = WGS84_A_M + height_m
    v = math.sqrt(GM_EARTH_M3_S2 / r) * speed_factor
    i = math.radians(51.6)
    return np.array([r, 0.0, 0.0]), np.array([0.0, v * math.cos(i), v * math.sin(i)])


START = "2022-03-27T00:00:00Z"
BAD_STARTS = [
    ("inside the Earth", (np.array([WGS84_A_M - 10e3, 0.0, 0.0]), circular(400e3)[1])),
    ("no angular momentum", (circular(400e3)[0], np.zeros(3))),
    ("no angular momentum", (circular(400e3)[0], np.array([7000.0, 0.0, 0.0]))),
    ("open", circular(400e3, 1.5)),
    ("NaN", (np.array([np.nan, 0.0, 0.0]), circular(400e3)[1])),
    ("NaN", (circular(400e3)[0], np.array([0.0, np.inf, 0.0]))),
]


@pytest.mark.parametrize(("words", "state"), BAD_STARTS)
def test_impossible_starts_are_refused_by_both_engines(
        engines: tuple[Propagator, LifetimePropagator], words: str,
        state: tuple[np.ndarray, np.ndarray]) -> None:
    numerical, lifetime = engines
    t0 = load_timescale().from_iso(START)
    with pytest.raises(PropagationError, match=words):
        numerical.propagate(t0, *state, drag=ConstantDrag.from_ballistic_coefficient(100.0),
                            duration_s=3600.0)
    with pytest.raises(PropagationError, match=words):
        lifetime.propagate(t0, *state, ballistic_kg_m2=100.0, duration_s=86400.0)


def test_the_bad_member_of_an_ensemble_is_named(
        engines: tuple[Propagator, LifetimePropagator]) -> None:
    numerical, _ = engines
    good, bad = circular(400e3), circular(400e3, 1.5)
    r = np.stack([good[0], good[0], bad[0]])
    v = np.stack([good[1], good[1], bad[1]])
    with pytest.raises(PropagationError, match="member 2"):
        numerical.propagate(load_timescale().from_iso(START), r, v,
                            drag=ConstantDrag.from_ballistic_coefficient(100.0),
                            duration_s=3600.0)


@pytest.mark.parametrize("value", [0.0, -5.0, math.nan, math.inf])
def test_mass_and_ballistic_coefficient_must_be_positive(
        engines: tuple[Propagator, LifetimePropagator], value: float) -> None:
    with pytest.raises(DragPropertiesError, match="positive"):
        ConstantDrag(mass_kg=value)
    with pytest.raises(DragPropertiesError, match="positive"):
        ConstantDrag.from_ballistic_coefficient(value)
    _, lifetime = engines
    with pytest.raises(PropagationError, match="positive"):
        lifetime.propagate(load_timescale().from_iso(START), *circular(400e3),
                           ballistic_kg_m2=value, duration_s=86400.0)


def test_epochs_outside_the_tables_say_which_table(
        engines: tuple[Propagator, LifetimePropagator]) -> None:
    ts = load_timescale()
    with pytest.raises(DataRangeError, match="1972"):
        ts.from_iso("1960-01-01T00:00:00Z")
    numerical, _ = engines
    with pytest.raises(DataRangeError, match="data update"):
        numerical.propagate(ts.from_iso("2080-01-01T00:00:00Z"), *circular(400e3),
                            drag=ConstantDrag.from_ballistic_coefficient(100.0),
                            duration_s=3600.0)


def test_a_start_below_the_entry_interface_is_a_status_not_an_error(
        engines: tuple[Propagator, LifetimePropagator]) -> None:
    """From 100 km the numerical propagator reports the member re-entered (breakup at 78 km,
    finite state); the lifetime engine, which follows whole revolutions, refuses it."""
    numerical, lifetime = engines
    t0 = load_timescale().from_iso(START)
    member = numerical.propagate(t0, *circular(100e3),
                                 drag=ConstantDrag.from_ballistic_coefficient(100.0),
                                 duration_s=86400.0).members[0]
    assert member.status == "reentered" and member.event("breakup") is not None
    assert np.all(np.isfinite(member.state)) and np.all(np.isfinite(member.states))
    with pytest.raises(PropagationError, match="below the entry height"):
        lifetime.propagate(t0, *circular(100e3), ballistic_kg_m2=100.0, duration_s=86400.0)


def test_a_failed_integration_names_no_fake_date() -> None:
    t0 = load_timescale().from_iso(START)
    assert failure_time(t0, math.nan) == "an undefined time (the state became NaN or infinite)"
    assert failure_time(t0, 60.0) == "2022-03-27T00:01:00Z"


def test_a_report_with_nan_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    results = {"scenario": "x", "start": "2022-03-27T00:00:00Z", "parts": [],
               "mass_kg": math.nan}
    with pytest.raises(InputError, match="finite numbers"):
        write_report(results, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_every_refusal_is_a_user_error() -> None:
    """The command line turns these into one line and exit code 2."""
    for kind in (PropagationError, DragPropertiesError, DataRangeError, InputError):
        assert issubclass(kind, StationsimError)


def test_an_extreme_ballistic_coefficient_means_no_drag(
        engines: tuple[Propagator, LifetimePropagator]) -> None:
    """B = 1e14 kg/m^2 is as good as no drag: one day from 400 km ends within a metre of the
    drag-free orbit (a mass state equal to B once loosened the integrator's position tolerance
    until such a run climbed or fell out of the sky)."""
    prop = engines[0]
    t0 = load_timescale().from_iso(START)
    r0, v0 = circular(400e3)
    ends = [prop.propagate(t0, r0, v0, drag=drag, duration_s=86400.0).members[0].state[:3]
            for drag in (ConstantDrag.from_ballistic_coefficient(1e14), None)]
    assert np.linalg.norm(ends[0] - ends[1]) < 1.0
