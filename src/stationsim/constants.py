"""Physical and conventional constants, SI units, each with its source."""

from __future__ import annotations

import math

# --- Time -----------------------------------------------------------------------------------
#: Seconds in a day (SI day of 86,400 s).
SECONDS_PER_DAY = 86_400.0
#: Julian date of the modified Julian date origin (1858-11-17 00:00).
MJD_ZERO = 2_400_000.5
#: Julian date of J2000.0 (2000-01-01 12:00 TT).
JD_J2000 = 2_451_545.0
#: TT - TAI, exactly 32.184 s (IAU 1991 Resolution A4).
TT_MINUS_TAI_S = 32.184

# --- Earth: WGS-84 (NIMA TR8350.2, 3rd ed., 2000, table 3.1) ---------------------------------
#: WGS-84 semi-major axis [m].
WGS84_A_M = 6_378_137.0
#: WGS-84 flattening 1/f = 298.257223563.
WGS84_F = 1.0 / 298.257223563
#: Earth's nominal rotation rate [rad/s] (IERS Conventions 2010, ch. 1, table 1.2).
EARTH_ROTATION_RATE_RAD_S = 7.292115146706979e-5

# --- Earth: gravity ------------------------------------------------------------------------
#: Geocentric gravitational constant GM [m^3/s^2] (IERS Conventions 2010, table 1.1; EGM2008).
GM_EARTH_M3_S2 = 3.986004418e14

# --- Angles ----------------------------------------------------------------------------------
#: Radians per arcsecond.
ARCSEC_TO_RAD = math.pi / (180.0 * 3600.0)
