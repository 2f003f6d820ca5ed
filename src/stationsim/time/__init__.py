"""Time: one :class:`Epoch` type with scale views, and the :class:`Timescale` that makes epochs.

Time scales: TAI (how epochs are held), UTC, TT, TDB (views), UT1 (a view needing EOP).
"""

from stationsim.time.calendar import calendar_from_mjd, mjd_from_calendar
from stationsim.time.epoch import Epoch, JulianDate
from stationsim.time.tables import EOPTable, LeapSecondTable
from stationsim.time.timescale import Timescale

__all__ = [
    "EOPTable",
    "Epoch",
    "JulianDate",
    "LeapSecondTable",
    "Timescale",
    "calendar_from_mjd",
    "mjd_from_calendar",
]
