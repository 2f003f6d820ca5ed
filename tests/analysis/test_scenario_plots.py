"""Figures of a scenario run: written as valid PNG or SVG, and never half-written."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from matplotlib.figure import Figure

from stationsim.analysis.scenario_plots import parse_utc, plot_altitudes, plot_ledgers
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
