"""Running diagnostics by name: the table of checks, the report they make, and :func:`diagnose`.

:func:`run_diagnostics` is the engine behind :func:`diagnose` and
``Case.evaluate(diagnostics=...)``: it runs the named checks in the order of
:data:`DIAGNOSTICS` on plain frames, shares what one check learns with the
next (identifier and leaky columns are left out of later probes; one probe
serves both label noise and time), skips the pipeline curves when
``fit_gap``'s fits project them over the time budget, and adds the flagged
findings up to a gradable :class:`~casestudies.Diagnosis`. The checks never
read holdout labels: ``fit_gap`` reports the holdout score the caller passes
in (``Case.evaluate`` passes the one it has just computed).
"""

from __future__ import annotations

import dataclasses
import textwrap
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd

from casestudies._public import present_as_public
from casestudies.case import Case, host_view
from casestudies.core import (
    FloatRange,
    IntRange,
    Optional,
    Rule,
    ScenarioSpec,
    check_all,
    closest,
    describe_value,
    element,
    join,
    spec,
)
from casestudies.diagnostics._common import _columns, _skipped
from casestudies.diagnostics._data_checks import (
    adversarial_validation,
    class_balance,
    dimensionality,
    identifier_check,
    leakage_scan,
    near_duplicates,
)
from casestudies.diagnostics._noise_time import (
    _fit_probe,
    _label_noise,
    _month_codes,
    _Probe,
    _spans_enough_months,
    _temporal,
    _temporal_skipped,
)
from casestudies.diagnostics._pipeline_checks import _is_pipeline, fit_gap, learning_curve, validation_curve
from casestudies.exceptions import InvalidParameterError
from casestudies.report import Finding, to_plain_data
from casestudies.scoring import Diagnosis


@dataclass(frozen=True, slots=True)
class _Spec:
    question: str
    needs_pipeline: bool


DIAGNOSTICS: Final[Mapping[str, _Spec]] = {
    "fit_gap": _Spec("How far apart are train, validation and holdout scores?", True),
    "learning_curve": _Spec("Would more rows help?", True),
    "validation_curve": _Spec("Is the model too flexible or too rigid?", True),
    "dimensionality": _Spec("Are there enough rows per feature?", False),
    "identifiers": _Spec("Does a column identify rows?", False),
    "leakage_scan": _Spec("Does one column predict the label suspiciously well?", False),
    "adversarial_validation": _Spec("Does the holdout look like the training data?", False),
    "near_duplicates": _Spec("Are holdout rows copies of training rows?", False),
    "label_noise": _Spec("Are some training labels random?", False),
    "temporal_split": _Spec("Does time leak through a random split?", False),
    "class_balance": _Spec("Is one class rare?", False),
}
"""Every diagnostic :func:`diagnose` can run, with the question it answers."""

DEFAULT_DIAGNOSTICS: Final[tuple[str, ...]] = tuple(DIAGNOSTICS)
"""The set ``diagnostics="default"`` runs for scenarios that plant causes of a gap."""

DEFAULT_BUDGET_SECONDS: Final[float] = 10.0
"""Pipeline refits the learning and validation curves may cost, projected from ``fit_gap``'s fits."""

_DIAGNOSE_RULES: Final[dict[str, Rule]] = {
    "n_splits": IntRange(2, 20),
    "seed": IntRange(0, 2**32 - 1),
    "budget_seconds": Optional(FloatRange(0.0, None)),
}
# Pipeline fits of each curve: 4 sizes x 3 folds, and up to 6 values x 3 folds.
_CURVE_FITS: Final[dict[str, int]] = {"learning_curve": 12, "validation_curve": 18}
# Folds of adversarial validation whatever ``n_splits`` is: a few suffice to tell two extracts apart.
_ADVERSARIAL_FOLDS: Final[int] = 3
# Characters per line of a report printed as text.
_TEXT_WIDTH: Final[int] = 92


def default_diagnostics(scenario_id: str) -> tuple[str, ...]:
    """The diagnostics ``evaluate(diagnostics="default")`` runs for a scenario: its spec's ``diagnostics``.

    Examples
    --------
    >>> default_diagnostics("overfit-leaky-v1")[:2]
    ('fit_gap', 'learning_curve')
    >>> default_diagnostics("fraud-v1")
    ()
    """
    return spec(scenario_id).diagnostics


