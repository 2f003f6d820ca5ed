"""The Monte Carlo re-entry prediction: reproducibility, the window, the forecast-error model,
and Delfi-PQ's real re-entry (its TLEs of the last 100 days; truth 2024-01-06 14:30 UTC, the
120-km crossing from its last TLE, as in ``tests/propagation/test_decay_validation.py``)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from stationsim.analysis.reentry import predict_reentry
from stationsim.api import load_elements
from stationsim.cli.main import app
from stationsim.data import load_timescale
from stationsim.data.geography import load_countries
from stationsim.errors import InputError
from stationsim.io.density_correction import parse_density_correction

DELFI = Path(__file__).parents[1] / "reference" / "tle" / "delfi-pq_51074_last100d.tle"
runner = CliRunner()


@pytest.fixture(scope="module")
def delfi() -> tuple[object, list[object]]:
    warnings.simplefilter("ignore")
    return load_timescale(), load_elements(DELFI)


def test_same_seed_same_answer_other_seed_other_draws(delfi: tuple[object, list[object]]) -> None:
    """Bit-identical results for one seed; another seed moves the percentiles, not the
    nominal member (member 0 is undispersed)."""
    ts, els = delfi
    at = ts.from_iso("2024-01-02T21:15:00Z")  # type: ignore[attr-defined]
    runs = [predict_reentry(els, ts, at=at, members=40, seed=s,  # type: ignore[arg-type]
                            ballistic_kg_m2=20.0) for s in (3, 3, 4)]
    a, b, c = ([float(e - at) for e in r.entries] for r in runs)
    assert a == b
    assert runs[0].as_dict() == runs[1].as_dict()
    assert a != c
    # The nominal member's own draws are none; only the common step, set by the others, moves
    # its crossing in the engine (by seconds). The entries carry the hand-over's offset, which
    # belongs to the member nearest the median, so it is taken out here.
    shift = [r.statistics["handover_offset_s"] for r in runs]
    assert a[0] - shift[0] == pytest.approx(c[0] - shift[2], rel=1e-3)
    r = runs[0]
    assert r.p05.mjd_utc <= r.median.mjd_utc <= r.p95.mjd_utc
    assert len(r.member_places) == 40 and r.place is not None


def test_errors_name_the_option(delfi: tuple[object, list[object]]) -> None:
    ts, els = delfi
    with pytest.raises(InputError, match="space-weather"):
        predict_reentry(els, ts, space_weather="guess")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="ensemble size"):
        predict_reentry(els, ts, members=0)  # type: ignore[arg-type]


def test_cli_json_shape_and_map(tmp_path: Path) -> None:
    """The documented JSON keys and types; the map is a PNG."""
    picture = tmp_path / "map.png"
    result = runner.invoke(app, ["reentry", str(DELFI), "--at", "2024-01-03T21:15:00Z",
                                 "--ballistic", "20", "--members", "30", "--seed", "5",
                                 "--json", "--map", str(picture),
                                 "--czml", str(tmp_path / "w.czml"),
                                 "--geojson", str(tmp_path / "w.geojson")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["norad_id"] == 51074 and data["epoch"] == "2024-01-03T21:15:00Z"
    assert data["ballistic_coefficient_kg_m2"] == {"value": 20.0, "sigma": 0.0,
                                                   "tles_used": 0, "fit_rms_m": None,
                                                   "source": "given"}
    r = data["reentry"]
    assert r["p05"] <= r["median"] <= r["p95"]
    assert r["median"].startswith("2024-01-0")
    assert -90 <= r["lat_deg"] <= 90 and -180 <= r["lon_deg"] <= 180
    assert data["members"] == 30 and data["space_weather"] == "observed"
    assert isinstance(data["engine"], str) and data["seed"] == 5
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads((tmp_path / "w.czml").read_text())[0]["id"] == "document"
    features = json.loads((tmp_path / "w.geojson").read_text())["features"]
    assert sum(f["properties"]["kind"] == "member re-entry (120 km)" for f in features) == 30


@pytest.mark.parametrize("args", [["--space-weather", "guess"], ["--map", "x.gif"],
                                  ["--at", "2023-01-01T00:00:00Z"], ["--members", "0"],
                                  ["--czml", "no/such/folder/w.czml"]])
def test_cli_user_errors(args: list[str]) -> None:
    result = runner.invoke(app, ["reentry", str(DELFI), *args])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_bundled_countries() -> None:
    """Natural Earth 1:110m: 177 countries, their rings in degrees."""
    countries = load_countries()
    assert len(countries) == 177
    names = {c.iso_a3 for c in countries}
    assert {"KAZ", "USA", "AUS", "RUS"} <= names
    for c in countries:
        for ring in c.rings:
            assert np.all(np.abs(ring[:, 0]) <= 180.0 + 1e-5)
            assert np.all(np.abs(ring[:, 1]) <= 90.0 + 1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("lead", [30.0, 10.0])
def test_delfi_forecast_window_contains_truth(delfi: tuple[object, list[object]],
                                              lead: float) -> None:
    """Forecast mode, 200 members, B fitted on the 30 days before: the 90 % window holds the
    real re-entry (measured at leads 60, 30, 10, 3 days: all four hold it; see
    docs/validation.md). The 30- and 10-day leads run here."""
    ts, els = delfi
    truth = ts.from_iso("2024-01-06T14:30:00Z")  # type: ignore[attr-defined]
    at = els[-1].epoch(ts) + (-lead * 86400.0)  # type: ignore[attr-defined]
    r = predict_reentry(els, ts, at=at, members=200,  # type: ignore[arg-type]
                        space_weather="forecast")
    assert r.p05.mjd_utc <= truth.mjd_utc <= r.p95.mjd_utc


@pytest.mark.slow
@pytest.mark.parametrize("lead", [60.0, 30.0])
def test_delfi_observed_with_calibrated_density(delfi: tuple[object, list[object]],
                                                lead: float) -> None:
    """Observed mode, 200 members, NRLMSIS 2.1 corrected by the factors measured on three
    SpaceBEE picosatellites (``tests/reference/density_correction_spacebee_2023.csv``; Delfi-PQ
    is not among them): the median within 10 % of the remaining lifetime and the 90 % window
    holding the truth at the two leads the plain model misses. Truth: the 120-km crossing
    from the last TLE with the same correction, 2024-01-06 14:41 UTC. Measured at 60, 30, 10
    and 3 days: -0.7, +2.7, -4.6 and -6.6 % (docs/validation.md)."""
    ts, els = delfi
    path = Path(__file__).parents[1] / "reference" / "density_correction_spacebee_2023.csv"
    correction = parse_density_correction(path.read_text(), str(path))
    truth = ts.from_iso("2024-01-06T14:41:00Z")  # type: ignore[attr-defined]
    at = els[-1].epoch(ts) + (-lead * 86400.0)  # type: ignore[attr-defined]
    r = predict_reentry(els, ts, at=at, members=200,  # type: ignore[arg-type]
                        density_correction=correction)
    remaining = float(truth - at)
    assert abs(float(r.median - truth)) / remaining <= 0.10
    assert r.p05.mjd_utc <= truth.mjd_utc <= r.p95.mjd_utc
    assert r.as_dict()["density_correction"]["windows"] == 21
