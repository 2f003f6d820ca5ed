"""The station and scenario commands: ``station``, ``run``, ``serve`` and ``scenarios``, with the
text output of a station report and of a scenario's results."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from rich.markup import escape
from rich.table import Table

from stationsim import api
from stationsim.cli.common import JsonFlag, err, guarded, out, progress_bar
from stationsim.errors import StationsimError


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
    report = guarded(lambda: api.station(at=at, without=without, picture=picture))
    data = guarded(report.as_dict)
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
    with progress_bar(quiet=as_json) as report:
        def go() -> dict[str, Any]:
            scn = api.load_scenario(scenario)
            folder = out_dir if out_dir is not None else Path("out") / scn.name
            data = api.run_scenario(scn, out_dir=folder, progress=report)
            data.setdefault("statistics", {})["out_dir"] = str(folder)
            return data
        results = guarded(go)
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

    guarded(check)
    os.environ["STATIONSIM_WEB_STORE"] = str(store.absolute())
    os.environ["STATIONSIM_WEB_RUN_TIME_LIMIT_S"] = repr(run_time_limit)
    shown = f"[{host}]" if ":" in host else host
    err.print(f"starting the stationsim dashboard on http://{shown}:{port}/ (runs stored in "
              f"{store}); Ctrl+C stops it")
    # By name: the command line and the web service are separate shells over the api.
    uvicorn.run("stationsim.web.app:create_app_from_env", factory=True, host=host, port=port,
                log_level="info")


def scenarios_command() -> None:
    """List the built-in scenarios (run one with 'stationsim run NAME')."""
    for name, title in guarded(api.scenarios).items():
        out.print(f"[bold]{name}[/bold]: {escape(title)}")