@dataclass(frozen=True, slots=True)
class DiagnosticsReport:
    """Findings of :func:`diagnose`, their cost, and the diagnosis they add up to.

    Attributes
    ----------
    scenario_id : str
    findings : tuple of Finding
        One per diagnostic run, in order.
    seconds : Mapping
        Wall time of each diagnostic.
    diagnosis : Diagnosis
        The causes the flagged findings claim (see :func:`diagnosis_from_findings`).
    """

    scenario_id: str
    findings: tuple[Finding, ...]
    seconds: Mapping[str, float]
    diagnosis: Diagnosis

    def __getitem__(self, name: str) -> Finding:
        for finding in self.findings:
            if finding.id == name:
                return finding
        raise KeyError(f"no diagnostic {name!r} in this report; it has {[f.id for f in self.findings]}.")

    def to_dict(self) -> dict[str, object]:
        """Plain, JSON-serialisable data."""
        data = {
            "scenario_id": self.scenario_id,
            "findings": [finding.to_dict() for finding in self.findings],
            "seconds": dict(self.seconds),
            "diagnosis": self.diagnosis.to_dict(),
        }
        return {key: to_plain_data(value) for key, value in data.items()}

    def __str__(self) -> str:
        lines = [f"diagnostics for {self.scenario_id} ({sum(self.seconds.values()):.1f} s):"]
        for finding in self.findings:
            mark = "!" if finding.evidence.get("flagged") else "-"
            lines.append(
                textwrap.fill(
                    f"{finding.title}: {finding.text}",
                    width=_TEXT_WIDTH,
                    initial_indent=f"  {mark} ",
                    subsequent_indent="    ",
                )
            )
        claimed = self.diagnosis.claimed()
        lines.append("diagnosis: " + (", ".join(claimed) if claimed else "no cause found"))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        items = [
            element("li", join(["⚠️ " if f.evidence.get("flagged") else "", element("b", f.title), ": ", f.text]))
            for f in self.findings
        ]
        claimed = ", ".join(self.diagnosis.claimed()) or "no cause found"
        parts = [
            element("h4", f"Diagnostics for {self.scenario_id}"),
            element("ul", join(items)),
            element("p", join([element("b", "Diagnosis:"), " ", claimed])),
        ]
        return str(element("div", join(parts)))


def diagnosis_from_findings(findings: Sequence[Finding]) -> Diagnosis:
    """The :class:`~casestudies.Diagnosis` a set of findings claims: every flagged fault, with its columns.

    Kinds no finding speaks to are left unstated; kinds checked and not
    flagged are stated absent.
    """
    causes: dict[str, bool | list[str]] = {}
    for finding in findings:
        kind = finding.evidence.get("fault")
        if not isinstance(kind, str) or finding.evidence.get("skipped"):
            continue
        if finding.evidence.get("flagged"):
            previous = causes.get(kind)
            merged = sorted(set(_columns(finding.evidence)) | set(previous if isinstance(previous, list) else []))
            causes[kind] = merged if merged else True
        else:
            causes.setdefault(kind, False)
    return Diagnosis(causes)


def resolve(diagnostics: object, scenario: ScenarioSpec, where: str) -> tuple[str, ...]:
    """The diagnostic names a ``diagnostics=`` argument selects for ``scenario``."""
    if diagnostics is None:
        return ()
    if isinstance(diagnostics, str):
        if diagnostics == "default":
            return scenario.diagnostics
        if diagnostics == "all":
            return DEFAULT_DIAGNOSTICS
        diagnostics = [diagnostics]
    return tuple(checked_names(diagnostics, DIAGNOSTICS, where, listing="choose from"))


def checked_names(choice: object, known: Collection[str], where: str, *, listing: str) -> list[str]:
    """The names a ``diagnostics=`` list (or one name) gives, each one of ``known``; else a plain error.

    ``listing`` introduces the known names at the end of the message
    (``"choose from"``, ``"the regression checks are"``).

    Examples
    --------
    >>> checked_names("fit_gap", ["fit_gap", "leakage_scan"], "example", listing="choose from")
    ['fit_gap']
    """
    names = [choice] if isinstance(choice, str) else choice
    if not isinstance(names, (list, tuple)):
        message = (
            f"{where}: diagnostics must be 'default', 'all', None or a list of names from {list(known)}; "
            f"got {describe_value(choice)}."
        )
        raise InvalidParameterError(message)
    unknown = [name for name in names if name not in known]
    if unknown:
        # The wording "(did you mean ...?)" is asserted by the tests of evaluate() and diagnose().
        hint = closest(str(unknown[0]), known)
        message = (
            f"{where}: unknown diagnostic {unknown[0]!r}"
            + (f" (did you mean {hint!r}?)" if hint else "")
            + f"; {listing} {list(known)}."
        )
        raise InvalidParameterError(message)
    return list(names)


@dataclass
class _Run:
    """The inputs of one run of diagnostics, and what earlier checks leave for later ones."""

    X_train: pd.DataFrame
    y_train: pd.Series
    X_test: pd.DataFrame
    pipeline: object
    holdout_score: float | None
    n_splits: int
    seed: int
    identifiers: Finding
    exclude: list[str]
    """The declared id column and the identifier columns: left out of every later check."""
    leaks: list[str] = field(default_factory=list)
    """Leaky columns, also left out of the probe."""
    probe: _Probe | None = None
    """The probe label noise and time share, fitted on first use."""


