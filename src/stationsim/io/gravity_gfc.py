"""Reader of static gravity-field models in the ICGEM ``.gfc`` format.

The format is that of the International Centre for Global Earth Models (ICGEM, GFZ Potsdam),
Barthelmes & Foerste, "The ICGEM-format", 2011 (and its 2.0 revision). A file is a header of
``keyword value`` lines, ended by a line that starts with ``end_of_head``, then one line per
coefficient pair::

    gfc   L   M   Cbar_LM   Sbar_LM   [sigma_C   sigma_S]

Header keys read: ``modelname``, ``earth_gravity_constant`` [m^3/s^2], ``radius`` [m],
``max_degree`` (all four required), ``tide_system`` and ``norm`` (optional; only
``fully_normalized`` is accepted). ``errors``, ``product_type``, ``format`` and free text (such
as the model's citation) are passed over. Numbers may use a Fortran ``D`` exponent.

Degree 0 and 1 may be left out: ``Cbar_00`` is then 1 and the degree-1 terms 0 (a geocentric
model; EGM96 lists no degree 1). Every pair of degree 2 to the model's degree must be present.
Time-variable models (``gfct``, ``trnd``, ``acos``, ``asin`` lines) are not supported.

Parsing is pure: text in, :class:`~stationsim.forces.gravity.GravityField` out. Every error is
a :class:`~stationsim.errors.GravityFileError` naming source, line and column.
"""

from __future__ import annotations

import math
import re

import numpy as np

from stationsim.errors import GravityFileError
from stationsim.forces.gravity import GravityField, GravityInputError

