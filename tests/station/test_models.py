"""The physics kernels of the station model against closed forms and independent numerics:
rocket equation, eclipse fraction, array factors, silhouettes, inertia, gravity-gradient
torque and the torque-equilibrium attitude."""

from __future__ import annotations

import math

import numpy as np
import pytest

from stationsim.constants import WGS84_A_M
from stationsim.station import (
    ArrayPolicy,
    Configuration,
    Environment,
    Link,
    Part,
    PartKind,
    Port,
    Segment,
    beta_angle_rad,
    body_of,
    eclipse_fraction,
    environment_torques,
    equilibrium_pitch,
    rocket_delta_v,
    wing_factors,
)
from stationsim.station.geometry import Placement, frontal_area, mass_properties
from stationsim.station.parts import Direction
from stationsim.time import Timescale


def test_rocket_equation() -> None:
    """Tsiolkovsky: 300 s, 1,000 kg with 100 kg of propellant: 300 g0 ln(10/9) = 309.97 m/s
    (hand value, 1e-4)."""
    assert rocket_delta_v(300.0, 1000.0, 100.0) == pytest.approx(309.97, abs=1e-2)
    assert rocket_delta_v(300.0, 1000.0, 0.0) == 0.0
    with pytest.raises(ValueError):
        rocket_delta_v(300.0, 100.0, 100.0)


def test_eclipse_fraction_against_sampled_shadow() -> None:
    """The closed form (Wertz 1978, sec. 3.5) against sampling a circular orbit in a
    cylindrical shadow (1e-3); none above the critical beta asin(R / (R + h)) = 69.8 deg."""
    h, r = 418e3, WGS84_A_M + 418e3
    u = np.linspace(0.0, 2.0 * np.pi, 200_001)[:-1]
    for beta_deg in (0.0, 30.0, 60.0):
        b = math.radians(beta_deg)
        sun = np.array([math.cos(b), 0.0, math.sin(b)])  # orbit in the x-y plane
        pos = r * np.stack([np.cos(u), np.sin(u), np.zeros_like(u)], axis=-1)
        along = pos @ sun
        off = np.linalg.norm(pos - along[:, None] * sun, axis=-1)
        sampled = float(np.mean((along < 0.0) & (off < WGS84_A_M)))
        assert eclipse_fraction(b, h) == pytest.approx(sampled, abs=1e-3)
    assert eclipse_fraction(math.radians(75.0), h) == 0.0


def test_beta_angle() -> None:
    """Sun along the orbit normal: 90 deg; in the plane: 0."""
    r, v = np.array([7e6, 0.0, 0.0]), np.array([0.0, 7.5e3, 0.0])
    assert beta_angle_rad(np.array([0.0, 0.0, 1.0]), r, v) == pytest.approx(math.pi / 2)
    assert beta_angle_rad(np.array([1.0, 0.0, 0.0]), r, v) == pytest.approx(0.0, abs=1e-12)


def test_wing_factors_closed_forms() -> None:
    """Sun tracking shows |s_x| = cos b |sin u| to the flow: 2 cos(b) / pi over an orbit;
    night glider removes the eclipse arc: ((1 + cos psi) cos b / pi, psi = pi f); a one-axis
    wing generates cos b in sunlight (sampling error < 1e-4)."""
    for beta_deg in (0.0, 40.0):
        b = math.radians(beta_deg)
        f = eclipse_fraction(b, 418e3)
        track = wing_factors(ArrayPolicy.SUN_TRACKING, b, f, edge_fraction=0.0)
        assert track.drag == pytest.approx(2.0 * math.cos(b) / math.pi, abs=1e-4)
        assert track.power == pytest.approx(1.0 - f, abs=2e-3)
        glide = wing_factors(ArrayPolicy.NIGHT_GLIDER, b, f, edge_fraction=0.0)
        expected = (1.0 + math.cos(math.pi * f)) * math.cos(b) / math.pi
        assert glide.drag == pytest.approx(expected, abs=2e-3)
        assert glide.power == pytest.approx(track.power, abs=1e-12)
        one = wing_factors(ArrayPolicy.SUN_TRACKING, b, f, tracking="one_axis",
                           edge_fraction=0.0)
        assert one.power == pytest.approx(math.cos(b) * (1.0 - f), abs=2e-3)


def test_night_glider_saves_about_30_percent() -> None:
    """Wikipedia, Night Glider mode (M): 'about 30 percent' less array drag than tracking,
    with no power lost. Here 30 % at beta 0 and 418 km (tolerance 5 points)."""
    f = eclipse_fraction(0.0, 418e3)
    track = wing_factors(ArrayPolicy.SUN_TRACKING, 0.0, f)
    glide = wing_factors(ArrayPolicy.NIGHT_GLIDER, 0.0, f)
    assert 1.0 - glide.drag / track.drag == pytest.approx(0.30, abs=0.05)
    slicer = wing_factors(ArrayPolicy.SUN_SLICER, 0.0, f)
    assert slicer.drag < glide.drag and slicer.power < glide.power


