"""The ensemble on a real local Dask cluster (two worker processes) gives what one process
gives, bit for bit; bad cluster options are user errors."""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path

import numpy as np
import pytest

from stationsim.analysis import reentry
from stationsim.analysis.distributed_run import choose_workers, chunk_bounds
from stationsim.analysis.reentry import predict_reentry
from stationsim.api import load_elements
from stationsim.data import load_timescale
from stationsim.errors import InputError

DELFI = Path(__file__).parents[1] / "reference" / "tle" / "delfi-pq_51074_last100d.tle"


def test_chunks_cover_every_member_once() -> None:
    for n, k in ((1, 8), (10, 3), (1000, 8), (7, 7)):
        bounds = chunk_bounds(n, k)
        assert bounds[0][0] == 0 and bounds[-1][1] == n
        assert all(a < b for a, b in bounds)
        assert all(b0 == a1 for (_, b0), (a1, _) in itertools.pairwise(bounds))


def test_worker_choice() -> None:
    assert choose_workers(100, None, None) == 1
    assert choose_workers(5000, None, None) >= 1
    assert choose_workers(100, None, 3) == 3
    with pytest.raises(InputError, match="workers"):
        choose_workers(100, None, 0)


@pytest.mark.slow
def test_local_cluster_gives_the_same_answer_as_one_process() -> None:
    """Forecast mode (so that the space-weather draws travel too), 48 members: one process
    against a LocalCluster of two worker processes with 8 chunks."""
    warnings.simplefilter("ignore")
    ts = load_timescale()
    els = load_elements(DELFI)
    at = ts.from_iso("2023-12-26T21:15:00Z")
    kwargs = dict(at=at, members=48, seed=11, ballistic_kg_m2=20.0, space_weather="forecast")
    here = predict_reentry(els, ts, workers=1, **kwargs)  # type: ignore[arg-type]
    there = predict_reentry(els, ts, workers=2, **kwargs)  # type: ignore[arg-type]
    assert there.statistics["chunks"] == 8 and here.statistics["chunks"] == 1
    a = np.array([float(e - at) for e in here.entries])
    b = np.array([float(e - at) for e in there.entries])
    assert np.array_equal(a, b)
    assert np.array_equal(here.member_places, there.member_places)
    assert here.as_dict() == there.as_dict()


def test_unreachable_scheduler_is_a_user_error() -> None:
    ts = load_timescale()
    with pytest.raises(InputError, match="scheduler"):
        predict_reentry(load_elements(DELFI), ts, members=4, ballistic_kg_m2=20.0,
                        scheduler="tcp://127.0.0.1:1")


@pytest.mark.slow
def test_the_answer_does_not_depend_on_how_the_ensemble_is_cut(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """What makes the cluster's answer equal the one process's: in this process, the same 48
    members cut into one chunk or into seven uneven ones give the same numbers, bit for bit;
    another seed gives other numbers (the equality is not vacuous)."""
    warnings.simplefilter("ignore")
    ts = load_timescale()
    els = load_elements(DELFI)
    at = ts.from_iso("2023-12-26T21:15:00Z")
    kwargs = dict(at=at, members=48, ballistic_kg_m2=20.0, space_weather="forecast",
                  workers=1)

    def entries(seed: int, chunks: int) -> tuple[np.ndarray, np.ndarray, dict[str, object]]:
        monkeypatch.setattr(reentry, "chunk_bounds", lambda n, _: chunk_bounds(n, chunks))
        report = predict_reentry(els, ts, seed=seed, **kwargs)  # type: ignore[arg-type]
        assert report.statistics["chunks"] == chunks
        return (np.array([float(e - at) for e in report.entries]), report.member_places,
                report.as_dict())

    one, seven = entries(11, 1), entries(11, 7)
    assert np.array_equal(one[0], seven[0]) and np.array_equal(one[1], seven[1])
    assert one[2] == seven[2]
    assert not np.array_equal(one[0], entries(12, 1)[0])
