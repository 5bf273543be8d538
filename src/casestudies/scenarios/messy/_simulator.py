"""Loan-default simulator behind the ``messy-*`` scenarios: a clean world, then every mess a knob.

.. versionadded:: 1.1

The story
---------
A consumer lender merged two years of loan applications from three systems
(two branch networks and the online channel) to predict which loans default
within a year (``defaulted``). The holdout is the next quarter's applications.

**The clean world.** Each application's true log-odds of default is a known
function of its clean columns (:func:`~._world.default_logit`): debt-to-income,
income (with a genuine Pareto tail of high earners), loan-to-income, interest
rate, age, credit history, employment, savings, renting, a co-signer, state,
loan purpose (with rare levels) and the employer (2,500 employers, most with
one or two applicants, each with its own effect: a high-cardinality column
where naive target encoding leaks). The intercept makes the training default
rate ``positive_rate``. ``truth.probability`` is this probability computed
from the *clean* columns: the mess hides part of it, so the oracle is a
clairvoyant upper bound.

**The mess** (each a knob; each dirty cell recorded with its kind, see
:data:`~._mess.KIND_COLUMNS`): blanks completely at random
(``employment_years``), at random given the source system
(``credit_history_years``, mostly from ``branch_north``) and not at random
(``monthly_debt``, high debts left blank: the blank predicts default);
sentinels (age -1 or 999, home ownership "N/A" or "unknown"); state codes
spelled several ways; holdout loan purposes never seen in training; income
recorded per month by ``branch_south`` and loan amounts in cents by
``online``; interest rates with an extra zero or a misplaced decimal point;
savings as currency text, dates as text in each system's format, the
co-signer flag as Y/N/yes/1 text; applications exported twice under a new id
(exact copies, or near ones with the employer retyped and amounts rounded);
and a constant, a near-constant and a copied column.

``random_mess = true`` draws every knob from the seed
(:data:`~._knobs.RANDOM_MESS_RANGES`), for practice and for grading the
diagnostics.

References
----------
Rubin, "Inference and missing data", Biometrika 63(3), 1976 (MCAR, MAR,
MNAR). Abedjan et al., "Detecting data errors: where are we and what needs to
be done?", PVLDB 9(12), 2016, and Mahdavi et al., "Raha: a configuration-free
error detection system", SIGMOD 2019 (cell-level detection precision, recall
and F1 against ground truth). Micci-Barreca, "A preprocessing scheme for
high-cardinality categorical attributes", SIGKDD Explorations 3(1), 2001
(target encoding).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.special import expit

from casestudies.core import ScenarioData
from casestudies.scenarios.messy._knobs import KNOBS, draw_knobs, mess_of
from casestudies.scenarios.messy._mess import KIND_COLUMNS, Mess, apply_mess, plant_duplicates, touch_up
from casestudies.scenarios.messy._world import (
    UNSEEN_PURPOSES,
    day_ranges,
    default_logit,
    draw_applications,
    employer_table,
    intercept_for_rate,
)
from casestudies.scoring import QUALITY_KINDS, CleaningTruth

__all__ = ["ID_COLUMN", "TARGET", "generate"]

TARGET = "defaulted"
ID_COLUMN = "application_id"
_FIRST_ID = 10_000_000
_N_IDS = 89_999_999


class _Streams(NamedTuple):
    knobs: np.random.Generator
    employers: np.random.Generator
    train_world: np.random.Generator
    test_world: np.random.Generator
    labels: np.random.Generator
    train_mess: np.random.Generator
    test_mess: np.random.Generator
    duplicates: np.random.Generator
    ids: np.random.Generator

    @classmethod
    def spawn(cls, rng: np.random.Generator) -> _Streams:
        return cls(*rng.spawn(len(cls._fields)))


def generate(params: Mapping[str, object], rng: np.random.Generator) -> ScenarioData:
    """Simulate a messy loan-application extract, its clean truth and every planted defect.

    Parameters
    ----------
    params : Mapping
        Validated values of the parameters declared in the ``messy-*`` TOML
        files: ``n_train``, ``n_test``, ``positive_rate``, one knob per kind of
        mess (see :data:`KNOBS`) and ``random_mess`` (draw the knobs from the seed).
    rng : numpy.random.Generator
        Source of all randomness; child streams are spawned per concern.

    Returns
    -------
    ScenarioData
        ``train`` (with the duplicated rows) and ``test``, ``truth`` with the
        true probability of every holdout row, ``hidden`` with the knobs and
        per kind of :data:`casestudies.scoring.QUALITY_KINDS` whether it is
        present, its columns and its cell counts, and in ``extras`` the
        :class:`~casestudies.scoring.CleaningTruth` of the training frame.

    Examples
    --------
    >>> import numpy as np
    >>> from casestudies.scenarios.messy._knobs import KNOBS
    >>> params = dict.fromkeys(KNOBS, 0.0) | dict(n_train=400, n_test=200, positive_rate=0.15, random_mess=False)
    >>> data = generate(params | {"entry_errors": 0.05, "duplicates": 0.05}, np.random.default_rng(0))
    >>> data.train.shape, data.test.shape
    ((420, 17), (200, 17))
    >>> data.hidden["present"]
    ['entry_errors', 'duplicate_rows']
    """
    streams = _Streams.spawn(rng)
    random_mode = bool(params["random_mess"])
    knobs = draw_knobs(streams.knobs) if random_mode else {name: params[name] for name in KNOBS}
    mess = mess_of(knobs)
    n_train, n_test = int(params["n_train"]), int(params["n_test"])  # type: ignore[call-overload]
    rate = float(params["positive_rate"])  # type: ignore[arg-type]

    employers, effects = employer_table(streams.employers)
    (train_start, train_days), (test_start, test_days) = day_ranges()
    clean_train = draw_applications(
        n_train,
        start_day=train_start,
        n_days=train_days,
        employers=employers,
        unseen_share=0.0,
        rng=streams.train_world,
    )
    clean_test = draw_applications(
        n_test,
        start_day=test_start,
        n_days=test_days,
        employers=employers,
        unseen_share=mess.unseen_levels,
        rng=streams.test_world,
    )
    train_logit, test_logit = default_logit(clean_train, effects), default_logit(clean_test, effects)
    intercept = intercept_for_rate(train_logit, rate)
    train_p, test_p = expit(train_logit + intercept), expit(test_logit + intercept)
    train_y = (streams.labels.random(n_train) < train_p).astype(np.int8)
    test_y = (streams.labels.random(n_test) < test_p).astype(np.int8)

    dirty_train, train_defects = apply_mess(clean_train, mess, rng=streams.train_mess)
    dirty_test, test_defects = apply_mess(clean_test, mess, rng=streams.test_mess)
    test_defects["loan_purpose"][clean_test["loan_purpose"].isin(list(UNSEEN_PURPOSES)).to_numpy()] = "unseen_levels"
    sources, near, order = plant_duplicates(dirty_train, mess.duplicates, streams.duplicates)
    n_rows = n_train + len(sources)
    ids = streams.ids.choice(_N_IDS, size=n_rows + n_test, replace=False) + _FIRST_ID
    train_ids = ids[:n_rows]
    copies = touch_up(dirty_train.iloc[sources].reset_index(drop=True), near)
    rows = np.concatenate([np.arange(n_train), sources])[order]  # the clean row behind each training row
    new_position = np.argsort(order)
    duplicate_of = np.concatenate([np.zeros(n_train, dtype=np.int64), train_ids[new_position[sources]]])[order]
    train = _frame(pd.concat([dirty_train, copies], ignore_index=True).iloc[order], train_ids, train_y[rows])
    test = _frame(dirty_test, ids[n_rows:], test_y)
    clean_rows = _frame(clean_train.iloc[rows], train_ids, train_y[rows])
    defects = pd.DataFrame({name: values[rows] for name, values in train_defects.items()})
    cleaning = CleaningTruth(
        id_column=ID_COLUMN,
        target=TARGET,
        dirty=train,
        clean=clean_rows,
        defects=defects,
        duplicate_of=duplicate_of,
    )
    faults = _faults(mess, defects, pd.DataFrame(test_defects), duplicate_of)
    return ScenarioData(
        train=train,
        test=test,
        target=TARGET,
        id_column=ID_COLUMN,
        truth=pd.DataFrame({"probability": test_p}),
        train_truth=pd.DataFrame({"probability": train_p[rows]}),
        info={
            "n_train": n_rows,
            "n_test": n_test,
            "train_period": "2022-01-01 to 2023-12-31",
            "test_period": "2024-01-01 to 2024-03-31",
            "target_definition": "defaulted = 1 if the loan defaulted within a year of the application",
            "train_default_rate": float(train_y[rows].mean()),
        },
        hidden={
            "mode": "random_mess" if random_mode else "knobs",
            "knobs": dict(knobs),
            "faults": faults,
            "present": [kind for kind in QUALITY_KINDS if faults[kind]["present"]],
            "intercept": round(intercept, 6),
        },
        oracle_observable=False,
        extras={
            "cleaning": cleaning,
            "clean_test": _frame(clean_test, ids[n_rows:], test_y),
            "test_defects": pd.DataFrame(test_defects),
        },
    )


def _frame(features: pd.DataFrame, ids: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    frame = features.reset_index(drop=True)
    frame.insert(0, ID_COLUMN, ids)
    frame[TARGET] = y
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].astype("str")
    return frame


def _faults(
    mess: Mess, train_defects: pd.DataFrame, test_defects: pd.DataFrame, duplicate_of: np.ndarray
) -> dict[str, dict[str, object]]:
    """Per kind of :data:`QUALITY_KINDS`: present or not, the columns, the level and the dirty cells."""
    faults: dict[str, dict[str, object]] = {}
    train_counts = pd.Series(train_defects.to_numpy().ravel()).value_counts()
    test_counts = pd.Series(test_defects.to_numpy().ravel()).value_counts()
    for kind in QUALITY_KINDS:
        present = mess.planted(kind)
        level = mess.duplicates if kind == "duplicate_rows" else getattr(mess, kind)
        if kind == "duplicate_rows":
            cells_train, cells_test = int((duplicate_of != 0).sum()), 0
        else:
            cells_train = 0 if kind == "unseen_levels" else int(train_counts.get(kind, 0))
            cells_test = int(test_counts.get(kind, 0))
        faults[kind] = {
            "present": present,
            "columns": list(KIND_COLUMNS[kind]) if present else [],
            "level": float(level),
            "n_train": cells_train,
            "n_test": cells_test,
        }
    return faults
