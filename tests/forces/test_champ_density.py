"""MSIS 2.1 and NRLMSISE-00 along CHAMP's orbit against CHAMP's measured densities.

Reference: TU Delft CHAMP accelerometer-derived orbit-mean densities for 2000-08-03 to
2000-08-08 (two overlapping 3-day windows, 10-minute cadence, 748 valid values), from the MIT
ARCLab STORM-AI challenge sample data (``tests/reference/champ/``, see its README). Solar
maximum: previous-day F10.7 of 150-167 sfu (81-day mean 178 sfu), daily Ap 5-25 (3-hourly ap up
to 48).

Model side: the orbit is propagated from each window's initial elements (treated as osculating
EME2000 ~ GCRF elements at the window's first timestamp, as the challenge's own baseline does)
with two-body + J2 and a fixed-step RK4 (30 s), written here because stationsim's propagator
is not a dependency of ``forces`` tests; drag (~0.05 km/day of decay here) is left out. Density
is computed each minute along it by :class:`stationsim.forces.MsisAtmosphere` (GCRF -> ITRF ->
geodetic, storm-time ap history) with the observed space weather of
``stationsim.data.load_space_weather()``, averaged over one orbital period centred on each
measurement time, and compared as ``model / measured - 1``.

Measured (both windows pooled; per window in docs/validation-atmosphere.md):

=============  =======  ======  ============================
model          bias     RMS     correlation (w1, w2)
=============  =======  ======  ============================
MSIS 2.1       +3.9 %   8.5 %   0.83, 0.84
NRLMSISE-00    +26.7 %  28.2 %  0.83, 0.84
=============  =======  ======  ============================

Bounds asserted: MSIS 2.1 |bias| < 20 %, RMS < 25 %; NRLMSISE-00 |bias| < 35 %, RMS < 40 %;
correlation > 0.6 in each window. Why these: empirical models typically miss accelerometer
densities by 15-30 % RMS, and more at solar maximum (e.g. Picone et al. 2002 for NRLMSISE-00's
own statistics; Xiong et al. 2018, Ann. Geophys. 36, 1141, for CHAMP in 2000-2009); NRLMSISE-00
runs high here, by +27 %, and the newer MSIS 2.1 gets the tighter bound. The challenge's
elements add their own uncertainty: the radius they give at the file's own geodetic point is off
by -5.4 km (window 1) and +7.9 km (window 2), i.e. -9 % to +13 % in density at a 60 km scale
height. The bounds would catch a unit or time mistake (which moves densities by factors, or
breaks the correlation), not a 10 % drift. The correlation checks the timing (UTC handling, the
daily and 3-hourly space-weather lookup) that a bias test cannot see.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from stationsim.constants import GM_EARTH_M3_S2, WGS84_A_M
from stationsim.data import load_space_weather
from stationsim.forces import MsisAtmosphere, MsisModel
from stationsim.time import Epoch, Timescale

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "champ"
WINDOWS = {1: "champ_-00001-20000803_to_20000806.csv", 2: "champ_-00002-20000805_to_20000808.csv"}
#: Earth's J2, rounded (EGM2008: -sqrt(5) C20 = 1.0826262e-3; the gravity models differ by far
#: less than anything this test can see).
J2 = 1.08263e-3
STEP_S = 30.0
SAMPLE_EVERY = 2  # density each minute
FILL_THRESHOLD = 1e-6  # the files mark missing values 9.99e+32


def _elements_to_state(a_m: float, e: float, i: float, raan: float, argp: float,
                       nu: float) -> tuple[np.ndarray, np.ndarray]:
    """Position [m] and velocity [m/s] from Keplerian elements (angles in rad)."""
    p = a_m * (1.0 - e * e)
    radius = p / (1.0 + e * np.cos(nu))
    r_pqw = radius * np.array([np.cos(nu), np.sin(nu), 0.0])
    v_pqw = np.sqrt(GM_EARTH_M3_S2 / p) * np.array([-np.sin(nu), e + np.cos(nu), 0.0])

    def rot_z(angle: float) -> np.ndarray:
        c, s = np.cos(angle), np.sin(angle)
        return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])

    c, s = np.cos(i), np.sin(i)
    rot_x = np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])
    matrix = rot_z(raan) @ rot_x @ rot_z(argp)
    return matrix @ r_pqw, matrix @ v_pqw


def _acceleration(r: np.ndarray) -> np.ndarray:
    """Two-body + J2 acceleration [m/s^2] (the pole taken along GCRF z, 0.002 deg off in 2000)."""
    x, y, z = r
    r2 = x * x + y * y + z * z
    rn = np.sqrt(r2)
    k = 1.5 * J2 * GM_EARTH_M3_S2 * WGS84_A_M**2 / rn**5
    f = 5.0 * z * z / r2
    return np.asarray(-GM_EARTH_M3_S2 * r / rn**3 + k * np.array([x * (f - 1), y * (f - 1),
                                                                   z * (f - 3)]))


def _rk4(r: np.ndarray, v: np.ndarray, steps: int) -> np.ndarray:
    out = np.empty((steps + 1, 3))
    out[0] = r
    h = STEP_S
    for k in range(steps):
        a1 = _acceleration(r)
        r2, v2 = r + 0.5 * h * v, v + 0.5 * h * a1
        a2 = _acceleration(r2)
        r3, v3 = r + 0.5 * h * v2, v + 0.5 * h * a2
        a3 = _acceleration(r3)
        r4, v4 = r + h * v3, v + h * a3
        a4 = _acceleration(r4)
        r = r + h / 6.0 * (v + 2 * v2 + 2 * v3 + v4)
        v = v + h / 6.0 * (a1 + 2 * a2 + 2 * a3 + a4)
        out[k + 1] = r
    return out


def _initial_row(file_id: int) -> dict[str, str]:
    with (REFERENCE / "initial_states_00000_to_00002.csv").open(encoding="ascii") as f:
        for row in csv.DictReader(f):
            if int(row["File ID"]) == file_id:
                return row
    raise LookupError(file_id)


def _measured(file_id: int, ts: Timescale) -> tuple[Epoch, np.ndarray]:
    with (REFERENCE / WINDOWS[file_id]).open(encoding="ascii") as f:
        rows = list(csv.reader(f))[1:]
    density = np.array([float(r[1]) for r in rows])
    keep = density < FILL_THRESHOLD
    times = ts.from_iso([r[0] for r in rows])
    return times[keep], density[keep]


def _orbit_mean_model(file_id: int, ts: Timescale, models: list[MsisModel]
                      ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Model orbit means at the valid measurement times, and the measurements."""
    row = _initial_row(file_id)
    start = ts.from_iso(row["Timestamp"])
    a_m = float(row["Semi-major Axis (km)"]) * 1e3
    angles = np.radians([float(row[k]) for k in ("Inclination (deg)", "RAAN (deg)",
                                                   "Argument of Perigee (deg)",
                                                   "True Anomaly (deg)")])
    r0, v0 = _elements_to_state(a_m, float(row["Eccentricity"]), *angles)
    times, measured = _measured(file_id, ts)
    t_meas = times - start
    period = 2 * np.pi * np.sqrt(a_m**3 / GM_EARTH_M3_S2)
    steps = int((np.max(t_meas) + period) / STEP_S) + 1
    trajectory = _rk4(r0, v0, steps)[::SAMPLE_EVERY]
    dt = STEP_S * SAMPLE_EVERY
    t_samples = np.arange(len(trajectory)) * dt
    epochs = start + t_samples
    width = round(period / dt)
    weather = load_space_weather()
    means: dict[str, np.ndarray] = {}
    for model in models:
        density = MsisAtmosphere(weather, model=model).density(epochs, trajectory)
        cumulative = np.concatenate([[0.0], np.cumsum(density)])
        running = (cumulative[width:] - cumulative[:-width]) / width
        centres = t_samples[: running.size] + 0.5 * (width - 1) * dt
        means[model] = np.interp(t_meas, centres, running)
    return means, measured


