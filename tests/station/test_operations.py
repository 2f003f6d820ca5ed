"""Operations on the ISS of March 2022 and their change records: docking, undocking, moving
crew, reassigning seats and moving propellant; and the mistakes they refuse.

References: the configurations of the bundled file (ports and seats of the facts of March
2022); figures are exact bookkeeping (1e-6 kg)."""

from __future__ import annotations

import pytest

from stationsim.station import (
    Configuration,
    ConfigurationError,
    Segment,
    assign_seat,
    crew_return,
    dock,
    move_crew,
    propulsion,
    remove_part,
    separate_segments,
    transfer_propellant,
    undock,
)


def test_undock_and_dock_back(march6: Configuration) -> None:
    """Progress MS-18 leaves Zvezda aft and comes back to Prichal's free forward port."""
    stays, gone, change = undock(march6, "Progress MS-18")
    assert change.operation == "undock" and change.parts == ("Progress MS-18",)
    assert stays.occupant("Zvezda.aft") is None
    assert change.mass_before_kg - change.mass_after_kg == pytest.approx(6740.0)
    back, docked = dock(stays, gone.part("Progress MS-18"), "Prichal.fwd")
    assert back.port_of("Progress MS-18") == "Prichal.fwd"
    assert docked.mass_after_kg == pytest.approx(march6.mass_kg)
    # From Prichal's forward port its engine pushes aft: a reboost needs the station yawed.
    main = [u for u in propulsion(back).engines
            if u.part == "Progress MS-18" and u.engine.role == "main"]
    assert [u.attitudes for u in main] == [("-XVV (yawed 180 deg)",)]


def test_refusals(march6: Configuration) -> None:
    soyuz = march6.part("Soyuz MS-19")
    with pytest.raises(ConfigurationError, match="taken by Progress MS-18"):
        dock(march6, soyuz, "Zvezda.aft")
    with pytest.raises(ConfigurationError, match="has no port 'zenith'"):
        dock(march6, soyuz, "Zarya.zenith")
    with pytest.raises(ConfigurationError, match="already attached"):
        dock(march6, soyuz, "Prichal.fwd")
    with pytest.raises(ConfigurationError, match="not a visiting vehicle"):
        undock(march6, "Zvezda")
    with pytest.raises(ConfigurationError, match="no part named"):
        remove_part(march6, "Mir")


def test_moving_crew_changes_who_is_stranded(march6: Configuration) -> None:
    """Vande Hei moved into Zvezda before the separation leaves with the ROS and his
    Soyuz: the USOS then strands nobody."""
    moved, change = move_crew(march6, "Mark Vande Hei", "Zvezda")
    assert change.crew == ("Mark Vande Hei",) and "Harmony to Zvezda" in change.summary
    alone = separate_segments(moved)
    assert crew_return(alone[Segment.USOS]).without_seat == ()
    assert "Mark Vande Hei" in [m.name for m in alone[Segment.ROS].crew]
    assert crew_return(alone[Segment.ROS]).without_seat == ()


def test_seat_reassignment(march6: Configuration) -> None:
    """Dragon's four seats are taken: a fifth assignment is refused; freeing one allows it."""
    with pytest.raises(ConfigurationError, match="no free seat"):
        assign_seat(march6, "Mark Vande Hei", "Crew Dragon Endurance")
    freed, _ = assign_seat(march6, "Raja Chari", None)
    moved, change = assign_seat(freed, "Mark Vande Hei", "Crew Dragon Endurance")
    assert "Soyuz MS-19 to Crew Dragon Endurance" in change.summary
    assert crew_return(moved).without_seat == ("Raja Chari",)
    with pytest.raises(ConfigurationError, match="no free seat"):
        assign_seat(march6, "Raja Chari", "Progress MS-19")  # no seats at all


def test_propellant_transfer(march6: Configuration) -> None:
    """Progress MS-19's 430 kg of refuelling cargo into Zarya: mass conserved, the cargo
    emptied first; too much, a reserved source, or a full target are refused."""
    moved, change = transfer_propellant(march6, "Progress MS-19", "Zarya", 430.0)
    assert change.propellant_kg == 430.0
    assert moved.mass_kg == pytest.approx(march6.mass_kg, abs=1e-6)
    assert moved.part("Progress MS-19").propellant.cargo_kg == 0.0  # type: ignore[union-attr]
    assert moved.part("Zarya").propellant.load_kg == 3230.0  # type: ignore[union-attr]
    with pytest.raises(ConfigurationError, match="holds less"):
        transfer_propellant(march6, "Progress MS-19", "Zarya", 5000.0)
    with pytest.raises(ConfigurationError, match="reserved"):
        transfer_propellant(march6, "Soyuz MS-19", "Zarya", 10.0)
    with pytest.raises(ConfigurationError, match="cannot take"):
        transfer_propellant(march6, "Progress MS-19", "Zvezda", 100.0)
    with pytest.raises(ConfigurationError, match="positive"):
        transfer_propellant(march6, "Progress MS-19", "Zarya", 0.0)
