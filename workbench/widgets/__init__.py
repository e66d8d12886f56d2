"""Labeling front ends: ipywidgets views driven by a controller that writes to the store.

Every name is imported lazily, so ``import workbench.widgets`` loads no ipywidgets.

- :class:`Labeller` (``labeller.py``): single- and multi-label classification.
- :class:`PairwiseRater`, :class:`RubricRater` (``raters.py``), :class:`Adjudicator`
  (``adjudicator.py``), :class:`CalibrationQuiz` (``quiz.py``), span / box tagging
  (``tagging.py``).
- Shared pieces for new widgets: :mod:`._protocol` (Item, Submission, LabelWidget),
  :mod:`.session` (LabelingSession), :mod:`.renderers`, :mod:`._keys`, :mod:`._style`.
- :func:`serve`: the labeling page as a Voilà app for labelers who never open Jupyter.

Building another widget (rater, adjudicator, quiz, tagger) on the shared pieces:

1. a view (an ``ipywidgets.VBox``) that implements ``display(item)``, ``on_submit(cb)``,
   ``on_skip(cb)``, ``on_undo(cb)`` and optionally ``set_progress(done, total, n_skipped)``;
   it calls ``cb(Submission(label=..., unsure=..., note=..., duration_ms=...))`` and never
   touches the store;
2. ``LabelingSession(store, annotator=..., round=..., kind="pairwise" | "rubric" | "adjudication"
   | "quiz", item_ids=None)`` owns the queue, the history (undo) and the writes;
   ``session.attach(view)`` wires them;
3. items are shown with :mod:`.renderers` (all text escaped), keys via ``_keys.attach_keys``
   (an ``ipyevents.Event`` kept as an attribute, never in ``children``), CSS from
   ``_style.style_widget()`` (classes ``wb-*``); ``_definitions`` renders options and rules.

Examples
--------
>>> import workbench.widgets as w
>>> "Labeller" in w.__all__
True
"""

from .._internal.lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "labeller": ["Labeller"],
    "_view": ["ClassificationView"],
    "session": ["LabelingSession"],
    "_protocol": ["Item", "Submission", "LabelWidget"],
    "renderers": ["render_text", "render_image", "render_audio", "render_conversation", "render_item"],
    "serve": ["serve"],
    "raters": ["PairwiseRater", "RubricRater"],
    "adjudicator": ["Adjudicator", "disagreeing_items"],
    "quiz": ["CalibrationQuiz", "quiz_scores"],
    "active": ["ActiveLabelingLoop"],
    "tagging": ["SpanTagger", "BoxAnnotator"],
})
