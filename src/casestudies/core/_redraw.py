"""The redraw contract: fresh training sets from the world of a case, and the truth of any rows of it.

A scenario whose generator can draw another training set from the same
world declares two ``'module:function'`` targets in its spec:

``redraw(params, seed, draw, n_rows) -> pandas.DataFrame``
    A fresh training frame (features and label, in the columns and dtypes of
    ``make(id, seed=seed, **params).train``) from the *same world* as that
    case: the same latent state (customers, terminals, coefficients, fault
    knobs...), new rows, independent for every ``draw`` (an int >= 0).
    ``n_rows`` asks for that many rows (``None``: as many as ``make`` gives).
``truth(params, seed, frame) -> (mean, noise_var)``
    Two float arrays, one value per row of ``frame`` (rows of that world:
    the case's own train or test rows, or a redraw's): for a regression
    target ``E[y | row, world]`` and ``Var[y | row, world]``; for a binary one
    ``p = P(y = 1 | row, world)`` and ``p (1 - p)``. Each scenario documents
    what its truth conditions on.

The randomness of a redraw comes from :func:`redraw_seed`, whose streams no
stream of ``make`` can reproduce; the world is rebuilt from
:func:`data_seed`, the very stream ``make`` hands the generator.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Final, cast

from casestudies.core._registry import load_object, registry
from casestudies.core._spec import ScenarioSpec
from casestudies.exceptions import InvalidParameterError, RegistrationError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

RedrawFunction = Callable[[Mapping[str, object], int, int, "int | None"], "pd.DataFrame"]
"""``redraw(params, seed, draw, n_rows) -> training frame`` (see the module docstring)."""
TruthFunction = Callable[[Mapping[str, object], int, "pd.DataFrame"], "tuple[np.ndarray, np.ndarray]"]
"""``truth(params, seed, frame) -> (mean, noise_var)`` (see the module docstring)."""

_REDRAW_BRANCH: Final[int] = 0x5EDA_0001
"""First spawn key of every redraw stream. ``make`` spawns the children 0, 1 and 2 of the root seed (data,
holdout, scoring) and everything below them, so no stream of a case starts with this key."""


def data_seed(seed: int) -> np.random.SeedSequence:
    """The seed sequence ``make(id, seed=seed)`` builds its generator's ``rng`` from (its first child).

    Examples
    --------
    >>> int(data_seed(7).generate_state(1)[0]) == int(data_seed(7).generate_state(1)[0])
    True
    """
    import numpy as np  # numpy stays out of `import casestudies.core`

    return np.random.SeedSequence(int(seed)).spawn(3)[0]


def redraw_seed(seed: int, draw: int) -> np.random.SeedSequence:
    """The seed sequence of redraw number ``draw`` of the case made with ``seed``: one independent stream per draw.

    Examples
    --------
    >>> first, second = redraw_seed(7, 0), redraw_seed(7, 1)
    >>> bool(first.generate_state(1)[0] != second.generate_state(1)[0])
    True
    """
    import numpy as np  # numpy stays out of `import casestudies.core`

    return np.random.SeedSequence(int(seed), spawn_key=(_REDRAW_BRANCH, int(draw)))


def check_draw(where: str, draw: object, n_rows: object, *, min_rows: int = 1) -> None:
    """Refuse a redraw's ``draw`` unless an int >= 0, and its ``n_rows`` unless None or an int >= ``min_rows``.

    Examples
    --------
    >>> check_draw("fraud-v1 redraw", 0, None)
    >>> check_draw("fraud-v1 redraw", -1, None)
    Traceback (most recent call last):
    ...
    casestudies.exceptions.InvalidParameterError: fraud-v1 redraw: draw must be an int >= 0; got -1.
    """

    def whole(value: object, low: int) -> bool:
        return not isinstance(value, bool) and isinstance(value, numbers.Integral) and int(value) >= low

    if not whole(draw, 0):
        raise InvalidParameterError(f"{where}: draw must be an int >= 0; got {draw!r}.")
    if n_rows is not None and not whole(n_rows, min_rows):
        raise InvalidParameterError(f"{where}: n_rows must be None or an int >= {min_rows}; got {n_rows!r}.")


def redrawable() -> tuple[str, ...]:
    """Ids of the registered scenarios that declare ``redraw`` and ``truth`` (the bias-variance lab runs on them).

    Examples
    --------
    >>> "fraud-v1" in redrawable()
    True
    """
    return tuple(sorted(scenario_id for scenario_id, spec in registry().items() if spec.redraw and spec.truth))


def redraw_of(scenario: ScenarioSpec, *, where: str) -> tuple[RedrawFunction, TruthFunction]:
    """The scenario's ``redraw`` and ``truth`` functions, or a message saying which scenarios have them.

    Raises
    ------
    InvalidParameterError
        If the scenario declares no ``redraw``/``truth`` (the message lists the ones that do).
    RegistrationError
        If a declared target cannot be imported.

    Examples
    --------
    >>> from casestudies.core import spec
    >>> redraw, truth = redraw_of(spec("overfit-v1"), where="example")
    >>> redraw_of(spec("movies-rating-v1"), where="example")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    casestudies.exceptions.InvalidParameterError: example: 'movies-rating-v1' cannot draw another training set ...
    """
    if not (scenario.redraw and scenario.truth):
        able = ", ".join(redrawable()) or "none is registered"
        message = (
            f"{where}: {scenario.id!r} cannot draw another training set from its world (its spec declares no "
            f"'redraw' and 'truth' functions), so its error cannot be split into noise, bias² and variance. "
            f"Scenarios that can: {able}. Pick one of them, or add both fields to the scenario's TOML file "
            "(the redraw contract is in CONTRIBUTING.md, 'Adding a scenario')."
        )
        raise InvalidParameterError(message)
    functions = []
    for target in (scenario.redraw, scenario.truth):
        try:
            functions.append(load_object(target))
        except (ImportError, AttributeError) as err:
            message = f"scenario {scenario.id!r}: cannot import {target!r}: {err}."
            raise RegistrationError(message) from err
    return cast(RedrawFunction, functions[0]), cast(TruthFunction, functions[1])
