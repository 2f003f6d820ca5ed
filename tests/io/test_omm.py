"""CCSDS OMM reading (KVN, XML, JSON) and writing, SGP4 from an OMM vs from the equivalent TLE,
and every error case with its message.

References: CCSDS 502.0-B-3 (Orbit Data Messages, 2023) for KVN keywords and units; the NDM/XML
schema for the XML layout; ``spacetrack_gp_iss_sample.json`` holds three records (2025-09-27,
2025-11-12, 2025-12-25) of the ISS exactly as served by Space-Track's gp API (values as strings,
epoch split into EPOCH and EPOCH_MICROSECONDS, the TLE lines alongside).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from stationsim.errors import OMMError
from stationsim.io.omm import format_omm_json, format_omm_kvn, format_omm_xml, parse_omm
from stationsim.io.tle import parse_tle
from stationsim.propagation.elements import GPElements
from stationsim.propagation.sgp4 import sgp4_teme_tsince

HERE = Path(__file__).resolve().parent
ISS_TLE = """ISS (ZARYA)
1 25544U 98067A   22066.87965278  .00007224  00000+0  13623-3 0  9990
2 25544  51.6433 118.2979 0004901 229.8721 120.0122 15.49615511329466
"""
KVN = """CCSDS_OMM_VERS = 3.0
COMMENT the ISS on 2022-03-07, written by hand from CelesTrak's TLE
CREATION_DATE = 2022-03-08T00:00:00
ORIGINATOR = TEST

OBJECT_NAME = ISS (ZARYA)
OBJECT_ID = 1998-067A
CENTER_NAME = EARTH
REF_FRAME = TEME
TIME_SYSTEM = UTC
MEAN_ELEMENT_THEORY = SGP4

EPOCH = 2022-066T21:06:42.000192
MEAN_MOTION = 15.49615511 [rev/day]
ECCENTRICITY = .0004901
INCLINATION = 51.6433 [deg]
RA_OF_ASC_NODE = 118.2979 [deg]
ARG_OF_PERICENTER = 229.8721 [deg]
MEAN_ANOMALY = 120.0122 [deg]
GM = 398600.8 [km**3/s**2]

