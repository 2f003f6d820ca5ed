"""``stationsim run`` and ``stationsim scenarios``: the documented JSON shape,
the files written, and user errors (an unknown scenario, a scenario file with a typo) that end
with exit code 2, one line naming the place, and nothing written.

References: the documented keys and types of ``results.json``; the March 2022 crew of
the station record."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from stationsim.cli.main import app

runner = CliRunner()


def test_scenarios_lists_the_built_ins() -> None:
    result = runner.invoke(app, ["scenarios"])
    assert result.exit_code == 0, result.output
    for name in ("baseline-2022", "farewell-2022", "cygnus-2022", "dragon-boost",
                 "deorbit-2030"):
        assert name in result.stdout


def test_run_json_has_the_documented_shape_and_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "baseline"
    result = runner.invoke(app, ["run", "baseline-2022", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["scenario"] == "baseline-2022"
    for part in data["parts"]:
        assert isinstance(part["name"], str) and isinstance(part["mass_kg"], float)
        assert part["reentry"] is None or set(part["reentry"]) >= {"median", "p05", "p95"}
        assert isinstance(part["decay_m_per_day_at_start"], float)
    for member in data["crew"]:
        assert set(member) >= {"name", "aboard", "can_return", "return_vehicle", "landing"}
        assert isinstance(member["can_return"], bool)
    landed = {m["name"]: m for m in data["crew"]}["Mark Vande Hei"]
    assert landed["aboard"] == "Soyuz MS-19" and landed["landing"].startswith("2022-03-30")
    kinds = {e["kind"] for e in data["events"]}
    assert {"start", "dock", "burn", "crew_landing"} <= kinds
    for event in data["events"]:
        assert set(event) >= {"epoch", "kind", "detail"}
    written = {p.name for p in out.iterdir()}
    assert written == {"results.json", "report.md", "report.html", "altitude.png",
                       "ledgers.png", "map.png", "station.png", "ephemeris.oem",
                       "tracks.czml", "tracks.geojson"}
    assert json.loads((out / "results.json").read_text())["scenario"] == "baseline-2022"


def test_unknown_scenario_is_a_user_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "farewell-2023", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "farewell-2022" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "x").exists()


def test_a_typo_in_a_scenario_file_names_the_key_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "typo.toml"
    bad.write_text('format = "stationsim-scenario 1"\n[start]\nepoch = "2022-03-27T13:08:21Z"\n'
                   '[end]\ndays = 1\n[[events]]\nat = "2022-03-28T00:00:00Z"\nkind = "undok"\n'
                   'part = "ROS"\n', encoding="utf-8")
    result = runner.invoke(app, ["run", str(bad), "--out", str(tmp_path / "y")])
    assert result.exit_code == 2
    assert "line 8" in result.stderr and "events[0].kind" in result.stderr
    assert not (tmp_path / "y").exists()
