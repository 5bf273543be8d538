"""Scoring: task types, metrics, submission validation, pipeline adapters and diagnosis grading.

Nothing here knows the Case: a task works on the :class:`TaskContext` the
Case hands it.

Examples
--------
Of the four (positive, negative) pairs, three are ranked right; the two
positives sit at ranks 1 and 3, so average precision is (1/1 + 2/3) / 2:

>>> import numpy as np
>>> from casestudies.scoring import binary_metrics
>>> scores = binary_metrics(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
>>> scores["roc_auc"], round(scores["average_precision"], 4)
(0.75, 0.8333)
"""

from __future__ import annotations

from casestudies._public import present_as_public
from casestudies.scoring._adapters import (
    Estimator,
    PipelineRun,
    describe,
    positive_scores,
    run_pipeline,
    squash,
    user_error,
)
from casestudies.scoring._binary import METRIC_ARGUMENTS, BinaryTask, metric_arguments, wants_probabilities
from casestudies.scoring._cleaning import QUALITY_KINDS, CleaningGrade, CleaningTruth, grade_cleaning
from casestudies.scoring._diagnosis import COLUMN_KINDS, FAULT_KINDS, Diagnosis, DiagnosisGrade, grade
from casestudies.scoring._figures import DeclaresFigures, ScoredRow, task_figures
from casestudies.scoring._metrics import (
    BINARY_METRIC_NAMES,
    BINARY_N_BOOT,
    DEFAULT_ALERT_BUDGET,
    DEFAULT_N_BOOT,
    DEFAULT_REVIEW_COST,
    binary_metrics,
    binary_scores_with_ci,
)
from casestudies.scoring._metrics_stream import BinaryAccumulator
from casestudies.scoring._reading import read_prediction_file
from casestudies.scoring._recmetrics import TOPN_K, TopNContext, topn_per_user
from casestudies.scoring._recommender import RatingTask, TopNTask
from casestudies.scoring._regression import (
    ASSUMPTION_FAULTS,
    ASSUMPTION_KINDS,
    DEFAULT_INTERVAL_LEVEL,
    INTERVAL_COLUMNS,
    REGRESSION_METRIC_NAMES,
    RegressionTask,
    interval_level,
    regression_scores,
    validate_regression,
)
from casestudies.scoring._submission import validate_binary
from casestudies.scoring._submission_recommender import (
    MAX_STARS,
    MIN_STARS,
    RatedLookup,
    validate_rating,
    validate_topn,
)
from casestudies.scoring._task import Holdout, SubmissionContext, Task, TaskContext
from casestudies.scoring._tasks import for_spec

__all__ = [
    "ASSUMPTION_FAULTS",
    "ASSUMPTION_KINDS",
    "BINARY_METRIC_NAMES",
    "BINARY_N_BOOT",
    "COLUMN_KINDS",
    "DEFAULT_ALERT_BUDGET",
    "DEFAULT_INTERVAL_LEVEL",
    "DEFAULT_N_BOOT",
    "DEFAULT_REVIEW_COST",
    "FAULT_KINDS",
    "INTERVAL_COLUMNS",
    "MAX_STARS",
    "METRIC_ARGUMENTS",
    "MIN_STARS",
    "QUALITY_KINDS",
    "REGRESSION_METRIC_NAMES",
    "TOPN_K",
    "BinaryAccumulator",
    "BinaryTask",
    "CleaningGrade",
    "CleaningTruth",
    "DeclaresFigures",
    "Diagnosis",
    "DiagnosisGrade",
    "Estimator",
    "Holdout",
    "PipelineRun",
    "RatedLookup",
    "RatingTask",
    "RegressionTask",
    "ScoredRow",
    "SubmissionContext",
    "Task",
    "TaskContext",
    "TopNContext",
    "TopNTask",
    "binary_metrics",
    "binary_scores_with_ci",
    "describe",
    "for_spec",
    "grade",
    "grade_cleaning",
    "interval_level",
    "metric_arguments",
    "positive_scores",
    "read_prediction_file",
    "regression_scores",
    "run_pipeline",
    "squash",
    "task_figures",
    "topn_per_user",
    "user_error",
    "validate_binary",
    "validate_rating",
    "validate_regression",
    "validate_topn",
    "wants_probabilities",
]

present_as_public(CleaningGrade, Diagnosis, DiagnosisGrade)
