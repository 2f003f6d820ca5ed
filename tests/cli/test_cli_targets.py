"""The command line refuses, before any work, what it could only fail on at the end: outputs
that cannot be written (a folder in a file's place, a file in a folder's place, a file system
that takes no new files), a scheduler address that is no address, a store that is not a
database, a step that makes too many readings, an orbit above the atmosphere; and it says
which file a scenario's runtime error is in. Each ends with exit code 2, one ``error:`` line
naming the option or the file, no traceback, and nothing written."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stationsim.analysis.distributed_run import check_scheduler_address
from stationsim.cli.main import app
from stationsim.errors import InputError
from stationsim.io.targets import check_output_folder
from stationsim.io.tle import tle_checksum

runner = CliRunner()
PROC = Path("/proc")  # takes no new files, for any user

SCENARIO = """format = "stationsim-scenario 1"
title = "short"
[start]
epoch = "2022-03-27T13:08:21Z"
state = "bundled"
[end]
days = 1
[[events]]
at = "2022-03-27T20:00:00Z"
kind = "undock"
part = "{part}"
"""


def _refused(args: list[str], *words: str) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "error:" in result.output
    for word in words:
        assert word in result.output, (word, result.output)
    return result.output


@pytest.mark.skipif(not PROC.is_dir(), reason="needs /proc")
@pytest.mark.parametrize(("args", "option"), [
    (["decay", "--at", "2022-03-27T13:08:21Z", "--days", "1", "--plot", "/proc/x.png"],
     "--plot"),
    (["band", "--ballistic", "100", "--days", "2", "--members", "5", "--plot", "/proc/x.png"],
     "--plot"),
    (["station", "--picture", "/proc/x.png"], "--picture"),
    (["reentry", "--ballistic", "100", "--members", "5", "--map", "/proc/x.png"], "--map"),
    (["reentry", "--ballistic", "100", "--members", "5", "--czml", "/proc/x.czml"], "--czml"),
])
def test_an_output_that_cannot_be_written_is_refused_first(args: list[str], option: str
                                                           ) -> None:
    _refused(args, option, "cannot write")


def test_a_folder_in_the_way_of_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "adir.geojson"
    folder.mkdir()
    _refused(["reentry", "--ballistic", "100", "--members", "5", "--geojson", str(folder)],
             "--geojson", "folder is in the way")


def test_a_run_folder_that_cannot_take_the_report(tmp_path: Path) -> None:
    scenario = tmp_path / "s.toml"
    scenario.write_text(SCENARIO.format(part="ROS"), encoding="utf-8")
    a_file = tmp_path / "afile"
    a_file.write_text("x", encoding="utf-8")
    _refused(["run", str(scenario), "--out", str(a_file)], "--out", "file is in the way")
    partly = tmp_path / "partly"
    (partly / "map.png").mkdir(parents=True)
    _refused(["run", str(scenario), "--out", str(partly)], "--out", "map.png")
    assert [p.name for p in partly.iterdir()] == ["map.png"]  # nothing else written


def test_a_scenario_error_at_run_time_names_the_file(tmp_path: Path) -> None:
    scenario = tmp_path / "typo.toml"
    scenario.write_text(SCENARIO.format(part="Zvezdaa"), encoding="utf-8")
    _refused(["run", str(scenario), "--out", str(tmp_path / "out")],
             "typo.toml: events[0], line 8", "Zvezdaa")
    assert not (tmp_path / "out").exists()


def test_a_scheduler_address_is_checked_before_the_fit() -> None:
    _refused(["reentry", "--members", "5", "--scheduler", "bogus"], "--scheduler",
             "tcp://HOST:PORT")


def test_a_store_that_is_not_a_database(tmp_path: Path) -> None:
    store = tmp_path / "bad.sqlite"
    store.write_text("not a database", encoding="utf-8")
    _refused(["serve", "--store", str(store), "--port", "1"], "not a SQLite database")


def test_the_band_step_fits_the_length() -> None:
    result = runner.invoke(app, ["band", "--ballistic", "100", "--days", "0.5", "--members",
                                 "5", "--json"])
    assert result.exit_code == 0, result.output
    days = json.loads(result.stdout)["days"]
    assert len(days) == 13 and days[-1] == pytest.approx(0.5)
    _refused(["band", "--ballistic", "100", "--days", "3650", "--step-days", "0.001"],
             "--step-days", "10,000 readings")


def test_an_orbit_above_the_atmosphere(tmp_path: Path) -> None:
    geo = tmp_path / "geo.tle"
    lines = ["1 25544U 98067A   22066.87965278  .00000000  00000+0  00000+0 0  999",
             "2 25544   0.0500 118.2979 0001000 229.8721 120.0122  1.0027000032946"]
    geo.write_text("".join(f"{x}{tle_checksum(x)}\n" for x in lines), encoding="ascii")
    _refused(["decay", str(geo), "--days", "1", "--ballistic", "100"],
             "above the atmosphere", "1,000 km")


def test_the_source_of_b_is_said() -> None:
    result = runner.invoke(app, ["reentry", "--ballistic", "300", "--members", "5", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ballistic_coefficient_kg_m2"]["source"] == "given"


def test_help_flags_and_short_help() -> None:
    result = runner.invoke(app, ["-h"])
    assert result.exit_code == 0
    # One line per command in the list (a short help of its own, not the docstring's wrap).
    assert any(line.strip(" │").startswith("decay") and "re-enters" in line
               for line in result.output.splitlines())
    result = runner.invoke(app, ["decay", "-h"])
    assert result.exit_code == 0
    line = next(x for x in result.output.splitlines() if "--json" in x)
    assert "<bool>" not in line


def test_removed_parts_are_called_removed() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = runner.invoke(app, ["station", "--without", "ros"])
    assert result.exit_code == 0, result.output
    assert "parts removed)" in result.output and "parts left" not in result.output


def test_an_object_that_outlives_the_horizon_is_told_where_to_look() -> None:
    """B = 2,000 kg/m^2 from 418 km stays up beyond ten years: the answer says so and names the
    command that follows the descent."""
    _refused(["reentry", "--at", "2022-03-27T13:08:21Z", "--members", "5", "--ballistic",
              "2000"], "no member re-enters within 3,650 days", "stationsim band")


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:8786", "127.0.0.1:8786",
                                     "TCP://scheduler.example:8786", "tls://[::1]:8786/"])
def test_scheduler_addresses_dask_takes_pass_the_check(address: str) -> None:
    assert check_scheduler_address(address) == address


def test_a_dangling_link_in_the_way_of_the_run_folder(tmp_path: Path) -> None:
    link = tmp_path / "out"
    link.symlink_to(tmp_path / "nowhere")
    with pytest.raises(InputError, match="file is in the way"):
        check_output_folder(link, "--out")
    with pytest.raises(InputError, match="in its way"):
        check_output_folder(link / "sub", "--out")


def test_two_outputs_on_one_file(tmp_path: Path) -> None:
    same = tmp_path / "m.png"
    _refused(["reentry", "--ballistic", "100", "--members", "5", "--map", str(same), "--czml",
              str(same)], "--czml", "same file")
    assert not same.exists()


def test_a_long_echoed_input_stays_one_readable_line(tmp_path: Path) -> None:
    scenario = tmp_path / "long.toml"
    scenario.write_text(SCENARIO.format(part="ROS") + "k" * 100_000 + " = 1\n",
                        encoding="utf-8")
    output = _refused(["run", str(scenario)], "long.toml")
    assert len(output) < 3000


def test_a_scheduler_nothing_answers_at_is_refused_before_the_fit() -> None:
    _refused(["reentry", "--members", "5", "--scheduler", "127.0.0.1:1"], "--scheduler",
             "cannot reach the Dask scheduler")
