"""What the commands share: the consoles, the user-error handling, the common options, the
progress bar and the check of the atmosphere and space-weather choices."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from stationsim import api
from stationsim.errors import StationsimError, shortened

T = TypeVar("T")

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
DensityCorrectionFile = Annotated[Path | None, typer.Option(
    "--density-correction", help="Multiply the atmosphere's density by the factors of this "
                                 "file (written by 'stationsim calibrate' for the same "
                                 "--atmosphere): the model's error of the time, measured on "
                                 "other tracked objects.", show_default=False)]


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
def user_errors() -> Iterator[None]:
    """Turn user errors into one line on stderr and exit code 2."""
    previous = warnings.showwarning
    warnings.showwarning = _show_warning
    try:
        yield
    except StationsimError as exc:
        err.print(f"[red]error:[/red] {escape(shortened(str(exc), 2000))}", markup=True)
        raise typer.Exit(USER_ERROR) from None
    except OSError as exc:  # a file that could not be read or written after the checks
        where = f"{exc.filename}: " if exc.filename else ""
        err.print(f"[red]error:[/red] {escape(where)}{escape(exc.strerror or str(exc))}",
                  markup=True)
        raise typer.Exit(USER_ERROR) from None
    finally:
        warnings.showwarning = previous


def guarded(action: Callable[[], T]) -> T:
    """Run ``action`` with user errors and warnings formatted (see :func:`user_errors`)."""
    with user_errors():
        return action()


def check_choices(atmosphere: str, space_weather: str) -> None:
    """Refuse an unknown atmosphere or space-weather mode before any work (exit code 2)."""
    for name, value, allowed in (("--atmosphere", atmosphere, api.ATMOSPHERES),
                                 ("--space-weather", space_weather, api.SPACE_WEATHER_MODES)):
        if value not in allowed:
            err.print(f"[red]error:[/red] {name}: unknown value {value!r}; expected "
                      f"{' | '.join(allowed)}", markup=True)
            raise typer.Exit(USER_ERROR)


@contextmanager
def progress_bar(quiet: bool) -> Iterator[Callable[[str, float], None] | None]:
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

