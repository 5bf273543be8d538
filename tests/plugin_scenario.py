"""A small plugin scenario, registered by the tests the way a user would add one.

It exercises the registry, Case, scoring and the contract independently of the
built-in scenarios: a logistic model over two informative columns and one
noise column, so the oracle is attainable (Bayes-optimal).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.special import expit

from casestudies import ScenarioData, ScenarioSpec


def generate(params: Mapping[str, object], rng: np.random.Generator) -> ScenarioData:
    n_rows = int(params["n_rows"])  # type: ignore[call-overload]
    rows_rng, label_rng = rng.spawn(2)
    x = rows_rng.normal(size=(n_rows, 3))
    probability = expit(-4.0 + 2.0 * x[:, 0] - 1.5 * x[:, 1])
    label = (label_rng.random(n_rows) < probability).astype(np.int8)
    frame = pd.DataFrame(
        {
            "row_id": np.arange(1000, 1000 + n_rows, dtype=np.int64),
            "a": x[:, 0],
            "b": x[:, 1],
            "noise": x[:, 2],
            "label": label,
        }
    )
    n_train = n_rows * 7 // 10
    truth = pd.DataFrame({"probability": probability[n_train:]})
    return ScenarioData(
        train=frame.iloc[:n_train].reset_index(drop=True),
        test=frame.iloc[n_train:].reset_index(drop=True),
        target="label",
        id_column="row_id",
        truth=truth,
        info={"story": "logistic toy"},
        oracle_observable=True,
    )


SPEC = ScenarioSpec.from_dict(
    {
        "id": "plugin-toy-v1",
        "title": "Plugin toy",
        "summary": "A logistic toy scenario registered by the test suite.",
        "task": "binary",
        "generator": "plugin_scenario:generate",
        "metric": "average_precision",
        "secondary_metrics": ["roc_auc", "precision_at_budget", "recall_at_budget"],
        "public_fraction": 0.5,
        "prompt": "Predict the label.",
        "scoring": {"alert_budget": 0.05},
        "baselines": {"prior": "casestudies.scenarios.baselines:prior", "expert": "plugin_scenario:logistic"},
        "parameters": {"n_rows": {"type": "int", "default": 4000, "min": 200, "max": 100000, "help": "rows in all"}},
    }
)


def logistic() -> object:
    """Logistic regression on the two informative columns: the Bayes-optimal model family."""
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(ColumnTransformer([("keep", "passthrough", ["a", "b"])]), LogisticRegression())
