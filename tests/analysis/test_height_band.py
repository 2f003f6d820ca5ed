"""The Monte Carlo band of the mean height, checked against real decay: SpaceBEE-167 (NORAD
55087; one element set a day in ``tests/reference/tle``) from 2024-04-25 through the 2024-05-10
"Gannon" storm, and Delfi-PQ's last days (members re-entering inside the band)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from stationsim import api
from stationsim.analysis.height_band import HeightBand, predict_height_band
from stationsim.api import load_elements
from stationsim.cli.main import app
from stationsim.data import load_timescale
from stationsim.errors import InputError
from stationsim.propagation.ballistic import mean_sma_sgp4
from stationsim.propagation.elements import GPElements
from stationsim.time import Timescale

TLE = Path(__file__).parents[1] / "reference" / "tle"
runner = CliRunner()


@pytest.fixture(scope="module")
def spacebee() -> tuple[Timescale, list[GPElements]]:
    warnings.simplefilter("ignore")
    return load_timescale(), load_elements(TLE / "spacebee_55087_daily.tle")


def _observed_decay(ts: Timescale, els: list[GPElements], band: HeightBand, days: float
                    ) -> tuple[float, float]:
    """The element set nearest ``days`` after the band's start: its time after the start [s]
    and the decay of its mean semi-major axis since the last set at the start [m]."""
    start = [e for e in els if float(e.epoch(ts) - band.epoch) <= 0.0][-1]
    target = band.epoch + days * 86400.0
    near = min(els, key=lambda e: abs(float(e.epoch(ts) - target)))
    return (float(near.epoch(ts) - band.epoch),
            mean_sma_sgp4(near, ts) - mean_sma_sgp4(start, ts))


@pytest.fixture(scope="module")
def storm_bands(spacebee: tuple[Timescale, list[GPElements]]) -> dict[str, HeightBand]:
    ts, els = spacebee
    at = ts.from_iso("2024-04-25T00:00:00Z")
    return {mode: predict_height_band(els, ts, at=at, days=33.0, members=100, seed=1,
                                      space_weather=mode)
            for mode in ("observed", "forecast")}


def test_band_holds_the_decay_through_the_may_2024_storm(
        spacebee: tuple[Timescale, list[GPElements]],
        storm_bands: dict[str, HeightBand]) -> None:
    """Observed weather (the storm of 2024-05-10 measured): the 5-95 % band of the decay holds
    what the element sets show 10 and 30 days on (3.9 and 13.1 km), and the median of the
    30-day decay is within 10 % of it (1.2 % when this was written). Reference: the 18th
    Space Defense Squadron's element sets of SpaceBEE-167."""
    ts, els = spacebee
    band = storm_bands["observed"]
    for days in (10.0, 30.0):
        dt, observed = _observed_decay(ts, els, band, days)
        p05, _, p95 = band.at(dt)[1]
        assert p05 <= observed <= p95, (days, observed, p05, p95)
    dt, observed = _observed_decay(ts, els, band, 30.0)
    assert band.at(dt)[1][1] == pytest.approx(observed, rel=0.10)
    assert observed < -12e3  # the storm month: over 12 km of decay


def test_forecast_band_is_wider_and_still_holds_the_decay(
        spacebee: tuple[Timescale, list[GPElements]],
        storm_bands: dict[str, HeightBand]) -> None:
    """A user on 2024-04-25 did not know the storm was coming: the held forecast's band is
    wider than the hindcast's and still holds the real decay."""
    ts, els = spacebee
    dt, observed = _observed_decay(ts, els, storm_bands["forecast"], 30.0)
    width = {m: float(np.diff(b.at(dt)[1][[0, 2]])[0]) for m, b in storm_bands.items()}
    assert width["forecast"] > 1.5 * width["observed"]
    p05, _, p95 = storm_bands["forecast"].at(dt)[1]
    assert p05 <= observed <= p95