@pytest.fixture(scope="module")
def comparison(ts: Timescale) -> dict[int, tuple[dict[str, np.ndarray], np.ndarray]]:
    return {file_id: _orbit_mean_model(file_id, ts, ["msis2.1", "nrlmsise00"])
            for file_id in WINDOWS}


def _stats(comparison: dict[int, tuple[dict[str, np.ndarray], np.ndarray]], model: str
           ) -> tuple[float, float, list[float]]:
    ratios = [means[model] / measured - 1 for means, measured in comparison.values()]
    pooled = np.concatenate(ratios)
    correlations = [float(np.corrcoef(means[model], measured)[0, 1])
                    for means, measured in comparison.values()]
    return float(np.mean(pooled)), float(np.sqrt(np.mean(pooled**2))), correlations


@pytest.mark.parametrize(("model", "max_bias", "max_rms"),
                         [("msis2.1", 0.20, 0.25), ("nrlmsise00", 0.35, 0.40)])
def test_model_orbit_means_agree_with_champ(
    comparison: dict[int, tuple[dict[str, np.ndarray], np.ndarray]],
    model: str, max_bias: float, max_rms: float,
) -> None:
    """Bias and RMS of ``model / CHAMP - 1`` within the bounds of the module notes, and the
    model tracks CHAMP's day-to-day changes (correlation > 0.6 in each window)."""
    bias, rms, correlations = _stats(comparison, model)
    assert abs(bias) < max_bias
    assert rms < max_rms
    assert min(correlations) > 0.6
    assert sum(measured.size for _, measured in comparison.values()) == 748
