"""Earth gravity: the bundled EGM96 model, the zonal and spherical-harmonic heyoka expressions
and their compiled NumPy evaluators, against references written here.

References: EGM96's published J2 (Lemoine et al. 1998, NASA/TP-1998-206861); Vallado,
*Fundamentals of Astrodynamics and Applications*, 4th ed., eq. 8-32 (J2 acceleration); an
independent potential gradient written below (fully normalised associated Legendre functions by
the standard forward column recursion, Holmes & Featherstone 2002, J. Geodesy 76, eqs. 11-13,
and the spherical partial derivatives of Vallado eq. 8-28); heyoka's own EGM2008
(``heyoka.model.egm2008_acc``), a different model, as a check of frames and conventions.
Tolerances are stated in each test with the value measured when it was written.
"""

from __future__ import annotations

import heyoka as hy
import numpy as np
import numpy.typing as npt
import pytest

from stationsim.data import load_gravity_field
from stationsim.forces.gravity import (
    GravityField,
    GravityInputError,
    central_zonal_acceleration,
    gravity_acceleration_body,
    point_mass_acceleration,
    spherical_harmonic_acceleration,
    zonal_acceleration,
    zonal_acceleration_body,
)

Array = npt.NDArray[np.float64]

#: EGM96 J2 as published (NASA/TP-1998-206861), from Cbar_20 = -0.484165371736e-3.
EGM96_J2 = 1.08262668e-3


@pytest.fixture(scope="module")
def egm96() -> GravityField:
    return load_gravity_field()


@pytest.fixture(scope="module")
def points() -> Array:
    """50 body-fixed positions [m], radii 6,500 to 7,500 km, uniform on the sphere, the first
    six within 1 degree of a pole (down to 0.01 degree)."""
    rng = np.random.default_rng(20240607)
    radius = rng.uniform(6.5e6, 7.5e6, 50)
    lat = np.arcsin(rng.uniform(-1.0, 1.0, 50))
    lat[:6] = np.radians([89.99, -89.99, 89.9, -89.9, 89.0, -89.0])
    lon = rng.uniform(-np.pi, np.pi, 50)
    return np.stack([radius * np.cos(lat) * np.cos(lon), radius * np.cos(lat) * np.sin(lon),
                     radius * np.sin(lat)], axis=-1)


def _central(r: Array, mu: float) -> Array:
    return np.asarray(-mu * r / np.linalg.norm(r, axis=-1, keepdims=True) ** 3, dtype=np.float64)


def _relative(a: Array, b: Array) -> Array:
    return np.asarray(np.linalg.norm(a - b, axis=-1) / np.linalg.norm(b, axis=-1))


# --- an independent reference: the potential's gradient in spherical coordinates ----------------
def _legendre(nmax: int, t: Array, c: Array) -> tuple[Array, Array]:
    """Fully normalised Pbar[n, m](sin phi) (no Condon-Shortley phase) and dPbar/dphi for
    t = sin phi, c = cos phi; shapes (nmax + 1, nmax + 1, N). Holmes & Featherstone 2002."""
    p = np.zeros((nmax + 2, nmax + 2, t.size))
    p[0, 0] = 1.0
    for m in range(1, nmax + 2):
        p[m, m] = np.sqrt(3.0 if m == 1 else (2 * m + 1) / (2 * m)) * c * p[m - 1, m - 1]
    for m in range(nmax + 1):
        p[m + 1, m] = np.sqrt(2 * m + 3) * t * p[m, m]
        for n in range(m + 2, nmax + 2):
            a = np.sqrt((2 * n - 1) * (2 * n + 1) / ((n - m) * (n + m)))
            b = np.sqrt((2 * n + 1) * (n + m - 1) * (n - m - 1) / ((n - m) * (n + m) * (2 * n - 3)))
            p[n, m] = a * t * p[n - 1, m] - b * p[n - 2, m]
    dp = np.zeros((nmax + 1, nmax + 1, t.size))
    for n in range(nmax + 1):
        for m in range(n + 1):
            # d/dphi of the unnormalised P_nm is P_n,m+1 - m tan(phi) P_nm (Vallado 8-28);
            # normalised, the first term is scaled by N_nm / N_n,m+1.
            k = np.sqrt((2.0 - (m == 0)) / 2.0 * (n - m) * (n + m + 1))
            dp[n, m] = k * p[n, m + 1] - m * t / c * p[n, m]
    return p[: nmax + 1, : nmax + 1], dp


