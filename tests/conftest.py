"""Shared fixtures: the bundled timescale, and astropy kept offline on the same IERS table."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest

from stationsim.data import bundled_path, load_timescale
from stationsim.time import Timescale


def pytest_configure(config: pytest.Config) -> None:
    """Tests see the bundled data only: an empty user data directory, whatever this machine's
    ~/.local/share/stationsim holds (tests of the user directory set their own)."""
    os.environ["STATIONSIM_DATA_DIR"] = tempfile.mkdtemp(prefix="stationsim-test-data-")


@pytest.fixture(scope="session")
def ts() -> Timescale:
    """The timescale of the bundled IERS leap-second and finals2000A tables."""
    return load_timescale()


@pytest.fixture(scope="session")
def astropy_offline() -> Iterator[None]:
    """astropy with downloads off and its Earth-orientation table set to the very file that
    stationsim bundles, so that a comparison tests the algorithms, not two data snapshots."""
    iers = pytest.importorskip("astropy.utils.iers")
    iers.conf.auto_download = False
    table = iers.IERS_A.open(str(bundled_path("finals2000A.all")))
    with iers.earth_orientation_table.set(table):
        yield
