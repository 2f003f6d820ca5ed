"""The ``data`` commands: what the bundled data covers (``info``) and fetching newer files
(``update``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from stationsim import api
from stationsim.cli.common import JsonFlag, guarded, out


def data_info(
    as_json: JsonFlag = False,
) -> None:
    """What the bundled data covers: space weather (observed and predicted), Earth orientation,
    leap seconds, and the TLEs of the ISS."""
    info = guarded(api.data_info)
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


def data_update(
    dest: Annotated[Path | None, typer.Option(
        "--dest", help="Where to keep the new files (default: $STATIONSIM_DATA_DIR or "
                       "~/.local/share/stationsim).", show_default=False)] = None,
) -> None:
    """Download fresh space weather (CelesTrak), Earth orientation and leap seconds (IERS).
    Each file is checked before it replaces the old one; without a network nothing changes."""
    updated = guarded(lambda: api.update_data_files(dest))
    for line in updated:
        out.print(line)
