"""The lifetime engine's density table: ``ln <rho g>`` (the orbit average of the density times
the co-rotation factor of the drag term) per time slot and 10 km of mean height, filled with the
atmosphere model where members are, and where a lone member is about to be (see
:mod:`.lifetime`)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from stationsim.constants import EARTH_ROTATION_RATE_RAD_S, WGS84_A_M
from stationsim.errors import PropagationError
from stationsim.forces.atmosphere import Atmosphere
from stationsim.frames import itrf_to_geodetic
from stationsim.frames.earth import earth_rotation, earth_rotation_angle_rad
from stationsim.propagation.reference_revolution import ReferenceRevolution
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = ["NODE_M", "SAMPLES", "OrbitDensityTable"]

#: Atmosphere samples per table entry (time slot x height node): a rank-1 lattice over the
#: slot's time and the revolution's phase (sample ``m`` at time ``(m + 1/2) / 8`` of the slot
#: and phase ``((3 m mod 8) + 1/2) / 8`` of the revolution). Against 48 points of a
#: low-discrepancy sequence, the benchmark lifetimes move by under 0.5 % (docs/validation.md).
SAMPLES = 8
_GENERATOR = 3
#: Height nodes of the table [m].
NODE_M = 10e3
#: Slots a look-ahead fill reaches (the one asked for included), and the most entries it adds.
_AHEAD_SLOTS = 8
_AHEAD_ENTRIES = 48
#: The span over which a table keeps one celestial pole and polar motion [s].
_POLE_BLOCK_S = 16 * 86400.0
#: Margin on a look-ahead's expected drop, both ways.
_AHEAD_MARGIN = 1.2


class OrbitDensityTable:
    """``ln <rho g>`` per time slot and height node, filled where asked.

    The samples of a slot share one Earth orientation: the rotation angle at the slot's middle,
    advanced at the Earth's rate, and the precession-nutation and polar motion at the middle of
    its 16-day block (the celestial pole moves by about 0.14 arcsecond a day: at most about
    1.1 arcseconds, under 40 m at the orbit, from a slot to its block's middle).
    An entry is computed with element-wise operations only, so its value depends on its slot
    and node and not on the other entries filled in the same call.

    Args:
        atmosphere, ref, epoch: the model, the revolution and the start of slot 0.
        slot_s, t_end_s: the slot's length and the last time [s after ``epoch``] asked for.
        margin: nodes filled on each side of the two a member asks for.
        lowest_m: no look-ahead below this mean height [m] (the members stop there).
    """

    _NODES = round(1.2e6 / NODE_M) + 1  # 0 .. 1,200 km

    def __init__(self, atmosphere: Atmosphere, ref: ReferenceRevolution, epoch: Epoch,
                 slot_s: float, t_end_s: float, margin: int, lowest_m: float = 0.0) -> None:
        self.atmosphere = atmosphere
        self.lowest_m = lowest_m
        self.margin = margin
        self.ref = ref
        self.epoch = epoch
        self.slot_s = slot_s
        self.rows = np.full((int(np.ceil(t_end_s / slot_s)) + 1, self._NODES), np.nan)
        self.samples = 0
        self.entries = 0
        self.fills = 0
        self._poles: dict[int, tuple[FloatArray, FloatArray, float]] = {}
        m = np.arange(SAMPLES)
        self._time_frac = (m + 0.5) / SAMPLES
        self._phase = (np.mod(m * _GENERATOR, SAMPLES) + 0.5) / SAMPLES * 2.0 * np.pi

    def _pole(self, slots: NDArray[np.intp]) -> tuple[FloatArray, FloatArray, FloatArray]:
        """The celestial-to-intermediate and polar-motion matrices and the spin rate for the
        middles of ``slots``, each taken at the middle of its ``_POLE_BLOCK_S`` block of time
        (the celestial pole moves by about 0.14 arcsecond a day), kept once computed."""
        block = np.floor((slots + 0.5) * self.slot_s / _POLE_BLOCK_S).astype(np.intp)
        new = [int(b) for b in np.unique(block) if int(b) not in self._poles]
        if new:
            rot = earth_rotation(self.epoch + (np.array(new) + 0.5) * _POLE_BLOCK_S)
            for k, b in enumerate(new):
                self._poles[b] = (rot.c2i[k], rot.pom[k], float(rot.omega_rad_s[k]))
        rows = [self._poles[int(b)] for b in block]
        return (np.array([x[0] for x in rows]), np.array([x[1] for x in rows]),
                np.array([x[2] for x in rows]))

    def _geodetic(self, slots: NDArray[np.intp], t: FloatArray, r: FloatArray
                  ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Latitude, longitude, height of GCRF positions ``r`` ``(E, S, 3)`` at times ``t``
        ``(E, S)``, each row through its slot's Earth orientation: the rotation angle at the
        slot's middle, advanced at the Earth's rate, and the pole of :meth:`_pole`."""
        c2i, pom, omega = self._pole(slots)
        middle = (slots + 0.5) * self.slot_s
        era = earth_rotation_angle_rad(self.epoch + middle)
        angle = era[:, None] + omega[:, None] * (t - middle[:, None])
        cirs = _mat_vec(c2i[:, None], r)
        c, s = np.cos(angle), np.sin(angle)
        tirs = np.stack([c * cirs[..., 0] + s * cirs[..., 1],
                         -s * cirs[..., 0] + c * cirs[..., 1], cirs[..., 2]], axis=-1)
        return itrf_to_geodetic(_mat_vec(pom[:, None], tirs))

    def _fill(self, slots: NDArray[np.intp], nodes: NDArray[np.intp]) -> None:
        """Fill the entries ``(slots[k], nodes[k])`` with one call of the atmosphere model
        (its cost per call would otherwise rival its cost per point)."""
        ref = self.ref
        t = (slots[:, None] + self._time_frac[None, :]) * self.slot_s
        a = WGS84_A_M + nodes.astype(np.float64)[:, None] * NODE_M + 0.0 * t
        u = ref.u_rad[0] + self._phase[None, :] + 0.0 * a
        r, v = ref.positions(a, u, ref.raan_rad + ref.raan_rate_rad_s * t)
        # The air co-rotates: along-track and cross-track parts of the relative velocity.
        w = EARTH_ROTATION_RATE_RAD_S
        v_rel = np.stack([v[..., 0] + w * r[..., 1], v[..., 1] - w * r[..., 0], v[..., 2]],
                         axis=-1)
        speed2 = v[..., 0] ** 2 + v[..., 1] ** 2 + v[..., 2] ** 2
        rel = np.sqrt(v_rel[..., 0] ** 2 + v_rel[..., 1] ** 2 + v_rel[..., 2] ** 2)
        along = v_rel[..., 0] * v[..., 0] + v_rel[..., 1] * v[..., 1] + v_rel[..., 2] * v[..., 2]
        g = rel * along / (speed2 * np.sqrt(speed2))
        when = self.epoch + t
        geodetic = getattr(self.atmosphere, "density_geodetic", None)
        if geodetic is None:
            rho = np.asarray(self.atmosphere.density(when, r))
        else:
            lat, lon, h = self._geodetic(slots, t, r)
            rho = np.asarray(geodetic(when.mjd_utc, lat, lon, h))
        self.samples += rho.size
        self.entries += len(slots)
        self.fills += 1
        self.rows[slots, nodes] = np.log(np.mean(rho * g, axis=1))

    def _wanted(self, slot: NDArray[np.intp], lo: NDArray[np.intp],
                height_m: FloatArray, drop_m: FloatArray | None
                ) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """The empty entries to fill for members at nodes ``lo`` of slots ``slot`` that miss
        theirs: their own two nodes (with the table's margin on each side: in an ensemble the
        members that enter the slot later will want them); with ``drop_m`` (each member's
        expected loss of mean height per slot), also the nodes each is expected to pass
        through in this slot and the next ones, up to ``_AHEAD_SLOTS`` slots and a bounded
        number of entries."""
        last = self._NODES - 1
        span = np.arange(-self.margin, 2 + self.margin)
        pairs = [(np.repeat(slot, len(span)),
                  np.clip((lo[:, None] + span[None, :]).ravel(), 0, last))]
        if drop_m is not None:
            count = 0
            for k, top, h, drop in zip(slot, lo, height_m, drop_m, strict=True):
                fall = max(float(drop), 0.0)
                # The loss after j slots if the density grows as exp(-dh / H) on the way
                # down, with a scale height H rising from 20 km at 120 km as the models have it.
                scale = 2e4 + 0.15 * max(float(h) - 1.2e5, 0.0)
                for j in range(_AHEAD_SLOTS):
                    if k + j >= len(self.rows) or count >= _AHEAD_ENTRIES:
                        break
                    reach = _AHEAD_MARGIN * fall * (j + 1) / scale
                    # Past reach 1 the member is expected to come down within the slot.
                    low = max(h + scale * np.log1p(-reach) if reach < 1.0 else -np.inf,
                              self.lowest_m)
                    high = h + scale * np.log1p(-min(fall * j / (_AHEAD_MARGIN * scale), 0.99))
                    nodes = np.arange(max(int(np.floor(low / NODE_M)), 0),
                                      min(int(np.floor(high / NODE_M)), top) + 2)
                    nodes = nodes[np.isnan(self.rows[k + j, nodes])]
                    pairs.append((np.full(len(nodes), k + j), nodes))
                    count += len(nodes)
                    if reach >= 1.0:
                        break
        slots = np.concatenate([p[0] for p in pairs]).astype(np.intp)
        nodes = np.concatenate([p[1] for p in pairs]).astype(np.intp)
        key = np.unique(slots * (last + 1) + nodes)
        slots, nodes = key // (last + 1), key % (last + 1)
        empty = np.isnan(self.rows[slots, nodes])
        return slots[empty], nodes[empty]

    def log_density(self, slot: NDArray[np.intp], height_m: FloatArray,
                    drop_m: FloatArray | None = None) -> FloatArray:
        """``ln <rho g>`` at mean heights ``a - R_e`` [m], each in its own slot (arrays of one
        shape); ``drop_m``, each member's expected loss of mean height per slot, lets a fill
        reach ahead (see :meth:`_wanted`). An entry depends only on its slot and node, never on
        who asks or when: a member's result is the same in any ensemble."""
        h = np.asarray(height_m)
        x = h / NODE_M
        if (x < 0).any() or (x >= self._NODES - 2).any():
            raise PropagationError("a mean height left the lifetime engine's table "
                                   "(0 to 1,200 km)")
        lo = x.astype(np.intp)  # x >= 0: truncation is the floor
        f0, f1 = self.rows[slot, lo], self.rows[slot, lo + 1]
        missing = np.isnan(f0 + f1)
        if missing.any():
            self._fill(*self._wanted(slot[missing], lo[missing], h[missing],
                                     None if drop_m is None else np.asarray(drop_m)[missing]))
            f0, f1 = self.rows[slot, lo], self.rows[slot, lo + 1]
        return np.asarray(f0 + (x - lo) * (f1 - f0))


def _mat_vec(m: FloatArray, r: FloatArray) -> FloatArray:
    """``m @ r`` for matrices ``(..., 3, 3)`` and vectors ``(..., 3)``, written out element by
    element (the same rounding whatever the shapes)."""
    return np.stack([m[..., i, 0] * r[..., 0] + m[..., i, 1] * r[..., 1]
                     + m[..., i, 2] * r[..., 2] for i in range(3)], axis=-1)
