"""A hand-made results dictionary of a scenario run, in the shape that ``results.json`` holds:
two parts (one re-entered, one still in orbit) and a crew member who cannot get home. The
numbers are invented to look like a run; only their shape matters here."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest


def _series(days: np.ndarray, altitude_km: np.ndarray, propellant_kg: np.ndarray,
            dv_m_s: np.ndarray, momentum_nms: np.ndarray, capacity: float) -> dict[str, Any]:
    return {"day": days.tolist(), "mean_altitude_km": altitude_km.tolist(),
            "propellant_kg": propellant_kg.tolist(), "delta_v_used_m_s": dv_m_s.tolist(),
            "cmg_momentum_nms": momentum_nms.tolist(), "cmg_capacity_nms": capacity}


def _make_results() -> dict[str, Any]:
    usos_days = np.linspace(0.0, 81.5, 60)
    usos_alt = 415.0 - 295.0 * (usos_days / 81.5) ** 3
    ros_days = np.linspace(0.0, 122.0, 80)
    ros_alt = 415.0 - 0.08 * ros_days + 1.5 * (ros_days > 40)
    return {
        "scenario": "farewell-2022",
        "title": "Farewell 2022: the segments part",
        "description": "The Russian segment leaves the US segment on 2022-03-30.",
        "start": "2022-03-30T00:00:00Z",
        "end": "2022-07-30T00:00:00Z",
        "settings": {"atmosphere": "msis2", "space_weather": "observed",
                     "drag_calibration": {"mode": "tle", "scale": 0.73,
                                          "fitted_ballistic_kg_m2": 180.0,
                                          "modelled_ballistic_kg_m2": 131.0}},
        "parts": [
            {"name": "USOS", "segment": "USOS", "mass_kg": 285_000.0,
             "since": "2022-03-30T12:00:00Z", "status": "reentered",
             "crew": ["Mark Vande Hei"], "ballistic_coefficient_kg_m2": 118.0,
             "decay_m_per_day_at_start": 187.0,
             "reentry": {"median": "2022-06-20T14:00:00Z", "p05": "2022-06-16T02:00:00Z",
                         "p95": "2022-06-24T09:00:00Z",
                         "window_basis": "Monte Carlo, 200 members (density and drag)",
                         "lat_deg": -23.4, "lon_deg": 141.2},
             "breakup": {"epoch": "2022-06-20T14:04:00Z", "lat_deg": -21.0,
                         "lon_deg": 146.5},
             "capabilities": {
                 "propulsion": {"delta_v_m_s": 0.0, "reboost_possible": False,
                                "providers": []},
                 "attitude": {"hours_to_cmg_saturation": 9.5, "desaturation": False},
                 "power_kw": {"generated": 95.0, "load": 70.0},
                 "seats": 0},
             "lost": ["It lost all propulsion: the Russian segment carried the engines.",
                      "It lost CMG desaturation by thrusters."],
             "series": _series(usos_days, usos_alt, np.zeros_like(usos_days),
                               np.zeros_like(usos_days),
                               np.minimum(19_520.0, 400.0 * usos_days * 24 / 9.5),
                               19_520.0)},
            {"name": "ROS", "segment": "ROS", "mass_kg": 140_000.0,
             "since": "2022-03-30T12:00:00Z", "status": "in orbit",
             "crew": ["Anton Shkaplerov"], "ballistic_coefficient_kg_m2": 160.0,
             "decay_m_per_day_at_start": 80.0, "reentry": None, "breakup": None,
             "capabilities": {
                 "propulsion": {"delta_v_m_s": 24.5, "reboost_possible": True,
                                "providers": ["Zvezda", "Progress MS-19"]},
                 "attitude": {"hours_to_cmg_saturation": None, "desaturation": True},
                 "power_kw": {"generated": 18.0, "load": 15.0},
                 "seats": 3},
             "lost": ["It lost the US solar arrays' power."],
             "series": _series(ros_days, ros_alt, 900.0 - 2.0 * ros_days,
                               0.05 * ros_days, np.zeros_like(ros_days), 0.0)},
        ],
        "crew": [
            {"name": "Anton Shkaplerov", "aboard": "ROS", "can_return": True,
             "return_vehicle": "Soyuz MS-19", "landing": "2022-03-30T11:28:00Z",
             "note": "Lands in Kazakhstan."},
            {"name": "Mark Vande Hei", "aboard": "USOS", "can_return": False,
             "return_vehicle": None, "landing": None,
             "note": "No free seat: Crew Dragon Endurance is full."},
        ],
        "events": [
            {"epoch": "2022-03-30T12:00:00Z", "kind": "undock", "body": "ISS",
             "detail": "ROS and USOS separate (scenario timeline)."},
            {"epoch": "2022-03-30T07:21:00Z", "kind": "crew_landing", "body": "Soyuz MS-19",
             "detail": "Soyuz MS-19 leaves Rassvet with 3 crew."},
            {"epoch": "2022-04-10T00:00:00Z", "kind": "policy", "body": "USOS",
             "detail": "Mean altitude below 400 km, but no propulsion: reboost policy idle."},
            {"epoch": "2022-06-20T14:00:00Z", "kind": "reentry", "body": "USOS",
             "detail": "Mean altitude reached 120 km."},
        ],
        "landing_opportunities": {
            "Soyuz MS-19": [{"epoch": "2022-03-30T11:11:55Z",
                             "zone": "Kazakhstan (147 km SE of Zhezkazgan)",
                             "lat_deg": 47.19, "lon_deg": 68.83, "miss_km": 43.6}],
            "Crew Dragon Endurance": [],
        },
    }


@pytest.fixture()
def results() -> dict[str, Any]:
    """A fresh copy of the hand-made results (tests may change it)."""
    return copy.deepcopy(_make_results())
