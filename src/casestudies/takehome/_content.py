"""What a take-home says: the candidate's README and notebook, the interviewer's rubric and instructions.

Pure functions from a spec, a rubric and a variant's public facts to text;
:mod:`casestudies.takehome._bundle` writes them. Nothing here sees labels or secrets
except :func:`rubric_document` and :func:`instructions_document`, which are
written to the interviewer's key only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Final, cast

import pandas as pd

from casestudies.core import NEUTRAL_VOCABULARY, ScenarioSpec, Vocabulary, counted, metric_info, vocabulary
from casestudies.report import Document
from casestudies.scoring import TOPN_K
from casestudies.takehome._layout import (
    ANSWER_KEY_FILE,
    BUNDLES_DIR,
    CANDIDATES_DIR,
    DATA_DIR,
    DIFFICULTY_FILE,
    FAULTS,
    FAULTS_FILE,
    GRADES_DIR,
    KEY_FILE,
    MANIFEST_FILE,
    NOTEBOOK_FILE,
    README_FILE,
    REFERENCES_FILE,
    RUBRIC_FILE,
    RUBRIC_NOTES_FILE,
    SECRET_FILE,
    SUBMISSION_FILE,
    TEMPLATE_FILE,
    WORLD_FILE,
)

_DEFAULT_REVIEW_COST: Final = 5.0  # cost of reviewing one alert when a scenario states none (the scoring default)
_TEMPLATE_DIGITS: Final = 6  # decimals of the template's constant prediction
_NO_DATA_RATING: Final = 3.0  # the template's rating without training ratings: the middle of 1 to 5 stars
_NO_DATA_PROBABILITY: Final = 0.5  # the template's probability without training rows: no information


def metric_text(metric: str, scoring: Mapping[str, object], words: Vocabulary = NEUTRAL_VOCABULARY) -> str:
    """One sentence saying what a metric measures, with the scenario's scoring settings, in its ``words``.

    Examples
    --------
    >>> from casestudies.core import spec, vocabulary
    >>> fraud = spec("fraud-v1")
    >>> metric_text("precision_at_budget", fraud.scoring, vocabulary(fraud))  # doctest: +NORMALIZE_WHITESPACE
    'precision at the alert budget: the share of true positives among the top 0.5% of rows by score
    (the alerts the fraud team can handle).'
    >>> churn = spec("overfit-v1")
    >>> metric_text("recall_at_budget", churn.scoring, vocabulary(churn))
    'recall at the call budget: the share of all churners that fall in the top 10.0% of rows by score.'
    >>> metric_text("true_rmse", {})
    'true rmse (lower is better).'
    >>> metric_text("coverage", {})  # doctest: +NORMALIZE_WHITESPACE
    'catalogue coverage (share of movies recommended to anyone): this describes your recommendations;
    neither higher nor lower is better.'
    """
    budget = scoring.get("alert_budget")
    top = f"top {float(budget):.1%}" if isinstance(budget, (int, float)) else "top rows"
    review = scoring.get("review_cost", _DEFAULT_REVIEW_COST)
    texts = {
        "average_precision": (
            "average precision (area under the precision-recall curve): how clean the top of your ranking is; "
            "a random ranking scores about the positive rate, a perfect one 1."
        ),
        "roc_auc": (
            "ROC-AUC: the chance that a random positive row is scored above a random negative one (0.5 is random)."
        ),
        "precision_at_budget": (
            f"precision at the {words.budget}: the share of true positives among the {top} of rows by score "
            f"(the {words.alerts} {words.team} can handle)."
        ),
        "recall_at_budget": (
            f"recall at the {words.budget}: the share of all {words.positives} that fall in the {top} of rows by score."
        ),
        "rmse": (
            "RMSE (root mean squared error, in stars) between your predicted ratings and the held-out stars "
            "(lower is better; predicting the training mean for every pair is the floor to beat)."
        ),
        "mae": "MAE (mean absolute error, in stars; lower is better).",
        "ndcg_at_10": (
            "NDCG@10: how high your 10 recommendations place the movies each test user later rated 4 or 5 stars, "
            "averaged over users (1 is perfect, random recommendations score near 0)."
        ),
        "expected_cost": (
            f"cost per row at the {words.budget}: the amounts of the {words.positives} you miss plus {review} per "
            f"reviewed {words.alert}, divided by the number of rows (lower is better)."
        ),
    }
    if metric in texts:
        return texts[metric]
    info = metric_info(metric)
    if info.direction is None:  # describes the output (coverage, popularity, a bias): no score to push up or down
        output = "recommendations" if info.task == "topn" else "predictions"
        return f"{info.label}: this describes your {output}; neither higher nor lower is better."
    return f"{metric.replace('_', ' ')} ({info.direction} is better)."


# -- the candidate's bundle ---------------------------------------------------


MAX_COLUMN_ROWS: Final = 30
"""Wider data gets a summary of its column types in the README instead of a table."""


def demote_headings(markdown: str, levels: int = 2) -> str:
    r"""Push every Markdown heading down ``levels`` levels, to nest a scenario prompt in the README.

    Examples
    --------
    >>> demote_headings("# Title\ntext\n## Data")
    '### Title\ntext\n#### Data'
    """
    lines = []
    fenced = False
    for line in markdown.split("\n"):
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("#"):
            line = "#" * levels + line
        lines.append(line)
    return "\n".join(lines)


def column_table(train: pd.DataFrame, *, target: str, id_column: str, entities: Sequence[str] = ()) -> list[list[str]]:
    """Rows ``[column, type, note]`` describing the bundle's columns (``entities``: remapped user/movie id columns)."""
    rows = []
    for column, dtype in train.dtypes.items():
        name = str(column)
        if name in entities:
            note = f"random {name[:-3]} identifier, the same in every file of this bundle"
        elif name == id_column:
            note = "row identifier; random, carries no information: use it only to match predictions to rows"
        elif name == target:
            note = "the label (training data only)"
        elif isinstance(dtype, pd.CategoricalDtype):
            note = f"categorical, {counted(len(dtype.categories), 'value')}"
        else:
            note = ""
        rows.append([f"`{name}`", str(dtype), note])
    return rows


