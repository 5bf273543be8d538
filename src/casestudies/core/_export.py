"""Write what a learner may see of a case to files; nothing from the holdout.

Examples
--------
>>> import tempfile, casestudies as cs
>>> from casestudies.core import read_frames, write_case
>>> case = cs.make("overfit-v1", seed=0, n_noise_features=10, n_test=200)
>>> folder = tempfile.mkdtemp()
>>> [path.name for path in write_case(case, folder, format="csv")]
['train.csv', 'test.csv', 'prompt.md', 'data_card.json']
>>> train, test = read_frames(folder, format="csv")
>>> train.shape == case.train.shape, case.target in test.columns
(True, False)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    import pandas as pd

FileFormat = Literal["parquet", "csv"]
FORMATS: tuple[str, ...] = ("parquet", "csv")


class PublicCase(Protocol):
    """What :func:`write_case` reads of a case: only what a learner may see."""

    @property
    def train(self) -> pd.DataFrame: ...

    @property
    def test(self) -> pd.DataFrame: ...

    @property
    def prompt(self) -> str: ...

    @property
    def data_card(self) -> dict[str, object]: ...


def write_case(case: PublicCase, out: str | Path, *, format: FileFormat = "parquet") -> list[Path]:
    """Write ``train``, ``test`` (no target), ``prompt.md`` and ``data_card.json`` to ``out``.

    Returns
    -------
    list of Path
        The files written.
    """
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in (("train", case.train), ("test", case.test)):
        path = folder / f"{name}.{format}"
        if format == "parquet":
            frame.to_parquet(path, index=False)
        else:
            frame.to_csv(path, index=False)
        written.append(path)
    prompt = folder / "prompt.md"
    prompt.write_text(case.prompt, encoding="utf-8")
    card = folder / "data_card.json"
    card.write_text(json.dumps(case.data_card, indent=2, default=str), encoding="utf-8")
    return [*written, prompt, card]


def read_frames(folder: str | Path, *, format: FileFormat = "parquet") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read back ``train`` and ``test`` written by :func:`write_case`."""
    import pandas as pd  # here, not at the top: the command line's parser imports this module

    folder = Path(folder)
    if format == "parquet":
        return pd.read_parquet(folder / "train.parquet"), pd.read_parquet(folder / "test.parquet")
    return pd.read_csv(folder / "train.csv"), pd.read_csv(folder / "test.csv")
