"""The bundled ISS of March 2022 reproduces the published facts it is built from.

References: the facts compiled for the data set (module table, vehicle and crew tables, CMG
figures), each with its source in the bundled file: NASA facts and figures (419,455 kg, H),
Boeing's Motion Control Subsystem sheet (4 CMGs x 4,880 N m s, H), NASA status report 00-29
(Zvezda's 2 x 690 lbf engines, H), the vehicle and crew pages of March 2022 (M).
"""

from __future__ import annotations

import pytest

from stationsim.station import (
    Configuration,
    PartKind,
    Segment,
    StationRecord,
    crew_return,
    propulsion,
)
from stationsim.station.graph import path_between
from stationsim.time import Timescale

NASA_MASS_KG = 419_455.0
ROS_MODULES = {"Zarya", "Zvezda", "Poisk", "Rassvet", "Nauka", "Prichal"}
USOS_MODULES = {"Unity", "Destiny", "Quest", "Harmony", "Tranquility", "Cupola", "Columbus",
                "Kibo PM", "Kibo ELM-PS", "Leonardo PMM", "BEAM"}
TRUSS = {"Z1", "S0", "S1", "P1", "S3/S4", "P3/P4", "S5", "P5", "S6", "P6"}


def test_total_mass_within_5_percent_of_nasa(march6: Configuration,
                                             march18: Configuration) -> None:
    """NASA's 419,455 kg (facts and figures, H); the requirement is 5 %. On 2022-03-06 the
    file's allocation closes the budget (so within 1 kg); after Soyuz MS-21 (7,152 kg) the
    total is 1.7 % above and must stay within 5 %."""
    assert march6.mass_kg == pytest.approx(NASA_MASS_KG, abs=5.0)
    assert abs(march18.mass_kg / NASA_MASS_KG - 1.0) < 0.05
    assert march18.mass_kg - march6.mass_kg == pytest.approx(7152.0, abs=1.0)


def test_module_count_and_segments(march6: Configuration) -> None:
    """17 pressurised modules (6 ROS, 11 USOS), the 10 truss elements of the assembly table,
    3 PMAs and 2 IDAs, and Kibo's exposed facility (facts sec. 1a and 1b; exact)."""
    modules = {p.name for p in march6.parts if p.kind is PartKind.MODULE}
    assert modules == ROS_MODULES | USOS_MODULES
    assert {p.name for p in march6.parts if p.kind is PartKind.MODULE
            and p.segment is Segment.ROS} == ROS_MODULES
    assert {p.name for p in march6.parts if p.kind is PartKind.TRUSS} == TRUSS
    assert {p.name for p in march6.parts if p.kind is PartKind.ADAPTER} == {
        "PMA-1", "PMA-2", "PMA-3", "IDA-2", "IDA-3"}
    assert [p.name for p in march6.parts if p.kind is PartKind.EXTERNAL] == ["Kibo EF"]


def test_element_mass_sums_match_the_facts(record: StationRecord) -> None:
    """The facts' derived sums (sec. 1c, D): ROS modules 71,343 kg; USOS truss 117,831 kg;
    USOS pressurised elements and adapters 103,937 kg without PMA-2 (exact)."""
    mass = {p.name: p.mass_kg for p in record.parts}
    assert sum(mass[n] for n in ROS_MODULES) == 71_343
    assert sum(mass[n] for n in TRUSS) == 117_831
    usos = USOS_MODULES | {"PMA-1", "PMA-3", "IDA-2", "IDA-3"}
    assert sum(mass[n] for n in usos) == 103_937


@pytest.mark.parametrize(("vehicle", "port"), [
    ("Soyuz MS-19", "Rassvet.nadir"),
    ("Progress MS-18", "Zvezda.aft"),
    ("Progress MS-19", "Poisk.zenith"),
    ("Cygnus NG-17", "Unity.nadir"),
    ("Crew Dragon Endurance", "IDA-2.fwd"),
])
def test_vehicle_ports_on_march_6(march6: Configuration, vehicle: str, port: str) -> None:
    """Facts sec. 6a (M): which port each vehicle occupied; Dragon on Harmony forward
    through PMA-2 and IDA-2."""
    assert march6.port_of(vehicle) == port


