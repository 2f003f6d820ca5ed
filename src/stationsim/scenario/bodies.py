"""The flying pieces of a scenario run and what the run keeps about each.

A *body* is one configuration flying on its own orbit: the whole station at the start, each
segment after a separation, a tracked vehicle after it leaves. A body keeps its ephemeris (the
propagator's output grid, seconds from the scenario's start), its events, and three ledgers
sampled whenever the run stops at the body: propellant on board, velocity change used, and the
momentum stored in its control moment gyroscopes.

The CMG ledger follows the audit (:func:`stationsim.station.attitude_control`): in the attitude
held, the secular pitch torque of gravity gradient and drag fills the gyroscopes at a constant
rate; with thrusters to desaturate them the momentum is dumped and stays near zero, without
them it grows until the capacity is reached and attitude control is lost. The run's log says
so; the drag area stays that of the attitude held unless the scenario changes it (an
``attitude`` event with ``mode = "tumbling"``: drag and sunlight over all orientations).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from stationsim.propagation.numerical import FiniteBurn
from stationsim.station import Capabilities, Configuration, StationDrag
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = ["Body", "ConjunctionOutcome", "Impulse", "LedgerRow", "ScaledDrag"]


class ScaledDrag:
    """A body's ``DragProperties``: the station model's ``C_D A`` times the run's calibration
    factor (see :class:`stationsim.scenario.spec.Scenario`, ``drag_calibration``)."""

    def __init__(self, inner: StationDrag, scale: float) -> None:
        self.inner, self.scale = inner, scale

    @property
    def mass_kg(self) -> float:
        """Mass [kg]."""
        return self.inner.mass_kg

    def drag_area_m2(self, epoch: Epoch, r_gcrf_m: FloatArray, v_gcrf_m_s: FloatArray) -> float:
        """Calibrated ``C_D A`` [m^2]."""
        return self.scale * self.inner.drag_area_m2(epoch, r_gcrf_m, v_gcrf_m_s)


@dataclass(frozen=True)
class Impulse:
    """A velocity change [m/s] along the velocity (negative: against it) at ``epoch``."""

    epoch: Epoch
    delta_v_m_s: float
    label: str


@dataclass(frozen=True)
class ConjunctionOutcome:
    """A close approach a body met at ``epoch``: its probability of collision, and whether the
    body dodged it (an avoidance burn was made) or flew on and accepted the risk."""

    epoch: Epoch
    probability: float
    dodged: bool
    object_name: str = ""


@dataclass(frozen=True)
class LedgerRow:
    """A body's ledgers at ``t_s`` (seconds from the scenario's start)."""

    t_s: float
    propellant_kg: float
    delta_v_used_m_s: float
    cmg_momentum_nms: float


@dataclass
class Body:
    """One flying piece (module notes).

    Attributes:
        name: ``"ISS"``, a segment's name, or a vehicle's.
        config: what it is made of now.
        epoch, state: where it is now (GCRF ``(6,)`` [m, m/s]).
        since: when it began to fly as this body; ``parent`` the body it came from.
        status: ``flying``, ``reentered``, ``separated`` (it became two bodies), ``left``
            (a vehicle that went home, no longer followed), ``completed`` (flying at the end).
        caps_at_start: its capabilities when it began, ``lost`` what it lost then.
        secular_torque_nm, cmg_capacity_nms, desaturation: the CMG ledger's inputs.
        conjunctions: the close approaches it met, dodged or not.
        aim: where its last aimed burn aimed its breakup (latitude, longitude [deg]).
    """

    name: str
    config: Configuration
    epoch: Epoch
    state: FloatArray
    since: Epoch
    parent: str | None = None
    status: str = "flying"
    caps_at_start: Capabilities | None = None
    lost: list[str] = field(default_factory=list)
    times_s: list[FloatArray] = field(default_factory=list)
    states: list[FloatArray] = field(default_factory=list)
    reentry: tuple[Epoch, float, float] | None = None
    breakup: tuple[Epoch, float, float] | None = None
    delta_v_used_m_s: float = 0.0
    ledger: list[LedgerRow] = field(default_factory=list)
    impulses: list[Impulse] = field(default_factory=list)
    finite_burns: list[FiniteBurn] = field(default_factory=list)
    pending_config: Configuration | None = None
    pending_delta_v_m_s: float = 0.0
    next_check: Epoch | None = None
    policy_idle: bool = False
    secular_torque_nm: float = 0.0
    cmg_capacity_nms: float = 0.0
    desaturation: bool = True
    cmg_since: Epoch | None = None
    saturated: bool = False
    conjunctions: list[ConjunctionOutcome] = field(default_factory=list)
    aim: tuple[float, float] | None = None

    @property
    def flying(self) -> bool:
        """Whether the run still propagates it."""
        return self.status == "flying"

    def ephemeris(self) -> tuple[FloatArray, FloatArray]:
        """Times [s from the scenario's start] and GCRF states ``(K, 6)``, duplicates at
        the joins of its propagation calls removed."""
        if not self.times_s:
            return np.empty(0), np.empty((0, 6))
        t = np.concatenate(self.times_s)
        y = np.concatenate(self.states)
        keep = np.concatenate([[True], np.diff(t) > 1e-6])
        return t[keep], y[keep]

    def push(self, delta_v_m_s: float) -> None:
        """An impulsive velocity change [m/s] along the velocity (negative: against it)."""
        v = self.state[3:6]
        self.state = np.concatenate([self.state[:3], v + delta_v_m_s * v / np.linalg.norm(v)])

    def collision_risk_accepted(self) -> float:
        """The probability that at least one of the close approaches it did not dodge hits it
        (each taken as independent; a dodged one counts as removed, as an avoidance burn moves
        the body kilometres away from the predicted path)."""
        miss_all = 1.0
        for c in self.conjunctions:
            if not c.dodged:
                miss_all *= 1.0 - c.probability
        return 1.0 - miss_all

    def propellant_kg(self) -> float:
        """Usable and reserved propellant on board [kg]."""
        return float(sum(p.propellant.total_kg for p in self.config.parts
                         if p.propellant is not None))

    def cmg_momentum_nms(self, epoch: Epoch) -> float:
        """Momentum stored in the CMGs at ``epoch`` [N m s] (module notes)."""
        if self.desaturation or self.cmg_since is None or self.cmg_capacity_nms <= 0.0:
            return 0.0
        grown = abs(self.secular_torque_nm) * max(float(epoch - self.cmg_since), 0.0)
        return float(min(grown, self.cmg_capacity_nms))

    def record_ledger(self, start: Epoch) -> None:
        """Add a ledger row at the body's current epoch."""
        self.ledger.append(LedgerRow(float(self.epoch - start), self.propellant_kg(),
                                     self.delta_v_used_m_s, self.cmg_momentum_nms(self.epoch)))
