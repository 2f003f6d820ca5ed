"""The ``calibrate`` command: a density correction from tracked objects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from stationsim import api
from stationsim.cli.common import AtmosphereName, JsonFlag, guarded, out, progress_bar


def calibrate(
    tle_files: Annotated[list[Path], typer.Argument(
        help="TLE or OMM files of the calibration objects: objects without propulsion, "
             "tracked through the span (a file may hold several).", metavar="TLE_FILE",
        show_default=False)],
    start: Annotated[str, typer.Option(
        "--from", help="Start of the correction, UTC ISO 8601.", show_default=False)],
    end: Annotated[str, typer.Option(
        "--to", help="End of the correction, UTC ISO 8601.", show_default=False)],
    out_file: Annotated[Path, typer.Option(
        "--out", help="The density-correction file to write (CSV).", show_default=False)],
    window_days: Annotated[float, typer.Option(
        "--window-days", help="The correction's time resolution \\[days]: one factor per "
                              "window (each object needs three TLEs over a day in it).",
        min=1.0, max=60.0)] = 8.0,
    atmosphere: AtmosphereName = "msis2",
    as_json: JsonFlag = False,
) -> None:
    """Measure the atmosphere model's error over a span on tracked objects, for
    --density-correction of decay, reentry and band.

    For each object and window the ballistic coefficient m/(C_D A) is fitted to the decay its
    TLEs show, with the force model of 'stationsim decay'. An object's real coefficient hardly
    changes, so its window's value against its level is the model's density error then; the
    levels and the factors come from one least-squares fit over all objects, the factors
    averaging 1. A fit more than 3 times off its object's median is left out. The correction
    fixes the model's changes of bias over the span (20-33 % for weeks in late 2023), which a
    prediction's own fit cannot.

    Examples:

      stationsim calibrate sat1.tle sat2.tle --from 2023-08-01 --to 2024-01-10 --out late2023.csv

      stationsim reentry delfi-pq.tle --at 2023-11-06T21:15:00Z --density-correction late2023.csv
    """
    with progress_bar(quiet=as_json) as report:
        def fraction(done: float) -> None:
            if report is not None:
                report("fitting the windows", done)

        result = guarded(lambda: api.calibrate(tle_files, start=start, end=end, out=out_file,
                                            window_days=window_days, atmosphere=atmosphere,
                                            progress=fraction))
    data = guarded(result.as_dict)
    if as_json:
        out.print_json(json.dumps(data))
        return
    left_out = sum(not f.used for f in result.fits)
    out.print(f"[bold]density correction of {atmosphere}[/bold] from {len(result.objects)} "
              f"objects ({', '.join(str(n) for n in result.objects)}), {len(result.fits)} fits"
              + (f", {left_out} left out (more than 3 times off the object's median, or of an "
                 "object with under three windows)" if left_out else ""))
    table = Table(title=f"{window_days:g}-day windows", title_justify="left")
    for column in ("start (UTC)", "factor", "sigma of ln", "objects"):
        table.add_column(escape(column), justify="left" if column.startswith("start") else "right")
    for row in data["windows"]:
        table.add_row(row["start"][:16], f"{row['factor']:.3f}", f"{row['sigma_ln']:.3f}",
                      str(row["objects"]))
    out.print(table)
    out.print("factor: the true density over the model's (1 where no window covers)")
    out.print(f"written to {out_file}")
