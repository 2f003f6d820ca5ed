"""Earth's gravity field: a spherical-harmonic model and its accelerations as heyoka expressions.

Units are SI throughout: positions in m, the gravitational parameter ``mu`` in m^3/s^2, radii in
m, accelerations in m/s^2. Positions are Cartesian in the *body-fixed* frame of the field's
coefficients; for an Earth model such as EGM96 that is the ITRF (the Earth-fixed frame of
:mod:`stationsim.frames`). Turning a GCRF position into it, and the acceleration back, is the
caller's job.

The potential is the usual fully normalised expansion (Montenbruck & Gill, *Satellite Orbits*,
2000, section 3.2; Vallado, *Fundamentals of Astrodynamics and Applications*, 4th ed., 2013,
section 8.6.1)::

    U(r, phi, lam) = mu / r * sum_{n=0}^{N} (a / r)^n sum_{m=0}^{n}
                     Pbar_nm(sin phi) * (Cbar_nm cos(m lam) + Sbar_nm sin(m lam))

with geocentric latitude ``phi``, east longitude ``lam``, reference radius ``a`` and
``Pbar_nm = sqrt((2 - delta_m0) (2n + 1) (n - m)! / (n + m)!) P_nm`` (no Condon-Shortley phase).
The acceleration is ``grad U``. The unnormalised zonal coefficients are
``J_n = -C_n0 = -Cbar_n0 sqrt(2n + 1)``.

Each force is written once, as a heyoka expression; NumPy evaluation compiles that very
expression with :class:`heyoka.cfunc` (:func:`gravity_acceleration_body`,
:func:`zonal_acceleration_body`), and the compiled functions are cached.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import heyoka as hy
import numpy as np
import numpy.typing as npt
from numpy.polynomial import legendre, polynomial

from stationsim.errors import InputError

__all__ = [
    "GravityField",
    "GravityInputError",
    "central_zonal_acceleration",
    "gravity_acceleration_body",
    "point_mass_acceleration",
    "spherical_harmonic_acceleration",
    "zonal_acceleration",
    "zonal_acceleration_body",
]

FloatArray = npt.NDArray[np.float64]
#: A heyoka expression, or a number heyoka turns into one.
Expr = Any


class GravityInputError(InputError):
    """A gravity model or request that cannot be used: coefficient arrays of the wrong shape or
    not finite, a non-positive ``mu`` or radius, a degree or order the model does not have, or
    positions that are not finite or at the centre."""


# --- the model -----------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class GravityField:
    """A spherical-harmonic gravity model with fully normalised coefficients.

    Attributes:
        name: the model's name (e.g. ``"EGM96"``).
        mu_m3_s2: the gravitational parameter GM of the model [m^3/s^2].
        radius_m: the reference radius ``a`` of the expansion [m].
        c: ``Cbar[n, m]``, shape ``(max_degree + 1, max_degree + 1)``, zero for ``m > n``.
        s: ``Sbar[n, m]``, same shape; ``Sbar[n, 0]`` is zero in any real model.
        max_degree: the largest degree ``n`` held.
        tide_system: as the source states it (``"tide_free"``, ``"zero_tide"``, ...).

    The arrays are copied and made read-only. Equality is identity; the compiled-function cache
    keys on the coefficients' contents.

    Raises:
        GravityInputError: arrays of the wrong shape, non-finite values, non-zero entries above
            the diagonal, or a non-positive ``mu`` or radius.
    """

    name: str
    mu_m3_s2: float
    radius_m: float
    c: FloatArray = dataclasses.field(repr=False)
    s: FloatArray = dataclasses.field(repr=False)
    max_degree: int
    tide_system: str = "unknown"

    def __post_init__(self) -> None:
        if not (math.isfinite(self.mu_m3_s2) and self.mu_m3_s2 > 0.0):
            raise GravityInputError("the gravitational parameter must be positive and finite",
                                    source=self.name, found=repr(self.mu_m3_s2))
        if not (math.isfinite(self.radius_m) and self.radius_m > 0.0):
            raise GravityInputError("the reference radius must be positive and finite",
                                    source=self.name, found=repr(self.radius_m))
        if self.max_degree < 0:
            raise GravityInputError("the maximum degree must not be negative", source=self.name,
                                    found=str(self.max_degree))
        size = self.max_degree + 1
        for label in ("c", "s"):
            values = np.array(getattr(self, label), dtype=np.float64)  # a copy
            if values.shape != (size, size):
                raise GravityInputError(f"coefficient array {label} has the wrong shape",
                                        source=self.name, expected=str((size, size)),
                                        found=str(values.shape))
            if not np.all(np.isfinite(values)):
                raise GravityInputError(f"coefficient array {label} is not finite",
                                        source=self.name, found="NaN or infinity")
            if np.any(np.triu(values, k=1) != 0.0):
                raise GravityInputError(f"coefficient array {label} has entries with m > n",
                                        source=self.name, expected="zeros above the diagonal",
                                        found="non-zero values")
            values.setflags(write=False)
            object.__setattr__(self, label, values)
        object.__setattr__(self, "mu_m3_s2", float(self.mu_m3_s2))
        object.__setattr__(self, "radius_m", float(self.radius_m))

    def truncated(self, degree: int, order: int | None = None) -> GravityField:
        """The same model cut at ``degree`` and ``order`` (default: ``order = degree``);
        coefficients of order above ``order`` are set to zero."""
        order = _check_degree_order(self, degree, order)
        c = self.c[: degree + 1, : degree + 1].copy()
        s = self.s[: degree + 1, : degree + 1].copy()
        c[:, order + 1:] = 0.0
        s[:, order + 1:] = 0.0
        return GravityField(self.name, self.mu_m3_s2, self.radius_m, c, s, degree,
                            self.tide_system)

    def zonal_j(self, n: int) -> float:
        """The unnormalised zonal coefficient ``J_n = -Cbar_n0 sqrt(2n + 1)`` (dimensionless)."""
        if not 0 <= n <= self.max_degree:
            raise GravityInputError("no zonal coefficient of that degree", source=self.name,
                                    expected=f"0 <= n <= {self.max_degree}", found=str(n))
        return float(-self.c[n, 0] * math.sqrt(2 * n + 1))

    @cached_property
    def _digest(self) -> str:
        """A hash of the model's contents (for the compiled-function cache)."""
        data = hashlib.sha256()
        data.update(np.ascontiguousarray(self.c).tobytes())
        data.update(np.ascontiguousarray(self.s).tobytes())
        return data.hexdigest()


