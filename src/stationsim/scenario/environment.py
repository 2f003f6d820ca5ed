"""The surroundings of a station on its orbit, averaged over one revolution.

What the capability audit needs (:class:`stationsim.station.Environment`): the mean height
above the equatorial radius, the beta angle, the eclipse fraction and the orbit-mean air
density. The revolution is sampled at 64 instants equally spaced over one period: on the orbit
itself, propagated drag-free with the run's force model, when a propagator is given; otherwise
on the two-body ellipse through the state. The ellipse is only a fallback: the osculating
semi-major axis carries J2's short-period terms, so for the ISS the ellipse's mean height is
off by up to 6 km and its orbit-mean density by up to 11 %
(:mod:`stationsim.analysis.station_orbit`; ``tests/scenario/test_environment.py``).
"""

from __future__ import annotations

import math

import numpy as np

from stationsim.constants import GM_EARTH_M3_S2, WGS84_A_M
from stationsim.errors import PropagationError
from stationsim.forces.atmosphere import Atmosphere
from stationsim.forces.sun import sun_direction_gcrf
from stationsim.propagation.kepler import Elements, elements_from_state, state_from_elements
from stationsim.propagation.numerical import Propagator
from stationsim.station import Environment, beta_angle_rad, eclipse_fraction
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = ["SAMPLES_PER_ORBIT", "orbit_environment", "orbit_samples"]

#: Samples per revolution.
SAMPLES_PER_ORBIT = 64


def orbit_samples(epoch: Epoch, r_gcrf_m: FloatArray, v_gcrf_m_s: FloatArray,
                  samples: int = SAMPLES_PER_ORBIT, propagator: Propagator | None = None
                  ) -> tuple[Epoch, FloatArray]:
    """Epochs and GCRF positions [m] of one revolution from the state at ``epoch``: of the
    orbit propagated by ``propagator`` (without drag), or of the two-body orbit through the
    state."""
    el = elements_from_state(np.asarray(r_gcrf_m, dtype=np.float64),
                             np.asarray(v_gcrf_m_s, dtype=np.float64))
    a = float(el.a_m)
    if not (a > 0.0 and float(el.e) < 1.0):
        raise PropagationError("the state is not on a closed orbit")
    period = 2.0 * math.pi * math.sqrt(a ** 3 / GM_EARTH_M3_S2)
    offsets = np.arange(samples) / samples * period
    if propagator is not None:
        member = propagator.propagate(epoch, np.asarray(r_gcrf_m, dtype=np.float64),
                                      np.asarray(v_gcrf_m_s, dtype=np.float64),
                                      duration_s=period, output_times_s=offsets).members[0]
        if member.status == "completed" and len(member.times_s) == samples:
            return epoch + member.times_s, np.asarray(member.states[:, :3])
    mean_anomaly = np.mod(float(el.m_rad) + 2.0 * math.pi * np.arange(samples) / samples,
                          2.0 * math.pi)
    ring = Elements(np.full(samples, a), np.full(samples, float(el.e)),
                    np.full(samples, float(el.i_rad)), np.full(samples, float(el.raan_rad)),
                    np.full(samples, float(el.argp_rad)), mean_anomaly)
    r, _ = state_from_elements(ring)
    return epoch + offsets, r


def orbit_environment(epoch: Epoch, r_gcrf_m: FloatArray, v_gcrf_m_s: FloatArray,
                      atmosphere: Atmosphere, propagator: Propagator | None = None
                      ) -> Environment:
    """The orbit average at ``epoch`` of the orbit through ``(r, v)`` (GCRF, SI), with the air
    density of ``atmosphere`` and the beta angle of the low-precision Sun; the revolution
    propagated by ``propagator`` if given (see the module notes)."""
    when, r = orbit_samples(epoch, r_gcrf_m, v_gcrf_m_s, propagator=propagator)
    density = float(np.mean(atmosphere.density(when, r)))
    altitude = float(np.mean(np.linalg.norm(r, axis=-1))) - WGS84_A_M
    beta = beta_angle_rad(sun_direction_gcrf(epoch), np.asarray(r_gcrf_m),
                          np.asarray(v_gcrf_m_s))
    return Environment(altitude, beta, eclipse_fraction(beta, altitude), density)
