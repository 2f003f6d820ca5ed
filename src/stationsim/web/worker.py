"""One scenario run in a process of its own (``python -m stationsim.web.worker``), so that the
server can stop a run that takes longer than its limit.

The job comes as one JSON object on standard input::

    {"scenario": "baseline-2022" | null, "text": "..." | null, "format": "toml" | "yaml" | null,
     "source": "upload.toml", "out_dir": "<an empty folder>"}

and the answers go out as JSON lines on standard output: ``{"phase": ..., "fraction": ...}``
while it runs, then ``{"done": true}`` or ``{"error": "...", "user": true|false}`` (``user``:
an error in the scenario, whose message says what and where; otherwise a fault, whose
traceback goes to standard error). Whatever else the libraries print goes to standard error.

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
from collections.abc import Callable
from typing import IO, Any

from stationsim import api
from stationsim.errors import StationsimError

__all__ = ["exit_with_parent", "main", "no_station_files", "run_job"]

#: The exit code of a worker that ended because its server had gone.
ORPHANED = 3


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

    try:
        run_job(job, send)
    except StationsimError as exc:
        send(error=str(exc), user=True)
    except Exception as exc:  # a fault: the server stores its kind, the log its traceback
        traceback.print_exc()
        send(error=f"internal error ({type(exc).__name__}: {exc})", user=False)
        return 1
    else:
        send(done=True)
    finally:
        channel.close()
    return 0


if __name__ == "__main__":  # pragma: no cover - the server starts this module
    exit_with_parent()
    sys.exit(main())
