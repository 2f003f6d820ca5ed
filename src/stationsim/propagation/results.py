"""What the numerical propagator (:class:`.numerical.Propagator`) is given and gives back: the
finite burns of a run, each member's result, and the run's result with its statistics."""

from __future__ import annotations

from dataclasses import dataclass, field

from stationsim.propagation.events import EventRecord
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = ["FiniteBurn", "MemberResult", "PropagationResult"]


@dataclass(frozen=True)
class FiniteBurn:
    """A burn of constant thrust [N] and specific impulse [s] from ``start`` for
    ``duration_s``, along a fixed VNC direction (default: along-track, a reboost)."""

    name: str
    start: Epoch
    duration_s: float
    thrust_n: float
    isp_s: float
    direction_vnc: tuple[float, float, float] = (1.0, 0.0, 0.0)
    members: tuple[int, ...] | None = None


@dataclass
class MemberResult:
    """One member's outcome.

    Attributes:
        status: ``"completed"`` (reached the end), ``"reentered"`` (reached breakup) or
            ``"stopped"`` (a user event with ``Action.STOP``).
        epoch: the final epoch; ``state`` the final ``(x, y, z, vx, vy, vz, m)`` (GCRF, SI).
        events: the events that occurred, in order.
        times_s, states: the ephemeris (seconds from the run's epoch; states ``(K, 7)``).
        mean_sma_m: the mean semi-major axis at the ephemeris times [m], where the engine
            follows it (the lifetime engine); else ``None``.
    """

    status: str
    epoch: Epoch
    state: FloatArray
    events: list[EventRecord]
    times_s: FloatArray
    states: FloatArray
    mean_sma_m: FloatArray | None = None

    def event(self, name: str) -> EventRecord | None:
        """The first event called ``name``, if it occurred."""
        return next((e for e in self.events if e.name == name), None)


@dataclass
class PropagationResult:
    """The members' results and the run's statistics: steps, density fits and samples, wall
    time per phase [s] (``fit_s``, ``integrate_s``, ``compile_s``: the last integrator built),
    ``simd_lanes`` (0: the scalar integrator), ``built_in_events`` (0: left out, the run could
    not reach them) and ``guard_trips`` (moves from the entry guard to the built-in events)."""

    epoch: Epoch
    members: list[MemberResult]
    statistics: dict[str, float] = field(default_factory=dict)

