"""Writing a take-home: each candidate's bundle, their part of the key, and the key of the batch.

What the files say comes from :mod:`casestudies.takehome._content`; where
they go from :mod:`casestudies.takehome._layout`.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Final, cast

from casestudies.core import VERSION, ScenarioSpec, fingerprint
from casestudies.scoring import FAULT_KINDS, TOPN_K
from casestudies.takehome._content import (
    instructions_document,
    readme_document,
    rubric_document,
    starter_notebook,
    submission_template,
)
from casestudies.takehome._difficulty import Difficulty
from casestudies.takehome._layout import (
    ANSWER_KEY_FILE,
    BUNDLE_FORMAT,
    DATA_DIR,
    DIAGNOSIS_FILE,
    DIFFICULTY_FILE,
    FAULTS,
    FAULTS_FILE,
    FAULTS_TEMPLATE_FILE,
    KEY_FILE,
    KEY_FORMAT,
    MANIFEST_FILE,
    NOTEBOOK_FILE,
    README_FILE,
    REFERENCES_FILE,
    RUBRIC_FILE,
    RUBRIC_NOTES_FILE,
    SECRET_FILE,
    TEMPLATE_FILE,
    WORLD_FILE,
    sha256,
    write_json,
)
from casestudies.takehome._rubric import Rubric
from casestudies.takehome._seal import SEAL_FIELD
from casestudies.takehome._variant import Variant, answer_key, commitment

_ZIP_DATE_TIME: Final = (2020, 1, 1, 0, 0, 0)  # every member's timestamp: zips are byte-reproducible
_ZIP_MODE: Final = 0o644  # rw-r--r-- for every member


@dataclass(frozen=True, slots=True, kw_only=True)
class Batch:
    """What every variant of one take-home shares."""

    scenario: ScenarioSpec
    params: Mapping[str, object]
    rubric: Rubric
    hours: float
    grader: str  # the diagnosis grader: FAULTS, "module:function" or "" (none)


def diagnosis_prompt(grader: str, rubric: Rubric) -> tuple[str, str]:
    """The README's line about the diagnosis file, and the file's name."""
    if grader == FAULTS:
        causes = ", ".join(f"`{kind}`" for kind in FAULT_KINDS)
        default = (
            "which causes of the gap between training and test performance you believe are present, "
            "and which columns they concern, "
            'as a JSON table such as `{"target_leakage": ["some_column"], "label_noise": false}` '
            "(true, false, or the list of columns). "
            f"Causes: {causes}. Start from `{FAULTS_TEMPLATE_FILE}`."
        )
        return rubric.diagnosis_prompt or default, FAULTS_FILE
    if grader:
        return (
            rubric.diagnosis_prompt or "your diagnosis of the problem, with the evidence for each point.",
            DIAGNOSIS_FILE,
        )
    return "", ""


def write_variant(
    variant: Variant, *, batch: Batch, bundle_dir: Path, key_dir: Path, sealed: Mapping[str, object]
) -> dict[str, object]:
    """Write one bundle and the candidate's part of the key, its record committing to ``sealed`` (the key's seal).

    Returns the fields of the candidate's entry in ``key.json`` that exist only once the bundle does.
    """
    _write_data(variant, bundle_dir / DATA_DIR)
    _write_starters(variant, batch, bundle_dir)
    record = _write_secret(variant, batch, key_dir, sealed)
    _write_manifest(variant, batch.scenario, bundle_dir, record)
    return {
        "commitment": record["commitment"],
        "manifest_sha256": sha256(bundle_dir / MANIFEST_FILE),
        "data_fingerprint": record["data_fingerprint"],
    }


def _write_data(variant: Variant, data_dir: Path) -> None:
    """Every frame of the bundle as Parquet and CSV."""
    hidden = variant.disguise
    data_dir.mkdir(parents=True)
    for name, frame in (("train", hidden.train), ("test", hidden.test), *hidden.tables.items()):
        frame.to_parquet(data_dir / f"{name}.parquet", index=False)
        frame.to_csv(data_dir / f"{name}.csv", index=False)


def _write_starters(variant: Variant, batch: Batch, bundle_dir: Path) -> None:
    """The submission template, the starter notebook, the diagnosis template and the README."""
    case, hidden, scenario = variant.case, variant.disguise, batch.scenario
    k = int(cast(int, scenario.scoring.get("k", TOPN_K)))
    template = submission_template(
        scenario.task, train=hidden.train, test=hidden.test, target=case.target, id_column=case.id_column, k=k
    )
    template.to_csv(bundle_dir / TEMPLATE_FILE, index=False)
    notebook = starter_notebook(
        title=scenario.title,
        target=case.target,
        id_column=case.id_column,
        task=scenario.task,
        tables=tuple(hidden.tables),
        k=k,
    )
    (bundle_dir / NOTEBOOK_FILE).write_text(notebook, encoding="utf-8")
    if batch.grader == FAULTS:
        # The kinds this scenario's world records (overfit, messy and houses plant different ones).
        recorded = cast(Mapping[str, object], case.reveal("world").get("faults", dict.fromkeys(FAULT_KINDS)))
        template_causes = dict.fromkeys(recorded, False)
        (bundle_dir / FAULTS_TEMPLATE_FILE).write_text(json.dumps(template_causes, indent=2) + "\n", encoding="utf-8")
    prompt, diagnosis_file = diagnosis_prompt(batch.grader, batch.rubric)
    readme = readme_document(
        scenario,
        candidate=variant.candidate,
        train=hidden.train,
        test=hidden.test,
        target=case.target,
        id_column=case.id_column,
        hours=batch.hours,
        write_up=batch.rubric.write_up,
        diagnosis_prompt=prompt,
        diagnosis_file=diagnosis_file,
        tables=hidden.tables,
    )
    (bundle_dir / README_FILE).write_text(readme.to_markdown(), encoding="utf-8")


def _write_secret(variant: Variant, batch: Batch, key_dir: Path, sealed: Mapping[str, object]) -> dict[str, object]:
    """The candidate's folder of the key: answer key, references, world and the committed secret record."""
    case = variant.case
    key_dir.mkdir(parents=True)
    answer = answer_key(case, variant.disguise)
    answer.to_parquet(key_dir / ANSWER_KEY_FILE, index=False)
    write_json(key_dir / REFERENCES_FILE, list(variant.references))
    write_json(key_dir / WORLD_FILE, case.reveal("world"))
    record: dict[str, object] = {
        "format": KEY_FORMAT,
        "candidate": variant.candidate,
        "scenario_id": batch.scenario.id,
        "params": dict(batch.params),
        "variant_seed": variant.secret.variant_seed,
        "id_key": variant.secret.id_key,
        "salt": variant.secret.salt,
        "id_column": case.id_column,
        "target": case.target,
        "data_fingerprint": fingerprint(*variant.disguise.frames()),
        "answer_fingerprint": fingerprint(answer),
        "references_sha256": sha256(key_dir / REFERENCES_FILE),
        "world_sha256": sha256(key_dir / WORLD_FILE),
        SEAL_FIELD: dict(sealed),
    }
    record["commitment"] = commitment(record)
    write_json(key_dir / SECRET_FILE, record)
    return record


