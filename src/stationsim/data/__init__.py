"""Bundled data snapshots and their loader, space weather at any epoch, and data updates.

The loader finds files in one place (the package's ``bundled/`` folder, or newer copies in the
user data directory); :mod:`stationsim.io` does the parsing.
"""

from stationsim.data.loader import (
    ENV_DATA_DIR,
    EOP_FILE,
    LEAP_SECOND_FILE,
    SPACE_WEATHER_FILE,
    bundled_file,
    bundled_path,
    clear_cache,
    data_coverage,
    load_eop,
    load_gravity_field,
    load_leap_seconds,
    load_space_weather,
    load_timescale,
    user_data_dir,
)
from stationsim.data.scenarios import SCENARIO_DIR, builtin_scenario_text, builtin_scenarios
from stationsim.data.spaceweather import (
    MsisInputs,
    SpaceWeather,
    SpaceWeatherValues,
    climatological_ap,
    kp_from_ap,
)
from stationsim.data.station import (
    DEFAULT_STATION_EPOCH_ISO,
    STATION_FILE,
    load_station,
    load_station_record,
)
from stationsim.data.update import DataUpdateError, UpdatedFile, update_data

__all__ = [
    "DEFAULT_STATION_EPOCH_ISO",
    "ENV_DATA_DIR",
    "EOP_FILE",
    "LEAP_SECOND_FILE",
    "SCENARIO_DIR",
    "SPACE_WEATHER_FILE",
    "STATION_FILE",
    "DataUpdateError",
    "MsisInputs",
    "SpaceWeather",
    "SpaceWeatherValues",
    "UpdatedFile",
    "builtin_scenario_text",
    "builtin_scenarios",
    "bundled_file",
    "bundled_path",
    "clear_cache",
    "climatological_ap",
    "data_coverage",
    "kp_from_ap",
    "load_eop",
    "load_gravity_field",
    "load_leap_seconds",
    "load_space_weather",
    "load_station",
    "load_station_record",
    "load_timescale",
    "update_data",
    "user_data_dir",
]
