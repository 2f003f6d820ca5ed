"""How wrong a held space-weather forecast is, measured on the bundled history.

A forecaster at day ``t`` who knows only the past holds the last 81-day mean of F10.7. Over a
lead ``L`` the density follows the truth's mean over ``[t, t + L)``; the log ratio of the two,
over every observed day since 1957, gives the error's mean and spread against lead time
(:func:`held_forecast_error`). Measured (``tests/data/test_forecast_error.py``): 6.7 % at lead
0 (a trailing against a centred mean), 8.2 % at 30 days, 15.8 % at one year, 41.8 % at five
years, then less as the 11-year cycle comes round.

A Monte Carlo member scales its density by ``exp(k z s(t))`` with one normal draw ``z``: for
the mean of that factor over a lead to have the measured spread, the instantaneous ``s`` is
``d(L sigma(L))/dL`` (:meth:`ForecastError.instantaneous_table`, :func:`ln_density_spread`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from stationsim.data.spaceweather import SpaceWeather
from stationsim.forces.atmosphere import atmosphere_by_name
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = ["ForecastError", "density_sensitivity", "held_forecast", "held_forecast_error",
           "ln_density_spread"]

#: Leads [days] of the table.
_LEADS_DAYS = np.array([0.0, 1, 3, 7, 15, 30, 60, 90, 180, 365, 730, 1095, 1825, 3650])


@dataclass(frozen=True)
class ForecastError:
    """Mean and standard deviation of ``ln(truth / held forecast)`` of F10.7 against lead."""

    leads_days: FloatArray
    bias: FloatArray
    sigma: FloatArray

    def instantaneous_table(self) -> tuple[FloatArray, FloatArray]:
        """Leads [days] and the spread ``s(L)`` whose running mean over ``[0, L)`` has the
        measured sigma (interpolate linearly between them)."""
        grid = np.linspace(0.0, float(self.leads_days[-1]), 400)
        mean_sigma = np.interp(grid, self.leads_days, self.sigma)
        return grid, np.maximum(np.gradient(grid * mean_sigma, grid), 0.0)


@lru_cache(maxsize=4)
def _table(weather: SpaceWeather) -> ForecastError:
    first = max(weather.first_mjd + 81.0, 36204.0)  # the first full trailing mean
    last = weather.last_observed_mjd - 41.0  # the centred mean must be observed
    days = np.arange(np.ceil(first), np.floor(last))
    values = weather.values(days)
    held = np.log(values.f107_obs_lst81_sfu)
    cumulative = np.concatenate([[0.0], np.cumsum(values.f107_obs_ctr81_sfu)])
    sigmas, biases = [], []
    for lead in _LEADS_DAYS:
        span = max(int(lead), 1)
        n = len(days) - span
        err = np.log((cumulative[span:span + n] - cumulative[:n]) / span) - held[:n]
        biases.append(float(np.mean(err)))
        sigmas.append(float(np.std(err)))
    return ForecastError(_LEADS_DAYS.copy(), np.array(biases), np.array(sigmas))


def held_forecast_error(weather: SpaceWeather) -> ForecastError:
    """The error of the held 81-day F10.7 forecast over ``weather``'s observed history."""
    return _table(weather)


def held_forecast(weather: SpaceWeather, start: Epoch) -> tuple[SpaceWeather, float, float]:
    """What a forecaster knew at ``start``: the last 81-day mean of F10.7 and the last 27-day
    mean of Ap, held from then on (and both values)."""
    before = start.mjd_utc - 1.0
    f107 = float(weather.values(np.array([before])).f107_obs_lst81_sfu[0])
    ap = float(np.mean(weather.values(before - np.arange(27.0)).ap_daily))
    return SpaceWeather.constant(f107_sfu=f107, f107a_sfu=f107, ap=ap), f107, ap


def density_sensitivity(atmosphere: str, f107_sfu: float, ap: float, epoch: Epoch,
                        r_gcrf_m: FloatArray) -> float:
    """``d ln rho / d ln F10.7`` of the named model at GCRF positions ``(N, 3)`` [m]: a 10 %
    change of both F10.7 inputs at constant Ap (0 for models without space weather)."""
    lo = atmosphere_by_name(atmosphere, SpaceWeather.constant(
        f107_sfu=f107_sfu, f107a_sfu=f107_sfu, ap=ap))
    hi = atmosphere_by_name(atmosphere, SpaceWeather.constant(
        f107_sfu=1.1 * f107_sfu, f107a_sfu=1.1 * f107_sfu, ap=ap))
    ratio = np.log(hi.density(epoch, r_gcrf_m) / lo.density(epoch, r_gcrf_m))
    return float(np.mean(ratio) / np.log(1.1))


def ln_density_spread(error: ForecastError, sensitivity: float, forecast_from_s: float
                      ) -> Callable[[FloatArray], FloatArray]:
    """``s(t)``: the spread of ``ln rho`` at times ``t`` (an array of seconds after an
    ensemble's start), for a forecast that begins ``forecast_from_s`` seconds after it (before
    it: negative; the spread is zero until then)."""
    grid, inst = error.instantaneous_table()
    inst = sensitivity * inst

    def spread(t_s: FloatArray) -> FloatArray:
        lead = (np.asarray(t_s, dtype=np.float64) - forecast_from_s) / 86400.0
        return np.asarray(np.where(lead < 0.0, 0.0, np.interp(lead, grid, inst)))
    return spread
