"""The bundled demo project (``data/``: a hand-written support-intent taxonomy and items) and
the simulated annotators that label it.

- ``_project``: writing, loading and running the demo pilot round.
- ``_simulated_annotators``: annotators with known confusions, for demos and tests.
- ``_task_rounds``: SIMULATED rounds of the other task types (label sets, spans, boxes, model
  comparisons with a rubric), for the example reports and tests.
- ``_operations``: a SIMULATED multi-week vendor program (teams, gold items, turnaround, a
  drifting labeler), for the SLA, trend and dashboard views.
"""

from .._internal.lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "_simulated_annotators": ["SimulatedAnnotator", "SIMULATED_ANNOTATORS", "simulate_labels",
                              "gold_for_taxonomy"],
    "_project": ["load_demo_project", "write_demo_project", "simulate_round", "run_demo_round"],
    "_operations": ["labeling_program", "PROGRAM_TEAMS", "PROGRAM_TARGETS_YAML"],
    "_task_rounds": ["multilabel_round", "spans_round", "boxes_round", "evaluation_round", "SYSTEM_STRENGTH"],
})
