"""The report of a scenario run: its key facts in Markdown and HTML, escaping, and the files
written all or nothing."""

from __future__ import annotations

import json
import os
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from stationsim.analysis import report
from stationsim.analysis.report import REPORT_FILES, render_html, render_markdown, write_report
from stationsim.errors import InputError

IMAGES = {"altitude": "altitude.png", "ledgers": "ledgers.png"}


def _facts() -> list[str]:
    """What a reader must find: re-entry and window, decay at start, who can get home and on
    what, the landing opportunity, what was lost, and the event log with its reasons."""
    return [
        "USOS re-enters on 2022-06-20 14:00 UTC",
        "2022-06-16 02:00 to 2022-06-24 09:00 UTC",
        "USOS loses 187 m of altitude a day at the start.",
        "ROS loses 80 m of altitude a day at the start.",
        "ROS is still in orbit at the end of the run (2022-07-30 00:00 UTC).",
        "1 of 2 crew can get home.",
        "Mark Vande Hei cannot get home (No free seat: Crew Dragon Endurance is full.).",
        "Soyuz MS-19",
        "2022-03-30 11:28",
        "2022-03-30 11:11",
        "Kazakhstan (147 km SE of Zhezkazgan)",
        "It lost all propulsion: the Russian segment carried the engines.",
        "Mean altitude below 400 km, but no propulsion: reboost policy idle.",
        "Monte Carlo, 200 members (density and drag)",
        "Zvezda, Progress MS-19",
        "fitted ballistic coefficient 180 kg/m², modelled 131 kg/m²",
    ]


def test_markdown_has_the_key_facts(results: dict[str, Any]) -> None:
    text = render_markdown(results, images=IMAGES)
    assert text.startswith("# Farewell 2022: the segments part\n")
    for fact in _facts():
        assert fact in text, fact
    for heading in ("## At a glance", "## Re-entry", "## Crew", "## Landing opportunities",
                    "## What each part lost", "## Event log", "## Figures"):
        assert heading in text
    assert "](altitude.png)" in text and "](ledgers.png)" in text
    # Tables are well formed: every row of the crew table has the header's seven bars.
    crew = text.split("## Crew")[1].split("##")[0].strip().splitlines()
    assert all(line.count("|") == crew[0].count("|") for line in crew)
    # The event log is in time order, whatever order the results hold.
    log = text.split("## Event log")[1]
    assert log.index("Soyuz MS-19 leaves Rassvet") < log.index("ROS and USOS separate")


def test_markdown_without_images_has_no_figures(results: dict[str, Any]) -> None:
    assert "## Figures" not in render_markdown(results)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_has_the_key_facts_and_is_standalone(results: dict[str, Any]) -> None:
    page = render_html(results, IMAGES)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    parser = _Collector()
    parser.feed(page)
    text = "".join(parser.text)
    for fact in _facts():
        assert fact in text, fact
    sources = [a.get("src") for tag, a in parser.tags if tag == "img"]
    assert sources == ["altitude.png", "ledgers.png"]
    # Nothing is fetched from elsewhere: no links, scripts or remote URLs.
    assert not [t for t, _ in parser.tags if t in ("link", "script", "iframe")]
    assert "http://" not in page and "https://" not in page
    assert ("td", {"class": "bad"}) in parser.tags  # the stranded crew member stands out


def test_html_escapes_every_string(results: dict[str, Any]) -> None:
    results["description"] = "<script>alert('x')</script> & more"
    results["crew"][1]["note"] = 'No seat <b>"at all"</b>'
    results["events"][0]["detail"] = "</td></tr></table><img src=x onerror=alert(1)>"
    page = render_html(results, IMAGES)
    assert "<script>" not in page and "<b>" not in page and "onerror=alert(1)>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more" in page
    assert "No seat &lt;b&gt;&quot;at all&quot;&lt;/b&gt;" in page
    markdown = render_markdown(results)
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown
    # A bar inside a table cell does not split the cell.
    results["events"][0]["detail"] = "a | b"
    assert "a \\| b" in render_markdown(results)


def test_image_names_must_be_relative(results: dict[str, Any]) -> None:
    for bad in ("https://example.org/a.png", "/tmp/a.png", "../a.png"):
        with pytest.raises(InputError, match="relative"):
            render_html(results, {"altitude": bad})


def test_write_report_writes_all_files(results: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "run"
    written = write_report(results, out)
    assert [p.name for p in written] == list(REPORT_FILES)
    assert sorted(p.name for p in out.iterdir()) == sorted(REPORT_FILES)  # no temporaries
    assert json.loads((out / "results.json").read_text(encoding="utf-8")) == results
    assert "USOS re-enters on" in (out / "report.md").read_text(encoding="utf-8")
    assert 'src="altitude.png"' in (out / "report.html").read_text(encoding="utf-8")
    for name in ("altitude.png", "ledgers.png"):
        assert (out / name).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    if os.name == "posix":  # readable by others, as files written with open() would be
        assert all((out / name).stat().st_mode & 0o777 == 0o644 for name in REPORT_FILES)


def test_a_failing_plot_leaves_no_file(results: dict[str, Any], tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """All or nothing: the texts and the first figure are already staged when the second
    figure fails; none of them, nor any temporary, may remain."""
    def broken(results: Any, path: Path) -> Path:
        Path(path).write_bytes(b"\x89PNG half")
        raise RuntimeError("plotting failed")

    monkeypatch.setattr(report, "plot_ledgers", broken)
    with pytest.raises(RuntimeError, match="plotting failed"):
        write_report(results, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_failure_keeps_an_earlier_report_whole(results: dict[str, Any], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    write_report(results, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    results["title"] = "A second run"
    monkeypatch.setattr(report, "plot_altitudes", lambda r, p: (_ for _ in ()).throw(
        RuntimeError("no")))
    with pytest.raises(RuntimeError):
        write_report(results, tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_results_that_json_cannot_hold_are_refused(results: dict[str, Any],
                                                   tmp_path: Path) -> None:
    results["parts"][0]["mass_kg"] = float("nan")
    with pytest.raises(InputError, match="JSON"):
        write_report(results, tmp_path)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(InputError, match="not a results dictionary"):
        render_markdown({"title": "no parts"})
