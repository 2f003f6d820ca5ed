"""ICGEM ``.gfc`` reader: the bundled EGM96 file, a small hand-written model, every malformed
case with its line number, and random mutations (hypothesis).

Reference for the format: Barthelmes & Foerste, "The ICGEM-format", GFZ Potsdam, 2011. The
expected numbers are those printed in the quoted lines of the files (exact, tolerance 0).
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stationsim.errors import GravityFileError, InputError
from stationsim.forces.gravity import GravityField
from stationsim.io.gravity_gfc import parse_gfc

# A small model of degree 3 (EGM96's values, with D exponents and sigmas left out on some lines).
SMALL = """\
A small test model: EGM96 coefficients up to degree 3
product_type              gravity_field
modelname                 TEST3
earth_gravity_constant    0.3986004415E+15
radius                    0.6378136300E+07
max_degree                3
norm                      fully_normalized
tide_system               tide_free
errors                    formal

key    L    M         C                   S              sigma C         sigma S
end_of_head ===========================================================================
gfc     0   0  1.000000000000e+00  0.000000000000e+00  0.00000000e+00  0.00000000e+00
gfc     2   0 -0.484165371736e-03  0.000000000000e+00  0.35610635e-10  0.00000000e+00
gfc     2   1 -0.186987635955D-09  0.119528012031D-08
gfc     2   2  0.243914352398e-05 -0.140016683654e-05  0.53739154e-10  0.54353269e-10
gfc     3   0  0.957254173792e-06  0.000000000000e+00  0.18094237e-10  0.00000000e+00
gfc     3   1  0.202998882184e-05  0.248513158716e-06  0.13965165e-09  0.13645882e-09
gfc     3   2  0.904627768605e-06 -0.619025944205e-06  0.10962329e-09  0.11182866e-09
gfc     3   3  0.721072657057e-06  0.141435626958e-05  0.95156281e-10  0.93285090e-10
"""
LINES = SMALL.splitlines()
# 1-based line numbers in SMALL
RADIUS, MAX_DEGREE, NORM, END_OF_HEAD, GFC_2_1, GFC_3_1 = 5, 6, 7, 12, 15, 18


def _bundled_text() -> str:
    item = resources.files("stationsim.data").joinpath("bundled", "gravity", "EGM96_n36.gfc")
    return item.read_text(encoding="ascii")


def _replace(line: int, text: str) -> str:
    lines = list(LINES)
    lines[line - 1] = text
    return "\n".join(lines) + "\n"


def _without(line: int) -> str:
    return "\n".join(LINES[: line - 1] + LINES[line:]) + "\n"


def _error(text: str, **kwargs: int) -> GravityFileError:
    with pytest.raises(GravityFileError) as info:
        parse_gfc(text, "test.gfc", **kwargs)
    return info.value


# --- reading -------------------------------------------------------------------------------------
def test_bundled_egm96() -> None:
    """Reference: the bundled file's header and lines 'gfc 2 0 -0.484165371736e-03 ...' and
    'gfc 36 36 0.460146465720e-08 -0.594245336314e-08 ...'."""
    model = parse_gfc(_bundled_text(), "EGM96_n36.gfc")
    assert (model.name, model.max_degree, model.tide_system) == ("EGM96", 36, "tide_free")
    assert (model.mu_m3_s2, model.radius_m) == (0.3986004415e15, 0.6378136300e07)
    assert model.c[2, 0] == -0.484165371736e-03 and model.s[2, 0] == 0.0
    assert (model.c[36, 36], model.s[36, 36]) == (0.460146465720e-08, -0.594245336314e-08)
    eight = parse_gfc(_bundled_text(), max_degree=8)
    np.testing.assert_array_equal(eight.c, model.c[:9, :9])
    np.testing.assert_array_equal(eight.s, model.s[:9, :9])


def test_small_model() -> None:
    """Reference: the lines of SMALL above (D exponents read as E; degree 1 left out is 0)."""
    model = parse_gfc(SMALL)
    assert isinstance(model, GravityField)
    assert (model.name, model.max_degree, model.tide_system) == ("TEST3", 3, "tide_free")
    assert (model.c[2, 1], model.s[2, 1]) == (-0.186987635955e-09, 0.119528012031e-08)
    assert (model.c[3, 3], model.s[3, 3]) == (0.721072657057e-06, 0.141435626958e-05)
    assert not np.any(model.c[1]) and not np.any(model.s[1])
    # without its degree-0 line, Cbar_00 is 1; without tide_system, "unknown"
    model = parse_gfc("\n".join(line for i, line in enumerate(LINES, 1) if i not in (8, 13)))
    assert model.c[0, 0] == 1.0 and model.tide_system == "unknown"
    assert parse_gfc(SMALL, max_degree=2).c.shape == (3, 3)


# --- every malformed case, with its line -----------------------------------------------------
BAD = {
    "header key missing": (_without(RADIUS), END_OF_HEAD - 1, "lacks the key 'radius'"),
    "header value not a number": (_replace(RADIUS, "radius  6378136.3m"), RADIUS,
                                  "radius is not a number"),
    "header value not positive": (_replace(RADIUS, "radius  -1.0"), RADIUS, "must be positive"),
    "header key without value": (_replace(RADIUS, "radius"), RADIUS, "has no value"),
    "header key twice": (_replace(NORM, "radius 1.0"), NORM, "given twice"),
    "max_degree not an integer": (_replace(MAX_DEGREE, "max_degree 3.0"), MAX_DEGREE,
                                  "not a non-negative integer"),
    "unnormalised": (_replace(NORM, "norm unnormalized"), NORM, "fully normalised"),
    "no end_of_head": ("\n".join(LINES[: END_OF_HEAD - 1]), END_OF_HEAD - 1,
                       "no 'end_of_head'"),
    "end_of_head left out": (_without(END_OF_HEAD), END_OF_HEAD, "inside the header"),
    "coefficient in the header": (_replace(NORM, "gfc 2 0 1.0 0.0"), NORM, "inside the header"),
    "C not a number": (_replace(GFC_2_1, "gfc 2 1 -0.18698x-09 0.0"), GFC_2_1,
                       "C is not a number"),
    "S not finite": (_replace(GFC_2_1, "gfc 2 1 0.0 1e999"), GFC_2_1, "out of range"),
    "sigma is nan": (_replace(GFC_2_1, "gfc 2 1 0.0 0.0 nan 0.0"), GFC_2_1, "not a number"),
    "M > L": (_replace(GFC_2_1, "gfc 2 3 0.0 0.0"), GFC_2_1, "order above degree"),
    "L > max_degree": (_replace(GFC_2_1, "gfc 4 1 0.0 0.0"), GFC_2_1, "above the header"),
    "negative degree": (_replace(GFC_2_1, "gfc -2 1 0.0 0.0"), GFC_2_1, "non-negative"),
    "duplicate (L, M)": (_replace(GFC_3_1, LINES[GFC_2_1 - 1]), GFC_3_1,
                         f"(2, 1) given twice (first on line {GFC_2_1})"),
    "missing coefficient": (_without(GFC_3_1), MAX_DEGREE, "degree 3 and order 1"),
    "too few fields": (_replace(GFC_2_1, "gfc 2 1 0.0"), GFC_2_1, "5 to 9 fields"),
    "time-variable gfct": (_replace(GFC_2_1, "gfct 2 1 0.0 0.0 0.0 0.0 19500101"), GFC_2_1,
                           "time-variable coefficients ('gfct')"),
    "time-variable trnd": (_replace(GFC_2_1, "trnd 2 1 0.0 0.0"), GFC_2_1, "not supported"),
    "unknown data line": (_replace(GFC_2_1, "# comment"), GFC_2_1, "unknown line key"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_malformed(case: str) -> None:
    """Reference: the line each broken input was broken at (1-based), named in the message."""
    text, line, words = BAD[case]
    error = _error(text)
    assert error.line == line, str(error)
    assert words in str(error)
    assert str(error).startswith(f"test.gfc, line {line}")
    assert isinstance(error, InputError) and isinstance(error, ValueError)


def test_requested_degree_not_in_file() -> None:
    """Reference: SMALL declares max_degree 3 on line 6."""
    error = _error(SMALL, max_degree=4)
    assert error.line == MAX_DEGREE and "requested degree" in str(error)
    assert _error(SMALL, max_degree=-1).line == MAX_DEGREE


# --- random mutations ----------------------------------------------------------------------------
_PIECES = ["", " ", "0", "1", "-1", "36", "9999", "2190", "2191", "1e999", "nan", "inf", "x",
           "1.0D-05", "1.0d+05", ".5", "-", "gfc", "gfct", "end_of_head", "norm", "radius",
           "max_degree", "modelname", "\t", "\r", "\u2028", "é"]


@st.composite
def _mutated(draw: st.DrawFn) -> str:
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["token", "char", "delete", "duplicate", "insert"]))
        index = draw(st.integers(0, len(lines) - 1)) if lines else 0
        if kind == "insert" or not lines:
            lines.insert(index, draw(st.text(max_size=40)))
        elif kind == "delete":
            del lines[index]
        elif kind == "duplicate":
            lines.insert(index, lines[index])
        elif kind == "token":
            tokens = lines[index].split() or [""]
            tokens[draw(st.integers(0, len(tokens) - 1))] = draw(
                st.sampled_from(_PIECES) | st.text(max_size=8))
            lines[index] = " ".join(tokens)
        else:
            line = lines[index]
            where = draw(st.integers(0, len(line)))
            lines[index] = line[:where] + draw(st.characters()) + line[where + 1:]
    return "\n".join(lines) + "\n"


@settings(max_examples=300, deadline=None)
@given(_mutated(), st.sampled_from([None, 0, 2, 3]))
def test_mutations_parse_or_raise_gravity_file_error(text: str, degree: int | None) -> None:
    """Reference: the reader's contract; any mutation of SMALL (tokens, characters, lines
    deleted, duplicated or inserted) gives a model or a GravityFileError, nothing else."""
    try:
        model = parse_gfc(text, "fuzz.gfc", max_degree=degree)
    except GravityFileError as error:
        assert error.source == "fuzz.gfc"
        return
    assert model.c.shape == (model.max_degree + 1,) * 2
    assert np.all(np.isfinite(model.c)) and model.mu_m3_s2 > 0.0
