"""Labeling front ends: ipywidgets views driven by a controller that writes to the store.

Every name is imported lazily, so ``import workbench.widgets`` loads no ipywidgets.

- :class:`Labeller` (``labeller.py``): single- and multi-label classification.
- :class:`PairwiseRater` (``pairwise.py``), :class:`RubricRater` (``rubric.py``),
  :class:`Adjudicator` (``adjudicator.py``), :class:`CalibrationQuiz` (``quiz.py``), span / box
  tagging (``tagging.py``).
- Shared pieces for new widgets: :mod:`._protocol` (Item, Submission, LabelWidget),
  :mod:`.session` (LabelingSession), :mod:`._bound` (SessionWidget), the screens
  :mod:`._view` (ClassificationView), :mod:`._frame` (ReviewFrame) and :mod:`._tags`
  (TagFrame) over :mod:`._base` (ActionView), :mod:`.renderers`, :mod:`._keys`, :mod:`._style`.
- Every view answers ``press(key)`` as the keyboard does (``lab.press("1")``).
- :func:`serve`: the labeling page as a Voilà app for labelers who never open Jupyter.

Building another widget (rater, adjudicator, quiz, tagger) on the shared pieces:

1. a view (an ``ipywidgets.VBox``, usually a ``ReviewFrame`` or ``ClassificationView``) that
   implements ``display(item)``, ``on_submit(cb)``, ``on_skip(cb)``, ``on_undo(cb)``,
   ``press(key)`` and optionally ``set_progress(done, total, n_skipped)``; it calls
   ``cb(Submission(label=..., unsure=..., note=..., duration_ms=...))`` and never touches the
   store; the state the screen shows is held in traits whose observers repaint it;
2. the widget class is ``class MyRater(SessionWidget, MyView)`` with ``kind = "my-kind"``:
   :class:`~workbench.widgets._bound.SessionWidget` opens the ``LabelingSession`` (queue,
   history for undo, writes) of that kind and attaches the view;
3. items are shown with :mod:`.renderers` (all text escaped), keys via ``_keys.attach_keys``
   (an ``ipyevents.Event`` kept as an attribute, never in ``children``), CSS from
   ``_style`` (classes ``wb-*``); ``_definitions`` renders options and rules.

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
    "pairwise": ["PairwiseRater"],
    "rubric": ["RubricRater"],
    "adjudicator": ["Adjudicator", "disagreeing_items"],
    "quiz": ["CalibrationQuiz", "quiz_scores"],
    "active": ["ActiveLabelingLoop"],
    "tagging": ["SpanTagger", "BoxAnnotator"],
    "dashboard": ["Dashboard"],
    "review": ["Reviewer", "single_labeled_items"],
})