def _write_manifest(variant: Variant, scenario: ScenarioSpec, bundle_dir: Path, record: Mapping[str, object]) -> None:
    """The bundle's ``manifest.json``: checksums of every file and the commitment to the key."""
    case, hidden = variant.case, variant.disguise
    files = {
        path.relative_to(bundle_dir).as_posix(): sha256(path)
        for path in sorted(bundle_dir.rglob("*"))
        if path.is_file()
    }
    manifest = {
        "format": BUNDLE_FORMAT,
        "scenario_id": scenario.id,
        "title": scenario.title,
        "candidate": variant.candidate,
        "created": date.today().isoformat(),
        "casestudies_version": VERSION,
        "rows": {"train": len(hidden.train), "test": len(hidden.test)},
        "id_column": case.id_column,
        "target": case.target,
        "data_fingerprint": record["data_fingerprint"],
        "answer_key_commitment": record["commitment"],
        "commitment": (
            "SHA-256 over the interviewer's key record of this bundle (salted); "
            "`casestudies takehome grade` verifies it."
        ),
        "files": files,
    }
    write_json(bundle_dir / MANIFEST_FILE, manifest)


def zip_bundle(bundle_dir: Path) -> Path:
    """``bundles/<candidate>.zip`` holding ``<candidate>/...``, byte-reproducible (fixed timestamps).

    The zip's name is the folder's with ``.zip`` appended, whatever dots the name holds.
    """
    target = bundle_dir.parent / f"{bundle_dir.name}.zip"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(bundle_dir.rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo(
                    f"{bundle_dir.name}/{path.relative_to(bundle_dir).as_posix()}", date_time=_ZIP_DATE_TIME
                )
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = _ZIP_MODE << 16
                archive.writestr(info, path.read_bytes())
    return target


def _variant_facts(
    variants: Mapping[str, Variant], reference: str | None, metric: str
) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the rubric's table of each variant's holdout: size, base rate, scores."""
    label = metric.replace("_", " ")
    shown = ["oracle", *[name for name in (reference, "prior") if name is not None]]
    tables = [
        {
            str(cast(Mapping[str, object], item["entry"])["name"]): cast(Mapping[str, Mapping[str, float]], item["all"])
            for item in variant.references
        }
        for variant in variants.values()
    ]
    shown = [name for name in dict.fromkeys(shown) if all(name in table for table in tables)]
    if any("n_positives" not in table["oracle"] for table in tables):  # not a binary task
        header = ["candidate", "test rows", *[f"{name} {label}" for name in shown]]
        rows = [
            [
                variant.candidate,
                f"{len(variant.case.test):,}",
                *[f"{table[name][metric]['estimate']:.3f}" for name in shown],
            ]
            for variant, table in zip(variants.values(), tables, strict=True)
        ]
        return header, rows
    header = [
        "candidate",
        "test rows",
        "positives",
        "positive rate",
        "accuracy of all-negative",
        *[f"{name} {label}" for name in shown],
    ]
    rows = []
    for variant, table in zip(variants.values(), tables, strict=True):
        oracle = table["oracle"]
        rows.append(
            [
                variant.candidate,
                f"{len(variant.case.test):,}",
                f"{int(oracle['n_positives']['estimate']):,}",
                f"{oracle['prevalence']['estimate']:.3%}",
                f"{oracle['accuracy_all_negative']['estimate']:.2%}",
                *[f"{table[name][metric]['estimate']:.3f}" for name in shown],
            ]
        )
    return header, rows


def write_key_files(
    key_dir: Path,
    *,
    batch: Batch,
    variants: Mapping[str, Variant],
    difficulty: Difficulty,
    zipped: bool,
    baselines: bool,
) -> dict[str, object]:
    """Write the key's rubric, instructions and difficulty table; return the data of ``key.json``, not yet written.

    Its ``candidates`` entries hold each variant's difficulty; :func:`write_key_json` adds the bundle fields.
    """
    scenario, rubric = batch.scenario, batch.rubric
    header, facts = _variant_facts(variants, difficulty.reference, scenario.metric)
    worlds = {name: variant.case.reveal("world") for name, variant in variants.items()}
    rubric_doc = rubric_document(
        scenario,
        items=[item.to_dict() for item in rubric.items],
        source=rubric.source,
        diagnosis=batch.grader,
        facts=facts,
        fact_header=header,
        worlds=worlds,
    )
    (key_dir / RUBRIC_NOTES_FILE).write_text(rubric_doc.to_markdown(), encoding="utf-8")
    write_json(key_dir / RUBRIC_FILE, rubric.to_dict())
    instructions = instructions_document(
        scenario_id=scenario.id,
        title=scenario.title,
        candidates=list(variants),
        tolerance=difficulty.tolerance,
        metric=scenario.metric,
        reference=difficulty.reference,
        zipped=zipped,
        diagnosis_file=diagnosis_prompt(batch.grader, rubric)[1],
    )
    (key_dir / README_FILE).write_text(instructions.to_markdown(), encoding="utf-8")
    difficulty.table().to_csv(key_dir / DIFFICULTY_FILE)
    return {
        "format": KEY_FORMAT,
        "scenario_id": scenario.id,
        "title": scenario.title,
        "params": dict(batch.params),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "casestudies_version": VERSION,
        "baselines": baselines,
        "diagnosis": batch.grader,
        "candidates": {name: {"difficulty": variant.difficulty()} for name, variant in variants.items()},
        "difficulty": difficulty.to_dict(),
    }


def write_key_json(key_dir: Path, data: Mapping[str, object], bundles: Mapping[str, Mapping[str, object]]) -> None:
    """Write ``key.json``: ``data`` with each candidate's bundle fields (commitment, checksums) before their entry."""
    entries = cast(Mapping[str, Mapping[str, object]], data["candidates"])
    candidates = {name: {**bundles[name], **entry} for name, entry in entries.items()}
    write_json(key_dir / KEY_FILE, {**data, "candidates": candidates})
