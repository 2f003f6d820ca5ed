"""A re-entry ensemble on a Dask ``LocalCluster`` of two worker processes, one of which is
killed (SIGKILL) while it holds chunks: the scheduler gives its chunks to the other worker
or to the one its nanny starts anew, and the answer is the one-process answer, bit for bit.
Where the scheduler may not retry (``allowed-failures`` 0), the run ends with a
:class:`~stationsim.errors.StationsimError` that says what happened."""

from __future__ import annotations

import logging
import os
import signal
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dask
import numpy as np
import pytest
from distributed import Client, LocalCluster

from stationsim.analysis.reentry import ReentryReport, predict_reentry
from stationsim.api import load_elements
from stationsim.data import load_timescale
from stationsim.errors import StationsimError

DELFI = Path(__file__).parents[1] / "reference" / "tle" / "delfi-pq_51074_last100d.tle"
AT = "2023-12-26T21:15:00Z"
ENSEMBLE: dict[str, Any] = dict(members=48, seed=11, ballistic_kg_m2=20.0,
                                space_weather="forecast")
Progress = Callable[[str, float], None]


def _predict(**options: Any) -> ReentryReport:
    ts = load_timescale()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the forecast mode's predicted space weather
        return predict_reentry(load_elements(DELFI), ts, at=ts.from_iso(AT), **ENSEMBLE,
                               **options)


@pytest.fixture(scope="module")
def here() -> ReentryReport:
    """The answer of one process (no Dask)."""
    return _predict(workers=1)


@pytest.fixture
def cluster(request: pytest.FixtureRequest) -> Iterator[tuple[LocalCluster, Client]]:
    """Two worker processes with a nanny each (which starts a killed worker again), one
    thread each; ``allowed-failures`` from the test's parameter, else Dask's default."""
    config = {"distributed.scheduler.allowed-failures": getattr(request, "param", 3)}
    with dask.config.set(config), LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
            silence_logs=logging.CRITICAL) as local, Client(local) as client:
        yield local, client


def _kill_a_busy_worker(client: Client, killed: list[int]) -> Progress:
    """A progress hook that, when the first chunk is in, kills (SIGKILL, as the kernel's
    out-of-memory killer would) the process of a worker that holds chunks still to do."""
    pids: dict[str, int] = client.run(os.getpid)

    def progress(phase: str, fraction: float) -> None:
        if killed or not phase.startswith("Monte Carlo"):
            return
        busy = [address for address, keys in client.processing().items() if keys]
        if busy:
            os.kill(pids[busy[0]], signal.SIGKILL)
            killed.append(pids[busy[0]])

    return progress


def _retried(local: LocalCluster) -> list[str]:
    """The chunks the scheduler sent to a worker more than once."""
    starts = Counter(str(entry[0]) for entry in local.scheduler.transition_log
                     if entry[2] == "processing" and str(entry[0]).startswith("run_chunk"))
    return sorted(key for key, count in starts.items() if count > 1)


@pytest.mark.slow
def test_a_worker_killed_mid_run_changes_nothing_but_the_time(
        here: ReentryReport, cluster: tuple[LocalCluster, Client]) -> None:
    local, client = cluster
    killed: list[int] = []
    there = _predict(scheduler=local.scheduler_address, workers=2,
                     progress=_kill_a_busy_worker(client, killed))
    assert killed, "no worker held a chunk when the first one came in"
    assert _retried(local), "no chunk was run again: the kill came too late to matter"
    client.wait_for_workers(2, timeout=30)
    assert killed[0] not in client.run(os.getpid).values()  # the nanny started a new one
    assert there.statistics["chunks"] == 8
    at = load_timescale().from_iso(AT)
    assert np.array_equal([float(e - at) for e in here.entries],
                          [float(e - at) for e in there.entries])
    assert np.array_equal(here.member_places, there.member_places)
    assert here.as_dict() == there.as_dict()


@pytest.mark.slow
@pytest.mark.parametrize("cluster", [0], indirect=True)
def test_a_chunk_whose_worker_dies_past_the_allowance_is_a_clear_error(
        cluster: tuple[LocalCluster, Client]) -> None:
    local, client = cluster
    killed: list[int] = []
    with pytest.raises(StationsimError, match="worker process") as caught:
        _predict(scheduler=local.scheduler_address, workers=2,
                 progress=_kill_a_busy_worker(client, killed))
    assert killed
    assert "allowed-failures" in str(caught.value)
