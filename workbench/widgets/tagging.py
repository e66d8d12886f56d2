"""Span tagging for text (``SpanTagger``) and bounding boxes for images (``BoxAnnotator``).

Both are built from standard ipywidgets plus ipyevents only, and the ipyevents
listeners are attributes, never children: this is what makes them work in
JupyterLab 4 and Voilà, where ipyannotations 0.5.1's ``TextTagger`` /
``PointAnnotator`` show "Class null not found in module @jupyter-widgets/controls".

- :class:`SpanTagger`: the text is shown as clickable words. Click the first and the last
  word of a span (or one word twice), then press the label's digit (or click the label):
  the span is coloured and listed; ``✕`` on its chip removes it. ``Enter`` saves the
  item's spans (none is a valid answer) as ``kind="spans"`` with the label
  ``[{"start": 0, "end": 5, "label": "PER", "text": "Alice"}, ...]`` (character offsets,
  ``end`` exclusive).
- :class:`BoxAnnotator`: click two opposite corners on the image, then press the label's
  digit: the box is drawn. ``Enter`` saves ``kind="boxes"`` with
  ``[{"x": 3, "y": 4, "w": 20, "h": 10, "label": "dog"}, ...]`` in image pixels.

Examples
--------
>>> [tok for _, _, tok in tokenize("Hi, Ann!")]
['Hi', ',', 'Ann', '!']
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from ._bound import SessionWidget
from ._boxes import BoxView, image_data
from ._spans import SpanTaggingView, tokenize

__all__ = ["SpanTagger", "BoxAnnotator", "SpanTaggingView", "BoxView", "tokenize", "image_data"]


class SpanTagger(SessionWidget, SpanTaggingView):
    """Tag spans of text items with labels; every item's spans are saved as ``kind="spans"``.

    Parameters
    ----------
    store : AnnotationStore or str
        The store or its URL.
    annotator : str
        Your name.
    round : int
        The round whose items are tagged.
    taxonomy : Taxonomy, optional
        Defaults to the round's taxonomy version; its labels are the tags unless ``labels`` is given.
    labels : list of str or dict, optional
        The tag set (e.g. ``["PER", "ORG", "LOC"]``), at most 9.
    item_ids : sequence of str, optional
        An explicit queue.
    rationale : bool, default False
        Require a note.

    Examples
    --------
    >>> from workbench.store import AnnotationStore
    >>> store = AnnotationStore.example()
    >>> tagger = SpanTagger(store, annotator="ann", round=1, labels=["PROBLEM"])
    >>> tagger.item.text
    'I want my money back'
    >>> tagger.token_buttons[3].click(); tagger.token_buttons[4].click()  # "money back"
    >>> tagger.press("1")
    >>> tagger.press("Enter")
    >>> store.annotations(kind="spans")["label"].iloc[0]
    '[{"start": 10, "end": 20, "label": "PROBLEM", "text": "money back"}]'
    """

    kind = subtitle = "spans"
    masks_pii = False  # offsets are in the raw text

    def __init__(self, store: Any, *, annotator: Optional[str] = None, round: int, taxonomy=None, labels: Optional[Sequence] = None,
                 item_ids=None, rationale: bool = False):
        super().__init__(store, annotator=annotator, round=round, taxonomy=taxonomy, item_ids=item_ids,
                         labels=labels, rationale=rationale)


class BoxAnnotator(SessionWidget, BoxView):
    """Draw labeled bounding boxes on image items; every item's boxes are saved as ``kind="boxes"``.

    Parameters
    ----------
    store : AnnotationStore or str
        The store or its URL.
    annotator : str
        Your name.
    round : int
        The round whose items are annotated (items need an ``image`` or ``image_path`` column).
    taxonomy : Taxonomy, optional
        Defaults to the round's taxonomy version; its labels are the box labels unless ``labels`` is given.
    labels : list of str or dict, optional
        The label set, at most 9.
    item_ids : sequence of str, optional
        An explicit queue.
    rationale : bool, default False
        Require a note.
    max_width : int, default 640
        Display width of the image.

    Examples
    --------
    >>> import pandas as pd
    >>> from workbench.store import AnnotationStore
    >>> store = AnnotationStore.example()
    >>> _ = store.add_items(pd.DataFrame({"item_id": ["im1"], "text": ["a square"],
    ...                                   "image": ["[[0, 0], [0, 255]]"]}))
    >>> boxes = BoxAnnotator(store, annotator="ann", round=1, labels=["square"], item_ids=["im1"])
    >>> boxes.scale  # 2 x 2 pixels fit 520 px high
    260.0
    >>> boxes._canvas_click({"relativeX": 260, "relativeY": 260}); boxes._canvas_click({"relativeX": 520, "relativeY": 520})
    >>> boxes.press("1"); boxes.press("Enter")
    >>> store.annotations(kind="boxes")["label"].iloc[0]
    '[{"x": 1, "y": 1, "w": 1, "h": 1, "label": "square"}]'
    """

    kind = subtitle = "boxes"
    masks_pii = False

    def __init__(self, store: Any, *, annotator: Optional[str] = None, round: int, taxonomy=None, labels: Optional[Sequence] = None,
                 item_ids=None, rationale: bool = False, max_width: int = 640):
        super().__init__(store, annotator=annotator, round=round, taxonomy=taxonomy, item_ids=item_ids,
                         labels=labels, rationale=rationale, max_width=max_width)
