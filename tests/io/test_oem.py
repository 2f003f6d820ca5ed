"""CCSDS OEM reading and writing (KVN and XML): round trips, every error case with its message,
random mutations (hypothesis), and a file written by Orekit.

References: CCSDS 502.0-B-3 (Orbit Data Messages, 2023), section 5, for the KVN keywords, the
ephemeris lines and the covariance blocks; CCSDS 505.0-B-3 (NDM/XML) for the XML layout.
``KVN`` follows the layout of the standard's OEM examples (two segments, the second with
accelerations and a covariance block), with numbers of its own. ``tests/reference/oem`` holds an
OEM written by Orekit 13.1.9 and the script that made it (see its README).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stationsim.errors import OEMError
from stationsim.io import OEM, OEMSegment, format_oem_kvn, format_oem_xml, parse_oem
from stationsim.propagation.kepler import Elements, state_from_elements
from stationsim.time import Epoch, Timescale

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "oem"
KVN = """CCSDS_OEM_VERS = 3.0
COMMENT Two segments of a made-up LEO ephemeris, for tests
CREATION_DATE = 2022-066T12:00:00
ORIGINATOR = TEST
MESSAGE_ID = OEM-TEST-0001

META_START
COMMENT first segment: GCRF, no accelerations
OBJECT_NAME = TESTSAT
OBJECT_ID = 2022-999A
CENTER_NAME = EARTH
REF_FRAME = GCRF
TIME_SYSTEM = UTC
START_TIME = 2022-03-07T00:00:00
USEABLE_START_TIME = 2022-03-07T00:00:00
USEABLE_STOP_TIME = 2022-03-07T00:02:00
STOP_TIME = 2022-03-07T00:02:00.000Z
INTERPOLATION = HERMITE
INTERPOLATION_DEGREE = 5
META_STOP

COMMENT states from a two-body fit
2022-03-07T00:00:00.000 -3927.876684 -1586.793541 5300.417827 3.460375 -6.821806 0.523252
2022-03-07T00:01:00.000 -3711.395560 -1992.145733 5319.620383 3.752898 -6.684762 0.116590
2022-03-07T00:02:00.000 -3477.873736 -2388.351094 5314.398159 4.028181 -6.517029 -0.290595

META_START
OBJECT_NAME = TESTSAT
OBJECT_ID = 2022-999A
CENTER_NAME = EARTH
REF_FRAME = ITRF2014
TIME_SYSTEM = UTC
START_TIME = 2022-03-07T00:02:00
STOP_TIME = 2022-03-07T00:03:00
META_STOP

2022-03-07T00:02:00 1.0e3 2.0E+03 -3.5e3 1.5 -2.5 7.0 5.0e-3 2.0e-3 -6.7e-3
2022-03-07T00:03:00 1001.0 2002.0 -3500.5 1.6 -2.4 7.1 4.9e-3 2.1e-3 -6.8e-3

