"""Where a model trained on the pilot labels goes wrong, and which labels look wrong.

- ``_oof``: out-of-fold predictions; ``_predictions``: the :class:`Predictions` record.
- ``_label_issues`` / ``_noise_mixture``: label-issue ranking (cleanlab and a noise model).
- ``_pair_evidence``: human and model confusion pairs; ``_tables``: the public tables.
- ``_labeler_quality``: each labeler against a reference (gold, adjudication, leave-one-out
  consensus), CROWDLAB labeler quality and consensus, and a per-labeler feedback digest.
- ``_multilabel``: label sets (one-vs-rest out-of-fold probabilities, per-label scores and
  label issues); ``_multilabel_predictions``: the :class:`MultilabelPredictions` record.
"""

from .._internal.lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "_predictions": ["Predictions"],
    "_tables": ["cross_validated_predictions", "classification_table", "model_confusion_table",
                "label_issue_table", "confusion_evidence_table", "LABEL_ISSUE_METHODS"],
    "_labeler_quality": ["reference_labels", "labeler_quality_table", "labeler_category_table",
                         "labeler_confusion_table", "crowdlab_table", "feedback_digest", "feedback_digest_html",
                         "F1_INTERVALS"],
    "_multilabel_predictions": ["MultilabelPredictions"],
    "_reviews": ["review_table", "review_summary_table", "review_reference"],
    "_multilabel": ["multilabel_predictions", "multilabel_classification_table", "multilabel_label_issue_table",
                    "per_label_issue_table", "MULTILABEL_ISSUE_FILTERS"],
})
