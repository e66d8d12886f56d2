"""Pure altair chart builders: a DataFrame in, an ``alt.Chart`` out, nothing displayed.

Each submodule owns the charts of one analysis: ``agreement``, ``calibration``, ``comparison``,
``errors``, ``evaluation``, ``learning`` and ``scope``. Every chart has a ``description``, its alt text
(``_describe``); ``chart_svg`` draws any of them as a labelled static SVG (``_svg``). altair is imported lazily: importing ``workbench`` must not import it.
"""

from .._internal.lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "agreement": ["plot_coincidence_heatmap", "plot_category_agreement", "plot_annotator_matrix",
                  "plot_agreement_intervals", "plot_split_pairs", "plot_annotator_spread",
                  "plot_label_scores"],
    "calibration": ["plot_gold_scores"],
    "comparison": ["plot_category_change"],
    "evaluation": ["plot_win_rates", "plot_bradley_terry", "plot_score_distribution", "plot_criterion_correlations"],
    "errors": ["plot_model_confusion", "plot_classification_quality", "plot_confusion_evidence"],
    "learning": ["plot_learning_curve"],
    "operations": ["plot_speed_quality", "plot_target_trend", "plot_label_shares", "plot_round_trend"],
    "scope": ["plot_label_distribution", "plot_workload"],
    "_svg": ["chart_svg", "alt_text", "labelled_svg"],
})
