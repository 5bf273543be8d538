"""Run a case's partitions as tasks on a Dask cluster (``cs.generate(..., engine="dask")``).

Each partition is one task, the function the local engine calls for it, so
the files, and the fingerprint, are those of the local engine. At most
``2 x workers`` tasks are in flight.

A scenario with a block plan (``fraud-v2``) is generated on the workers: a
task carries the plan (parameters, seed and the rows of each day: a few
kilobytes) and a row range, generates only the days it covers, and writes
its partitions; what comes back is counts and, for the test set, the labels
(one byte a row, for the public/private split: see
:mod:`casestudies.case._stream_blocks` for the two passes, run on one
cluster). Any other scenario is
generated whole in the client (its random draws span the whole population,
so splitting it would change its bytes) and only writing is distributed:
each task then carries its partition's rows.

Workers must see the output folder: a local cluster does; on several
machines, a shared file system or object store.

Dask is an optional extra (``pip install "casestudies[dask]"``), imported
only here and only when this engine is asked for.

Examples
--------
>>> from casestudies.case._dask import check_engine
>>> check_engine("local", workers=None, scheduler=None)
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from casestudies.core import Choice, IntRange, check, partition_bounds, write_partition
from casestudies.exceptions import InvalidParameterError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ENGINES", "Runner", "check_engine", "dask_runner", "local_cluster", "run_calls", "write_frames_dask"]

ENGINES: Final[tuple[str, ...]] = ("local", "dask")
"""Where :func:`casestudies.generate` writes partitions: in this process, or as tasks on a Dask cluster."""
_MISSING_DASK: Final[str] = (
    "generate(engine='dask') needs Dask's distributed scheduler, which is not installed. "
    'Install it with: pip install "casestudies[dask]"'
)
Runner = Callable[[Sequence[tuple[Callable[..., object], tuple[object, ...]]], object], list[object]]
"""Runs a batch of ``(function, arguments)`` calls, given the object many of them share; returns their results."""
_IN_FLIGHT_PER_WORKER: Final[int] = 2  # partitions submitted per worker before waiting: keeps workers busy, memory low


def check_engine(engine: object, *, workers: object, scheduler: object) -> None:
    """Refuse an unknown engine, a worker count below one, or Dask options without ``engine="dask"``."""
    where = "generate()"
    check(where, "engine", engine, Choice(ENGINES))
    if workers is not None:
        check(where, "workers", workers, IntRange(1, None))
    if engine == "local" and (workers is not None or scheduler is not None):
        message = (
            f"{where}: workers and scheduler apply to engine='dask'; got engine='local' with "
            f"workers={workers!r}, scheduler={scheduler!r}. Pass engine='dask' or drop them."
        )
        raise InvalidParameterError(message)


def write_frames_dask(
    frames: Mapping[str, pd.DataFrame],
    folder: Path,
    *,
    partition_rows: int,
    workers: int | None,
    scheduler: str | None,
) -> dict[str, int]:
    """Write every frame to ``folder / name`` as partitions, one task each; return the partitions per frame."""
    calls: list[tuple[Callable[..., object], tuple[object, ...]]] = []
    counts: dict[str, int] = {}
    for name, frame in frames.items():
        out = folder / name
        out.mkdir(parents=True, exist_ok=True)
        bounds = partition_bounds(len(frame), partition_rows)
        counts[name] = len(bounds)
        calls += [(write_partition, (frame.iloc[start:stop], out, index)) for index, (start, stop) in enumerate(bounds)]
    run_calls(calls, workers=workers, scheduler=scheduler)
    return counts


def local_cluster(workers: int) -> Any:
    """A Dask ``LocalCluster`` of ``workers`` single-threaded processes, set up for generating partitions.

    Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which
    hands freed memory back to the system at once; a partition's generation
    allocates and frees arrays of megabytes, and pays the page faults again
    on each (measured: a 10 M-row fraud-v2 log takes 6.1 s on one such worker,
    4.7 s with the C library's default). The cluster's workers keep the
    default; every other setting is Dask's.

    Examples
    --------
    >>> from casestudies.case._dask import local_cluster
    >>> with local_cluster(1) as cluster:
    ...     cluster.scheduler_address.startswith("tcp://")
    True
    """
    try:
        dask: Any = importlib.import_module("dask")
        distributed: Any = importlib.import_module("dask.distributed")
    except ImportError as err:
        raise InvalidParameterError(_MISSING_DASK) from err
    environment = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
    environment.pop("MALLOC_TRIM_THRESHOLD_", None)
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environment}):
        return distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)


def run_calls(
    calls: Sequence[tuple[Callable[..., object], tuple[object, ...]]],
    *,
    workers: int | None,
    scheduler: str | None,
    shared: object = None,
) -> list[object]:
    """Run ``function(*arguments)`` of every call as a task on a Dask cluster; return the results in call order.

    One batch on its own cluster: see :func:`dask_runner`, which runs
    several batches on one.
    """
    with dask_runner(workers=workers, scheduler=scheduler) as run:
        return run(calls, shared)


@contextlib.contextmanager
def dask_runner(*, workers: int | None, scheduler: str | None) -> Iterator[Runner]:
    """A function that runs batches of calls as tasks on one Dask cluster, open while the ``with`` block runs.

    A local cluster of ``workers`` processes (default 1) unless ``scheduler``
    names a running one. At most ``2 x workers`` tasks are in flight, so the
    arguments of the others are not sent before they are needed. ``shared``,
    an argument of many calls (a block plan), is sent once to every worker
    and each task there gets that one object, so what it computes once (a
    plan's world, its last days) serves the worker's next tasks, in this
    batch and the next ones given the same object. A task's error is raised
    here.
    """
    try:
        # Dask has no type hints: its names are reached through an Any-typed module.
        distributed: Any = importlib.import_module("dask.distributed")
    except ImportError as err:
        raise InvalidParameterError(_MISSING_DASK) from err
    cluster = None
    if scheduler is None:
        n_workers = workers or 1
        cluster = local_cluster(n_workers)
        client = distributed.Client(cluster)
    else:
        client = distributed.Client(scheduler)
        n_workers = workers or max(1, len(client.scheduler_info()["workers"]))
    sent: dict[int, Any] = {}  # id of a shared object -> its future on the workers

    def run(calls: Sequence[tuple[Callable[..., object], tuple[object, ...]]], shared: object = None) -> list[object]:
        if shared is not None and id(shared) not in sent:
            sent[id(shared)] = client.scatter(shared, broadcast=True, hash=False)
        on_workers = sent.get(id(shared))
        results: dict[Any, object] = {}
        futures: list[Any] = []
        pending: list[Any] = []
        for function, arguments in calls:
            given = [
                on_workers if argument is shared and on_workers is not None else argument for argument in arguments
            ]
            future = client.submit(function, *given, pure=False)
            futures.append(future)
            pending.append(future)
            if len(pending) >= _IN_FLIGHT_PER_WORKER * n_workers:
                done = distributed.wait(pending, return_when="FIRST_COMPLETED").done
                results.update(zip(done, client.gather(list(done)), strict=True))  # raises a task's error here
                pending = [future for future in pending if future not in done]
        results.update(zip(pending, client.gather(pending), strict=True))
        return [results[future] for future in futures]

    try:
        yield run
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
