"""The public facade: the one door for the command line, the web service and users' scripts.

Everything here takes and returns plain values (text, numbers, dataclasses); the layers below do
the work. Units are SI unless a name says otherwise (``alt_km``, ``lat_deg``).
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from stationsim.analysis import ATMOSPHERES, DecayReport, predict_decay
from stationsim.analysis import METHODS as DECAY_METHODS
from stationsim.analysis.calibration import CalibrationReport
from stationsim.analysis.calibration import calibrate as _calibrate
from stationsim.analysis.decay import LOWEST_TRACKED_KM, STALE_ELEMENTS_DAYS
from stationsim.analysis.distributed_run import check_scheduler_reachable
from stationsim.analysis.exports import (
    EXPORT_FILES,
    reentry_czml,
    reentry_geojson,
    scenario_files,
)
from stationsim.analysis.height_band import HeightBand, predict_height_band
from stationsim.analysis.plots import check_picture_path, plot_decay, plot_height_band
from stationsim.analysis.reentry import SPACE_WEATHER_MODES, ReentryReport, predict_reentry
from stationsim.analysis.reentry_map import plot_reentry_map
from stationsim.analysis.report import REPORT_FILES, write_report
from stationsim.analysis.scenario_results import scenario_results
from stationsim.analysis.scenario_station import plot_scenario_station
from stationsim.analysis.station_orbit import sgp4_orbit_environment
from stationsim.analysis.station_plot import plot_station_schematic
from stationsim.constants import GM_EARTH_M3_S2, WGS84_A_M
from stationsim.data import (
    DEFAULT_STATION_EPOCH_ISO,
    builtin_scenario_text,
    builtin_scenarios,
    bundled_path,
    data_coverage,
    load_space_weather,
    load_station_record,
    load_timescale,
    update_data,
)
from stationsim.data.geography import load_countries
from stationsim.errors import ExtrapolationWarning, InputError, PropagationError
from stationsim.forces import sun_direction_gcrf
from stationsim.forces.density_correction import DensityCorrection
from stationsim.frames import itrf_to_geodetic, teme_to_gcrf, teme_to_itrf
from stationsim.io.density_correction import format_density_correction, parse_density_correction
from stationsim.io.omm import parse_omm
from stationsim.io.targets import check_output_file, check_output_folder
from stationsim.io.tle import parse_tle
from stationsim.propagation.elements import GPElements
from stationsim.propagation.sgp4 import sgp4_error_message, sgp4_teme
from stationsim.scenario import Scenario, parse_scenario
from stationsim.scenario.runner import default_context
from stationsim.scenario.runner import run_scenario as _run_scenario
from stationsim.station import (
    Configuration,
    Environment,
    Segment,
    StationDrag,
    StationReport,
    remove_part,
    separate_segments,
    station_report,
    undock,
)
from stationsim.time import Epoch, Timescale

#: The bundled TLE file of the real ISS in 2022, and the epoch of its default element set.
DEFAULT_TLE_FILE = "tle/iss_2022.tle"
DEFAULT_EPOCH_ISO = "2022-03-07T21:06:42Z"

__all__ = [
    "ATMOSPHERES",
    "DECAY_METHODS",
    "DEFAULT_EPOCH_ISO",
    "DEFAULT_SCENARIO",
    "DEFAULT_STATION_EPOCH_ISO",
    "DEFAULT_TLE_FILE",
    "SPACE_WEATHER_MODES",
    "CalibrationReport",
    "DecayReport",
    "HeightBand",
    "Position",
    "ReentryReport",
    "StationReport",
    "calibrate",
    "countries_geojson",
    "data_info",
    "decay",
    "height_band",
    "load_density_correction",
    "load_elements",
    "load_scenario",
    "read_text",
    "reentry",
    "run_scenario",
    "scenario_from_text",
    "scenarios",
    "station",
    "station_configuration",
    "station_drag",
    "station_environment",
    "update_data_files",
    "where",
    "where_track",
    "write_text_file",
]


def read_text(path: str | Path) -> str:
    """The text of a user's file; the one place where stationsim reads users' bytes.

    Bytes that are not UTF-8 become U+FFFD, so that the parsers can point at their column.
    """
    file = Path(path)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", source=str(file)) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", source=str(file)) from None
    except PermissionError:
        raise InputError("permission denied", source=str(file)) from None
    return data.decode("utf-8", errors="replace")


def load_elements(path: str | Path | None = None) -> list[GPElements]:
    """Element sets from a TLE file or a CCSDS OMM file (KVN, XML or JSON), detected from the
    text; without a path, the bundled TLEs of the ISS in 2022."""
    if path is None:
        file = bundled_path(DEFAULT_TLE_FILE)
        return parse_tle(file.read_text(encoding="ascii"), source=file.name)
    text = read_text(path)
    head = text.lstrip()[:200]
    if head.startswith(("{", "[", "<")) or "CCSDS_OMM_VERS" in head:
        return parse_omm(text, source=str(path))
    return parse_tle(text, source=str(path))


@dataclass(frozen=True)
class Position:
    """Where an object is at one instant (from SGP4, rotated out of TEME).

    Attributes:
        norad_id, name: the object.
        elements_epoch: epoch of the element set used.
        epoch: the instant.
        lat_deg, lon_deg, alt_km: WGS-84 geodetic latitude, east longitude and height.
        r_gcrf_m, v_gcrf_m_s: position [m] and velocity [m/s] in GCRF.
        r_itrf_m, v_itrf_m_s: position [m] and velocity [m/s] in ITRF.
    """

    norad_id: int
    name: str | None
    elements_epoch: str
    epoch: str
    lat_deg: float
    lon_deg: float
    alt_km: float
    r_gcrf_m: tuple[float, float, float]
    v_gcrf_m_s: tuple[float, float, float]
    r_itrf_m: tuple[float, float, float]
    v_itrf_m_s: tuple[float, float, float]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (ISO 8601 epochs, lists for vectors)."""
        return {
            "norad_id": self.norad_id,
            "name": self.name,
            "elements_epoch": self.elements_epoch,
            "epoch": self.epoch,
            "lat_deg": self.lat_deg,
            "lon_deg": self.lon_deg,
            "alt_km": self.alt_km,
            "r_gcrf_m": list(self.r_gcrf_m),
            "v_gcrf_m_s": list(self.v_gcrf_m_s),
            "r_itrf_m": list(self.r_itrf_m),
            "v_itrf_m_s": list(self.v_itrf_m_s),
        }


