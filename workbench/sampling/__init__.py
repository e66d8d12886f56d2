"""Pilot sampling and active learning: the next items worth a human's time.

- ``_select``: :func:`select_batch`; ``_strategies``: the named strategies and their
  registry; ``_informativeness``: uncertainty scores; ``_diversity``: near-duplicate guard.
- ``_pilot``: pilot design and assignment (:func:`pilot_sample`, :func:`assign`, ...).
- ``_active_learner``: :class:`ActiveLearner`; ``_learner_fit``: its training helpers.
- ``_spot_checks``: audit samples of single-labeled work per labeler or vendor, stratified by label.
- ``_acceptance``: acceptance sampling of a delivered batch (:func:`acceptance_plan`,
  :func:`acceptance_verdict`, :func:`operating_characteristic`; ISO 2859-1 and exact plans).
"""

from .._internal.lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "_select": ["select_batch"],
    "_strategies": ["STRATEGIES", "DEFAULT_STRATEGY", "Strategy"],
    "_pilot": ["pilot_sample", "allocation_table", "assign", "calibration_set"],
    "_active_learner": ["ActiveLearner"],
    "_spot_checks": ["spot_check_sample"],
    "_acceptance": ["acceptance_plan", "acceptance_verdict", "operating_characteristic",
                    "AcceptancePlan", "AcceptanceVerdict", "AQLS", "INSPECTION_LEVELS"],
})