def _reference_acceleration(field: GravityField, r: Array, degree: int, order: int,
                            first_degree: int) -> Array:
    """grad U of degrees first_degree..degree (orders <= order) [m/s^2] at body-fixed r [m]."""
    x, y, z = r.T
    rho2 = x * x + y * y
    rho = np.sqrt(rho2)
    rr = np.sqrt(rho2 + z * z)
    lam = np.arctan2(y, x)
    p, dp = _legendre(degree, z / rr, rho / rr)
    du_dr = np.zeros_like(rr)
    du_dphi = np.zeros_like(rr)
    du_dlam = np.zeros_like(rr)
    for n in range(first_degree, degree + 1):
        q = (field.radius_m / rr) ** n
        for m in range(min(n, order) + 1):
            cos_m, sin_m = np.cos(m * lam), np.sin(m * lam)
            trig = field.c[n, m] * cos_m + field.s[n, m] * sin_m
            du_dr -= (n + 1) * q * p[n, m] * trig
            du_dphi += q * dp[n, m] * trig
            du_dlam += q * m * p[n, m] * (field.s[n, m] * cos_m - field.c[n, m] * sin_m)
    mu = field.mu_m3_s2
    du_dr *= mu / rr**2
    du_dphi *= mu / rr
    du_dlam *= mu / rr
    common = du_dr / rr - z / (rr**2 * rho) * du_dphi
    return np.stack([common * x - du_dlam / rho2 * y, common * y + du_dlam / rho2 * x,
                     du_dr / rr * z + rho / rr**2 * du_dphi], axis=-1)


# --- the bundled model ---------------------------------------------------------------------------
def test_bundled_egm96(egm96: GravityField) -> None:
    """Reference: the EGM96 header and its published J2 = 1.08262668e-3 (tolerance 1e-10;
    -Cbar_20 sqrt(5) = 1.0826266836e-3); the last line of the file, gfc 36 36."""
    assert (egm96.name, egm96.max_degree, egm96.tide_system) == ("EGM96", 36, "tide_free")
    assert (egm96.mu_m3_s2, egm96.radius_m) == (3.986004415e14, 6378136.3)
    assert abs(egm96.zonal_j(2) - EGM96_J2) < 1e-10
    assert egm96.c.shape == egm96.s.shape == (37, 37)
    assert egm96.c[0, 0] == 1.0 and not np.any(egm96.c[1]) and not np.any(egm96.s[1])
    assert (egm96.c[36, 36], egm96.s[36, 36]) == (0.460146465720e-08, -0.594245336314e-08)
    # complete: a non-zero Cbar for each of the 700 (n, m) with 2 <= n <= 36, nothing above m = n
    assert sum(egm96.c[n, m] != 0.0 for n in range(2, 37) for m in range(n + 1)) == 700
    assert not np.any(np.triu(egm96.c, 1)) and not np.any(np.triu(egm96.s, 1))
    assert load_gravity_field() is egm96  # cached


def test_truncation_and_validation(egm96: GravityField) -> None:
    """Reference: the model's own arrays; errors are project errors."""
    small = egm96.truncated(8, 4)
    assert small.max_degree == 8 and small.c.shape == (9, 9)
    np.testing.assert_array_equal(small.c[:, :5], egm96.c[:9, :5])
    assert not np.any(small.c[:, 5:]) and not np.any(small.s[:, 5:])
    with pytest.raises(ValueError):  # read-only copies
        small.c[2, 0] = 0.0
    for bad in (lambda: egm96.truncated(37), lambda: egm96.truncated(8, 9),
                lambda: egm96.zonal_j(40),
                lambda: GravityField("x", -1.0, 1.0, np.eye(3), np.zeros((3, 3)), 2),
                lambda: GravityField("x", 1.0, 1.0, np.eye(3), np.zeros((2, 2)), 2),
                lambda: GravityField("x", 1.0, 1.0, np.full((3, 3), np.nan), np.zeros((3, 3)), 2),
                lambda: GravityField("x", 1.0, 1.0, np.ones((3, 3)), np.zeros((3, 3)), 2),
                lambda: gravity_acceleration_body(egm96, np.zeros((2, 3)), 2),
                lambda: gravity_acceleration_body(egm96, np.ones((2, 4)), 2)):
        with pytest.raises(GravityInputError):
            bad()