EPHEMERIS_TYPE = 0
CLASSIFICATION_TYPE = U
NORAD_CAT_ID = 25544
ELEMENT_SET_NO = 999
REV_AT_EPOCH = 32946
BSTAR = .13623E-3 [1/ER]
MEAN_MOTION_DOT = .00007224 [rev/day**2]
MEAN_MOTION_DDOT = 0 [rev/day**3]
"""
XML = """<?xml version="1.0" encoding="UTF-8"?>
<ndm xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xsi:noNamespaceSchemaLocation="https://sanaregistry.org/r/ndmxml_unqualified/ndmxml-2.0.0-master-2.0.xsd">
<omm id="CCSDS_OMM_VERS" version="2.0">
<header><CREATION_DATE/><ORIGINATOR/></header>
<body><segment>
<metadata><OBJECT_NAME>ISS (ZARYA)</OBJECT_NAME><OBJECT_ID>1998-067A</OBJECT_ID>
<CENTER_NAME>EARTH</CENTER_NAME><REF_FRAME>TEME</REF_FRAME><TIME_SYSTEM>UTC</TIME_SYSTEM>
<MEAN_ELEMENT_THEORY>SGP4</MEAN_ELEMENT_THEORY></metadata>
<data><meanElements><EPOCH>2022-03-07T21:06:42.000192</EPOCH>
<MEAN_MOTION>15.49615511</MEAN_MOTION><ECCENTRICITY>.0004901</ECCENTRICITY>
<INCLINATION units="deg">51.6433</INCLINATION><RA_OF_ASC_NODE>118.2979</RA_OF_ASC_NODE>
<ARG_OF_PERICENTER>229.8721</ARG_OF_PERICENTER><MEAN_ANOMALY>120.0122</MEAN_ANOMALY>
</meanElements>
<tleParameters><EPHEMERIS_TYPE>0</EPHEMERIS_TYPE><CLASSIFICATION_TYPE>U</CLASSIFICATION_TYPE>
<NORAD_CAT_ID>25544</NORAD_CAT_ID><ELEMENT_SET_NO>999</ELEMENT_SET_NO>
<REV_AT_EPOCH>32946</REV_AT_EPOCH><BSTAR>.13623E-3</BSTAR>
<MEAN_MOTION_DOT>.7224E-4</MEAN_MOTION_DOT><MEAN_MOTION_DDOT>0</MEAN_MOTION_DDOT>
</tleParameters></data></segment></body></omm>
</ndm>
"""
CELESTRAK_JSON = """[{"OBJECT_NAME":"ISS (ZARYA)","OBJECT_ID":"1998-067A",
"EPOCH":"2022-03-07T21:06:42.000192","MEAN_MOTION":15.49615511,"ECCENTRICITY":0.0004901,
"INCLINATION":51.6433,"RA_OF_ASC_NODE":118.2979,"ARG_OF_PERICENTER":229.8721,
"MEAN_ANOMALY":120.0122,"EPHEMERIS_TYPE":0,"CLASSIFICATION_TYPE":"U","NORAD_CAT_ID":25544,
"ELEMENT_SET_NO":999,"REV_AT_EPOCH":32946,"BSTAR":0.00013623,"MEAN_MOTION_DOT":7.224e-5,
"MEAN_MOTION_DDOT":0}]"""


def _iss() -> GPElements:
    return parse_tle(ISS_TLE)[0]


def _close_to_iss(el: GPElements) -> None:
    iss = _iss()
    for name in iss.__dataclass_fields__:
        mine, ref = getattr(el, name), getattr(iss, name)
        if isinstance(ref, float):
            assert mine == pytest.approx(ref, rel=1e-15, abs=1e-20), name
        else:
            assert mine == ref, name


@pytest.mark.parametrize("text", [KVN, XML, CELESTRAK_JSON], ids=["kvn", "xml", "json"])
def test_reads_each_encoding(text: str) -> None:
    (el,) = parse_omm(text, "iss.omm")
    _close_to_iss(el)


def test_ndm_with_several_omms_and_multi_message_kvn() -> None:
    body = XML[XML.index("<omm"): XML.index("</ndm>")]
    assert len(parse_omm(XML.replace("</ndm>", body + "</ndm>"))) == 2
    assert len(parse_omm(KVN + "\n" + KVN)) == 2


def test_space_track_gp_json() -> None:
    text = (HERE / "spacetrack_gp_iss_sample.json").read_text(encoding="utf-8")
    records = json.loads(text)
    els = parse_omm(text, "spacetrack_gp_iss_sample.json")
    assert len(els) == 3
    first = els[0]
    assert (first.norad_id, first.object_name, first.object_id) == (25544, "ISS (ZARYA)",
                                                                   "1998-067A")
    assert first.epoch_iso == "2025-09-27T19:46:00.526944Z"
    assert first.mean_motion_rev_per_day == 15.494532449
    assert first.eccentricity == 0.00013734739 and first.bstar_per_earth_radius == 0.00039357478
    assert (first.element_set_no, first.rev_at_epoch) == (999, 53108)
    for el, record in zip(els, records, strict=True):
        (tle,) = parse_tle(f"{record['TLE_LINE1']}\n{record['TLE_LINE2']}")
        assert abs(el.epoch_day_of_year - tle.epoch_day_of_year) < 1e-9
        assert el.inclination_deg == pytest.approx(tle.inclination_deg, abs=5e-5)


def test_sgp4_state_from_omm_equals_state_from_tle() -> None:
    """The same element set as OMM (each encoding) and as TLE gives the same SGP4 state: to
    1 mm when the OMM carries the TLE's digits (the epoch only passes through microseconds)."""
    times = np.linspace(-1440.0, 2880.0, 13)
    r_tle, v_tle, _ = sgp4_teme_tsince(_iss(), times)
    for text in (KVN, XML, CELESTRAK_JSON, format_omm_kvn(_iss()), format_omm_xml(_iss()),
                 format_omm_json([_iss()])):
        r, v, codes = sgp4_teme_tsince(parse_omm(text)[0], times)
        assert not codes.any()
        assert np.abs(r - r_tle).max() < 1e-3 and np.abs(v - v_tle).max() < 1e-6


