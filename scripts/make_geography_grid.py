"""Make ``src/stationsim/data/bundled/geography/grid_0p25deg.npz``: land fraction and country of
every 0.25-degree cell, for the debris footprint's land and population figures.

Inputs (read from the folder given, the layout of the project's shared data):

* ``landmask/globe_combined_mask_compressed.npz``: the land mask of the PyPI package
  global-land-mask 1.0.0 (MIT; from NOAA's GLOBE 1-km elevation model, public domain), a
  boolean grid of 1/120 degree, True over the sea (that package's ``is_ocean``); a cell's land
  fraction is the share of its 30 x 30 values that are False;
* ``naturalearth_110m/naturalearth_lowres.geojson``: Natural Earth 1:110m countries (public
  domain, bundled beside the output): a cell's country is the one whose polygon holds the
  cell's centre (255: none).

Usage: ``python scripts/make_geography_grid.py SHARED_DATA_GEOGRAPHY_DIR``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from matplotlib.path import Path as Polygon

from stationsim.io.geojson import parse_country_outlines

STEP = 0.25
OUT = (Path(__file__).resolve().parent.parent / "src" / "stationsim" / "data" / "bundled"
       / "geography" / "grid_0p25deg.npz")


def main(folder: Path) -> None:
    mask = np.load(folder / "landmask" / "globe_combined_mask_compressed.npz")["mask"]
    block = int(round(STEP * 120))
    rows, cols = mask.shape[0] // block, mask.shape[1] // block
    land = 1.0 - mask.reshape(rows, block, cols, block).mean(axis=(1, 3))  # row 0 at +90 deg
    countries = parse_country_outlines(
        (folder / "naturalearth_110m" / "naturalearth_lowres.geojson").read_text())
    lat = 90.0 - (np.arange(rows) + 0.5) * STEP
    lon = -180.0 + (np.arange(cols) + 0.5) * STEP
    glon, glat = np.meshgrid(lon, lat)
    points = np.column_stack([glon.ravel(), glat.ravel()])
    owner = np.full(points.shape[0], 255, dtype=np.uint8)
    for k, country in enumerate(countries):
        for ring in country.rings:
            lo, hi = ring.min(axis=0), ring.max(axis=0)
            near = np.flatnonzero((points[:, 0] >= lo[0]) & (points[:, 0] <= hi[0])
                                  & (points[:, 1] >= lo[1]) & (points[:, 1] <= hi[1]))
            inside = Polygon(ring).contains_points(points[near])
            owner[near[inside]] = k
    np.savez_compressed(OUT, land_percent=np.round(100 * land).astype(np.uint8),
                        country=owner.reshape(rows, cols), step_deg=np.array(STEP))
    print(f"wrote {OUT}: {rows} x {cols} cells, land {100 * land.mean():.1f} %, "
          f"{int(np.sum(owner != 255))} cells in a country")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