def readme_document(
    spec: ScenarioSpec,
    *,
    candidate: str,
    train: pd.DataFrame,
    test: pd.DataFrame,
    target: str,
    id_column: str,
    hours: float,
    write_up: Sequence[str],
    diagnosis_prompt: str,
    diagnosis_file: str,
    tables: Mapping[str, pd.DataFrame] | None = None,
) -> Document:
    """The candidate's README: the problem, the data, what to submit, how it is scored."""
    doc = Document(f"Take-home: {spec.title}")
    doc.para(f"Prepared for **{candidate}**. Scenario `{spec.id}`. Please read this file to the end before you start.")
    doc.heading("The problem")
    doc.para(demote_headings(spec.prompt.strip()))
    doc.heading("About this take-home")
    doc.bullets(_about_notes(spec, id_column))
    doc.heading("Your data")
    doc.bullets(_data_lines(spec.task, train, test, target, dict(tables or {})))
    _describe_columns(doc, spec.task, train, target=target, id_column=id_column)
    doc.heading("What to submit")
    items = [
        _submission_text(spec, target=target, id_column=id_column),
        "Your code or notebook, runnable from this folder.",
        "A short write-up (one or two pages): " + " ".join(write_up),
    ]
    if diagnosis_prompt:
        items.append(f"`{diagnosis_file}`: {diagnosis_prompt}")
    doc.bullets(items)
    _scoring_and_time(doc, spec, hours)
    return doc


def _about_notes(spec: ScenarioSpec, id_column: str) -> list[str]:
    """What is special about a take-home bundle: random ids, one scoring, files instead of code."""
    if spec.task in ("binary", "regression"):
        notes = [
            f"`{id_column}` values in this bundle are random and the test rows are shuffled: ids and row order "
            "carry no information (not even the order in time, whatever the problem statement says); "
            "use the other columns.",
        ]
    else:
        notes = [
            "Every `user_id` and `movie_id` in this bundle is a random number, the same one in every file "
            "(train, test and the `users`/`movies` tables), and the test rows are shuffled: ids and row order "
            "carry no information beyond identifying users and movies; `rating_id` values are random too.",
        ]
    if "public" in spec.prompt.lower():
        notes.append(
            "There is no public or private part here: your predictions are scored once, on every row of the test set."
        )
    if "case." in spec.prompt or "pipeline" in spec.prompt.lower():
        notes.append(
            "Where the problem statement speaks of code (`case.evaluate`, pipelines), hand in the files listed "
            'under "What to submit" instead.'
        )
    return notes


