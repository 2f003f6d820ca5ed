"""The low-precision Sun against ERFA's ``epv00`` (VSOP87-based Earth ephemeris, a few km).

Reference: ERFA ``epv00`` heliocentric Earth position, negated, in the BCRS axes (those of
GCRF); geometric, as the module's formula is after its aberration correction. Tolerance:
0.015 deg in direction (the Almanac's stated precision is 0.01 deg; measured worst 0.0110 deg
over 1972-2047, with nutation, left out, the largest remaining term) and 2e-4 in distance
(measured 8.5e-5).
"""

from __future__ import annotations

import warnings

import erfa
import numpy as np

from stationsim.errors import StaleTableWarning
from stationsim.forces import sun_direction_gcrf, sun_position_gcrf
from stationsim.forces.sun import ASTRONOMICAL_UNIT_M
from stationsim.time import Timescale


def test_sun_matches_erfa_epv00(ts: Timescale) -> None:
    mjd = np.linspace(41_317.0, 69_000.0, 4001)  # 1972-01-01 to 2047-11
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleTableWarning)  # beyond the leap-second table
        epoch = ts.from_mjd_utc(mjd)
        jd1, jd2 = epoch.tt
    heliocentric, _ = erfa.epv00(jd1, jd2)
    reference = -np.asarray(heliocentric["p"]) * ASTRONOMICAL_UNIT_M
    ours = sun_position_gcrf(epoch)
    unit = sun_direction_gcrf(epoch)
    ref_unit = reference / np.linalg.norm(reference, axis=-1, keepdims=True)
    angle_deg = np.degrees(np.arccos(np.clip(np.sum(unit * ref_unit, axis=-1), -1.0, 1.0)))
    assert np.max(angle_deg) < 0.015
    distance_ratio = np.linalg.norm(ours, axis=-1) / np.linalg.norm(reference, axis=-1)
    assert np.max(np.abs(distance_ratio - 1)) < 2e-4
    assert ours.shape == (4001, 3)
    np.testing.assert_allclose(np.linalg.norm(unit, axis=-1), 1.0, rtol=1e-15)
