"""Scenarios: what happens to the station and when, as validated data.

:mod:`.spec` holds the objects (:class:`Scenario`, its :class:`Start` and :class:`End`, the
events and the altitude-maintenance policy); :mod:`.schema` builds them from a scenario file
(TOML or YAML, keys in ``docs/scenarios.md``) with :func:`parse_scenario`. The built-in
scenario files are found by :func:`stationsim.data.builtin_scenario_text`.
:func:`run_scenario` (:mod:`.runner`) runs one; a run's pieces are :class:`Body` objects.
"""

from stationsim.scenario.bodies import Body
from stationsim.scenario.runner import (
    Context,
    LogEntry,
    ScenarioRun,
    default_context,
    run_scenario,
)
from stationsim.scenario.schema import (
    ATMOSPHERES,
    DRAG_CALIBRATIONS,
    FORMAT,
    POLICY_KINDS,
    parse_scenario,
)
from stationsim.scenario.spec import (
    EVENT_KINDS,
    AltitudeMaintenance,
    ArrayMode,
    AttitudeMode,
    Burn,
    Conjunction,
    CrewLanding,
    DebrisAvoidance,
    Dock,
    End,
    Event,
    MoveCrew,
    OrbitStart,
    Scenario,
    SpaceWeatherMode,
    Start,
    TransferPropellant,
    Undock,
)

__all__ = [
    "ATMOSPHERES",
    "DRAG_CALIBRATIONS",
    "EVENT_KINDS",
    "FORMAT",
    "POLICY_KINDS",
    "AltitudeMaintenance",
    "ArrayMode",
    "AttitudeMode",
    "Body",
    "Burn",
    "Conjunction",
    "Context",
    "CrewLanding",
    "DebrisAvoidance",
    "Dock",
    "End",
    "Event",
    "LogEntry",
    "MoveCrew",
    "OrbitStart",
    "Scenario",
    "ScenarioRun",
    "SpaceWeatherMode",
    "Start",
    "TransferPropellant",
    "Undock",
    "default_context",
    "parse_scenario",
    "run_scenario",
]
