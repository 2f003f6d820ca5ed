"""Analyses built on the propagators: the decay of a tracked object
(:mod:`stationsim.analysis.decay`), landing zones and opportunities
(:mod:`stationsim.analysis.landing`), and the figures and report of a scenario run
(:mod:`stationsim.analysis.scenario_plots`, :mod:`stationsim.analysis.report`)."""

from stationsim.analysis.decay import ATMOSPHERES, METHODS, DecayReport, predict_decay
from stationsim.analysis.landing import (
    DRAGON_SITES,
    LANDING_ZONES,
    SOYUZ_ZONE,
    LandingZone,
    Opportunity,
    landing_opportunities,
    zones_for_vehicle,
)
from stationsim.analysis.report import render_html, render_markdown, write_report
from stationsim.analysis.scenario_plots import plot_altitudes, plot_ledgers

__all__ = [
    "ATMOSPHERES",
    "DRAGON_SITES",
    "LANDING_ZONES",
    "METHODS",
    "SOYUZ_ZONE",
    "DecayReport",
    "LandingZone",
    "Opportunity",
    "landing_opportunities",
    "plot_altitudes",
    "plot_ledgers",
    "predict_decay",
    "render_html",
    "render_markdown",
    "write_report",
    "zones_for_vehicle",
]
