"""One scenario run in a process of its own (``python -m stationsim.web.worker``), so that the
server can stop a run that takes longer than its limit.

The job comes as one JSON object on standard input::

    {"scenario": "baseline-2022" | null, "text": "..." | null, "format": "toml" | "yaml" | null,
     "source": "upload.toml", "out_dir": "<an empty folder>"}

and the answers go out as JSON lines on standard output: ``{"phase": ..., "fraction": ...}``
while it runs, then ``{"done": true, "warnings": [...]}`` or ``{"error": "...", "user": true|false,
"warnings": [...]}`` (``user``: an error in the scenario, whose message says what and where;
otherwise a fault, whose traceback goes to standard error). ``warnings`` holds each distinct
Python warning the job raised, as ``{"kind": "data" | "warning", "message": ...}`` (``data``: a
table used past what it observed or covers); those raised while the scenario is propagated are
not among them: the run's log holds them.
Whatever else the libraries print goes to standard error.

A worker whose server is gone (killed outright, so that it could not stop its runs) ends within
half a second, whatever the run is doing: nobody would store what it makes.
"""

from __future__ import annotations

import errno
import json
import os
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Sequence
from typing import IO, Any

from stationsim import api
from stationsim.errors import PredictedDataWarning, StaleTableWarning, StationsimError

__all__ = ["exit_with_parent", "main", "no_station_files", "recorded_warnings", "run_job"]

#: The exit code of a worker that ended because its server had gone.
ORPHANED = 3
#: The most warnings one answer carries, and the longest message [characters].
MAX_WARNINGS, MAX_WARNING_CHARS = 50, 2000


def no_station_files(name: str) -> str:
    """The ``read_station`` hook of scenarios that come through the web: it reads nothing."""
    raise PermissionError(errno.EACCES, "the web service reads no files; use "
                          'station = "bundled", or run the scenario with \'stationsim run\'',
                          name)


def run_job(job: dict[str, Any], send: Callable[..., None]) -> None:
    """Parse and run one job, writing the report into ``job["out_dir"]``; ``send(**message)``
    gets the progress. Raises what the parser and the run raise."""
    name = job.get("scenario")
    if name is not None:
        if name not in api.scenarios():
            raise StationsimError(f"no built-in scenario {name!r}")
        scenario = api.load_scenario(name)
    else:
        scenario = api.scenario_from_text(str(job["text"]), source=str(job["source"]),
                                          format=job.get("format"),
                                          read_station=no_station_files)
    send(phase=f"running {scenario.name}", fraction=0.0)

    def progress(phase: str, fraction: float) -> None:
        send(phase=phase, fraction=float(fraction))

    api.run_scenario(scenario, out_dir=job["out_dir"], progress=progress)


def recorded_warnings(caught: Sequence[warnings.WarningMessage]) -> list[dict[str, str]]:
    """Each distinct warning once, in the order raised, as ``{"kind", "message"}``; ``kind`` is
    ``data`` for predicted or stale tables (as in a run's log), else ``warning``."""
    out: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for item in caught:
        message = str(item.message)[:MAX_WARNING_CHARS]
        key = (item.category.__name__, message)
        if key in seen:
            continue
        seen.add(key)
        data = issubclass(item.category, (PredictedDataWarning, StaleTableWarning))
        out.append({"kind": "data" if data else "warning", "message": message})
    return out[:MAX_WARNINGS]


def exit_with_parent(interval_s: float = 0.5) -> threading.Thread:
    """End this process (exit code :data:`ORPHANED`) as soon as the process that started it
    has ended: a daemon thread that looks every ``interval_s`` seconds whether the parent's
    process id has changed (it does when the parent dies; POSIX). A run may go a minute
    without a progress message, so a broken pipe would tell too late."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval_s)
        os._exit(ORPHANED)

    thread = threading.Thread(target=watch, name="stationsim-parent-watch", daemon=True)
    thread.start()
    return thread


def main(stdin: IO[str] | None = None) -> int:
    """Run the job on standard input; 0 when an answer (done or error) was sent."""
    job = json.loads((stdin or sys.stdin).read())
    # Answers go to a copy of the original standard output; stray prints go to stderr.
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    def send(**message: Any) -> None:
        channel.write(json.dumps(message) + "\n")
        channel.flush()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            run_job(job, send)
        except StationsimError as exc:
            send(error=str(exc), user=True, warnings=recorded_warnings(caught))
        except Exception as exc:  # a fault: the server stores its kind, the log its traceback
            traceback.print_exc()
            send(error=f"internal error ({type(exc).__name__}: {exc})", user=False,
                 warnings=recorded_warnings(caught))
            return 1
        else:
            send(done=True, warnings=recorded_warnings(caught))
        finally:
            channel.close()
    return 0


if __name__ == "__main__":  # pragma: no cover - the server starts this module
    exit_with_parent()
    sys.exit(main())
