"""Write what a learner may see of a case to files (its side tables too); nothing from the holdout.

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

from casestudies.exceptions import RegistrationError

if TYPE_CHECKING:
    from collections.abc import Mapping

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
    def id(self) -> str: ...

    @property
    def tables(self) -> Mapping[str, pd.DataFrame]: ...

    @property
    def prompt(self) -> str: ...

    @property
    def data_card(self) -> dict[str, object]: ...


def write_case(case: PublicCase, out: str | Path, *, format: FileFormat = "parquet") -> list[Path]:
    """Write ``train``, ``test`` (no target), each side table, ``prompt.md`` and ``data_card.json`` to ``out``.

    A side table goes to a file of its own name (``movies.parquet``,
    ``users.parquet`` of a movies case).

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> import tempfile, casestudies as cs
    >>> case = cs.make("movies-rating-v4", seed=0, n_users=60, n_movies=80, n_ratings=2_000)
    >>> [path.name for path in write_case(case, tempfile.mkdtemp())][:4]
    ['train.parquet', 'test.parquet', 'movies.parquet', 'users.parquet']
    """
    frames = {"train": case.train, "test": case.test}
    for name, table in case.tables.items():
        if name in frames or not name.isidentifier():
            message = f"{case.id}: side table {name!r} cannot be written as a file of its own beside train and test"
            raise RegistrationError(
                message + "; name the table with letters, digits and underscores, not train or test."
            )
        frames[name] = table
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in frames.items():
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
