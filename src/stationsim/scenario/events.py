"""Scenario events applied to the flying bodies: each returns the bodies it creates and logs
what it did; a station operation that cannot be done (no such port, no seat) is a user error
that names the event's place in the scenario file.

Every body starts with an audit of its capabilities in its orbit's environment
(:func:`describe_capabilities`): what it lost against the configuration it came from, and when
its gyroscopes saturate if nothing can desaturate them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from stationsim.errors import PropagationError, StationsimError
from stationsim.forces.atmosphere import Atmosphere
from stationsim.forces.drag import DragProperties
from stationsim.propagation.numerical import FiniteBurn, Propagator
from stationsim.scenario.bodies import Body, Impulse
from stationsim.scenario.environment import orbit_environment
from stationsim.scenario.propellant import plan_engine_burn
from stationsim.scenario.spec import (
    ArrayMode,
    AttitudeMode,
    Burn,
    CrewLanding,
    Dock,
    Event,
    MoveCrew,
    Scenario,
    TransferPropellant,
    Undock,
)
from stationsim.scenario.targeting import aim_burn
from stationsim.station import (
    Attitude,
    Configuration,
    ConfigurationError,
    Environment,
    Segment,
    assign_seat,
    capabilities,
    capability_changes,
    detach,
    dock,
    equilibrium_pitch,
    move_crew,
    separate_segments,
    transfer_propellant,
    undock,
)
from stationsim.time import Epoch

__all__ = ["EventContext", "apply_event", "describe_capabilities", "holder"]

Note = Callable[[Epoch, str, str, str], None]


@dataclass
class EventContext:
    """What events need from the run: its start, atmosphere, scenario and log, the list of
    vehicles that took crew home ``(vehicle, body, epoch, crew)``, and (to aim a burn) the
    run's propagator and each body's drag."""

    start: Epoch
    atmosphere: Atmosphere
    scenario: Scenario
    note: Note
    departures: list[tuple[str, str, Epoch, tuple[str, ...]]] = field(default_factory=list)
    propagator: Propagator | None = None
    drag: Callable[[Body], DragProperties] | None = None


def describe_capabilities(body: Body, env: Environment, ctx: EventContext,
                          origin: Configuration | None) -> None:
    """Audit ``body`` as it starts (or changes): keep its capabilities and CMG ledger inputs,
    and log what it lost against ``origin``."""
    caps = capabilities(body.config, env)
    if origin is not None and body.caps_at_start is not None:
        lost = capability_changes(body.caps_at_start, caps)
    elif origin is not None:
        lost = capability_changes(capabilities(origin, env), caps)
    else:
        lost = []
    body.caps_at_start = caps
    body.lost = list(dict.fromkeys([*body.lost, *lost]))
    att = caps.attitude
    body.secular_torque_nm = att.secular_torque_nm
    body.cmg_capacity_nms = att.cmg_capacity_nms
    body.desaturation = bool(att.desaturation_thrusters) or att.cmg_count == 0
    body.cmg_since = body.epoch
    if lost:
        ctx.note(body.epoch, "capabilities", f"{body.name} lost: " + "; ".join(lost), body.name)
    if not body.desaturation and att.hours_to_saturation is not None:
        when = body.epoch + att.hours_to_saturation * 3600.0
        ctx.note(when, "attitude", f"{body.name}'s {att.cmg_count} CMGs saturate "
                 f"({att.cmg_capacity_nms:.0f} N m s) with no thrusters to desaturate them: "
                 "attitude control lost (the drag stays that of the attitude held unless an "
                 "attitude event makes the body tumble)",
                 body.name)
    if not caps.propulsion.reboost_possible:
        ctx.note(body.epoch, "propulsion", f"{body.name} has no propulsion to reboost",
                 body.name)


def _environment(body: Body, ctx: EventContext) -> Environment:
    return orbit_environment(body.epoch, body.state[:3], body.state[3:6], ctx.atmosphere,
                             ctx.propagator)


def holder(bodies: list[Body], event: Event, name: str) -> Body:
    """The flying body that holds part ``name``; a user error naming ``event``'s place in the
    file when none does."""
    for body in bodies:
        if body.flying and body.config.has(name):
            return body
    flying = [b.name for b in bodies if b.flying]
    raise StationsimError(f"{event.where}: no flying body holds {name!r} at "
                          f"{event.epoch.iso(0)} (flying: {', '.join(flying) or 'none'})")


def _crew_holder(bodies: list[Body], event: Event, name: str) -> Body:
    for body in bodies:
        if body.flying and any(m.name == name for m in body.config.crew):
            return body
    raise StationsimError(f"{event.where}: crew member {name!r} is not aboard any flying body")


def apply_event(event: Event, bodies: list[Body], ctx: EventContext) -> list[Body]:
    """Apply ``event`` at its epoch (every body has been propagated to it); return the new
    bodies it creates."""
    try:
        return _apply(event, bodies, ctx)
    except ConfigurationError as exc:
        raise StationsimError(f"{event.where}: {event.kind} cannot be done: {exc}") from None


def _apply(event: Event, bodies: list[Body], ctx: EventContext) -> list[Body]:
    if isinstance(event, Undock):
        return _undock(event, bodies, ctx)
    if isinstance(event, Dock):
        vehicle = next((v for v in ctx.scenario.vehicles if v.name == event.vehicle), None)
        if vehicle is None:
            raise StationsimError(f"{event.where}: no vehicle {event.vehicle!r} in the "
                                  "scenario's vehicles")
        body = holder(bodies, event, event.port.partition(".")[0])
        body.config, change = dock(body.config, vehicle, event.port)
        _changed(body, ctx, change.summary, "dock")
    elif isinstance(event, MoveCrew):
        for name in event.crew:
            body = _crew_holder(bodies, event, name)
            body.config, change = move_crew(body.config, name, event.to)
            detail = change.summary
            if event.seat:
                seat = None if event.seat == "none" else event.seat
                body.config, change = assign_seat(body.config, name, seat)
                detail += "; " + change.summary
            ctx.note(event.epoch, "move_crew", detail, body.name)
    elif isinstance(event, CrewLanding):
        body = holder(bodies, event, event.vehicle)
        going = tuple(m.name for m in body.config.crew if m.return_vehicle == event.vehicle)
        stays, _, _ = undock(body.config, event.vehicle)
        body.config = replace(stays, crew=tuple(m for m in stays.crew if m.name not in going))
        ctx.departures.append((event.vehicle, body.name, event.epoch, going))
        _changed(body, ctx, f"{event.vehicle} undocks for landing with "
                 f"{', '.join(going) or 'no crew'}", "crew_landing")
    elif isinstance(event, Burn):
        _burn(event, bodies, ctx)
    elif isinstance(event, ArrayMode):
        for body in bodies:
            if body.flying and (not event.body or body.name == event.body):
                body.config = replace(body.config, drag=replace(body.config.drag,
                                                                array_policy=event.policy))
                _changed(body, ctx, f"solar arrays of {body.name}: {event.policy.value}",
                         "array_mode")
    elif isinstance(event, AttitudeMode):
        _attitude(event, bodies, ctx)
    elif isinstance(event, TransferPropellant):
        body = holder(bodies, event, event.source)
        body.config, change = transfer_propellant(body.config, event.source, event.target,
                                                  event.kg)
        ctx.note(event.epoch, "transfer_propellant", change.summary, body.name)
    return []


def _attitude(event: AttitudeMode, bodies: list[Body], ctx: EventContext) -> None:
    """Tumbling: no attitude held. XVV: the configuration's torque-equilibrium pitch (XVV
    itself when it has none)."""
    chosen = [b for b in bodies if b.flying and (not event.body or b.name == event.body)]
    if event.body and not chosen:  # a part's name: the body holding it (else the error)
        chosen = [holder(bodies, event, event.body)]
    for body in chosen:
        if event.mode == "tumbling":
            held = Attitude("tumbling (no attitude held)", 0.0, tumbling=True)
        else:
            pitch = equilibrium_pitch(body.config, _environment(body, ctx))
            held = (Attitude("XVV", 0.0) if pitch is None else
                    Attitude("XVV at torque equilibrium", pitch))
        body.config = replace(body.config, attitude=held)
        _changed(body, ctx, f"attitude of {body.name}: {held.name}", "attitude")


def _changed(body: Body, ctx: EventContext, summary: str, kind: str) -> None:
    caps = capabilities(body.config, _environment(body, ctx))
    ctx.note(body.epoch, kind, f"{summary}; {body.name} now {body.config.mass_kg / 1e3:.1f} t, "
             f"m/(C_D A) {caps.ballistic_coefficient_kg_m2:.0f} kg/m^2 (modelled)", body.name)


def _undock(event: Undock, bodies: list[Body], ctx: EventContext) -> list[Body]:
    segments = {s.value.lower(): s for s in Segment}
    key = event.part.lower()
    if key in segments:
        gone = segments[key]
        body = next((b for b in bodies if b.flying and len(b.config.segments()) > 1
                     and gone in b.config.segments()), None)
        if body is None:
            raise StationsimError(f"{event.where}: no flying body joins the {gone.value} to "
                                  "another segment")
        pieces = separate_segments(body.config)
        body.status = "separated"
        new = []
        for segment, config in pieces.items():
            child = Body(segment.value, config, body.epoch, body.state.copy(), body.epoch,
                         parent=body.name)
            new.append(child)
        names = ", ".join(f"{c.name} {c.config.mass_kg / 1e3:.1f} t with "
                          f"{len(c.config.crew)} crew" for c in new)
        ctx.note(event.epoch, "undock", f"the {gone.value} separates from {body.name}: "
                 f"{names}", body.name)
        env = _environment(body, ctx)
        for child in new:
            describe_capabilities(child, env, ctx, origin=body.config)
            if child.name == gone.value and not event.track:
                child.status = "left"
        return new
    body = holder(bodies, event, event.part)
    part = body.config.part(event.part)
    if part.is_vehicle:
        stays, leaves, change = undock(body.config, event.part)
    else:
        port = body.config.port_of(event.part)
        if port is None:
            raise StationsimError(f"{event.where}: {event.part} holds {body.name} together; "
                                  "undock what hangs from it instead")
        stays, leaves, change = detach(body.config, port)
    before = body.config
    body.config = stays
    ctx.note(event.epoch, "undock", change.summary, body.name)
    env = _environment(body, ctx)
    describe_capabilities(body, env, ctx, origin=before)
    child = Body(event.part, leaves, body.epoch, body.state.copy(), body.epoch,
                 parent=body.name, status="flying" if event.track else "left")
    describe_capabilities(child, env, ctx, origin=None)
    return [child]


def _burn(event: Burn, bodies: list[Body], ctx: EventContext) -> None:
    body = holder(bodies, event, event.vehicle)
    sign = -1.0 if (event.direction == "retrograde") != ((event.delta_v_m_s or 0.0) < 0) else 1.0
    try:
        after, plan = plan_engine_burn(body.config, event.vehicle,
                                       delta_v_m_s=event.delta_v_m_s, duration_s=event.duration_s)
    except StationsimError as exc:
        raise StationsimError(f"{event.where}: {exc}") from None
    short = ("" if plan.delta_v_m_s >= plan.wanted_m_s - 1e-6 else
             f" (wanted {plan.wanted_m_s:.2f} m/s: the tanks ran dry)")
    label = (f"{'retrograde' if sign < 0 else 'prograde'} burn by {', '.join(plan.engines)}: "
             f"{plan.delta_v_m_s:.2f} m/s, {plan.propellant_kg:.0f} kg of propellant{short}")
    if event.duration_s is None:
        body.impulses.append(Impulse(event.epoch, sign * plan.delta_v_m_s, label))
        body.config = after
        return
    burn = FiniteBurn(f"{event.vehicle} burn", event.epoch, plan.duration_s, plan.thrust_n,
                      plan.isp_s, (sign, 0.0, 0.0))
    if event.aim is not None:
        burn = _aim(event, body, burn, ctx)
    body.finite_burns.append(burn)
    body.pending_config = after
    body.pending_delta_v_m_s += plan.delta_v_m_s
    ctx.note(burn.start, "burn", f"{label}, {plan.duration_s:.0f} s", body.name)


def _aim(event: Burn, body: Body, burn: FiniteBurn, ctx: EventContext) -> FiniteBurn:
    """``burn`` started when it brings ``body`` down nearest ``event.aim``."""
    assert event.aim is not None
    if ctx.propagator is None or ctx.drag is None:
        raise StationsimError(f"{event.where}: a burn cannot be aimed in this run")
    lat, lon = event.aim
    try:
        aimed = aim_burn(ctx.propagator, body.epoch, body.state, ctx.drag(body), burn, lat,
                         lon, event.aim_window_s)
    except PropagationError as exc:
        raise StationsimError(f"{event.where}: the burn cannot be aimed: {exc}") from None
    when, b_lat, b_lon = aimed.breakup
    ctx.note(event.epoch, "aim", f"{event.vehicle}'s burn aimed at {_place(lat, lon)}: it "
             f"starts at {aimed.start.iso(0)} ({float(aimed.start - event.epoch) / 3600.0:.2f} h "
             f"after the earliest start; {aimed.trials} trial burns), breakup predicted at "
             f"{when.iso(0)} at {_place(b_lat, b_lon)}, {aimed.miss_m / 1e3:.0f} km from the aim",
             body.name)
    body.aim = (lat, lon)
    return replace(burn, start=aimed.start)


def _place(lat_deg: float, lon_deg: float) -> str:
    return (f"{abs(lat_deg):.1f} {'N' if lat_deg >= 0 else 'S'}, "
            f"{abs(lon_deg):.1f} {'E' if lon_deg >= 0 else 'W'}")

