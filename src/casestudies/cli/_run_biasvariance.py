"""Handler of ``casestudies bias-variance`` (loaded by ``cli._main.main``)."""

from __future__ import annotations

import argparse
import json

from casestudies.biasvariance import BiasVarianceCurve, BiasVarianceResult, bias_variance, bias_variance_curve
from casestudies.cli._common import EXIT_OK, parse_params
from casestudies.cli._run_case import load_pipeline
from casestudies.core import spec
from casestudies.exceptions import InvalidParameterError

__all__ = ["bias_variance_command", "parse_sweep"]


def parse_sweep(text: str) -> tuple[str, list[object]]:
    """``PARAM=V1,V2,...`` as the parameter and its values (ints, floats, ``None`` or strings).

    Examples
    --------
    >>> parse_sweep("model__max_depth=1,2,None")
    ('model__max_depth', [1, 2, None])
    """
    name, sep, raw = text.partition("=")
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if not sep or not name or not parts:
        raise InvalidParameterError(f"--sweep expects PARAM=V1,V2,..., like model__max_depth=1,2,4,8; got {text!r}.")
    values: list[object] = []
    for part in parts:
        try:
            values.append(json.loads(part.lower()) if part.lower() in ("none", "null", "true", "false") else int(part))
        except ValueError:
            try:
                values.append(float(part))
            except ValueError:
                values.append(part)
        if part.lower() == "none":
            values[-1] = None
    return name, values


def bias_variance_command(args: argparse.Namespace) -> int:
    """``casestudies bias-variance``: run the lab (or a curve) and print the result as text or JSON."""
    scenario = spec(args.scenario_id)
    pipeline = load_pipeline(args.pipeline, scenario.id)
    params = parse_params(args.param, scenario.id)
    seed, n_draws, n_jobs = args.seed, args.draws, args.jobs
    progress = False if args.quiet else None
    result: BiasVarianceResult | BiasVarianceCurve
    if args.sweep or args.train_sizes:
        name, values = parse_sweep(args.sweep) if args.sweep else (None, None)
        result = bias_variance_curve(
            scenario.id, pipeline, param=name, values=values, train_sizes=args.train_sizes, n_draws=n_draws,
            seed=seed, params=params, n_jobs=n_jobs, progress=progress,
        )  # fmt: skip
    else:
        result = bias_variance(
            scenario.id, pipeline, n_draws=n_draws, train_size=args.train_size, seed=seed, params=params,
            n_jobs=n_jobs, progress=progress,
        )  # fmt: skip
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(result.text())
    return EXIT_OK
