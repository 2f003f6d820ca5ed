"""Scenario files -> Scenario objects: every event kind and the policy become the right objects
with SI values, defaults apply, events are sorted, and the YAML and TOML versions of one
scenario give equal objects.

References: the unit conversions (1 km = 1000 m, 1 day = 86,400 s, pi/180 rad per degree) and
the bundled ISS TLE of 2022-03-27 (tle/iss_2022.tle) for the inline element set.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import replace

import pytest

from stationsim.errors import StaleTableWarning
from stationsim.scenario import (
    AltitudeMaintenance,
    ArrayMode,
    Burn,
    CrewLanding,
    Dock,
    MoveCrew,
    Scenario,
    SpaceWeatherMode,
    TransferPropellant,
    Undock,
    parse_scenario,
)
from stationsim.station import ArrayPolicy, Direction, PartKind, Segment
from stationsim.time import Timescale

TLE_0327 = (
    "1 25544U 98067A   22086.54746528  .00007553  00000+0  14224-3 0  9994\n"
    "2 25544  51.6447  20.9354 0003979 317.3996  16.1142 15.49578066332518"
)

FULL_TOML = f'''\
name = "everything"
title = "Every key"
description = """Two
lines."""

[start]
epoch = "2022-03-27T13:08:21Z"
tle = """
ISS (ZARYA)
{TLE_0327}
"""

[space_weather]
mode = "constant"
f107_sfu = 120
ap = 15

[physics]
atmosphere = "nrlmsise00"
drag_calibration = "none"
output_step_s = 60

[end]
until = "2022-05-01T00:00:00Z"

[[vehicles]]
name = "Tug"
class = "Test tug"
segment = "USOS"
owner = "Nobody"
mass_kg = 5000
length_m = 6
diameter_m = 3
seats = 2
engines = [{{name = "main", thrust_n = 400, isp_s = 300, count = 2, sense = "both"}}]
propellant_kg = 800
cargo_propellant_kg = 100
src = "a test"
conf = "D"
note = "made up"

[[policies]]
kind = "altitude_maintenance"
below_km = 400
to_km = 410.5
check_days = 0.5
bodies = ["USOS"]

[[events]]
at = "2022-04-01T00:00:00Z"
kind = "transfer_propellant"
source = "Tug"
target = "Zvezda"
kg = 50

[[events]]
at = "2022-03-30T07:00:00Z"
kind = "undock"
part = "ROS"
track = false

[[events]]
at = "2022-03-28T00:00:00Z"
kind = "dock"
vehicle = "Tug"
port = "Harmony.nadir"

[[events]]
at = "2022-03-30T04:00:00Z"
kind = "move_crew"
crew = ["Mark Vande Hei", "Raja Chari"]
to = "Unity"
seat = "none"

[[events]]
at = "2022-03-30T04:00:00Z"
kind = "crew_landing"
vehicle = "Soyuz MS-19"

[[events]]
at = "2022-03-31T00:00:00Z"
kind = "burn"
vehicle = "Tug"
delta_v_m_s = 1.5

[[events]]
at = "2022-03-31T06:00:00Z"
kind = "burn"
vehicle = "Tug"
duration_s = 120
direction = "retrograde"

[[events]]
at = "2022-03-31T12:00:00Z"
kind = "array_mode"
policy = "sun_slicer"
body = "USOS"
'''

FULL_YAML = f'''\
name: everything
title: Every key
description: |-
  Two
  lines.
start:
  epoch: 2022-03-27T13:08:21Z
  tle: |
    ISS (ZARYA)
    {TLE_0327.splitlines()[0]}
    {TLE_0327.splitlines()[1]}
space_weather: {{mode: constant, f107_sfu: 120, ap: 15}}
physics: {{atmosphere: nrlmsise00, drag_calibration: none, output_step_s: 60}}
end: {{until: 2022-05-01T00:00:00Z}}
vehicles:
  - name: Tug
    class: Test tug
    segment: USOS
    owner: Nobody
    mass_kg: 5000
    length_m: 6
    diameter_m: 3
    seats: 2
    engines:
      - {{name: main, thrust_n: 400, isp_s: 300, count: 2, sense: both}}
    propellant_kg: 800
    cargo_propellant_kg: 100
    src: a test
    conf: D
    note: made up
policies:
  - {{kind: altitude_maintenance, below_km: 400, to_km: 410.5, check_days: 0.5,
      bodies: [USOS]}}
events:
  - {{at: 2022-04-01T00:00:00Z, kind: transfer_propellant, source: Tug, target: Zvezda,
      kg: 50}}
  - {{at: 2022-03-30T07:00:00Z, kind: undock, part: ROS, track: false}}
  - {{at: 2022-03-28T00:00:00Z, kind: dock, vehicle: Tug, port: Harmony.nadir}}
  - at: 2022-03-30T04:00:00Z
    kind: move_crew
    crew: [Mark Vande Hei, Raja Chari]
    to: Unity
    seat: none
  - {{at: 2022-03-30T04:00:00Z, kind: crew_landing, vehicle: Soyuz MS-19}}
  - {{at: 2022-03-31T00:00:00Z, kind: burn, vehicle: Tug, delta_v_m_s: 1.5}}
  - {{at: 2022-03-31T06:00:00Z, kind: burn, vehicle: Tug, duration_s: 120,
      direction: retrograde}}
  - {{at: 2022-03-31T12:00:00Z, kind: array_mode, policy: sun_slicer, body: USOS}}
'''


@pytest.fixture(scope="module")
def full(ts: Timescale) -> Scenario:
    return parse_scenario(FULL_TOML, ts=ts, source="everything.toml")


def test_top_level_values(full: Scenario) -> None:
    assert (full.name, full.title, full.description) == ("everything", "Every key",
                                                         "Two\nlines.")
    assert full.space_weather is SpaceWeatherMode.CONSTANT
    assert (full.f107_sfu, full.ap) == (120.0, 15.0)
    assert (full.atmosphere, full.drag_calibration, full.output_step_s) == (
        "nrlmsise00", "none", 60.0)
    assert full.source == "everything.toml"


def test_start_with_an_inline_tle(full: Scenario, ts: Timescale) -> None:
    start = full.start
    assert float(start.epoch - ts.from_iso("2022-03-27T13:08:21Z")) == 0.0
    assert start.elements is not None and start.orbit is None
    assert start.elements.norad_id == 25544
    assert start.elements.epoch_day_of_year == pytest.approx(86.54746528)
    assert (start.station, start.station_source, start.station_epoch) == (
        "bundled", "bundled", None)


def test_end(full: Scenario, ts: Timescale) -> None:
    assert full.end.until is not None
    assert float(full.end.until - ts.from_iso("2022-05-01T00:00:00Z")) == 0.0
    assert (full.end.days, full.end.reentry, full.end.max_days) == (None, False, 3650.0)


def test_vehicle_becomes_a_part(full: Scenario) -> None:
    (tug,) = full.vehicles
    assert tug.kind is PartKind.VEHICLE and tug.segment is Segment.USOS
    assert (tug.name, tug.vehicle_class, tug.owner, tug.mass_kg) == (
        "Tug", "Test tug", "Nobody", 5000.0)
    assert (tug.length_m, tug.diameter_m, tug.seats, tug.seats_max) == (6.0, 3.0, 2, 2)
    (engine,) = tug.engines
    assert (engine.name, engine.count, engine.thrust_n, engine.isp_s, engine.sense,
            engine.role, engine.feed) == ("main", 2, 400.0, 300.0, "both", "main", "own")
    assert tug.propellant is not None
    assert (tug.propellant.load_kg, tug.propellant.capacity_kg, tug.propellant.cargo_kg,
            tug.propellant.reserved) == (800.0, 800.0, 100.0, False)
    # Docked at Harmony.nadir: its axis is z, and its own port faces back (zenith).
    assert tug.axis == "z"
    assert [p.direction for p in tug.ports] == [Direction.ZENITH]
    assert tug.citation.sources == ("a test",) and tug.citation.confidence == "D"
    assert tug.total_mass_kg == pytest.approx(5900.0)


def test_policy_in_si(full: Scenario) -> None:
    assert full.policies == (AltitudeMaintenance(
        below_m=400_000.0, to_m=410_500.0, check_s=43_200.0, bodies=("USOS",),
        where=full.policies[0].where),)
    assert full.policies[0].where.startswith("policies[0], line ")


def test_events_sorted_with_the_right_types(full: Scenario, ts: Timescale) -> None:
    kinds = [e.kind for e in full.events]
    # Sorted by time; the two events at 04:00 keep the file's order.
    assert kinds == ["dock", "move_crew", "crew_landing", "undock", "burn", "burn",
                     "array_mode", "transfer_propellant"]
    times = [float(e.epoch - full.start.epoch) for e in full.events]
    assert times == sorted(times)
    dock, move, landing, undock, impulse, finite, arrays, transfer = full.events
    assert isinstance(dock, Dock) and (dock.vehicle, dock.port) == ("Tug", "Harmony.nadir")
    assert isinstance(move, MoveCrew)
    assert (move.crew, move.to, move.seat) == (("Mark Vande Hei", "Raja Chari"), "Unity",
                                               "none")
    assert isinstance(landing, CrewLanding) and landing.vehicle == "Soyuz MS-19"
    assert isinstance(undock, Undock) and (undock.part, undock.track) == ("ROS", False)
    assert isinstance(impulse, Burn)
    assert (impulse.delta_v_m_s, impulse.duration_s, impulse.direction) == (1.5, None,
                                                                          "prograde")
    assert isinstance(finite, Burn)
    assert (finite.delta_v_m_s, finite.duration_s, finite.direction) == (None, 120.0,
                                                                        "retrograde")
    assert isinstance(arrays, ArrayMode)
    assert (arrays.policy, arrays.body) == (ArrayPolicy.SUN_SLICER, "USOS")
    assert isinstance(transfer, TransferPropellant)
    assert (transfer.source, transfer.target, transfer.kg) == ("Tug", "Zvezda", 50.0)
    # Each event keeps its place in the file: the index it was written at, and its line.
    lines = FULL_TOML.splitlines()
    for event in full.events:
        index = int(event.where.split("[")[1].split("]")[0])
        line = int(event.where.rsplit(" ", 1)[1])
        assert lines[line - 1] == "[[events]]"
        assert [i for i, text in enumerate(lines, 1) if text == "[[events]]"][index] == line


def test_yaml_and_toml_give_equal_scenarios(full: Scenario, ts: Timescale) -> None:
    from_yaml = parse_scenario(FULL_YAML, ts=ts, source="everything.yaml")
    assert replace(from_yaml, source="everything.toml",
                   events=tuple(replace(e, where="") for e in from_yaml.events),
                   policies=tuple(replace(p, where="") for p in from_yaml.policies)) == replace(
        full, events=tuple(replace(e, where="") for e in full.events),
        policies=tuple(replace(p, where="") for p in full.policies))


def test_defaults_of_a_minimal_scenario(ts: Timescale) -> None:
    scn = parse_scenario('[start]\nepoch = "2022-03-07T21:06:42Z"\n[end]\ndays = 2.5\n',
                         ts=ts, source="scenarios/minimal.toml")
    assert scn.name == "minimal"
    assert scn.start.elements is None and scn.start.orbit is None
    assert scn.space_weather is SpaceWeatherMode.OBSERVED and scn.f107_sfu is None
    assert (scn.atmosphere, scn.drag_calibration, scn.output_step_s) == ("msis2", "tle", 60.0)
    assert (scn.forces, scn.calibration_until) == ("lifetime", None)
    assert scn.end.days == 2.5 and scn.events == () and scn.vehicles == ()
    assert parse_scenario('[start]\nepoch = 2022-03-07T21:06:42Z\n[end]\nreentry = true\n',
                          ts=ts).name == "scenario"


def test_orbit_start_in_si(ts: Timescale) -> None:
    text = '''\
[start]
epoch = "2030-12-01T00:00:00Z"
station_epoch = "2022-04-01T00:00:00Z"
[start.orbit]
altitude_km = 330
inclination_deg = 51.64
raan_deg = 10
argument_of_latitude_deg = -20
eccentricity = 0.001
[end]
reentry = true
max_days = 60
'''
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleTableWarning)  # 2030: past the leap-second table
        scn = parse_scenario(text, ts=ts, source="deorbit.toml")
    orbit = scn.start.orbit
    assert orbit is not None
    assert orbit.altitude_m == 330_000.0
    assert orbit.inclination_rad == pytest.approx(math.radians(51.64))
    assert orbit.raan_rad == pytest.approx(math.radians(10.0))
    assert orbit.argument_of_latitude_rad == pytest.approx(math.radians(-20.0))
    assert orbit.eccentricity == 0.001
    assert scn.start.station_epoch is not None
    assert float(scn.start.station_epoch - ts.from_iso("2022-04-01T00:00:00Z")) == 0.0
    assert (scn.end.reentry, scn.end.max_days) == (True, 60.0)


def test_inline_omm(ts: Timescale) -> None:
    omm = """
