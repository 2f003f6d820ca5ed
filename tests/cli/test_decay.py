"""``stationsim decay``: its documented JSON shape, its fit on the
real 2022 ISS TLEs, its plot, and user errors that end with exit code 2 and one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stationsim.cli.main import app

runner = CliRunner()


def test_decay_json_shape_with_given_ballistic_coefficient(tmp_path: Path) -> None:
    """Keys and types of the specified object; a one-day run from the bundled 2022-03-07 set,
    with B given so no fit runs. The ISS loses tens of metres a day at B ~ 180 kg/m^2:
    the final mean altitude lies within 1 km of the first."""
    picture = tmp_path / "decay.png"
    result = runner.invoke(app, ["decay", "--at", "2022-03-07T21:06:42Z", "--days", "2",
                                 "--ballistic", "180", "--json", "--plot", str(picture)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data["norad_id"], int) and data["norad_id"] == 25544
    assert data["epoch"] == "2022-03-07T21:06:42Z"
    b = data["ballistic_coefficient_kg_m2"]
    assert b["value"] == pytest.approx(180.0) and b["source"] == "given"
    assert isinstance(b["sigma"], float)
    final = data["final"]
    assert final["epoch"].startswith("2022-03-09T21:06:4")
    first = data["history"][0]["mean_altitude_km"]
    assert 400.0 < final["mean_altitude_km"] < first < 440.0
    assert first - final["mean_altitude_km"] < 1.0
    assert data["reentry"] is None
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".stationsim-")]


def test_decay_fit_on_real_iss_tles() -> None:
    """The fit on the bundled ISS sets of 2022-03-19..27 (no reboost between them): a ballistic
    coefficient of 120-250 kg/m^2 (ISS ~420 t, C_D ~2.2, ~1,000-1,600 m^2 facing the flow),
    with a fit RMS under 50 m (TLE mean-motion noise is ~10-30 m in semi-major axis)."""
    result = runner.invoke(app, ["decay", "--at", "2022-03-27T13:08:21Z", "--days", "1",
                                 "--json"])
    assert result.exit_code == 0, result.output
    b = json.loads(result.stdout)["ballistic_coefficient_kg_m2"]
    assert b["source"] == "fit"
    assert 120.0 < b["value"] < 250.0
    assert 0.0 < b["sigma"] < 0.2 * b["value"]
    assert b["fit_rms_m"] < 50.0


def test_decay_direct_method_agrees_with_the_fit() -> None:
    """``--method direct`` (NRLMSIS 2.1 at every step) against the default fitted density, one
    day of the 2022-03-07 ISS with B given: the final mean altitudes within 2 m (the paths
    differ by 0.035 % of a 30-day decay in docs/validation.md; the ISS loses ~60 m a day)."""
    args = ["decay", "--at", "2022-03-07T21:06:42Z", "--days", "1", "--ballistic", "180",
            "--json"]
    fitted = runner.invoke(app, args)
    direct = runner.invoke(app, [*args, "--method", "direct"])
    assert fitted.exit_code == 0 and direct.exit_code == 0, direct.output
    a, b = json.loads(fitted.stdout), json.loads(direct.stdout)
    assert (a["method"], b["method"]) == ("fit", "direct")
    assert abs(a["final"]["mean_altitude_km"] - b["final"]["mean_altitude_km"]) < 0.002


@pytest.mark.parametrize("args, fragment", [
    (["--atmosphere", "jacchia"], "--atmosphere"),
    (["--at", "2021-01-01T00:00:00Z"], "no element set at or before --at"),
    (["--at", "2022-13-01"], "--at"),
    (["--method", "exact"], "--method"),
    # The last bundled set (2022-11-08), carried by SGP4 to September 2026, is 64 km up.
    (["--at", "2026-09-01T00:00:00Z"], "below 100 km"),
])
def test_decay_user_errors(args: list[str], fragment: str) -> None:
    result = runner.invoke(app, ["decay", "--days", "1", *args])
    assert result.exit_code == 2, result.output
    assert fragment in result.output
    assert "Traceback" not in result.output


def test_decay_several_objects_needs_norad(tmp_path: Path) -> None:
    source = Path(__file__).parents[1] / "reference" / "tle" / "delfi-pq_51074_last100d.tle"
    iss = (Path(__file__).parents[2] / "src" / "stationsim" / "data" / "bundled" / "tle"
           / "iss_2022.tle").read_text()
    mixed = tmp_path / "mixed.tle"
    mixed.write_text(source.read_text() + iss)
    result = runner.invoke(app, ["decay", str(mixed), "--days", "1"])
    assert result.exit_code == 2
    assert "--norad" in result.output


def test_decay_bad_plot_suffix_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "decay.bmp"
    result = runner.invoke(app, ["decay", "--days", "1", "--ballistic", "180",
                                 "--plot", str(target)])
    assert result.exit_code == 2
    assert "picture format" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["reentry", "band"])
def test_predictions_refuse_a_start_below_100_km(command: str) -> None:
    """The Monte Carlo commands share the check: one line, exit 2, before any fit."""
    result = runner.invoke(app, [command, "--at", "2026-09-01T00:00:00Z", "--members", "2"])
    assert result.exit_code == 2, result.output
    assert "below 100 km" in result.output and "Traceback" not in result.output


def test_decay_from_a_stale_set_warns() -> None:
    """68 days after the last bundled set: the answer comes, with the set's age said once."""
    result = runner.invoke(app, ["decay", "--at", "2023-01-15T00:00:00Z", "--days", "1",
                                 "--ballistic", "180"])
    assert result.exit_code == 0, result.output
    assert result.output.count("is 68 days old (2022-11-08") == 1
