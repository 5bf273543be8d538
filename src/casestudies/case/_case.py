"""``make`` and the Case it returns: data in front, holdout labels behind ``reveal``."""

from __future__ import annotations

import copy
import dataclasses
import functools
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal, Protocol, cast, overload

import numpy as np
import pandas as pd

from casestudies.case._cache import load_references, reference_key, store_references
from casestudies.case._card import CardFacts, data_card
from casestudies.case._memory import check_memory
from casestudies.case._own import OwnCopy
from casestudies.case._timeout import check_timeout, run_with_timeout
from casestudies.core import (
    SEED_LIKE,
    Boolean,
    Choice,
    Optional,
    Progress,
    ScenarioData,
    ScenarioSpec,
    check,
    element,
    generator_of,
    join,
    load_object,
    resolve_params,
)
from casestudies.core import fingerprint as _hash_frames
from casestudies.core import spec as _spec
from casestudies.exceptions import InvalidParameterError, RegistrationError
from casestudies.report import Entry, FigureSource, FigureSpec, Finding, Report, StakeholderView
from casestudies.scoring import (
    CleaningGrade,
    CleaningTruth,
    DiagnosisGrade,
    Holdout,
    SubmissionContext,
    Task,
    TaskContext,
    describe,
    for_spec,
    grade,
    grade_cleaning,
    task_figures,
)

DIAGNOSTICS_PLAN: Final[str] = "casestudies.diagnostics._hooks:plan_for_case"
"""Where ``evaluate`` finds which diagnostics to run (looked up, not imported: diagnostics sit above the Case)."""

DIAGNOSTICS_RUN: Final[str] = "casestudies.diagnostics._hooks:run_for_case"
"""Where ``evaluate`` finds the diagnostics runner."""

EXPLAIN_RUN: Final[str] = "casestudies.diagnostics._explain_hooks:explain_for_case"
"""Where every report finds its per-cause breakdown and stakeholder view (looked up, not imported)."""

ORACLE_TRUTH: Final[Mapping[str, str]] = MappingProxyType(
    {
        "binary": "the true probabilities",
        "rating": "every pair's true expected rating (its RMSE is the noise floor)",
        "regression": "every row's true conditional mean (its RMSE is the noise floor) and true quantiles",
        "topn": (
            "each user's truly best unseen movies (best against true taste; on observed ratings it can score "
            "below popular picks, which people were shown more)"
        ),
    }
)
"""What the oracle row submits, per task type (its description in reports).

It is the best possible score only where the metric measures the truth: on
top-N, metrics computed from observed ratings can rank it below popular picks.
"""

SEED_BITS: Final[int] = 32
"""Bits of the seed drawn when ``make`` gets none (kept in ``case.seed``, so the run can be replayed)."""

_FACT_STYLE: Final[str] = "text-align:left"
"""Notebooks right-align table cells by default; the case's fact sheet reads left to right."""


