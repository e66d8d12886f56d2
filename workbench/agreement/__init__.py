"""Inter-annotator agreement: DataFrames in long format in, scores and tables out.

Functions named ``*_score`` return one float (higher is better); ``*_table`` return tidy
DataFrames whose columns are listed in their docstrings.

- ``_core``: parsing ratings into count matrices; ``_chance``: the chance models;
  ``_engine``: the coefficients; ``_bootstrap``: item-level resampling.
- ``_scores``: the ``*_score`` functions; ``_tables``: agreement, per-category, pairwise and
  hierarchy tables; ``_items``: annotator, confusion, disagreement and consensus tables.
- Other kinds of answers: ``_multilabel`` (label sets), ``_spans`` (text spans), ``_boxes``
  (bounding boxes), ``_preferences`` (pairwise preferences and rankings between systems), ``_rater_checks``
  (agreement, ties, position bias and transitivity of preference raters), ``_rubric`` (rubric
  ratings: scores per criterion, alpha per criterion and level, distributions, correlations,
  rationale coverage).
"""

from .._internal.lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "_scores": ["percent_agreement_score", "cohen_kappa_score", "scott_pi_score", "fleiss_kappa_score",
                "conger_kappa_score", "brennan_prediger_score", "gwet_ac1_score", "gwet_ac2_score",
                "krippendorff_alpha_score"],
    "_engine": ["METRICS"],
    "_tables": ["agreement_table", "per_category_table", "pairwise_table", "hierarchy_table"],
    "_items": ["annotator_table", "confusion_table", "disagreement_table", "consensus_table",
               "coincidence_matrix"],
    "_multilabel": ["multilabel_agreement", "label_cooccurrence", "per_label_table", "label_split_table"],
    "_spans": ["span_agreement", "span_token_kappa", "consensus_spans", "span_disagreements"],
    "_boxes": ["box_iou", "box_agreement", "consensus_boxes", "box_disagreements"],
    "_preferences": ["preferences_from_annotations", "win_rates", "bradley_terry"],
    "_rater_checks": ["preference_agreement", "tie_rate", "position_bias", "transitivity_violations"],
    "_rubric": ["rubric_scores", "rubric_agreement", "rubric_distribution", "rubric_correlations",
                "rationale_coverage"],
})