def test_space_track_omm_state_near_its_own_tle() -> None:
    """Space-Track's OMM carries more digits than its TLE (e.g. 51.632516 vs 51.6325 deg); the
    TLE's rounding of angles to 1e-4 deg (up to 6 m each at 6,800 km) bounds the gap: < 20 m."""
    text = (HERE / "spacetrack_gp_iss_sample.json").read_text(encoding="utf-8")
    for el, record in zip(parse_omm(text), json.loads(text), strict=True):
        (tle,) = parse_tle(f"{record['TLE_LINE1']}\n{record['TLE_LINE2']}")
        r_omm, _, _ = sgp4_teme_tsince(el, [0.0, 720.0, 1440.0])
        r_tle, _, _ = sgp4_teme_tsince(tle, [0.0, 720.0, 1440.0])
        assert np.linalg.norm(r_omm - r_tle, axis=1).max() < 20.0


def test_written_omms_read_back_exactly() -> None:
    el = _iss()
    assert parse_omm(format_omm_kvn(el))[0] == el
    assert parse_omm(format_omm_xml(el))[0] == el
    assert parse_omm(format_omm_json([el, el])) == [el, el]
    nameless = replace(el, object_name=None, object_id=None)
    assert "OBJECT_NAME         = UNKNOWN" in format_omm_kvn(nameless)
    assert parse_omm(format_omm_xml(nameless))[0] == nameless


# --- errors -------------------------------------------------------------------------------------
def _error(text: str) -> OMMError:
    with pytest.raises(OMMError) as info:
        parse_omm(text, "iss.omm")
    return info.value


def _kvn_line(key: str) -> int:
    return next(n for n, line in enumerate(KVN.splitlines(), 1) if line.startswith(key + " "))


def test_missing_mandatory_keyword() -> None:
    err = _error(KVN.replace("MEAN_MOTION = 15.49615511 [rev/day]\n", ""))
    assert str(err) == ("iss.omm, line 1: OMM message: missing mandatory keyword MEAN_MOTION; "
                        "expected MEAN_MOTION, found no such keyword")
    err = _error(XML.replace("<BSTAR>.13623E-3</BSTAR>", ""))
    assert "element <omm>: missing mandatory keyword BSTAR" in str(err) and err.line == 4
    err = _error(CELESTRAK_JSON.replace('"EPOCH":"2022-03-07T21:06:42.000192",', ""))
    assert str(err).startswith("iss.omm: record 1: missing mandatory keyword EPOCH")
    err = _error(KVN.replace("MEAN_ELEMENT_THEORY = SGP4\n", ""))
    assert "missing mandatory keyword MEAN_ELEMENT_THEORY" in str(err)


@pytest.mark.parametrize("theory", ["SGP4-XP", "DSST", "BROUWER"])
def test_unknown_mean_element_theory(theory: str) -> None:
    err = _error(KVN.replace("MEAN_ELEMENT_THEORY = SGP4", f"MEAN_ELEMENT_THEORY = {theory}"))
    assert "keyword MEAN_ELEMENT_THEORY: unsupported MEAN_ELEMENT_THEORY" in str(err)
    assert (err.line, err.expected, err.found) == (
        _kvn_line("MEAN_ELEMENT_THEORY"), "SGP4", repr(theory))
    assert parse_omm(KVN.replace("= SGP4", "= SGP/SGP4"))  # the standard's own spelling


def test_bad_number() -> None:
    err = _error(KVN.replace("15.49615511 [rev/day]", "15.4961x5511 [rev/day]"))
    assert str(err) == (f"iss.omm, line {_kvn_line('MEAN_MOTION')}: keyword MEAN_MOTION: bad "
                        "number; expected a decimal number such as 15.4962, found '15.4961x5511'")
    err = _error(CELESTRAK_JSON.replace('"BSTAR":0.00013623', '"BSTAR":"abc"'))
    assert str(err).startswith("iss.omm: record 1, key BSTAR: bad number")
    err = _error(XML.replace("<NORAD_CAT_ID>25544", "<NORAD_CAT_ID>25544.5"))
    assert "element <NORAD_CAT_ID>: bad integer" in str(err) and err.line == 16


@pytest.mark.parametrize("epoch", ["2022-13-07T21:06:42", "2022-366T00:00:00",
                                   "yesterday", "2022-03-07T24:00:00"])
def test_bad_epoch(epoch: str) -> None:
    err = _error(KVN.replace("2022-066T21:06:42.000192", epoch))
    assert "keyword EPOCH: bad epoch" in str(err) and err.line == _kvn_line("EPOCH")
    assert err.found == repr(epoch)