def _check_degree_order(field: GravityField, degree: int | None, order: int | None) -> int:
    degree = field.max_degree if degree is None else degree
    order = degree if order is None else order
    if not 0 <= degree <= field.max_degree:
        raise GravityInputError("degree outside the model", source=field.name,
                                expected=f"0 <= degree <= {field.max_degree}", found=str(degree))
    if not 0 <= order <= degree:
        raise GravityInputError("order outside 0..degree", source=field.name,
                                expected=f"0 <= order <= {degree}", found=str(order))
    return order


# --- expressions ---------------------------------------------------------------------------------
def _radius(xyz: Sequence[Expr]) -> tuple[Expr, Expr, Expr, Expr]:
    if len(xyz) != 3:
        raise GravityInputError("a position has three components", found=f"{len(xyz)}")
    x, y, z = (hy.expression(v) for v in xyz)
    return x, y, z, x * x + y * y + z * z


def point_mass_acceleration(xyz: Sequence[Expr], mu: Expr) -> list[Expr]:
    """Central (point-mass) acceleration ``-mu r / |r|^3`` [m/s^2], any inertial or rotating
    frame (the result is in the frame of ``xyz``); ``mu`` in m^3/s^2, ``xyz`` in m."""
    x, y, z, r2 = _radius(xyz)
    factor = -hy.expression(mu) / (r2 * hy.sqrt(r2))
    return [factor * x, factor * y, factor * z]