def _data_lines(
    task: str, train: pd.DataFrame, test: pd.DataFrame, target: str, tables: Mapping[str, pd.DataFrame]
) -> list[str]:
    """One bullet per file of the bundle."""
    mean_label = float(train[target].mean()) if len(train) else float("nan")
    train_file = f"`{DATA_DIR}/train.parquet` (same content: `{DATA_DIR}/train.csv`)"
    test_file = f"`{DATA_DIR}/test.parquet` (same content: `{DATA_DIR}/test.csv`)"
    if task == "binary":
        lines = [
            f"{train_file}: {len(train):,} labelled rows; `{target}` is the label, "
            f"positive in {mean_label:.2%} of them.",
            f"{test_file}: {len(test):,} rows to score, without the label. They are in random order.",
            f"`{TEMPLATE_FILE}`: a valid submission to start from (every row gets the training positive rate).",
        ]
    elif task == "regression":
        lines = [
            f"{train_file}: {len(train):,} labelled rows; `{target}` is the number to predict "
            f"(mean {mean_label:,.4g}).",
            f"{test_file}: {len(test):,} rows to predict, without the label. They are in random order.",
            f"`{TEMPLATE_FILE}`: a valid submission to start from (every row gets the training mean).",
        ]
    elif task == "rating":
        lines = [
            f"{train_file}: {len(train):,} ratings; `{target}` is the number of stars (1 to 5, mean {mean_label:.2f}).",
            f"{test_file}: {len(test):,} (user, movie) pairs whose rating you predict. They are in random order.",
            f"`{TEMPLATE_FILE}`: a valid submission to start from (every pair gets the training mean rating).",
        ]
    else:
        lines = [
            f"{train_file}: {len(train):,} ratings; `{target}` is the number of stars (1 to 5).",
            f"{test_file}: {len(test):,} users to recommend movies to. They are in random order.",
            f"`{TEMPLATE_FILE}`: a valid submission to start from (the most-rated movies each user has not rated yet).",
        ]
    lines += [
        f"`{DATA_DIR}/{name}.parquet` (same content: `{DATA_DIR}/{name}.csv`): the {name} table, {len(table):,} rows."
        for name, table in tables.items()
    ]
    lines += [
        f"`{NOTEBOOK_FILE}`: a starter notebook that loads the data, fits a first simple model "
        f"and writes `{SUBMISSION_FILE}`.",
        f"`{MANIFEST_FILE}`: checksums of every file, so you and we can check that nothing changed.",
    ]
    return lines


def _describe_columns(doc: Document, task: str, train: pd.DataFrame, *, target: str, id_column: str) -> None:
    """A table of the columns, or a summary of their types when there are too many for a table."""
    if train.shape[1] <= MAX_COLUMN_ROWS:
        entities = [column for column in ("user_id", "movie_id") if task != "binary" and column in train.columns]
        doc.table(
            ["column", "type", "note"], column_table(train, target=target, id_column=id_column, entities=entities)
        )
        return
    kinds = train.dtypes.map(
        lambda dtype: "categorical" if isinstance(dtype, pd.CategoricalDtype) else str(dtype)
    ).value_counts()
    counts = ", ".join(f"{count} {kind}" for kind, count in kinds.items())
    doc.para(
        f"{train.shape[1]} columns ({counts}): `{id_column}` identifies rows (random ids, no information), "
        f"`{target}` is the label; see the starter notebook or `train.dtypes` for the rest."
    )