def _select(elements: Sequence[GPElements], at: Epoch | None, norad_id: int | None,
            source: str) -> GPElements:
    """The element set to use: of the requested object (or the only one), the latest with
    epoch at or before ``at`` (else the earliest), or the latest of all without ``at``."""
    ids = sorted({e.norad_id for e in elements})
    if norad_id is not None:
        chosen = [e for e in elements if e.norad_id == norad_id]
        if not chosen:
            raise InputError(f"object {norad_id} is not in the file", source=source,
                             expected="one of " + ", ".join(map(str, ids)))
    elif len(ids) > 1:
        raise InputError(f"the file holds {len(ids)} objects", source=source,
                         expected="--norad with one of " + ", ".join(map(str, ids[:10]))
                         + (" ..." if len(ids) > 10 else ""))
    else:
        chosen = list(elements)
    ts = load_timescale()
    epochs = [ts.from_jd_utc(*e.epoch_jd_utc) for e in chosen]
    order = sorted(range(len(chosen)), key=lambda i: float(epochs[i].mjd_utc))
    if at is None:
        return chosen[order[-1]]
    # A TLE epoch is rounded to 1e-8 day (0.86 ms): a set within 1 ms after ``at`` is "at" it.
    before = [i for i in order if float(epochs[i] - at) <= 1e-3]
    return chosen[before[-1] if before else order[0]]