def zonal_acceleration(xyz: Sequence[Expr], mu: Expr, radius: Expr,
                       j: Sequence[Expr]) -> list[Expr]:
    """Acceleration [m/s^2] of the zonal harmonics J2..Jn, *without* the central term.

    Args:
        xyz: position [m] in the body-fixed frame (for an axially symmetric field any frame
            whose z axis is the body's spin axis will do).
        mu: gravitational parameter [m^3/s^2].
        radius: reference radius ``a`` of the J_n [m].
        j: ``J_2, J_3, ..., J_n`` (unnormalised, dimensionless; ``J_n = -C_n0``).

    Derivation (stationsim's own). With ``u = z / r`` the zonal potential is
    ``U = -sum_n (mu / r) J_n (a / r)^n P_n(u)``, ``P_n`` the Legendre polynomials. Since
    ``grad r^-(n+1) = -(n + 1) r^-(n+2) rhat`` and ``grad u = (zhat - u rhat) / r``::

        grad U_n = mu J_n a^n / r^(n+2) [((n + 1) P_n(u) + u P_n'(u)) rhat - P_n'(u) zhat]

    and the identity ``P_{n+1}' = u P_n' + (n + 1) P_n`` gives, summed over n::

        a = mu / r^2 * [A rhat - B zhat],  A = sum J_n (a/r)^n P_{n+1}'(u),
                                           B = sum J_n (a/r)^n P_n'(u).

    ``P_n`` and ``P_n'`` follow Bonnet's recursion ``(n + 1) P_{n+1} = (2n + 1) u P_n - n P_{n-1}``
    and ``P_{n+1}' = P_{n-1}' + (2n + 1) P_n``. For J2 alone this is Vallado's (4th ed.,
    eq. 8-32) ``a_x = -3/2 J2 mu a^2 x / r^5 (1 - 5 z^2/r^2)`` and so on.
    """
    x, y, z, r2 = _radius(xyz)
    if len(j) == 0:
        zero = hy.expression(0.0)
        return [zero, zero, zero]
    r = hy.sqrt(r2)
    u = z / r
    q = hy.expression(radius) / r
    top = len(j) + 2  # the largest n of the series is len(j) + 1; P_{n+1}' is needed
    p: list[Expr] = [hy.expression(1.0), u]
    dp: list[Expr] = [hy.expression(0.0), hy.expression(1.0)]
    for n in range(1, top):
        p.append((float(2 * n + 1) * u * p[n] - float(n) * p[n - 1]) / float(n + 1))
        dp.append(dp[n - 1] + float(2 * n + 1) * p[n])
    radial: Expr = hy.expression(0.0)
    polar: Expr = hy.expression(0.0)
    qn = q
    for n, jn in enumerate(j, start=2):
        qn = qn * q
        term = hy.expression(jn) * qn
        radial = radial + term * dp[n + 1]
        polar = polar + term * dp[n]
    scale = hy.expression(mu) / r2
    along = scale * radial / r
    return [along * x, along * y, along * z - scale * polar]


def central_zonal_acceleration(xyz: Sequence[Expr], mu: float, radius: float,
                               j: Sequence[float]) -> list[Expr]:
    """The central term *and* the zonal harmonics J2..Jn [m/s^2] as one expression: the sum
    of :func:`point_mass_acceleration` and :func:`zonal_acceleration` written with fewer
    operations, for the integrator's hot path (frame and arguments as there; ``mu``,
    ``radius`` and the ``J_n`` numbers).

    With ``A`` and ``B`` of :func:`zonal_acceleration` the sum is
    ``mu / r^3 (A - 1) r - mu / r^2 B zhat``. Each ``P_k'(u)`` is a polynomial of one parity,
    evaluated by Horner's rule in ``u^2`` with its coefficients folded into numbers, and
    ``J_n (a / r)^n`` is the number ``J_n a^n`` times a power of ``1 / r``.
    """
    x, y, z, r2 = _radius(xyz)
    r = hy.sqrt(r2)
    f = float(mu) / (r2 * r)
    if len(j) == 0:
        return [-f * x, -f * y, -f * z]
    u = z / r
    w = u * u
    inv = 1.0 / r
    powers: list[Expr] = [inv]
    radial: Expr | None = None
    polar: Expr | None = None
    for n, jn in enumerate(j, start=2):
        while len(powers) < n:
            powers.append(powers[-1] * inv)
        scale = float(jn) * float(radius) ** n
        if scale == 0.0:
            continue
        term_a = scale * powers[n - 1] * _legendre_derivative(n + 1, u, w)
        term_b = scale * powers[n - 1] * _legendre_derivative(n, u, w)
        radial = term_a if radial is None else radial + term_a
        polar = term_b if polar is None else polar + term_b
    if radial is None or polar is None:
        return [-f * x, -f * y, -f * z]
    g = f * (radial - 1.0)
    return [g * x, g * y, g * z - f * r * polar]


def _legendre_derivative(k: int, u: Expr, w: Expr) -> Expr:
    """``P_k'(u)`` as an expression: ``u^((k-1) mod 2)`` times a polynomial in ``w = u^2``."""
    coefficients = polynomial.polyder(legendre.leg2poly([0.0] * k + [1.0]))
    odd = (k - 1) % 2
    in_w = [float(c) for c in coefficients[odd::2]]
    value: Expr = in_w[-1]
    for c in reversed(in_w[:-1]):
        value = value * w + c if c != 0.0 else value * w
    if isinstance(value, float):
        value = hy.expression(value)
    return value * u if odd else value


