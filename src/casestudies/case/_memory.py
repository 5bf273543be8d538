"""The memory guard of ``make``: refuse a parameter set that would not fit, before generating anything.

``make`` asks the scenario's size estimator (see
:func:`casestudies.core.size_estimate`) for the rows and the peak memory the
parameters need, and refuses with :class:`InvalidParameterError` when that
is more than the limit: a quarter of the memory available now (Linux:
``MemAvailable`` of ``/proc/meminfo``; elsewhere the free physical pages),
so a case, its copies and the pipeline fitted on it still fit beside
everything else running.

Ways past it, for someone who knows the machine can take it:
``make(..., memory_check=False)``, the environment variable
``CASESTUDIES_MEMORY_CHECK=0``, or a limit of one's own in
``CASESTUDIES_MEMORY_LIMIT`` (bytes, or with a unit: ``8GB``, ``512MiB``).

Examples
--------
>>> import os
>>> from casestudies.case import memory_limit
>>> os.environ["CASESTUDIES_MEMORY_LIMIT"] = "2GiB"
>>> memory_limit()
2147483648
>>> del os.environ["CASESTUDIES_MEMORY_LIMIT"]
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from casestudies.core import ScenarioSpec, SizeEstimate, block_planner_of, registry, size_estimate
from casestudies.exceptions import InvalidParameterError

__all__ = [
    "AVAILABLE_SHARE",
    "MEMORY_CHECK_ENV",
    "MEMORY_LIMIT_ENV",
    "available_memory",
    "check_memory",
    "format_size",
    "limit_source",
    "memory_guard_on",
    "memory_limit",
    "streaming_hint",
]

AVAILABLE_SHARE: Final[float] = 0.25
"""Share of the available memory a case may need at peak: the Case keeps a second copy of its frames, and a
pipeline fitted on it typically needs as much again in features and model, so a quarter leaves that room."""

MEMORY_CHECK_ENV: Final[str] = "CASESTUDIES_MEMORY_CHECK"
"""Set to ``0`` (or ``off``) to switch the guard off for every ``make``, including the command line's."""

MEMORY_LIMIT_ENV: Final[str] = "CASESTUDIES_MEMORY_LIMIT"
"""A limit of one's own, in bytes or with a unit (``8GB``, ``512MiB``), instead of a quarter of what is available."""


def streaming_hint(scenario: ScenarioSpec) -> str:
    """The way out for a case that cannot fit, named in the refusal: generating it to disk a partition at a time.

    Examples
    --------
    >>> import casestudies as cs
    >>> print(streaming_hint(cs.spec("fraud-v1")))  # doctest: +ELLIPSIS
    For a case larger than memory, ... the version of this scenario generated a block at a time: fraud-v2.
    >>> print(streaming_hint(cs.spec("houses-v1")))  # doctest: +ELLIPSIS
    For a case larger than memory, ... generated a block at a time: fraud-v2, movies-rating-v4, movies-topn-v4.
    """
    if block_planner_of(scenario) is not None:
        return (
            f"To hold one partition at a time instead, write it to disk: casestudies.generate({scenario.id!r}, "
            f"seed=..., out='DIR', ...), or on the command line: casestudies generate {scenario.id} --out DIR "
            "--partition-rows 1000000 (with the same parameters)."
        )
    streaming = [spec.id for spec in registry().values() if block_planner_of(spec) is not None]
    newer = [name for name in streaming if registry()[name].name == scenario.name]  # the same scenario, streamed
    if newer:
        return (
            "For a case larger than memory, generate one partition at a time with casestudies.generate(..., "
            f"out='DIR') from the version of this scenario generated a block at a time: {newer[-1]}."
        )
    return (
        "For a case larger than memory, generate one partition at a time with casestudies.generate(..., out='DIR') "
        f"from one of the scenarios generated a block at a time: {', '.join(streaming) or 'none is registered'}."
    )


_MEMINFO: Final[Path] = Path("/proc/meminfo")
_OFF: Final[frozenset[str]] = frozenset({"0", "false", "off", "no"})
_UNITS: Final[Mapping[str, int]] = {
    "": 1,
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}
_SIZE: Final[re.Pattern[str]] = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*")


def available_memory() -> int | None:
    """Bytes of memory available to new work now, or None where the system does not say.

    Examples
    --------
    >>> from casestudies.case import available_memory
    >>> found = available_memory()
    >>> found is None or found > 0
    True
    """
    try:
        for line in _MEMINFO.read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024  # the kernel writes kB, meaning KiB
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):  # Windows has no sysconf
        return None