def _split_parts(labels: np.ndarray, public_fraction: float, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Public/private masks, stratified by ``labels`` (the task's strata), from the holdout's own stream."""
    public = np.zeros(len(labels), dtype=bool)
    for value in np.unique(labels):
        rows = np.flatnonzero(labels == value)
        n_public = round(public_fraction * len(rows))
        public[rng.permutation(rows)[:n_public]] = True
    return {"public": public, "private": ~public, "all": np.ones(len(labels), dtype=bool)}


def _check_generated(scenario: ScenarioSpec, data: ScenarioData) -> None:
    problems = for_spec(scenario).check(data)
    if problems:
        raise RegistrationError(f"generator of {scenario.id!r} returned invalid data: " + "; ".join(problems) + ".")


def make(
    scenario_id: str,
    /,
    *,
    seed: int | None = None,
    # Typed object, checked below: callers forward generator parameters as **dict[str, object].
    progress: object = None,
    cache: object = True,
    memory_check: object = True,
    **params: object,
) -> Case:
    """Generate a scenario and return it as a :class:`Case`.

    Parameters
    ----------
    scenario_id : str
        A registered id such as ``"fraud-v1"`` (see :func:`list_scenarios`).
    seed : int or None, default=None
        Seed of all randomness. The same id, parameters and seed give the same
        data, byte for byte. ``None`` draws a fresh seed and records it in
        ``case.seed`` so the run can be replayed.
    progress : bool or None, default=None
        Progress bars on the long steps of this case (generating it, fitting
        pipelines and references). ``None``: only on a terminal or in a
        notebook, unless ``CASESTUDIES_PROGRESS`` says otherwise.
    cache : bool, default=True
        Keep the scores of the reference rows (baselines, expert, oracle) in
        the user cache folder and reuse them: the next process that makes
        the same case scores them without refitting (see
        ``casestudies cache info``). ``False`` always fits them afresh.
    memory_check : bool, default=True
        Refuse parameters whose estimated peak memory exceeds a quarter of
        the available memory (or ``CASESTUDIES_MEMORY_LIMIT``), before
        generating anything. ``False`` generates anyway.
    **params
        Generator parameters overriding the scenario's defaults; see
        ``casestudies.spec(scenario_id).parameters``.

    Returns
    -------
    Case
        Training data, test features, prompt, data card; holdout labels hidden.

    Raises
    ------
    UnknownScenarioError
        If the id is not registered (the message suggests the closest one).
    InvalidParameterError
        If a parameter is unknown, of the wrong type or out of range, or the
        case would need more memory than the limit (the message gives the
        estimate and the ways out).

    Examples
    --------
    >>> import casestudies as cs
    >>> case = cs.make("fraud-v1", seed=7, n_customers=300, n_days=35)
    >>> case.target, case.id_column
    ('is_fraud', 'transaction_id')
    >>> case.target in case.test.columns
    False
    >>> case.fingerprint == cs.make("fraud-v1", seed=7, n_customers=300, n_days=35).fingerprint
    True
    """
    scenario = _spec(scenario_id)
    where = f"make({scenario.id!r})"
    check(where, "seed", seed, SEED_LIKE)
    check(where, "progress", progress, Optional(Boolean()))
    check(where, "cache", cache, Boolean())
    check(where, "memory_check", memory_check, Boolean())
    resolved = resolve_params(scenario, params, where=where)
    rows = check_memory(scenario, resolved, where=where, enforce=bool(memory_check)).rows
    if seed is None:
        seed = secrets.randbits(SEED_BITS)
    root = np.random.SeedSequence(int(seed))
    data_seed, holdout_seed, score_seed = root.spawn(3)
    shown = cast("bool | None", progress)
    with Progress(f"make({scenario.id!r})", total=1, enabled=shown) as bar, bar.step(f"about {rows:,} rows"):
        data = generator_of(scenario)(MappingProxyType(resolved), np.random.default_rng(data_seed))
    _check_generated(scenario, data)
    return Case(scenario, resolved, int(seed), data, holdout_seed, score_seed, cache=bool(cache), progress=shown)


@dataclass(frozen=True, slots=True)
class Scored:
    """A scored row of a report and the values it was scored from (host side)."""

    entry: Entry
    values: np.ndarray


class DiagnosticsPlanner(Protocol):
    """The hook that turns ``evaluate``'s ``diagnostics=`` argument into names (and checks it)."""

    def __call__(self, case: Case, choice: object) -> tuple[str, ...]: ...


class DiagnosticsRunner(Protocol):
    """The hook that runs named diagnostics on a case and a pipeline."""

    def __call__(
        self, case: Case, names: tuple[str, ...], *, pipeline: object, holdout_score: float | None
    ) -> tuple[Finding, ...]: ...


class Case:
    """One generated scenario: what a learner sees, and a holdout they don't.

    Built by :func:`casestudies.make`; not meant to be constructed directly.

    Attributes
    ----------
    spec : ScenarioSpec
        The scenario's spec (id, task, metric, prompt, parameters).
    params : Mapping
        Every generator parameter used, defaults included.
    seed : int
        The seed that reproduces this case.
    train : pandas.DataFrame
        Labelled training rows: your own copy. ``evaluate`` fits on the
        case's data, not on this frame, and refuses once it was edited.
    test : pandas.DataFrame
        Holdout rows to predict, without the target column (your own copy).
    target, id_column : str
        Names of the label and the row-id columns.
    prompt : str
        The business problem, in markdown.
    data_card : dict
        Facts about the data: sizes, periods, columns, how it is scored.
    fingerprint : str
        SHA-256 of ``train`` and ``test`` as ``make`` returned them: the data
        every report of this case was computed from.
    """

    train = OwnCopy("_train")  # copied on first read: a case only evaluated never copies its frames
    test = OwnCopy("_test")

    def __init__(
        self,
        scenario: ScenarioSpec,
        params: Mapping[str, object],
        seed: int,
        data: ScenarioData,
        holdout_seed: np.random.SeedSequence,
        score_seed: np.random.SeedSequence,
        *,
        cache: bool = True,
        progress: bool | None = None,
    ) -> None:
        self.spec = scenario
        self.params = MappingProxyType(dict(params))
        self.seed = seed
        self.target = data.target
        self.id_column = data.id_column
        task = for_spec(scenario)
        self._task: Task = task
        self._train = data.train.reset_index(drop=True)
        self._test = task.public_test(data).reset_index(drop=True)
        self._tables = {name: table.reset_index(drop=True) for name, table in data.tables.items()}
        labels = task.labels(data)
        parts = _split_parts(task.strata(labels), scenario.public_fraction, np.random.default_rng(holdout_seed))
        costs = None if data.cost_column is None else data.test[data.cost_column].to_numpy(dtype=np.float64)
        holdout = Holdout(labels, data.truth.reset_index(drop=True), parts, costs, MappingProxyType(dict(data.extras)))
        submission = SubmissionContext(scenario.id, self.id_column, self._test, scenario.scoring, holdout.extras)
        self._context = TaskContext(scenario, self._train, self.target, submission, holdout)
        self._score_seed = score_seed
        self._world = data.hidden
        self._oracle_observable = data.oracle_observable
        self._references: list[Scored] | None = None
        self._cache = cache
        self._progress = progress
        self._info = dict(data.info)
        self.prompt = scenario.prompt

    @functools.cached_property
    def fingerprint(self) -> str:
        """SHA-256 of ``train`` and ``test`` as ``make`` returned them (hashed on first use, then kept)."""
        return _hash_frames(self._train, self._test, *self._tables.values())

    @functools.cached_property
    def data_card(self) -> dict[str, object]:
        """Facts about the data: sizes, periods, columns, how it is scored (built on first use, then kept)."""
        return self._build_data_card()

    # -- what the learner sees -------------------------------------------------

    @property
    def id(self) -> str:
        """The scenario id, e.g. ``'fraud-v1'``."""
        return self.spec.id

    @property
    def tables(self) -> Mapping[str, pd.DataFrame]:
        """Public side tables (for example ``movies`` and ``users``); copies, read-only mapping."""
        return MappingProxyType({name: table.copy() for name, table in self._tables.items()})

    @property
    def X_train(self) -> pd.DataFrame:
        """Training features: ``train`` without the target column."""
        features: pd.DataFrame = self.train.drop(columns=[self.target])
        return features

    @property
    def y_train(self) -> pd.Series:
        """Training labels."""
        labels: pd.Series = self.train[self.target]
        return labels

    def restore(self) -> None:
        """Put back the ``train`` and ``test`` frames ``make`` gave, discarding any edits made to them.

        Examples
        --------
        >>> import casestudies as cs
        >>> case = cs.make("fraud-v1", seed=1, n_customers=300, n_days=35)
        >>> case.train["amount"] = 0.0
        >>> case.restore()
        >>> bool(case.train["amount"].gt(0).all())
        True
        """
        self.train = self._train.copy()
        self.test = self._test.copy()

    def _edited_frames(self) -> list[str]:
        """Which of ``case.train``/``case.test`` no longer hold the data ``make`` gave, with what changed."""
        edited = []
        for name, own in (("train", self._train), ("test", self._test)):
            if not OwnCopy.made(self, name):  # never read, so never edited
                continue
            public: object = getattr(self, name)  # a learner may have assigned anything to it
            if isinstance(public, pd.DataFrame) and public.equals(own):
                continue
            if not isinstance(public, pd.DataFrame):
                what = f"replaced by a {type(public).__name__}"
            elif public.shape != own.shape:
                what = (
                    f"{own.shape[0]} rows x {own.shape[1]} columns at make(), now {public.shape[0]} x {public.shape[1]}"
                )
            else:
                changed = [str(c) for c in own.columns if c not in public.columns or not public[c].equals(own[c])]
                what = f"changed column(s) {', '.join(changed)}" if changed else "changed index or column order"
            edited.append(f"case.{name} ({what})")
        return edited

    def _refuse_edited(self) -> None:
        edited = self._edited_frames()
        if edited:
            message = (
                f"evaluate() of {self.spec.id!r} fits on the data make() returned (fingerprint "
                f"{self.fingerprint[:12]}…), but {' and '.join(edited)} has been edited since; evaluating would "
                "silently ignore those edits. To keep your cleaning, put it inside the pipeline (a function "
                "f(X_train, y_train, X_test) or a scikit-learn step), or fit on your edited frame yourself and "
                "pass the predictions to case.score(). To discard the edits, call case.restore()."
            )
            raise InvalidParameterError(message)

    def _build_data_card(self) -> dict[str, object]:
        facts = CardFacts(
            seed=self.seed,
            params=self.params,
            target=self.target,
            id_column=self.id_column,
            train_rows=len(self._train),
            test_rows=len(self._test),
            train_target_mean=float(self._train[self.target].mean()),
            columns={str(column): str(dtype) for column, dtype in self._train.dtypes.items()},
            tables={name: len(table) for name, table in self._tables.items()},
            fingerprint=self.fingerprint,
            info=self._info,
        )
        return data_card(self.spec, facts)

    def __repr__(self) -> str:
        return (
            f"Case({self.spec.id!r}, seed={self.seed}, train={len(self._train)} rows, "
            f"test={len(self._test)} rows, target={self.target!r})"
        )

    def _repr_html_(self) -> str:
        facts = [(key, value) for key, value in self.data_card.items() if key not in ("parameters", "columns")]
        rows = join(
            element("tr", join([element("th", key, style=_FACT_STYLE), element("td", value, style=_FACT_STYLE)]))
            for key, value in facts
        )
        title = element("h4", f"{self.spec.title} — {self.spec.id}, seed {self.seed}")
        return element("div", join([title, element("table", rows)]))

    # -- scoring ---------------------------------------------------------------

    def _rng(self) -> np.random.Generator:
        # A fresh copy of the seed each time: spawning children mutates a SeedSequence,
        # and every row of a report must see the same resamples (common random numbers).
        seed = self._score_seed
        return np.random.default_rng(np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key))

    def _score(
        self,
        predictions: object,
        *,
        name: str,
        output: str,
        fit_seconds: float | None,
        predict_seconds: float | None,
        kind: str = "submission",
        description: str = "",
        extra: Mapping[str, object] | None = None,
        parts: Mapping[str, np.ndarray] | None = None,
    ) -> Scored:
        values = self._task.validate(predictions, self._context.submission)
        return self._score_values(
            values,
            name=name,
            output=output,
            fit_seconds=fit_seconds,
            predict_seconds=predict_seconds,
            kind=kind,
            description=description,
            extra=extra,
            parts=parts,
        )

    def _score_values(
        self,
        values: np.ndarray,
        *,
        name: str,
        output: str,
        fit_seconds: float | None,
        predict_seconds: float | None,
        kind: str = "submission",
        description: str = "",
        extra: Mapping[str, object] | None = None,
        parts: Mapping[str, np.ndarray] | None = None,
    ) -> Scored:
        scores = self._task.score(values, self._context, rng=self._rng(), parts=parts, extra=extra)
        entry = Entry(
            name=name,
            kind=kind,
            description=description,
            output=output,
            fit_seconds=fit_seconds,
            predict_seconds=predict_seconds,
            scores=scores,
        )
        return Scored(entry, values)

    def _oracle_description(self) -> str:
        what = ORACLE_TRUTH.get(self.spec.task, "the truth")
        if self._oracle_observable:
            return f"Bayes-optimal: {what}, attainable from the observable data"
        # Observed top-N metrics can rank the truly best movies below popular picks: no "upper bound" there.
        bound = "" if self.spec.task == "topn" else " upper bound"
        return f"clairvoyant{bound}: {what} given hidden state no pipeline sees"

    def _score_oracle(self, parts: Mapping[str, np.ndarray] | None = None) -> Scored:
        truth = self._task.oracle(self._context)
        return self._score(
            truth,
            name="oracle",
            output="truth",
            fit_seconds=None,
            predict_seconds=None,
            kind="oracle",
            description=self._oracle_description(),
            parts=parts,
        )

    def _scored_references(self) -> list[Scored]:
        if self._references is None:
            names, parts = [*self.spec.baselines, "oracle"], list(self._context.holdout.parts)
            key = reference_key(self.spec, self.params, self.seed, self.fingerprint) if self._cache else ""
            cached = load_references(self.spec.id, key, names, parts) if key else None
            if cached is not None:
                self._references = [Scored(entry, values) for entry, values in cached]
            else:
                self._references = self._fit_references()
                if key:
                    store_references(self.spec.id, key, [(item.entry, item.values) for item in self._references])
        return list(self._references)

    def _fit_references(self) -> list[Scored]:
        references = []
        steps = len(self.spec.baselines) + 1
        with Progress(f"references of {self.spec.id}", total=steps, enabled=self._progress) as bar:
            for baseline_name, target in self.spec.baselines.items():
                # A spec's baselines are 'module:factory' targets (checked when the spec is registered).
                factory = cast(Callable[[], object], load_object(target))
                estimator = factory()
                kind = "reference" if baseline_name == "expert" else "baseline"
                doc = (getattr(factory, "__doc__", None) or "").strip().splitlines()
                with bar.step(f"fitting {baseline_name}"):
                    run = self._task.run(estimator, self._context)
                    scored = self._score(
                        run.predictions,
                        name=baseline_name,
                        output=run.output,
                        fit_seconds=run.fit_seconds,
                        predict_seconds=run.predict_seconds,
                        kind=kind,
                        description=doc[0] if doc else describe(estimator),
                        extra=run.extra,
                    )
                references.append(scored)
            with bar.step("scoring the oracle"):
                references.append(self._score_oracle())
        return references

    def _reference_entries(self) -> list[Entry]:
        return [item.entry for item in self._scored_references()]

    def _report(self, scored: Scored, baselines: bool) -> Report:
        references = self._reference_entries() if baselines else []
        findings = self._task.findings(scored.entry, references, spec=self.spec)
        rows = [(item.entry, item.values) for item in [scored, *(self._scored_references() if baselines else [])]]
        explain = cast("Callable[..., tuple[tuple[Finding, ...], StakeholderView]]", load_object(EXPLAIN_RUN))
        explained, view = explain(self, rows)
        return Report(
            scenario_id=self.spec.id,
            seed=self.seed,
            fingerprint=self.fingerprint,
            task=self.spec.task,
            metric=self.spec.metric,
            metrics=(self.spec.metric, *self.spec.secondary_metrics),
            scoring=dict(self.spec.scoring),
            holdout={part: int(mask.sum()) for part, mask in self._context.holdout.parts.items()},
            submission=scored.entry,
            references=tuple(references),
            findings=(*findings, *explained),
            charts=FigureSource(functools.partial(self._figures, scored, baselines)),
            stakeholder=view,
        )

    def _figures(self, scored: Scored, baselines: bool) -> tuple[FigureSpec, ...]:
        rows = [scored, *(self._scored_references() if baselines else [])]
        return task_figures(self._task, self._context, [(item.entry, item.values) for item in rows])

    def evaluate(
        self,
        pipeline: object,
        *,
        name: str | None = None,
        baselines: bool = True,
        diagnostics: str | Sequence[str] | None = "default",
        timeout: float | None = None,
    ) -> Report:
        """Fit ``pipeline`` on ``train``, predict ``test`` and score the hidden holdout.

        Parameters
        ----------
        pipeline : estimator, callable, or predictions
            A scikit-learn estimator or Pipeline (imbalanced-learn and LightGBM
            ones included; it is cloned, never changed), a callable
            ``f(X_train, y_train, X_test) -> scores``, or predictions as
            accepted by :meth:`score`.
        name : str, optional
            Label of this submission in the report.
        baselines : bool, default=True
            Also score the scenario's baselines, expert reference and oracle
            (computed once per Case, then cached).
        diagnostics : "default", "all", None or list of str, default="default"
            Diagnostics appended to the report's findings (see
            :func:`casestudies.diagnose`): ``"default"`` is the scenario's own
            set (every check for the ``overfit-*`` family, none for others),
            ``None`` skips them.
        timeout : float, optional
            Seconds the pipeline may take to fit and predict; it then runs in a
            separate process, stopped at the deadline (see ``case/_timeout.py``).

        Returns
        -------
        Report
            Scores with 95 % bootstrap intervals on the public and private parts
            of the holdout, reference rows and findings.

        Raises
        ------
        PipelineError
            If the pipeline raised; the message carries its own traceback.
            :class:`~casestudies.exceptions.PipelineTimeoutError` if it did not finish in ``timeout`` seconds.
        SubmissionError
            If its output is not a valid submission.
        InvalidParameterError
            If ``case.train`` or ``case.test`` was edited after ``make``: the
            pipeline always fits on the case's own data (the report's
            fingerprint), so edits would be silently ignored. Clean inside
            the pipeline, or score your own predictions with :meth:`score`;
            :meth:`restore` discards the edits.

        Examples
        --------
        >>> import casestudies as cs
        >>> from sklearn.dummy import DummyClassifier
        >>> case = cs.make("fraud-v1", seed=1, n_customers=300, n_days=35)
        >>> report = case.evaluate(DummyClassifier(), baselines=False)
        >>> round(report.primary("all") - report.to_dict()["submission"]["scores"]["all"]["prevalence"]["estimate"], 6)
        0.0
        """
        self._refuse_edited()
        check_timeout("evaluate()", timeout)
        names = cast("DiagnosticsPlanner", load_object(DIAGNOSTICS_PLAN))(self, diagnostics)
        fitting = Progress(f"evaluate {self.spec.id}", total=1, enabled=self._progress)
        with fitting, fitting.step(f"fitting {name or describe(pipeline)}"):
            run = run_with_timeout(self._task.run, pipeline, self._context, seconds=timeout, where="evaluate()")
            scored = self._score(
                run.predictions,
                name=name or run.name,
                output=run.output,
                fit_seconds=run.fit_seconds,
                predict_seconds=run.predict_seconds,
                extra=run.extra,
            )
        report = self._report(scored, baselines)
        if names:
            runner = cast("DiagnosticsRunner", load_object(DIAGNOSTICS_RUN))
            checking = Progress(f"diagnostics of {self.spec.id}", total=1, enabled=self._progress)
            with checking, checking.step(", ".join(names)):
                auc = scored.entry.scores["all"].get("roc_auc", {}).get("estimate")  # binary cases only
                found = runner(self, names, pipeline=pipeline, holdout_score=auc)
            report = dataclasses.replace(report, findings=(*report.findings, *found))
        return report

    def grade_diagnosis(self, diagnosis: object) -> DiagnosisGrade:
        """Compare a diagnosis of the train/test gap with the causes this case planted.

        Parameters
        ----------
        diagnosis : Diagnosis, dict, list of str or path
            Cause name to ``True``/``False`` or a list of columns, e.g.
            ``{"target_leakage": ["days_since_last_login"], "label_noise": False}``;
            a list of cause names; or a ``.json``/``.toml`` file with that table.
            Causes are listed in :data:`casestudies.FAULT_KINDS`.

        Returns
        -------
        DiagnosisGrade
            ``found``, ``missed`` and ``wrongly_claimed`` causes, and for
            leakage, identifiers and shift the columns found, missed and
            wrongly named.

        Raises
        ------
        InvalidParameterError
            If the diagnosis names an unknown cause or a value that is not a
            bool or a list of columns, or the scenario records no causes.

        Examples
        --------
        >>> import casestudies as cs
        >>> case = cs.make("overfit-leaky-v1", seed=0, n_train=400, n_test=300)
        >>> grade = case.grade_diagnosis({"target_leakage": ["days_since_last_login"], "label_noise": True})
        >>> grade.found, grade.missed, grade.wrongly_claimed
        (('target_leakage',), ('temporal',), ('label_noise',))
        """
        return grade(diagnosis, world=self._world, scenario_id=self.spec.id, seed=self.seed)

    def grade_cleaning(self, cleaned_train: pd.DataFrame) -> CleaningGrade:
        """Compare your cleaned ``train`` with the clean truth, cell by cell (scenarios that plant mess).

        Returns a :class:`~casestudies.scoring.CleaningGrade`: per defect kind and per column, the
        dirty cells you changed (detection precision, recall, F1), changed to the right value
        (repair accuracy) and the clean cells you broke (collateral damage). Keep the id column and
        every column under its name; rows and useless columns may be dropped.

        Examples
        --------
        >>> import casestudies as cs
        >>> case = cs.make("messy-light-v1", seed=0, n_train=2000, n_test=500)
        >>> case.grade_cleaning(case.train).recall
        0.0
        """
        truth = self._context.holdout.extras.get("cleaning")
        if not isinstance(truth, CleaningTruth):
            message = (
                f"{self.spec.id!r} keeps no clean truth to grade a cleaning against; grade_cleaning works on "
                "scenarios that plant the mess (the messy-* family: try casestudies.make('messy-v1'))."
            )
            raise InvalidParameterError(message)
        return grade_cleaning(cleaned_train, truth=truth, scenario_id=self.spec.id, seed=self.seed)

    def score(self, predictions: object, *, name: str | None = None, baselines: bool = True) -> Report:
        """Score precomputed predictions on the hidden holdout.

        Parameters
        ----------
        predictions : array-like, pandas.Series, pandas.DataFrame or path
            Scores in ``case.test`` row order; a Series indexed by id; a
            DataFrame with the id column (or ``id``) and ``prediction``; or a
            CSV/Parquet file with those columns.
        name : str, optional
            Label of this submission in the report.
        baselines : bool, default=True
            Also show baselines, expert reference and oracle.

        Returns
        -------
        Report

        Raises
        ------
        SubmissionError
            Listing every problem of the submission at once.

        Examples
        --------
        >>> import numpy as np, casestudies as cs
        >>> case = cs.make("fraud-v1", seed=1, n_customers=300, n_days=35)
        >>> report = case.score(np.full(len(case.test), 0.01), baselines=False)
        >>> report.to_dict()["submission"]["scores"]["all"]["roc_auc"]["estimate"]
        0.5
        """
        scored = self._score(
            predictions,
            name=name or describe(predictions),
            output="predictions",
            fit_seconds=None,
            predict_seconds=None,
        )
        return self._report(scored, baselines)

    @overload
    def reveal(self, what: Literal["holdout"] = "holdout") -> pd.DataFrame: ...

    @overload
    def reveal(self, what: Literal["world"]) -> dict[str, object]: ...

    def reveal(self, what: Literal["holdout", "world"] = "holdout") -> pd.DataFrame | dict[str, object]:
        """Return the holdout labels and the simulator's truth. The one door to them.

        Parameters
        ----------
        what : {"holdout", "world"}, default="holdout"
            ``"holdout"``: one row per ``test`` row, same order, with the id,
            the target, the holdout part (public or private) and the truth
            (``probability`` and scenario-specific columns). ``"world"``: the
            case-level hidden truth (planted faults, latent parameters).

        Examples
        --------
        >>> import casestudies as cs
        >>> case = cs.make("fraud-v1", seed=1, n_customers=300, n_days=35)
        >>> sorted(case.reveal().columns)[:4]
        ['is_fraud', 'mechanism', 'part', 'probability']
        """
        check(f"reveal() of {self.spec.id!r}", "what", what, Choice(("holdout", "world")))
        holdout = self._context.holdout
        if what == "world":
            return copy.deepcopy(dict(self._world))
        frame = pd.DataFrame(
            {
                self.id_column: self._test[self.id_column].to_numpy(),
                self._task.label_name(self.target): holdout.labels,
                "part": np.where(holdout.parts["public"], "public", "private"),
            }
        )
        truth = holdout.truth.drop(columns=list(frame.columns), errors="ignore")
        revealed: pd.DataFrame = pd.concat([frame, truth], axis=1)
        return revealed
