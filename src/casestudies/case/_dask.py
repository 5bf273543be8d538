"""Write a case's partitions as tasks on a Dask cluster (``cs.generate(..., engine="dask")``).

Each partition is one task: the client cuts the frame into the same row
ranges as the local writer (:func:`casestudies.core.partition_bounds`) and a
worker writes it with the same function (:func:`casestudies.core.write_partition`),
so the files, and the fingerprint, are those of the local engine. At most
``2 x workers`` partitions are in flight, so the client holds the frames
plus a few partitions in transit.

What crosses the network is each partition's rows (pickled frames), and the
workers must see the output folder (a local cluster does; on several
machines, a shared file system or object store). The generation itself runs
in the client: ``fraud-v1`` draws its random streams over the whole
population, so splitting it into independent tasks would change its bytes.
With writing as the only distributed work, the bottleneck stays the client's
generation; a scenario whose randomness is drawn per entity block could
generate each block on a worker instead, with the same task layout.

Dask is an optional extra (``pip install "casestudies[dask]"``), imported
only here and only when this engine is asked for.

Examples
--------
>>> from casestudies.case._dask import check_engine
>>> check_engine("local", workers=None, scheduler=None)
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from casestudies.core import Choice, IntRange, check, partition_bounds, write_partition
from casestudies.exceptions import InvalidParameterError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ENGINES", "check_engine", "write_frames_dask"]

ENGINES: Final[tuple[str, ...]] = ("local", "dask")
"""Where :func:`casestudies.generate` writes partitions: in this process, or as tasks on a Dask cluster."""
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
    try:
        # Dask has no type hints: its names are reached through an Any-typed module.
        distributed: Any = importlib.import_module("dask.distributed")
    except ImportError as err:
        message = (
            "generate(engine='dask') needs Dask's distributed scheduler, which is not installed. "
            'Install it with: pip install "casestudies[dask]"'
        )
        raise InvalidParameterError(message) from err
    cluster = None
    if scheduler is None:
        n_workers = workers or 1
        cluster = distributed.LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = distributed.Client(cluster)
    else:
        client = distributed.Client(scheduler)
        n_workers = workers or max(1, len(client.scheduler_info()["workers"]))
    counts: dict[str, int] = {}
    try:
        pending: list[Any] = []
        for name, frame in frames.items():
            out = folder / name
            out.mkdir(parents=True, exist_ok=True)
            bounds = partition_bounds(len(frame), partition_rows)
            counts[name] = len(bounds)
            for index, (start, stop) in enumerate(bounds):
                pending.append(client.submit(write_partition, frame.iloc[start:stop], out, index, pure=False))
                if len(pending) >= _IN_FLIGHT_PER_WORKER * n_workers:
                    done = distributed.wait(pending, return_when="FIRST_COMPLETED").done
                    client.gather(list(done))  # raises a task's error here
                    pending = [future for future in pending if future not in done]
        client.gather(pending)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return counts
