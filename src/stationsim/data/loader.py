"""Finding the data files, in one place: the bundled snapshots and the user's newer copies.

Bundled files live in the package (``stationsim/data/bundled/``, see its README) and are found
through :mod:`importlib.resources`. A user data directory (``$STATIONSIM_DATA_DIR``, by default
``~/.local/share/stationsim``; filled by :func:`stationsim.data.update.update_data`) may hold
files of the same names; one is used when it parses and is newer by its own stamp or coverage:

* ``SW-All.txt``: a later ``UPDATED`` stamp (or, without stamps, a later last observed day);
* ``finals2000A.all``: a later last observed day, then a later last predicted day;
* ``Leap_Second.dat``: a later expiry date, then more entries.

A user file that cannot be read is skipped with a warning. Results are cached per user data
directory; :func:`clear_cache` forgets them (``update_data`` calls it).
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np

from stationsim.data.spaceweather import SpaceWeather
from stationsim.errors import DataFileError
from stationsim.forces.gravity import GravityField
from stationsim.io.gravity_gfc import parse_gfc
from stationsim.io.iers import parse_finals2000a, parse_leap_seconds
from stationsim.io.spaceweather import (
    SpaceWeatherTable,
    merge_space_weather,
    parse_space_weather,
)
from stationsim.time import EOPTable, LeapSecondTable, Timescale, calendar_from_mjd

__all__ = [
    "ENV_DATA_DIR", "EOP_FILE", "LEAP_SECOND_FILE", "ORIGINS", "SPACE_WEATHER_FILE",
    "bundled_file", "bundled_path", "clear_cache", "data_coverage", "load_eop",
    "load_gravity_field", "load_leap_seconds", "load_space_weather", "load_timescale",
    "user_data_dir",
]

T = TypeVar("T")

#: Environment variable naming the user data directory.
ENV_DATA_DIR = "STATIONSIM_DATA_DIR"
SPACE_WEATHER_FILE = "SW-All.txt"
#: A later CelesTrak snapshot of the last five years, merged over the end of SW-All.txt.
SPACE_WEATHER_RECENT_FILE = "SW-Last5Years.txt"
EOP_FILE = "finals2000A.all"
LEAP_SECOND_FILE = "Leap_Second.dat"
#: Where each file comes from (for reports and ``stationsim data info``).
ORIGINS = {
    SPACE_WEATHER_FILE: "CelesTrak CSSI space weather, https://celestrak.org/SpaceData/SW-All.txt",
    EOP_FILE: "IERS Rapid Service/Prediction Centre (USNO), finals2000A.all",
    LEAP_SECOND_FILE: "IERS Bulletin C (Paris Observatory), Leap_Second.dat",
}


def user_data_dir() -> Path:
    """The user data directory: ``$STATIONSIM_DATA_DIR`` or ``~/.local/share/stationsim``."""
    value = os.environ.get(ENV_DATA_DIR)
    return Path(value).expanduser() if value else Path.home() / ".local" / "share" / "stationsim"


def bundled_file(name: str) -> Traversable:
    """A file of the package's bundled snapshot (``stationsim/data/bundled/<name>``)."""
    return resources.files("stationsim.data").joinpath("bundled", name)


def bundled_path(name: str) -> Path:
    """The file-system path of a bundled file, for tools that want a path (e.g. astropy).

    Raises:
        DataFileError: the package is not installed as plain files (e.g. zipped), or the file
            does not exist.
    """
    item = bundled_file(name)
    if not isinstance(item, Path) or not item.is_file():
        raise DataFileError("no such bundled file on the file system", source=str(item),
                            expected="a file of stationsim/data/bundled/", found=repr(name))
    return item


# --- choosing between the bundled file and the user's -------------------------------------------
@dataclass(frozen=True)
class _Choice(Generic[T]):
    value: T
    file: str
    location: str  # "bundled" or "user"
    path: str
    note: str


def _choose(name: str, parse: Callable[[str, str], T], bundled: T,
            newer: Callable[[T, T], bool], data_dir: str) -> _Choice[T]:
    bundled_path = f"stationsim/data/bundled/{name}"
    user_path = Path(data_dir) / name
    if not user_path.is_file():
        return _Choice(bundled, name, "bundled", bundled_path, f"no {name} in {data_dir}")
    try:
        user = parse(user_path.read_text(encoding="ascii"), str(user_path))
    except (DataFileError, OSError, UnicodeDecodeError) as exc:
        note = f"user file {user_path} not used: {exc}"
        warnings.warn(note, UserWarning, stacklevel=4)
        return _Choice(bundled, name, "bundled", bundled_path, note)
    if newer(user, bundled):
        return _Choice(user, name, "user", str(user_path), "newer than the bundled file")
    return _Choice(bundled, name, "bundled", bundled_path,
                   f"user file {user_path} is not newer than the bundled one")


def _sw_newer(user: SpaceWeatherTable, bundled: SpaceWeatherTable) -> bool:
    if user.updated is not None and bundled.updated is not None:
        return user.updated > bundled.updated
    return user.last_observed_mjd > bundled.last_observed_mjd