def where_track(elements: GPElements, epochs: Epoch) -> list[Position]:
    """Positions of one object at an array of epochs (SGP4, then TEME -> GCRF and ITRF)."""
    flat = epochs.ravel()
    jd1, jd2 = flat.utc
    age_days = (flat - elements.epoch(flat.ts)) / 86400.0
    r_teme, v_teme, codes = sgp4_teme([elements], jd1, jd2)
    if np.any(codes[0] != 0):
        bad = int(np.flatnonzero(codes[0])[0])
        raise PropagationError(
            f"SGP4 cannot propagate object {elements.norad_id} to {flat[bad].iso()}, "
            f"{age_days[bad]:+.1f} days from its element set of {elements.epoch_iso}"
            f"{' (run backwards)' if age_days[bad] < 0 else ''}: "
            f"{sgp4_error_message(int(codes[0][bad]))}; give element sets nearer that time"
        )
    r_gcrf, v_gcrf = teme_to_gcrf(flat, r_teme[0], v_teme[0])
    r_itrf, v_itrf = teme_to_itrf(flat, r_teme[0], v_teme[0])
    lat, lon, height = itrf_to_geodetic(r_itrf)
    # SGP4 run far from its epoch (backwards above all) can also fly off the set's orbit:
    # refuse a radius beyond twice the mean orbit's apogee.
    n_rad_s = elements.mean_motion_rev_per_day * 2.0 * np.pi / 86400.0
    apogee_m = (GM_EARTH_M3_S2 / n_rad_s ** 2) ** (1.0 / 3.0) * (1.0 + elements.eccentricity)
    radius = np.linalg.norm(r_gcrf, axis=-1)
    low = np.flatnonzero((height < LOWEST_TRACKED_KM * 1e3) | (radius > 2.0 * apogee_m))
    if low.size:
        bad = int(low[0])
        why = (f"below {LOWEST_TRACKED_KM:.0f} km no object stays in orbit"
               if height[bad] < LOWEST_TRACKED_KM * 1e3 else
               f"that is far off the set's own orbit (apogee {(apogee_m - WGS84_A_M) / 1e3:,.0f}"
               " km)")
        raise PropagationError(
            f"SGP4 puts object {elements.norad_id} {height[bad] / 1e3:,.0f} km high at "
            f"{flat[bad].iso()}, {age_days[bad]:+.1f} days from its element set of "
            f"{elements.epoch_iso}: {why}, so the set cannot tell where it was then; give "
            "element sets nearer that time")
    if np.max(np.abs(age_days)) > STALE_ELEMENTS_DAYS:
        warnings.warn(
            f"SGP4 used {np.max(np.abs(age_days)):.0f} days from its element set's epoch "
            f"({elements.epoch_iso}); its error grows by about a kilometre a day for a low orbit",
            ExtrapolationWarning, stacklevel=2)
    iso = np.atleast_1d(flat.iso(places=3))
    out = []
    for i in range(len(flat)):
        out.append(Position(
            norad_id=elements.norad_id,
            name=elements.object_name,
            elements_epoch=elements.epoch_iso,
            epoch=str(iso[i]),
            lat_deg=float(np.degrees(lat[i])),
            lon_deg=float(np.degrees(lon[i])),
            alt_km=float(height[i] / 1e3),
            r_gcrf_m=_triple(r_gcrf[i]),
            v_gcrf_m_s=_triple(v_gcrf[i]),
            r_itrf_m=_triple(r_itrf[i]),
            v_itrf_m_s=_triple(v_itrf[i]),
        ))
    return out


def where(
    path: str | Path | None = None, at: str | None = None, norad_id: int | None = None
) -> Position:
    """Where an object is at one instant.

    Args:
        path: a TLE or OMM file; default: the bundled ISS TLEs of 2022.
        at: ISO 8601 UTC instant; default: the epoch of the element set used (for the bundled
            file, the set of 2022-03-07 21:06:42 UTC).
        norad_id: which object, when the file holds several.
    """
    ts = load_timescale()
    elements = load_elements(path)
    if path is None and at is None:
        at = DEFAULT_EPOCH_ISO
    epoch = ts.from_iso(at, source="--at") if at is not None else None
    chosen = _select(elements, epoch, norad_id, str(path) if path else DEFAULT_TLE_FILE)
    if epoch is None:
        epoch = ts.from_jd_utc(*chosen.epoch_jd_utc)
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        return where_track(chosen, epoch.ravel() if epoch.shape else _one(epoch))[0]


