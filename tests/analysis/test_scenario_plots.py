"""Figures of a scenario run: written as valid PNG or SVG, and never half-written."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.figure import Figure

from stationsim.analysis.landing import LANDING_ZONES
from stationsim.analysis.scenario_plots import parse_utc, plot_altitudes, plot_ledgers
from stationsim.analysis.world_map import draw_landing_zones, plot_scenario_map, split_at_dateline
from stationsim.data.geography import load_countries
from stationsim.errors import InputError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("plot", [plot_altitudes, plot_ledgers])
def test_png_is_written(results: dict[str, Any], tmp_path: Path, plot: Any) -> None:
    target = tmp_path / "figure.png"
    assert plot(results, target) == target
    data = target.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 20_000
    assert [p.name for p in tmp_path.iterdir()] == ["figure.png"]  # no temporaries left


@pytest.mark.parametrize("plot", [plot_altitudes, plot_ledgers])
def test_svg_is_written(results: dict[str, Any], tmp_path: Path, plot: Any) -> None:
    target = tmp_path / "figure.svg"
    plot(results, target)
    root = ET.parse(target).getroot()
    assert root.tag.endswith("svg")
    text = target.read_text(encoding="utf-8")
    assert "USOS" in text and "ROS" in text  # text drawn as paths keeps it as a comment


def test_altitude_figure_holds_its_parts(results: dict[str, Any], tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The figure handed to the writer has a line per part, the window and a legend."""
    seen: list[Figure] = []
    monkeypatch.setattr("stationsim.analysis.scenario_plots._save",
                        lambda fig, path: seen.append(fig) or Path(path))
    plot_altitudes(results, tmp_path / "a.png")
    (ax,) = seen[0].axes
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "USOS (re-entry 2022-06-20)" in labels and "ROS" in labels
    assert "USOS re-entry window, 5-95 %" in labels
    assert "entry interface, 120 km" in labels
    assert ax.get_ylabel() == "mean height above the equatorial radius [km]"
    assert ax.get_xlabel() == "date (UTC)"
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "undock" in texts and "crew landing" in texts and "policy" in texts
    assert "reentry" not in texts  # the log's notes stay in the report's table


def test_a_failure_while_writing_leaves_no_file(results: dict[str, Any], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Figure, *args: Any, **kwargs: Any) -> None:
        Path(args[0]).write_bytes(b"\x89PNG half")  # a partial picture, then the failure
        raise OSError("disk full")

    monkeypatch.setattr(Figure, "savefig", broken)
    with pytest.raises(OSError, match="disk full"):
        plot_altitudes(results, tmp_path / "altitude.png")
    assert list(tmp_path.iterdir()) == []


def test_a_failure_while_drawing_leaves_no_file(results: dict[str, Any],
                                                tmp_path: Path) -> None:
    del results["parts"][1]["series"]["propellant_kg"][3:]
    with pytest.raises(InputError, match="'propellant_kg' has 3 values"):
        plot_ledgers(results, tmp_path / "ledgers.png")
    results["start"] = "yesterday"
    with pytest.raises(InputError, match="ISO 8601"):
        plot_altitudes(results, tmp_path / "altitude.png")
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_suffix_is_refused(results: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unsupported picture format"):
        plot_altitudes(results, tmp_path / "altitude.gif")


def test_parse_utc() -> None:
    when = parse_utc("2022-03-30T11:28:00Z")
    assert when.isoformat() == "2022-03-30T11:28:00+00:00"
    assert parse_utc("2022-03-30T13:28:00+02:00") == when


def test_scenario_map_draws_tracks_points_and_zones(tmp_path: Path) -> None:
    """The map's artists: one line per piece of track (cut at the dateline), a star per
    re-entry, a patch per landing zone (1 Soyuz + 7 Dragon sites); a malformed track is the
    caller's error."""
    lon = np.array([150.0, 170.0, -175.0, -160.0])
    pieces = split_at_dateline(np.zeros(4), lon)
    assert [len(p[0]) for p in pieces] == [2, 2]
    ax = Figure().add_subplot(1, 1, 1)
    draw_landing_zones(ax)
    assert len(ax.patches) == len(LANDING_ZONES) == 8
    results = {"title": "t", "parts": [
        {"name": "USOS", "ground_track": {"what": "the last revolutions sampled",
                                          "start": "2022-05-19T13:08:00Z",
                                          "lat_deg": [0.0, 10.0, 20.0],
                                          "lon_deg": [170.0, 179.0, -171.0]},
         "reentry": {"median": "2022-05-20T07:12:11Z", "p05": "2022-05-10T00:00:00Z",
                     "p95": "2022-06-01T00:00:00Z", "lat_deg": 17.0, "lon_deg": -110.0}}]}
    out = plot_scenario_map(results, load_countries(), tmp_path / "map.png")
    assert out.stat().st_size > 20_000
    results["parts"][0]["ground_track"]["lat_deg"] = [0.0]
    with pytest.raises(InputError, match="different lengths"):
        plot_scenario_map(results, load_countries(), tmp_path / "bad.png")
    assert not (tmp_path / "bad.png").exists()