CCSDS_OMM_VERS = 2.0
CREATION_DATE = 2022-03-27T14:00:00
ORIGINATOR = TEST
OBJECT_NAME = ISS (ZARYA)
OBJECT_ID = 1998-067A
CENTER_NAME = EARTH
REF_FRAME = TEME
TIME_SYSTEM = UTC
MEAN_ELEMENT_THEORY = SGP4
EPOCH = 2022-03-27T13:08:21.000192
MEAN_MOTION = 15.49578066
ECCENTRICITY = 0.0003979
INCLINATION = 51.6447
RA_OF_ASC_NODE = 20.9354
ARG_OF_PERICENTER = 317.3996
MEAN_ANOMALY = 16.1142
NORAD_CAT_ID = 25544
BSTAR = 0.00014224
MEAN_MOTION_DOT = 0.00007553
MEAN_MOTION_DDOT = 0
"""
    text = f'[start]\nepoch = "2022-03-27T13:08:21Z"\nomm = """{omm}"""\n[end]\ndays = 1\n'
    scn = parse_scenario(text, ts=ts, source="omm.toml")
    assert scn.start.elements is not None
    assert scn.start.elements.inclination_deg == 51.6447


def test_station_file_is_read_through_the_callback(ts: Timescale) -> None:
    from stationsim.data import STATION_FILE, bundled_file

    station = bundled_file(STATION_FILE).read_text(encoding="utf-8")
    asked: list[str] = []

    def read(path: str) -> str:
        asked.append(path)
        return station

    text = ('[start]\nepoch = "2022-03-07T21:06:42Z"\nstation_file = "my/iss.yaml"\n'
            '[end]\ndays = 1\n')
    scn = parse_scenario(text, ts=ts, source="s.toml", read_station=read)
    assert asked == ["my/iss.yaml"]
    assert (scn.start.station, scn.start.station_source) == (station, "my/iss.yaml")


def test_the_examples_of_the_documentation_parse(ts: Timescale) -> None:
    import re
    from pathlib import Path

    page = Path(__file__).parents[2] / "docs" / "scenarios.md"
    blocks = re.findall(r"```(toml|yaml)\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
    assert {kind for kind, _ in blocks} == {"toml", "yaml"}
    for kind, text in blocks:
        scn = parse_scenario(text, ts=ts, format=kind)
        assert [e.kind for e in scn.events] == ["undock"]