def _parse_size(text: str) -> int | None:
    match = _SIZE.fullmatch(text)
    if match is None or match.group(2).lower() not in _UNITS:
        return None
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def memory_limit() -> int | None:
    """The most memory a case may need: ``$CASESTUDIES_MEMORY_LIMIT``, else a quarter of what is available.

    None when neither is known (the guard then lets everything through).

    Raises
    ------
    InvalidParameterError
        If ``CASESTUDIES_MEMORY_LIMIT`` is not a size.
    """
    chosen = os.environ.get(MEMORY_LIMIT_ENV, "").strip()
    if chosen:
        size = _parse_size(chosen)
        if size is None:
            message = (
                f"{MEMORY_LIMIT_ENV} must be a number of bytes, optionally with a unit (e.g. 8GB or 512MiB); "
                f"got {chosen!r}. Fix or unset it."
            )
            raise InvalidParameterError(message)
        return size
    available = available_memory()
    return None if available is None else int(available * AVAILABLE_SHARE)


def format_size(size: int) -> str:
    """A size as a refusal says it: GB to one decimal from 0.1 GB, else whole MB, else whole kB.

    Examples
    --------
    >>> format_size(2_345_000_000), format_size(12_600_000), format_size(300_000)
    ('2.3 GB', '13 MB', '300 kB')
    """
    if size >= 10**8:
        return f"{size / 1e9:.1f} GB"
    return f"{size / 1e6:.0f} MB" if size >= 10**6 else f"{size / 1e3:.0f} kB"


def memory_guard_on(enforce: bool) -> bool:
    """Whether a memory check applies: asked for (``memory_check=True``) and not switched off by the environment.

    Examples
    --------
    >>> import os
    >>> os.environ["CASESTUDIES_MEMORY_CHECK"] = "off"
    >>> memory_guard_on(True)
    False
    >>> del os.environ["CASESTUDIES_MEMORY_CHECK"]
    >>> memory_guard_on(True), memory_guard_on(False)
    (True, False)
    """
    return enforce and os.environ.get(MEMORY_CHECK_ENV, "").strip().lower() not in _OFF


def limit_source(limit: int) -> str:
    """Where :func:`memory_limit`'s ``limit`` comes from, as a refusal says it.

    Examples
    --------
    >>> import os
    >>> os.environ["CASESTUDIES_MEMORY_LIMIT"] = "2GB"
    >>> limit_source(2 * 10**9)
    'CASESTUDIES_MEMORY_LIMIT=2GB'
    >>> del os.environ["CASESTUDIES_MEMORY_LIMIT"]
    >>> limit_source(10**9)
    'a quarter of the 4.0 GB available'
    """
    chosen = os.environ.get(MEMORY_LIMIT_ENV, "").strip()
    if chosen:
        return f"{MEMORY_LIMIT_ENV}={chosen}"
    return f"a quarter of the {format_size(int(limit / AVAILABLE_SHARE))} available"


def check_memory(
    scenario: ScenarioSpec, params: Mapping[str, object], *, where: str, enforce: bool = True
) -> SizeEstimate:
    """Refuse ``params`` if generating them needs more memory than :func:`memory_limit`; return the estimate.

    ``enforce=False`` (``make(..., memory_check=False)``) only estimates.

    Raises
    ------
    InvalidParameterError
        With the estimate, the limit, the parameters to lower and how to go ahead anyway.

    Examples
    --------
    >>> import os, casestudies as cs
    >>> from casestudies.case import check_memory
    >>> os.environ["CASESTUDIES_MEMORY_LIMIT"] = "1MB"
    >>> try:
    ...     check_memory(cs.spec("fraud-v1"), cs.spec("fraud-v1").defaults, where="make('fraud-v1')")
    ... except cs.exceptions.InvalidParameterError as err:
    ...     print(str(err)[:86])
    make('fraud-v1'): these parameters would generate about 280,000 rows (2,000 customers
    >>> del os.environ["CASESTUDIES_MEMORY_LIMIT"]
    """
    estimate = size_estimate(scenario, params)
    if not memory_guard_on(enforce):
        return estimate
    limit = memory_limit()
    if limit is None or estimate.bytes <= limit:
        return estimate
    counts = ", ".join(f"{name}={value}" for name, value in params.items() if name.startswith("n_"))
    message = (
        f"{where}: these parameters would generate about {estimate.rows:,} rows ({estimate.detail}) and need "
        f"about {format_size(estimate.bytes)} of memory at peak; the limit is {format_size(limit)} "
        f"({limit_source(limit)}). "
        f"Use smaller parameters (now {counts}). {streaming_hint(scenario)} To generate it in memory anyway, pass "
        f"memory_check=False to make(), or set {MEMORY_CHECK_ENV}=0 (the command line too)."
    )
    raise InvalidParameterError(message)
