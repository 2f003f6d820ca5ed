"""Aiming a deorbit burn: the start of a finite burn chosen so that the body breaks up (78 km)
as near as it can to a target point.

Where a deorbited station comes down is decided by when its last burn starts: a shift of one
minute moves the breakup point some 400 km along the track, and of half a revolution to the
far side of the Earth. The search has two stages.

1. **Prediction.** One trial burn at the start of the search window gives the time ``D`` from
   the burn's start to breakup. A burn starting at ``t`` then breaks the body up near the
   point under its unburnt path at ``t + D``. The unburnt path, sampled every 30 s across the
   window, gives the distance of that point from the target for every start time; its local
   minima are the candidate passes (the three nearest are kept).
2. **Trials.** Around each candidate the start is refined by Brent's bounded minimisation of
   the great-circle distance between the real breakup point of a trial burn (the numerical
   propagator, with the body's drag and forces, from the unburnt state just before the burn)
   and the target, to a second. The nearest of all trials wins.

A trial that does not come down within six hours of its burn counts as infinitely far.
Distances are on a sphere of the Earth's mean radius (the WGS 84 ellipsoid would change them
by under 0.5 %).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import minimize_scalar

from stationsim.errors import PropagationError
from stationsim.forces.drag import DragProperties
from stationsim.frames import gcrf_to_itrf_position, itrf_to_geodetic
from stationsim.propagation.numerical import FiniteBurn, Propagator
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = ["AimResult", "aim_burn", "great_circle_m"]

#: Mean radius of the Earth [m] (IUGG).
EARTH_MEAN_RADIUS_M = 6_371_008.8
#: Step of the unburnt path [s].
PATH_STEP_S = 30.0
#: How long a trial waits for breakup after its burn ends [s].
TRIAL_HORIZON_S = 6.0 * 3600.0
#: Candidate passes refined by trials.
CANDIDATES = 3
#: Half-width of the refinement around a candidate [s].
REFINE_HALF_S = 300.0


@dataclass(frozen=True)
class AimResult:
    """The chosen burn start, where the body then breaks up (epoch, latitude, longitude
    [deg]), how far that is from the target [m], and how many trial burns it took."""

    start: Epoch
    breakup: tuple[Epoch, float, float]
    miss_m: float
    trials: int


def great_circle_m(lat1_deg: FloatArray | float, lon1_deg: FloatArray | float,
                   lat2_deg: float, lon2_deg: float) -> FloatArray:
    """Great-circle distance [m] on the Earth's mean sphere (haversine form)."""
    p1, p2 = np.radians(lat1_deg), math.radians(lat2_deg)
    dl = np.radians(np.asarray(lon1_deg) - lon2_deg)
    h = np.sin((p2 - p1) / 2.0) ** 2 + np.cos(p1) * math.cos(p2) * np.sin(dl / 2.0) ** 2
    return np.asarray(2.0 * EARTH_MEAN_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))))


def aim_burn(propagator: Propagator, epoch: Epoch, state: FloatArray, drag: DragProperties,
             burn: FiniteBurn, aim_lat_deg: float, aim_lon_deg: float,
             window_s: float) -> AimResult:
    """The start within ``[epoch, epoch + window_s]`` of ``burn`` (its own ``start`` is
    ignored) that brings the body from ``state`` (GCRF ``(6,)`` at ``epoch``) down nearest
    the target (module notes).

    Raises:
        PropagationError: no trial burn brings the body down, or it comes down unburnt
            before the window's end.
    """
    path = _Path(propagator, epoch, state, drag, window_s + TRIAL_HORIZON_S)
    if path.down_s is not None and path.down_s < window_s:
        raise PropagationError(f"the body comes down on its own {path.down_s / 3600.0:.1f} h "
                               "after the burn's earliest start, inside the aiming window")
    trials: dict[float, tuple[float, tuple[Epoch, float, float] | None]] = {}

    def trial(offset_s: float) -> float:
        key = round(min(max(offset_s, 0.0), window_s), 1)
        if key not in trials:
            place = path.burn_and_fall(key, burn, propagator, drag)
            miss = (math.inf if place is None else
                    float(great_circle_m(place[1], place[2], aim_lat_deg, aim_lon_deg)))
            trials[key] = (miss, place)
        return trials[key][0]

    trial(0.0)
    pilot = trials[0.0][1]
    if pilot is None:
        raise PropagationError(f"the burn ({burn.duration_s:.0f} s) does not bring the body "
                               f"down within {TRIAL_HORIZON_S / 3600.0:.0f} h")
    delay_s = float(pilot[0] - epoch)
    for centre in path.candidates(delay_s, window_s, aim_lat_deg, aim_lon_deg):
        low, high = max(centre - REFINE_HALF_S, 0.0), min(centre + REFINE_HALF_S, window_s)
        if high - low < 1.0:
            trial(low)
            continue
        minimize_scalar(_finite(trial), bounds=(low, high), method="bounded",
                        options={"xatol": 1.0})
    offset, (miss, place) = min(trials.items(), key=lambda kv: kv[1][0])
    assert place is not None  # the pilot came down, so the best trial did
    return AimResult(epoch + offset, place, miss, len(trials))


