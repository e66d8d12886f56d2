"""Pure altair chart builders: a DataFrame in, an ``alt.Chart`` out, nothing displayed.

Each submodule owns the charts of one analysis: ``agreement``, ``errors``, ``learning``
and ``scope``. Import altair lazily: importing ``workbench`` must not import it.
"""

from .._internal.lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "agreement": ["plot_coincidence_heatmap", "plot_category_agreement", "plot_annotator_matrix",
                  "plot_agreement_intervals"],
    "errors": ["plot_model_confusion", "plot_classification_quality", "plot_confusion_evidence"],
    "learning": ["plot_learning_curve"],
    "scope": ["plot_label_distribution", "plot_workload"],
})