def _submission_text(spec: ScenarioSpec, *, target: str, id_column: str) -> str:
    """What the submission file holds, for the task of the scenario."""
    if spec.task == "binary":
        return (
            f"`{SUBMISSION_FILE}` with exactly two columns, `{id_column}` and `prediction`: one row per row of "
            f"`{DATA_DIR}/test.csv`, `prediction` the probability that `{target}` is 1 (a number between 0 and 1; "
            "only the order of your scores matters for most metrics). "
            f"Keep the `{id_column}` values exactly as given; the file is matched to your data by them."
        )
    if spec.task == "regression":
        return (
            f"`{SUBMISSION_FILE}` with columns `{id_column}` and `prediction`: one row per row of "
            f"`{DATA_DIR}/test.csv`, `prediction` your predicted `{target}`. Optionally add `lower` and `upper`, "
            "a prediction interval, to be scored for coverage and pinball loss too. "
            f"Keep the `{id_column}` values exactly as given; the file is matched to your data by them."
        )
    if spec.task == "rating":
        return (
            f"`{SUBMISSION_FILE}` with columns `user_id`, `movie_id` and `rating`: one row per (user, movie) pair "
            f"of `{DATA_DIR}/test.csv`, `rating` your predicted stars (a number between 1 and 5; fractions are fine). "
            "Keep the ids exactly as given; the file is matched to your data by them."
        )
    k = int(cast(int, spec.scoring.get("k", TOPN_K)))
    return (
        f"`{SUBMISSION_FILE}` with columns `user_id`, `movie_id` and `rank`: for every user of `{DATA_DIR}/test.csv`, "
        f"{k} movies they have not rated in the training data, ranked 1 (best) to {k}. "
        "Keep the ids exactly as given; the file is matched to your data by them."
    )


def _metric_sentence(metric: str, spec: ScenarioSpec) -> str:
    """What a metric measures, for the scenario's task (regression metrics speak of the target, not of stars)."""
    if spec.task == "regression":
        return f"{metric_info(metric).label}."
    return metric_text(metric, spec.scoring, vocabulary(spec))


def _scoring_and_time(doc: Document, spec: ScenarioSpec, hours: float) -> None:
    """How the submission is scored, how long to spend, how to check the files."""
    doc.heading("How it is scored")
    doc.para(
        "Your predictions are scored on the hidden labels of **every** row of the test set. "
        f"The main metric is {_metric_sentence(spec.metric, spec)}"
    )
    if spec.secondary_metrics:
        doc.para("We also look at:")
        doc.bullets([_metric_sentence(metric, spec) for metric in spec.secondary_metrics])
    doc.para(
        "Scores are compared with simple baselines and with what is attainable on this data. "
        "The interviewer reads your write-up and code as carefully as your score: a clear, honest analysis "
        "of a simple model beats an unexplained complex one."
    )
    doc.heading("Time")
    doc.para(
        f"Plan for about {hours:g} hours. Stop there even if you have more ideas: list them in the write-up instead. "
        "Use any library you like; if you use the starter notebook you need Python with pandas"
        + (" and scikit-learn " if spec.task in ("binary", "regression") else " ")
        + "(pyarrow to read Parquet; without it the notebook reads the CSV files)."
    )
    doc.heading("Checking your files")
    doc.para(f"Each file's SHA-256 checksum is in `{MANIFEST_FILE}`; for example:")
    doc.code(f"sha256sum {DATA_DIR}/test.csv        # Linux\nshasum -a 256 {DATA_DIR}/test.csv    # macOS", "bash")


def _source(text: str) -> list[str]:
    lines = text.strip("\n").split("\n")
    return [line + "\n" for line in lines[:-1]] + [lines[-1]]


def submission_template(
    task: str, *, train: pd.DataFrame, test: pd.DataFrame, target: str, id_column: str, k: int = TOPN_K
) -> pd.DataFrame:
    """A valid submission in the bundle's ids: the training positive rate (binary), the training mean
    rating (rating), or each user's most-rated unseen movies (top-N)."""
    template: pd.DataFrame
    if task == "rating":
        mean = round(float(train[target].mean()), _TEMPLATE_DIGITS) if len(train) else _NO_DATA_RATING
        template = pd.DataFrame(
            {"user_id": test["user_id"].to_numpy(), "movie_id": test["movie_id"].to_numpy(), "rating": mean}
        )
    elif task == "topn":
        template = _most_popular_unseen(train, test, k)
    else:
        prevalence = float(train[target].mean()) if len(train) else _NO_DATA_PROBABILITY
        predictions = [round(prevalence, _TEMPLATE_DIGITS)] * len(test)
        template = pd.DataFrame({id_column: test[id_column].to_numpy(), "prediction": predictions})
    return template


