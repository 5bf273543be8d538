"""Baseline factories of ``movies-rating-v1`` and ``movies-topn-v1``: the reference rows of every report.

The scenario catalog points at these factories by ``"module:function"``
strings; each report row's description is the first line of the factory's
docstring.
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

__all__ = [
    "biases",
    "ease",
    "global_mean",
    "implicit_als",
    "item_knn",
    "matrix_factorization",
    "matrix_factorization_topn",
    "most_popular",
    "movie_mean",
    "random_rating",
    "random_topn",
]


def random_rating() -> RandomRating:
    """Random stars drawn from a normal with the training mean and sd."""
    return RandomRating()


def global_mean() -> GlobalMean:
    """The global mean rating for every pair."""
    return GlobalMean()


def movie_mean() -> MovieMean:
    """Each movie's (shrunk) mean rating."""
    return MovieMean()


def biases() -> BiasBaseline:
    """Global mean + user bias + movie bias (regularised)."""
    return BiasBaseline()


def matrix_factorization() -> MatrixFactorization:
    """Biased matrix factorisation (10 factors, ALS)."""
    return MatrixFactorization()


def random_topn() -> RandomTopN:
    """Uniformly random unseen movies."""
    return RandomTopN()


def most_popular() -> MostPopular:
    """The most-rated movies the user has not rated."""
    return MostPopular()


def item_knn() -> ItemKNN:
    """Item-based kNN on who-rated-what (cosine, 50 neighbours)."""
    return ItemKNN()


def matrix_factorization_topn() -> MatrixFactorization:
    """Top predicted ratings of a biased matrix factorisation."""
    return MatrixFactorization()


def ease() -> EASE:
    """EASE: closed-form item-item regression on who-rated-what (lambda 300)."""
    return EASE()


def implicit_als() -> ImplicitALS:
    """Implicit-feedback ALS: a ranking-trained factor model (32 factors)."""
    return ImplicitALS()