def data_info() -> dict[str, Any]:
    """Coverage of the bundled (or user-updated) space weather, Earth orientation, leap
    seconds and TLEs."""
    info = dict(data_coverage())
    elements = load_elements()
    ts = load_timescale()
    epochs = [ts.from_jd_utc(*e.epoch_jd_utc) for e in elements]
    info["tle"] = {
        "file": DEFAULT_TLE_FILE,
        "object": f"{elements[0].object_name} ({elements[0].norad_id})",
        "sets": len(elements),
        "first": str(min(epochs, key=lambda e: float(e.mjd_utc)).iso(0)),
        "last": str(max(epochs, key=lambda e: float(e.mjd_utc)).iso(0)),
        "default_epoch": DEFAULT_EPOCH_ISO,
    }
    return info


def update_data_files(dest: str | Path | None = None) -> list[str]:
    """Download fresh space weather, Earth orientation and leap seconds into ``dest`` (default:
    the user data directory); one line of text per file updated."""
    updated = update_data(dest=Path(dest) if dest is not None else None)
    return [str(item) for item in updated]


def _one(epoch: Epoch) -> Epoch:
    return epoch + np.zeros(1)


def _triple(v: np.ndarray) -> tuple[float, float, float]:
    return float(v[0]), float(v[1]), float(v[2])


def _object_elements(path: str | Path | None, norad_id: int | None) -> list[GPElements]:
    """The element sets of one object from a file (``norad_id`` required when it holds
    several)."""
    source = str(path) if path else DEFAULT_TLE_FILE
    elements = load_elements(path)
    ids = sorted({e.norad_id for e in elements})
    if norad_id is None:
        if len(ids) > 1:
            raise InputError("the file holds several objects; choose one with --norad",
                             source=source, found=", ".join(str(i) for i in ids[:10]))
        norad_id = ids[0]
    chosen = [e for e in elements if e.norad_id == norad_id]
    if not chosen:
        raise InputError("no element sets of that object", source=source,
                         expected=", ".join(str(i) for i in ids[:10]), found=str(norad_id))
    return chosen


def _prediction_inputs(path: str | Path | None, norad_id: int | None, at: str | None,
                       atmosphere: str, picture: str | Path | None, picture_option: str
                       ) -> tuple[Timescale, list[GPElements], Epoch | None]:
    """What ``decay`` and ``reentry`` check before a run (atmosphere name, picture name) and
    read: the timescale, the object's element sets and the prediction epoch."""
    if atmosphere not in ATMOSPHERES:
        raise InputError("unknown atmosphere", source="--atmosphere",
                         expected=" | ".join(ATMOSPHERES), found=repr(atmosphere))
    if picture is not None:
        check_picture_path(picture, picture_option)
    ts = load_timescale()
    chosen = _object_elements(path, norad_id)
    return ts, chosen, ts.from_iso(at, source="--at") if at is not None else None


def decay(
    path: str | Path | None = None,
    *,
    at: str | None = None,
    days: float | None = 30.0,
    reentry: bool = False,
    atmosphere: str = "msis2",
    norad_id: int | None = None,
    ballistic_kg_m2: float | None = None,
    method: str = "fit",
    plot: str | Path | None = None,
    density_correction: str | Path | None = None,
    progress: Any = None,
) -> DecayReport:
    """How an object's orbit decays: the ballistic coefficient fitted to its TLEs of the 30
    days before ``at``, then a numerical propagation for ``days`` or until re-entry.

    Args:
        path: a TLE or OMM file with the object's history; default: the bundled ISS of 2022.
        at: ISO 8601 UTC prediction epoch; default: the last element set's epoch.
        days: days to propagate (without ``reentry``).
        reentry: propagate until breakup (at most ten years).
        atmosphere: ``msis2``, ``nrlmsise00``, ``harris-priester`` or ``exponential``.
        norad_id: which object, when the file holds several.
        ballistic_kg_m2: use this ``m / (C_D A)`` instead of fitting one.
        method: ``fit`` (the density fitted per window; fast) or ``direct`` (the atmosphere
            model at every step; about a second per simulated day).
        plot: write the altitude plot there (PNG, SVG or PDF).
        density_correction: a density-correction file (``stationsim calibrate``) for the
            atmosphere.
        progress: ``callable(phase: str, fraction: float)``.
    """
    ts, chosen, epoch = _prediction_inputs(path, norad_id, at, atmosphere, plot, "--plot")
    correction = (load_density_correction(density_correction)
                  if density_correction is not None else None)
    report = predict_decay(chosen, ts, at=epoch, days=days, reentry=reentry,
                           atmosphere=atmosphere, ballistic_kg_m2=ballistic_kg_m2,
                           method=method, density_correction=correction, progress=progress)
    if plot is not None:
        plot_decay(report, plot)
    return report


