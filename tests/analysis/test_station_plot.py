"""The station schematic: written as PNG and SVG, parts where the layout puts them, coloured by
segment, what leaves hatched (exactly those parts), names clear of each other, bad input named."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Rectangle

from stationsim.analysis.station_plot import (
    SEGMENT_COLOURS,
    Schematic,
    draw_station_schematic,
    leaving_parts,
    plot_station_schematic,
)
from stationsim.data.station import load_station
from stationsim.errors import InputError
from stationsim.station import Configuration, Segment, separate_segments

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAIN_MODULES = ("Zvezda", "Zarya", "Unity", "Destiny", "Harmony", "Nauka", "Columbus",
                "Kibo PM", "Tranquility")


@pytest.fixture(scope="module")
def iss() -> Configuration:
    """The bundled ISS of 2022-03-06, Russian and US segments joined."""
    return load_station()


@pytest.fixture(scope="module")
def ros(iss: Configuration) -> frozenset[str]:
    """The parts the Russian segment takes away when it separates."""
    return frozenset(separate_segments(iss)[Segment.ROS].names)


def _draw(config: Configuration, detached: frozenset[str] = frozenset()
          ) -> tuple[Figure, tuple[Axes, Axes], Schematic]:
    fig = Figure(figsize=(11.5, 6.0))
    top = fig.add_axes((0.02, 0.05, 0.65, 0.9))
    side = fig.add_axes((0.7, 0.05, 0.28, 0.9))
    return fig, (top, side), draw_station_schematic(top, side, config, detached)


def test_png_is_written(iss: Configuration, tmp_path: Path) -> None:
    target = tmp_path / "station.png"
    assert plot_station_schematic(iss, target) == target
    data = target.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 50_000
    assert [p.name for p in tmp_path.iterdir()] == ["station.png"]  # no temporaries left
    assert target.stat().st_mode & 0o044 == 0o044  # readable by others, like the report


def test_svg_names_the_main_modules(iss: Configuration, ros: frozenset[str],
                                    tmp_path: Path) -> None:
    target = tmp_path / "station.svg"
    plot_station_schematic(iss, target, detached=ros, title="The ROS leaves")
    assert ET.parse(target).getroot().tag.endswith("svg")
    text = target.read_text(encoding="utf-8")
    for name in (*MAIN_MODULES, "The ROS leaves", "leaves", "Russian segment (ROS)",
                 "US segment (USOS)", "truss"):
        assert name in text, name
    assert re.search(r"<!-- \d+ m -->", text)  # the scale bar
    assert "Hatched and faded: what leaves (9 parts" in text  # the default caption


def test_note_replaces_the_caption(iss: Configuration, tmp_path: Path) -> None:
    target = tmp_path / "station.svg"
    plot_station_schematic(iss, target, detached={"Soyuz MS-19"}, note="Soyuz goes home.")
    text = target.read_text(encoding="utf-8")
    assert "Soyuz goes home." in text and "Hatched and faded" not in text


def test_hatched_parts_are_exactly_those_that_leave(iss: Configuration,
                                                   ros: frozenset[str]) -> None:
    _, _, drawn = _draw(iss, ros)
    sized = {p.name for p in iss.parts if p.length_m and p.diameter_m}
    for view in (drawn.top, drawn.side):
        assert set(view) == sized
        assert {name for name, patch in view.items() if patch.get_hatch()} == ros
    assert ros == {"Zarya", "Zvezda", "Poisk", "Rassvet", "Nauka", "Prichal", "Soyuz MS-19",
                   "Progress MS-18", "Progress MS-19"}


def test_nothing_is_hatched_when_nothing_leaves(iss: Configuration) -> None:
    _, _, drawn = _draw(iss)
    assert not any(p.get_hatch() for view in (drawn.top, drawn.side) for p in view.values())


def test_parts_are_drawn_to_scale_where_the_layout_puts_them(iss: Configuration) -> None:
    _, _, drawn = _draw(iss)
    zvezda = drawn.top["Zvezda"]  # along x: its length is upward in the top view
    assert isinstance(zvezda, Rectangle)
    assert zvezda.get_width() == pytest.approx(4.15)
    assert zvezda.get_height() == pytest.approx(13.1)
    zarya, unity = drawn.top["Zarya"], drawn.top["Unity"]
    assert isinstance(zarya, Rectangle) and isinstance(unity, Rectangle)
    # Zvezda hangs aft of Zarya, which hangs aft of PMA-1 and Unity (at the origin).
    assert zvezda.get_y() + zvezda.get_height() == pytest.approx(zarya.get_y())
    assert unity.get_y() == pytest.approx(-5.47 / 2)
    nauka = drawn.top["Nauka"]  # along z: seen end-on from the zenith, a disc
    assert isinstance(nauka, Circle) and nauka.radius == pytest.approx(4.25 / 2)
    assert isinstance(drawn.side["Nauka"], Rectangle)
    assert drawn.side["Nauka"].get_x() > 0  # nadir of Zvezda: to the right in the side view
    assert isinstance(drawn.side["Quest"], Circle)  # along y: end-on from starboard
    assert isinstance(drawn.side["S0"], Rectangle)  # truss end-on: a square
    assert drawn.side["S0"].get_width() == pytest.approx(drawn.side["S0"].get_height())


def test_colours_follow_the_segments(iss: Configuration) -> None:
    _, _, drawn = _draw(iss)
    assert to_rgb(drawn.top["Zvezda"].get_facecolor()) == pytest.approx(
        to_rgb(SEGMENT_COLOURS[Segment.ROS]))
    assert to_rgb(drawn.top["Destiny"].get_facecolor()) == pytest.approx(
        to_rgb(SEGMENT_COLOURS[Segment.USOS]))
    soyuz = to_rgb(drawn.side["Soyuz MS-19"].get_facecolor())  # a lighter tint of red
    assert sum(soyuz) > sum(to_rgb(SEGMENT_COLOURS[Segment.ROS]))
    assert soyuz[0] > soyuz[2]
    r, g, b = to_rgb(drawn.top["S1"].get_facecolor())  # truss: grey
    assert r == pytest.approx(g) == pytest.approx(b)


def test_main_modules_are_named_without_overlaps(iss: Configuration,
                                                 ros: frozenset[str]) -> None:
    fig, axes, drawn = _draw(iss, ros)
    assert set(MAIN_MODULES) <= set(drawn.labels)
    fig.draw_without_rendering()
    for ax in axes:
        boxes = [t.get_window_extent() for t in drawn.labels.values() if t.axes is ax]
        assert len(boxes) >= 5
        for a, b in itertools.combinations(boxes, 2):
            assert not a.overlaps(b)


def test_the_segment_joint_is_marked(iss: Configuration) -> None:
    _, (top, _), _ = _draw(iss)
    assert any("ROS–USOS joint" in t.get_text() and "Zarya at PMA-1" in t.get_text()
               for t in top.texts)


def test_leaving_parts_follows_the_tree(iss: Configuration, ros: frozenset[str]) -> None:
    assert leaving_parts(iss, ["ROS"]) == ros
    assert leaving_parts(iss, ["ros"]) == ros
    assert leaving_parts(iss, ["Zarya"]) == ros  # the Russian segment hangs from Zarya
    assert leaving_parts(iss, ["Rassvet"]) == {"Rassvet", "Soyuz MS-19"}
    assert leaving_parts(iss, ["Soyuz MS-19", "Cygnus NG-17"]) == {"Soyuz MS-19",
                                                                    "Cygnus NG-17"}
    assert leaving_parts(iss, []) == frozenset()


def test_leaving_parts_names_what_it_does_not_know(iss: Configuration) -> None:
    with pytest.raises(InputError, match="Soyuz MS-22") as caught:
        leaving_parts(iss, ["Zarya", "Soyuz MS-22"])
    assert "Zarya" not in str(caught.value.found)


def test_unknown_detached_parts_are_named(iss: Configuration, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"Mir, Skylab") as caught:
        plot_station_schematic(iss, tmp_path / "x.png", detached=["Zarya", "Mir", "Skylab"])
    assert "Zarya" not in str(caught.value.found)
    assert not list(tmp_path.iterdir())
    with pytest.raises(InputError, match="ROS"):  # a segment is not a part: leaving_parts
        _draw(iss, frozenset({"ROS"}))


def test_bad_picture_path_is_refused_before_drawing(iss: Configuration,
                                                    tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unsupported picture format"):
        plot_station_schematic(iss, tmp_path / "station.bmp")
    with pytest.raises(InputError, match="folder to write into does not exist"):
        plot_station_schematic(iss, tmp_path / "missing" / "station.png")
    assert not list(tmp_path.iterdir())


def test_a_segment_alone_is_drawn(iss: Configuration, tmp_path: Path) -> None:
    alone = separate_segments(iss)[Segment.ROS]
    _, (top, _), drawn = _draw(alone, leaving_parts(alone, ["Nauka"]))
    assert {n for n, p in drawn.side.items() if p.get_hatch()} == {"Nauka", "Prichal"}
    assert not any("joint" in t.get_text() for t in top.texts)  # one segment: no joint
    target = plot_station_schematic(alone, tmp_path / "ros.pdf")
    assert target.read_bytes().startswith(b"%PDF")