def _finite(f: Callable[[float], float]) -> Callable[[float], float]:
    """``f`` with an infinite value replaced by a large finite one (for the minimiser)."""
    return lambda x: min(f(x), 4.0e7)


class _Path:
    """The body's unburnt path from ``epoch``: states every :data:`PATH_STEP_S` and the
    sub-satellite points."""

    def __init__(self, propagator: Propagator, epoch: Epoch, state: FloatArray,
                 drag: DragProperties, span_s: float) -> None:
        self.epoch = epoch
        grid = np.arange(0.0, span_s + PATH_STEP_S, PATH_STEP_S)
        result = propagator.propagate(epoch, state[:3], state[3:6], drag=drag,
                                      duration_s=span_s, output_times_s=grid)
        member = result.members[0]
        self.times_s = np.asarray(member.times_s)
        self.states = np.asarray(member.states)
        self.down_s = (float(member.epoch - epoch) if member.status == "reentered" else None)
        lat, lon, _ = itrf_to_geodetic(gcrf_to_itrf_position(epoch + self.times_s,
                                                             self.states[:, :3]))
        self.lat_deg, self.lon_deg = np.degrees(lat), np.degrees(lon)

    def candidates(self, delay_s: float, window_s: float, lat_deg: float,
                   lon_deg: float) -> list[float]:
        """Burn starts [s from the epoch] whose predicted breakup point (the unburnt path's
        point ``delay_s`` later) is locally nearest the target, nearest first."""
        starts = self.times_s[self.times_s <= window_s]
        later = np.interp(starts + delay_s, self.times_s, np.arange(self.times_s.size))
        index = np.clip(np.round(later).astype(int), 0, self.times_s.size - 1)
        d = great_circle_m(self.lat_deg[index], self.lon_deg[index], lat_deg, lon_deg)
        if d.size < 3:
            return [float(starts[int(np.argmin(d))])]
        inner = np.flatnonzero((d[1:-1] <= d[:-2]) & (d[1:-1] <= d[2:])) + 1
        ends = [i for i in (0, d.size - 1) if i not in inner]
        minima = sorted([*inner.tolist(), *ends], key=lambda i: float(d[i]))
        return [float(starts[i]) for i in minima[:CANDIDATES]]

    def burn_and_fall(self, offset_s: float, burn: FiniteBurn, propagator: Propagator,
                      drag: DragProperties) -> tuple[Epoch, float, float] | None:
        """Breakup (epoch, lat, lon [deg]) of the burn started ``offset_s`` after the epoch,
        or ``None`` if the body does not come down within the trial horizon."""
        k = int(np.searchsorted(self.times_s, offset_s, side="right")) - 1
        k = max(k, 0)
        t0 = self.epoch + float(self.times_s[k])
        y0 = self.states[k]
        fired = replace(burn, start=self.epoch + offset_s)
        result = propagator.propagate(t0, y0[:3], y0[3:6], drag=drag, burns=[fired],
                                      duration_s=offset_s - float(self.times_s[k])
                                      + burn.duration_s + TRIAL_HORIZON_S)
        event = result.members[0].event("breakup")
        if event is None:
            return None
        return event.epoch, event.lat_deg, event.lon_deg
