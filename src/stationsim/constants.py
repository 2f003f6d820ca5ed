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
#: Earth's dynamical form factor J2 = -sqrt(5) Cbar_20 of EGM96 (Lemoine et al. 1998,
#: NASA/TP-1998-206861), for drift predictions; the force model reads the bundled field.
J2_EARTH = 1.0826266835531513e-3

# --- Sun and Moon -----------------------------------------------------------------------------
#: The astronomical unit [m] (IAU 2012 Resolution B2, exact).
ASTRONOMICAL_UNIT_M = 149_597_870_700.0
#: Heliocentric gravitational constant GM [m^3/s^2], TDB-compatible (IAU 2009 System of
#: Astronomical Constants, Luzum et al. 2011, Celest. Mech. Dyn. Astron. 110, 293; the DE421
#: value). IERS Conventions 2010, table 1.1, lists the TCB-compatible 1.32712442099e20.
GM_SUN_M3_S2 = 1.32712440041e20
#: Moon-Earth mass ratio (IAU 2009 System; IERS Conventions 2010, table 1.1; the DE421 value).
MOON_EARTH_MASS_RATIO = 0.0123000371
#: Lunar gravitational constant GM [m^3/s^2]: the mass ratio times :data:`GM_EARTH_M3_S2`
#: (4.9028002e12; DE421 gives 4.9028001e12).
GM_MOON_M3_S2 = MOON_EARTH_MASS_RATIO * GM_EARTH_M3_S2

# --- Light and the Sun's radiation -------------------------------------------------------------
#: Speed of light in vacuum [m/s] (SI definition, exact).
SPEED_OF_LIGHT_M_S = 299_792_458.0
#: Nominal total solar irradiance at 1 au [W/m^2] (IAU 2015 Resolution B3; Kopp & Lean 2011
#: measured 1360.8 +- 0.5 W/m^2 at solar minimum).
SOLAR_IRRADIANCE_1AU_W_M2 = 1361.0
#: Solar radiation pressure on a perfect absorber at 1 au [N/m^2]: irradiance / c, 4.5398e-6.
#: (Montenbruck & Gill 2000, sec. 3.4, use 4.56e-6, from the older solar constant 1367 W/m^2.)
SOLAR_RADIATION_PRESSURE_1AU_N_M2 = SOLAR_IRRADIANCE_1AU_W_M2 / SPEED_OF_LIGHT_M_S

# --- Angles ----------------------------------------------------------------------------------
#: Radians per arcsecond.
ARCSEC_TO_RAD = math.pi / (180.0 * 3600.0)
