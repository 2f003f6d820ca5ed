"""``stationsim serve``: its defaults (this machine only, a store in the current folder), and
user errors (a store folder that does not exist, a port in use) as one line with exit code 2."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from stationsim.cli import main

runner = CliRunner()


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The calls that would start uvicorn, recorded instead."""
    for name in ("STATIONSIM_WEB_STORE", "STATIONSIM_WEB_RUN_TIME_LIMIT_S"):
        monkeypatch.setenv(name, "")
    calls: list[dict[str, Any]] = []

    def run(app: str, **options: Any) -> None:
        calls.append({"app": app, **options})

    monkeypatch.setattr(uvicorn, "run", run)
    return calls


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_listens_on_loopback_with_a_store_here(started: list[dict[str, Any]],
                                                     tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    port = _free_port()
    result = runner.invoke(main.app, ["serve", "--port", str(port)])
    assert result.exit_code == 0, result.output
    (call,) = started
    assert call["app"] == "stationsim.web.app:create_app_from_env" and call["factory"]
    assert call["host"] == "127.0.0.1" and call["port"] == port
    assert os.environ["STATIONSIM_WEB_STORE"] == str(tmp_path / "stationsim-runs.sqlite")
    assert f"http://127.0.0.1:{port}/" in result.output


def test_serve_takes_a_store_path(started: list[dict[str, Any]], tmp_path: Path) -> None:
    store = tmp_path / "mine.sqlite"
    result = runner.invoke(main.app, ["serve", "--port", str(_free_port()), "--store",
                                      str(store), "--run-time-limit", "60"])
    assert result.exit_code == 0, result.output
    assert os.environ["STATIONSIM_WEB_STORE"] == str(store)
    assert float(os.environ["STATIONSIM_WEB_RUN_TIME_LIMIT_S"]) == 60.0


def test_a_store_in_a_missing_folder_is_a_user_error(started: list[dict[str, Any]],
                                                     tmp_path: Path) -> None:
    result = runner.invoke(main.app, ["serve", "--store", str(tmp_path / "no" / "x.sqlite")])
    assert result.exit_code == 2
    assert "does not exist" in result.output and "Traceback" not in result.output
    assert started == []


def test_a_port_in_use_is_a_user_error(started: list[dict[str, Any]], tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(main.app, ["serve", "--port", str(port), "--store",
                                          str(tmp_path / "x.sqlite")])
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert started == []
