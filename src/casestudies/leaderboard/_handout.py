"""Files a board writes: the participants' handout and the host's record of the board.

The handout holds nothing from the holdout and not the seed; the record
holds private scores and standings only once the board is closed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import pandas as pd

from casestudies.case import Case
from casestudies.core import FileFormat
from casestudies.leaderboard._settings import StoreLike
from casestudies.leaderboard._store import PRIVATE_FILE_MODE, PRIVATE_FOLDER_MODE
from casestudies.leaderboard._taskboard import BINARY, sample_submission, task_of, upload_format

_OPEN_ONLY_INFO: Final[tuple[str, ...]] = ("participants", "closed_at")
"""Board facts that change while it runs; the handout's data card leaves them out."""


def write_handout(folder: StoreLike, case: Case, info: Mapping[str, object], *, format: FileFormat) -> list[Path]:
    """Write training data, test features, prompt, data card, a sample submission and its format; return the paths.

    ``sample_submission.csv`` is a valid upload in the task's own format; for
    tasks other than binary, ``upload_format.md`` says what the board reads (see
    :func:`~casestudies.leaderboard._taskboard.upload_format`).

    ``data_card.json`` has its ``seed`` removed and the board's public
    ``info`` added; ``test`` has no target column. A folder created here is
    open to its owner only (0700); the files, meant to be handed out, keep
    the usual modes.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER_MODE)
    written = []
    for part, frame in (("train", case.train), ("test", case.test)):
        path = out / f"{part}.{format}"
        if format == "parquet":
            frame.to_parquet(path, index=False)
        else:
            frame.to_csv(path, index=False)
        written.append(path)
    card = {key: value for key, value in case.data_card.items() if key != "seed"}
    card["leaderboard"] = {key: value for key, value in info.items() if key not in _OPEN_ONLY_INFO}
    files = {
        "prompt.md": case.prompt,
        "data_card.json": json.dumps(card, indent=2, default=str),
    }
    for name, text in files.items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    path = out / "sample_submission.csv"
    sample_submission(case).to_csv(path, index=False)
    written.append(path)
    if task_of(case) != BINARY:  # a binary board's upload is the prompt's id,prediction table
        path = out / "upload_format.md"
        path.write_text(upload_format(task_of(case), case.id_column), encoding="utf-8")
        written.append(path)
    return written


def write_record(
    folder: StoreLike,
    info: Mapping[str, object],
    submissions: pd.DataFrame,
    public: pd.DataFrame,
    private: pd.DataFrame | None,
) -> list[Path]:
    """Write ``board.json``, ``submissions.csv``, ``standings_public.csv`` and, when given, the private standings.

    The record holds exact public scores (and private ones once closed):
    its files are readable by their owner only (0600), in a folder created 0700.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER_MODE)
    written = [out / "board.json", out / "submissions.csv", out / "standings_public.csv"]
    if private is not None:
        written.append(out / "standings_private.csv")
    for path in written:
        _make_private(path)
    written[0].write_text(json.dumps(dict(info), indent=2, default=str), encoding="utf-8")
    submissions.to_csv(written[1], index=False)
    public.to_csv(written[2], index=False)
    if private is not None:
        private.to_csv(written[-1], index=False)
    return written


def _make_private(path: Path) -> None:
    """Create ``path`` empty, or truncate it, with mode 0600 before anything is written to it."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    try:
        os.fchmod(descriptor, PRIVATE_FILE_MODE)  # an existing file keeps its mode otherwise
    finally:
        os.close(descriptor)
