"""The orbit commands: ``where``, ``decay``, ``reentry`` and ``band``, with their text output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.markup import escape
from rich.table import Table

from stationsim import api
from stationsim.cli.common import (
    USER_ERROR,
    AtmosphereName,
    Ballistic,
    DensityCorrectionFile,
    JsonFlag,
    Members,
    NoradId,
    PredictionEpoch,
    Seed,
    SpaceWeatherMode,
    TleHistory,
    check_choices,
    err,
    guarded,
    out,
    progress_bar,
)


def print_correction(summary: dict[str, object] | None) -> None:
    """One line on the density correction applied, if any."""
    if summary is not None:
        used = summary.get("used_for")
        where = (f"; applied to the {' and the '.join(used)}" if isinstance(used, list) and used
                 else "; not used in this run")
        windows = int(str(summary["windows"]))
        out.print(f"density correction of {windows} window{'s' if windows != 1 else ''} "
                  f"({str(summary['start'])[:10]} to {str(summary['end'])[:10]}, factors "
                  f"{summary['factor_min']}-{summary['factor_max']}, 1 outside){where}")


def where(
    tle_file: Annotated[Path | None, typer.Argument(
        help="A TLE file (2- or 3-line sets) or CCSDS OMM (KVN, XML or JSON). "
             "Default: the bundled real ISS TLEs of 2022.",
        show_default=False)] = None,
    at: Annotated[str | None, typer.Option(
        "--at", help="UTC instant, e.g. 2022-03-07T21:06:42Z. Default: the epoch of the element "
                     "set used (for the bundled file: 2022-03-07T21:06:42Z).",
        show_default=False)] = None,
    norad: NoradId = None,
    as_json: JsonFlag = False,
) -> None:
    """Where an object is at one instant: geodetic latitude, longitude, altitude (WGS-84) and
    its GCRF state, from SGP4 and the latest element set at or before --at (the earliest one
    when --at comes before them all: SGP4 runs backwards, with a warning when it runs more than
    30 days from the set's epoch). A place below 100 km is refused (exit 2): there the set's
    drag term has run far past its epoch.

    Examples:

      stationsim where

      stationsim where --at 2022-03-30T07:21:00Z

      stationsim where my.tle --norad 25544 --json
    """
    position = guarded(lambda: api.where(tle_file, at, norad))
    if as_json:
        out.print_json(json.dumps(guarded(position.as_dict)))
        return
    table = Table(title=f"{position.name or 'object'} ({position.norad_id}) at {position.epoch}",
                  show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    table.add_row("latitude", f"{position.lat_deg:+.4f} deg")
    table.add_row("longitude", f"{position.lon_deg:+.4f} deg")
    table.add_row("altitude", f"{position.alt_km:.3f} km (WGS-84)")
    table.add_row("r (GCRF)", "  ".join(f"{c / 1e3:+12.3f}" for c in position.r_gcrf_m) + "  km")
    table.add_row("v (GCRF)", "  ".join(f"{c / 1e3:+12.6f}" for c in position.v_gcrf_m_s)
                  + "  km/s")
    table.add_row("element set", f"epoch {position.elements_epoch} (SGP4)")
    out.print(table)


def decay(
    tle_file: TleHistory = None,
    at: PredictionEpoch = None,
    days: Annotated[float, typer.Option(
        "--days", help="Days to propagate (with --reentry: until re-entry instead).",
        min=0.001, max=3650)] = 30.0,
    reentry: Annotated[bool, typer.Option(
        "--reentry", metavar="", help="Propagate until re-entry (at most ten years) and report "
                                      "when and where (120 km) and the breakup (78 km).")
    ] = False,
    atmosphere: AtmosphereName = "msis2",
    method: Annotated[str, typer.Option(
        "--method", help="fit: the density fitted per window, in heyoka's Taylor "
                         "integrator (fast); direct: the atmosphere model at every step "
                         "(SciPy DOP853, about a second per simulated day; the reference "
                         "of the fit). The ballistic-coefficient fit always uses 'fit'.")
    ] = "fit",
    norad: NoradId = None,
    ballistic: Annotated[float | None, typer.Option(
        "--ballistic", help="Use this ballistic coefficient m/(C_D A) \\[kg/m^2] instead of "
                            "fitting one to the TLEs.", min=0.01, show_default=False)] = None,
    as_json: JsonFlag = False,
    plot: Annotated[Path | None, typer.Option(
        "--plot", help="Write the altitude plot to this file (.png, .svg or .pdf).",
        show_default=False)] = None,
    density_correction: DensityCorrectionFile = None,
) -> None:
    """How an orbit decays: fit the ballistic coefficient m/(C_D A) to the TLEs of the 30 days
    before --at, then propagate numerically (EGM96 8x8, Sun, Moon, drag with observed space
    weather) for --days or until re-entry.

    Examples:

      stationsim decay --at 2022-03-27T13:08:21Z --days 30

      stationsim decay delfi-pq.tle --at 2023-12-06T00:00:00Z --reentry --plot decay.png

      stationsim decay my.tle --norad 25544 --atmosphere nrlmsise00 --json

      stationsim decay --days 3 --method direct

      stationsim decay delfi-pq.tle --reentry --density-correction oct2023.csv
    """
    if atmosphere not in api.ATMOSPHERES:
        err.print(f"[red]error:[/red] --atmosphere: unknown model {atmosphere!r}; expected "
                  f"{' | '.join(api.ATMOSPHERES)}", markup=True)
        raise typer.Exit(USER_ERROR)
    if method not in api.DECAY_METHODS:
        err.print(f"[red]error:[/red] --method: unknown method {method!r}; expected "
                  f"{' | '.join(api.DECAY_METHODS)}", markup=True)
        raise typer.Exit(USER_ERROR)
    with progress_bar(quiet=as_json) as report:
        result = guarded(lambda: api.decay(tle_file, at=at, days=days, reentry=reentry,
                                        atmosphere=atmosphere, norad_id=norad,
                                        ballistic_kg_m2=ballistic, method=method, plot=plot,
                                        density_correction=density_correction,
                                        progress=report))
    data = guarded(result.as_dict)
    if as_json:
        out.print_json(json.dumps(data))
        return
    b = data["ballistic_coefficient_kg_m2"]
    out.print(f"[bold]{result.name or 'object'} ({result.norad_id})[/bold] from {data['epoch']}, "
              f"atmosphere {result.atmosphere} ({result.method})")
    print_correction(data["density_correction"])
    how = {"fit": f"fitted to {b['tles_used']} TLEs (RMS {b['fit_rms_m']} m)",
           "bstar": "from B* (the fit failed)", "given": "given"}[b["source"]]
    out.print(f"ballistic coefficient m/(C_D A) = {b['value']:.2f} +/- {b['sigma']:.2f} kg/m^2, "
              f"{how}")
    table = Table(title="mean altitude (one revolution, WGS-84)", title_justify="left")
    table.add_column("epoch (UTC)")
    table.add_column(escape("altitude [km]"), justify="right")
    history = data["history"]
    stride = max(1, len(history) // 12)
    for row in history[::stride]:
        table.add_row(row["epoch"], f"{row['mean_altitude_km']:.2f}")
    out.print(table)
    out.print(f"final: {data['final']['epoch']}, mean altitude over the last revolution "
              f"{data['final']['mean_altitude_km']:.2f} km")
    if data["reentry"] is not None:
        r, k = data["reentry"], data["breakup"]
        out.print(f"[bold red]re-entry[/bold red] (120 km): {r['epoch']} at "
                  f"{r['lat_deg']:+.2f}, {r['lon_deg']:+.2f}")
        if k is not None:
            out.print(f"breakup (78 km): {k['epoch']} at {k['lat_deg']:+.2f}, "
                      f"{k['lon_deg']:+.2f}")
    elif reentry:
        out.print("no re-entry within ten years")
    if plot is not None:
        out.print(f"plot written to {plot}")


def reentry(
    tle_file: TleHistory = None,
    at: PredictionEpoch = None,
    members: Members = 200,
    seed: Seed = 0,
    space_weather: SpaceWeatherMode = "observed",
    atmosphere: AtmosphereName = "msis2",
    norad: NoradId = None,
    ballistic: Ballistic = None,
    as_json: JsonFlag = False,
    map_file: Annotated[Path | None, typer.Option(
        "--map", help="Write a world map of the members' re-entry points and the nominal "
                      "member's last revolutions (.png, .svg or .pdf).",
        show_default=False)] = None,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Run the ensemble on the Dask cluster behind this scheduler "
                            "(tcp://HOST:PORT; its workers need stationsim). The answer is "
                            "the same as on this machine.", show_default=False)] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", help="Local worker processes (at most 256). Default: one up to 2,000 "
                          "members, else every core.", min=1, max=256,
        show_default=False)] = None,
    mass: Annotated[float | None, typer.Option(
        "--mass", help="The object's mass \\[kg]: gives the debris footprint (its length "
                       "grows with the mass: 800 km for UARS's 5.7 t, 5,370 km for a 420-t "
                       "station), the land and people under it, the casualty expectation and "
                       "the countries most likely hit.", min=0.001, show_default=False)] = None,
    surviving: Annotated[float, typer.Option(
        "--surviving-fraction", help="Share of the mass that survives to the ground (DAS: "
                                     "10-40 % for large spacecraft).", min=0.001,
        max=1.0)] = 0.2,
    czml_file: Annotated[Path | None, typer.Option(
        "--czml", help="Write the window for Cesium (CZML): the nominal member's last "
                       "revolutions, every member's 120-km point, the debris footprints "
                       "(with --mass).", show_default=False)] = None,
    geojson_file: Annotated[Path | None, typer.Option(
        "--geojson", help="Write the same as GeoJSON (RFC 7946) for a GIS or a web map.",
        show_default=False)] = None,
    density_correction: DensityCorrectionFile = None,
) -> None:
    """When and where an object re-enters, and how sure that is: the ballistic coefficient
    fitted to the TLEs of the 30 days before --at, a Monte Carlo ensemble (initial state,
    ballistic coefficient, space weather) in the fast orbit-averaged lifetime engine, and the
    nominal member's last revolutions in the full numerical propagator for the place.

    Examples:

      stationsim reentry delfi-pq.tle --at 2023-12-06T21:15:00Z --map delfi.png

      stationsim reentry --ballistic 100 --mass 291700 --members 1000   # the USOS alone

      stationsim reentry delfi-pq.tle --space-weather forecast --members 1000 --seed 7 --json

      stationsim reentry --ballistic 100 --members 100000 --workers 2

      stationsim reentry delfi-pq.tle --mass 2 --czml delfi.czml --geojson delfi.geojson
    """
    check_choices(atmosphere, space_weather)
    with progress_bar(quiet=as_json) as report:
        result = guarded(lambda: api.reentry(tle_file, at=at, members=members, seed=seed,
                                          space_weather=space_weather, atmosphere=atmosphere,
                                          norad_id=norad, ballistic_kg_m2=ballistic,
                                          map_path=map_file, scheduler=scheduler,
                                          workers=workers, mass_kg=mass,
                                          surviving_fraction=surviving, czml_path=czml_file,
                                          geojson_path=geojson_file,
                                          density_correction=density_correction,
                                          progress=report))
    data = guarded(result.as_dict)
    if as_json:
        out.print_json(json.dumps(data))
        return
    b, r = data["ballistic_coefficient_kg_m2"], data["reentry"]
    out.print(f"[bold]{result.name or 'object'} ({result.norad_id})[/bold] from {data['epoch']}, "
              f"{data['members']} members, seed {data['seed']}, {data['space_weather']} space "
              f"weather, atmosphere {data['atmosphere']}")
    print_correction(data["density_correction"])
    how = {"fit": f"fitted to {b['tles_used']} TLEs", "bstar": "from B*: the fit failed",
           "given": "given"}[b["source"]]
    out.print(f"ballistic coefficient m/(C_D A) = {b['value']:.2f} +/- {b['sigma']:.2f} kg/m^2 "
              f"({how})")
    table = Table(title="re-entry (120 km)", title_justify="left")
    for column in ("", "epoch (UTC)", "days from the epoch"):
        table.add_column(escape(column))
    for label, key in (("earliest 5 %", "p05"), ("median", "median"), ("latest 5 %", "p95")):
        table.add_row(label, r[key], f"{r['days_from_epoch'][key]:.2f}")
    out.print(table)
    if r["lat_deg"] is not None:
        out.print(f"nominal place: {r['lat_deg']:+.2f}, {r['lon_deg']:+.2f} "
                  "(meaningful only within a few hours of re-entry)")
    risk = data["risk"]
    if risk is not None:
        one_in = f"1 in {risk['one_in']:,}" if risk["one_in"] else "none"
        out.print(f"debris: {risk['footprint_km']['length']:,.0f} km x "
                  f"{risk['footprint_km']['width']:,.0f} km footprint, "
                  f"{100 * risk['surviving_fraction']:.0f} % of {risk['mass_kg'] / 1e3:,.1f} t "
                  f"surviving (casualty area {risk['casualty_area_m2']:,.0f} m^2); "
                  f"{100 * risk['land_fraction']:.0f} % of it over land")
        out.print(f"casualty expectation: {one_in} over the window's footprints "
                  f"({risk['orbit_average_expectation']:.2g} averaged over the orbit; "
                  "NASA's limit for an uncontrolled re-entry: 1 in 10,000)")
        if risk["countries"]:
            table = Table(title="countries under the debris", title_justify="left")
            for column in ("country", "probability", "share of the debris"):
                table.add_column(escape(column))
            for c in risk["countries"]:
                table.add_row(str(c["name"]), f"{100 * float(c['probability']):.1f} %",
                              f"{100 * float(c['debris_share']):.2f} %")
            out.print(table)
    for note in data["notes"]:
        out.print(f"note: {note}")
    if map_file is not None:
        out.print(f"map written to {map_file}")


def band(
    tle_file: TleHistory = None,
    at: PredictionEpoch = None,
    days: Annotated[float, typer.Option(
        "--days", help="How far ahead (days).", min=0.001, max=3650.0)] = 30.0,
    step_days: Annotated[float | None, typer.Option(
        "--step-days", help="One reading every this many days (at most 10,000 readings). "
                            "Default: 1, or a twelfth of --days when that is under a day.",
        min=0.0001, show_default=False)] = None,
    members: Members = 200,
    seed: Seed = 0,
    space_weather: SpaceWeatherMode = "observed",
    atmosphere: AtmosphereName = "msis2",
    norad: NoradId = None,
    ballistic: Ballistic = None,
    as_json: JsonFlag = False,
    plot: Annotated[Path | None, typer.Option(
        "--plot", help="Draw the band (.png, .svg or .pdf).", show_default=False)] = None,
    density_correction: DensityCorrectionFile = None,
) -> None:
    """How high an object will be over the coming days, and how sure that is: the members of
    a re-entry prediction (the ballistic coefficient fitted to the TLEs of the 30 days before
    --at, the state, B and, in forecast mode, the space weather dispersed) followed in the
    fast lifetime engine, their mean height read every --step-days: median and 5-95 %.

    The mean height is the mean semi-major axis less the equatorial radius; 'stationsim decay'
    gives the WGS-84 altitude averaged over a revolution, about 6 km more for the ISS (away
    from the equator the ellipsoid's surface lies closer to the Earth's centre).

    Examples:

      stationsim band spacebee.tle --at 2024-04-25T00:00:00Z --days 33 --plot band.png

      stationsim band --ballistic 100 --days 365 --step-days 7 --json   # the USOS alone
    """
    check_choices(atmosphere, space_weather)
    with progress_bar(quiet=as_json) as report:
        result = guarded(lambda: api.height_band(
            tle_file, at=at, days=days, step_days=step_days, members=members, seed=seed,
            space_weather=space_weather, atmosphere=atmosphere, norad_id=norad,
            ballistic_kg_m2=ballistic, plot=plot, density_correction=density_correction,
            progress=report))
    data = guarded(result.as_dict)
    if as_json:
        out.print_json(json.dumps(data))
        return
    out.print(f"[bold]{result.name or 'object'} ({result.norad_id})[/bold] from {data['epoch']}, "
              f"{result.members} members, seed {result.seed}, {result.space_weather} space "
              f"weather; B = {result.ballistic_kg_m2:.2f} +/- "
              f"{result.ballistic_sigma_kg_m2:.2f} kg/m^2")
    table = Table(title=escape("mean height above the equatorial radius [km]"),
                  title_justify="left")
    for column in ("day", "5 %", "median", "95 %", "down"):
        table.add_column(escape(column), justify="right")
    rows = list(range(len(data["days"])))
    if len(rows) > 40:  # a readable table: every n-th reading and the last
        rows = rows[::int(np.ceil(len(rows) / 40))] + rows[-1:]
    h = data["height_km"]
    for k in dict.fromkeys(rows):
        table.add_row(f"{data['days'][k]:g}", *(
            "down" if h[q][k] is None else f"{h[q][k]:.2f}" for q in ("p05", "median", "p95")),
            f"{100 * data['share_down'][k]:.0f} %")
    out.print(table)
    for note in result.notes:
        out.print(f"note: {note}")
    if plot is not None:
        out.print(f"plot: {plot}")

