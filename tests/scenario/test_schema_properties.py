"""Whatever a scenario file holds, parsing it gives a Scenario or an error of the project's
InputError family, never another exception: random text, random structures with the real
keys, and built-in scenarios with one value replaced at random.
"""

from __future__ import annotations

import string
import tomllib
import warnings
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stationsim.data import builtin_scenario_text
from stationsim.errors import InputError
from stationsim.scenario import Scenario, parse_scenario
from stationsim.time import Timescale

KEYS = ["name", "title", "start", "end", "epoch", "state", "tle", "omm", "orbit", "station",
        "station_file", "station_epoch", "altitude_km", "inclination_deg", "eccentricity",
        "until", "days", "reentry", "max_days", "space_weather", "mode", "f107_sfu", "ap",
        "physics", "atmosphere", "drag_calibration", "output_step_s", "vehicles", "segment",
        "mass_kg", "engines", "thrust_n", "isp_s", "count", "propellant_kg", "policies",
        "kind", "below_km", "to_km", "bodies", "events", "at", "part", "track", "vehicle",
        "port", "crew", "to", "seat", "delta_v_m_s", "duration_s", "direction", "policy",
        "source", "target", "kg", "x"]
VALUES = ["2022-03-30T07:00:00Z", "1900-01-01T00:00:00Z", "9999-12-31T23:59:60Z", "ROS",
          "USOS", "undock", "dock", "burn", "move_crew", "crew_landing", "array_mode",
          "transfer_propellant", "altitude_maintenance", "bundled", "constant", "retrograde",
          "Harmony.nadir", "1 25544U", "", "none"]

scalars = (st.none() | st.booleans() | st.integers(-10**30, 10**30)
           | st.floats(allow_nan=True, allow_infinity=True)
           | st.sampled_from(VALUES) | st.text(string.printable, max_size=20))
structures = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(KEYS), inner, max_size=6),
    max_leaves=30)


def parse_or_input_error(text: str, ts: Timescale, source: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dates past the leap-second table, and the like
        try:
            result = parse_scenario(text, ts=ts, source=source)
        except InputError as exc:
            assert str(exc)
        else:
            assert isinstance(result, Scenario)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_random_text(ts: Timescale, text: str) -> None:
    parse_or_input_error(text, ts, "x.toml")
    parse_or_input_error(text, ts, "x.yaml")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(KEYS), structures, max_size=8))
def test_random_structures(ts: Timescale, data: dict[str, Any]) -> None:
    parse_or_input_error(yaml.safe_dump(data), ts, "x.yaml")


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _paths(item, (*path, index))
    return out


def _replace(data: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {k: (_replace(v, rest, new) if k == head else v) for k, v in data.items()}
    return [(_replace(v, rest, new) if i == head else v) for i, v in enumerate(data)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["baseline-2022", "cygnus-2022", "deorbit-2030", "farewell-2022"]),
       st.data())
def test_built_ins_with_one_value_replaced(ts: Timescale, name: str, data: st.DataObject
                                          ) -> None:
    original = tomllib.loads(builtin_scenario_text(name)[0])
    path = data.draw(st.sampled_from(_paths(original)[1:]))
    mutated = _replace(original, path, data.draw(structures))
    parse_or_input_error(yaml.safe_dump(mutated), ts, "x.yaml")