def test_wrong_units() -> None:
    err = _error(KVN.replace("15.49615511 [rev/day]", "15.49615511 [km]"))
    assert str(err) == (f"iss.omm, line {_kvn_line('MEAN_MOTION')}: keyword MEAN_MOTION: wrong "
                        "units; expected [rev/day], found [km]")
    err = _error(XML.replace('<INCLINATION units="deg">', '<INCLINATION units="rad">'))
    assert "element <INCLINATION>: wrong units" in str(err) and err.found == "[rad]"


def test_other_errors() -> None:
    assert "unsupported REF_FRAME" in str(_error(KVN.replace("= TEME", "= GCRF")))
    assert "no element set found" in str(_error("  \n"))
    assert "no element set found" in str(_error("[]"))
    assert "not an OMM in KVN, XML or JSON" in str(_error(ISS_TLE))
    assert "must start with CCSDS_OMM_VERS" in str(_error("OBJECT_NAME = ISS\n"))
    err = _error(CELESTRAK_JSON[:-3])
    assert "malformed JSON" in str(err) and err.line is not None
    err = _error(XML.replace("</omm>", ""))
    assert "malformed XML" in str(err) and err.line is not None
    assert "XML root is not an OMM" in str(_error("<oem/>"))
    assert "given twice" in str(_error(KVN.replace("GM =", "INCLINATION =")))
    err = _error(KVN.replace("ECCENTRICITY = .0004901", "ECCENTRICITY = 1.5"))
    assert "value out of range in ECCENTRICITY" in str(err)
    assert err.line == _kvn_line("ECCENTRICITY")


def test_xml_doctype_and_entities_refused() -> None:
    evil = ('<?xml version="1.0"?>\n<!DOCTYPE omm [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
            "<omm><body><segment><metadata><OBJECT_NAME>&x;</OBJECT_NAME></metadata>"
            "</segment></body></omm>")
    err = _error(evil)
    assert "document type declaration (DOCTYPE) is refused" in str(err) and err.line == 2
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;">]><omm>&lol2;</omm>')
    assert "DOCTYPE" in str(_error(bomb))


@pytest.mark.parametrize("text", [
    '<?xml version="1.0" encoding="U0F-8"?><omm/>',
    '<?xml version="1.0" encoding="latin-1"?><omm>\udcff</omm>',
])
def test_xml_declaration_and_stray_surrogates_give_omm_errors(text: str) -> None:
    """The text is decoded before parsing: a declared encoding, even a nonsense one, and a
    lone surrogate left by a bad decode end in the project's error, not LookupError or
    UnicodeEncodeError."""
    with pytest.raises(OMMError):
        parse_omm(text)


# --- inputs found by fuzzing (fuzz/, test_fuzz_properties.py) -----------------------------------
def _space_track(**changes: str) -> str:
    records = json.loads((HERE / "spacetrack_gp_iss_sample.json").read_text(encoding="utf-8"))
    return json.dumps([records[0] | changes], indent=1)


@pytest.mark.parametrize(("text", "fragment", "line"), [
    # RecursionError from json.loads
    ("[" * 5000, "nested too deeply", None),
    # ValueError from int(): JSON integers of more than 4300 digits
    ('[{"NORAD_CAT_ID":\n ' + "1" * 5000 + "}]", "too many digits", 2),
    # RecursionError from the walk over deeply nested XML elements
    ("<omm>\n" + "<a>" * 5000 + "</a>" * 5000 + "</omm>", "MEAN_ELEMENT_THEORY", 1),
    # ValueError from int(): str.isdigit() passes '²'
    (KVN.replace("NORAD_CAT_ID = 25544", "NORAD_CAT_ID = 25²44"), "bad integer", 24),
    (KVN.replace("NORAD_CAT_ID = 25544", "NORAD_CAT_ID = " + "2" * 5000), "bad integer", 24),
    (_space_track(EPOCH_MICROSECONDS="52²44"), "microseconds", None),
])
def test_fuzzed_inputs_give_omm_errors(text: str, fragment: str, line: int | None) -> None:
    with pytest.raises(OMMError, match=fragment) as info:
        parse_omm(text, "fuzzed.omm")
    assert info.value.source == "fuzzed.omm"
    assert info.value.line == line
