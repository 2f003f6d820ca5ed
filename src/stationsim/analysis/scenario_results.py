"""The results of a scenario run as one JSON-ready dictionary (``results.json``), from which
the report, the plots and ``stationsim run --json`` are made.

What is derived here from the run (:class:`stationsim.scenario.ScenarioRun`):

* per body, a daily series: the height above the equatorial radius averaged over the
  revolution sampled each day, the propellant on board, the velocity change used, and the CMG
  momentum (:mod:`stationsim.scenario.bodies`);
* the decay rate at the body's start: the slope of a straight line through the daily mean
  heights of its first three days (two days when it flew no longer);
* the re-entry window: the run's own Monte Carlo window of each re-entered piece
  (:mod:`stationsim.scenario.window`), around its deterministic re-entry epoch; and for a
  piece that comes down uncontrolled, its debris footprint and casualty risk over its orbit
  (:mod:`stationsim.analysis.footprint`; 400 entry points, 20 % of the mass surviving);
* the crew table: who went home on what and when, and for each crew member still aboard a body
  whether a seat home is attached there, with the next landing opportunity of that vehicle's
  landing zone (:mod:`stationsim.analysis.landing`) on the body's ground track after it began.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from stationsim.analysis.exports import stretches
from stationsim.analysis.footprint import orbit_footprints, risk_summary
from stationsim.analysis.landing import Opportunity, landing_opportunities, zones_for_vehicle
from stationsim.constants import GM_EARTH_M3_S2, WGS84_A_M
from stationsim.data.geography import load_geography
from stationsim.forces.sun import sun_direction_gcrf
from stationsim.frames import gcrf_to_itrf_position, itrf_to_geodetic
from stationsim.propagation.kepler import elements_from_state
from stationsim.scenario.bodies import Body
from stationsim.scenario.runner import CrewSnapshot, ScenarioRun
from stationsim.scenario.window import ReentryWindow
from stationsim.station import Environment, beta_angle_rad, crew_return, eclipse_fraction, power
from stationsim.time import Epoch

__all__ = ["daily_means", "scenario_results"]

_DAY_S = 86400.0
_SAMPLED_S = 5700.0
_STATUS = {"reentered": "reentered", "completed": "in orbit", "flying": "in orbit",
           "separated": "separated", "left": "left"}


def _iso(epoch: Epoch) -> str:
    return str(epoch.iso(0))


def _band(window: ReentryWindow) -> dict[str, list[Any]] | None:
    """The window's band of mean heights (5 % and 95 %) in km, ``None`` where that share of
    the members is down; ``None`` without an ensemble."""
    if not len(window.band_times_s):
        return None

    def km(row: np.ndarray) -> list[float | None]:
        return [round(float(x) / 1e3, 3) if np.isfinite(x) else None for x in row]
    return {"epochs": [_iso(window.since + float(t)) for t in window.band_times_s],
            "p05_km": km(window.band_height_m[0]), "p95_km": km(window.band_height_m[1])}


#: Revolutions of a piece's ground track in the results, and its step [s].
_TRACK_REVOLUTIONS = 3
_TRACK_STEP_S = 120.0


def _ground_track(run: ScenarioRun, body: Body) -> dict[str, Any] | None:
    """The piece's last revolutions sampled before its re-entry (a revolution a day, so up to
    a day before it), or its first after it began, as geodetic latitude and longitude [deg]
    every two minutes, for maps."""
    t, y = body.ephemeris()
    parts = stretches(t, run.scenario.output_step_s)
    if not parts:
        return None
    span = _TRACK_REVOLUTIONS * 2.0 * math.pi / float(np.sqrt(
        GM_EARTH_M3_S2 / np.linalg.norm(y[0, :3]) ** 3))
    if body.reentry is not None or body.breakup is not None:
        part, what = parts[-1], "the last revolutions sampled"
        pick = np.flatnonzero(t[part] >= t[part][-1] - span) + part.start
    else:
        part, what = parts[0], "the first revolutions"
        pick = np.flatnonzero(t[part] <= t[part][0] + span) + part.start
    step = max(round(_TRACK_STEP_S / run.scenario.output_step_s), 1)
    pick = np.unique(np.concatenate([pick[::step], pick[-1:]]))
    when = run.start + t[pick]
    lat, lon, _ = itrf_to_geodetic(gcrf_to_itrf_position(when, y[pick, :3]))
    return {"what": what, "start": _iso(when[0]), "end": _iso(when[-1]),
            "seconds": [round(float(x - t[pick][0]), 1) for x in t[pick]],
            "lat_deg": [round(float(x), 3) for x in np.degrees(lat)],
            "lon_deg": [round(float(x), 3) for x in np.degrees(lon)]}


def daily_means(times_s: np.ndarray, states: np.ndarray, step_s: float
                ) -> tuple[np.ndarray, np.ndarray]:
    """Mean time [s] and mean height above the equatorial radius [m] of each day's sampled
    revolution (days with fewer than 90 % of the revolution's samples are left out)."""
    if times_s.size == 0:
        return np.empty(0), np.empty(0)
    height = np.linalg.norm(states[:, :3], axis=1) - WGS84_A_M
    day = np.floor(times_s / _DAY_S)
    inside = times_s - day * _DAY_S < _SAMPLED_S
    need = 0.9 * _SAMPLED_S / step_s
    out_t, out_h = [], []
    _, first, counts = np.unique(day[inside], return_index=True, return_counts=True)
    t_in, h_in = times_s[inside], height[inside]
    for start, count in zip(first, counts, strict=True):
        if count >= need:
            out_t.append(float(np.mean(t_in[start:start + count])))
            out_h.append(float(np.mean(h_in[start:start + count])))
    return np.asarray(out_t), np.asarray(out_h)


def _decay_rate(t: np.ndarray, h: np.ndarray, since_s: float) -> float | None:
    first = (t >= since_s) & (t <= since_s + 3.5 * _DAY_S)
    if np.count_nonzero(first) < 2:
        return None
    slope = np.polyfit(t[first], h[first], 1)[0]
    return float(-slope * _DAY_S)


def _track(run: ScenarioRun, body: Body, after: Epoch
           ) -> tuple[Epoch, np.ndarray, np.ndarray]:
    """Ground track of ``body`` in the two days from ``after`` (densely sampled after the
    body's start and after each event)."""
    t, y = body.ephemeris()
    since = float(after - run.start)
    pick = (t >= since) & (t <= since + 2.0 * _DAY_S)
    when = run.start + t[pick]
    lat, lon, _ = itrf_to_geodetic(gcrf_to_itrf_position(when, y[pick, :3]))
    return when, np.asarray(lat), np.asarray(lon)


def _opportunities(run: ScenarioRun, body: Body, vehicle: str, after: Epoch
                   ) -> list[Opportunity]:
    zones = zones_for_vehicle(vehicle)
    if not zones:
        return []
    when, lat, lon = _track(run, body, after)
    if lat.size < 2:
        return []
    return landing_opportunities(when, lat, lon, zones, after=after, count=3)


def _ledger_series(body: Body, days_s: np.ndarray, run: ScenarioRun
                   ) -> tuple[list[float], list[float], list[float]]:
    rows = sorted(body.ledger, key=lambda r: r.t_s)
    times = np.array([r.t_s for r in rows])
    fuel, used = [], []
    for t in days_s:
        k = int(np.searchsorted(times, t, side="right")) - 1
        row = rows[max(k, 0)] if rows else None
        fuel.append(row.propellant_kg if row else body.propellant_kg())
        used.append(row.delta_v_used_m_s if row else 0.0)
    cmg = [body.cmg_momentum_nms(run.start + float(t)) for t in days_s]
    return fuel, used, cmg


def _power_series(run: ScenarioRun, body: Body, t: np.ndarray, y: np.ndarray,
                  days_s: np.ndarray, heights_m: np.ndarray) -> dict[str, list[float]]:
    """The power ledger: each day's orbit-average generation and load [kW] of the piece's
    configuration (as it ended), the beta angle from the Sun at that day and the piece's state
    nearest it, the eclipse fraction from the beta angle and that day's mean height."""
    generated: list[float] = []
    load: list[float] = []
    for day, height in zip(days_s, heights_m, strict=True):
        k = int(np.clip(np.searchsorted(t, day), 0, len(t) - 1))
        beta = beta_angle_rad(sun_direction_gcrf(run.start + float(t[k])), y[k, :3], y[k, 3:6])
        made = power(body.config, Environment(float(height), beta,
                                              eclipse_fraction(beta, float(height)), 0.0))
        generated.append(round(made.generated_kw, 3))
        load.append(round(made.load_kw, 3))
    return {"power_generated_kw": generated, "power_load_kw": load}


def _risk(body: Body, uncontrolled: bool) -> dict[str, Any] | None:
    """Debris footprint and casualty risk of a piece that comes down uncontrolled (a window
    of months: the place is unknown, so the footprints spread over its orbit); ``None`` for a
    controlled entry, whose place the scenario aimed."""
    if not uncontrolled:
        return None
    _, y = body.ephemeris()
    inclination = float(elements_from_state(y[-1, :3], y[-1, 3:6]).i_rad)
    geography = load_geography()
    mass = float(body.config.mass_kg)
    prints = orbit_footprints(geography, inclination, mass)
    return risk_summary(geography, prints, mass, inclination).as_dict()


def _part(run: ScenarioRun, body: Body) -> dict[str, Any]:
    scale = float(run.calibration.get("scale") or 1.0)
    caps = body.caps_at_start
    t, y = body.ephemeris()
    days_t, days_h = daily_means(t, y, run.scenario.output_step_s)
    since = float(body.since - run.start)
    fuel, used, cmg = _ledger_series(body, days_t, run)
    segments = body.config.segments()
    reentry = None
    window = run.window(body)
    if body.reentry is not None and window is not None:
        epoch, lat, lon = body.reentry
        reentry = {"median": _iso(epoch), "p05": _iso(window.p05), "p95": _iso(window.p95),
                   "window_basis": window.basis, "window_members": window.members,
                   "lat_deg": lat, "lon_deg": lon, "risk": _risk(body, window.members > 0),
                   "band": _band(window)}
    breakup = (None if body.breakup is None else
               {"epoch": _iso(body.breakup[0]), "lat_deg": body.breakup[1],
                "lon_deg": body.breakup[2]})
    out: dict[str, Any] = {
        "name": body.name,
        "segment": segments[0].value if len(segments) == 1 else "whole station",
        "mass_kg": caps.mass_kg if caps is not None else body.config.mass_kg,
        "since": _iso(body.since),
        "until": _iso(body.epoch),
        "status": _STATUS.get(body.status, body.status),
        "parent": body.parent,
        "crew": [m.name for m in (caps.config.crew if caps is not None else ())],
        "ballistic_coefficient_kg_m2": (caps.ballistic_coefficient_kg_m2 / scale
                                        if caps is not None else None),
        "decay_m_per_day_at_start": _decay_rate(days_t, days_h, since),
        "reentry": reentry,
        "breakup": breakup,
        "aim": (None if body.aim is None else
                {"lat_deg": body.aim[0], "lon_deg": body.aim[1]}),
        "lost": list(body.lost),
        "debris": {"conjunctions": len(body.conjunctions),
                   "dodged": sum(1 for c in body.conjunctions if c.dodged),
                   "collision_risk_accepted": body.collision_risk_accepted()},
        "ground_track": _ground_track(run, body),
        "series": {"day": [float(x / _DAY_S) for x in days_t],
                   "mean_altitude_km": [float(x / 1e3) for x in days_h],
                   "propellant_kg": fuel, "delta_v_used_m_s": used,
                   "cmg_momentum_nms": cmg, "cmg_capacity_nms": body.cmg_capacity_nms,
                   **_power_series(run, body, t, y, days_t, days_h)},
    }
    if caps is not None:
        att = caps.attitude
        out["capabilities"] = {
            "propulsion": {"delta_v_m_s": caps.propulsion.delta_v_m_s,
                           "reboost_possible": caps.propulsion.reboost_possible,
                           "providers": list(caps.propulsion.providers)},
            "attitude": {"hours_to_cmg_saturation": (None if body.desaturation
                                                     else att.hours_to_saturation),
                         "desaturation": bool(att.desaturation_thrusters)},
            "power_kw": {"generated": caps.power.generated_kw, "load": caps.power.load_kw},
            "seats": int(caps.crew.seat_total),
        }
    return out


def _crew_change(snap: CrewSnapshot) -> dict[str, Any]:
    """Who can go home on what, right after one change (the start or an event)."""
    crew = [{"name": c.name, "aboard": body, "can_return": c.return_vehicle is not None,
             "return_vehicle": c.return_vehicle, "note": c.note}
            for body, ways in snap.bodies.items() for c in ways.crew]
    return {"epoch": _iso(snap.epoch), "after": snap.what,
            "seats": {body: ways.seat_total for body, ways in snap.bodies.items()},
            "can_return": sum(c["can_return"] for c in crew), "aboard": len(crew),
            "crew": crew}


def _crew(run: ScenarioRun, landing: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    bodies = {b.name: b for b in run.bodies}
    for vehicle, body_name, epoch, crew in run.departures:
        chances = _opportunities(run, bodies[body_name], vehicle, epoch)
        if chances:
            landing.setdefault(vehicle, [o.as_dict() for o in chances])
        for name in crew:
            rows[name] = {"name": name, "aboard": vehicle, "can_return": True,
                          "return_vehicle": vehicle,
                          "landing": _iso(chances[0].epoch) if chances else None,
                          "note": f"left {body_name} on {_iso(epoch)}"}
    for body in run.bodies:
        if body.status == "separated":
            continue
        ways = crew_return(body.config)
        for check in ways.crew:
            if check.name in rows:
                continue
            chances = []
            if check.return_vehicle is not None:
                chances = _opportunities(run, body, check.return_vehicle, body.since)
                if chances:
                    landing.setdefault(check.return_vehicle, [o.as_dict() for o in chances])
            note = check.note
            if check.return_vehicle is None and body.reentry is not None:
                note += f"; {body.name} re-enters on {_iso(body.reentry[0])[:10]}"
            rows[check.name] = {
                "name": check.name, "aboard": body.name,
                "can_return": check.return_vehicle is not None,
                "return_vehicle": check.return_vehicle,
                "landing": _iso(chances[0].epoch) if chances else None,
                "note": note.lstrip("; ")}
    order = [m.name for m in run.initial.crew]
    return [rows[n] for n in order if n in rows] + [r for n, r in rows.items()
                                                    if n not in order]


def scenario_results(run: ScenarioRun) -> dict[str, Any]:
    """The results dictionary of ``run`` (module notes; ``docs/scenarios.md`` lists the keys)."""
    scn = run.scenario
    landing: dict[str, list[dict[str, Any]]] = {}
    crew = _crew(run, landing)
    return {
        "scenario": scn.name,
        "title": scn.title,
        "description": scn.description,
        "source": scn.source,
        "start": _iso(run.start),
        "end": _iso(max((b.epoch for b in run.bodies), key=lambda e: float(e - run.start))),
        "settings": {"atmosphere": scn.atmosphere, "space_weather": scn.space_weather.value,
                     "forces": scn.forces, "drag_calibration": dict(run.calibration)},
        "parts": [_part(run, b) for b in run.bodies],
        "crew": crew,
        "events": [{"epoch": _iso(e.epoch), "kind": e.kind, "detail": e.detail,
                    "body": e.body} for e in run.log],
        "landing_opportunities": landing,
        "crew_changes": [_crew_change(snap) for snap in run.crew_changes],
        "statistics": {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                       for k, v in run.statistics.items()},
    }

