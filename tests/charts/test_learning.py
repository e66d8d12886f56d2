"""The learning-curve chart, and that sampling stays light to import."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from workbench.exceptions import DataError


def test_learning_curve_chart_from_an_active_learner_log():
    from workbench.charts.learning import plot_learning_curve
    from workbench.sampling import ActiveLearner

    texts = ["refund me", "card lost", "refund now", "card gone", "refund pls", "lost card"] * 2
    labels = ["refund", "card"] * 6
    learner = ActiveLearner(cv=2, random_state=0).fit(texts[:8], labels[:8])
    learner.update(texts[8:], labels[8:])
    spec = plot_learning_curve(learner.learning_curve, target=0.9).to_dict()
    values = spec["datasets"][next(iter(spec["datasets"]))]
    assert [v["n_labels"] for v in values] == [8, 12]
    assert spec["layer"][0]["encoding"]["y"]["field"] == "score"
    assert spec["layer"][-1]["mark"]["type"] == "rule"


def test_benchmark_curves_are_averaged_over_seeds():
    from workbench.charts.learning import plot_learning_curve

    df = pd.DataFrame({"n_labels": [20, 70] * 4, "accuracy": [0.2, 0.5, 0.4, 0.7, 0.1, 0.3, 0.3, 0.5],
                       "strategy": ["margin"] * 4 + ["random"] * 4, "seed": [0, 0, 1, 1] * 2})
    spec = plot_learning_curve(df).to_dict()
    values = pd.DataFrame(spec["datasets"][next(iter(spec["datasets"]))])
    row = values[(values.strategy == "margin") & (values.n_labels == 70)].iloc[0]
    assert row["score"] == pytest.approx(0.6) and row["low"] == 0.5 and row["high"] == 0.7


def test_chart_errors_name_the_missing_columns():
    from workbench.charts.learning import plot_learning_curve

    with pytest.raises(DataError, match="n_labels"):
        plot_learning_curve(pd.DataFrame({"labels": [1], "cv_score": [0.5]}))


def test_importing_sampling_loads_neither_altair_nor_widgets():
    code = ("import sys, workbench.sampling as s; s.select_batch; s.ActiveLearner; "
            "print(any(m.split('.')[0] in ('altair', 'ipywidgets', 'papermill') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
