"""``Labeller``: label the items of a round, one key or click per item, saved as you go.

The screen is :class:`~workbench.widgets._view.ClassificationView` (header, item,
options grouped by parent, definitions panel, controls); the
:class:`~workbench.widgets.session.LabelingSession` behind it owns the queue and the
store writes. See the Examples of :class:`Labeller`.

Examples
--------
>>> from workbench.widgets.labeller import Labeller, ClassificationView
>>> issubclass(Labeller, ClassificationView)
True
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from ._bound import SessionWidget
from ._view import ClassificationView

__all__ = ["Labeller", "ClassificationView"]


class Labeller(SessionWidget, ClassificationView):
    """Label the items of a round, one key or click per item, saved to the store as you go.

    Parameters
    ----------
    store : AnnotationStore or str
        The store or its URL (``"sqlite:///labels.db"``).
    annotator : str
        Your name, as stored in the ``annotator`` column.
    round : int
        The round to label (``store.create_round``).
    taxonomy : Taxonomy, optional
        Defaults to the round's taxonomy version.
    item_renderer : callable, optional
        ``render(item) -> str | ipywidget`` (see :mod:`workbench.widgets.renderers`).
    mask_pii : bool, optional
        Mask emails, phone numbers, card numbers, IBANs and IP addresses in the shown text. Default:
        the round's ``mask_pii`` setting, on unless the round switched it off.

    Notes
    -----
    Displaying it shows the first unlabeled assigned item (or, with no assignments,
    the round's unlabeled items). Keys 1-9 choose the options in the order shown
    (0 = "None of these"), ``u`` unsure, ``s`` skip, Backspace back, ``?`` guide.

    Examples
    --------
    >>> import pandas as pd
    >>> from workbench.store import AnnotationStore
    >>> from workbench.taxonomy import Taxonomy
    >>> store = AnnotationStore("sqlite://")  # in a notebook: "sqlite:///labels.db"
    >>> v = store.save_taxonomy(Taxonomy.from_yaml(
    ...     "name: mail\\nversion: 1\\ncategories:\\n  - {id: spam, definition: Unwanted.}\\n"
    ...     "  - {id: ham, definition: Wanted.}\\n"))
    >>> _ = store.add_items(pd.DataFrame({"item_id": ["m1", "m2"], "text": ["Win a prize!", "Lunch?"]}))
    >>> _ = store.create_round(1, taxonomy_version=v)
    >>> lab = Labeller(store, annotator="alice", round=1)
    >>> lab.item.item_id, lab.options
    ('m1', ['spam', 'ham'])
    >>> lab.press("1")
    >>> store.annotations()[["item_id", "label"]].values.tolist(), lab.item.item_id
    ([['m1', 'spam']], 'm2')
    """

    kind = "label"

    def __init__(self, store: Any, *, annotator: Optional[str] = None, round: int, taxonomy=None,
                 item_renderer: Optional[Callable] = None, mask_pii: Optional[bool] = None):
        super().__init__(store, annotator=annotator, round=round, taxonomy=taxonomy, item_renderer=item_renderer,
                         mask_pii=mask_pii)

    def __repr__(self) -> str:
        done, total = self.session.progress
        return (f"<Labeller round={self.session.round} annotator={self.session.annotator!r} "
                f"taxonomy={self.taxonomy.name!r} v{self.taxonomy.version} {done}/{total} labeled>")

