"""``stationsim station``: the documented JSON shape, the text audit, --without and
--at, and user errors that end with exit code 2 and one line.

References: the documented JSON keys and types; the crew and vehicle facts of March 2022
(seven aboard on 03-06, ten after Soyuz MS-21 docked on 03-18 19:12 UTC)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from stationsim.cli.main import app

runner = CliRunner()


def _json(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["station", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _check_segment(entry: dict[str, Any]) -> None:
    for key in ("mass_kg", "drag_area_m2", "ballistic_coefficient_kg_m2"):
        assert isinstance(entry[key], float) and entry[key] > 0.0
    assert isinstance(entry["propulsion"]["delta_v_m_s"], float)
    hours = entry["attitude"]["hours_to_cmg_saturation"]
    assert hours is None or isinstance(hours, float)
    assert isinstance(entry["power_kw"]["generated"], float)
    assert isinstance(entry["power_kw"]["load"], float)


def test_json_shape_on_march_6() -> None:
    """The documented object: epoch, total mass, both segments with their figures, the crew."""
    data = _json()
    assert data["epoch"] == "2022-03-06T00:00:00Z"
    assert data["total_mass_kg"] == pytest.approx(419_455.0, rel=0.05)
    assert set(data["segments"]) == {"ROS", "USOS"}
    for entry in data["segments"].values():
        _check_segment(entry)
    assert data["segments"]["USOS"]["propulsion"]["delta_v_m_s"] == 0.0
    assert data["segments"]["ROS"]["attitude"]["hours_to_cmg_saturation"] is None
    assert isinstance(data["segments"]["USOS"]["attitude"]["hours_to_cmg_saturation"], float)
    crew = {c["name"]: c for c in data["crew"]}
    assert len(crew) == 7
    for member in crew.values():
        assert member["aboard"] in ("ROS", "USOS")
        assert member["return_vehicle"] is None or isinstance(member["return_vehicle"], str)
    assert crew["Mark Vande Hei"] == {**crew["Mark Vande Hei"], "aboard": "USOS",
                                      "return_vehicle": "Soyuz MS-19"}


def test_at_march_18_ten_crew() -> None:
    data = _json("--at", "2022-03-18T20:00:00Z")
    assert len(data["crew"]) == 10
    assert all(c["return_vehicle"] for c in data["crew"])
    assert "Soyuz MS-21" in data["segments"]["ROS"]["parts"]


def test_without_ros() -> None:
    """What remains is the USOS: its mass, and Vande Hei without a seat (his Soyuz left)."""
    whole = _json()
    data = _json("--without", "ros")
    assert set(data["segments"]) == {"USOS"}
    _check_segment(data["segments"]["USOS"])
    assert data["total_mass_kg"] == pytest.approx(whole["segments"]["USOS"]["mass_kg"])
    assert "Zarya" in data["removed"] and "Soyuz MS-19" in data["removed"]
    crew = {c["name"]: c for c in data["crew"]}
    assert len(crew) == 5 and crew["Mark Vande Hei"]["return_vehicle"] is None
    assert crew["Mark Vande Hei"]["assigned_vehicle"] == "Soyuz MS-19"


def test_without_a_vehicle() -> None:
    data = _json("--without", "crew dragon endurance")
    assert "Crew Dragon Endurance" in data["removed"] and len(data["removed"]) == 1
    without_seat = [c["name"] for c in data["crew"] if c["return_vehicle"] is None]
    assert len(without_seat) == 4


def test_text_audit() -> None:
    """The tables and the sentences of the documented example for the USOS alone."""
    result = runner.invoke(app, ["station"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    text = result.output
    for words in ("Parts", "Mass and drag budget", "Capabilities",
                  "Who provides each capability", "What is lost if a part leaves",
                  "Crew and seats home", "USOS alone", "no reboost propulsion",
                  "no thrusters to desaturate", "seats: 4 on Crew Dragon Endurance",
                  "Mark Vande Hei's seat was on Soyuz MS-19, now attached to the ROS"):
        assert words in text, words


@pytest.mark.parametrize(("args", "words"), [
    (["--at", "2022-05-01T00:00:00Z"], "covers 2022-02-21"),
    (["--at", "yesterday"], "not an ISO 8601"),
    (["--without", "Mir"], "no such segment, module or vehicle"),
    (["--without", "Unity"], "holds the station together"),
    (["--picture", "station.gif"], ".png"),
])
def test_user_errors(args: list[str], words: str) -> None:
    result = runner.invoke(app, ["station", *args])
    assert result.exit_code == 2
    assert words in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_picture_hatches_what_leaves(tmp_path: Path) -> None:
    picture = tmp_path / "station.svg"
    result = runner.invoke(app, ["station", "--without", "ros", "--picture", str(picture)])
    assert result.exit_code == 0, result.output
    text = picture.read_text()
    assert "Zvezda" in text and "Destiny" in text and "leaves" in text
