"""Shared pieces of the web tests: a two-day scenario (a few seconds a run), one that warns, an
application on a store in the test's folder, and a helper that waits for a run to end."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from stationsim.web.app import create_app

#: Two days of the ISS from its element set of 2022-03-07: the report, the plots and the
#: crew table, in about three seconds.
SHORT_SCENARIO = """\
format = "stationsim-scenario 1"
name = "two-days"
title = "Two days of the ISS in March 2022"

[start]
epoch = "2022-03-07T21:06:42Z"
state = "bundled"

[end]
days = 2
"""

def _one_day_on_an_orbit(header: str, epoch: str) -> str:
    """A one-day scenario from an orbit given by numbers, with the 2022-03-06 station."""
    return f"""\
{header}

[start]
epoch = "{epoch}"
station_epoch = "2022-03-06T00:00:00Z"

[start.orbit]
altitude_km = 410
inclination_deg = 51.6

[end]
days = 1
"""


#: Valid text, but a start whose space weather no table covers: it fails when it runs.
FAILING_SCENARIO = _one_day_on_an_orbit('name = "too-late"', "2060-01-01T00:00:00Z")

#: A day in 2040, past the observed space weather, the Earth-orientation table and the
#: leap-second table's expiry: it runs (in about four seconds) and its log warns of each.
WARNING_SCENARIO = _one_day_on_an_orbit(
    'name = "predicted"\ntitle = "A day on predicted space weather"', "2040-01-01T00:00:00Z")

TERMINAL = {"done", "failed", "interrupted"}


def wait_for(client: TestClient, run_id: str, timeout_s: float = 60.0) -> dict[str, Any]:
    """The run's status once it has ended (polled every 0.1 s)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        run: dict[str, Any] = client.get(f"/api/runs/{run_id}").json()
        if run["status"] in TERMINAL:
            return run
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} did not end within {timeout_s} s")


def assert_error_shape(body: Any, code: str | None = None) -> dict[str, Any]:
    """The body is the one error shape (and of ``code``, if given); returns its inside."""
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert set(error) == {"code", "message", "where"}, error
    assert isinstance(error["code"], str) and isinstance(error["message"], str)
    assert error["message"] and "Traceback" not in error["message"]
    if code is not None:
        assert error["code"] == code, error
    return error


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "runs.sqlite"


@pytest.fixture
def client(store: Path) -> Iterator[TestClient]:
    with TestClient(create_app(store)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def short_scenario() -> str:
    return SHORT_SCENARIO


@pytest.fixture(scope="session")
def failing_scenario() -> str:
    return FAILING_SCENARIO


@pytest.fixture(scope="session")
def warning_scenario() -> str:
    return WARNING_SCENARIO


@pytest.fixture(scope="session")
def wait() -> Callable[..., dict[str, Any]]:
    """:func:`wait_for`, for the tests (helpers are shared as fixtures)."""
    return wait_for


@pytest.fixture(scope="session")
def error_shape() -> Callable[..., dict[str, Any]]:
    """:func:`assert_error_shape`, for the tests."""
    return assert_error_shape
