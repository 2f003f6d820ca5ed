"""Running a re-entry ensemble in chunks: in this process, on local worker processes, or on a
Dask cluster, through one code path.

An ensemble is cut into chunks of members (:meth:`stationsim.propagation.ensemble.Ensemble.part`);
each chunk is a :class:`ChunkTask`, run by :func:`run_chunk` wherever it lands. The lifetime
engine gives each member the same numbers in any chunk (its own clock; table entries that depend
only on slot and height), so the result does not depend on where or how the work was cut: the
same seed gives the same answer, bit for bit, on one process and on a cluster
(``tests/analysis/test_distributed_run.py``).

* ``scheduler=None, workers=1``: the chunks run here, one after the other (no Dask).
* ``scheduler=None, workers=N``: a Dask ``LocalCluster`` of ``N`` worker processes, one thread
  each, started for the run and closed after it.
* ``scheduler="tcp://HOST:PORT"``: the Dask cluster behind that scheduler; its workers need
  stationsim installed.

On any cluster Dask resubmits the chunks of a worker process that dies (killed, out of memory)
to another, up to its ``allowed-failures`` (3 by default), and the answer does not change; a
chunk whose workers die more often than that ends the run with a :class:`StationsimError`
(``tests/analysis/test_distributed_faults.py``).

Each worker loads the bundled data and the gravity field once per process.
"""

from __future__ import annotations

import itertools
import os
import re
import socket
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from stationsim.data import load_gravity_field, load_space_weather
from stationsim.data.spaceweather import SpaceWeather
from stationsim.errors import InputError, StationsimError
from stationsim.forces.atmosphere import atmosphere_by_name
from stationsim.forces.density_correction import CorrectedAtmosphere, DensityCorrection
from stationsim.propagation.dynamics import ForceModel
from stationsim.propagation.ensemble import Ensemble
from stationsim.propagation.lifetime import LifetimePropagator, ReferenceRevolution
from stationsim.time import Epoch
from stationsim.time.tables import FloatArray

__all__ = ["ChunkResult", "ChunkTask", "check_scheduler_address", "check_scheduler_reachable",
           "run_chunk", "run_chunks"]

#: Below this many members the ensemble runs in this process (starting workers costs more).
LOCAL_PROCESS_THRESHOLD = 2000
#: The most local worker processes.
MAX_WORKERS = 256
_ADDRESS = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://)?(?P<host>\[[0-9A-Fa-f:.]+\]|"
                      r"[A-Za-z0-9_.-]+):(?P<port>[0-9]{1,5})/?")


@dataclass(frozen=True)
class ChunkTask:
    """What one chunk needs: its members, the start, the atmosphere by name with the held
    forecast's values (``None``: the bundled observed space weather), the engine's settings
    and the reference revolution (so that every chunk uses the same one)."""

    first: int
    members: Ensemble
    epoch: Epoch
    atmosphere: str
    held_forecast: tuple[float, float] | None
    slot_s: float
    duration_s: float
    handover_height_m: float | None
    reference: ReferenceRevolution
    #: Factors applied to the observed weather's atmosphere (not to a held forecast).
    density_correction: DensityCorrection | None = None


@dataclass(frozen=True)
class ChunkResult:
    """Per member of a chunk: the 120-km crossing [s after the start, NaN: still up], its
    place (lat, lon [deg]) and GCRF state there ``(r [m], v [m/s])``, and the hand-over state
    ``(t [s], r [m], v [m/s])`` (NaN if none)."""

    first: int
    entry_s: FloatArray
    place_deg: FloatArray
    entry_state: FloatArray
    handover: FloatArray
    statistics: dict[str, float]


def engine_model() -> ForceModel:
    """The force model of re-entry ensembles (EGM96 8x8, Sun, Moon): for the reference
    revolution and the numerical hand-over."""
    return ForceModel(gravity=load_gravity_field(), degree=8, thrust=False)