# --- expressions ---------------------------------------------------------------------------------
def test_central_term_is_included(egm96: GravityField, points: Array) -> None:
    """Reference: -mu r / |r|^3 in NumPy. heyoka's sh_gravity_acc at degree 0 is the point mass
    (tolerance 1e-14, measured 6.1e-16), as is point_mass_acceleration compiled; shapes (N, 3)
    and (3,) are kept."""
    expected = _central(points, egm96.mu_m3_s2)
    degree0 = gravity_acceleration_body(egm96, points, 0, 0)
    assert np.max(_relative(degree0, expected)) < 1e-14
    xyz = list(hy.make_vars("x", "y", "z"))
    point_mass = hy.cfunc(point_mass_acceleration(xyz, egm96.mu_m3_s2), xyz)
    assert np.max(_relative(np.asarray(point_mass(np.ascontiguousarray(points.T))).T,
                            expected)) < 1e-14
    single = gravity_acceleration_body(egm96, points[0], 0, 0)
    assert single.shape == (3,) and np.array_equal(single, degree0[0])
    assert len(spherical_harmonic_acceleration(xyz, egm96, 2, 0)) == 3


def test_zonal_j2_matches_vallado(egm96: GravityField, points: Array) -> None:
    """Reference: Vallado 4th ed. eq. 8-32, a_x = -3/2 J2 mu a^2 x / r^5 (1 - 5 z^2/r^2),
    a_y likewise, a_z = -3/2 J2 mu a^2 z / r^5 (3 - 5 z^2/r^2). Tolerance 1e-12 relative
    (measured 1.2e-15)."""
    mu, a, j2 = egm96.mu_m3_s2, egm96.radius_m, egm96.zonal_j(2)
    x, y, z = points.T
    r = np.linalg.norm(points, axis=-1)
    k = -1.5 * j2 * mu * a**2 / r**5
    expected = np.stack([k * x * (1 - 5 * z**2 / r**2), k * y * (1 - 5 * z**2 / r**2),
                         k * z * (3 - 5 * z**2 / r**2)], axis=-1)
    ours = zonal_acceleration_body(points, mu, a, [j2])
    assert np.max(_relative(ours, expected)) < 1e-12


def test_zonal_j2_to_j6_matches_sh_order_0(egm96: GravityField, points: Array) -> None:
    """References: (1) the spherical-harmonic expression at degree 6, order 0, less the same
    expression at degree 0 (its central term): 1e-12 relative (measured 2.4e-13 over 2,000
    random points; what is left is the rounding of the 9 m/s^2 central term, 1e-15 of it,
    against a zonal part of 1e-2 m/s^2); (2) the independent gradient above, degrees 2..6,
    order 0: 1e-13 (measured 2.5e-15)."""
    js = [egm96.zonal_j(n) for n in range(2, 7)]
    zonal = zonal_acceleration_body(points, egm96.mu_m3_s2, egm96.radius_m, js)
    sh = gravity_acceleration_body(egm96, points, 6, 0)
    sh_central = gravity_acceleration_body(egm96, points, 0, 0)
    assert np.max(_relative(zonal, sh - sh_central)) < 1e-12
    reference = _reference_acceleration(egm96, points, 6, 0, first_degree=2)
    assert np.max(_relative(zonal, reference)) < 1e-13
    xyz = list(hy.make_vars("x", "y", "z"))
    assert len(zonal_acceleration(xyz, egm96.mu_m3_s2, egm96.radius_m, js)) == 3
    np.testing.assert_array_equal(zonal_acceleration_body(points, 1.0, 1.0, []), 0.0)


