"""Error-analysis charts render as static SVG the way the report shows them."""

from __future__ import annotations

import pandas as pd
import vl_convert as vlc

from workbench.charts import plot_classification_quality


def test_model_quality_has_one_legend_for_its_one_metric_field():
    table = pd.DataFrame({"category": ["a", "b"], "precision": [1.0, 0.5], "recall": [0.5, 0.4],
                          "f1": [0.667, 0.444], "support": [2, 3]})
    svg = vlc.vegalite_to_svg(plot_classification_quality(table).to_json())
    assert svg.count('role-legend"') == 1
    assert "fill color and shape" in svg or svg.count("legend titled 'metric'") == 1