def test_frontal_area_of_simple_shapes() -> None:
    """A disc (axis x, d = 4 m): 4 pi; a cylinder side-on (axis y, 10 m x 4 m): 40 m^2; a
    second disc behind the first is hidden (grid of 0.1 m: 1 %)."""
    disc = Placement(np.zeros(3), "x", 5.0, 4.0)
    behind = Placement(np.array([-6.0, 0.0, 0.0]), "x", 5.0, 4.0)
    side = Placement(np.array([0.0, 20.0, 0.0]), "y", 10.0, 4.0)
    one = frontal_area({"a": disc}, {}, cell_m=0.1)
    assert one.area_m2 == pytest.approx(4.0 * math.pi, rel=0.01)
    two = frontal_area({"a": disc, "b": behind}, {}, cell_m=0.1)
    assert two.area_m2 == pytest.approx(one.area_m2, rel=1e-9)
    assert two.by_part_m2 == {"a": pytest.approx(one.area_m2)}
    both = frontal_area({"a": disc, "c": side}, {"c": 0.5}, cell_m=0.1)
    assert both.area_m2 == pytest.approx(4.0 * math.pi + 20.0, rel=0.01)


def test_inertia_of_cylinders() -> None:
    """A solid cylinder: m r^2 / 2 about its axis, m (3 r^2 + L^2) / 12 across; two equal
    cylinders 10 m apart add m d^2 / 2 each way across (parallel axes; exact)."""
    place = {"a": Placement(np.zeros(3), "x", 6.0, 2.0)}
    one = mass_properties({"a": 100.0}, place)
    assert one.inertia_kg_m2[0, 0] == pytest.approx(100.0 * 1.0 / 2.0)
    assert one.inertia_kg_m2[1, 1] == pytest.approx(100.0 * (3.0 + 36.0) / 12.0)
    place["b"] = Placement(np.array([0.0, 10.0, 0.0]), "x", 6.0, 2.0)
    two = mass_properties({"a": 100.0, "b": 100.0}, place)
    assert two.center_m == pytest.approx([0.0, 5.0, 0.0])
    assert two.inertia_kg_m2[0, 0] == pytest.approx(2 * 50.0 + 2 * 100.0 * 25.0)
    assert two.inertia_kg_m2[2, 2] == pytest.approx(2 * 100.0 * 39.0 / 12.0 + 2 * 2500.0)


def _dumbbell(ts: Timescale) -> Configuration:
    """Two 1,000-kg modules along x joined by an adapter: a gravity-gradient test body."""
    core = Part("Core", PartKind.MODULE, Segment.USOS, 1000.0, length_m=10.0, diameter_m=4.0,
                ports=(Port(Direction.FWD), Port(Direction.NADIR)))
    tail = Part("Tail", PartKind.MODULE, Segment.USOS, 1000.0, length_m=10.0, diameter_m=4.0)
    mast = Part("Mast", PartKind.TRUSS, Segment.USOS, 500.0, axis="z", length_m=8.0,
                diameter_m=1.0)
    return Configuration("test", ts.from_iso("2022-03-06T00:00:00Z"), (core, tail, mast),
                         (Link("Core", "fwd", "Tail"), Link("Core", "nadir", "Mast")))


def test_gravity_gradient_torque_closed_form(ts: Timescale) -> None:
    """Pitched by t from XVV: T_y = 3 w^2 [(I_xx - I_zz) sin(2t) / 2 + I_xz cos(2t)]
    (exact), and the torque-equilibrium pitch cancels the secular torque."""
    body = _dumbbell(ts)
    env = Environment.nominal(0.0)
    inertia = body_of(body).mass.inertia_kg_m2
    w = env.mean_motion_rad_s
    for pitch in (0.0, 0.1, -0.3):
        gravity, aero = environment_torques(body, env, pitch)
        expected = 3 * w * w * ((inertia[0, 0] - inertia[2, 2]) * math.sin(2 * pitch) / 2
                                + inertia[0, 2] * math.cos(2 * pitch))
        assert gravity[1] == pytest.approx(expected, rel=1e-9, abs=1e-15)
        assert np.all(aero == 0.0)  # no air
    pitch = equilibrium_pitch(body, env)
    assert pitch is not None
    gravity, aero = environment_torques(body, env, pitch)
    assert abs(gravity[1] + aero[1]) < 1e-12
