"""A case's data card: the facts a learner is told about the data, from counts (one place for every path).

``make`` builds it from the frames it holds; ``generate`` of a streamed
scenario from the counts gathered while the partitions are written: the
same keys and values either way.

Examples
--------
>>> import casestudies as cs
>>> card = cs.make("overfit-v1", seed=0).data_card
>>> card["train_rows"], card["target"]
(250, 'churned')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from casestudies.core import ScenarioSpec

__all__ = ["CardFacts", "data_card"]


@dataclass(frozen=True, slots=True)
class CardFacts:
    """What a data card says of the data itself (the rest comes from the spec)."""

    seed: int
    params: Mapping[str, object]
    target: str
    id_column: str
    train_rows: int
    test_rows: int
    train_target_mean: float
    columns: Mapping[str, str]  # the training frame's columns and dtypes
    tables: Mapping[str, int]  # public side tables and their rows
    fingerprint: str
    info: Mapping[str, object]  # the generator's own facts


def data_card(scenario: ScenarioSpec, facts: CardFacts) -> dict[str, object]:
    """The data card of a case of ``scenario``.

    Examples
    --------
    >>> from casestudies.core import spec
    >>> facts = CardFacts(0, {}, "y", "id", 10, 5, 0.2, {"id": "int64", "y": "int8"}, {}, "abc", {})
    >>> data_card(spec("fraud-v1"), facts)["train_positive_rate"]
    0.2
    """
    mean_name = "train_positive_rate" if scenario.task == "binary" else "train_mean_" + facts.target
    return {
        "scenario_id": scenario.id,
        "title": scenario.title,
        "seed": facts.seed,
        "parameters": dict(facts.params),
        "target": facts.target,
        "id_column": facts.id_column,
        "train_rows": facts.train_rows,
        "test_rows": facts.test_rows,
        mean_name: facts.train_target_mean,
        **({"tables": dict(facts.tables)} if facts.tables else {}),
        "columns": dict(facts.columns),
        "metric": scenario.metric,
        "secondary_metrics": list(scenario.secondary_metrics),
        "public_fraction": scenario.public_fraction,
        "fingerprint": facts.fingerprint,
        **dict(facts.info),
    }