def _eop_newer(user: EOPTable, bundled: EOPTable) -> bool:
    return (user.last_observed_mjd, user.mjd_utc[-1]) > (bundled.last_observed_mjd,
                                                         bundled.mjd_utc[-1])


def _leap_newer(user: LeapSecondTable, bundled: LeapSecondTable) -> bool:
    return (user.expires or dt.date.min, user.mjd_utc.size) > (bundled.expires or dt.date.min,
                                                               bundled.mjd_utc.size)


def _read_bundled(name: str) -> str:
    return bundled_file(name).read_text(encoding="ascii")


@lru_cache(maxsize=1)
def _bundled_sw() -> SpaceWeatherTable:
    """The bundled history (SW-All.txt) with the later five-year snapshot over its end."""
    history = parse_space_weather(_read_bundled(SPACE_WEATHER_FILE), SPACE_WEATHER_FILE)
    recent = parse_space_weather(_read_bundled(SPACE_WEATHER_RECENT_FILE),
                                 SPACE_WEATHER_RECENT_FILE)
    return merge_space_weather(history, recent)


@lru_cache(maxsize=1)
def _bundled_eop() -> EOPTable:
    return parse_finals2000a(_read_bundled(EOP_FILE), EOP_FILE)


@lru_cache(maxsize=1)
def _bundled_leap() -> LeapSecondTable:
    return parse_leap_seconds(_read_bundled(LEAP_SECOND_FILE), LEAP_SECOND_FILE)


@lru_cache(maxsize=8)
def _sw_choice(data_dir: str) -> _Choice[SpaceWeather]:
    table = _choose(SPACE_WEATHER_FILE, parse_space_weather, _bundled_sw(), _sw_newer, data_dir)
    return _Choice(SpaceWeather(table.value), table.file, table.location, table.path,
                   table.note)


@lru_cache(maxsize=8)
def _eop_choice(data_dir: str) -> _Choice[EOPTable]:
    return _choose(EOP_FILE, parse_finals2000a, _bundled_eop(), _eop_newer, data_dir)


@lru_cache(maxsize=8)
def _leap_choice(data_dir: str) -> _Choice[LeapSecondTable]:
    return _choose(LEAP_SECOND_FILE, parse_leap_seconds, _bundled_leap(), _leap_newer,
                   data_dir)


# --- public loaders ------------------------------------------------------------------------------
def load_space_weather() -> SpaceWeather:
    """Space weather: the user's SW-All.txt if newer, else the bundled history (SW-All.txt
    with the later SW-Last5Years.txt over its end); cached."""
    return _sw_choice(str(user_data_dir())).value


def load_leap_seconds() -> LeapSecondTable:
    """TAI - UTC from Leap_Second.dat: the user's copy if newer, else the bundled one."""
    return _leap_choice(str(user_data_dir())).value


def load_eop() -> EOPTable:
    """Earth orientation: finals2000A.all (the user's copy if newer, else the bundled one)."""
    return _eop_decision(str(user_data_dir()))[0]


@lru_cache(maxsize=8)
def _timescale(data_dir: str) -> Timescale:
    return Timescale(_leap_choice(data_dir).value, _eop_decision(data_dir)[0])


def load_timescale() -> Timescale:
    """A :class:`~stationsim.time.Timescale` with the chosen leap-second and EOP tables
    (cached per user data directory)."""
    return _timescale(str(user_data_dir()))


#: The bundled gravity model: EGM96 cut at degree and order 36 (see bundled/README.md).
_GRAVITY_FILE = "gravity/EGM96_n36.gfc"


@lru_cache(maxsize=4)
def load_gravity_field(max_degree: int = 36) -> GravityField:
    """The bundled EGM96 gravity model (fully normalised, tide-free, ITRF), up to
    ``max_degree`` (at most 36, all orders); cached."""
    return parse_gfc(_read_bundled(_GRAVITY_FILE), _GRAVITY_FILE, max_degree=max_degree)


def clear_cache() -> None:
    """Forget every loaded table (after files in the user data directory changed)."""
    for cached in (_sw_choice, _eop_choice, _leap_choice, _timescale, _eop_decision,
                   _heyoka_snapshots):
        cached.cache_clear()


# --- heyoka's own snapshots, if heyoka is installed ----------------------------------------------
@lru_cache(maxsize=1)
def _heyoka_snapshots() -> dict[str, Any] | None:
    try:
        import heyoka  # optional: only to compare its snapshots with ours in reports
    except (ImportError, OSError):  # not installed, or its native libraries fail to load
        return None
    out: dict[str, Any] = {"version": str(getattr(heyoka, "__version__", "unknown"))}
    for key, getter in (("space_weather", "sw_data"), ("eop", "eop_data")):
        try:
            data = getattr(heyoka, getter)()
            mjd = np.asarray(data.table["mjd"], dtype=np.float64)
            out[key] = {"identifier": str(data.identifier), "timestamp": str(data.timestamp),
                        "columns": list(data.table.dtype.names), "rows": int(mjd.size),
                        "first": _iso(mjd[0]), "last": _iso(mjd[-1]),
                        "last_mjd": float(mjd[-1]), "_data": data}
        except Exception as exc:  # an unexpected heyoka API must not break our loader
            out[key] = {"error": f"{type(exc).__name__}: {exc}"}
    return out


