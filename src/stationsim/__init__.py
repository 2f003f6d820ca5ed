"""stationsim: a crewed space station simulated as a system.

The public entry point for scripts is :mod:`stationsim.api`; the command line is ``stationsim``.
"""

__version__ = "0.1.0"
