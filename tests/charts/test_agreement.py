"""Agreement charts: built from the real tables, valid Vega-Lite, rendered offline."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from workbench import agreement as ag
from workbench.charts import agreement as charts
from workbench.exceptions import DataError, ValidationError


@pytest.fixture(scope="module")
def df():
    rng = np.random.default_rng(0)
    rows = [(i, a, f"c{(i % 4) if rng.random() < 0.6 else rng.integers(4)}") for i in range(60) for a in "abcd"]
    return pd.DataFrame(rows, columns=["item_id", "annotator", "label"])


def test_charts_build_from_the_tables(df):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        heat = charts.plot_coincidence_heatmap(ag.coincidence_matrix(df)).to_dict()
        cat = charts.plot_category_agreement(ag.per_category_table(df, n_boot=50, random_state=0),
                                             metric="specific_agreement").to_dict()
        mat = charts.plot_annotator_matrix(ag.pairwise_table(df)).to_dict()
        summary = charts.plot_agreement_intervals(ag.agreement_table(df, n_boot=50, random_state=0)).to_dict()
    assert [layer["mark"]["type"] for layer in heat["layer"]] == ["rect", "text"]
    assert cat["layer"][0]["encoding"]["x2"]["field"] == "specific_agreement_high"
    assert len(mat["datasets"][next(iter(mat["datasets"]))]) == 12  # 6 pairs, both orientations
    assert summary["layer"][1]["encoding"]["x"]["field"] == "value"


def test_heatmap_rows_are_shares_when_normalized(df):
    chart = charts.plot_coincidence_heatmap(ag.coincidence_matrix(df))
    assert chart.data.groupby("category_a").value.sum().tolist() == pytest.approx([1.0] * 4)


def test_chart_errors_say_what_to_pass(df):
    with pytest.raises(DataError, match="per_category_table"):
        charts.plot_category_agreement(df)
    with pytest.raises(ValidationError, match="'metric'.*'kappa', 'specific_agreement'"):
        charts.plot_category_agreement(ag.per_category_table(df, n_boot=0), metric="alpha")
    with pytest.raises(DataError, match="coincidence_matrix"):
        charts.plot_coincidence_heatmap(df)


def test_importing_the_agreement_module_does_not_import_altair():
    import subprocess
    code = "import sys, workbench.agreement, workbench.charts.agreement; print('altair' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_chart_renders_to_svg_offline(df):
    pytest.importorskip("vl_convert")
    svg = charts.plot_annotator_matrix(ag.pairwise_table(df)).to_json()
    import vl_convert as vlc
    assert vlc.vegalite_to_svg(svg).lstrip().startswith("<svg")