@lru_cache(maxsize=8)
def _eop_decision(data_dir: str) -> tuple[EOPTable, str]:
    """stationsim's own finals2000A table, always (results must not depend on which optional
    package happens to be installed), with a note comparing it to heyoka's snapshot."""
    ours = _eop_choice(data_dir)
    our_end = _iso(ours.value.mjd_utc[-1])
    text = f"stationsim's {EOP_FILE} ({ours.location}, to {our_end})"
    theirs = (_heyoka_snapshots() or {}).get("eop", {})
    if "last_mjd" in theirs:
        if theirs["last_mjd"] > ours.value.mjd_utc[-1]:
            text += (f"; heyoka's snapshot ({theirs['identifier']}) reaches later, to "
                     f"{theirs['last']}: 'stationsim data update' fetches a current table")
        else:
            text += f": it covers more than heyoka's snapshot (to {theirs['last']})"
    return ours.value, text


# --- coverage report -----------------------------------------------------------------------------
def data_coverage() -> dict[str, Any]:
    """What each data source covers and where it came from (feeds ``stationsim data info``).

    For ``space_weather``, ``eop`` and ``leap_seconds``: ``file``, ``origin``, ``location``
    (``"bundled"`` or ``"user"``), ``path``, ``stamp`` (the file's own date stamp, or None),
    ``first_observed``, ``last_observed``, ``last_predicted`` (ISO dates; for leap seconds the
    first entry, the last leap second and the expiry date) and ``note``. ``heyoka``: None, or
    the coverage of heyoka's bundled snapshots. ``decision``: which table stationsim uses for
    each source, and why.
    """
    data_dir = str(user_data_dir())
    sw, eop, leap = _sw_choice(data_dir), _eop_choice(data_dir), _leap_choice(data_dir)
    table = sw.value.table
    if table is None:  # pragma: no cover - the loader never builds a constant source
        raise RuntimeError("loaded space weather has no table")
    predicted = eop.value.mjd_utc[eop.value.predicted]
    heyoka = _heyoka_snapshots()
    hy_sw = (heyoka or {}).get("space_weather", {})
    sw_why = (f"stationsim's {SPACE_WEATHER_FILE} ({sw.location}, observed to "
              f"{_iso(table.last_observed_mjd)}): it has the 3-hourly ap that the MSIS ap history "
              "needs")
    if "last" in hy_sw:
        sw_why += (f"; heyoka's snapshot ({hy_sw['identifier']}, to {hy_sw['last']}) has only "
                   "daily Ap, F10.7 and its 81-day mean, resampled, so it cannot feed it")
        if hy_sw["last_mjd"] > table.last_observed_mjd + 45:
            sw_why += ("; heyoka's snapshot is the more recent one: 'stationsim data update' "
                       "fetches a current SW-All.txt")
    leap_entry = leap.value
    return {
        "user_data_dir": data_dir,
        "space_weather": _entry(sw, table.updated.isoformat() if table.updated else None,
                                table.mjd_utc[0], table.last_observed_mjd,
                                sw.value.end_mjd - 1,
                                last_daily_predicted=_iso(table.last_daily_predicted_mjd),
                                climatological_ap=round(sw.value.climatological_ap, 3),
                                climatology=sw.value.climatology),
        "eop": _entry(eop, None, eop.value.mjd_utc[0], eop.value.last_observed_mjd,
                      predicted[-1] if predicted.size else float("nan")),
        "leap_seconds": _entry(
            leap, f"expires {leap_entry.expires.isoformat()}" if leap_entry.expires else None,
            leap_entry.mjd_utc[0], leap_entry.mjd_utc[-1],
            float((leap_entry.expires - dt.date(1858, 11, 17)).days)
            if leap_entry.expires else float("nan"),
            tai_minus_utc_s=float(leap_entry.tai_minus_utc_s[-1])),
        "heyoka": None if heyoka is None else {
            "version": heyoka["version"],
            **{key: {k: v for k, v in heyoka[key].items() if not k.startswith("_")}
               for key in ("space_weather", "eop")}},
        "decision": {
            "space_weather": sw_why,
            "eop": _eop_decision(data_dir)[1],
            "leap_seconds": f"stationsim's {LEAP_SECOND_FILE} ({leap.location}); heyoka's "
                            "leap seconds are compiled in and not compared",
        },
    }


def _entry(choice: _Choice[Any], stamp: str | None, first: float, last_observed: float,
           last_predicted: float, **extra: Any) -> dict[str, Any]:
    return {"file": choice.file, "origin": ORIGINS[choice.file], "location": choice.location,
            "path": choice.path, "stamp": stamp, "first_observed": _iso(first),
            "last_observed": _iso(last_observed), "last_predicted": _iso(last_predicted),
            "note": choice.note, **extra}


def _iso(mjd: float) -> str | None:
    if not np.isfinite(mjd):
        return None
    year, month, day = calendar_from_mjd(np.floor(mjd))
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