def _most_popular_unseen(train: pd.DataFrame, test: pd.DataFrame, k: int) -> pd.DataFrame:
    """For each test user, the ``k`` most-rated movies they have not rated, ranked 1 to ``k``."""
    popular = train["movie_id"].value_counts(sort=False).rename_axis("movie_id").reset_index(name="n")
    ranked = popular.sort_values(["n", "movie_id"], ascending=[False, True], kind="stable")["movie_id"].to_numpy()
    seen = train.groupby("user_id")["movie_id"].agg(set)
    rows = []
    for user in test["user_id"].to_numpy():
        mine = seen.get(user, set())
        picks = [movie for movie in ranked[: k + len(mine)] if movie not in mine][:k]
        rows += [(user, movie, rank) for rank, movie in enumerate(picks, 1)]
    frame: pd.DataFrame = pd.DataFrame(rows, columns=["user_id", "movie_id", "rank"])
    return frame


_LOAD_CELL = """
from pathlib import Path

import pandas as pd

DATA = Path("data")


def load(name):
    \"\"\"Read data/<name>.parquet, or the CSV copy when no Parquet engine is installed.\"\"\"
    try:
        return pd.read_parquet(DATA / f"{name}.parquet")
    except ImportError:
        return pd.read_csv(DATA / f"{name}.csv")


"""


def _recommender_cells(*, title: str, task: str, tables: Sequence[str], k: int) -> list[tuple[str, str]]:
    loads = "".join(f"{name} = load({name!r})\n" for name in tables)
    load_cell = _LOAD_CELL + 'train = load("train")\ntest = load("test")\n' + loads
    if task == "rating":
        intro = "fits user and movie biases (a strong first baseline) and writes"
        load_cell += (
            'print(f"train: {len(train):,} ratings, test: {len(test):,} pairs to predict, '
            "mean rating {train['rating'].mean():.2f}\")\ntrain.head()\n"
        )
        model = _RATING_MODEL
        write = f"""
submission = pd.DataFrame({{"user_id": test["user_id"], "movie_id": test["movie_id"], "rating": predicted.clip(1, 5)}})
assert len(submission) == len(test) and not submission.duplicated(["user_id", "movie_id"]).any()
assert submission["rating"].between(1, 5).all()
submission.to_csv({SUBMISSION_FILE!r}, index=False)
print(f"wrote {SUBMISSION_FILE} with {{len(submission):,}} rows")
"""
        turn = (
            "How will you validate? RMSE rewards predicting the stars people give to what they chose to watch: "
            "what does that miss? Which users and movies are hard, and what would you add to the biases?"
        )
    else:
        intro = f"recommends each user the {k} most-rated movies they have not rated yet (most-popular) and writes"
        load_cell += (
            'print(f"train: {len(train):,} ratings, test: {len(test):,} users to recommend to")\ntrain.head()\n'
        )
        model = f"\nK = {k}\n{_TOPN_MODEL}"
        write = f"""
submission = pd.DataFrame(rows, columns=["user_id", "movie_id", "rank"])
assert submission.groupby("user_id").size().eq(K).all() and submission["user_id"].nunique() == len(test)
submission.to_csv({SUBMISSION_FILE!r}, index=False)
print(f"wrote {SUBMISSION_FILE} with {{len(submission):,}} rows")
"""
        turn = (
            "How will you validate? Popular movies look good on held-out ratings because people mostly rate "
            "popular movies: what would you recommend instead, and how would you show it is better? "
            "What about users with few ratings?"
        )
    return [
        (
            "markdown",
            f"# {title}: starter notebook\n\nRead `{README_FILE}` first. This notebook loads the data, {intro} "
            f"a valid `{SUBMISSION_FILE}`. Replace the model with your own work.",
        ),
        ("code", load_cell),
        ("code", model),
        ("code", write),
        ("markdown", f"## Your turn\n\n{turn} {_WRITE_IT_DOWN}"),
    ]


