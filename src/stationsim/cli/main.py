"""The ``stationsim`` command: a thin shell over :mod:`stationsim.api`.

Every user error (a malformed file, a bad date, a date outside the tables) ends with a one-line
message on standard error and exit code 2, never a traceback. Warnings (predicted space weather,
stale tables) are printed as one line each, prefixed ``warning:``.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import numpy as np
import typer
import uvicorn
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from stationsim import __version__, api
from stationsim.errors import StationsimError

T = TypeVar("T")

app = typer.Typer(
    name="stationsim",
    help=(
        "Simulate a crewed space station as a system: where it is, how its orbit decays, "
        "what each segment brings, and who can get home.\n\n"
        "Start with 'stationsim where' (the real ISS on 2022-03-07) and "
        "'stationsim data info' (what data is bundled). Times are UTC, ISO 8601."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)
data_app = typer.Typer(
    help="The bundled data: space weather, Earth orientation, leap seconds and TLEs.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(data_app, name="data",
              short_help="The bundled data: space weather, Earth orientation, TLEs.")

out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)

USER_ERROR = 2

# Options that several commands share.
TleHistory = Annotated[Path | None, typer.Argument(
    help="The object's TLE history (TLE or OMM file). Default: the bundled ISS TLEs of 2022.",
    show_default=False)]
PredictionEpoch = Annotated[str | None, typer.Option(
    "--at", help="Prediction epoch, UTC ISO 8601. Only TLEs at or before it are used. "
                 "Default: the last TLE's epoch.", show_default=False)]
AtmosphereName = Annotated[str, typer.Option(
    "--atmosphere", help="Density model: msis2 (NRLMSIS 2.1), nrlmsise00, harris-priester or "
                         "exponential.")]
NoradId = Annotated[int | None, typer.Option(
    "--norad", help="NORAD catalogue number, when the file holds several objects.",
    show_default=False)]
Members = Annotated[int, typer.Option(
    "--members", help="Monte Carlo members (1 to 100,000).", min=1, max=100_000)]
Seed = Annotated[int, typer.Option(
    "--seed", help="Random seed: the same seed gives the same answer.", min=0)]
SpaceWeatherMode = Annotated[str, typer.Option(
    "--space-weather", help="observed: the measured indices (a hindcast, no weather "
                            "dispersion); forecast: what was known at --at, held, with the "
                            "historical error of such a forecast.")]
Ballistic = Annotated[float | None, typer.Option(
    "--ballistic", help="Use this ballistic coefficient m/(C_D A) \\[kg/m^2] (no fit, no fit "
                        "uncertainty) instead of fitting one to the TLEs.", min=0.01,
    show_default=False)]


# A flag takes no value: no placeholder in the help.
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object.", metavar="")]


_shown: set[str] = set()


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:
    text = str(message)
    if text not in _shown:  # one line per distinct warning, however many epochs raised it
        _shown.add(text)
        err.print(f"[yellow]warning:[/yellow] {text}", markup=True)


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn user errors into one line on stderr and exit code 2."""
    previous = warnings.showwarning
    warnings.showwarning = _show_warning
    try:
        yield
    except StationsimError as exc:
        err.print(f"[red]error:[/red] {exc}", markup=True)
        raise typer.Exit(USER_ERROR) from None
    except OSError as exc:  # a file that could not be read or written after the checks
        where = f"{exc.filename}: " if exc.filename else ""
        err.print(f"[red]error:[/red] {escape(where)}{escape(exc.strerror or str(exc))}",
                  markup=True)
        raise typer.Exit(USER_ERROR) from None
    finally:
        warnings.showwarning = previous


def _run(action: Callable[[], T]) -> T:
    with _user_errors():
        return action()


def _version(value: bool) -> None:
    if value:
        out.print(f"stationsim {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          metavar="", help="Print the version and exit.")
                       ] = False,
) -> None:
    """Simulate a crewed space station as a system."""


