"""The Russian segment undocks at PMA-1: two stations, each with its own mass, area and
capabilities. The figures are those derived in docs/station.md (sec. "Separation at PMA-1"),
in the nominal environment of conftest.py (418 km, beta 0, night glider)."""

from __future__ import annotations

import math

import pytest

from stationsim.station import (
    Configuration,
    Environment,
    Segment,
    capabilities,
    crew_return,
    cross_section,
    detach,
    rocket_delta_v,
    separate_segments,
)

G0 = 9.80665


def test_detach_at_pma1_gives_the_two_segments(march6: Configuration) -> None:
    """Cutting PMA-1.aft leaves the USOS (with PMA-1, the root Unity, Cygnus and Dragon)
    and sends the ROS away with its three vehicles and two cosmonauts; no mass is lost."""
    usos, ros, change = detach(march6, "PMA-1.aft")
    assert {p.segment for p in usos.parts} == {Segment.USOS}
    assert {p.segment for p in ros.parts} == {Segment.ROS}
    assert ros.root == "Zarya" and usos.root == "Unity"
    assert usos.mass_kg + ros.mass_kg == pytest.approx(march6.mass_kg, abs=1e-6)
    assert change.mass_after_kg == pytest.approx(usos.mass_kg)
    assert {m.name for m in ros.crew} == {"Anton Shkaplerov", "Pyotr Dubrov"}
    alone = separate_segments(march6)
    assert set(alone[Segment.ROS].names) == set(ros.names)


def test_segment_masses(march6: Configuration) -> None:
    """ROS: modules 71,343 + outfitting 31,580 + Zarya and Zvezda propellant 3,600 + Soyuz
    MS-19 7,152 + Progress MS-18 6,740 + Progress MS-19 7,300 = 127,715 kg. USOS: elements
    and truss 223,368 + outfitting 50,270 + Cygnus 5,600 + Dragon 12,500 = 291,738 kg
    (docs/station.md; exact to 1 kg)."""
    alone = separate_segments(march6)
    assert alone[Segment.ROS].mass_kg == pytest.approx(127_715.0, abs=1.0)
    assert alone[Segment.USOS].mass_kg == pytest.approx(291_738.0, abs=1.0)


def test_segment_areas(march6: Configuration, nominal: Environment) -> None:
    """Orbit-averaged cross-sections at beta 0, night glider (docs/station.md): wings
    8 x 209.9 m^2 x 0.448 (the night-glider fraction: ((1 + cos psi) / pi + 0.05 f_e, psi =
    pi f_e, f_e = 0.3878) = 750.6 m^2 on the USOS and 2 x 42.8 x max(|sin u|, 0.05) = 54.6 m^2
    on Zvezda; bodies from the silhouettes. Regression of that derivation: 1 %."""
    alone = separate_segments(march6)
    beta, eclipse = nominal.beta_rad, nominal.eclipse_fraction
    ros = cross_section(alone[Segment.ROS], beta, eclipse)
    usos = cross_section(alone[Segment.USOS], beta, eclipse)
    whole = cross_section(march6, beta, eclipse)
    psi = math.pi * eclipse
    glide = (1.0 + math.cos(psi)) / math.pi + 0.05 * eclipse
    assert usos.wings_m2 == pytest.approx(8 * 209.9 * glide, rel=2e-3)
    assert ros.wings_m2 == pytest.approx(54.6, rel=0.01)
    assert ros.area_m2 == pytest.approx(171.1, rel=0.01)
    assert usos.area_m2 == pytest.approx(1375.0, rel=0.01)
    assert whole.area_m2 == pytest.approx(1508.4, rel=0.01)
    # Parts hide one another in the whole station: the two alone show more than it does.
    assert ros.area_m2 + usos.area_m2 > whole.area_m2


def test_usos_alone(march6: Configuration, nominal: Environment) -> None:
    """USOS alone (the documented example): no reboost propulsion (Cygnus's Isp and propellant
    are unknown, Dragon's propellant is reserved), CMGs without desaturation thrusters that fill
    in about 0.8 h in the whole station's attitude (regression of docs/station.md, 10 %),
    a power surplus, 4 seats on Dragon, and Vande Hei's seat gone with the ROS."""
    usos = capabilities(separate_segments(march6)[Segment.USOS], nominal)
    assert usos.propulsion.delta_v_m_s == 0.0 and not usos.propulsion.reboost_possible
    assert usos.attitude.cmg_count == 4 and usos.attitude.desaturation_thrusters == ()
    assert usos.attitude.hours_to_saturation == pytest.approx(0.83, rel=0.10)
    assert usos.power.balance_kw > 50.0
    assert usos.crew.seats == {"Crew Dragon Endurance": 4}
    assert usos.crew.without_seat == ("Mark Vande Hei",)


def test_ros_alone(march6: Configuration, nominal: Environment) -> None:
    """ROS alone: reboost from Zvezda's engines (network propellant 2,800 + 800 + 430 kg)
    and Progress MS-18 (880 kg), all at 302 s: dv = 302 g0 ln(m / (m - 4,910 kg)); no CMGs;
    a power deficit of about 30 kW (its 32.4 kW load against Zvezda's two small wings)."""
    ros = capabilities(separate_segments(march6)[Segment.ROS], nominal)
    m = ros.mass_kg
    assert ros.propulsion.delta_v_m_s == pytest.approx(
        302 * G0 * math.log(m / (m - 4910.0)), rel=1e-9)
    assert ros.propulsion.attitude == "XVV"
    assert ros.attitude.cmg_count == 0 and ros.attitude.hours_to_saturation is None
    assert ros.attitude.desaturation_thrusters  # thrusters hold attitude
    assert ros.power.balance_kw == pytest.approx(-29.9, abs=1.0)
    assert crew_return(ros.config).seats == {"Soyuz MS-19": 3}


def test_whole_station_at_torque_equilibrium(march6: Configuration,
                                             nominal: Environment) -> None:
    """The whole ISS flies its own torque-equilibrium attitude: no secular torque, so no
    momentum build-up; reboost dv 302 g0 ln(m / (m - 4,910 kg)) = 34.9 m/s; the ROS draws
    about 30 kW from the USOS arrays."""
    whole = capabilities(march6, nominal)
    assert abs(whole.attitude.secular_torque_nm) < 1e-6
    assert whole.attitude.hours_to_saturation is None
    assert whole.propulsion.delta_v_m_s == pytest.approx(
        rocket_delta_v(302.0, march6.mass_kg, 4910.0), rel=1e-9)
    assert whole.propulsion.delta_v_m_s == pytest.approx(34.9, abs=0.05)
    assert whole.power.imports_kw(Segment.ROS) == pytest.approx(29.9, abs=1.0)
    assert whole.power.imports_kw(Segment.USOS) == 0.0