def run_chunk(task: ChunkTask) -> ChunkResult:
    """Run one chunk in the lifetime engine (here or on a worker)."""
    weather = (load_space_weather() if task.held_forecast is None else SpaceWeather.constant(
        f107_sfu=task.held_forecast[0], f107a_sfu=task.held_forecast[0],
        ap=task.held_forecast[1]))
    # One slot for every member (chosen from the nominal lifetime): the members share entries.
    atmosphere = atmosphere_by_name(task.atmosphere, weather)
    if task.density_correction is not None and task.held_forecast is None:
        atmosphere = CorrectedAtmosphere(atmosphere, task.density_correction)
    engine = LifetimePropagator(engine_model(), atmosphere,
                                slot_s=task.slot_s, coarse_slot_s=None)
    m = task.members
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # predicted space weather: the caller says so once
        result = engine.propagate(task.epoch, m.r_gcrf_m, m.v_gcrf_m_s,
                                  ballistic_kg_m2=m.ballistic_kg_m2,
                                  duration_s=task.duration_s, reference=task.reference,
                                  density_factor=m.density_factor,
                                  handover_height_m=task.handover_height_m,
                                  output_step_s=None)
    n = len(m)
    entry = np.full(n, np.nan)
    place = np.full((n, 2), np.nan)
    state = np.full((n, 6), np.nan)
    handover = np.full((n, 7), np.nan)
    for i, member in enumerate(result.members):
        e = member.event("reentry")
        if e is not None:
            entry[i] = float(e.epoch - task.epoch)
            place[i] = (e.lat_deg, e.lon_deg)
            state[i] = np.concatenate([e.r_gcrf_m, e.v_gcrf_m_s])
        h = member.event("handover")
        if h is not None:
            handover[i] = np.concatenate([[float(h.epoch - task.epoch)], h.r_gcrf_m,
                                          h.v_gcrf_m_s])
    return ChunkResult(task.first, entry, place, state, handover, result.statistics)


def chunk_bounds(n: int, chunks: int) -> list[tuple[int, int]]:
    """``chunks`` nearly equal runs of member indices covering ``0..n-1``."""
    edges = np.linspace(0, n, max(1, min(chunks, n)) + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in itertools.pairwise(edges) if b > a]


def check_scheduler_address(address: str) -> str:
    """``address`` if it has the form of a Dask scheduler's address, ``[PROTOCOL://]HOST:PORT``
    (``tcp`` when no protocol is given, as Dask takes it; a bracketed IPv6 host allowed);
    checked before any work, so that a typo costs nothing."""
    match = _ADDRESS.fullmatch(address.strip())
    if match is None or not 0 < int(match.group("port")) < 65536:
        raise InputError("not a Dask scheduler address", source="--scheduler",
                         expected="tcp://HOST:PORT or HOST:PORT",
                         found=repr(address))
    return address.strip()


def check_scheduler_reachable(address: str, timeout_s: float = 5.0) -> None:
    """Refuse a scheduler address nothing answers at (a TCP connection to its host and port),
    before the prediction's fit and draws rather than after them."""
    match = _ADDRESS.fullmatch(check_scheduler_address(address))
    assert match is not None  # checked above
    host = match.group("host").strip("[]")
    try:
        with socket.create_connection((host, int(match.group("port"))), timeout=timeout_s):
            pass
    except OSError as exc:
        raise InputError(f"cannot reach the Dask scheduler ({exc.strerror or exc})",
                         source="--scheduler", expected="a running dask scheduler",
                         found=address) from None


def choose_workers(members: int, scheduler: str | None, workers: int | None) -> int:
    """The worker count: as given, else all cores from :data:`LOCAL_PROCESS_THRESHOLD`
    members on (or on any cluster), else one."""
    if workers is not None:
        if not 1 <= workers <= MAX_WORKERS:
            raise InputError("the number of workers is out of range", source="--workers",
                             expected=f"1 to {MAX_WORKERS}", found=str(workers))
        return workers
    if scheduler is not None or members >= LOCAL_PROCESS_THRESHOLD:
        return max(os.cpu_count() or 1, 1)
    return 1


def run_chunks(tasks: Sequence[ChunkTask], *, scheduler: str | None, workers: int,
               progress: Callable[[float], None] | None = None) -> list[ChunkResult]:
    """Run the chunks (see the module notes); results in the tasks' order."""
    if scheduler is None and workers == 1:
        out = []
        for k, task in enumerate(tasks):
            out.append(run_chunk(task))
            if progress is not None:
                progress((k + 1) / len(tasks))
        return out
    # Imported only by runs that use workers: the import costs 0.3 s, which every command of
    # the CLI would otherwise pay.
    from distributed import Client, KilledWorker, LocalCluster, as_completed

    cluster = None
    try:
        if scheduler is None:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=40)
            client = Client(cluster)
        else:
            address = check_scheduler_address(scheduler)
            client = Client(address, timeout=10)
    except InputError:
        raise
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot reach the Dask scheduler ({exc})", source="--scheduler",
                         expected="tcp://HOST:PORT of a running dask scheduler",
                         found=scheduler) from None
    try:
        futures = client.map(run_chunk, list(tasks), pure=False)
        for done, _ in enumerate(as_completed(futures), start=1):
            if progress is not None:
                progress(done / len(futures))
        results: list[ChunkResult] = client.gather(futures)
    except KilledWorker as exc:
        raise StationsimError(
            "the ensemble stopped: a chunk's worker process died more often than the Dask "
            "scheduler allows (distributed.scheduler.allowed-failures); it was killed or ran "
            "out of memory: run again, with more memory per worker or fewer members") from exc
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return sorted(results, key=lambda r: r.first)
