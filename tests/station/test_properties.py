"""Invariants of the operations, by property tests (hypothesis) on the ISS of 2022-03-18
(ten crew, six vehicles): mass is conserved through detach and attach, propellant never goes
negative, the attachments stay a tree, and no seat is assigned twice."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stationsim.station import (
    Configuration,
    ConfigurationError,
    assign_seat,
    attach,
    detach,
    dock,
    overbooked_vehicles,
    transfer_propellant,
    undock,
    validate_tree,
)

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(data=st.data())
def test_mass_conserved_through_detach_and_attach(march18: Configuration,
                                                  data: st.DataObject) -> None:
    """Detach at any occupied port, then attach back: the two pieces weigh what the whole
    did (1e-6 kg), and the rebuilt station has the same parts, links and crew."""
    link = data.draw(st.sampled_from(march18.links))
    stays, leaves, change = detach(march18, link.where)
    assert stays.mass_kg + leaves.mass_kg == _approx(march18.mass_kg)
    assert change.mass_before_kg - change.mass_after_kg == _approx(leaves.mass_kg)
    back, _ = attach(stays, leaves, link.where)
    assert back.mass_kg == _approx(march18.mass_kg)
    assert set(back.names) == set(march18.names)
    assert set(back.links) == set(march18.links)
    assert {m.name for m in back.crew} == {m.name for m in march18.crew}


@SETTINGS
@given(data=st.data())
def test_propellant_never_negative(march18: Configuration, data: st.DataObject) -> None:
    """Random transfers between parts with tanks (the impossible ones are refused): no load
    or cargo ever goes below zero, none exceeds its capacity, and mass is conserved."""
    tanks = [p.name for p in march18.parts if p.propellant is not None]
    config = march18
    for _ in range(data.draw(st.integers(1, 8))):
        source, target = data.draw(st.sampled_from(tanks)), data.draw(st.sampled_from(tanks))
        kg = data.draw(st.floats(-100.0, 6000.0, allow_nan=False))
        try:
            config, _ = transfer_propellant(config, source, target, kg)
        except ConfigurationError:
            continue
        for part in config.parts:
            fuel = part.propellant
            if fuel is None:
                continue
            assert fuel.load_kg >= 0.0 and fuel.cargo_kg >= 0.0
            if fuel.capacity_kg is not None:
                assert fuel.load_kg <= fuel.capacity_kg + 1e-6
        assert config.mass_kg == _approx(march18.mass_kg)


@SETTINGS
@given(data=st.data())
def test_graph_stays_a_tree(march18: Configuration, data: st.DataObject) -> None:
    """Random undockings and dockings at free docking ports: every configuration is one
    tree with the same root, and no part is lost or duplicated."""
    config = march18
    away = []
    for _ in range(data.draw(st.integers(1, 10))):
        if away and data.draw(st.booleans()):
            vehicle = away.pop(data.draw(st.integers(0, len(away) - 1)))
            free = [f"{p.name}.{port.name}" for p in config.parts if not p.is_vehicle
                    for port in p.ports if port.kind == "docking"
                    and config.occupant(f"{p.name}.{port.name}") is None]
            config, _ = dock(config, vehicle, data.draw(st.sampled_from(free)))
        elif config.vehicles:
            name = data.draw(st.sampled_from([v.name for v in config.vehicles]))
            config, gone, _ = undock(config, name)
            away.extend(gone.parts)
        assert validate_tree(config.names, config.links) == march18.root
        assert len(config.parts) + len(away) == len(march18.parts)
        assert config.mass_kg + sum(p.total_mass_kg for p in away) == _approx(
            march18.mass_kg)


@SETTINGS
@given(data=st.data())
def test_no_seat_assigned_twice(march18: Configuration, data: st.DataObject) -> None:
    """Random seat reassignments: an assignment to a full vehicle is refused, so no vehicle
    ever holds more assignments than seats."""
    crew = [m.name for m in march18.crew]
    vehicles = [v.name for v in march18.vehicles] + [None]
    seats = {v.name: v.seats for v in march18.vehicles}
    config = march18
    for _ in range(data.draw(st.integers(1, 12))):
        name = data.draw(st.sampled_from(crew))
        vehicle = data.draw(st.sampled_from(vehicles))
        with contextlib.suppress(ConfigurationError):
            config, _ = assign_seat(config, name, vehicle)
        assert overbooked_vehicles(config.crew, seats) == {}


def _approx(value: float) -> object:
    return pytest.approx(value, abs=1e-6)
