"""Downloading fresh space-weather and IERS files into the user data directory.

Each file is fetched with :mod:`urllib`, checked by parsing it with the same reader that will
load it, and only then installed atomically (written to a temporary file in the destination
directory, then :func:`os.replace`), so that a failed or corrupt download never replaces or
half-writes a good file. This is the only module of stationsim that touches the network.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from stationsim.data.loader import (
    EOP_FILE,
    LEAP_SECOND_FILE,
    SPACE_WEATHER_FILE,
    clear_cache,
    user_data_dir,
)
from stationsim.errors import DataFileError, InputError, StationsimError
from stationsim.io.iers import parse_finals2000a, parse_leap_seconds
from stationsim.io.spaceweather import parse_space_weather

__all__ = [
    "CELESTRAK_SW_ALL_URL", "DEFAULT_URLS", "IERS_FINALS2000A_URL", "IERS_LEAP_SECOND_URL",
    "USNO_FINALS2000A_URL", "DataUpdateError", "UpdatedFile", "update_data",
]

#: CelesTrak's complete space-weather file (observed since 1957 plus forecasts).
CELESTRAK_SW_ALL_URL = "https://celestrak.org/SpaceData/SW-All.txt"
#: IERS data centre copy of the Rapid Service/Prediction Centre finals2000A series.
IERS_FINALS2000A_URL = "https://datacenter.iers.org/data/9/finals2000A.all"
#: USNO's own copy of the same series (a mirror for ``base_urls``).
USNO_FINALS2000A_URL = "https://maia.usno.navy.mil/ser7/finals2000A.all"
#: IERS Bulletin C leap-second table (Paris Observatory).
IERS_LEAP_SECOND_URL = "https://hpiers.obspm.fr/iers/bul/bulc/Leap_Second.dat"
#: Source name -> default URL.
DEFAULT_URLS: Mapping[str, str] = {
    "space_weather": CELESTRAK_SW_ALL_URL,
    "eop": IERS_FINALS2000A_URL,
    "leap_seconds": IERS_LEAP_SECOND_URL,
}
_FILES = {"space_weather": SPACE_WEATHER_FILE, "eop": EOP_FILE,
          "leap_seconds": LEAP_SECOND_FILE}
_MAX_BYTES = 64 * 1024 * 1024  # SW-All.txt and finals2000A.all are ~4 MB each


def _describe_sw(text: str, source: str) -> str:
    table = parse_space_weather(text, source)
    stamp = table.updated.isoformat() if table.updated else "no stamp"
    return f"updated {stamp}, {table.mjd_utc.size} rows"


def _describe_eop(text: str, source: str) -> str:
    table = parse_finals2000a(text, source)
    return f"MJD {table.mjd_utc[0]:.0f} to {table.mjd_utc[-1]:.0f}, observed to " \
           f"{table.last_observed_mjd:.0f}"


def _describe_leap(text: str, source: str) -> str:
    table = parse_leap_seconds(text, source)
    expires = table.expires.isoformat() if table.expires else "no expiry stated"
    return f"TAI-UTC {table.tai_minus_utc_s[-1]:g} s, expires {expires}"


_VALIDATORS: dict[str, Callable[[str, str], str]] = {
    "space_weather": _describe_sw, "eop": _describe_eop, "leap_seconds": _describe_leap,
}


@dataclass(frozen=True)
class UpdatedFile:
    """One installed file: its source name, where it went, where it came from, and a summary
    of its contents (stamp / coverage) from parsing it."""

    source: str
    path: Path
    url: str
    summary: str
    size_bytes: int

    def __str__(self) -> str:
        return f"{self.path}: {self.summary} ({self.size_bytes:,} bytes from {self.url})"


class DataUpdateError(StationsimError):
    """Some files could not be downloaded or were invalid (those files were left unchanged).

    Attributes:
        failures: source name -> why.
        updated: the files that were installed all the same.
    """

    def __init__(self, message: str, failures: Mapping[str, str],
                 updated: list[UpdatedFile]) -> None:
        super().__init__(message)
        self.failures = dict(failures)
        self.updated = list(updated)


@dataclass
class _Outcome:
    updated: list[UpdatedFile] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)


def update_data(base_urls: Mapping[str, str] | None = None, dest: Path | None = None,
                timeout_s: float = 30.0, *, sources: Iterable[str] | None = None
                ) -> list[UpdatedFile]:
    """Download, check and install fresh SW-All.txt, finals2000A.all and Leap_Second.dat.

    Args:
        base_urls: source name (``space_weather``, ``eop``, ``leap_seconds``) -> URL, over
            :data:`DEFAULT_URLS`; a URL ending in ``/`` gets the file name appended.
        dest: the directory to install into; by default the user data directory.
        timeout_s: socket timeout of each connection and read [s].
        sources: the sources to update; by default all three.

    Returns:
        The files installed. The loader's caches are cleared so that later loads see them.

    Raises:
        DataUpdateError: when any file could not be fetched (network unreachable, HTTP error,
            timeout) or was not valid; the others are still installed, and a failed file's
            previous copy is kept.
        InputError: an unknown source name or a URL that is not http(s).
    """
    urls = {**DEFAULT_URLS, **(base_urls or {})}
    wanted = list(sources) if sources is not None else list(DEFAULT_URLS)
    for name in list(urls) + wanted:
        if name not in _FILES:
            raise InputError("unknown data source", expected=", ".join(_FILES), found=repr(name))
    target = Path(dest) if dest is not None else user_data_dir()
    outcome = _Outcome()
    for name in wanted:
        url = urls[name] + (_FILES[name] if urls[name].endswith("/") else "")
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise InputError("only http and https URLs can be downloaded", found=repr(url))
        try:
            outcome.updated.append(_update_one(name, url, target, timeout_s))
        except _FetchError as exc:
            outcome.failures[name] = str(exc)
    clear_cache()
    if outcome.failures:
        reasons = "; ".join(f"{name}: {why}" for name, why in outcome.failures.items())
        done = ", ".join(u.path.name for u in outcome.updated) or "nothing"
        raise DataUpdateError(f"could not update {len(outcome.failures)} of {len(wanted)} data "
                              f"file(s): {reasons} (installed: {done}; failed files were left "
                              "as they were)", outcome.failures, outcome.updated)
    return outcome.updated


class _FetchError(Exception):
    """Why one file could not be updated (collected, then reported in DataUpdateError)."""


def _update_one(name: str, url: str, target: Path, timeout_s: float) -> UpdatedFile:
    payload = _download(url, timeout_s)
    try:
        text = payload.decode("ascii")
    except UnicodeDecodeError as exc:
        raise _FetchError(f"{url} did not send ASCII text ({exc.reason} at byte {exc.start})"
                       ) from None
    try:
        summary = _VALIDATORS[name](text, url)
    except DataFileError as exc:
        raise _FetchError(f"the downloaded file is not valid, so it was not installed: {exc}"
                       ) from None
    path = target / _FILES[name]
    try:
        _install(path, payload)
    except OSError as exc:
        raise _FetchError(f"cannot write {path}: {exc}") from None
    return UpdatedFile(name, path, url, summary, len(payload))


def _download(url: str, timeout_s: float) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "stationsim data update"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            payload: bytes = response.read(_MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise _FetchError(f"HTTP {exc.code} {exc.reason} from {url}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise _FetchError(f"no answer from {url} within {timeout_s:g} s") from None
        raise _FetchError(f"cannot reach {url} ({exc.reason}); is the network reachable?"
                       ) from None
    except TimeoutError:
        raise _FetchError(f"no answer from {url} within {timeout_s:g} s") from None
    except (http.client.HTTPException, OSError) as exc:
        raise _FetchError(f"the transfer from {url} failed ({type(exc).__name__}: {exc})"
                       ) from None
    if len(payload) > _MAX_BYTES:
        raise _FetchError(f"{url} sent more than {_MAX_BYTES // 2**20} MiB; not a data file")
    return payload


def _install(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` atomically: a temporary file in the same directory, flushed
    to disk, then renamed over the old file (``os.replace`` is atomic on POSIX and Windows)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = ""
    try:
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".part", delete=False) as handle:
            temporary = handle.name
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        if temporary:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        raise
