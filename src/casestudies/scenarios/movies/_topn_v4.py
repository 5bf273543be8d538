"""The ``movies-topn-v4`` generator and block plan: v3's top-N task in v4's world, drawn a block of users at a time.

``make`` builds the case from the plan (every block's rows, concatenated),
so its bytes are those ``casestudies.generate`` streams a partition at a
time; the scorer's context (relevant movies, what each user has seen, the
oracle's lists from the world's expected ratings) is built from them as
v3 builds it. See :mod:`._world_v4` for the world and :mod:`._plan_v4` for
the split.

.. versionadded:: 0.4

Examples
--------
>>> import numpy as np
>>> import casestudies as cs
>>> params = {**cs.spec("movies-topn-v4").defaults, "n_users": 250, "n_movies": 300, "n_ratings": 9_000}
>>> plan = plan_blocks(params, np.random.default_rng(0))
>>> data = generate(params, np.random.default_rng(0))
>>> len(data.test) == plan.n_rows("test"), bool(data.truth["n_relevant"].min() >= 1)
(True, True)
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from casestudies.core import ScenarioData
from casestudies.scenarios.movies._plan_v4 import COLUMNS, RELEVANT_STARS, MoviePlan, estimate_size
from casestudies.scenarios.movies._simulator import _hidden, _oracle_topn, topn_context
from casestudies.scenarios.movies._world_v4 import seed_sequence

__all__ = ["estimate_size", "generate", "plan_blocks"]


def plan_blocks(params: Mapping[str, object], rng: np.random.Generator) -> MoviePlan:
    """The block plan of a ``movies-topn-v4`` case (the streaming hook, see :mod:`casestudies.core`).

    Examples
    --------
    >>> import numpy as np
    >>> import casestudies as cs
    >>> plan = plan_blocks(cs.spec("movies-topn-v4").defaults, np.random.default_rng(0))
    >>> plan.id_column, plan.n_rows("train") < 100_000
    ('user_id', True)
    """
    return MoviePlan(params, seed_sequence(rng), "topn")


def generate(params: Mapping[str, object], rng: np.random.Generator) -> ScenarioData:
    """Generate the ``movies-topn-v4`` case whole: the rows its plan streams, concatenated.

    Parameters
    ----------
    params : Mapping
        Validated values of the parameters declared in ``movies-topn-v4.toml`` (v3's).
    rng : numpy.random.Generator
        Seeded from a SeedSequence: its seed keys every stream of the world and the split.

    Returns
    -------
    ScenarioData
        ``train`` ratings by user, then time, ``test`` one row per user to
        recommend for (``user_id``), ``tables``, per-user truth (``n_heldout``,
        ``n_relevant``, ``cold_start``, ``relevant_movies``) and the hidden
        scoring context and oracle recommendations.

    Examples
    --------
    >>> import numpy as np
    >>> import casestudies as cs
    >>> params = {**cs.spec("movies-topn-v4").defaults, "n_users": 120, "n_movies": 200, "n_ratings": 5_000}
    >>> list(generate(params, np.random.default_rng(1)).test.columns)
    ['user_id']
    """
    plan = plan_blocks(params, rng)
    whole = plan.whole()
    world = plan.world.world
    n_movies = world.n_movies
    test_users = whole.test["user_id"].to_numpy()
    relevant = whole.heldout[whole.heldout["rating"].to_numpy() >= RELEVANT_STARS]
    tables = plan.tables()
    cold = whole.truth["cold_start"].to_numpy()
    context, seen = topn_context(world, whole.train, relevant, test_users, cold, tables["movies"])
    heldout: pd.DataFrame = whole.heldout[COLUMNS]
    return ScenarioData(
        train=whole.train,
        test=whole.test,
        target=plan.target,
        id_column=plan.id_column,
        truth=whole.truth,
        info=plan.info(len(whole.train), len(whole.test), int(whole.train[plan.target].sum())),
        hidden=_hidden(world, params),
        tables=tables,
        extras={
            "n_movies": n_movies,
            "seen": seen,
            "context": context,
            "oracle": _oracle_topn(world, test_users, seen),
            "world": world,
            "heldout": heldout,
        },
    )
