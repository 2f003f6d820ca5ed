"""The per-window log-density fit (:mod:`stationsim.forces.density_fit`) against the model it
stands for, along real ISS orbits.

Reference: NRLMSIS 2.1 itself (:class:`stationsim.forces.MsisAtmosphere`) evaluated at the
true positions, every 30 s over two UTC days. The true orbit is SGP4 on the bundled ISS element
sets of 2022 (rotated from TEME to GCRF by :mod:`stationsim.frames`); the fit is made exactly as
the propagator makes it (:meth:`stationsim.propagation.numerical._Run.fit_density`: samples
along the J2-predicted orbit from the state at the window's start, in a height band, one
offset per 3-hour ap slot), window by window (a UTC day each at the ISS's decay rate).

The project's requirement: at most 2 % RMS relative error along the orbit. Measured when
written (RMS / largest, per two days; per UTC day in brackets):

* constant space weather (F10.7 120, 81-day 115, Ap 15), 2022-03-08/09: 0.99 % / 3.4 %;
* real space weather, quiet, 2022-03-08/09 (Ap 5, 5): 1.11 % / 4.2 %;
* real space weather, active, 2022-03-13/14 (Ap 40, 14): 1.17 % / 7.1 % (1.38 %, 0.90 %);
* storm of 2024-05-10/11 (Ap 105, 271; ISS elements moved to 2024): 1.97 % / 11 %
  (2.08 %, 1.85 %): the requirement is **not** met on 2024-05-10, the onset day (see
  :func:`test_storm_days_per_window_requirement`, an expected failure).

The error is set by the basis, not by the sampling: 600 or 2000 samples per window instead of
300 change these figures by less than 0.01 %.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterator

import heyoka as hy
import numpy as np
import numpy.typing as npt
import pytest

from stationsim.api import load_elements
from stationsim.data import load_space_weather
from stationsim.data.spaceweather import SpaceWeather
from stationsim.forces import ExponentialAtmosphere, HarrisPriesterAtmosphere, MsisAtmosphere
from stationsim.forces.atmosphere import Atmosphere
from stationsim.forces.density_fit import (
    N_BASIS,
    N_FIT_PARS,
    DensityFit,
    fit_log_density,
    log_density_expression,
)
from stationsim.forces.drag import ConstantDrag
from stationsim.forces.sun import sun_position_gcrf
from stationsim.frames import teme_to_gcrf
from stationsim.propagation import GPElements, numerical
from stationsim.propagation.dynamics import ForceModel
from stationsim.propagation.sgp4 import sgp4_teme_epoch
from stationsim.time import Epoch, Timescale

Array = npt.NDArray[np.float64]

DAY = 86400.0
STEP_S = 30.0
#: The project's requirement on the fit [relative RMS along the orbit].
REQUIREMENT = 0.02
#: ISS mass and C_D A (for the propagator's expected decay, which sets the height band).
ISS_DRAG = ConstantDrag(mass_kg=420e3, drag_coefficient=2.2, area_m2=1500.0)


@dataclasses.dataclass(frozen=True)
class AlongOrbit:
    """Relative errors ``rho_fit / rho_model - 1`` along the true orbit, with their windows."""

    errors: Array
    window: npt.NDArray[np.int64]

    def rms(self, mask: npt.NDArray[np.bool_] | None = None) -> float:
        e = self.errors if mask is None else self.errors[mask]
        return float(np.sqrt(np.mean(e ** 2)))

    def per_window_rms(self) -> list[float]:
        return [self.rms(self.window == k) for k in range(int(self.window.max()) + 1)]


def _true_orbit(elements: GPElements, start: Epoch, days: float = 2.0
                ) -> tuple[Array, Array, Array]:
    """Times [s], GCRF positions and velocities every 30 s from SGP4."""
    t = np.arange(0.0, days * DAY + 1e-9, STEP_S)
    when = start + t
    r, v, codes = sgp4_teme_epoch([elements], when)
    assert not codes.any()
    r_gcrf, v_gcrf = teme_to_gcrf(when, r[0], v[0])
    return t, r_gcrf, v_gcrf


def _along_orbit(atmosphere: Atmosphere, elements: GPElements, start_iso: str,
                 ts: Timescale) -> AlongOrbit:
    """Fit window by window as the propagator does; compare with the model on the true orbit."""
    start = ts.from_iso(start_iso)
    t, r, v = _true_orbit(elements, start)
    prop = numerical.Propagator(ForceModel(gravity=None, drag="fit", sun=False, moon=False,
                                           thrust=False), atmosphere=atmosphere)
    run = numerical._Run(prop, None, start, float(t[-1]), [], [], [], None)
    stats = {"density_fits": 0.0, "density_samples": 0.0, "fit_s": 0.0}
    errors = np.empty(t.size)
    window = np.empty(t.size, dtype=np.int64)
    t_window, k = 0.0, 0
    while t_window < t[-1]:
        i = int(np.searchsorted(t, t_window))
        state = np.concatenate([r[i], v[i], [ISS_DRAG.mass_kg]])
        rate = run._decay_rate(0.0, state, ISS_DRAG)
        fit, _, end = run.fit_density(t_window, state, rate, stats)
        sel = (t >= t_window) & ((t < end) | (end >= t[-1]))
        model = np.log(atmosphere.density(start + t[sel], r[sel]))
        errors[sel] = np.expm1(fit.log_density(r[sel], t[sel]) - model)
        window[sel] = k
        t_window, k = end, k + 1
    return AlongOrbit(errors, window)


@pytest.fixture(scope="module")
def iss_2022() -> list[GPElements]:
    return load_elements(None)


def _elements_at(sets: list[GPElements], day_of_year: float) -> GPElements:
    return next(e for e in sets if abs(e.epoch_day_of_year - day_of_year) < 0.01)


@pytest.fixture(scope="module")
def real_weather() -> SpaceWeather:
    return load_space_weather()


@pytest.fixture(scope="module")
def quiet_2022(iss_2022: list[GPElements], ts: Timescale, real_weather: SpaceWeather
               ) -> Iterator[dict[str, AlongOrbit]]:
    el = _elements_at(iss_2022, 66.88)  # 2022-03-07 21:06 UTC
    constant = SpaceWeather.constant(f107_sfu=120.0, f107a_sfu=115.0, ap=15.0)
    yield {
        "constant": _along_orbit(MsisAtmosphere(constant), el, "2022-03-08T00:00:00Z", ts),
        "real": _along_orbit(MsisAtmosphere(real_weather), el, "2022-03-08T00:00:00Z", ts),
    }


@pytest.fixture(scope="module")
def storm_2024(iss_2022: list[GPElements], ts: Timescale, real_weather: SpaceWeather
               ) -> AlongOrbit:
    """The ISS elements of 2022-03-07 moved to 2024-05-09 12:00 UTC (an ISS-like orbit),
    through the storm of 2024-05-10/11."""
    el = dataclasses.replace(_elements_at(iss_2022, 66.88), epoch_year=2024,
                             epoch_day_of_year=130.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SGP4 two days from its elements is no news here
        return _along_orbit(MsisAtmosphere(real_weather), el, "2024-05-10T00:00:00Z", ts)


def test_constant_weather_meets_requirement(quiet_2022: dict[str, AlongOrbit]) -> None:
    """Constant space weather, ISS, 2022-03-08/09: RMS <= 2 % (the requirement) in each UTC
    day and over both; largest error below 5 %. Measured: 0.99 % RMS, 3.4 % largest (the
    module notes of density_fit.py say "about 0.5 %")."""
    result = quiet_2022["constant"]
    assert result.rms() <= REQUIREMENT
    assert max(result.per_window_rms()) <= REQUIREMENT
    assert np.max(np.abs(result.errors)) < 0.05


def test_real_weather_meets_requirement(quiet_2022: dict[str, AlongOrbit]) -> None:
    """Real space weather, ISS, 2022-03-08/09: RMS <= 2 % per UTC day. Measured: 1.11 % RMS,
    4.2 % largest."""
    result = quiet_2022["real"]
    assert max(result.per_window_rms()) <= REQUIREMENT
    assert np.max(np.abs(result.errors)) < 0.06


def test_active_days_meet_requirement(iss_2022: list[GPElements], ts: Timescale,
                                      real_weather: SpaceWeather) -> None:
    """Real space weather, ISS, 2022-03-13/14 (Ap 40 then 14, ap up to 94): RMS <= 2 % per
    UTC day. Measured: 1.38 % and 0.90 %, 7.1 % largest."""
    el = _elements_at(iss_2022, 71.78)  # 2022-03-12 18:43 UTC
    result = _along_orbit(MsisAtmosphere(real_weather), el, "2022-03-13T00:00:00Z", ts)
    assert max(result.per_window_rms()) <= REQUIREMENT
    assert np.max(np.abs(result.errors)) < 0.10


def test_storm_days_regression_guard(storm_2024: AlongOrbit) -> None:
    """Storm of 2024-05-10/11: a guard against regressions, not the requirement (which the
    next test shows is missed): RMS below 2.5 % per UTC day, largest error below 15 %.
    Measured: 2.08 % and 1.85 %, 11 % largest."""
    assert max(storm_2024.per_window_rms()) < 0.025
    assert np.max(np.abs(storm_2024.errors)) < 0.15


@pytest.mark.xfail(strict=True, reason="the fit misses the 2 % requirement on the onset day "
                   "of the 2024-05-10 storm: 2.08 % RMS measured")
def test_storm_days_per_window_requirement(storm_2024: AlongOrbit) -> None:
    """The requirement (RMS <= 2 % per UTC day) through the storm of 2024-05-10/11. Known to
    fail on 2024-05-10 (2.08 %); strict, so that an improvement of the fit shows up here."""
    assert max(storm_2024.per_window_rms()) <= REQUIREMENT


# --- the fit itself ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def harris_priester_fit(ts: Timescale, iss_2022: list[GPElements]
                        ) -> tuple[DensityFit, Array, Array]:
    """A fit with three slots to Harris-Priester samples along a day of ISS orbit, and
    positions and times off the samples where to compare."""
    start = ts.from_iso("2022-03-08T00:00:00Z")
    t, r, _ = _true_orbit(_elements_at(iss_2022, 66.88), start, days=0.5)
    atmosphere = HarrisPriesterAtmosphere()
    rho = atmosphere.density(start + t, r) * (1.0 + 0.1 * (t > 10800.0))
    fit = fit_log_density(r, t, rho, sun_gcrf=sun_position_gcrf(start + 21600.0), start_s=0.0,
                          length_s=43200.0, slot_edges_s=np.array([0.0, 10800.0, 21600.0,
                                                                   43200.0]))
    rng = np.random.default_rng(11)
    probe_r = r[::7] * (1.0 + rng.uniform(-5e-4, 5e-4, (r[::7].shape[0], 1)))
    probe_t = t[::7] + rng.uniform(0.0, STEP_S, t[::7].size)
    return fit, probe_r, np.minimum(probe_t, 43199.0)


def test_expression_equals_numpy_evaluation(harris_priester_fit: tuple[DensityFit, Array, Array]
                                            ) -> None:
    """``log_density_expression`` compiled with heyoka.cfunc (what the integrator runs), with
    the parameters of each point's slot, equals ``DensityFit.log_density`` to 1e-12 relative
    (measured: 6.7e-16)."""
    fit, r, t = harris_priester_fit
    x, y, z = hy.make_vars("x", "y", "z")
    compiled = hy.cfunc([log_density_expression([x, y, z], 0)], [x, y, z])
    pars = np.stack([fit.parameters(int(k)) for k in fit.slots_of(t)], axis=1)
    assert pars.shape == (N_FIT_PARS, t.size)
    via_heyoka = compiled(np.ascontiguousarray(r.T), pars=np.ascontiguousarray(pars),
                          time=np.ascontiguousarray(t))[0]
    via_numpy = fit.log_density(r, t)
    assert np.max(np.abs(via_heyoka / via_numpy - 1.0)) < 1e-12
    assert len(set(fit.slots_of(t).tolist())) == 3


def test_slot_offsets_follow_steps(harris_priester_fit: tuple[DensityFit, Array, Array]
                                   ) -> None:
    """A 10 % step of the density at the second slot shows in the offsets: the first slot's
    offset is 0, the later ones ln(1.1) = 0.0953 within 0.01 (measured 0.0954, 0.0957)."""
    fit = harris_priester_fit[0]
    assert fit.slot_offsets[0] == 0.0
    np.testing.assert_allclose(fit.slot_offsets[1:], np.log(1.1), atol=0.01)
    assert fit.coefficients.shape == (N_BASIS,)


def test_exponential_atmosphere_is_fitted_closely(ts: Timescale,
                                                  iss_2022: list[GPElements]) -> None:
    """Vallado's exponential atmosphere (a function of height alone, which the basis holds up
    to its cubic term) along half a day of ISS orbit: fitted to 0.5 % RMS (measured 0.036 %)."""
    start = ts.from_iso("2022-03-08T00:00:00Z")
    t, r, _ = _true_orbit(_elements_at(iss_2022, 66.88), start, days=0.5)
    rho = ExponentialAtmosphere().density(start + t, r)
    fit = fit_log_density(r, t, rho, sun_gcrf=sun_position_gcrf(start), start_s=0.0,
                          length_s=43200.0)
    error = np.expm1(fit.log_density(r, t) - np.log(rho))
    assert np.sqrt(np.mean(error ** 2)) < 0.005
    assert fit.rms_log < 0.005
