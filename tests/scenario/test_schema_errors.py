"""Every kind of mistake in a scenario file is refused with a message that names the key path
and the line of the mistake (and says what was expected and what was found).

Reference for the expected lines: the test texts themselves (the line is found by searching
the text for a marker, so the message must point at exactly that line).
"""

from __future__ import annotations

import pytest

from stationsim.errors import InputError, ScenarioFileError
from stationsim.scenario import AttitudeMode, parse_scenario
from stationsim.time import Timescale

BASE = '''\
name = "base"
[start]
epoch = "2022-03-27T13:08:21Z"
[end]
reentry = true
max_days = 100
[[vehicles]]
name = "Tug"
segment = "USOS"
mass_kg = 5000
engines = [{ name = "main", thrust_n = 400, isp_s = 300 }]
propellant_kg = 500
[[policies]]
kind = "altitude_maintenance"
below_km = 400
to_km = 410
[[events]]
at = "2022-03-30T07:00:00Z"
kind = "undock"
part = "ROS"
[[events]]
at = "2022-04-01T00:00:00Z"
kind = "dock"
vehicle = "Tug"
port = "Harmony.nadir"
[[events]]
at = "2022-04-02T00:00:00Z"
kind = "burn"
vehicle = "Tug"
duration_s = 100
'''


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the ``occurrence``-th line containing ``needle``."""
    return [i for i, line in enumerate(text.splitlines(), 1) if needle in line][occurrence - 1]


def refuse(ts: Timescale, text: str, source: str = "s.toml", **kwargs: object
           ) -> ScenarioFileError:
    with pytest.raises(ScenarioFileError) as info:
        parse_scenario(text, ts=ts, source=source, **kwargs)  # type: ignore[arg-type]
    return info.value


def check(error: ScenarioFileError, path: str, line: int) -> None:
    """The message names the key path and the line, and so do the attributes."""
    assert f"{path}:" in str(error), str(error)
    assert f", line {line}" in str(error), str(error)
    assert error.line == line


def test_the_base_text_is_valid(ts: Timescale) -> None:
    assert len(parse_scenario(BASE, ts=ts, source="s.toml").events) == 3


def test_unknown_key(ts: Timescale) -> None:
    text = BASE.replace('part = "ROS"', 'part = "ROS"\ntrak = false')
    error = refuse(ts, text)
    check(error, "events[0].trak", line_of(text, "trak"))
    assert "unknown key 'trak'" in str(error) and "track" in str(error)


def test_unknown_top_level_key(ts: Timescale) -> None:
    text = BASE.replace('name = "base"', 'name = "base"\nspaceweather = 1')
    check(refuse(ts, text), "spaceweather", 2)


def test_wrong_type(ts: Timescale) -> None:
    text = BASE.replace("mass_kg = 5000", 'mass_kg = "heavy"')
    error = refuse(ts, text)
    check(error, "vehicles[0].mass_kg", line_of(text, "mass_kg"))
    assert "expected a number, found text ('heavy')" in str(error)


def test_wrong_type_inside_an_inline_table(ts: Timescale) -> None:
    text = BASE.replace("isp_s = 300", "isp_s = true")
    error = refuse(ts, text)
    check(error, "vehicles[0].engines[0].isp_s", line_of(text, "isp_s = true"))
    assert error.column == text.splitlines()[error.line - 1].index("isp_s") + 1


def test_missing_required_key(ts: Timescale) -> None:
    text = BASE.replace('at = "2022-04-01T00:00:00Z"\n', "")
    error = refuse(ts, text)
    # The key is missing: the line is that of the table that lacks it.
    check(error, "events[1].at", line_of(text, "[[events]]", 2))
    assert "missing" in str(error)


def test_missing_start(ts: Timescale) -> None:
    error = refuse(ts, "[end]\nreentry = true\n")
    assert "start: missing" in str(error)


def test_bad_enum_value(ts: Timescale) -> None:
    text = BASE.replace("[end]", '[space_weather]\nmode = "guessed"\n[end]')
    error = refuse(ts, text)
    check(error, "space_weather.mode", line_of(text, "guessed"))
    assert "observed | forecast | constant" in str(error)


def test_unknown_event_kind(ts: Timescale) -> None:
    text = BASE.replace('kind = "undock"', 'kind = "explode"')
    error = refuse(ts, text)
    check(error, "events[0].kind", line_of(text, "explode"))
    assert "move_crew" in str(error)


def test_end_before_start(ts: Timescale) -> None:
    text = BASE.replace("reentry = true\nmax_days = 100", 'until = "2022-03-01T00:00:00Z"')
    error = refuse(ts, text)
    check(error, "end.until", line_of(text, "until"))
    assert "not after the start" in str(error)


def test_event_before_start(ts: Timescale) -> None:
    text = BASE.replace('at = "2022-03-30T07:00:00Z"', 'at = "2022-03-20T07:00:00Z"')
    error = refuse(ts, text)
    check(error, "events[0].at", line_of(text, "2022-03-20T07"))
    assert "before the start" in str(error)


def test_event_after_the_end(ts: Timescale) -> None:
    text = BASE.replace("max_days = 100", "max_days = 5.2")
    check(refuse(ts, text), "events[2].at", line_of(text, "2022-04-02T00"))


def test_below_not_under_to(ts: Timescale) -> None:
    text = BASE.replace("to_km = 410", "to_km = 400")
    error = refuse(ts, text)
    check(error, "policies[0].to_km", line_of(text, "to_km"))
    assert "expected to_km > below_km" in str(error)


def test_unknown_policy_kind(ts: Timescale) -> None:
    text = BASE.replace('kind = "altitude_maintenance"', 'kind = "station_keeping"')
    check(refuse(ts, text), "policies[0].kind", line_of(text, "station_keeping"))


def test_negative_mass(ts: Timescale) -> None:
    text = BASE.replace("mass_kg = 5000", "mass_kg = -5")
    error = refuse(ts, text)
    check(error, "vehicles[0].mass_kg", line_of(text, "mass_kg"))
    assert "positive" in str(error)


@pytest.mark.parametrize(("change", "path", "marker"), [
    ("duration_s = 100\ndelta_v_m_s = 1", "events[2].delta_v_m_s", "delta_v_m_s"),
    ("", "events[2]", "[[events]]"),
])
def test_burn_needs_exactly_one_of_delta_v_and_duration(ts: Timescale, change: str, path: str,
                                                        marker: str) -> None:
    text = BASE.replace("duration_s = 100", change)
    error = refuse(ts, text)
    check(error, path, line_of(text, marker, 3 if marker == "[[events]]" else 1))
    assert "delta_v_m_s or by duration_s" in str(error)


def test_negative_delta_v_with_a_direction(ts: Timescale) -> None:
    text = BASE.replace("duration_s = 100", 'delta_v_m_s = -1\ndirection = "retrograde"')
    check(refuse(ts, text), "events[2].delta_v_m_s", line_of(text, "delta_v_m_s"))


def test_dock_of_an_unknown_vehicle_and_a_bad_port(ts: Timescale) -> None:
    text = BASE.replace('vehicle = "Tug"\nport', 'vehicle = "Tugg"\nport')
    error = refuse(ts, text)
    check(error, "events[1].vehicle", line_of(text, "Tugg"))
    assert "one of Tug" in str(error)
    text = BASE.replace("Harmony.nadir", "Harmony.down")
    check(refuse(ts, text), "events[1].port", line_of(text, "Harmony.down"))


def test_two_vehicles_of_one_name(ts: Timescale) -> None:
    second = '[[vehicles]]\nname = "Tug"\nsegment = "ROS"\nmass_kg = 1\n'
    text = BASE.replace("[[policies]]", second + "[[policies]]")
    check(refuse(ts, text), "vehicles[0].name", line_of(text, 'name = "Tug"'))


def test_constant_space_weather_needs_its_values(ts: Timescale) -> None:
    text = BASE.replace("[end]", '[space_weather]\nmode = "constant"\nf107_sfu = 150\n[end]')
    check(refuse(ts, text), "space_weather.ap", line_of(text, "[space_weather]"))
    text = BASE.replace("[end]", "[space_weather]\nap = 15\n[end]")
    check(refuse(ts, text), "space_weather.ap", line_of(text, "ap = 15"))


def test_state_given_twice(ts: Timescale) -> None:
    text = BASE.replace("[end]", "[start.orbit]\naltitude_km = 400\ninclination_deg = 51.6\n"
                        "[end]").replace('epoch = "2022-03-27T13:08:21Z"',
                                         'epoch = "2022-03-27T13:08:21Z"\nstate = "bundled"')
    check(refuse(ts, text), "start.state", line_of(text, "state ="))


def test_impossible_orbit(ts: Timescale) -> None:
    text = BASE.replace("[end]", "[start.orbit]\naltitude_km = 400\ninclination_deg = 51.6\n"
                        "eccentricity = 0.5\n[end]")
    check(refuse(ts, text), "start.orbit.eccentricity", line_of(text, "eccentricity"))


def test_max_days_without_reentry(ts: Timescale) -> None:
    text = BASE.replace("reentry = true", "days = 400")
    check(refuse(ts, text), "end.max_days", line_of(text, "max_days"))


def test_station_file_without_a_reader(ts: Timescale) -> None:
    text = BASE.replace("[end]", 'station_file = "iss.yaml"\n[end]')
    error = refuse(ts, text)
    check(error, "start.station_file", line_of(text, "station_file"))
    assert "cannot be read here" in str(error)

    def missing(path: str) -> str:
        raise FileNotFoundError(2, "No such file or directory", path)

    error = refuse(ts, text, read_station=missing)
    assert "No such file" in str(error)


def test_bad_instant(ts: Timescale) -> None:
    text = BASE.replace('at = "2022-03-30T07:00:00Z"', 'at = "2022-03-32T07:00:00Z"')
    error = refuse(ts, text)
    check(error, "events[0].at", line_of(text, "2022-03-32"))
    assert "impossible date" in str(error)


def test_malformed_toml(ts: Timescale) -> None:
    text = BASE.replace('part = "ROS"', 'part = "ROS')
    error = refuse(ts, text)
    assert error.line == line_of(text, 'part = "ROS') and error.column is not None
    assert "not valid TOML" in str(error)


def test_malformed_yaml(ts: Timescale) -> None:
    text = "start:\n  epoch: 2022-03-27T13:08:21Z\nend: {reentry: true\nevents: []\n"
    error = refuse(ts, text, source="s.yaml")
    assert error.line == 4 and error.column is not None
    assert "not valid YAML" in str(error)


def test_errors_in_yaml_files_name_their_lines_too(ts: Timescale) -> None:
    text = ("start:\n  epoch: 2022-03-27T13:08:21Z\nend:\n  reentry: true\nevents:\n"
            "  - at: 2022-03-30T07:00:00Z\n    kind: undock\n    part: ROS\n"
            "  - at: 2022-03-30T08:00:00Z\n    kind: undock\n    part: 7\n")
    error = refuse(ts, text, source="s.yaml")
    check(error, "events[1].part", 11)
    assert error.column == 5


TLE_BAD = """\
[start]
epoch = "2022-03-27T13:08:21Z"
tle = \"\"\"
ISS (ZARYA)
1 25544U 98067A   22086.54746528  .00007553  00000+0  14224-3 0  9994
2 25544  51.6447  20.9354 0003979 317.3996  16.1142 15.49578066332519
\"\"\"
[end]
days = 1
"""


def test_bad_inline_tle_names_the_line_in_the_scenario_file(ts: Timescale) -> None:
    error = refuse(ts, TLE_BAD)
    check(error, "start.tle", line_of(TLE_BAD, "2 25544"))
    assert error.column == 69
    assert "checksum" in str(error)


def test_bad_inline_tle_in_yaml(ts: Timescale) -> None:
    text = ("start:\n  epoch: 2022-03-27T13:08:21Z\n  tle: |\n"
            "    1 25544U 98067A   22086.54746528  .00007553  00000+0  14224-3 0  9994\n"
            "    2 25544  51.6447  20.9354 0003979 317.3996  16.1142 15.49578066332519\n"
            "end: {days: 1}\n")
    error = refuse(ts, text, source="s.yaml")
    check(error, "start.tle", 5)
    assert error.column == 4 + 69


def test_tle_with_two_element_sets(ts: Timescale) -> None:
    good = TLE_BAD.replace("332519", "332518")
    two = good.replace("ISS (ZARYA)\n", "").replace('"""\n[end]', "\n".join(
        good.splitlines()[4:6]) + '\n"""\n[end]')
    check(refuse(ts, two), "start.tle", line_of(two, "tle ="))