def reentry(
    path: str | Path | None = None,
    *,
    at: str | None = None,
    members: int = 200,
    seed: int = 0,
    space_weather: str = "observed",
    atmosphere: str = "msis2",
    norad_id: int | None = None,
    ballistic_kg_m2: float | None = None,
    map_path: str | Path | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    mass_kg: float | None = None,
    surviving_fraction: float = 0.2,
    czml_path: str | Path | None = None,
    geojson_path: str | Path | None = None,
    density_correction: str | Path | None = None,
    progress: Any = None,
) -> ReentryReport:
    """When and where an object re-enters, with a Monte Carlo window: the ballistic
    coefficient fitted to its TLEs of the 30 days before ``at``, an ensemble of ``members``
    (initial state, ballistic coefficient and, in ``forecast`` mode, space weather dispersed)
    in the fast lifetime engine, and the nominal member's last revolutions in the numerical
    propagator (see :mod:`stationsim.analysis.reentry`).

    Args:
        path: a TLE or OMM file with the object's history; default: the bundled ISS of 2022.
        at: ISO 8601 UTC prediction epoch; default: the last element set's epoch.
        members: the ensemble's size (1 to 100,000).
        seed: the random seed (the same seed gives the same result).
        space_weather: ``observed`` (the measured indices: a hindcast) or ``forecast`` (what
            was known at ``at``, held, with its historical error).
        atmosphere: ``msis2``, ``nrlmsise00``, ``harris-priester`` or ``exponential``.
        norad_id: which object, when the file holds several.
        ballistic_kg_m2: use this ``m / (C_D A)`` instead of fitting one.
        map_path: write the map there (PNG, SVG or PDF).
        scheduler: a Dask scheduler address (``tcp://HOST:PORT``) to run the ensemble on.
        workers: local worker processes (default: one up to 2,000 members, else all cores).
        mass_kg: the object's mass: gives the debris footprint and the casualty risk.
        surviving_fraction: the share of the mass that reaches the ground (DAS: 10-40 %).
        czml_path, geojson_path: write the window there as CZML (for Cesium) or GeoJSON:
            the nominal member's last revolutions, every member's 120-km point, and the
            debris footprints when the mass is given.
        density_correction: a density-correction file (``stationsim calibrate``) for the
            atmosphere (the fit's, and the members' in ``observed`` mode).
        progress: ``callable(phase: str, fraction: float)``.
    """
    if scheduler is not None:
        check_scheduler_reachable(scheduler)
    given = [(option, Path(target).absolute()) for option, target in
             (("--map", map_path), ("--czml", czml_path), ("--geojson", geojson_path))
             if target is not None]
    for k, (option, target) in enumerate(given):
        if any(target == other for _, other in given[:k]):
            raise InputError("two outputs name the same file", source=option,
                             found=str(target))
        if option != "--map":  # the map is checked with the picture formats
            check_output_file(target, option)
    ts, chosen, epoch = _prediction_inputs(path, norad_id, at, atmosphere, map_path, "--map")
    correction = (load_density_correction(density_correction)
                  if density_correction is not None else None)
    report = predict_reentry(chosen, ts, at=epoch, members=members, seed=seed,
                             space_weather=space_weather, atmosphere=atmosphere,
                             ballistic_kg_m2=ballistic_kg_m2, scheduler=scheduler,
                             workers=workers, mass_kg=mass_kg,
                             surviving_fraction=surviving_fraction,
                             density_correction=correction, progress=progress)
    if map_path is not None:
        plot_reentry_map(report, load_countries(), map_path)
    if czml_path is not None:
        write_text_file(czml_path, reentry_czml(report))
    if geojson_path is not None:
        write_text_file(geojson_path, reentry_geojson(report))
    return report