def test_soyuz_ms_21_on_prichal_after_march_18(march6: Configuration,
                                               march18: Configuration) -> None:
    """Soyuz MS-21 docked at Prichal nadir on 2022-03-18 19:12:06 UTC (facts sec. 6a, M),
    the first use of Prichal."""
    assert not march6.has("Soyuz MS-21")
    assert march18.port_of("Soyuz MS-21") == "Prichal.nadir"


def test_joint_between_segments_is_zarya_pma1_unity(march6: Configuration) -> None:
    """The ROS/USOS joint is Zarya - PMA-1 - Unity (facts sec. 1b): the only link between
    non-vehicle parts of different segments is Zarya at PMA-1's aft port."""
    assert path_between(march6.links, "Zarya", "Unity") == ["Zarya", "PMA-1", "Unity"]
    joints = [k for k in march6.links
              if march6.segment_of_part(k.parent) is not march6.segment_of_part(k.child)]
    assert [k.where for k in joints] == ["PMA-1.aft"]


def test_seats_for_the_march_2022_crew(march6: Configuration,
                                       march18: Configuration) -> None:
    """Facts sec. 6b (M): seven aboard on 2022-03-06 with 3 + 4 seats, ten after 03-18 with
    3 + 3 + 4 = 10 (D); every crew member has a seat on an attached vehicle."""
    six, eighteen = crew_return(march6), crew_return(march18)
    assert len(six.crew) == 7 and six.seat_total == 7 and six.without_seat == ()
    assert six.seats == {"Soyuz MS-19": 3, "Crew Dragon Endurance": 4}
    assert len(eighteen.crew) == 10 and eighteen.seat_total == 10
    assert eighteen.without_seat == () and eighteen.free_seats == 0
    assert set(eighteen.assigned["Soyuz MS-21"]) == {"Oleg Artemyev", "Denis Matveev",
                                                     "Sergey Korsakov"}
    assert set(six.assigned["Soyuz MS-19"]) == {"Anton Shkaplerov", "Pyotr Dubrov",
                                                "Mark Vande Hei"}


def test_crew_after_soyuz_ms_19_left(record: StationRecord, ts: Timescale) -> None:
    """Soyuz MS-19 undocked 2022-03-30 07:21 UTC with Shkaplerov, Dubrov and Vande Hei
    (facts sec. 6c, M): seven remain, with MS-21 and Dragon seats."""
    after = record.configuration_at(ts.from_iso("2022-03-30T08:00:00Z"))
    assert not after.has("Soyuz MS-19")
    assert len(after.crew) == 7 and crew_return(after).without_seat == ()


def test_cmg_capacity(march6: Configuration) -> None:
    """Four double-gimbal CMGs on Z1, 4,880 N m s each (Boeing, H; the requirement quotes
    4,760-4,880): 19,520 N m s, all on the USOS."""
    cmg = [p for p in march6.parts if p.cmg_count]
    assert [p.name for p in cmg] == ["Z1"]
    assert cmg[0].cmg_count == 4
    assert 4760.0 <= cmg[0].cmg_momentum_nms <= 4880.0
    assert cmg[0].cmg_count * cmg[0].cmg_momentum_nms == pytest.approx(19_520.0)


def test_zvezda_main_engines(march6: Configuration) -> None:
    """Two main engines of 690 lbf = 3,069 N (NASA status report 00-29, H), firing forward
    (+x) from Zvezda's aft end: the station's reboost engines in XVV."""
    engines = [u for u in propulsion(march6).engines
               if u.part == "Zvezda" and u.engine.role == "main"]
    assert len(engines) == 1
    assert engines[0].engine.count == 2
    assert engines[0].engine.thrust_n == pytest.approx(690 * 4.4482216, rel=1e-3)
    assert engines[0].attitudes == ("XVV",)


def test_every_part_and_crew_member_is_cited(record: StationRecord) -> None:
    """Every entry of the bundled file names at least one source and a confidence tag
    (H, M, L, D or A), and every source key is described in the file."""
    for item in (*record.parts, *record.crew):
        assert item.citation.sources, item.name
        assert item.citation.confidence in ("H", "M", "L", "D", "A"), item.name
        assert set(item.citation.sources) <= set(record.sources), item.name