COVARIANCE_START
EPOCH = 2022-03-07T00:02:00
COV_REF_FRAME = RTN
3.3e-04
4.6e-04 6.2e-04
-3.1e-04 -3.4e-04 2.1e-04
-3.4e-07 -2.2e-07 1.8e-07 1.8e-10
-4.7e-07 -3.5e-07 2.4e-07 2.6e-10 3.5e-10
-1.7e-07 -1.6e-07 1.1e-07 1.9e-10 2.4e-10 1.2e-10
COVARIANCE_STOP
"""
MANDATORY_HEADER = ("CCSDS_OEM_VERS", "CREATION_DATE", "ORIGINATOR")
MANDATORY_META = ("OBJECT_NAME", "OBJECT_ID", "CENTER_NAME", "REF_FRAME", "TIME_SYSTEM",
                  "START_TIME", "STOP_TIME")


def _line(text: str, start: str, nth: int = 1) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), 1) if line.startswith(start)]
    return lines[nth - 1]


def _error(text: str) -> OEMError:
    with pytest.raises(OEMError) as info:
        parse_oem(text, "test.oem")
    return info.value


def _states(ts: Timescale, count: int = 5, step_s: float = 60.0
            ) -> tuple[Epoch, np.ndarray, np.ndarray]:
    """A two-body LEO arc in GCRF: epochs, positions [m], velocities [m/s]."""
    t0 = ts.utc(2022, 3, 7, 0, 0, 0.25)
    t = np.arange(count) * step_s
    mean = np.radians(10.0) + np.sqrt(3.986004418e14 / 6.79e6**3) * t
    el = Elements(np.full(count, 6.79e6), np.full(count, 7e-4), np.full(count, 0.9),
                  np.full(count, 2.1), np.full(count, 1.3), mean)
    r, v = state_from_elements(el)
    return t0 + t, r, v


# --- reading ------------------------------------------------------------------------------------
def test_reads_the_example(ts: Timescale) -> None:
    oem = parse_oem(KVN, "test.oem")
    assert (oem.version, oem.creation_date, oem.originator, oem.message_id) == (
        "3.0", "2022-03-07T12:00:00", "TEST", "OEM-TEST-0001")
    assert oem.comments == ("Two segments of a made-up LEO ephemeris, for tests",)
    first, second = oem.segments
    assert (first.object_name, first.object_id, first.center_name, first.ref_frame,
            first.time_system) == ("TESTSAT", "2022-999A", "EARTH", "GCRF", "UTC")
    assert (first.start_time, first.stop_time) == ("2022-03-07T00:00:00",
                                                   "2022-03-07T00:02:00.000")
    assert (first.useable_start_time, first.useable_stop_time) == (
        "2022-03-07T00:00:00", "2022-03-07T00:02:00")
    assert (first.interpolation, first.interpolation_degree) == ("HERMITE", 5)
    assert first.comments == ("first segment: GCRF, no accelerations",)
    assert first.data_comments == ("states from a two-body fit",)
    assert first.positions_m.shape == (3, 3) and first.accelerations_m_s2 is None
    assert first.positions_m[0, 0] == -3927876.684
    assert first.velocities_m_s[2, 2] == pytest.approx(-290.595, rel=1e-15)
    assert not first.positions_m.flags.writeable
    assert second.ref_frame == "ITRF2014" and second.accelerations_m_s2 is not None
    assert second.positions_m[0].tolist() == [1e6, 2e6, -3.5e6]
    assert second.accelerations_m_s2[1].tolist() == pytest.approx([4.9, 2.1, -6.8], rel=1e-15)
    assert second.epochs_iso == ("2022-03-07T00:02:00", "2022-03-07T00:03:00")
    epochs = first.epochs(ts)
    assert epochs[0].iso(3) == "2022-03-07T00:00:00.000Z"
    assert (epochs - epochs[0]).tolist() == [0.0, 60.0, 120.0]


def _tiny(system: str, *epochs: str) -> str:
    """A one-segment OEM of the given epochs (states made up)."""
    lines = "".join(f"{epoch} 7000 0 0 0 7.5 0\n" for epoch in epochs)
    return (f"CCSDS_OEM_VERS = 2.0\nCREATION_DATE = 2022-03-07T00:00:00\nORIGINATOR = X\n"
            f"META_START\nOBJECT_NAME = X\nOBJECT_ID = X\nCENTER_NAME = EARTH\n"
            f"REF_FRAME = EME2000\nTIME_SYSTEM = {system}\nSTART_TIME = {epochs[0]}\n"
            f"STOP_TIME = {epochs[-1]}\nMETA_STOP\n{lines}")


def test_other_time_systems_name_the_same_instants(ts: Timescale) -> None:
    """2022-03-07 00:00:00 UTC is 00:00:37 TAI (TAI - UTC = 37 s since 2017),
    00:01:09.184 TT and 00:00:18 GPS."""
    utc = parse_oem(KVN).segments[0].epochs(ts)[0]
    for system, clock in (("TAI", "00:00:37"), ("TT", "00:01:09.184"), ("GPS", "00:00:18")):
        segment = parse_oem(_tiny(system, f"2022-03-07T{clock}")).segments[0]
        assert segment.time_system == system
        assert abs(float(segment.epochs(ts)[0] - utc)) < 1e-9
    tdb = parse_oem(_tiny("TDB", "2022-03-07T00:00:00")).segments[0]
    with pytest.raises(OEMError, match="time system TDB cannot be converted"):
        tdb.epochs(ts)


def test_day_of_year_epochs_and_leap_second(ts: Timescale) -> None:
    seg = parse_oem(KVN.replace("2022-03-07T00:01:00.000", "2022-066T00:01:00.000")).segments[0]
    assert seg.epochs_iso[1] == "2022-03-07T00:01:00.000"
    leap = ("2016-12-31T23:59:59", "2016-366T23:59:60.500Z", "2017-01-01T00:00:00")
    seg = parse_oem(_tiny("UTC", *leap)).segments[0]
    assert seg.epochs_iso[1] == "2016-12-31T23:59:60.500"
    assert (seg.epochs(ts) - seg.epochs(ts)[0]).tolist() == [0.0, 1.5, 2.0]
    err = _error(_tiny("TAI", *leap))
    assert "bad epoch (time of day out of range)" in str(err)


def test_covariance_block_skipped() -> None:
    with_cov = parse_oem(KVN)
    without = parse_oem(KVN[: KVN.index("COVARIANCE_START")])
    assert np.array_equal(with_cov.segments[1].positions_m, without.segments[1].positions_m)
    err = _error(KVN.replace("COVARIANCE_STOP\n", ""))
    assert str(err) == (f"test.oem, line {_line(KVN, 'COVARIANCE_START')}: COVARIANCE_START "
                        "without COVARIANCE_STOP; expected COVARIANCE_STOP, found end of text")
    err = _error(KVN + "2022-03-07T00:03:30 1 2 3 4 5 6 7 8 9\n")
    assert "ephemeris line after the covariance data" in str(err)
    second = "\nMETA_START\nOBJECT_NAME"
    err = _error(KVN.replace(second, "COVARIANCE_STOP" + second))
    assert "COVARIANCE_STOP out of place" in str(err)


# --- writing ------------------------------------------------------------------------------------
def _close(a: OEMSegment, b: OEMSegment, ts: Timescale) -> None:
    assert np.abs(a.positions_m - b.positions_m).max() < 1e-3
    assert np.abs(a.velocities_m_s - b.velocities_m_s).max() < 1e-6
    assert np.abs(a.epochs(ts) - b.epochs(ts)).max() < 1e-6
    for name in ("object_name", "object_id", "center_name", "ref_frame", "time_system",
                 "start_time", "stop_time", "useable_start_time", "useable_stop_time",
                 "interpolation", "interpolation_degree", "comments", "data_comments"):
        assert getattr(a, name) == getattr(b, name), name
    if a.accelerations_m_s2 is None:
        assert b.accelerations_m_s2 is None
    else:
        assert b.accelerations_m_s2 is not None
        assert np.abs(a.accelerations_m_s2 - b.accelerations_m_s2).max() < 1e-9


@pytest.mark.parametrize("writer", [format_oem_kvn, format_oem_xml], ids=["kvn", "xml"])
def test_round_trip_multi_segment(writer: Callable[[OEM], str], ts: Timescale) -> None:
    epochs, r, v = _states(ts)
    first = OEMSegment.from_states(epochs[:3], r[:3], v[:3], object_name="ISS & <friends>",
                                   object_id="1998-067A", ref_frame="EME2000",
                                   interpolation="LAGRANGE", interpolation_degree=7,
                                   comments=("made by the test",))
    second = OEMSegment.from_states(epochs[2:], r[2:], v[2:], object_name="ISS",
                                    object_id="1998-067A", ref_frame="TEME",
                                    accelerations_m_s2=-r[2:] * 1e-6)
    oem = OEM((first, second), "TEST", "2022-03-07T00:00:00", "ID-1", comments=("hello",))
    back = parse_oem(writer(oem))
    assert (back.originator, back.creation_date, back.message_id, back.comments) == (
        "TEST", "2022-03-07T00:00:00", "ID-1", ("hello",))
    for mine, read in zip(oem.segments, back.segments, strict=True):
        _close(mine, read, ts)
    assert parse_oem(writer(back)).segments[1].epochs_iso == second.epochs_iso
    assert first.start_time == "2022-03-07T00:00:00.250000000"
    assert np.array_equal(back.segments[0].positions_m, first.positions_m)  # exact in practice


def test_example_written_and_read_back_unchanged() -> None:
    oem = parse_oem(KVN)
    for text in (format_oem_kvn(oem), format_oem_xml(oem)):
        back = parse_oem(text)
        for mine, read in zip(oem.segments, back.segments, strict=True):
            assert read.epochs_iso == mine.epochs_iso
            assert np.array_equal(read.positions_m, mine.positions_m)
            assert np.array_equal(read.velocities_m_s, mine.velocities_m_s)
    assert "CREATION_DATE" in format_oem_kvn(OEM(oem.segments))  # None: the time of writing


def test_segment_checks_its_arrays(ts: Timescale) -> None:
    epochs, r, v = _states(ts)
    with pytest.raises(ValueError, match="shape"):
        OEMSegment.from_states(epochs, r[:2], v, object_name="X", object_id="Y", ref_frame="GCRF")
    with pytest.raises(ValueError, match="at least one segment"):
        OEM(())


# --- errors -------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", MANDATORY_HEADER + MANDATORY_META)
def test_missing_mandatory_keyword_kvn(key: str) -> None:
    text = re.sub(rf"(?m)^{key} = .*\n", "", KVN, count=1)
    if key == "CCSDS_OEM_VERS":
        assert "must start with CCSDS_OEM_VERS" in str(_error(text))
        return
    err = _error(text)
    label = "header" if key in MANDATORY_HEADER else "segment 1 metadata"
    line = 1 if key in MANDATORY_HEADER else _line(KVN, "META_START")
    assert str(err) == (f"test.oem, line {line}: {label}: missing mandatory keyword {key}; "
                        f"expected {key}, found no such keyword")


@pytest.mark.parametrize("key", MANDATORY_HEADER + MANDATORY_META)
def test_missing_mandatory_keyword_xml(key: str) -> None:
    xml = format_oem_xml(parse_oem(KVN))
    if key == "CCSDS_OEM_VERS":
        text = xml.replace(' version="3.0"', "")
    else:
        text = re.sub(rf"<{key}>[^<]*</{key}>", "", xml, count=1)
    err = _error(text)
    assert f"missing mandatory keyword {key}" in str(err) and err.expected == key


@pytest.mark.parametrize("key", MANDATORY_META)
def test_empty_mandatory_value(key: str) -> None:
    err = _error(re.sub(rf"(?m)^{key} = .*$", f"{key} =", KVN, count=1))
    assert f"empty {key}" in str(err) and err.line == _line(KVN, f"{key} =")


def test_bad_numbers() -> None:
    line = _line(KVN, "2022-03-07T00:01:00.000")
    err = _error(KVN.replace("-1992.145733", "-1992.1x5733"))
    assert str(err) == (f"test.oem, line {line}, column 38: ephemeris line: bad number; "
                        "expected a decimal number such as 6778.137, found '-1992.1x5733'")
    assert "bad number" in str(_error(KVN.replace("5319.620383", "nan")))
    err = _error(KVN.replace("5319.620383", "1e999"))
    assert "number out of range" in str(err) and err.column == 51
    err = _error(KVN.replace("5319.620383", "1e307"))
    assert "ephemeris line: number out of range" in str(err) and err.line == line
    err = _error(KVN.replace("INTERPOLATION_DEGREE = 5", "INTERPOLATION_DEGREE = five"))
    assert "bad INTERPOLATION_DEGREE" in str(err) and err.column == 24


@pytest.mark.parametrize(("old", "new", "found"), [
    (" 0.116590\n", "\n", "5 numbers"),
    (" 0.116590\n", " 0.116590 1.0 2.0\n", "8 numbers"),
    (" 0.116590\n", " 0.116590 1.0 2.0 3.0\n", "9 numbers"),
    ("2022-03-07T00:01:00.000 -3711.395560", "2022-03-07T00:01:00.000", "5 numbers"),
])
def test_wrong_count_of_numbers(old: str, new: str, found: str) -> None:
    err = _error(KVN.replace(old, new))
    assert "ephemeris line: wrong count of numbers" in str(err)
    assert err.line == _line(KVN, "2022-03-07T00:01:00.000") and err.found == found


def test_epochs_increasing_and_inside_the_span() -> None:
    line = _line(KVN, "2022-03-07T00:01:00.000")
    err = _error(KVN.replace("2022-03-07T00:01:00.000 -3711", "2022-03-07T00:00:00.000 -3711"))
    assert str(err) == (f"test.oem, line {line}, column 1: ephemeris line: epochs not "
                        "increasing; expected after 2022-03-07T00:00:00.000, found "
                        "2022-03-07T00:00:00.000")
    err = _error(KVN.replace("2022-03-07T00:01:00.000 -3711", "2022-03-06T23:59:00.000 -3711"))
    assert "epochs not increasing" in str(err)
    err = _error(KVN.replace("STOP_TIME = 2022-03-07T00:02:00.000Z", "STOP_TIME = "
                             "2022-03-07T00:01:30").replace("USEABLE_STOP_TIME = ", "COMMENT "))
    assert "epoch outside START_TIME..STOP_TIME" in str(err)
    assert err.line == _line(KVN, "2022-03-07T00:02:00.000")
    err = _error(KVN.replace("USEABLE_STOP_TIME = 2022-03-07T00:02:00", "USEABLE_STOP_TIME = "
                             "2022-03-07T00:03:00"))
    assert "STOP_TIME before USEABLE_STOP_TIME" in str(err)


@pytest.mark.parametrize("epoch", ["2022-13-07T00:01:00", "2022-366T00:01:00", "yesterday",
                                   "2022-03-07T24:01:00", "2022-03-07T00:01"])
def test_bad_epoch(epoch: str) -> None:
    err = _error(KVN.replace("2022-03-07T00:01:00.000 ", f"{epoch} "))
    assert "bad epoch" in str(err) and err.line == _line(KVN, "2022-03-07T00:01:00.000")


def test_meta_start_stop_pairing() -> None:
    err = _error(KVN.replace("INTERPOLATION_DEGREE = 5\nMETA_STOP\n", "INTERPOLATION_DEGREE = 5\n"))
    assert "not a KVN line" in str(err)  # the ephemeris line is not a metadata keyword
    cut = KVN[: KVN.index("INTERPOLATION_DEGREE")]
    err = _error(cut)
    assert str(err) == (f"test.oem, line {_line(KVN, 'META_START')}: META_START without "
                        "META_STOP; expected META_STOP, found end of text")
    err = _error(cut + "META_START\n")
    assert "META_START without META_STOP" in str(err)
    err = _error(KVN.replace("META_START\nCOMMENT first", "COMMENT first"))
    assert "keyword OBJECT_NAME belongs in the metadata" in str(err)
    assert "META_STOP without META_START" in str(_error(KVN + "META_STOP\n"))
    assert "segment without ephemeris data" in str(_error(cut + "META_STOP\n"))


def test_other_errors() -> None:
    assert "the text is empty" in str(_error(" \n"))
    assert "no segment" in str(_error(KVN[: KVN.index("META_START")]))
    assert "must start with CCSDS_OEM_VERS" in str(_error("OBJECT_NAME = X\n"))
    assert "not a KVN line" in str(_error("CCSDS_OEM_VERS = 3.0\nhello\n"))
    assert "unsupported CCSDS_OEM_VERS" in str(_error(KVN.replace("= 3.0", "= 9.9")))
    assert "unexpected keyword" in str(_error(KVN.replace("OBJECT_ID", "OBJECT_IDENT")))
    assert "given twice" in str(_error(KVN.replace("CENTER_NAME = EARTH",
                                                   "CENTER_NAME = EARTH\nCENTER_NAME = MOON")))
    assert "unknown TIME_SYSTEM" in str(_error(KVN.replace("= UTC", "= LOCAL")))
    assert "after META_STOP" in str(_error(KVN.replace("COMMENT states", "OBJECT_NAME = X")))
    assert "COMMENT out of place" in str(_error(KVN.replace("COVARIANCE_START", "COMMENT x")))


def test_xml_errors() -> None:
    xml = format_oem_xml(parse_oem(KVN))
    err = _error(xml.replace('<Y units="km">-1992.145733</Y>', ""))
    assert "<stateVector> without <Y>" in str(err)
    err = _error(xml.replace('<X units="km">-3711.39556</X>', '<X units="m">-3711.39556</X>'))
    assert "element <X>: wrong units; expected [km], found [m]" in str(err)
    assert "malformed XML" in str(_error(xml.replace("</oem>", "")))
    assert "XML root is not an OEM" in str(_error("<omm/>"))
    assert "unexpected <foo>" in str(_error(xml.replace("<stateVector>", "<foo/><stateVector>",
                                                        1)))
    ndm = xml.replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "<ndm>") + "</ndm>"
    assert len(parse_oem(ndm).segments) == 2
    assert "needs one <oem>" in str(_error(ndm.replace("</ndm>", "<oem/></ndm>")))
    covariance = "<covarianceMatrix><EPOCH>2022-03-07T00:02:00</EPOCH></covarianceMatrix>"
    with_cov = parse_oem(xml.replace("</data>\n    </segment>\n  </body>",
                                     f"{covariance}</data>\n    </segment>\n  </body>"))
    assert len(with_cov.segments[1].epochs_iso) == 2


def test_xml_doctype_and_entities_refused() -> None:
    evil = ('<?xml version="1.0"?>\n<!DOCTYPE oem [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
            "<oem><header><ORIGINATOR>&x;</ORIGINATOR></header></oem>")
    err = _error(evil)
    assert "document type declaration (DOCTYPE) is refused" in str(err) and err.line == 2
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;">]><oem>&lol2;</oem>')
    assert "DOCTYPE" in str(_error(bomb))


# --- a file written by another tool -------------------------------------------------------------
def test_reads_orekit_oem(ts: Timescale) -> None:
    """Orekit's two-body ephemeris agrees with stationsim's Kepler kernel on the orbit that the
    file states: positions to 1 mm, velocities to 1e-6 m/s, accelerations to 1e-9 m/s**2."""
    oem = parse_oem((REFERENCE / "orekit_leo_kepler.oem").read_text(encoding="ascii"),
                    "orekit_leo_kepler.oem")
    assert (oem.version, oem.originator, oem.message_id) == ("3.0", "OREKIT", "LEO-KEPLER-1")
    (seg,) = oem.segments
    assert (seg.ref_frame, seg.time_system, seg.center_name) == ("GCRF", "UTC", "EARTH")
    assert (seg.interpolation, seg.interpolation_degree) == ("LAGRANGE", 7)
    stated = ("a 6790000.0 m, e 0.0007, i 51.64 deg, RAAN 120.0 deg, argp 75.0 deg, "
              "M 10.0 deg, mu 398600441500000.0 m**3/s**2")
    assert stated in seg.comments[1] and seg.comments[1].startswith("epoch 2022-03-06T00:00:00")
    epochs = seg.epochs(ts)
    t = epochs - ts.utc(2022, 3, 6)
    assert np.array_equal(t, np.arange(91) * 60.0)
    mu = 3.986004415e14
    count = t.size
    el = Elements(np.full(count, 6.79e6), np.full(count, 7e-4), np.full(count, np.radians(51.64)),
                  np.full(count, np.radians(120.0)), np.full(count, np.radians(75.0)),
                  np.radians(10.0) + np.sqrt(mu / 6.79e6**3) * t)
    r, v = state_from_elements(el, mu)
    assert np.abs(seg.positions_m - r).max() < 1e-3
    assert np.abs(seg.velocities_m_s - v).max() < 1e-6
    gravity = -mu * r / np.linalg.norm(r, axis=1)[:, None] ** 3
    assert seg.accelerations_m_s2 is not None
    assert np.abs(seg.accelerations_m_s2 - gravity).max() < 1e-9


# --- properties ---------------------------------------------------------------------------------
_NAMES = st.text(st.sampled_from("ABCXYZ019 -_/&<>()"), min_size=1, max_size=12).map(
    str.strip).filter(bool)


@st.composite
def _segments(draw: st.DrawFn, ts: Timescale) -> OEMSegment:
    count = draw(st.integers(1, 6))
    start = ts.utc(draw(st.integers(1990, 2025)), 1, draw(st.floats(1.0, 365.0)))
    steps = draw(st.lists(st.floats(1e-3, 1e5), min_size=count, max_size=count))
    coords = st.floats(-1e8, 1e8, allow_nan=False)
    rates = st.floats(-2e4, 2e4, allow_nan=False)
    r = np.array(draw(st.lists(coords, min_size=3 * count, max_size=3 * count)))
    v = np.array(draw(st.lists(rates, min_size=3 * count, max_size=3 * count)))
    a = draw(st.none() | st.just(v * 1e-3))
    return OEMSegment.from_states(
        start + (np.cumsum(steps) - steps[0]), r.reshape(count, 3), v.reshape(count, 3),
        accelerations_m_s2=None if a is None else a.reshape(count, 3),
        object_name=draw(_NAMES), object_id=draw(_NAMES),
        ref_frame=draw(st.sampled_from(["GCRF", "EME2000", "ITRF", "ITRF2020", "TEME"])),
        interpolation=draw(st.none() | st.just("LAGRANGE")),
        interpolation_degree=draw(st.none() | st.integers(1, 15)))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_random_ephemerides_round_trip(ts: Timescale, data: st.DataObject) -> None:
    segments = tuple(data.draw(st.lists(_segments(ts), min_size=1, max_size=3)))
    oem = OEM(segments, originator=data.draw(_NAMES), creation_date="2022-03-07T00:00:00")
    for writer in (format_oem_kvn, format_oem_xml):
        back = parse_oem(writer(oem), "random.oem")
        assert back.originator == oem.originator
        for mine, read in zip(oem.segments, back.segments, strict=True):
            _close(mine, read, ts)


_PIECES = ["META_START", "META_STOP", "COVARIANCE_START", "COVARIANCE_STOP", "COMMENT", "=",
           "UTC", "TAI", "2022-03-07T00:01:00", "2022-066T00:00:00Z", "1e999", "-", ".", "<",
           "</X>", "<stateVector>", "&lt;", "<!DOCTYPE x>", "units=\"m\"", "\t", "\ud800"]


@st.composite
def _mutated(draw: st.DrawFn, base: str) -> str:
    lines = base.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["token", "char", "delete", "duplicate", "insert", "swap"]))
        index = draw(st.integers(0, len(lines) - 1)) if lines else 0
        if kind == "insert" or not lines:
            lines.insert(index, draw(st.sampled_from(_PIECES) | st.text(max_size=30)))
        elif kind == "delete":
            del lines[index]
        elif kind == "duplicate":
            lines.insert(index, lines[index])
        elif kind == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif kind == "token":
            tokens = lines[index].split(" ") or [""]
            tokens[draw(st.integers(0, len(tokens) - 1))] = draw(
                st.sampled_from(_PIECES) | st.text(max_size=8))
            lines[index] = " ".join(tokens)
        else:
            line = lines[index]
            where = draw(st.integers(0, len(line)))
            lines[index] = line[:where] + draw(st.characters()) + line[where + 1:]
    return "\n".join(lines)


_XML = format_oem_xml(parse_oem(KVN))


@settings(max_examples=300, deadline=None)
@given(_mutated(KVN) | _mutated(_XML))
def test_mutations_parse_or_raise_oem_error(text: str) -> None:
    try:
        oem = parse_oem(text, "mutated.oem")
    except OEMError as exc:
        assert exc.source == "mutated.oem" and exc.expected is not None
    else:
        assert all(len(seg.epochs_iso) == seg.positions_m.shape[0] for seg in oem.segments)
