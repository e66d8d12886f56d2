"""Keeping a labeling program healthy over time: label drift across rounds, labelers drifting.

- ``_drift``: the label distribution of every round, a test per step between consecutive
  rounds (chi-square test of homogeneity and the population stability index), and each
  labeler's agreement with the others, round by round.
- ``_progress``: per labeler assigned, done, remaining, throughput and an estimated finish.
- ``_pool``: the labeling pool against production data: text length, language, predicted labels.
- ``_sla``: quality targets per team or vendor (``targets.yaml``) and whether each is met, over
  a date range and week by week: agreement, gold accuracy, turnaround, cost per item.

Analysis layer: DataFrames in, DataFrames out, never the store.
"""

from .._internal.lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "_drift": ["label_distribution_table", "label_drift_table", "labeler_drift_table", "psi",
               "PSI_MODERATE", "PSI_MAJOR"],
    "_progress": ["progress_speed_table"],
    "_pool": ["text_length_drift", "language_drift", "predicted_label_drift", "pool_drift_report",
              "identify_languages", "UNDETERMINED", "MIN_WORDS_FOR_LANGUAGE"],
    "_sla": ["QualityTargets", "TARGETS", "NO_TEAM", "sla_table", "sla_trend_table", "vendor_activity_table"],
})
