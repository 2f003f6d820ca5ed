"""Setting up a scenario's run: the data it reads (:class:`Context`), the space weather of its
mode, the start state, the station record, and the drag calibration against the TLE history
(:mod:`stationsim.scenario.runner`'s module notes, steps 1 and 2).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from stationsim.constants import WGS84_A_M
from stationsim.data import (
    SpaceWeather,
    load_gravity_field,
    load_space_weather,
    load_station_record,
    load_timescale,
)
from stationsim.errors import PropagationError, StationsimError
from stationsim.forces.gravity import GravityField
from stationsim.forces.sun import sun_direction_gcrf
from stationsim.io.station_file import parse_station
from stationsim.propagation.ballistic import fit_ballistic_coefficient, sgp4_state_gcrf
from stationsim.propagation.elements import GPElements
from stationsim.propagation.kepler import Elements, state_from_elements
from stationsim.propagation.numerical import Propagator
from stationsim.scenario.spec import Scenario, SpaceWeatherMode
from stationsim.station import Configuration, StationDrag, StationRecord
from stationsim.time import Epoch, Timescale

__all__ = ["CALIBRATION_WINDOW_DAYS", "ISS_NORAD_ID", "Context", "Note", "bundled_tle",
           "calibrate", "default_context", "initial_state", "run_weather", "station_record",
           "tle_history"]

#: TLEs of this many days before the start enter the drag calibration.
CALIBRATION_WINDOW_DAYS = 30.0
#: The NORAD catalogue number of the ISS (the bundled TLEs).
ISS_NORAD_ID = 25544

#: Writes a line of the run's log: (epoch, kind, detail).
Note = Callable[[Epoch, str, str], None]


@dataclass
class Context:
    """The data a run reads: the timescale, the station record, the ISS TLE history, the
    space weather and the gravity field."""

    ts: Timescale
    record: StationRecord
    tles: Sequence[GPElements]
    weather: SpaceWeather
    gravity: GravityField


def default_context(tles: Sequence[GPElements] = ()) -> Context:
    """The bundled data (``tles``: the ISS TLE history, read by the caller)."""
    return Context(load_timescale(), load_station_record(), tuple(tles), load_space_weather(),
                   load_gravity_field())


def run_weather(scenario: Scenario, weather: SpaceWeather, note: Note) -> SpaceWeather:
    """The space weather of the scenario's mode: constant, the table (observed, then its
    forecast), or the forecast made at the start (the recent mean, held; noted in the log)."""
    start = scenario.start.epoch
    if scenario.space_weather is SpaceWeatherMode.CONSTANT:
        f107 = float(scenario.f107_sfu or 0.0)
        return SpaceWeather.constant(f107_sfu=f107, f107a_sfu=f107, ap=float(scenario.ap or 0.0))
    if scenario.space_weather is SpaceWeatherMode.FORECAST and \
            start.mjd_utc < weather.last_observed_mjd:
        # What someone at the start knew: the recent mean, held (module notes of spec).
        days = start + np.arange(-27.0, 0.0) * 86400.0
        values = weather.values(days)
        f107a = float(values.f107_obs_ctr81_sfu[-1])
        ap = float(np.mean(values.ap_daily))
        note(start, "space weather",
             f"forecast made at the start: F10.7 {f107a:.0f} sfu (81-day mean) and "
             f"Ap {ap:.0f} (27-day mean), held")
        return SpaceWeather.constant(f107_sfu=f107a, f107a_sfu=f107a, ap=ap)
    return weather


def tle_history(ctx: Context, until: Epoch) -> list[GPElements]:
    """The bundled ISS TLEs at or before ``until``, oldest first."""
    tles = [e for e in ctx.tles if e.norad_id == ISS_NORAD_ID
            and float(until - e.epoch(ctx.ts)) >= -1.0]
    return sorted(tles, key=lambda e: float(e.epoch(ctx.ts) - until))


def bundled_tle(ctx: Context, start: Epoch) -> GPElements:
    """The last bundled ISS TLE at or before ``start``.

    Raises:
        StationsimError: there is none.
    """
    history = tle_history(ctx, start)
    if not history:
        raise StationsimError(f"no bundled ISS element set at or before the start "
                              f"{start.iso(0)}; give the state with tle, omm or orbit")
    return history[-1]


def initial_state(scenario: Scenario, ctx: Context) -> tuple[np.ndarray, np.ndarray, str]:
    """The start position [m] and velocity [m/s] (GCRF), and how they were found."""
    start = scenario.start
    if start.orbit is not None:
        o = start.orbit
        a = WGS84_A_M + o.altitude_m
        el = Elements(np.asarray(a), np.asarray(o.eccentricity),
                      np.asarray(o.inclination_rad), np.asarray(o.raan_rad),
                      np.asarray(0.0), np.asarray(o.argument_of_latitude_rad))
        r, v = state_from_elements(el)
        return r, v, f"an orbit at {o.altitude_m / 1e3:.1f} km mean height"
    elements = (start.elements if start.elements is not None
                else bundled_tle(ctx, start.epoch))
    r, v = sgp4_state_gcrf(elements, start.epoch)
    return (np.asarray(r), np.asarray(v),
            f"SGP4 from the element set of {elements.epoch_iso}")


def station_record(scenario: Scenario, ctx: Context) -> StationRecord:
    """The bundled station record, or the one of the scenario's station file."""
    start = scenario.start
    if start.station == "bundled":
        return ctx.record
    return parse_station(start.station, ts=ctx.ts, source=start.station_source)


def calibrate(scenario: Scenario, ctx: Context, propagator: Propagator,
              config: Configuration, r: np.ndarray, v: np.ndarray,
              note: Note) -> tuple[float, dict[str, float | str | None]]:
    """The drag calibration (``drag_calibration = "tle"``): the scale of every body's
    ``C_D A``, and what the calibration found (its mode, fit and scale, or why not)."""
    start = scenario.start.epoch
    calibration: dict[str, float | str | None] = {"mode": scenario.drag_calibration}
    if scenario.drag_calibration != "tle":
        return 1.0, calibration
    until = (scenario.calibration_until if scenario.calibration_until is not None
             else start)
    window = [e for e in tle_history(ctx, until)
              if float(until - e.epoch(ctx.ts)) <= CALIBRATION_WINDOW_DAYS * 86400]
    if scenario.start.elements is not None or scenario.start.orbit is not None:
        window = []
    try:
        if not window:
            raise PropagationError("no TLE history of the station before the start")
        fit = fit_ballistic_coefficient(window, ctx.ts, propagator)
    except PropagationError as exc:
        note(start, "drag calibration",
             f"not possible ({exc}); the geometric model's C_D A is used")
        calibration.update(mode="none", reason=str(exc))
        return 1.0, calibration
    modelled = StationDrag(config, sun_direction_gcrf).ballistic_coefficient_kg_m2(start, r, v)
    scale = modelled / fit.value_kg_m2
    calibration.update(scale=scale, fitted_ballistic_kg_m2=fit.value_kg_m2,
                       fitted_sigma_kg_m2=fit.sigma_kg_m2,
                       modelled_ballistic_kg_m2=modelled, tles=float(len(window)))
    note(start, "drag calibration",
         f"m/(C_D A) fitted to {len(window)} TLEs: {fit.value_kg_m2:.0f} +/- "
         f"{fit.sigma_kg_m2:.0f} kg/m^2 against {modelled:.0f} modelled; every C_D A "
         f"is scaled by {scale:.3f}")
    return scale, calibration
