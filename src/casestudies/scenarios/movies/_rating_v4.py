"""The ``movies-rating-v4`` generator and block plan: v3's rating task in v4's world, drawn a block of users at a time.

``make`` builds the case from the plan (every block's rows, concatenated),
so its bytes are those ``casestudies.generate`` streams a partition at a
time, on one machine or many. See :mod:`._world_v4` for the world and
:mod:`._plan_v4` for the split.

.. versionadded:: 0.4

Examples
--------
>>> import numpy as np
>>> import casestudies as cs
>>> params = {**cs.spec("movies-rating-v4").defaults, "n_users": 250, "n_movies": 300, "n_ratings": 9_000}
>>> plan = plan_blocks(params, np.random.default_rng(0))
>>> data = generate(params, np.random.default_rng(0))
>>> data.test.equals(plan.rows("test", 0, plan.n_rows("test"))[0])
True
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from casestudies.core import ScenarioData
from casestudies.scenarios.movies._plan_v4 import MoviePlan, estimate_size
from casestudies.scenarios.movies._simulator import _hidden
from casestudies.scenarios.movies._world_v4 import seed_sequence

__all__ = ["estimate_size", "generate", "plan_blocks"]


def plan_blocks(params: Mapping[str, object], rng: np.random.Generator) -> MoviePlan:
    """The block plan of a ``movies-rating-v4`` case (the streaming hook, see :mod:`casestudies.core`).

    Examples
    --------
    >>> import numpy as np
    >>> import casestudies as cs
    >>> plan = plan_blocks(cs.spec("movies-rating-v4").defaults, np.random.default_rng(0))
    >>> plan.n_rows("train") + plan.n_rows("test")
    100000
    """
    return MoviePlan(params, seed_sequence(rng), "rating")


def generate(params: Mapping[str, object], rng: np.random.Generator) -> ScenarioData:
    """Generate the ``movies-rating-v4`` case whole: the rows its plan streams, concatenated.

    Parameters
    ----------
    params : Mapping
        Validated values of the parameters declared in ``movies-rating-v4.toml`` (v3's).
    rng : numpy.random.Generator
        Seeded from a SeedSequence: its seed keys every stream of the world and the split.

    Returns
    -------
    ScenarioData
        ``train``/``test`` ratings by user, then time (``rating_id, user_id,
        movie_id, timestamp, rating``), tables ``movies`` and ``users``, truth
        ``expected_rating``, and the unseen pairs of full-catalog truth.

    Examples
    --------
    >>> import numpy as np
    >>> import casestudies as cs
    >>> params = {**cs.spec("movies-rating-v4").defaults, "n_users": 120, "n_movies": 200, "n_ratings": 5_000}
    >>> data = generate(params, np.random.default_rng(1))
    >>> len(data.train) + len(data.test), bool(data.train["user_id"].is_monotonic_increasing)
    (5000, True)
    """
    plan = plan_blocks(params, rng)
    whole = plan.whole()
    world = plan.world.world
    unseen: pd.DataFrame = whole.unseen
    unseen_expected = world.expected(unseen["user_id"].to_numpy() - 1, unseen["movie_id"].to_numpy() - 1)
    return ScenarioData(
        train=whole.train,
        test=whole.test,
        target=plan.target,
        id_column=plan.id_column,
        truth=whole.truth,
        train_truth=whole.train_truth,
        info=plan.info(len(whole.train), len(whole.test), int(whole.train[plan.target].sum())),
        hidden=_hidden(world, params),
        tables=plan.tables(),
        extras={
            "n_movies": world.n_movies,
            "user_ids": np.arange(1, world.n_users + 1),
            "unseen_pairs": unseen,
            "unseen_expected": unseen_expected,
            "world": world,
        },
    )
