"""The surroundings of a tracked object on its real orbit, averaged over one revolution.

What the capability audit needs (:class:`stationsim.station.Environment`) for the station as
it flew: the mean height above the WGS 84 equatorial radius, the beta angle, the eclipse
fraction and the orbit-mean NRLMSIS 2.1 air density. The revolution is sampled along SGP4
from an element set (64 points equally spaced in time over one Kozai period), rotated from
TEME to GCRF.

SGP4, not the two-body ellipse through one osculating state
(:func:`stationsim.scenario.environment.orbit_environment`): for the ISS on four days of
February and March 2022 the osculating ellipse puts the mean height 2 to 6 km away from the
SGP4 orbit's and the orbit-mean density 4 to 11 % away, because the osculating semi-major
axis carries the short-period J2 terms that a mean element set has averaged out.
"""

from __future__ import annotations

import warnings

import numpy as np

from stationsim.constants import WGS84_A_M
from stationsim.errors import ExtrapolationWarning, PropagationError
from stationsim.forces import MsisAtmosphere, SpaceWeatherSource, sun_direction_gcrf
from stationsim.frames import teme_to_gcrf
from stationsim.propagation.elements import GPElements
from stationsim.propagation.sgp4 import sgp4_error_message, sgp4_teme
from stationsim.scenario.environment import SAMPLES_PER_ORBIT
from stationsim.station import Environment, beta_angle_rad, eclipse_fraction
from stationsim.time import Epoch

__all__ = ["sgp4_orbit_environment"]


def sgp4_orbit_environment(elements: GPElements, at: Epoch, weather: SpaceWeatherSource,
                           samples: int = SAMPLES_PER_ORBIT) -> Environment:
    """The orbit average of the SGP4 orbit of ``elements`` over the revolution starting at
    ``at``.

    Args:
        elements: the element set (SGP4 mean elements, e.g. from a TLE); it may be days from
            ``at`` (SGP4's growing error is accepted without a warning).
        at: the start of the revolution (a single instant).
        weather: the F10.7 and ap for NRLMSIS 2.1 (e.g. ``stationsim.data.load_space_weather()``).
        samples: points along the revolution.

    Returns:
        Mean height ``mean(|r|) - R_e`` [m] (``R_e`` the WGS 84 equatorial radius), the beta
        angle [rad] at ``at`` (low-precision Sun), the cylindrical-shadow eclipse fraction of a
        circular orbit at that height and beta, and the mean NRLMSIS 2.1 density [kg/m^3]
        over the samples.

    Raises:
        PropagationError: SGP4 fails somewhere on the revolution (e.g. the element set has
            decayed by then).
    """
    period_s = 86400.0 / elements.mean_motion_rev_per_day
    when = at + np.linspace(0.0, period_s, samples, endpoint=False)
    jd1, jd2 = when.utc
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExtrapolationWarning)
        r_teme, v_teme, codes = sgp4_teme([elements], jd1, jd2)
    if np.any(codes[0] != 0):
        name = elements.object_name or f"object {elements.norad_id}"
        raise PropagationError(f"SGP4 cannot give the orbit of {name} at {at.iso(0)}: "
                               f"{sgp4_error_message(int(codes[0][codes[0] != 0][0]))}")
    r, v = teme_to_gcrf(when, r_teme[0], v_teme[0])
    density = float(np.mean(MsisAtmosphere(weather).density(when, r)))
    altitude = float(np.mean(np.linalg.norm(r, axis=-1))) - WGS84_A_M
    beta = beta_angle_rad(sun_direction_gcrf(at), r[0], v[0])
    return Environment(altitude, beta, eclipse_fraction(beta, altitude), density)