def test_band_shape_and_json(storm_bands: dict[str, HeightBand]) -> None:
    band = storm_bands["observed"]
    assert band.times_s[0] == 0.0 and band.times_s[-1] == pytest.approx(33 * 86400.0)
    assert np.all(np.diff(band.times_s) == pytest.approx(86400.0))
    assert np.all(band.height_m[0] <= band.height_m[1])
    assert np.all(band.height_m[1] <= band.height_m[2])
    assert np.all(band.decay_m[:, 0] == pytest.approx(0.0, abs=1.0))
    assert np.all(np.diff(band.decay_m[1]) < 0.0)  # it only comes down
    assert 400e3 < band.height_m[1, 0] < 460e3
    d = json.loads(json.dumps(band.as_dict()))
    assert d["members"] == 100 and len(d["days"]) == 34
    assert d["decay_km"]["median"][0] == pytest.approx(0.0, abs=1e-3)


def test_same_seed_same_band(spacebee: tuple[Timescale, list[GPElements]]) -> None:
    ts, els = spacebee
    at = ts.from_iso("2023-10-20T00:00:00Z")
    a, b = (predict_height_band(els, ts, at=at, days=5.0, members=30, seed=7,
                                ballistic_kg_m2=18.0).as_dict() for _ in range(2))
    assert a == b


def test_members_that_reenter_rank_lowest() -> None:
    """Delfi-PQ three days before its last element set (it re-entered on 2024-01-06): after
    ten days every member is down; the band says so rather than inventing heights."""
    ts = load_timescale()
    els = load_elements(TLE / "delfi-pq_51074_last100d.tle")
    at = els[-1].epoch(ts) + (-3 * 86400.0)
    band = predict_height_band(els, ts, at=at, days=10.0, members=20, seed=2)
    assert band.down[0] == 0.0 and band.down[-1] == 1.0
    assert np.all(np.isneginf(band.height_m[:, -1]))
    d = band.as_dict()
    assert d["height_km"]["median"][-1] is None
    assert d["height_km"]["median"][0] is not None


def test_bad_requests_say_what_is_wrong(spacebee: tuple[Timescale, list[GPElements]]) -> None:
    ts, els = spacebee
    with pytest.raises(InputError, match="days"):
        predict_height_band(els, ts, days=0.0)
    with pytest.raises(InputError, match="step"):
        predict_height_band(els, ts, days=5.0, step_days=6.0)
    with pytest.raises(InputError, match="space-weather"):
        predict_height_band(els, ts, days=5.0, space_weather="guess")
    band = predict_height_band(els, ts, days=2.0, members=5, ballistic_kg_m2=20.0)
    with pytest.raises(InputError, match="outside the band"):
        band.at(3 * 86400.0)


def test_api_reads_the_file_and_checks_the_atmosphere() -> None:
    band = api.height_band(TLE / "spacebee_55087_daily.tle", at="2023-10-20T00:00:00Z",
                           days=3.0, members=10, ballistic_kg_m2=18.0)
    assert band.norad_id == 55087 and len(band.times_s) == 4
    with pytest.raises(InputError, match="atmosphere"):
        api.height_band(TLE / "spacebee_55087_daily.tle", atmosphere="none")


def test_cli_band_json_plot_and_the_later_element_sets(tmp_path: Path) -> None:
    """``stationsim band``: one JSON object with the percentiles, the element sets after the
    epoch to compare with (their mean heights within 1 km of the median here: SpaceBEE-167 in
    quiet October 2023), and the picture."""
    picture = tmp_path / "band.png"
    result = runner.invoke(app, ["band", str(TLE / "spacebee_55087_daily.tle"), "--at",
                                 "2023-10-20T00:00:00Z", "--days", "5", "--members", "20",
                                 "--ballistic", "18", "--json", "--plot", str(picture)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["norad_id"] == 55087 and data["members"] == 20 and len(data["days"]) == 6
    seen = data["observed"]
    assert 3 <= len(seen["days"]) <= 6 and all(0 < d <= 5 for d in seen["days"])
    median = np.interp(seen["days"], data["days"], data["height_km"]["median"])
    assert np.max(np.abs(np.array(seen["height_km"]) - median)) < 1.0
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("args", [["--space-weather", "guess"], ["--plot", "band.gif"],
                                  ["--days", "0"], ["--at", "2022-01-01T00:00:00Z"]])
def test_cli_band_user_errors(args: list[str]) -> None:
    result = runner.invoke(app, ["band", str(TLE / "spacebee_55087_daily.tle"), *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
