"""The labs' notebook views show their figure: an inline SVG titled with the figure's lesson, drawn from its data."""

from __future__ import annotations

import re

import numpy as np
import pytest

import casestudies as cs
from casestudies.report import FigureSpec

_SVG = re.compile(r"<svg\b[^>]*>(.*?)</svg>", re.DOTALL)
SMALL = {"n_train": 300, "n_test": 100}


def _check_inline_figure(html: str, spec: FigureSpec) -> None:
    svgs = _SVG.findall(html)
    assert len(svgs) == 1, f"expected the one figure inline, found {len(svgs)} SVGs"
    assert svgs[0].startswith(f"<title>{spec.title}</title>")
    for series in spec.series:
        assert series.label in svgs[0]  # the legend names every series


@pytest.mark.slow  # three fits of the houses world: about 1.5 s on 2 cores
def test_bias_variance_result_shows_its_decomposition_figure() -> None:
    from casestudies.scenarios.houses import linear_pipeline

    result = cs.bias_variance("houses-v1", linear_pipeline(), n_draws=3, seed=0, params=SMALL, progress=False)
    spec = result.figure()
    _check_inline_figure(result._repr_html_(), spec)
    # The bars are the decomposition's own numbers: noise + bias² + variance adds up to the expected error.
    bars = dict(zip(spec.series[0].x, np.asarray(spec.series[0].y, dtype=np.float64), strict=True))
    assert bars["noise"] + bars["bias²"] + bars["variance"] == pytest.approx(bars[spec.series[0].x[3]], rel=1e-9)


def test_bias_variance_curve_shows_its_figure() -> None:
    from sklearn.pipeline import make_pipeline
    from sklearn.tree import DecisionTreeRegressor

    from casestudies.preprocessing import TabularEncoder

    pipeline = make_pipeline(TabularEncoder(), DecisionTreeRegressor(random_state=0))
    curve = cs.bias_variance_curve(
        "houses-v1",
        pipeline,
        param="decisiontreeregressor__max_depth",
        values=[1, 3, 8],
        n_draws=3,
        seed=0,
        params=SMALL,
        progress=False,
    )
    spec = curve.figure()
    _check_inline_figure(curve._repr_html_(), spec)
    assert spec.markers[0].at == curve.best
