"""The command line, in process (typer's CliRunner): outputs, JSON shapes, and user errors that
end with exit code 2 and one line, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stationsim.cli.main import app

runner = CliRunner()

L1 = "1 25544U 98067A   22066.87965278  .00007224  00000+0  13623-3 0  9990"
L2 = "2 25544  51.6433 118.2979 0004901 229.8721 120.0122 15.49615511329466"
#: The ISS set of 2022-11-08, which SGP4 brings below 100 km by September 2026.
NOV1 = "1 25544U 98067A   22312.10734271  .00013585  00000-0  24681-3 0  9991"
NOV2 = "2 25544  51.6458 343.6266 0006659  48.7066  47.2159 15.49845562367506"


def _json(text: str) -> dict:  # type: ignore[type-arg]
    return json.loads(text)  # type: ignore[no-any-return]


def test_help_teaches() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "where" in result.output and "data" in result.output
    result = runner.invoke(app, ["where", "--help"])
    assert result.exit_code == 0
    assert "--at" in result.output and "Examples" in result.output


def test_where_default_json() -> None:
    result = runner.invoke(app, ["where", "--json"])
    assert result.exit_code == 0, result.output
    data = _json(result.stdout)
    for key in ("norad_id", "epoch", "lat_deg", "lon_deg", "alt_km", "r_gcrf_m", "v_gcrf_m_s"):
        assert key in data
    assert data["norad_id"] == 25544
    assert data["epoch"] == "2022-03-07T21:06:42.000Z"
    assert 410 < data["alt_km"] < 425
    assert len(data["r_gcrf_m"]) == 3 and len(data["v_gcrf_m_s"]) == 3


def test_where_table_and_at(tmp_path: Path) -> None:
    tle = tmp_path / "iss.tle"
    tle.write_text(f"ISS (ZARYA)\n{L1}\n{L2}\n", encoding="ascii")
    result = runner.invoke(app, ["where", str(tle), "--at", "2022-03-08T00:00:00Z"])
    assert result.exit_code == 0, result.output
    assert "ISS (ZARYA) (25544) at 2022-03-08T00:00:00.000Z" in result.output
    assert "altitude" in result.output


def test_data_info() -> None:
    result = runner.invoke(app, ["data", "info", "--json"])
    assert result.exit_code == 0, result.output
    info = _json(result.stdout)
    assert info["tle"]["sets"] == 13
    result = runner.invoke(app, ["data", "info"])
    assert result.exit_code == 0
    assert "space weather" in result.output.lower()


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, ["where", "missing.tle"], "no such file"),
        (f"{L1}\n{L2[:-1]}8\n", ["where", "{file}"], "checksum"),
        (f"{L2}\n{L1}\n", ["where", "{file}"], "line 1"),
        ("", ["where", "{file}"], "no element set"),
        (f"{L1}\n{L2}\n", ["where", "{file}", "--at", "yesterday"], "ISO 8601"),
        (f"{L1}\n{L2}\n", ["where", "{file}", "--at", "1960-01-01T00:00:00Z"], "1972"),
        (f"{L1}\n{L2}\n", ["where", "{file}", "--norad", "5"], "not in the file"),
        (f"{NOV1}\n{NOV2}\n", ["where", "{file}", "--at", "2026-09-08T00:00:00Z"],
         "below 100 km"),
    ],
    ids=["missing", "checksum", "swapped", "empty", "bad-at", "pre-1972", "wrong-norad",
         "decayed-by-sgp4"],
)
def test_user_errors_exit_2_without_traceback(
    tmp_path: Path, content: str | None, args: list[str], message: str
) -> None:
    file = tmp_path / "input.tle"
    if content is not None:
        file.write_text(content, encoding="ascii")
    argv = [a.replace("{file}", str(file)) for a in args]
    result = runner.invoke(app, argv)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert message.lower() in result.output.lower()
    assert result.output.strip().startswith("error:")


def test_far_from_the_element_set_warns_once() -> None:
    """SGP4 weeks from its epoch is flagged; the CLI prints each distinct warning once."""
    result = runner.invoke(app, ["where", "--at", "2023-06-01T00:00:00Z"])
    assert result.exit_code == 0, result.output
    assert result.output.count("warning: SGP4 used 205 days from its element set") == 1