@app.command(short_help="Where an object is at one instant (SGP4).")
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
    30 days from the set's epoch).

    Examples:

      stationsim where

      stationsim where --at 2022-03-30T07:21:00Z

      stationsim where my.tle --norad 25544 --json
    """
    position = _run(lambda: api.where(tle_file, at, norad))
    if as_json:
        out.print_json(json.dumps(_run(position.as_dict)))
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


@app.command(short_help="How an orbit decays, and when it re-enters.")
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
) -> None:
    """How an orbit decays: fit the ballistic coefficient m/(C_D A) to the TLEs of the 30 days
    before --at, then propagate numerically (EGM96 8x8, Sun, Moon, drag with observed space
    weather) for --days or until re-entry.

    Examples:

      stationsim decay --at 2022-03-27T13:08:21Z --days 30

      stationsim decay delfi-pq.tle --at 2023-12-06T00:00:00Z --reentry --plot decay.png

      stationsim decay my.tle --norad 25544 --atmosphere nrlmsise00 --json

      stationsim decay --days 3 --method direct
    """
    if atmosphere not in api.ATMOSPHERES:
        err.print(f"[red]error:[/red] --atmosphere: unknown model {atmosphere!r}; expected "
                  f"{' | '.join(api.ATMOSPHERES)}", markup=True)
        raise typer.Exit(USER_ERROR)
    if method not in api.DECAY_METHODS:
        err.print(f"[red]error:[/red] --method: unknown method {method!r}; expected "
                  f"{' | '.join(api.DECAY_METHODS)}", markup=True)
        raise typer.Exit(USER_ERROR)
    with _progress(quiet=as_json) as report:
        result = _run(lambda: api.decay(tle_file, at=at, days=days, reentry=reentry,
                                        atmosphere=atmosphere, norad_id=norad,
                                        ballistic_kg_m2=ballistic, method=method, plot=plot,
                                        progress=report))
    data = _run(result.as_dict)
    if as_json:
        out.print_json(json.dumps(data))
        return
    b = data["ballistic_coefficient_kg_m2"]
    out.print(f"[bold]{result.name or 'object'} ({result.norad_id})[/bold] from {data['epoch']}, "
              f"atmosphere {result.atmosphere} ({result.method})")
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


@app.command(short_help="When and where an object re-enters, and how sure that is.")
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
        "--workers", help="Local worker processes. Default: one up to 2,000 members, else "
                          "every core.", min=1, show_default=False)] = None,
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
    _check_choices(atmosphere, space_weather)
    with _progress(quiet=as_json) as report:
        result = _run(lambda: api.reentry(tle_file, at=at, members=members, seed=seed,
                                          space_weather=space_weather, atmosphere=atmosphere,
                                          norad_id=norad, ballistic_kg_m2=ballistic,
                                          map_path=map_file, scheduler=scheduler,
                                          workers=workers, mass_kg=mass,
                                          surviving_fraction=surviving, czml_path=czml_file,
                                          geojson_path=geojson_file, progress=report))
    data = _run(result.as_dict)
    if as_json:
        out.print_json(json.dumps(data))
        return
    b, r = data["ballistic_coefficient_kg_m2"], data["reentry"]
    out.print(f"[bold]{result.name or 'object'} ({result.norad_id})[/bold] from {data['epoch']}, "
              f"{data['members']} members, seed {data['seed']}, {data['space_weather']} space "
              f"weather, atmosphere {data['atmosphere']}")
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


@app.command(short_help="How high an object will be over the coming days.")
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
) -> None:
    """How high an object will be over the coming days, and how sure that is: the members of
    a re-entry prediction (the ballistic coefficient fitted to the TLEs of the 30 days before
    --at, the state, B and, in forecast mode, the space weather dispersed) followed in the
    fast lifetime engine, their mean height read every --step-days: median and 5-95 %.

    Examples:

      stationsim band spacebee.tle --at 2024-04-25T00:00:00Z --days 33 --plot band.png

      stationsim band --ballistic 100 --days 365 --step-days 7 --json   # the USOS alone
    """
    _check_choices(atmosphere, space_weather)
    with _progress(quiet=as_json) as report:
        result = _run(lambda: api.height_band(
            tle_file, at=at, days=days, step_days=step_days, members=members, seed=seed,
            space_weather=space_weather, atmosphere=atmosphere, norad_id=norad,
            ballistic_kg_m2=ballistic, plot=plot, progress=report))
    data = _run(result.as_dict)
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


@app.command(short_help="The ISS of March 2022: parts, budgets, capabilities.")
def station(
    at: Annotated[str | None, typer.Option(
        "--at", help="UTC instant within 2022-02-21..2022-04-01, e.g. 2022-03-18T20:00:00Z "
                     "(after Soyuz MS-21 arrived). Default: 2022-03-06T00:00:00Z.",
        show_default=False)] = None,
    without: Annotated[str | None, typer.Option(
        "--without", help="What leaves: 'ros' or 'usos' (the segment separates at PMA-1), "
                          "or a module or vehicle by name (it leaves with whatever hangs "
                          "from it). The report is then of what remains.",
        show_default=False)] = None,
    as_json: JsonFlag = False,
    picture: Annotated[Path | None, typer.Option(
        "--picture", help="Draw the station (.png, .svg or .pdf): top and side views, "
                          "coloured by segment, what leaves (--without) hatched.",
        show_default=False)] = None,
) -> None:
    """The ISS of March 2022 as a system: its parts, the mass and drag budget of each segment
    and of the whole, and the capability audit: who provides propulsion, attitude control,
    power and seats home, and what is lost when a part leaves.

    Each segment is also shown alone after a separation at PMA-1, in the station's attitude.

    Examples:

      stationsim station

      stationsim station --at 2022-03-18T20:00:00Z --json

      stationsim station --without ros

      stationsim station --without "Crew Dragon Endurance"

      stationsim station --without ros --picture station.png
    """
    report = _run(lambda: api.station(at=at, without=without, picture=picture))
    data = _run(report.as_dict)
    if as_json:
        out.print_json(json.dumps(data))
        return
    _station_text(data)


def _station_text(data: dict[str, Any]) -> None:
    orbit = data["orbit"]
    title = f"ISS on {data['epoch']}"
    if data["without"]:
        gone = len(data["removed"])
        title += f" without {data['without']} ({gone} part{'s' if gone != 1 else ''} removed)"
    out.print(f"[bold]{title}[/bold]: {len(data['parts'])} parts, "
              f"{data['total_mass_kg'] / 1e3:,.1f} t, {len(data['crew'])} crew aboard")
    out.print(f"attitude {data['attitude']['name']} (pitch {data['attitude']['pitch_deg']:+.1f} "
              f"deg), arrays {data['array_policy'].replace('_', ' ')}, C_D "
              f"{data['drag_coefficient']:g}; orbit {orbit['altitude_km']:.1f} km, beta "
              f"{orbit['beta_deg']:+.1f} deg, eclipse {100 * orbit['eclipse_fraction']:.0f} %, "
              f"density {orbit['density_kg_m3']:.2e} kg/m^3")
    areas = data["station"]["area_by_part_m2"]
    parts = Table(title="Parts (area: what each shows to the flow, wings included)",
                  title_justify="left")
    for column in ("part", "kind", "segment", "attached to", "mass [t]", "area [m^2]"):
        parts.add_column(escape(column), justify="right" if "[" in column else "left")
    for row in data["parts"]:
        parts.add_row(row["name"], row["kind"], row["segment"], row["attached_to"] or "(root)",
                      f"{row['mass_kg'] / 1e3:.1f}", f"{areas.get(row['name'], 0.0):.0f}")
    out.print(parts)
    entries = [("whole station", data["station"])] + [
        (f"{name} alone", entry) for name, entry in data["segments"].items()]
    budget = Table(title="Mass and drag budget (orbit-averaged cross-section in XVV)",
                   title_justify="left")
    for column in ("", "mass [t]", "area [m^2]", "of it wings", "C_D A [m^2]",
                   "m/(C_D A) [kg/m^2]"):
        budget.add_column(escape(column), justify="right" if column else "left")
    for label, e in entries:
        budget.add_row(label, f"{e['mass_kg'] / 1e3:,.1f}", f"{e['drag_area_m2']:,.0f}",
                       f"{e['area_breakdown_m2']['wings']:,.0f}", f"{e['cd_area_m2']:,.0f}",
                       f"{e['ballistic_coefficient_kg_m2']:.1f}")
    out.print(budget)
    caps = Table(title="Capabilities", title_justify="left")
    for column in ("", "reboost dv [m/s]", "CMGs [N m s]", "desaturation", "CMGs full in",
                   "power gen / load [kW]", "seats / crew"):
        caps.add_column(escape(column))
    for label, e in entries:
        p, a, w, c = e["propulsion"], e["attitude"], e["power_kw"], e["crew_return"]
        hours = a["hours_to_cmg_saturation"]
        caps.add_row(
            label,
            f"{p['delta_v_m_s']:.1f} ({p['attitude']})" if p["reboost_possible"] else "none",
            f"{a['cmg_count']} ({a['cmg_capacity_nms']:,.0f})" if a["cmg_count"] else "none",
            "thrusters" if a["desaturation_thrusters"] else "none",
            "-" if not a["cmg_count"] else ("no build-up" if hours is None else f"{hours:.1f} h"),
            f"{w['generated']:.1f} / {w['load']:.1f}",
            f"{c['seat_total']} / {c['aboard']}")
    out.print(caps)
    who = Table(title="Who provides each capability", title_justify="left")
    who.add_column("capability")
    who.add_column("provided by")
    for capability, names in data["station"]["providers"].items():
        who.add_row(capability.replace("_", " "), ", ".join(names) or "nobody")
    out.print(who)
    losses = Table(title="What is lost if a part leaves (with what hangs from it)",
                   title_justify="left")
    for column in ("part", "provides", "if it leaves"):
        losses.add_column(escape(column))
    for loss in data["losses"]:
        losses.add_row(loss["part"], ", ".join(loss["provides"]),
                       "; ".join(loss["lost"]) or "nothing measurable")
    out.print(losses)
    crew = Table(title="Crew and seats home", title_justify="left")
    for column in ("name", "agency", "aboard", "seat home", "note"):
        crew.add_column(escape(column))
    for member in data["crew"]:
        crew.add_row(member["name"], member["agency"], member["aboard"],
                     member["return_vehicle"] or "none", member["note"])
    out.print(crew)
    label = "What remains" if data["without"] else "Whole station"
    out.print(f"[bold]{label}[/bold]: " + escape("; ".join(data["summary"])))
    # With one segment left, its "alone" line is the summary above: print it once.
    if len(data["segments_alone"]) > 1:
        out.print("If the segments separate at PMA-1:")
        for name, lines in data["segments_alone"].items():
            out.print(f"  [bold]{name} alone[/bold]: " + escape("; ".join(lines)))


@app.command("run", short_help="Run a scenario and write its report.")
def run_command(
    scenario: Annotated[str, typer.Argument(
        help="A built-in scenario (see 'stationsim scenarios') or a scenario file (.toml or "
             ".yaml; keys in docs/scenarios.md).")] = "farewell-2022",
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="Folder for the report: results.json, report.md, report.html, the "
                      "pictures station.png, altitude.png, ledgers.png and map.png, and the "
                      "pieces' paths in ephemeris.oem (CCSDS OEM), tracks.czml and "
                      "tracks.geojson; all or none. Default: out/SCENARIO.",
        show_default=False)] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", metavar="", help="Print the contents of results.json instead of the "
                                   "summary.")] = False,
) -> None:
    """Run a scenario: the station and every piece that leaves it propagated to re-entry (or
    the scenario's end), with the events applied, the policies checked and the capabilities
    of each piece audited; then write the report and its plots.

    Examples:

      stationsim run                      (the Russian segment leaves on 2022-03-30)

      stationsim run baseline-2022 --out out/baseline

      stationsim run my-scenario.toml --json
    """
    with _progress(quiet=as_json) as report:
        def go() -> dict[str, Any]:
            scn = api.load_scenario(scenario)
            folder = out_dir if out_dir is not None else Path("out") / scn.name
            data = api.run_scenario(scn, out_dir=folder, progress=report)
            data.setdefault("statistics", {})["out_dir"] = str(folder)
            return data
        results = _run(go)
    if as_json:
        out.print_json(json.dumps(results))
        return
    _scenario_text(results)


def _scenario_text(data: dict[str, Any]) -> None:
    out.print(f"[bold]{escape(data['scenario'])}[/bold]: {escape(data.get('title', ''))}")
    table = Table(title="the pieces", title_justify="left")
    for column in ("piece", "mass [t]", "from", "status", "re-entry (90 % window)",
                   "decay at start [m/day]"):
        table.add_column(escape(column))
    for part in data["parts"]:
        r = part.get("reentry")
        when = (f"{r['median'][:10]} ({r['p05'][:10]} .. {r['p95'][:10]})" if r else "-")
        rate = part.get("decay_m_per_day_at_start")
        table.add_row(escape(part["name"]), f"{part['mass_kg'] / 1e3:.1f}", part["since"][:10],
                      part["status"], when, "-" if rate is None else f"{rate:.0f}")
    out.print(table)
    crew = Table(title="the crew", title_justify="left")
    for column in ("name", "aboard", "can get home", "on", "next landing chance"):
        crew.add_column(escape(column))
    for member in data["crew"]:
        crew.add_row(escape(member["name"]), escape(member["aboard"]),
                     "yes" if member["can_return"] else "[red]no[/red]",
                     escape(member["return_vehicle"] or "-"),
                     (member["landing"] or "-")[:16])
    out.print(crew)
    for part in data["parts"]:
        if part.get("lost"):
            out.print(f"[bold]{escape(part['name'])}[/bold] lost: "
                      + escape("; ".join(part["lost"])))
    for part in data["parts"]:
        risk = (part.get("reentry") or {}).get("risk")
        if risk:
            one_in = f"1 in {risk['one_in']:,}" if risk.get("one_in") else "none"
            out.print(f"[bold]{escape(part['name'])}[/bold] comes down uncontrolled: debris "
                      f"footprint {risk['footprint_km']['length']:,.0f} x "
                      f"{risk['footprint_km']['width']:,.0f} km, casualty expectation "
                      f"{one_in} (NASA's limit: 1 in 10,000)")
    for kind in ("policy", "debris"):
        for event in data["events"]:
            if event["kind"] == kind:
                out.print(f"{event['epoch'][:10]} {escape(event['body'])}: "
                          f"{escape(event['detail'])}")
                break
    where = data.get("statistics", {}).get("out_dir")
    if where:
        out.print(f"report: {where}/report.html (also report.md, results.json, station.png, "
                  "altitude.png, ledgers.png, map.png; the pieces' paths in ephemeris.oem, "
                  "tracks.czml, tracks.geojson)")


@app.command("serve", short_help="Serve the dashboard and the JSON API.")
def serve(
    host: Annotated[str, typer.Option(
        "--host", help="The address to listen on: 127.0.0.1 is this machine only; 0.0.0.0 "
                       "opens the service to the network.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="The TCP port.")] = 8000,
    store: Annotated[Path, typer.Option(
        "--store", help="The run store (SQLite, made if missing); each finished run's files "
                        "go to the folder STEM-files beside it.")] = Path("stationsim-runs.sqlite"),
    run_time_limit: Annotated[float, typer.Option(
        "--run-time-limit", min=1.0, help="Stop a run after this many seconds.")] = 1200.0,
) -> None:
    """Serve the dashboard and the JSON API: run scenarios (built-in or uploaded), follow
    them live, read their reports, and reproduce past runs (docs/web.md).

    Examples:

      stationsim serve                    (then open http://127.0.0.1:8000/)

      stationsim serve --port 8080 --store runs/stationsim.sqlite
    """
    def check() -> None:
        folder = store.absolute().parent
        if not folder.is_dir():
            raise StationsimError(f"--store: the folder {folder} does not exist")
        if store.exists() and not store.is_file():
            raise StationsimError(f"--store: {store} is not a file")
        if store.is_file() and store.stat().st_size > 0:
            with store.open("rb") as handle:
                if handle.read(16) != b"SQLite format 3\x00":
                    raise StationsimError(f"--store: {store} is not a SQLite database (a run "
                                          "store is made where no file is)")
        try:
            family, kind, _, _, address = socket.getaddrinfo(host, port,
                                                             type=socket.SOCK_STREAM)[0]
            with socket.socket(family, kind) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                probe.bind(address)
        except OSError as exc:
            raise StationsimError(f"cannot listen on {host}:{port}: "
                                  f"{exc.strerror or exc}") from None

    _run(check)
    os.environ["STATIONSIM_WEB_STORE"] = str(store.absolute())
    os.environ["STATIONSIM_WEB_RUN_TIME_LIMIT_S"] = repr(run_time_limit)
    shown = f"[{host}]" if ":" in host else host
    err.print(f"stationsim dashboard on http://{shown}:{port}/ (runs stored in {store}); "
              "Ctrl+C stops it")
    # By name: the command line and the web service are separate shells over the api.
    uvicorn.run("stationsim.web.app:create_app_from_env", factory=True, host=host, port=port,
                log_level="info")


@app.command("scenarios")
def scenarios_command() -> None:
    """List the built-in scenarios (run one with 'stationsim run NAME')."""
    for name, title in _run(api.scenarios).items():
        out.print(f"[bold]{name}[/bold]: {escape(title)}")


def _check_choices(atmosphere: str, space_weather: str) -> None:
    """Refuse an unknown atmosphere or space-weather mode before any work (exit code 2)."""
    for name, value, allowed in (("--atmosphere", atmosphere, api.ATMOSPHERES),
                                 ("--space-weather", space_weather, api.SPACE_WEATHER_MODES)):
        if value not in allowed:
            err.print(f"[red]error:[/red] {name}: unknown value {value!r}; expected "
                      f"{' | '.join(allowed)}", markup=True)
            raise typer.Exit(USER_ERROR)


@contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[str, float], None] | None]:
    """A progress bar on standard error for long runs (none with --json)."""
    if quiet or not err.is_terminal:
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                  TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task("starting", total=1.0)

        def report(phase: str, fraction: float) -> None:
            bar.update(task, description=phase, completed=fraction)

        yield report


@data_app.command("info")
def data_info(
    as_json: JsonFlag = False,
) -> None:
    """What the bundled data covers: space weather (observed and predicted), Earth orientation,
    leap seconds, and the TLEs of the ISS."""
    info = _run(api.data_info)
    if as_json:
        out.print_json(json.dumps(info, default=str))
        return
    sw, eop, leap, tle = info["space_weather"], info["eop"], info["leap_seconds"], info["tle"]
    table = Table(title="Data stationsim uses", title_justify="left")
    for column in ("data", "source", "observed", "predicted"):
        table.add_column(escape(column))

    def where_from(entry: dict[str, Any], label: str) -> str:
        return label if entry["location"] == "bundled" else f"{entry['path']} (user copy)"

    table.add_row("space weather", where_from(sw, "CelesTrak SW-All.txt + SW-Last5Years.txt, "
                                                  f"{str(sw['stamp'])[:10]}"),
                  f"{sw['first_observed']} to {sw['last_observed']}",
                  f"daily to {sw['last_daily_predicted']}, monthly to {sw['last_predicted']}")
    table.add_row("Earth orientation", where_from(eop, "IERS finals2000A.all"),
                  f"{eop['first_observed']} to {eop['last_observed']}",
                  f"to {eop['last_predicted']}")
    table.add_row("leap seconds", where_from(leap, "IERS Bulletin C, Leap_Second.dat"),
                  f"TAI - UTC = {leap['tai_minus_utc_s']:g} s since {leap['last_observed']}",
                  f"valid to {leap['last_predicted']}")
    table.add_row("TLEs", f"{tle['object']}, {tle['sets']} sets",
                  f"{tle['first'][:10]} to {tle['last'][:10]}",
                  f"default {tle['default_epoch'][:16].replace('T', ' ')} UTC")
    out.print(table)
    home = str(Path.home())
    user_dir = str(info["user_data_dir"])
    if user_dir.startswith(home):
        user_dir = "~" + user_dir[len(home):]
    out.print(f"Newer files in {user_dir} take precedence; "
              "'stationsim data update' fetches them. Details: stationsim data info --json")
    for name in ("space_weather", "eop"):
        out.print(f"[bold]{name.replace('_', ' ')}:[/bold] {info['decision'][name]}.")


@data_app.command("update")
def data_update(
    dest: Annotated[Path | None, typer.Option(
        "--dest", help="Where to keep the new files (default: $STATIONSIM_DATA_DIR or "
                       "~/.local/share/stationsim).", show_default=False)] = None,
) -> None:
    """Download fresh space weather (CelesTrak), Earth orientation and leap seconds (IERS).
    Each file is checked before it replaces the old one; without a network nothing changes."""
    updated = _run(lambda: api.update_data_files(dest))
    for line in updated:
        out.print(line)


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    return str(value)


def run() -> None:  # pragma: no cover - console entry point
    """Entry point of the ``stationsim`` console script."""
    sys.exit(app())