__all__ = ["parse_gfc"]

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eEdD][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d{1,9}")
_TOKEN = re.compile(r"\S+")
_REQUIRED = ("modelname", "earth_gravity_constant", "radius", "max_degree")
_KNOWN = (*_REQUIRED, "tide_system", "norm")
_TIME_VARIABLE = ("gfct", "trnd", "dot", "acos", "asin")
_NORMALISED = "fully_normalized"
#: The largest degree kept in memory (that of EGM2008); a file may declare more.
MAX_SUPPORTED_DEGREE = 2190

Token = tuple[int, str]  # (1-based column, text)


def parse_gfc(text: str, source: str = "<string>", max_degree: int | None = None) -> GravityField:
    """Read a static ICGEM ``.gfc`` gravity model.

    Args:
        text: the whole file.
        source: the name used in error messages.
        max_degree: keep coefficients up to this degree (and all orders); default: the
            file's ``max_degree``. Lines of higher degree are still checked.

    Returns:
        The model: its name, GM, reference radius, fully normalised ``Cbar``, ``Sbar`` and tide
        system as the file states them.

    Raises:
        GravityFileError: a missing ``end_of_head`` or header key, a value that is not a number,
            ``M > L``, a degree above ``max_degree``, a duplicate ``(L, M)``, a missing
            coefficient, an unnormalised or time-variable model, or an unknown line key.
    """
    lines = text.splitlines()
    header: dict[str, tuple[int, Token]] = {}
    end_of_head = None
    for number, line in enumerate(lines, start=1):
        tokens = _tokens(line)
        if not tokens:
            continue
        key = tokens[0][1].lower()
        if key.startswith("end_of_head"):
            end_of_head = number
            break
        if key == "gfc" or key in _TIME_VARIABLE:
            raise _error("a coefficient line inside the header", source, number, tokens[0],
                         "'end_of_head' before the coefficients")
        if key in _KNOWN:
            if len(tokens) < 2:
                raise _error(f"header key '{key}' has no value", source, number, tokens[0],
                             f"'{key} <value>'")
            if key in header:
                raise _error(f"header key '{key}' given twice (first on line {header[key][0]})",
                             source, number, tokens[0], "each key once")
            header[key] = (number, tokens[1])
    if end_of_head is None:
        raise GravityFileError("no 'end_of_head' line ends the header", source=source,
                               line=len(lines) or None, expected="a line 'end_of_head ...'",
                               found="end of file")
    for key in _REQUIRED:
        if key not in header:
            raise GravityFileError(f"the header lacks the key '{key}'", source=source,
                                   line=end_of_head, expected=f"'{key} <value>' in the header",
                                   found="end_of_head")
    name = header["modelname"][1][1]
    mu = _positive(header["earth_gravity_constant"], source, "earth_gravity_constant")
    radius = _positive(header["radius"], source, "radius")
    degree_line, degree_token = header["max_degree"]
    declared = _integer(degree_token, source, degree_line, "max_degree")
    if "norm" in header and header["norm"][1][1].lower() != _NORMALISED:
        norm_line, norm_token = header["norm"]
        raise _error("only fully normalised coefficients are supported", source, norm_line,
                     norm_token, _NORMALISED)
    tide_system = header["tide_system"][1][1] if "tide_system" in header else "unknown"
    if max_degree is None:
        wanted = declared
    elif 0 <= max_degree <= declared:
        wanted = max_degree
    else:
        raise _error("the requested degree is not in the file", source, degree_line,
                     degree_token, f"a degree from 0 to {declared}", str(max_degree))
    if wanted > MAX_SUPPORTED_DEGREE:
        raise _error("degree too high for stationsim", source, degree_line, degree_token,
                     f"at most {MAX_SUPPORTED_DEGREE} (pass a lower max_degree)")

    c = np.zeros((wanted + 1, wanted + 1))
    s = np.zeros((wanted + 1, wanted + 1))
    c[0, 0] = 1.0
    seen: dict[tuple[int, int], int] = {}
    for number in range(end_of_head + 1, len(lines) + 1):
        tokens = _tokens(lines[number - 1])
        if not tokens:
            continue
        key = tokens[0][1].lower()
        if key in _TIME_VARIABLE:
            raise _error(f"time-variable coefficients ('{tokens[0][1]}') are not supported",
                         source, number, tokens[0], "static 'gfc' lines")
        if key != "gfc":
            raise _error("unknown line key", source, number, tokens[0], "'gfc'")
        if not 5 <= len(tokens) <= 9:
            raise _error("a 'gfc' line has 5 to 9 fields", source, number, tokens[0],
                         "gfc L M C S [sigma_C sigma_S ...]", f"{len(tokens)} fields")
        ell = _integer(tokens[1], source, number, "degree L")
        m = _integer(tokens[2], source, number, "order M")
        if ell > declared:
            raise _error("degree above the header's max_degree", source, number, tokens[1],
                         f"L <= {declared}")
        if m > ell:
            raise _error("order above degree", source, number, tokens[2], f"M <= L = {ell}")
        values = [_number(token, source, number, what) for token, what in
                  zip(tokens[3:], ("C", "S", "sigma", "sigma", "sigma", "sigma"), strict=False)]
        if (ell, m) in seen:
            raise _error(f"coefficient ({ell}, {m}) given twice (first on line "
                         f"{seen[ell, m]})", source, number, tokens[1], "each (L, M) once")
        seen[ell, m] = number
        if ell <= wanted:
            c[ell, m], s[ell, m] = values[0], values[1]
    for ell in range(2, wanted + 1):
        for m in range(ell + 1):
            if (ell, m) not in seen:
                raise _error(f"no coefficient of degree {ell} and order {m}", source,
                             degree_line, degree_token,
                             f"every (L, M) up to degree {wanted}", "none")
    try:
        return GravityField(name, mu, radius, c, s, wanted, tide_system)
    except GravityInputError as exc:  # pragma: no cover - the checks above come first
        raise GravityFileError(exc.reason, source=source, expected=exc.expected,
                               found=exc.found) from None


def _tokens(line: str) -> list[Token]:
    return [(match.start() + 1, match.group()) for match in _TOKEN.finditer(line)]


def _error(reason: str, source: str, line: int, token: Token, expected: str,
           found: str | None = None) -> GravityFileError:
    return GravityFileError(reason, source=source, line=line, column=token[0], expected=expected,
                            found=repr(token[1]) if found is None else found)


def _number(token: Token, source: str, line: int, what: str) -> float:
    if _NUMBER.fullmatch(token[1]) is None:
        raise _error(f"{what} is not a number", source, line, token, "a decimal number")
    value = float(token[1].replace("D", "E").replace("d", "e"))
    if not math.isfinite(value):
        raise _error(f"{what} is out of range", source, line, token, "a finite number")
    return value


def _positive(entry: tuple[int, Token], source: str, what: str) -> float:
    line, token = entry
    value = _number(token, source, line, what)
    if value <= 0.0:
        raise _error(f"{what} must be positive", source, line, token, "a positive number")
    return value


def _integer(token: Token, source: str, line: int, what: str) -> int:
    if _INTEGER.fullmatch(token[1]) is None or int(token[1]) < 0:
        raise _error(f"{what} is not a non-negative integer", source, line, token,
                     "an integer >= 0")
    return int(token[1])
