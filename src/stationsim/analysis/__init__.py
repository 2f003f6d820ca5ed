"""Analyses built on the propagators: so far, the decay of a tracked object
(:mod:`stationsim.analysis.decay`)."""

from stationsim.analysis.decay import ATMOSPHERES, METHODS, DecayReport, predict_decay

__all__ = ["ATMOSPHERES", "METHODS", "DecayReport", "predict_decay"]
