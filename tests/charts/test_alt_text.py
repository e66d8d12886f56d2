"""Every chart builder sets a description (its alt text) that states what the data shows."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench import charts
from workbench.report import figures


def _description(chart) -> str:
    return chart.to_dict()["description"]


def test_label_distribution_alt_text_names_the_extremes_and_the_rare():
    dist = pd.DataFrame({"category": ["refund", "bug", "gift"], "count": [44, 30, 1]})
    text = _description(charts.plot_label_distribution(dist, rare=["gift"]))
    assert text == ("Horizontal bar chart of labels per category: 3 categories, 75 labels; most refund (44), "
                    "fewest gift (1); under-represented: gift.")


def test_category_agreement_alt_text_has_the_highest_and_lowest_kappa():
    t = pd.DataFrame({"category": ["a", "b", "c"], "support": [5, 7, 9], "kappa": [0.41, 0.82, 0.6],
                      "kappa_low": [0.2, 0.7, 0.5], "kappa_high": [0.6, 0.9, 0.7]})
    assert "highest b (0.82), lowest a (0.41)" in _description(charts.plot_category_agreement(t))


def test_annotator_spread_alt_text_gives_the_quantiles():
    t = pd.DataFrame({"n_items": [10, 20, 30, 40, 1000]})
    text = _description(charts.plot_annotator_spread(t, value="n_items", title="Items labeled per annotator"))
    assert text == ("Histogram: items labeled per annotator, across 5 annotators: median 30, 10th percentile 14, "
                    "90th percentile 616, range 10 to 1,000.")


def test_win_rate_and_bradley_terry_alt_texts():
    t = pd.DataFrame({"system": ["x", "y"], "win_rate": [0.7, 0.3], "score": [0.4, -0.4], "ci_low": [0.6, -0.8],
                      "ci_high": [0.8, -0.1], "n_comparisons": [40, 40]})
    assert "highest x (70%), lowest y (30%)" in _description(charts.plot_win_rates(t))
    assert "highest x (0.40), lowest y (-0.40)" in _description(charts.plot_bradley_terry(t))


def test_a_long_description_is_cut_and_whitespace_collapsed():
    t = pd.DataFrame({"metric": [f"coefficient_{k}" for k in range(40)], "value": 0.5, "ci_low": 0.4, "ci_high": 0.6})
    text = _description(charts.plot_agreement_intervals(t))
    assert len(text) == 600 and text.endswith("…") and "  " not in text
    assert text.startswith("Dot-and-interval chart of 40 agreement coefficients: coefficient 0 0.500 (95% CI")


@pytest.mark.parametrize("spec, want", [
    ({"description": "  Bars of a\x07b  "}, "Bars of a⟨U+0007⟩b"),
    ({"title": "Labels"}, "Chart: Labels"),
    ({"title": {"text": "Labels"}}, "Chart: Labels"),
    ({}, None),
])
def test_the_report_renderer_uses_the_description_then_the_title(spec, want):
    assert figures.alt_text(spec) == want


def test_the_report_renderer_puts_alt_text_in_the_metadata_and_the_svg():
    chart = charts.plot_label_distribution(pd.DataFrame({"category": ["a<b"], "count": [3]}))
    data, metadata = figures.render_svg(chart.to_dict())
    alt = metadata["image/svg+xml"]["alt"]
    assert alt.startswith("Horizontal bar chart of labels per category: 1 categories, 3 labels; a<b (3)")
    svg = data["image/svg+xml"]
    assert svg.startswith('<svg role="img" aria-label="Horizontal bar chart') and "a&lt;b (3)" in svg
    assert "<title>Horizontal bar chart" in svg