def test_bad_inline_omm(ts: Timescale) -> None:
    text = ('[start]\nepoch = "2022-03-27T13:08:21Z"\nomm = """\nCCSDS_OMM_VERS = 2.0\n'
            'MEAN_ELEMENT_THEORY = SGP4\nEPOCH = tomorrow\n"""\n[end]\ndays = 1\n')
    error = refuse(ts, text)
    assert "start.omm: not a valid OMM" in str(error)
    assert isinstance(error, InputError)


def test_attitude_event_and_an_unknown_mode(ts: Timescale) -> None:
    event = '[[events]]\nat = "2022-04-03T00:00:00Z"\nkind = "attitude"\nmode = "tumbling"\n'
    scn = parse_scenario(BASE + event, ts=ts, source="s.toml")
    last = scn.events[-1]
    assert isinstance(last, AttitudeMode) and last.mode == "tumbling"
    text = BASE + event.replace('"tumbling"', '"spinning"')
    error = refuse(ts, text)
    check(error, "events[3].mode", line_of(text, "spinning"))
    assert "xvv | tumbling" in str(error)


@pytest.mark.parametrize(("change", "path", "words"), [
    (('name = "base"', 'name = "' + "n" * 100 + '"'), "name", "not a scenario name"),
    (('name = "base"', 'name = "../up"'), "name", "not a scenario name"),
    (('name = "base"', 'name = "base"\ntitle = "' + "t" * 201 + '"'), "title",
     "at most 200 characters"),
    (("max_days = 100", "max_days = 1e300"), "end.max_days", "expected <= 3650"),
    (("reentry = true\nmax_days = 100", "days = 4000"), "end.days", "at most 3,650"),
    (("reentry = true\nmax_days = 100", 'until = "2040-01-01T00:00:00Z"'), "end.until",
     "at most 3,650 days"),
    (("[[vehicles]]", "[physics]\noutput_step_s = 1e-9\n[[vehicles]]"),
     "physics.output_step_s", "expected >= 1"),
    (("max_days = 100\n[[vehicles]]", "max_days = 3650\n[physics]\noutput_step_s = 1\n"
      "[[vehicles]]"), "physics.output_step_s", "too many states"),
])
def test_what_a_run_cannot_hold_is_refused(ts: Timescale, change: tuple[str, str], path: str,
                                           words: str) -> None:
    """Limits that keep a run within memory and within the models: a name that names a
    folder, a title for one line, a span of at most ten years, an ephemeris of at most two
    million states."""
    text = BASE.replace(*change)
    error = refuse(ts, text)
    assert f"{path}:" in str(error) and words in str(error), str(error)


