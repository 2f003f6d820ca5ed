"""The bundled ISS record and its configurations of 2022-03-06 (seven crew) and 2022-03-18
after Soyuz MS-21 docked (ten crew), in a fixed nominal environment so that figures do not
depend on the space weather: 418 km, beta 0, density 2.7e-12 kg/m^3 (the file's reference)."""

from __future__ import annotations

import pytest

from stationsim.data import load_station_record
from stationsim.station import Configuration, Environment, StationRecord
from stationsim.time import Timescale


@pytest.fixture(scope="session")
def record() -> StationRecord:
    return load_station_record()


@pytest.fixture(scope="session")
def nominal(record: StationRecord) -> Environment:
    return Environment.nominal(record.reference_density_kg_m3)


@pytest.fixture(scope="session")
def march6(record: StationRecord, nominal: Environment, ts: Timescale) -> Configuration:
    return record.configuration_at(ts.from_iso("2022-03-06T00:00:00Z"), nominal)


@pytest.fixture(scope="session")
def march18(record: StationRecord, nominal: Environment, ts: Timescale) -> Configuration:
    return record.configuration_at(ts.from_iso("2022-03-18T20:00:00Z"), nominal)
