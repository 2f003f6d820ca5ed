"""The ``stationsim`` command: a thin shell over :mod:`stationsim.api`.

Every user error (a malformed file, a bad date, a date outside the tables) ends with a one-line
message on standard error and exit code 2, never a traceback. Warnings (predicted space weather,
stale tables) are printed as one line each, prefixed ``warning:``.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from stationsim import __version__
from stationsim.cli import calibrate, data, orbit, station
from stationsim.cli.common import out

__all__ = ["app", "data_app", "main", "run"]

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


app.command(short_help="Where an object is at one instant (SGP4).")(orbit.where)
app.command(short_help="How an orbit decays, and when it re-enters.")(orbit.decay)
app.command(short_help="When and where an object re-enters, and how sure that is.")(orbit.reentry)
app.command(short_help="How high an object will be over the coming days.")(orbit.band)
app.command(short_help="Measure the atmosphere model's error on tracked objects.")(
    calibrate.calibrate)
app.command(short_help="The ISS of March 2022: parts, budgets, capabilities.")(station.station)
app.command("run", short_help="Run a scenario and write its report.")(station.run_command)
app.command("serve", short_help="Serve the dashboard and the JSON API.")(station.serve)
app.command("scenarios")(station.scenarios_command)
data_app.command("info", short_help="What the bundled data covers.")(data.data_info)
data_app.command("update", short_help="Download fresh space weather, Earth orientation and "
                                      "leap seconds.")(data.data_update)


def run() -> None:  # pragma: no cover - console entry point
    """Entry point of the ``stationsim`` console script."""
    sys.exit(app())
