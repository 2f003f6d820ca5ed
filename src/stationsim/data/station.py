"""The bundled ISS configuration of March 2022 (``bundled/station/``, see its README).

:func:`load_station_record` reads it once (the parsing is :mod:`stationsim.io.station_file`'s);
:func:`load_station` gives the configuration at an instant.
"""

from __future__ import annotations

from functools import lru_cache

from stationsim.data.loader import bundled_file, load_timescale
from stationsim.io.station_file import parse_station
from stationsim.station import Configuration, Environment, StationRecord
from stationsim.time import Epoch

__all__ = ["DEFAULT_STATION_EPOCH_ISO", "STATION_FILE", "load_station", "load_station_record"]

#: The bundled station file, relative to ``bundled/``.
STATION_FILE = "station/iss_2022-03.yaml"
#: The instant the bundled ISS is shown at by default: before the Russian segment's threatened
#: departure, with seven crew aboard.
DEFAULT_STATION_EPOCH_ISO = "2022-03-06T00:00:00Z"


@lru_cache(maxsize=1)
def load_station_record() -> StationRecord:
    """The ISS of 21 February to 1 April 2022, parsed from the bundled file."""
    text = bundled_file(STATION_FILE).read_text(encoding="utf-8")
    return parse_station(text, ts=load_timescale(), source=STATION_FILE)


def load_station(at: Epoch | None = None, environment: Environment | None = None
                 ) -> Configuration:
    """The bundled ISS at ``at`` (default 2022-03-06 00:00 UTC) in its torque-equilibrium
    attitude for ``environment`` (default: a nominal orbit)."""
    epoch = at if at is not None else load_timescale().from_iso(DEFAULT_STATION_EPOCH_ISO)
    return load_station_record().configuration_at(epoch, environment)
