"""update_data against a local HTTP server (127.0.0.1, ephemeral port, own thread); never the
internet. Reference: the files served are cut from the bundled snapshots, so a successful update
must install byte-identical copies that the loader's parsers accept.
"""

from __future__ import annotations

import functools
import socket
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from stationsim.data import (
    ENV_DATA_DIR,
    DataUpdateError,
    bundled_file,
    load_space_weather,
    update_data,
)
from stationsim.data.update import DEFAULT_URLS
from stationsim.errors import InputError, StationsimError

FILES = {"space_weather": "SW-All.txt", "eop": "finals2000A.all",
         "leap_seconds": "Leap_Second.dat"}


class _Handler(SimpleHTTPRequestHandler):
    """Serves the test directory; ``/slow/...`` answers only after 2 s (for the timeout)."""

    def do_GET(self) -> None:
        if self.path.startswith("/slow/"):
            time.sleep(2.0)
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
        pass


def _small_copies(directory: Path) -> None:
    """Valid, small versions of the three files: the SW header with the last 60 observed rows
    and all the forecasts; the first 400 days of finals2000A; the whole leap-second file."""
    sw = bundled_file("SW-All.txt").read_text(encoding="ascii").splitlines()
    start, end = sw.index("BEGIN OBSERVED"), sw.index("END OBSERVED")
    head = [line.replace("24765", "60") for line in sw[:start]]
    (directory / "SW-All.txt").write_text(
        "\r\n".join([*head, sw[start], *sw[end - 60:end], *sw[end:]]) + "\r\n", encoding="ascii")
    finals = bundled_file("finals2000A.all").read_text(encoding="ascii").splitlines()
    (directory / "finals2000A.all").write_text("\n".join(finals[:400]) + "\n", encoding="ascii")
    leap = bundled_file("Leap_Second.dat").read_text(encoding="ascii")
    (directory / "Leap_Second.dat").write_text(leap, encoding="ascii")
    (directory / "slow").mkdir()
    (directory / "slow" / "Leap_Second.dat").write_text(leap, encoding="ascii")
    (directory / "corrupt").mkdir()
    (directory / "corrupt" / "SW-All.txt").write_text("<html>oops</html>\n", encoding="ascii")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("served")
    _small_copies(root)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0),
                                functools.partial(_Handler, directory=str(root)))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def dest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(ENV_DATA_DIR, str(tmp_path / "user"))
    return tmp_path / "user"


def _urls(base: str) -> dict[str, str]:
    return {name: f"{base}/{file}" for name, file in FILES.items()}


def test_success_installs_valid_copies(server: tuple[str, Path], dest: Path) -> None:
    base, root = server
    updated = update_data(_urls(base), dest=dest, timeout_s=5)
    assert sorted(u.source for u in updated) == sorted(FILES)
    for item in updated:
        assert item.path == dest / FILES[item.source]
        assert item.path.read_bytes() == (root / FILES[item.source]).read_bytes()
        assert item.size_bytes == item.path.stat().st_size
    summaries = {u.source: u.summary for u in updated}
    assert "2025-07-21T10:37:15" in summaries["space_weather"]
    assert "expires 2027-06-28" in summaries["leap_seconds"]
    assert sorted(p.name for p in dest.iterdir()) == sorted(FILES.values())  # no temp files


def test_base_url_with_trailing_slash_and_default_dest(server: tuple[str, Path],
                                                       dest: Path) -> None:
    base, _ = server
    updated = update_data({"leap_seconds": base + "/"}, sources=["leap_seconds"], timeout_s=5)
    assert [u.path for u in updated] == [dest / "Leap_Second.dat"]


def test_http_404_keeps_the_old_file(server: tuple[str, Path], dest: Path) -> None:
    base, _ = server
    dest.mkdir()
    (dest / "finals2000A.all").write_text("old\n", encoding="ascii")
    urls = {**_urls(base), "eop": f"{base}/missing/finals2000A.all"}
    with pytest.raises(DataUpdateError, match="HTTP 404") as info:
        update_data(urls, dest=dest, timeout_s=5)
    assert set(info.value.failures) == {"eop"}
    assert sorted(u.source for u in info.value.updated) == ["leap_seconds", "space_weather"]
    assert (dest / "finals2000A.all").read_text(encoding="ascii") == "old\n"
    assert isinstance(info.value, StationsimError)


def test_corrupt_download_is_rejected(server: tuple[str, Path], dest: Path) -> None:
    base, _ = server
    update_data(_urls(base), dest=dest, timeout_s=5, sources=["space_weather"])
    good = (dest / "SW-All.txt").read_bytes()
    loaded_before = load_space_weather()
    urls = {"space_weather": f"{base}/corrupt/SW-All.txt"}
    with pytest.raises(DataUpdateError, match=r"not valid.*line 1") as info:
        update_data(urls, dest=dest, timeout_s=5, sources=["space_weather"])
    assert "space_weather" in info.value.failures and not info.value.updated
    assert (dest / "SW-All.txt").read_bytes() == good
    assert [p.name for p in dest.iterdir()] == ["SW-All.txt"]
    assert load_space_weather().source == loaded_before.source


def test_timeout(server: tuple[str, Path], dest: Path) -> None:
    base, _ = server
    started = time.monotonic()
    with pytest.raises(DataUpdateError, match=r"within 0\.3 s"):
        update_data({"leap_seconds": f"{base}/slow/Leap_Second.dat"}, dest=dest,
                    timeout_s=0.3, sources=["leap_seconds"])
    assert time.monotonic() - started < 1.9
    assert not dest.exists() or not any(dest.iterdir())


def test_unreachable_network(dest: Path) -> None:
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    urls = {name: f"http://127.0.0.1:{port}/{file}" for name, file in FILES.items()}
    with pytest.raises(DataUpdateError, match=r"cannot reach.*network") as info:
        update_data(urls, dest=dest, timeout_s=2)
    assert set(info.value.failures) == set(FILES)


def test_bad_requests() -> None:
    with pytest.raises(InputError, match="unknown data source"):
        update_data({"weather": "http://127.0.0.1/x"})
    with pytest.raises(InputError, match="http"):
        update_data({"eop": "ftp://127.0.0.1/finals2000A.all"}, sources=["eop"])
    assert DEFAULT_URLS["space_weather"] == "https://celestrak.org/SpaceData/SW-All.txt"