_WRITE_IT_DOWN: Final = "Write your reasoning down as you go: it is part of what is graded."
_RATING_MODEL: Final = """
# Global mean + user bias + movie bias, shrunk towards 0 for users and movies with few ratings.
mu = train["rating"].mean()
user_bias = pd.Series(0.0, index=pd.Index(train["user_id"].unique()))
for _ in range(5):
    residual = train["rating"] - mu - train["user_id"].map(user_bias).fillna(0.0)
    movie_bias = residual.groupby(train["movie_id"]).sum() / (train.groupby("movie_id").size() + 10.0)
    residual = train["rating"] - mu - train["movie_id"].map(movie_bias).fillna(0.0)
    user_bias = residual.groupby(train["user_id"]).sum() / (train.groupby("user_id").size() + 5.0)
predicted = mu + test["user_id"].map(user_bias).fillna(0.0) + test["movie_id"].map(movie_bias).fillna(0.0)
"""
_TOPN_MODEL: Final = """# Most popular: the most-rated movies, skipping those the user already rated.
ranked = train["movie_id"].value_counts().index.to_numpy()
seen = train.groupby("user_id")["movie_id"].agg(set)
rows = []
for user in test["user_id"]:
    mine = seen.get(user, set())
    picks = [movie for movie in ranked[: K + len(mine)] if movie not in mine][:K]
    rows += [(user, movie, rank) for rank, movie in enumerate(picks, 1)]
"""
_BINARY_MODEL: Final = """
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

# A first model on the numeric columns only; identifiers are not features.
features = [
    column
    for column in test.columns
    if column != ID and not column.endswith("_id") and pd.api.types.is_numeric_dtype(test[column])
]
print("features:", features)
if features:
    model = make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(train[features], train[TARGET])
    scores = model.predict_proba(test[features])[:, 1]
else:
    scores = [train[TARGET].mean()] * len(test)
"""


_REGRESSION_MODEL: Final = """
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline

# A first model on the numeric columns only; identifiers are not features.
features = [
    column
    for column in test.columns
    if column != ID and not column.endswith("_id") and pd.api.types.is_numeric_dtype(test[column])
]
print("features:", features)
if features:
    model = make_pipeline(SimpleImputer(), LinearRegression())
    model.fit(train[features], train[TARGET])
    scores = model.predict(test[features])
else:
    scores = [train[TARGET].mean()] * len(test)
"""


def _binary_cells(*, title: str, target: str, id_column: str, regression: bool = False) -> list[tuple[str, str]]:
    label_summary = (
        "mean label {train[TARGET].mean():,.4g}" if regression else "positive rate {train[TARGET].mean():.3%}"
    )
    values_check = (
        'submission["prediction"].notna().all()' if regression else 'submission["prediction"].between(0, 1).all()'
    )
    load_cell = f"""
from pathlib import Path

import pandas as pd

DATA = Path("data")
TARGET = {target!r}
ID = {id_column!r}


def load(name):
    \"\"\"Read data/<name>.parquet, or the CSV copy when no Parquet engine is installed.\"\"\"
    try:
        return pd.read_parquet(DATA / f"{{name}}.parquet")
    except ImportError:
        return pd.read_csv(DATA / f"{{name}}.csv")


train = load("train")
test = load("test")
print(f"train: {{train.shape[0]:,}} rows, test: {{test.shape[0]:,}} rows, {label_summary}")
train.head()
"""
    write = f"""
submission = pd.DataFrame({{ID: test[ID], "prediction": scores}})
assert len(submission) == len(test) and submission[ID].is_unique
assert {values_check}
submission.to_csv({SUBMISSION_FILE!r}, index=False)
print(f"wrote {SUBMISSION_FILE} with {{len(submission):,}} rows")
"""
    return [
        (
            "markdown",
            f"# {title}: starter notebook\n\n"
            f"Read `{README_FILE}` first. This notebook loads the data, fits a deliberately simple first model on the "
            f"numeric columns and writes a valid `{SUBMISSION_FILE}`. Replace the model with your own work.",
        ),
        ("code", load_cell),
        ("code", _REGRESSION_MODEL if regression else _BINARY_MODEL),
        ("code", write),
        (
            "markdown",
            "## Your turn\n\nHow will you validate? Which metric matters here, and why? Which features would a domain "
            f"expert build? {_WRITE_IT_DOWN}",
        ),
    ]


