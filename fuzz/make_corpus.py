"""Write the seed corpora of the fuzz targets (``fuzz/corpus/<target>/``) from real files.

Each seed is a small, valid input cut from a file the project already holds: the bundled data
(``src/stationsim/data/bundled``: CelesTrak space weather, IERS tables, the EGM96 model, the
ISS TLEs, station and scenarios, Natural Earth countries) and the reference files of the tests
(Space-Track OMM records, an OEM written by Orekit). Cuts keep each file valid: row counts are
rewritten to match, a gravity model is cut at a lower degree and says so, a station keeps the
parts its kept parts hang from. The property tests (``tests/io/test_fuzz_properties.py``)
mutate the same seeds, and check first that every seed parses.

Run from the repository root: ``python fuzz/make_corpus.py``.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import yaml

from stationsim.io.oem import format_oem_xml, parse_oem
from stationsim.io.omm import format_omm_kvn, format_omm_xml
from stationsim.io.tle import parse_tle

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "src" / "stationsim" / "data" / "bundled"
CORPUS = ROOT / "fuzz" / "corpus"


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def tle() -> dict[str, str]:
    lines = _read(BUNDLED / "tle" / "iss_2022.tle").splitlines()
    two_line = _read(ROOT / "tests" / "reference" / "tle" / "delfi-pq_51074_last100d.tle")
    return {"iss_3le.tle": "\n".join(lines[:6]) + "\n",
            "delfi_2le.tle": "\n".join(two_line.splitlines()[:4]) + "\n"}


def omm() -> dict[str, str]:
    (el,) = parse_tle("\n".join(_read(BUNDLED / "tle" / "iss_2022.tle").splitlines()[:3]))
    records = json.loads(_read(ROOT / "tests" / "io" / "spacetrack_gp_iss_sample.json"))
    return {"spacetrack.json": json.dumps(records[:1], indent=1) + "\n",
            "iss.kvn": format_omm_kvn(el, creation_date="2022-03-01T00:00:00"),
            "iss.xml": format_omm_xml(el, creation_date="2022-03-01T00:00:00")}


def oem() -> dict[str, str]:
    lines = _read(ROOT / "tests" / "reference" / "oem" / "orekit_leo_kepler.oem").splitlines()
    first_row = next(i for i, line in enumerate(lines) if line[:4].isdigit())
    kvn = "\n".join(lines[:first_row + 4]) + "\n"
    return {"orekit.oem": kvn, "orekit.xml": format_oem_xml(parse_oem(kvn))}


def space_weather() -> dict[str, str]:
    """The header, the last 4 observed days, every daily prediction, the first 2 months."""
    lines = _read(BUNDLED / "SW-All.txt").splitlines()
    keep = {"OBSERVED": slice(-4, None), "DAILY_PREDICTED": slice(None),
            "MONTHLY_PREDICTED": slice(0, 2)}
    out: list[str] = []
    section: str | None = None
    rows: list[str] = []
    for line in lines:
        if line.startswith("BEGIN "):
            section, rows = line[6:].strip(), []
        elif section is not None and line.strip() == f"END {section}":
            kept = rows[keep[section]]
            out += [f"NUM_{section}_POINTS {len(kept)}", f"BEGIN {section}", *kept, line]
            section = None
        elif section is not None:
            rows.append(line)
        elif not line.startswith("NUM_"):
            out.append(line)
    return {"sw_cut.txt": "\n".join(out) + "\n"}


def leap_seconds() -> dict[str, str]:
    return {"Leap_Second.dat": _read(BUNDLED / "Leap_Second.dat")}


def finals2000a() -> dict[str, str]:
    """The first days of the series, and the days around the start of the predictions (with
    the first empty future day that ends the reading)."""
    lines = _read(BUNDLED / "finals2000A.all").splitlines()
    first_predicted = next(i for i, line in enumerate(lines) if line[57:58] == "P")
    return {"finals_head.all": "\n".join(lines[:6]) + "\n",
            "finals_predicted.all": "\n".join(lines[first_predicted - 3:first_predicted + 3])
            + "\n"}


def gfc() -> dict[str, str]:
    """EGM96 cut at degree 4 (its header's max_degree rewritten to say so)."""
    out = []
    for line in _read(BUNDLED / "gravity" / "EGM96_n36.gfc").splitlines():
        fields = line.split()
        if fields[:1] == ["max_degree"]:
            line = line.replace(fields[1], "4")
        if fields[:1] == ["gfc"] and int(fields[1]) > 4:
            continue
        out.append(line)
    return {"egm96_n4.gfc": "\n".join(out) + "\n"}


def _scenario_names() -> list[str]:
    return ["farewell-2022", "baseline-2022"]


def scenario_toml() -> dict[str, str]:
    return {f"{name}.toml": _read(BUNDLED / "scenarios" / f"{name}.toml")
            for name in _scenario_names()}


def _iso(value: object) -> object:
    """TOML dates and times as the ISO text a YAML scenario writes."""
    if isinstance(value, dict):
        return {key: _iso(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_iso(item) for item in value]
    if hasattr(value, "isoformat"):
        return re.sub(r"\+00:00$", "Z", value.isoformat())
    return value


def scenario_yaml() -> dict[str, str]:
    return {f"{name}.yaml": yaml.safe_dump(_iso(tomllib.loads(text)), sort_keys=False)
            for name, text in ((n, _read(BUNDLED / "scenarios" / f"{n}.toml"))
                               for n in _scenario_names())}


def _items(block: list[str]) -> list[list[str]]:
    """The ``  - `` items of a YAML list block, each with its lines."""
    items: list[list[str]] = []
    for line in block:
        if line.startswith("  - "):
            items.append([])
        if items:
            items[-1].append(line)
    return items


def station() -> dict[str, str]:
    """The bundled ISS (without its comment lines) with the parts from Unity to Zvezda,
    Destiny to IDA-2, the two vehicles docked there and one crew member in each."""
    lines = _read(BUNDLED / "station" / "iss_2022-03.yaml").splitlines()
    parts_at = lines.index("parts:")
    crew_at = lines.index("crew:")
    parts = ("Unity", "PMA-1", "Destiny", "Harmony", "PMA-2", "IDA-2", "Zarya", "Zvezda",
             "Rassvet", "Soyuz MS-19", "Crew Dragon Endurance")
    crew = ("Anton Shkaplerov", "Raja Chari")

    def kept(block: list[str], names: tuple[str, ...]) -> list[str]:
        return [line for item in _items(block) if item[0][len("  - name: "):] in names
                for line in item]

    head = [line for line in lines[:parts_at + 1] if not line.startswith("#")]
    text = [*head, *kept(lines[parts_at + 1:crew_at], parts), "crew:",
            *kept(lines[crew_at + 1:], crew)]
    return {"iss_cut.yaml": "\n".join(text) + "\n"}


def geojson() -> dict[str, str]:
    doc = json.loads(_read(BUNDLED / "geography" / "naturalearth_lowres.geojson"))
    small = sorted(doc["features"], key=lambda f: len(json.dumps(f["geometry"])))[:3]
    return {"countries.geojson": json.dumps({"type": "FeatureCollection", "features": small},
                                            indent=1) + "\n"}


SEEDS: dict[str, Callable[[], dict[str, str]]] = {
    "tle": tle, "omm": omm, "oem": oem, "spaceweather": space_weather,
    "leap_seconds": leap_seconds, "finals2000a": finals2000a, "gfc": gfc,
    "scenario_toml": scenario_toml, "scenario_yaml": scenario_yaml, "station": station,
    "geojson": geojson,
}


def main() -> None:
    for target, make in SEEDS.items():
        folder = CORPUS / target
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in make().items():
            (folder / name).write_text(text, encoding="utf-8")
            print(f"{target}/{name}: {len(text.encode())} bytes")


if __name__ == "__main__":
    main()
