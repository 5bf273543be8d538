"""Public pieces of the movies scenarios: the built-in recommenders and the world's genres.

Rating predictors have ``fit(ratings)`` and ``predict(pairs)``; top-N
recommenders ``fit(ratings)`` and ``recommend(users, k)``. They are the
reference rows of ``movies-rating-v2`` and ``movies-topn-v2`` (``EASE`` and
``ImplicitALS`` are new in ``-v2``; ``-v1`` keeps its world and references as
released) and examples of the interface a learner's own recommender
implements.

Examples
--------
>>> import casestudies as cs
>>> from casestudies.scenarios.movies import BiasBaseline
>>> case = cs.make("movies-rating-v1", seed=0, n_users=100, n_movies=200, n_ratings=4_000, n_unseen_pairs=500)
>>> report = case.evaluate(BiasBaseline(), baselines=False)
>>> 0.8 < report.primary("all") < 1.2
True
"""

from __future__ import annotations

from casestudies.scenarios.movies._ranking import EASE, ImplicitALS
from casestudies.scenarios.movies._recommenders import (
    BiasBaseline,
    GlobalMean,
    ItemKNN,
    MatrixFactorization,
    MostPopular,
    MovieMean,
    RandomRating,
    RandomTopN,
)
from casestudies.scenarios.movies._sgd import SGDMatrixFactorization
from casestudies.scenarios.movies._world import GENRES

__all__ = [
    "EASE",
    "GENRES",
    "BiasBaseline",
    "GlobalMean",
    "ImplicitALS",
    "ItemKNN",
    "MatrixFactorization",
    "MostPopular",
    "MovieMean",
    "RandomRating",
    "RandomTopN",
    "SGDMatrixFactorization",
]