def load_density_correction(path: str | Path) -> DensityCorrection:
    """A density-correction file (written by :func:`calibrate`)."""
    if not str(path).strip() or Path(path).is_dir():
        raise InputError("not a file", source=f"--density-correction {str(path)!r}",
                         expected="a density-correction file (stationsim calibrate)")
    return parse_density_correction(read_text(path), str(path))


def calibrate(
    paths: Sequence[str | Path],
    *,
    start: str,
    end: str,
    out: str | Path,
    window_days: float = 8.0,
    atmosphere: str = "msis2",
    progress: Callable[[float], None] | None = None,
) -> CalibrationReport:
    """Calibrate the atmosphere on tracked objects and write the density-correction file.

    Args:
        paths: TLE or OMM files of the calibration objects (objects without propulsion,
            tracked through the span; a file may hold several).
        start, end: ISO 8601 UTC span of the correction.
        out: the file to write (CSV; see :mod:`stationsim.io.density_correction`).
        window_days: the correction's time resolution (1 to 60 days; default 8).
        atmosphere: the model to correct (``msis2``, ``nrlmsise00``, ...).
        progress: ``callable(fraction)``.
    """
    check_output_file(out, "--out")
    if not paths:
        raise InputError("no element-set files given", expected="one or more TLE or OMM files")
    ts = load_timescale()
    t0, t1 = ts.from_iso(start, source="--from"), ts.from_iso(end, source="--to")
    elements = [e for p in paths for e in load_elements(p)]
    report = _calibrate(elements, ts, start=t0, end=t1, window_days=window_days,
                        atmosphere=atmosphere, source=", ".join(str(p) for p in paths),
                        progress=progress)
    ids = ", ".join(str(n) for n in report.objects)
    used = sum(f.used and f.norad_id in report.objects for f in report.fits)
    write_text_file(out, format_density_correction(report.correction, [
        f"calibrated on NORAD {ids}, {window_days:g}-day windows, {used} fits",
        "factor: the true density over the model's, from each object's ballistic "
        "coefficient fitted per window against its level (least squares over all objects)",
        "force model: EGM96 8x8, Sun, Moon, the bundled observed space weather"]))
    return report


