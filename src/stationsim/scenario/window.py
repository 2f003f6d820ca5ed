"""Re-entry windows of a scenario's pieces: a Monte Carlo ensemble per re-entered piece.

A scenario run is deterministic: each piece re-enters once, at the epoch its numerical
propagation gives. Its window comes from an ensemble of :data:`MEMBERS` members in the fast
lifetime engine (:mod:`stationsim.propagation.lifetime`) started where the piece's *free flight*
began: the later of its start (a separation, a launch) and its last manoeuvre (a change of its
velocity-change ledger), from its state there, with

* ``B = m / (C_D A)``: the piece's mass over its calibrated ``C_D A`` averaged over the first
  day (24 hourly samples: the arrays and the attitude follow the Sun), then scaled so that the
  engine's nominal member re-enters when the run's piece does (over months the run's drag
  area follows the Sun's angle to the orbit, which one day cannot show: the USOS of
  ``farewell-2022`` needed 7 %), log-normal with the drag calibration's own sigma and a model
  sigma of 12 % in quadrature (:data:`stationsim.propagation.ensemble.MODEL_SIGMA_LN_B`);
* the space weather of the run, dispersed wherever a forecast stands in for measurements (after
  the last observed day, or from the start in ``forecast`` mode) with the historical error of a
  held forecast (:mod:`stationsim.data.forecast_error`);
* the initial state's along-track and speed errors of :class:`~stationsim.propagation.ensemble.
  Dispersion`.

The window is placed around the deterministic epoch: ``p05 = epoch + (q05 - q50)`` and
``p95 = epoch + (q95 - q50)`` of the ensemble, so that the window and the run's own re-entry
agree even where the engine's averaged drag area differs a little from the run's.

A piece that comes down within a day of its free flight's start, or on an eccentric orbit
(``e > 0.01``: a deorbit burn), is not for an orbit-averaged engine; its window is the
published +/-20 % (IADC re-entry campaigns; Pardini & Anselmo 2017) of the time since that
start, which for a controlled entry is minutes to hours.
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass, field

import numpy as np

from stationsim.constants import WGS84_A_M
from stationsim.data.forecast_error import (
    density_sensitivity,
    held_forecast_error,
    ln_density_spread,
)
from stationsim.data.spaceweather import SpaceWeather
from stationsim.errors import PropagationError
from stationsim.forces.atmosphere import Atmosphere
from stationsim.forces.sun import sun_direction_gcrf
from stationsim.propagation.dynamics import ForceModel
from stationsim.propagation.ensemble import (
    MODEL_SIGMA_LN_B,
    Dispersion,
    draw_ensemble,
    entry_percentiles,
    mean_sma_grid,
    rank_low_percentiles,
)
from stationsim.propagation.kepler import elements_from_state
from stationsim.propagation.lifetime import LifetimePropagator
from stationsim.scenario.bodies import Body, ScaledDrag
from stationsim.station import StationDrag
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = ["MEMBERS", "ReentryWindow", "reentry_window"]

#: Members per piece, and the seed (a scenario run is reproducible).
MEMBERS = 100
SEED = 0
#: Half-width of the published 90 % window, as a fraction of the time remaining.
PUBLISHED_FRACTION = 0.20
_DAY_S = 86400.0


@dataclass(frozen=True)
class ReentryWindow:
    """A piece's 90 % re-entry window around its deterministic epoch.

    Attributes:
        p05, p95: the window's ends.
        since: where the ensemble (or the published fraction) starts: the free flight.
        basis: how the window was made, in words (for the report).
        members: the ensemble's size (0: the published fraction).
        ballistic_kg_m2, sigma_ln_ballistic: the nominal ``B`` and its dispersion.
        engine_median: the ensemble's own median epoch (a check of the engine against the
            run's deterministic epoch).
        band_times_s: times of the band of mean heights, seconds after ``since`` (empty for
            the published fraction); ``band_height_m`` ``(2, K)`` its 5 % and 95 % [m]
            (``-inf`` where more than that share of the members is down), on the run's time
            line (the ensemble's times stretched so that its median re-entry meets the
            run's).
    """

    p05: Epoch
    p95: Epoch
    since: Epoch
    basis: str
    members: int = 0
    ballistic_kg_m2: float = float("nan")
    sigma_ln_ballistic: float = 0.0
    engine_median: Epoch | None = None
    band_times_s: FloatArray = field(default_factory=lambda: np.empty(0))
    band_height_m: FloatArray = field(default_factory=lambda: np.empty((2, 0)))


def free_flight_start_s(body: Body, start: Epoch) -> float:
    """Seconds from the scenario's ``start`` to where the body's free flight began."""
    since = float(body.since - start)
    rows = sorted(body.ledger, key=lambda r: r.t_s)
    for before, after in itertools.pairwise(rows):
        # Impulses are applied at a stop, after that stop's row: the change shows in the next.
        if after.delta_v_used_m_s != before.delta_v_used_m_s:
            since = max(since, before.t_s)
    return since


def _published(epoch: Epoch, since: Epoch, why: str) -> ReentryWindow:
    half = PUBLISHED_FRACTION * float(epoch - since)
    return ReentryWindow(epoch + (-half), epoch + half, since,
                         f"{why}: +/-20 % of the time since {since.iso(0)[:16]} (the published "
                         "90 % window of re-entry predictions; IADC, Pardini & Anselmo 2017)")


def reentry_window(body: Body, start: Epoch, model: ForceModel, atmosphere: Atmosphere,
                   atmosphere_name: str, weather: SpaceWeather, drag_scale: float,
                   fit_sigma_ln: float, forecast_from: Epoch) -> ReentryWindow | None:
    """The window of a re-entered ``body`` (``None`` if it did not re-enter); see the module
    notes. ``forecast_from`` is where forecast space weather replaces measurements."""
    if body.reentry is None:
        return None
    epoch = body.reentry[0]
    t, y = body.ephemeris()
    since_s = free_flight_start_s(body, start)
    after = np.flatnonzero(t > since_s + 1.0)
    if not len(after):
        return _published(epoch, start + since_s, "no state after the last manoeuvre")
    k = int(after[0])
    t0 = start + float(t[k])
    r0, v0 = y[k, :3], y[k, 3:6]
    if float(epoch - t0) < _DAY_S or float(elements_from_state(r0, v0).e) > 0.01:
        return _published(epoch, t0, "down within a day of its last manoeuvre or on an "
                                     "eccentric orbit")
    drag = ScaledDrag(StationDrag(body.config, sun_direction_gcrf), drag_scale)
    day = np.flatnonzero((t >= t[k]) & (t <= t[k] + _DAY_S))
    pick = day[np.linspace(0, len(day) - 1, min(len(day), 24)).astype(int)]
    areas = [drag.drag_area_m2(start + float(t[j]), y[j, :3], y[j, 3:6]) for j in pick]
    b = float(drag.mass_kg / np.mean(areas))
    values = weather.values(np.array([min(float(t0.mjd_utc), weather.last_observed_mjd)]))
    kappa = density_sensitivity(atmosphere_name, float(values.f107_obs_lst81_sfu[0]),
                                float(values.ap_daily[0]), t0, r0[None, :])
    sigma_ln_b = float(np.hypot(fit_sigma_ln, MODEL_SIGMA_LN_B))
    dispersion = Dispersion(ln_ballistic=sigma_ln_b, ln_density=ln_density_spread(
        held_forecast_error(weather), kappa, float(forecast_from - t0)))
    # The table's time slot: a day for short lives, up to eight days for years (the slot only
    # sets how finely the day-to-day weather is resolved; the lifetime of the 490-day USOS-like
    # case moves by 0.04 % between 1- and 8-day slots).
    slot_s = float(np.clip(float(epoch - t0) / 100.0, _DAY_S, 8 * _DAY_S))
    # Three times the deterministic lifetime, within the space-weather table (less the 57 h of
    # ap history MSIS asks for, and a slot: a slot's samples reach to its end).
    horizon_s = min(max(3.0 * float(epoch - t0), 30 * _DAY_S),
                    (weather.end_mjd - float(t0.mjd_utc) - 3.0) * _DAY_S - slot_s)
    engine = LifetimePropagator(model, atmosphere, slot_s=slot_s, coarse_slot_s=None)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # predicted space weather: the run said so
            # The run's drag area follows the Sun and the attitude over months; the engine's B
            # is matched so that its nominal member comes down when the run's piece does.
            nominal = engine.propagate(t0, r0, v0, ballistic_kg_m2=b, duration_s=horizon_s,
                                       output_step_s=None).members[0].event("reentry")
            modelled_b = b
            if nominal is not None:
                b *= float(epoch - t0) / float(nominal.epoch - t0)
            ensemble = draw_ensemble(r0, v0, b, MEMBERS, SEED, dispersion)
            result = engine.propagate(
                t0, ensemble.r_gcrf_m, ensemble.v_gcrf_m_s,
                ballistic_kg_m2=ensemble.ballistic_kg_m2, duration_s=horizon_s,
                density_factor=ensemble.density_factor, output_step_s=slot_s)
    except PropagationError as exc:
        return _published(epoch, t0, f"the lifetime engine could not run ({exc})")
    entries = np.array([np.nan if (e := m.event("reentry")) is None else float(e.epoch - t0)
                        for m in result.members])
    q50, q05, q95 = entry_percentiles(entries)
    weather_words = ("observed space weather, undispersed (a hindcast)"
                     if float(forecast_from - epoch) > 0 else
                     f"space weather forecast from {forecast_from.iso(0)[:10]}, dispersed with "
                     "the historical error of a held forecast")
    if not np.isfinite(q95):  # more than 5 % still up at the horizon: the window's end is open
        q95 = horizon_s
    # The band of mean heights, on the run's time line: the ensemble's times stretched so
    # that its median re-entry meets the run's.
    grid = np.arange(0.0, horizon_s + 1.0, slot_s)
    band = rank_low_percentiles(mean_sma_grid(result.members, grid) - WGS84_A_M, (0.05, 0.95))
    up = np.flatnonzero(np.isfinite(band[1]))
    shown = slice(0, min(int(up[-1]) + 2, len(grid)) if len(up) else 0)
    stretch = float(epoch - t0) / q50 if np.isfinite(q50) and q50 > 0 else 1.0
    return ReentryWindow(
        epoch + (q05 - q50), epoch + (q95 - q50), t0,
        f"Monte Carlo, {MEMBERS} members from {t0.iso(0)[:16]} in the lifetime engine: B "
        f"{b:.0f} kg/m^2 (the run's {modelled_b:.0f} on its first day, matched to its "
        f"lifetime) +/-{100 * sigma_ln_b:.0f} % (log-normal), along-track 1 km, speed "
        f"5 cm/s; {weather_words}",
        MEMBERS, b, sigma_ln_b, t0 + q50,
        band_times_s=grid[shown] * stretch,
        band_height_m=band[:, shown])