def starter_notebook(
    *, title: str, target: str, id_column: str, task: str = "binary", tables: Sequence[str] = (), k: int = TOPN_K
) -> str:
    """The starter notebook (nbformat 4 JSON, no outputs): load, fit a first model, write a submission.

    Binary tasks fit a logistic regression; rating tasks user and movie biases; top-N tasks recommend the most
    popular unseen movies.
    """
    cells = (
        _recommender_cells(title=title, task=task, tables=tables, k=k)
        if task not in ("binary", "regression")
        else _binary_cells(title=title, target=target, id_column=id_column, regression=task == "regression")
    )
    notebook_cells: list[dict[str, object]] = [
        {
            "id": f"cell-{number}",
            "cell_type": kind,
            "metadata": {},
            "source": _source(text),
            **({"execution_count": None, "outputs": []} if kind == "code" else {}),
        }
        for number, (kind, text) in enumerate(cells)
    ]
    notebook = {
        "cells": notebook_cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, indent=1) + "\n"


# -- the interviewer's key ------------------------------------------------------


def rubric_document(
    spec: ScenarioSpec,
    *,
    items: Sequence[Mapping[str, str | float]],
    source: str,
    diagnosis: str,
    facts: Sequence[Sequence[str]],
    fact_header: Sequence[str],
    worlds: Mapping[str, Mapping[str, object]],
) -> Document:
    """The interviewer's rubric: what a strong answer covers, and each variant's facts."""
    doc = Document(f"Rubric: {spec.title} ({spec.id})")
    total = sum(float(item["points"]) for item in items)
    doc.para(
        f"Source: {source}. {counted(len(items), 'topic')}, {total:g} points. Score the write-up and code with it; "
        "the predictions are graded by `casestudies takehome grade`."
    )
    for number, item in enumerate(items, 1):
        points = float(item["points"])
        doc.heading(f"{number}. {item['topic']} ({points:g} point{'' if points == 1 else 's'})")
        doc.para(f"**Strong:** {item['strong']}")
        if item.get("weak"):
            doc.para(f"**Weak:** {item['weak']}")
    doc.heading("Facts of each candidate's data")
    doc.para(
        "Variants differ in data, not in difficulty. Each variant's hidden holdout, "
        "and the scores the oracle and the references reach on it:"
    )
    doc.table(fact_header, facts)
    planted = {name: world for name, world in worlds.items() if world}
    if planted:
        doc.heading("Planted in each variant")
        for name, world in planted.items():
            doc.para(f"**{name}**")
            doc.code(json.dumps(world, indent=2, default=str), "json")
    doc.heading("Diagnosis")
    if diagnosis == FAULTS:
        doc.para(
            f"The candidate's `{FAULTS_FILE}` names the causes they believe are planted; `grade --diagnosis FILE` "
            "compares it with the causes planted in their variant (above), a point per cause and per list of columns."
        )
    elif diagnosis:
        doc.para(
            f"This scenario grades a diagnosis file automatically (`{diagnosis}`): pass it with `--diagnosis FILE`."
        )
    else:
        doc.para(f"`{spec.id}` has no automatic diagnosis grader: grade the write-up with the topics above.")
    return doc