def write_text_file(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` whole or not at all: into a temporary file beside it, then
    renamed into place (an existing file is replaced only by a complete one)."""
    target = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=".stationsim-", suffix=target.suffix,
                                    dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, target)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return target


def height_band(
    path: str | Path | None = None,
    *,
    at: str | None = None,
    days: float = 30.0,
    step_days: float | None = None,
    members: int = 200,
    seed: int = 0,
    space_weather: str = "observed",
    atmosphere: str = "msis2",
    norad_id: int | None = None,
    ballistic_kg_m2: float | None = None,
    plot: str | Path | None = None,
    density_correction: str | Path | None = None,
    progress: Any = None,
) -> HeightBand:
    """The Monte Carlo band of an object's mean height for ``days`` after ``at``: the same
    members as :func:`reentry` (same inputs, same seed), read every ``step_days``; the 5 %,
    50 % and 95 % of their mean height and of their decay since the start (see
    :mod:`stationsim.analysis.height_band`); ``plot`` draws it (PNG, SVG or PDF). The other
    arguments as for :func:`reentry`."""
    ts, chosen, epoch = _prediction_inputs(path, norad_id, at, atmosphere, plot, "--plot")
    correction = (load_density_correction(density_correction)
                  if density_correction is not None else None)
    band = predict_height_band(chosen, ts, at=epoch, days=days, step_days=step_days,
                               members=members, seed=seed, space_weather=space_weather,
                               atmosphere=atmosphere, ballistic_kg_m2=ballistic_kg_m2,
                               density_correction=correction, progress=progress)
    if plot is not None:
        plot_height_band(band, plot)
    return band


# --- the station as a system ------------------------------------------------------------------
def station_environment(at: Epoch) -> Environment:
    """The ISS's orbit at ``at``, averaged over one revolution: mean height, beta angle,
    eclipse fraction and NRLMSIS 2.1 density (observed space weather) along the SGP4 orbit of
    the bundled 2022 TLE at or before ``at``
    (:func:`stationsim.analysis.station_orbit.sgp4_orbit_environment`)."""
    elements = _select(load_elements(), at, None, DEFAULT_TLE_FILE)
    return sgp4_orbit_environment(elements, at, load_space_weather())


def station_configuration(at: str | None = None) -> tuple[Configuration, Environment]:
    """The bundled ISS at ``at`` (ISO 8601 UTC; default 2022-03-06 00:00 UTC) in its
    torque-equilibrium attitude on its real orbit, and that orbit's environment."""
    ts = load_timescale()
    epoch = ts.from_iso(at or DEFAULT_STATION_EPOCH_ISO, source="--at")
    record = load_station_record()
    if not record.covers(epoch):  # before the orbit: a clear message, not an SGP4 one
        record.configuration_at(epoch)
    environment = station_environment(epoch)
    return record.configuration_at(epoch, environment), environment


def station_drag(config: Configuration) -> StationDrag:
    """Mass and ``C_D A`` of a configuration for the propagator (``DragProperties``), with
    the beta angle from the low-precision Sun."""
    return StationDrag(config, sun_direction_gcrf)


def station(at: str | None = None, without: str | None = None,
            picture: str | Path | None = None) -> StationReport:
    """The ISS as a system at ``at``: parts, mass and drag budget, and who provides
    propulsion, attitude control, power and seats home, for the whole and for each segment
    flying alone after a separation at PMA-1.

    Args:
        at: ISO 8601 UTC instant within 2022-02-21..2022-04-01; default 2022-03-06 00:00 UTC.
        without: ``ros`` or ``usos`` (that segment leaves at the PMA-1 joint), or the name of
            a module or vehicle (it leaves, with whatever hangs from it); the report is then
            of what remains.
        picture: draw the station there (PNG, SVG or PDF): top and side views by segment,
            what leaves hatched.
    """
    if picture is not None:
        check_picture_path(picture, "--picture")
    config, environment = station_configuration(at)
    if without is None:
        if picture is not None:
            plot_station_schematic(config, picture, title=f"The ISS on {_day(at)}")
        return station_report(config, environment)
    remaining, removed = _without(config, without)
    if picture is not None:
        plot_station_schematic(config, picture, detached=removed,
                               title=f"The ISS on {_day(at)}, without {without}")
    return station_report(remaining, environment, without=without, removed=removed,
                          origin=config)


def _day(at: str | None) -> str:
    return (at or DEFAULT_STATION_EPOCH_ISO)[:10]


def _without(config: Configuration, name: str) -> tuple[Configuration, tuple[str, ...]]:
    """What remains of ``config`` when ``name`` (a segment, module or vehicle) leaves."""
    key = name.strip()
    segments = {s.value.lower(): s for s in Segment}
    if key.lower() in segments:
        alone = separate_segments(config)
        gone = segments[key.lower()]
        keep = [s for s in alone if s is not gone]
        if gone not in alone or not keep:
            raise InputError(f"the configuration has no {gone.value} to separate from",
                             source="--without")
        remaining = alone[keep[0]]
    else:
        matches = [n for n in config.names if n.lower() == key.lower()]
        if not matches:
            raise InputError("no such segment, module or vehicle", source="--without",
                             expected="ros, usos or one of " + ", ".join(config.names),
                             found=repr(name))
        part = matches[0]
        if part == config.root:
            raise InputError(f"{part} holds the station together; name what should leave",
                             source="--without", expected="ros, usos, a module or a vehicle")
        if config.part(part).is_vehicle:
            remaining, _, _ = undock(config, part)
        else:
            remaining, _ = remove_part(config, part)
    removed = tuple(n for n in config.names if not remaining.has(n))
    return remaining, removed


# --- scenarios ---------------------------------------------------------------------------------
#: The scenario ``stationsim run`` and ``make run`` run by default.
DEFAULT_SCENARIO = "farewell-2022"


def scenarios() -> dict[str, str]:
    """The built-in scenarios: name -> one-line title."""
    return builtin_scenarios()


def load_scenario(scenario: str | Path | None = None) -> Scenario:
    """A built-in scenario by name, or a scenario file (TOML or YAML) by path; default
    :data:`DEFAULT_SCENARIO`. A station file a scenario names is read relative to it."""
    name = str(scenario) if scenario is not None else DEFAULT_SCENARIO
    ts = load_timescale()
    if name in builtin_scenarios():
        text, source = builtin_scenario_text(name)
        return parse_scenario(text, ts=ts, source=source)
    path = Path(name)
    if path.suffix.lower() not in (".toml", ".yaml", ".yml"):
        raise InputError("no such built-in scenario, and not a scenario file",
                         source="SCENARIO", expected="one of " + ", ".join(builtin_scenarios())
                         + ", or a .toml/.yaml file", found=repr(name))
    text = read_text(path)

    def read_station(relative: str) -> str:
        return read_text(path.parent / relative)

    return parse_scenario(text, ts=ts, source=str(path), read_station=read_station)


def run_scenario(scenario: str | Path | Scenario | None = None, *,
                 out_dir: str | Path | None = None,
                 progress: Callable[[str, float], None] | None = None) -> dict[str, Any]:
    """Run a scenario (a built-in name, a file, or a :class:`Scenario`) and return its results
    (the contents of ``results.json``). With ``out_dir``, write ``results.json``,
    ``report.md``, ``report.html``, ``altitude.png``, ``ledgers.png``, ``map.png`` and
    ``station.png`` (the station at the start, what leaves hatched) there, and the pieces'
    ephemerides and tracks in standard files (``ephemeris.oem``, CCSDS OEM;
    ``tracks.czml``, for Cesium; ``tracks.geojson``), all or none.
    ``progress`` is called with a phase name and the fraction done."""
    scn = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if out_dir is not None:  # before the run: a folder that cannot be written costs nothing
        check_output_folder(out_dir, "--out", (*REPORT_FILES, *EXPORT_FILES, "station.png"))

    def report(fraction: float) -> None:
        if progress is not None:
            progress(f"running {scn.name}", fraction)

    run = _run_scenario(scn, default_context(load_elements()), progress=report)
    if progress is not None:
        progress("writing the report", 1.0)
    results = scenario_results(run)
    if out_dir is not None:
        write_report(results, Path(out_dir), extra=scenario_files(run),
                     figures={"station.png": lambda path: plot_scenario_station(run, path)})
    return results


def scenario_from_text(text: str, *, source: str = "<scenario>", format: str | None = None,
                       read_station: Callable[[str], str] | None = None) -> Scenario:
    """A scenario from the text of a scenario file that is not on disk (an upload).

    Args:
        text: the file's text, TOML or YAML.
        source: the file's name, for messages; its suffix chooses the format unless ``format``
            is given (no suffix: TOML), and its stem is the default scenario name.
        format: ``"toml"`` or ``"yaml"``.
        read_station: gives the text of a ``start.station_file``; without it such a key is
            refused (an upload cannot name other files).

    Raises:
        ScenarioFileError: naming the line and the key path of what is wrong.
    """
    return parse_scenario(text, ts=load_timescale(), source=source, format=format,
                          read_station=read_station)


# --- maps --------------------------------------------------------------------------------------
def countries_geojson(decimals: int = 2) -> dict[str, Any]:
    """The bundled Natural Earth 1:110m countries as a GeoJSON FeatureCollection (RFC 7946) of
    MultiPolygons (outer rings only), longitude and latitude in degrees rounded to
    ``decimals``, with the properties ``name`` and ``iso_a3``; for drawing maps."""
    features = []
    for country in load_countries():
        polygons = [[[[round(float(lon), decimals), round(float(lat), decimals)]
                      for lon, lat in ring]] for ring in country.rings]
        features.append({"type": "Feature",
                         "properties": {"name": country.name, "iso_a3": country.iso_a3},
                         "geometry": {"type": "MultiPolygon", "coordinates": polygons}})
    return {"type": "FeatureCollection", "features": features}
