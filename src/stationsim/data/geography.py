"""The bundled geography: Natural Earth 1:110m countries (maps) and a 0.25-degree grid of land
fraction, country and population density (debris footprints and casualty risk).

Population density: each country's population (Natural Earth's ``pop_est``, about 2019; 7.65
billion in all) spread evenly over the land of its cells. This is coarser than a gridded census
(cities are not resolved), which matters for one footprint and little for the averages over
many footprints or a whole orbit that a re-entry risk is.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from stationsim.data.loader import bundled_file
from stationsim.io.geojson import CountryOutline, parse_country_outlines
from stationsim.time.tables import FloatArray

__all__ = ["COUNTRIES_FILE", "GRID_FILE", "Geography", "load_countries", "load_geography"]

#: Natural Earth admin-0 countries at 1:110m (public domain), as GeoJSON.
COUNTRIES_FILE = "geography/naturalearth_lowres.geojson"
#: Land fraction and country per 0.25-degree cell (``scripts/make_geography_grid.py``).
GRID_FILE = "geography/grid_0p25deg.npz"
_EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius


@dataclass(frozen=True)
class Geography:
    """A latitude-longitude grid, row 0 at +90 deg, column 0 at -180 deg.

    Attributes:
        step_deg: the cell size.
        land: land fraction per cell (0..1).
        country: index into ``names``/``iso_a3`` per cell (-1: no country).
        density_per_km2: people per km^2 of the cell (its country's population over the
            country's land, times the cell's land fraction).
        names, iso_a3: the countries.
    """

    step_deg: float
    land: FloatArray
    country: NDArray[np.int16]
    density_per_km2: FloatArray
    names: tuple[str, ...]
    iso_a3: tuple[str, ...]

    def cells(self, lat_deg: FloatArray, lon_deg: FloatArray) -> tuple[NDArray[np.intp],
                                                                        NDArray[np.intp]]:
        """Row and column of the cells holding points [deg]."""
        rows, cols = self.land.shape
        i = np.clip(((90.0 - np.asarray(lat_deg)) / self.step_deg).astype(np.intp), 0, rows - 1)
        j = np.mod(((np.asarray(lon_deg) + 180.0) / self.step_deg).astype(np.intp), cols)
        return i, j


def _cell_area_km2(step_deg: float, rows: int) -> FloatArray:
    lat = 90.0 - (np.arange(rows) + 0.5) * step_deg
    return np.asarray((np.radians(step_deg) * _EARTH_RADIUS_KM) ** 2 * np.cos(np.radians(lat)))


@lru_cache(maxsize=1)
def load_geography() -> Geography:
    """The bundled grid with each country's population spread over its land; cached."""
    with bundled_file(GRID_FILE).open("rb") as handle:
        grid = np.load(handle)
        land = grid["land_percent"].astype(np.float64) / 100.0
        owner = grid["country"].astype(np.int16)
        step = float(grid["step_deg"])
    owner[owner == 255] = -1
    countries = load_countries()
    area = _cell_area_km2(step, land.shape[0])[:, None] * np.ones(land.shape[1])
    land_area = np.bincount(owner[owner >= 0], weights=(land * area)[owner >= 0],
                            minlength=len(countries))
    population = np.array([c.population for c in countries])
    per_km2 = np.where(land_area > 0, population / np.maximum(land_area, 1e-9), 0.0)
    density = np.where(owner >= 0, per_km2[np.maximum(owner, 0)] * land, 0.0)
    return Geography(step, land, owner, density, tuple(c.name for c in countries),
                     tuple(c.iso_a3 for c in countries))


@lru_cache(maxsize=1)
def load_countries() -> tuple[CountryOutline, ...]:
    """The 177 countries of the bundled Natural Earth 1:110m file; cached."""
    text = bundled_file(COUNTRIES_FILE).read_text(encoding="utf-8")
    return tuple(parse_country_outlines(text, source=COUNTRIES_FILE))