def instructions_document(
    *,
    scenario_id: str,
    title: str,
    candidates: Sequence[str],
    tolerance: Mapping[str, float],
    metric: str,
    reference: str | None,
    zipped: bool,
    diagnosis_file: str,
) -> Document:
    """The key's README: what is where, how to send, how to grade."""
    doc = Document(f"Interviewer key: {title} ({scenario_id})")
    doc.para(
        "**Keep this folder private.** It holds every candidate's answer key and secret seeds; "
        "anyone who has it can score perfectly."
    )
    doc.heading("What to send")
    where = f"`{BUNDLES_DIR}/<candidate>.zip`" if zipped else f"the folder `{BUNDLES_DIR}/<candidate>/` (zip it first)"
    doc.para(
        f"Send each candidate {where} and nothing else. Each bundle is its own variant: "
        + ", ".join(f"`{name}`" for name in candidates)
        + "."
    )
    doc.heading("Grading")
    doc.code("\n".join(_grading_commands(candidates[0], diagnosis_file)), "bash")
    doc.para(
        "`grade` first checks that nothing changed since creation: the key's commitment must match the hash in the "
        f"candidate's `{MANIFEST_FILE}`, and the rest of this folder (`{KEY_FILE}`, `{RUBRIC_FILE}`, "
        f"`{DIFFICULTY_FILE}`) what that commitment covers; every file of the bundle folder, and of the zip when one "
        "was written, must match its checksum; and the data regenerated from the secret seed must match the key's "
        "record of the bundle and the answer key. Each grade lists what could not be checked, e.g. a bundle folder "
        f"that is no longer here. Edit `{README_FILE}` and `{RUBRIC_NOTES_FILE}` as you like: grading only notes the "
        "change. Then it checks that the submission's ids are those of "
        "that candidate's bundle (a file made for another candidate's variant is rejected and named), scores every "
        "test row, places the score against the baselines, the reference pipeline and the oracle, grades a diagnosis "
        f"where the scenario has a grader, and writes `{GRADES_DIR}/<candidate>.md`, `.html` and `.json` "
        f"(and `{GRADES_DIR}/comparison.*` for `--all`)."
    )
    doc.heading("Equal difficulty")
    limits = f"the oracle's {metric.replace('_', ' ')} within a spread (max - min) of {tolerance['oracle']:g}"
    if reference and "reference" in tolerance:
        limits += f" and the `{reference}` reference pipeline's within {tolerance['reference']:g}"
    doc.para(
        f"Every variant's scores on its whole holdout agree: {limits}. Variants outside were redrawn at creation. "
        f"See `{DIFFICULTY_FILE}` and the facts of each variant in `{RUBRIC_NOTES_FILE}`."
    )
    doc.heading("Files")
    doc.bullets(_key_files())
    return doc


def _grading_commands(first: str, diagnosis_file: str) -> list[str]:
    """The command lines of the key's README: one candidate, with a diagnosis, a whole folder."""
    lines = [f"casestudies takehome grade key {first} {SUBMISSION_FILE}             # one candidate"]
    if diagnosis_file:
        lines.append(f"casestudies takehome grade key {first} {SUBMISSION_FILE} --diagnosis {diagnosis_file}")
    diagnoses = " and <candidate>.diagnosis.*" if diagnosis_file else ""
    lines.append(f"casestudies takehome grade key --all submissions/   # <candidate>.csv{diagnoses} files")
    return lines


def _key_files() -> list[str]:
    """What each file of the key holds."""
    candidate = f"`{CANDIDATES_DIR}/<name>/"
    return [
        f"`{KEY_FILE}`: the batch: scenario, parameters, candidates, commitments, difficulty.",
        f"`{RUBRIC_NOTES_FILE}` (`{RUBRIC_FILE}`): what a strong answer covers, and each variant's facts.",
        f"{candidate}{SECRET_FILE}`: the variant's secret seed, id key and salt "
        "(committed to by the bundle's manifest).",
        f"{candidate}{ANSWER_KEY_FILE}`: the hidden labels, in the bundle's ids and row order.",
        f"{candidate}{REFERENCES_FILE}`, `{WORLD_FILE}`: reference scores and the scenario's hidden facts.",
        f"`{GRADES_DIR}/`: grading reports, written by `casestudies takehome grade`.",
        "Only your user may open this folder and read its files (modes 0700 and 0600); keep it that way when you "
        "copy it.",
    ]