@pytest.mark.parametrize("degree", [2, 4, 6])
def test_fused_central_and_zonal_terms(egm96: GravityField, points: Array, degree: int) -> None:
    """The integrator's fused expression against the independent gradient above (central
    term plus zonal degrees 2..n, order 0): 1e-15 relative to the total (the rounding of the
    9 m/s^2 central term), and 1e-12 of the zonal part alone."""
    js = [egm96.zonal_j(n) for n in range(2, degree + 1)]
    xyz = list(hy.make_vars("x", "y", "z"))
    fused = hy.cfunc(central_zonal_acceleration(xyz, egm96.mu_m3_s2, egm96.radius_m, js), xyz)
    ours = fused(np.ascontiguousarray(points.T)).T
    reference = _reference_acceleration(egm96, points, degree, 0, first_degree=0)
    central = _central(points, egm96.mu_m3_s2)
    assert np.max(_relative(ours, reference)) < 1e-15 * 10
    assert np.max(np.linalg.norm(ours - reference, axis=1)
                  / np.linalg.norm(reference - central, axis=1)) < 1e-12
    point = hy.cfunc(central_zonal_acceleration(xyz, egm96.mu_m3_s2, egm96.radius_m, []), xyz)
    np.testing.assert_allclose(point(np.ascontiguousarray(points.T)).T, central, rtol=1e-15)


@pytest.mark.parametrize("degree", [20, 36])
def test_sh_matches_independent_reference(egm96: GravityField, points: Array,
                                          degree: int) -> None:
    """Reference: the spherical-coordinate gradient above, degrees 1..n, at 50 points of
    6,500-7,500 km including 0.01 degree from the poles. Tolerance 1e-9 relative on the
    non-central part (measured 4.2e-13 at 20 x 20, 4.4e-13 at 36 x 36), 1e-14 on the total
    (measured 6.7e-16)."""
    total = gravity_acceleration_body(egm96, points, degree, degree)
    central = _central(points, egm96.mu_m3_s2)
    reference = _reference_acceleration(egm96, points, degree, degree, first_degree=1)
    assert np.max(_relative(total - central, reference)) < 1e-9
    assert np.max(_relative(total, reference + central)) < 1e-14


def test_against_heyoka_egm2008(egm96: GravityField, points: Array) -> None:
    """Reference: heyoka.model.egm2008_acc, EGM2008 (same GM and radius as EGM96), a check of
    frame and normalisation conventions, not of values. Bounds, with the values measured:

    * degree 2, order 0: 1e-6 relative on the non-central part, the two models' C20 differing
      by 4.7e-7 relatively (EGM96 -0.484165371736e-3, EGM2008 -0.484165143790815e-3);
      measured 4.7e-7;
    * 8 x 8 and 20 x 20: 1e-4 and 1e-3 relative on the non-central part (measured 2.0e-5 and
      1.4e-4);
    * 20 x 20 less the degree-2 zonal part of each model (the tesseral and higher terms):
      0.1 relative (measured 9.2e-3, the models' own difference); a convention error is O(1)
      here (EGM96 with the sign of every Sbar flipped: 7.1 at 8 x 8, and 4e-2 on the whole
      non-central part).
    """
    xyz = list(hy.make_vars("x", "y", "z"))
    columns = np.ascontiguousarray(points.T)

    def egm2008(n: int, m: int) -> Array:
        return np.asarray(hy.cfunc(hy.model.egm2008_acc(xyz, n, m), xyz)(columns)).T

    assert hy.model.get_egm2008_mu() == egm96.mu_m3_s2
    assert hy.model.get_egm2008_a() == egm96.radius_m
    central = _central(points, egm96.mu_m3_s2)
    zonal2_ours = gravity_acceleration_body(egm96, points, 2, 0)
    zonal2_theirs = egm2008(2, 0)
    assert np.max(_relative(zonal2_theirs - central, zonal2_ours - central)) < 1e-6
    for degree, bound in ((8, 1e-4), (20, 1e-3)):
        ours = gravity_acceleration_body(egm96, points, degree, degree)
        theirs = egm2008(degree, degree)
        assert np.max(_relative(theirs - central, ours - central)) < bound
    assert np.max(_relative(theirs - zonal2_theirs, ours - zonal2_ours)) < 0.1