def spherical_harmonic_acceleration(xyz_body: Sequence[Expr], field: GravityField,
                                    degree: int | None = None,
                                    order: int | None = None) -> list[Expr]:
    """*Total* gravitational acceleration [m/s^2] of ``field`` up to ``degree`` and ``order``
    (default: the whole model), **including the central term** ``-mu Cbar_00 r / |r|^3``.

    ``xyz_body`` is the position [m] in the model's body-fixed frame (ITRF for an Earth
    model), and the result is in that same frame. Built with :func:`heyoka.model.sh_gravity_acc`
    (heyoka >= 7.12; Montenbruck & Gill section 3.2 conventions, the same full normalisation as
    ICGEM files), which starts its sum at degree 0: with ``Cbar_00 = 1`` and no degree-1 terms
    the central term is exactly the point mass (checked in ``tests/forces/test_gravity.py``).
    """
    order = _check_degree_order(field, degree, order)
    degree = field.max_degree if degree is None else degree
    pairs = [[float(field.c[n, m]), float(field.s[n, m])]
             for n in range(degree + 1) for m in range(n + 1)]
    if len(xyz_body) != 3:
        raise GravityInputError("a position has three components", found=f"{len(xyz_body)}")
    acc = hy.model.sh_gravity_acc([hy.expression(v) for v in xyz_body], pairs,
                                  field.mu_m3_s2, field.radius_m, max_degree=degree,
                                  max_order=order)
    return list(acc)


# --- compiled NumPy evaluation -------------------------------------------------------------------
_CACHE_SIZE = 16
_cache: OrderedDict[Hashable, Any] = OrderedDict()
_cache_lock = threading.Lock()


def _compiled(key: Hashable, build: Any) -> Any:
    """The cfunc for ``key``, compiled by ``build() -> (outputs, variables)`` on first use."""
    with _cache_lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    outputs, variables = build()
    compiled = hy.cfunc(outputs, variables)
    with _cache_lock:
        _cache[key] = compiled
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return compiled


def _evaluate(compiled: Any, r_m: npt.ArrayLike) -> FloatArray:
    r = np.asarray(r_m, dtype=np.float64)
    if r.ndim == 0 or r.shape[-1] != 3:
        raise GravityInputError("positions must have 3 components along the last axis",
                                found=f"shape {r.shape}")
    flat = r.reshape(-1, 3)
    if not np.all(np.isfinite(flat)):
        raise GravityInputError("positions must be finite", found="NaN or infinity")
    if np.any(np.all(flat == 0.0, axis=1)):
        raise GravityInputError("no gravitational acceleration at the centre",
                                found="a zero position vector")
    if flat.shape[0] == 0:
        return np.zeros(r.shape, dtype=np.float64)
    out = np.asarray(compiled(np.ascontiguousarray(flat.T)), dtype=np.float64)
    return np.ascontiguousarray(out.T).reshape(r.shape)


def gravity_acceleration_body(field: GravityField, r_body_m: npt.ArrayLike,
                              degree: int | None = None,
                              order: int | None = None) -> FloatArray:
    """Total acceleration [m/s^2] of :func:`spherical_harmonic_acceleration` (central term
    included) at body-fixed positions ``r_body_m`` [m], shape ``(..., 3)`` (e.g. ``(N, 3)``);
    the result has the same shape, in the same frame.

    The expression is compiled once per model contents, degree and order (a 20 x 20 model takes
    about half a second, a 36 x 36 one a few seconds) and then evaluated in batch mode.
    """
    order = _check_degree_order(field, degree, order)
    degree = field.max_degree if degree is None else degree
    key = ("sh", field.name, field.mu_m3_s2, field.radius_m, degree, order, field._digest)

    def build() -> tuple[list[Expr], list[Expr]]:
        xyz = list(hy.make_vars("x", "y", "z"))
        return spherical_harmonic_acceleration(xyz, field, degree, order), xyz

    return _evaluate(_compiled(key, build), r_body_m)


def zonal_acceleration_body(r_m: npt.ArrayLike, mu: float, radius: float,
                            j: Sequence[float]) -> FloatArray:
    """Zonal (J2..Jn) acceleration [m/s^2] of :func:`zonal_acceleration`, central term
    excluded, at positions ``r_m`` [m] of shape ``(..., 3)`` whose z axis is the spin axis;
    ``mu`` [m^3/s^2], ``radius`` [m], ``j = (J2, ..., Jn)``. Compiled once per arguments."""
    if not (math.isfinite(mu) and mu > 0.0 and math.isfinite(radius) and radius > 0.0):
        raise GravityInputError("mu and the radius must be positive and finite",
                                found=f"mu={mu!r}, radius={radius!r}")
    coefficients = tuple(float(v) for v in j)
    if not all(math.isfinite(v) for v in coefficients):
        raise GravityInputError("zonal coefficients must be finite", found=repr(coefficients))
    key = ("zonal", float(mu), float(radius), coefficients)

    def build() -> tuple[list[Expr], list[Expr]]:
        xyz = list(hy.make_vars("x", "y", "z"))
        return zonal_acceleration(xyz, mu, radius, coefficients), xyz

    return _evaluate(_compiled(key, build), r_m)