def run_diagnostics(
    names: Sequence[str],
    *,
    X_train: pd.DataFrame,
    y_train: pd.Series,
    X_test: pd.DataFrame,
    id_column: str | None,
    pipeline: object = None,
    holdout_score: float | None = None,
    scenario_id: str = "",
    n_splits: int = 5,
    seed: int = 0,
    budget_seconds: float | None = DEFAULT_BUDGET_SECONDS,
) -> DiagnosticsReport:
    """Run named diagnostics on frames (the engine behind :func:`diagnose` and ``Case.evaluate``)."""
    from threadpoolctl import threadpool_limits

    order = [name for name in DIAGNOSTICS if name in names]
    # Probes are small: one thread each avoids oversubscribing busy machines.
    with threadpool_limits(limits=1):
        base_exclude = [id_column] if id_column else []
        started = time.perf_counter()
        ids = identifier_check(X_train, X_test, exclude=base_exclude)
        id_seconds = time.perf_counter() - started
        run = _Run(
            X_train=X_train,
            y_train=y_train,
            X_test=X_test,
            pipeline=pipeline,
            holdout_score=holdout_score,
            n_splits=n_splits,
            seed=seed,
            identifiers=ids,
            exclude=[*base_exclude, *_columns(ids.evidence)],
        )
        if ("label_noise" in order or "temporal_split" in order) and "leakage_scan" not in order:
            run.leaks = _columns(leakage_scan(X_train, y_train, exclude=run.exclude, seed=seed).evidence)
        findings, seconds = _run_in_order(order, run, id_seconds=id_seconds, budget_seconds=budget_seconds)
        return DiagnosticsReport(scenario_id, tuple(findings), seconds, diagnosis_from_findings(findings))


def _run_in_order(
    order: Sequence[str], run: _Run, *, id_seconds: float, budget_seconds: float | None
) -> tuple[list[Finding], dict[str, float]]:
    """Each diagnostic of ``order`` (or why it was skipped), and the seconds each took (also in its evidence)."""
    findings: list[Finding] = []
    seconds: dict[str, float] = {}
    has_pipeline = _is_pipeline(run.pipeline)
    seconds_per_fit: float | None = None
    for name in order:
        started = time.perf_counter()
        reason = _skip_reason(name, has_pipeline, seconds_per_fit, budget_seconds)
        if reason is not None:
            finding = _skipped(name, name.replace("_", " ").capitalize(), reason)
        else:
            finding = _run_one(name, run)
            if name == "fit_gap":
                seconds_per_fit = (time.perf_counter() - started) / run.n_splits
        seconds[name] = round(time.perf_counter() - started + (id_seconds if name == "identifiers" else 0.0), 4)
        findings.append(dataclasses.replace(finding, evidence={**finding.evidence, "seconds": seconds[name]}))
    return findings, seconds


def _skip_reason(
    name: str, has_pipeline: bool, seconds_per_fit: float | None, budget_seconds: float | None
) -> str | None:
    """Why diagnostic ``name`` cannot run (no pipeline) or should not (over the time budget); None to run it."""
    if DIAGNOSTICS[name].needs_pipeline and not has_pipeline:
        return "needs a pipeline (an estimator or a function), not predictions"
    if seconds_per_fit is None or budget_seconds is None:
        return None
    projected = seconds_per_fit * _CURVE_FITS.get(name, 0)
    if projected <= budget_seconds:
        return None
    return (
        f"would take about {projected:.0f} s ({_CURVE_FITS[name]} fits at {seconds_per_fit:.1f} s each), "
        f"over the {budget_seconds:g} s budget; run casestudies.diagnose(case, pipeline, "
        f"diagnostics=[{name!r}], budget_seconds=None) to force it"
    )


def _run_one(name: str, run: _Run) -> Finding:
    """The finding of diagnostic ``name`` on the run's frames."""
    X, y, seed = run.X_train, run.y_train, run.seed
    if name == "fit_gap":
        return fit_gap(run.pipeline, X, y, holdout_score=run.holdout_score, n_splits=run.n_splits, seed=seed)
    if name == "learning_curve":
        return learning_curve(run.pipeline, X, y, seed=seed)
    if name == "validation_curve":
        return validation_curve(run.pipeline, X, y, seed=seed)
    if name == "dimensionality":
        return dimensionality(X, y, exclude=run.exclude)
    if name == "identifiers":
        return run.identifiers
    if name == "leakage_scan":
        finding = leakage_scan(X, y, exclude=run.exclude, seed=seed)
        run.leaks = _columns(finding.evidence)
        return finding
    if name == "adversarial_validation":
        return adversarial_validation(X, run.X_test, exclude=run.exclude, n_splits=_ADVERSARIAL_FOLDS, seed=seed)
    if name == "near_duplicates":
        return near_duplicates(X, run.X_test, exclude=run.exclude)
    if name in ("label_noise", "temporal_split"):
        return _run_probed(name, run)
    return class_balance(y)


