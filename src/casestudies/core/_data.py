"""The value a scenario generator returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, slots=True, kw_only=True)
class ScenarioData:
    """Frames and hidden truth produced by one call of a scenario generator.

    Generators are pure functions ``generate(params, rng) -> ScenarioData``.
    The :class:`~casestudies.Case` built from this value strips the target
    from ``test`` and keeps the labels and ``truth`` behind ``reveal()``.

    Parameters
    ----------
    train : pandas.DataFrame
        Training rows: features, ``id_column`` and ``target``.
    test : pandas.DataFrame
        Hidden-holdout rows with the same columns as ``train``, target included.
    target : str
        Name of the label column.
    id_column : str
        Name of the unique row-id column (present in both frames).
    truth : pandas.DataFrame
        One row per ``test`` row, same order. Column ``probability`` holds the
        true probability that the label is 1 given the simulator's full state;
        other columns are scenario-specific (for example ``mechanism``).
    train_truth : pandas.DataFrame or None
        The same for ``train`` rows, when the scenario provides it.
    cost_column : str or None
        Column of ``test`` whose value is the cost of a missed positive (the
        fraud amount), used by cost metrics.
    info : Mapping
        Facts for the data card (counts, rates, time ranges, planted faults).
        JSON-serialisable values only.
    hidden : Mapping
        Case-level hidden truth (planted faults, latent parameters), revealed
        only by ``case.reveal("world")``. JSON-serialisable values only.
    oracle_observable : bool
        True when ``truth.probability`` depends only on what a pipeline can
        see, so the oracle is attainable; False when it uses hidden state and
        is a clairvoyant upper bound.
    tables : Mapping of str to pandas.DataFrame
        Public side tables (for example ``movies`` and ``users``), exposed as
        ``case.tables``. Must not hold holdout labels.
    extras : Mapping
        Hidden, task-specific state the scorer needs (for example the
        simulator's latent model, or held-out ratings of a top-N task). Never
        shown to the learner; not necessarily JSON-serialisable.

    Notes
    -----
    For ``binary`` tasks ``truth`` has a ``probability`` column; for
    ``rating`` tasks an ``expected_rating`` column; for ``topn`` tasks,
    ``test`` holds one row per user to recommend for (no target column) and
    ``truth`` one row per such user (see :mod:`casestudies.scoring._tasks`).

    Examples
    --------
    >>> import pandas as pd
    >>> from casestudies.core import ScenarioData
    >>> rows = pd.DataFrame({"id": [1, 2], "x": [0.5, 1.5], "y": [0, 1]})
    >>> data = ScenarioData(
    ...     train=rows, test=rows.assign(id=[3, 4]), target="y", id_column="id",
    ...     truth=pd.DataFrame({"probability": [0.2, 0.7]}), info={"n_rows": 2},
    ... )
    >>> data.info["n_rows"]
    2
    >>> data.info["n_rows"] = 3
    Traceback (most recent call last):
    TypeError: 'mappingproxy' object does not support item assignment
    """

    train: pd.DataFrame
    test: pd.DataFrame
    target: str
    id_column: str
    truth: pd.DataFrame
    train_truth: pd.DataFrame | None = None
    cost_column: str | None = None
    info: Mapping[str, object] = field(default_factory=dict)
    hidden: Mapping[str, object] = field(default_factory=dict)
    oracle_observable: bool = False
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    extras: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tables", MappingProxyType(dict(self.tables)))
        object.__setattr__(self, "extras", MappingProxyType(dict(self.extras)))
        object.__setattr__(self, "info", MappingProxyType(dict(self.info)))
        object.__setattr__(self, "hidden", MappingProxyType(dict(self.hidden)))