@pytest.mark.parametrize(("orbit", "words"), [
    ("altitude_km = 40000", "expected <= 980"),
    ("altitude_km = 1", "expected >= 120"),
    ("altitude_km = 900\neccentricity = 0.02", "apogee above"),
    ("altitude_km = 200\neccentricity = 0.02", "perigee below the entry interface"),
])
def test_a_start_orbit_outside_the_atmosphere_models(ts: Timescale, orbit: str,
                                                     words: str) -> None:
    text = BASE.replace('epoch = "2022-03-27T13:08:21Z"',
                        f'epoch = "2022-03-27T13:08:21Z"\n[start.orbit]\n{orbit}\n'
                        "inclination_deg = 51.6")
    error = refuse(ts, text)
    assert "start.orbit." in str(error) and words in str(error), str(error)


def test_the_state_count_takes_the_first_bound_reached(ts: Timescale) -> None:
    """A 1-s step on a run that stops after 100 days at the latest is within the two million
    states, even though it also waits for re-entry (up to 3,650 days)."""
    text = BASE.replace("max_days = 100\n[[vehicles]]",
                        "days = 100\n[physics]\noutput_step_s = 1\n[[vehicles]]")
    assert parse_scenario(text, ts=ts, source="s.toml").output_step_s == 1.0
