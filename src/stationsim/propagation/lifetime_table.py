"""The lifetime engine's density table: ``ln <rho g>`` (the orbit average of the density times
the co-rotation factor of the drag term) per time slot and 5 km of mean height, filled with the
atmosphere model where members are (see :mod:`.lifetime`)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from stationsim.constants import EARTH_ROTATION_RATE_RAD_S, WGS84_A_M
from stationsim.errors import PropagationError
from stationsim.forces.atmosphere import Atmosphere
from stationsim.frames import itrf_to_geodetic
from stationsim.frames.earth import earth_rotation
from stationsim.propagation.reference_revolution import ReferenceRevolution
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = ["NODE_M", "OrbitDensityTable"]

#: Atmosphere samples per table entry (time slot x height node).
SAMPLES = 48
#: Height nodes of the table [m].
NODE_M = 5e3
_GOLDEN = 0.6180339887498949


class OrbitDensityTable:
    """``ln <rho g>`` per time slot and height node, filled where asked.

    The samples of a slot share one Earth orientation (the precession-nutation and polar motion
    at the slot's middle, with the rotation angle advanced at the Earth's rate), as the
    propagator's density fits do: the celestial pole moves by well under an arcsecond in a day.
    """

    _NODES = 241  # 0 .. 1,200 km

    def __init__(self, atmosphere: Atmosphere, ref: ReferenceRevolution, epoch: Epoch,
                 slot_s: float, t_end_s: float, margin: int) -> None:
        self.atmosphere = atmosphere
        self.margin = margin
        self.ref = ref
        self.epoch = epoch
        self.slot_s = slot_s
        self.rows = np.full((int(np.ceil(t_end_s / slot_s)) + 1, self._NODES), np.nan)
        self.samples = 0
        self.entries = 0
        m = np.arange(SAMPLES)
        self._time_frac = (m + 0.5) / SAMPLES
        self._phase = np.mod(0.5 + m * _GOLDEN, 1.0) * 2.0 * np.pi

    def _geodetic(self, slot: int, t: FloatArray, r: FloatArray
                  ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Latitude, longitude, height of GCRF positions at times ``t`` of one slot, through
        the slot's Earth orientation."""
        rot = earth_rotation(self.epoch + float((slot + 0.5) * self.slot_s))
        angle = rot.era_rad + rot.omega_rad_s * (t - (slot + 0.5) * self.slot_s)
        cirs = np.einsum("ij,...j->...i", rot.c2i, r)
        c, s = np.cos(angle), np.sin(angle)
        tirs = np.stack([c * cirs[..., 0] + s * cirs[..., 1],
                         -s * cirs[..., 0] + c * cirs[..., 1], cirs[..., 2]], axis=-1)
        return itrf_to_geodetic(np.einsum("ij,...j->...i", rot.pom, tirs))

    def _fill(self, wanted: list[tuple[int, NDArray[np.intp]]]) -> None:
        """Fill the entries ``(slot, nodes)`` of ``wanted``, with one call of the atmosphere
        model (its cost per call would otherwise rival its cost per point)."""
        ref = self.ref
        geodetic = getattr(self.atmosphere, "density_geodetic", None)
        factors: list[FloatArray] = []
        densities: list[FloatArray] = []
        points: list[tuple[FloatArray, ...]] = []
        for slot, nodes in wanted:
            t = (slot + self._time_frac) * self.slot_s
            a = WGS84_A_M + nodes.astype(np.float64)[:, None] * NODE_M + 0.0 * t[None, :]
            u = ref.u_rad[0] + self._phase[None, :] + 0.0 * a
            raan = ref.raan_rad + ref.raan_rate_rad_s * t[None, :] + 0.0 * a
            r, v = ref.positions(a, u, raan)
            # The air co-rotates: along-track and cross-track parts of the relative velocity.
            v_rel = v - np.cross(np.array([0.0, 0.0, EARTH_ROTATION_RATE_RAD_S]), r)
            speed = np.linalg.norm(v, axis=-1)
            factors.append(np.linalg.norm(v_rel, axis=-1)
                           * np.einsum("...j,...j->...", v_rel, v) / speed ** 3)
            when = self.epoch + t
            if geodetic is None:
                densities.append(np.asarray(self.atmosphere.density(when, r)))
            else:
                lat, lon, h = self._geodetic(slot, t, r)
                points.append((np.broadcast_to(when.mjd_utc, lat.shape), lat, lon, h))
        if geodetic is not None:
            flat = np.asarray(geodetic(*(np.concatenate([p[k].ravel() for p in points])
                                         for k in range(4))))
            edges = np.cumsum([0] + [g.size for g in factors])
            densities = [flat[e0:e1].reshape(g.shape)
                         for e0, e1, g in zip(edges[:-1], edges[1:], factors, strict=True)]
        for (slot, nodes), g, rho in zip(wanted, factors, densities, strict=True):
            self.samples += rho.size
            self.entries += len(nodes)
            self.rows[slot, nodes] = np.log(np.mean(rho * g, axis=1))

    def log_density(self, slot: NDArray[np.intp], height_m: FloatArray) -> FloatArray:
        """``ln <rho g>`` at mean heights ``a - R_e`` [m], each in its own slot (arrays of one
        shape). An entry depends only on its slot and node, never on who asks: a member's
        result is the same in any ensemble."""
        x = np.asarray(height_m) / NODE_M
        if np.any(x < 0) or np.any(x >= self._NODES - 2):
            raise PropagationError("a mean height left the lifetime engine's table "
                                   "(0 to 1,200 km)")
        lo = np.floor(x).astype(np.intp)
        f0, f1 = self.rows[slot, lo], self.rows[slot, lo + 1]
        missing = np.isnan(f0) | np.isnan(f1)
        if np.any(missing):
            # In an ensemble, with a node of margin on each side: the members that enter the
            # slot later will want them, and one call for many entries is cheaper than many.
            wanted = []
            for k in np.unique(slot[missing]):
                near = lo[missing & (slot == k)]
                span = np.arange(-self.margin, 2 + self.margin)
                nodes = np.unique(np.clip(near[:, None] + span[None, :], 0, self._NODES - 1))
                nodes = nodes[np.isnan(self.rows[k, nodes])]
                if len(nodes):
                    wanted.append((int(k), nodes))
            self._fill(wanted)
            f0, f1 = self.rows[slot, lo], self.rows[slot, lo + 1]
        return np.asarray(f0 + (x - lo) * (f1 - f0))
