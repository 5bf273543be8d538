"""A scenario's own words for what the findings and take-home texts talk about.

A binary scenario's report speaks of rows, positives, the people who act on
the top scores and the budget they have: "reviewing your top 100 scores, 40 %
of alerts are positives" is right for fraud and wrong for churn. Each spec may
declare a ``[vocabulary]`` table with the words of its story; what it leaves
out falls back to the neutral words of :data:`NEUTRAL_VOCABULARY`.

Examples
--------
>>> from casestudies.core import spec, vocabulary
>>> vocabulary(spec("overfit-v1")).team
'the retention team'
>>> vocabulary(spec("movies-rating-v1")) == NEUTRAL_VOCABULARY
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Final, Protocol

from casestudies.core._params import describe_value, did_you_mean

__all__ = ["NEUTRAL_VOCABULARY", "VOCABULARY_WORDS", "Vocabulary", "vocabulary", "vocabulary_problems"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Vocabulary:
    """The words a scenario's findings and take-home texts use (defaults: neutral words that fit any scenario).

    Attributes
    ----------
    row : str
        What one row of the data is ("transaction", "customer").
    positive, positives : str
        What a positive row is called, singular and plural ("positive", "churner").
    team : str
        Who acts on the top scores, with its article ("a review team", "the retention team").
    acting : str
        What they do to the top rows, an ``-ing`` verb ("reviewing", "calling").
    alert, alerts : str
        What acting on one top row makes, singular and plural ("alert", "call").
    budget : str
        The name of the share of rows they can act on ("alert budget", "call budget").
    cost : str
        What the expected cost adds up ("missed amounts plus review cost").

    Examples
    --------
    >>> from casestudies.core import Vocabulary
    >>> Vocabulary(row="customer").row, Vocabulary().budget
    ('customer', 'action budget')
    """

    row: str = "row"
    positive: str = "positive"
    positives: str = "positives"
    team: str = "whoever acts on the scores"
    acting: str = "acting on"
    alert: str = "flagged row"
    alerts: str = "flagged rows"
    budget: str = "action budget"
    cost: str = "missed positives plus the cost of acting on each flagged row"


NEUTRAL_VOCABULARY: Final = Vocabulary()
"""The words of a scenario that declares no vocabulary."""

VOCABULARY_WORDS: Final[tuple[str, ...]] = tuple(item.name for item in fields(Vocabulary))
"""The keys a spec's ``[vocabulary]`` table may hold."""


def vocabulary_problems(words: object) -> list[str]:
    """What is wrong with a spec's ``vocabulary`` table (empty when nothing is)."""
    if not isinstance(words, Mapping):
        return [f"vocabulary must be a table of words; got {describe_value(words)}"]
    problems = []
    for key, value in words.items():
        if key not in VOCABULARY_WORDS:
            problems.append(
                f"unknown vocabulary word {key!r}.{did_you_mean(str(key), VOCABULARY_WORDS)} "
                f"Words are {list(VOCABULARY_WORDS)}"
            )
        elif not isinstance(value, str) or not value.strip():
            problems.append(f"vocabulary word {key!r} must be a non-empty string; got {describe_value(value)}")
    return problems


class _Described(Protocol):
    """What :func:`vocabulary` reads of a spec."""

    @property
    def vocabulary(self) -> Mapping[str, object]: ...


def vocabulary(spec: _Described) -> Vocabulary:
    """The words of ``spec``: its ``[vocabulary]`` table over the neutral defaults.

    Examples
    --------
    >>> from casestudies.core import spec, vocabulary
    >>> words = vocabulary(spec("fraud-v1"))
    >>> words.row, words.budget
    ('transaction', 'alert budget')
    """
    return Vocabulary(**{str(key): str(value) for key, value in spec.vocabulary.items()})
