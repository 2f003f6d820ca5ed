"""Close approaches of tracked objects and the debris-avoidance policy.

A :class:`~stationsim.scenario.spec.Conjunction` is a screening result someone hands the run:
an object predicted to pass close to a body, with its probability of collision. What the body
does follows the ISS's flight rule as NASA described it in 2012: above a probability of 1 in
10,000 (the "red" threshold) it manoeuvres unless that adds risk to the crew, and between
1 in 100,000 and 1 in 10,000 it manoeuvres if the mission allows (M; the policy's
``threshold`` chooses). A pre-determined avoidance manoeuvre is a small posigrade burn: 0.5 m/s
by Progress MS-24's engines on 2023-11-10, 1 m/s by Progress MS-20's on 2022-12-21 (Roscosmos,
M). The policy makes it with whatever propulsion is attached (the engines and attitude of a
reboost); a body with none cannot dodge, flies on and accepts the risk, and the log says so,
with how many of its crew hold a seat home on a vehicle docked to it (without time to
manoeuvre, the ISS's crews have sheltered in their return vehicles, NASA 2015, M).

The burn is applied at the event's epoch: the time the manoeuvre is made, a few hours before
the closest approach (a shift of hours changes no re-entry date measurably). The risk a body
accepts is kept per body (:meth:`stationsim.scenario.bodies.Body.collision_risk_accepted`).
"""

from __future__ import annotations

from stationsim.errors import StationsimError
from stationsim.scenario.bodies import Body, ConjunctionOutcome
from stationsim.scenario.events import EventContext, holder
from stationsim.scenario.propellant import plan_reboost
from stationsim.scenario.spec import Conjunction, DebrisAvoidance
from stationsim.station import Segment

__all__ = ["meet_conjunction"]


def meet_conjunction(event: Conjunction, bodies: list[Body], ctx: EventContext) -> None:
    """Apply the debris-avoidance policy (if any covers the body) to ``event`` (module notes);
    every body has been propagated to the event's epoch."""
    body = _target(event, bodies)
    if body is None:
        ctx.note(event.epoch, "debris", f"conjunction with {_object(event)} ignored: "
                 f"{event.body} is no longer flying", event.body)
        return
    what = f"conjunction with {_object(event)}" + (
        f", predicted miss {event.miss_m / 1e3:.1f} km" if event.miss_m is not None else "") \
        + f", probability of collision {event.probability:.1e}"
    policy = next((p for p in ctx.scenario.policies if isinstance(p, DebrisAvoidance)
                   and (not p.bodies or body.name in p.bodies)), None)
    dodged = False
    if policy is None:
        detail = f"{what}: no debris-avoidance policy; {body.name} flies on"
    elif event.probability < policy.threshold:
        detail = (f"{what}: below the policy's threshold of {policy.threshold:.0e}; "
                  "no manoeuvre")
    else:
        planned = plan_reboost(body.config, policy.delta_v_m_s)
        if planned is None:
            detail = (f"{what}: at or above the policy's threshold of {policy.threshold:.0e}, "
                      f"but {body.name} cannot dodge it: no propulsion attached; "
                      + _shelter(body))
        else:
            body.config, plan = planned
            body.push(plan.delta_v_m_s)
            body.delta_v_used_m_s += plan.delta_v_m_s
            dodged = plan.delta_v_m_s > 0.0
            short = ("" if plan.delta_v_m_s >= plan.wanted_m_s - 1e-6 else
                     f" (wanted {plan.wanted_m_s:.2f} m/s: the tanks ran dry)")
            detail = (f"{what}: avoidance burn of {plan.delta_v_m_s:.2f} m/s posigrade by "
                      f"{', '.join(plan.engines)} in {plan.attitude}, "
                      f"{plan.propellant_kg:.0f} kg of propellant{short}")
    body.conjunctions.append(ConjunctionOutcome(event.epoch, event.probability, dodged,
                                                event.object_name))
    ctx.note(event.epoch, "debris", detail, body.name)


def _target(event: Conjunction, bodies: list[Body]) -> Body | None:
    flying = [b for b in bodies if b.flying]
    if not event.body:
        if len(flying) != 1:
            raise StationsimError(
                f"{event.where}: {len(flying)} bodies fly at {event.epoch.iso(0)} "
                f"({', '.join(b.name for b in flying) or 'none'}); name the one the object "
                "passes with body = ...")
        return flying[0]
    named = [b for b in bodies if b.name == event.body]
    if named and not named[-1].flying:
        return None
    if named:
        return named[-1]
    segment = next((s for s in Segment if s.value.lower() == event.body.lower()), None)
    carrying = [b for b in flying if segment is not None and segment in b.config.segments()]
    if len(carrying) == 1:  # a segment's name before it flies alone: the body carrying it
        return carrying[0]
    return holder(bodies, event, event.body)


def _object(event: Conjunction) -> str:
    return event.object_name or "a tracked object"


def _shelter(body: Body) -> str:
    crew = body.config.crew
    if not crew:
        return "no crew aboard; the risk is accepted"
    seated = sum(1 for m in crew if m.return_vehicle and body.config.has(m.return_vehicle))
    return (f"{seated} of its {len(crew)} crew hold a seat home on a vehicle docked to it, "
            "where they would shelter; the risk is accepted")