def _run_probed(name: str, run: _Run) -> Finding:
    """``label_noise`` or ``temporal_split``, from the probe they share (fitted on first use)."""
    y_values = np.asarray(run.y_train, dtype=np.int64)
    column, months = _month_codes(run.X_train, run.exclude)
    if run.probe is None:
        exclude = [*run.exclude, *run.leaks]
        run.probe = _fit_probe(run.X_train, y_values, exclude=exclude, n_splits=run.n_splits, seed=run.seed)
    if name == "label_noise":
        return _label_noise(run.X_train, y_values, run.probe, exclude=run.exclude)
    if column is None or not _spans_enough_months(months):
        return _temporal_skipped(column)
    return _temporal(run.X_train, y_values, run.probe, column=column, months=months, X_test=run.X_test, seed=run.seed)


def diagnose(
    case: Case,
    pipeline: object = None,
    *,
    diagnostics: str | Sequence[str] | None = "all",
    holdout_score: float | None = None,
    n_splits: int = 5,
    seed: int = 0,
    budget_seconds: float | None = DEFAULT_BUDGET_SECONDS,
) -> DiagnosticsReport:
    """Run diagnostics on a case (and a pipeline): why is the holdout score what it is?

    The checks read the case's own training and test data, not the copies it
    hands out (``case.train``, ``case.X_train``...), so editing those does not
    change the diagnosis.

    Parameters
    ----------
    case : Case
        From :func:`casestudies.make`.
    pipeline : estimator or callable, optional
        Needed by ``fit_gap``, ``learning_curve`` and ``validation_curve``
        (skipped without one). It is cloned for every fit, never changed.
    diagnostics : "all", "default", None or list of str, default="all"
        Which checks to run; names and questions in :data:`DIAGNOSTICS`.
        ``"default"`` is the scenario's default set (what ``evaluate`` runs).
    holdout_score : float, optional
        The pipeline's holdout ROC-AUC, for ``fit_gap``; computed (one more
        fit) when a pipeline is given and this is not.
    n_splits : int, default=5
        Folds of the cross-validations.
    seed : int, default=0
        Seed of folds and probes.
    budget_seconds : float or None, default=10
        ``learning_curve`` (12 fits) and ``validation_curve`` (up to 18) are
        skipped, with the reason, when ``fit_gap``'s fits project them above
        this many seconds; ``None`` runs them whatever they cost.

    Returns
    -------
    DiagnosticsReport
        ``findings`` (one per check), ``seconds`` (cost of each), and the
        ``diagnosis`` they add up to, gradable with
        :meth:`Case.grade_diagnosis`.

    Raises
    ------
    InvalidParameterError
        For an unknown diagnostic name, an out-of-range parameter, or a case
        whose task is not binary.

    Examples
    --------
    >>> import casestudies as cs
    >>> case = cs.make("overfit-leaky-v1", seed=3, n_train=600, n_test=600)
    >>> result = cs.diagnose(case, diagnostics=["identifiers", "leakage_scan", "class_balance"])
    >>> leak = result["leakage_scan"].evidence["columns"]
    >>> leak == case.reveal("world")["faults"]["target_leakage"]["columns"]
    True
    >>> case.grade_diagnosis(result.diagnosis).found
    ('target_leakage',)
    """
    where = f"diagnose({case.spec.id!r})"
    check_all(where, _DIAGNOSE_RULES, {"n_splits": n_splits, "seed": seed, "budget_seconds": budget_seconds})
    names = resolve(diagnostics, case.spec, where)
    if case.spec.task != "binary":
        message = (
            f"{where}: these diagnostics are for binary tasks (0/1 labels, ROC-AUC); "
            f"{case.spec.id!r} is a {case.spec.task} task. Its own checks are in the findings of case.evaluate(...)."
        )
        raise InvalidParameterError(message)
    if holdout_score is None and _is_pipeline(pipeline) and "fit_gap" in names:
        holdout_score = case.evaluate(pipeline, baselines=False, diagnostics=None).submission.estimate("roc_auc")
    context = host_view(case).context
    return run_diagnostics(
        names,
        X_train=context.X_train,
        y_train=context.y_train,
        X_test=context.test,
        id_column=case.id_column,
        pipeline=pipeline,
        holdout_score=holdout_score,
        scenario_id=case.spec.id,
        n_splits=n_splits,
        seed=seed,
        budget_seconds=budget_seconds,
    )


present_as_public(DiagnosticsReport, diagnose)  # re-exported by the public face, which loads this module lazily
