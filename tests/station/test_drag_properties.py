"""The station's drag properties: they meet the force models' protocol, and the whole ISS's
ballistic coefficient m/(C_D A) in its March 2022 attitude and array policy agrees with the
decay of the real ISS TLEs.

Reference for the check: stationsim's own fit of m/(C_D A) to the bundled ISS TLEs of
2022-03-19..27 (NRLMSIS 2.1 with the observed space weather, EGM96 8x8, Sun and Moon;
``stationsim.propagation.ballistic.fit_ballistic_coefficient``): 177-184 kg/m^2 with an RMS
of 8-9 m (docs/validation.md, "Decay against real tracking"; ``stationsim decay --at
2022-03-27T13:08:21Z`` prints it).

Tolerance, 30 %, from what is known of both sides:
* the "measurement" depends on the density model: the project's fits on the same TLEs give
  184 kg/m^2 over 03-19..27 and 126 kg/m^2 over 03-19..04-09, because NRLMSIS 2.1 follows only
  part of that month's rise in solar flux (docs/validation.md): +-20 %;
* C_D of 2.2 on the projected area is the conventional free-molecular value; 2.0-2.4 is the
  usual range: +-10 %;
* the area model draws the truss as a solid envelope (it is a lattice) and leaves out the
  radiators and external payloads, whose sizes are not in the sources, and the array pointing
  of March 2022 is not published (for the ISS of 2022-03-06 at 418 km, the model's BC with the
  night glider is 126 kg/m^2 at beta 0 and 155 kg/m^2 at beta 60 deg; with full feathering,
  ``sun_slicer``, 227 kg/m^2 at both: 79 % and 46 % more): +-15 %.
Together (root sum of squares) about 27 %: the check passes within 30 % and fails outside.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from stationsim import api
from stationsim.data import load_gravity_field, load_space_weather
from stationsim.forces import MsisAtmosphere, sun_direction_gcrf
from stationsim.forces.drag import DragProperties
from stationsim.propagation.ballistic import fit_ballistic_coefficient, sgp4_state_gcrf
from stationsim.propagation.dynamics import ForceModel
from stationsim.propagation.numerical import Propagator
from stationsim.station import Configuration, StationDrag, StationRecord, cross_section
from stationsim.time import Timescale

FIT_RANGE_KG_M2 = (177.0, 184.0)
TOLERANCE = 0.30


def test_meets_the_drag_properties_protocol(march6: Configuration, ts: Timescale) -> None:
    """Structural typing: ``mass_kg`` and ``drag_area_m2(epoch, r, v)`` = C_D A, the
    orbit average at the state's beta angle (the same anywhere on the orbit)."""
    drag = StationDrag(march6, sun_direction_gcrf)
    assert isinstance(drag, DragProperties)
    epoch = ts.from_iso("2022-03-06T00:00:00Z")
    r = np.array([6.796e6, 0.0, 0.0])
    v = np.array([0.0, 4.76e3, 5.99e3])  # 51.6 deg inclination
    beta, eclipse = drag.beta_and_eclipse(epoch, r, v)
    area = cross_section(march6, beta, eclipse).area_m2
    assert drag.drag_area_m2(epoch, r, v) == pytest.approx(2.2 * area)
    # Half an orbit later (r and v reversed): the same orbit plane, the same average.
    assert drag.drag_area_m2(epoch, -r, -v) == pytest.approx(2.2 * area)
    assert drag.mass_kg == pytest.approx(march6.mass_kg)
    assert drag.ballistic_coefficient_kg_m2(epoch, r, v) == pytest.approx(
        march6.mass_kg / (2.2 * area))


def _model_ballistic_coefficient(record: StationRecord, ts: Timescale) -> float:
    """The model's m/(C_D A), averaged daily over 2022-03-19..27 on the real orbit (SGP4 of
    the latest bundled TLE) with the real beta angle."""
    elements = api.load_elements()
    values = []
    for day in range(9):
        epoch = ts.from_iso("2022-03-19T02:00:00Z") + day * 86400.0
        latest = [e for e in elements if float(e.epoch(ts) - epoch) <= 0.0][-1]
        r, v = sgp4_state_gcrf(latest, epoch)
        drag = StationDrag(record.configuration_at(epoch), sun_direction_gcrf)
        values.append(drag.ballistic_coefficient_kg_m2(epoch, r, v))
    return float(np.mean(values))


def test_whole_iss_ballistic_coefficient_against_the_fit(record: StationRecord,
                                                         ts: Timescale) -> None:
    """The model (night glider, XVV, C_D 2.2) against the fitted 177-184 kg/m^2, within
    30 % (module docstring). Measured: 134 kg/m^2, 24-27 % below the fit and between it and
    the 126 kg/m^2 of the longer fit window."""
    model = _model_ballistic_coefficient(record, ts)
    low, high = FIT_RANGE_KG_M2
    assert (1.0 - TOLERANCE) * low <= model <= (1.0 + TOLERANCE) * high, model


@pytest.mark.slow
def test_whole_iss_ballistic_coefficient_against_a_fresh_fit(record: StationRecord,
                                                             ts: Timescale) -> None:
    """The same check against a fit run now (four TLEs of 03-19..27, a few seconds): the fit
    reproduces the documented range within its sigma, and the model agrees within 30 %."""
    warnings.simplefilter("ignore")
    window = [e for e in api.load_elements()
              if "2022-03-19" <= e.epoch_iso[:10] <= "2022-03-27"]
    propagator = Propagator(ForceModel(gravity=load_gravity_field(), degree=8, thrust=False),
                            atmosphere=MsisAtmosphere(load_space_weather()))
    fit = fit_ballistic_coefficient(window, ts, propagator)
    low, high = FIT_RANGE_KG_M2
    assert low - 3 * fit.sigma_kg_m2 <= fit.value_kg_m2 <= high + 3 * fit.sigma_kg_m2
    model = _model_ballistic_coefficient(record, ts)
    assert abs(model / fit.value_kg_m2 - 1.0) <= TOLERANCE, (model, fit.value_kg_m2)
