"""Two web runs of the same inputs give the same answer: a scenario whose station re-enters
within days (so that its run draws a seeded Monte Carlo re-entry window of 100 members) is run,
then run again through ``POST /api/runs/RUN/reproduce``. The results are equal, value for value,
apart from the statistics that time the run, and every other file is equal byte for byte."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from stationsim.web.app import create_app

Wait = Callable[..., dict[str, Any]]

#: The ISS of March 2022 left at 200 km: it re-enters after about four days.
DOWN_FROM_200_KM = """\
name = "down-from-200-km"
title = "The ISS left at 200 km in March 2022"

[start]
epoch = "2022-03-07T21:06:42Z"

[start.orbit]
altitude_km = 200
inclination_deg = 51.64

[end]
reentry = true
max_days = 20
"""


def _untimed(results: dict[str, Any]) -> dict[str, Any]:
    """The results without the statistics that time the run (``*_s``: seconds it took)."""
    statistics = {k: v for k, v in results["statistics"].items() if not k.endswith("_s")}
    return {**results, "statistics": statistics}


def _checksums(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.iterdir()) if path.name != "results.json"}


def test_a_reproduced_run_gives_the_same_results(store: Path, wait: Wait) -> None:
    with TestClient(create_app(store)) as client:
        first = client.post("/api/runs", json={"text": DOWN_FROM_200_KM,
                                               "filename": "down.toml"}).json()["id"]
        assert wait(client, first, timeout_s=120)["status"] == "done"
        again = client.post(f"/api/runs/{first}/reproduce").json()
        assert again["reproduces"] == first
        assert wait(client, again["id"], timeout_s=120)["status"] == "done"
        one = client.get(f"/api/runs/{first}/results").json()
        two = client.get(f"/api/runs/{again['id']}/results").json()
    assert one["parts"][0]["reentry"]["window_members"] == 100  # the seeded window was drawn
    assert set(one["statistics"]) == set(two["statistics"])
    assert _untimed(one) == _untimed(two)
    files = store.parent / "runs-files"
    sums = _checksums(files / first)
    assert {"report.md", "report.html", "altitude.png", "ephemeris.oem"} <= set(sums)
    assert sums == _checksums(files / again["id"])
