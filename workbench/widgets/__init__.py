"""Labeling front ends: ipywidgets views driven by a controller that writes to the store.

Every name is imported lazily, so ``import workbench.widgets`` loads no ipywidgets,
and a widget whose module is missing fails only when it is used.

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

from __future__ import annotations

import importlib
from typing import Any

# name -> submodule that defines it
_EXPORTS = {
    "Labeller": "labeller",
    "ClassificationView": "_view",
    "LabelingSession": "session",
    "Item": "_protocol",
    "Submission": "_protocol",
    "LabelWidget": "_protocol",
    "render_text": "renderers",
    "render_image": "renderers",
    "render_audio": "renderers",
    "render_conversation": "renderers",
    "render_item": "renderers",
    "serve": "serve",
    "PairwiseRater": "raters",
    "RubricRater": "raters",
    "Adjudicator": "adjudicator",
    "disagreeing_items": "adjudicator",
    "CalibrationQuiz": "quiz",
    "quiz_scores": "quiz",
    "ActiveLabelingLoop": "active",
    "SpanTagger": "tagging",
    "BoxAnnotator": "tagging",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module_name = f"{__name__}.{_EXPORTS[name]}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            from ..exceptions import MissingDependencyError

            raise MissingDependencyError(
                f"workbench.widgets.{name} lives in {module_name}, which is not in this installation yet. "
                "Upgrade taxonomy-workbench, or use the widgets available: Labeller."
            ) from exc
        try:
            return getattr(module, name)
        except AttributeError as exc:
            raise AttributeError(f"{module_name} does not define {name!r} (yet)") from exc
    raise AttributeError(f"module 'workbench.widgets' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
