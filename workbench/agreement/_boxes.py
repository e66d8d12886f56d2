"""Bounding-box agreement: IoU matching between annotators, F1 at IoU thresholds, consensus boxes.

Private helper of :mod:`workbench.agreement` (re-exported there). A box answer is the
store's ``kind="boxes"`` label: a JSON list (or a Python list) of
``{"x": 3, "y": 4, "w": 20, "h": 10, "label": "dog"}`` in pixels (top-left corner, width,
height). An empty list is a valid answer (no boxes); a missing label is no answer.

Boxes of two annotators on one item are matched one-to-one within a class with the
Hungarian algorithm (``scipy.optimize.linear_sum_assignment``): at a threshold ``t`` only
pairs with IoU >= t may match, and the matching maximises the number of matches, then
their total IoU. ``n_matched`` and ``mean_iou`` use the matching of all overlapping boxes
(IoU > 0); ``f1_iou_50`` is ``2 * matches / (n_a + n_b)`` at IoU 0.5.

Examples
--------
>>> import numpy as np
>>> box_iou(np.array([[0, 0, 10, 10]]), np.array([[5, 0, 10, 10], [20, 20, 5, 5]])).round(4).tolist()
[[0.3333, 0.0]]
"""

from __future__ import annotations

from itertools import combinations
from typing import Dict, Optional, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from ._spans import f1, pair_rows, payload_label, payload_number, read_region_answers, rollup, warn_undefined
from .._internal.validation import check_fraction
from ..exceptions import DataError, ValidationError

__all__ = ["box_iou", "box_agreement", "consensus_boxes", "box_disagreements"]

CONSENSUS_COLUMNS = ["item_id", "label", "x", "y", "w", "h", "support", "n_annotators", "share", "mean_iou"]


def box_iou(a, b) -> np.ndarray:
    """Intersection over union of every box in ``a`` with every box in ``b``.

    Parameters
    ----------
    a, b : array-like, shape (n, 4) and (m, 4)
        Boxes as ``x, y, w, h`` (top-left corner, width, height).

    Returns
    -------
    ndarray, shape (n, m)

    Examples
    --------
    Two 10 x 10 squares shifted by 5 pixels share 50 of 150 pixels:

    >>> float(box_iou([[0, 0, 10, 10]], [[5, 0, 10, 10]])[0, 0])
    0.3333333333333333
    """
    a = np.asarray(a, dtype=float).reshape(-1, 4)
    b = np.asarray(b, dtype=float).reshape(-1, 4)
    ax2, ay2 = a[:, 0] + a[:, 2], a[:, 1] + a[:, 3]
    bx2, by2 = b[:, 0] + b[:, 2], b[:, 1] + b[:, 3]
    iw = np.clip(np.minimum(ax2[:, None], bx2[None]) - np.maximum(a[:, None, 0], b[None, :, 0]), 0, None)
    ih = np.clip(np.minimum(ay2[:, None], by2[None]) - np.maximum(a[:, None, 1], b[None, :, 1]), 0, None)
    inter = iw * ih
    union = (a[:, 2] * a[:, 3])[:, None] + (b[:, 2] * b[:, 3])[None] - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)


def _parse_box(element: dict, where: str) -> tuple:
    x, y = (float(payload_number(element, k, where, integer=False)) for k in ("x", "y"))
    w, h = (float(payload_number(element, k, where, integer=False)) for k in ("w", "h"))
    if w <= 0 or h <= 0:
        raise DataError(f"{where}: a box needs a positive width and height; got w={w}, h={h} in {element!r}.",
                        reason="bad_label")
    return x, y, w, h, payload_label(element, where)


def _match(iou: np.ndarray, threshold: float):
    """(rows, cols) of the maximum matching among pairs with IoU >= threshold (> 0 for threshold 0)."""
    allowed = iou >= threshold if threshold > 0 else iou > 0
    if not allowed.any():
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    big = float(min(iou.shape) + 1)  # any extra match outweighs every IoU gain
    rows, cols = linear_sum_assignment(np.where(allowed, big + iou, 0.0), maximize=True)
    keep = allowed[rows, cols]
    return rows[keep], cols[keep]


def _comparer(thresholds):
    def compare(A, B) -> dict:
        out = {}
        for label in sorted({bx[4] for bx in A} | {bx[4] for bx in B}):
            a = np.array([bx[:4] for bx in A if bx[4] == label]).reshape(-1, 4)
            b = np.array([bx[:4] for bx in B if bx[4] == label]).reshape(-1, 4)
            iou = box_iou(a, b)
            rows, cols = _match(iou, 0.0)
            tps = [len(_match(iou, t)[0]) for t in thresholds]
            out[label] = (len(a), len(b), len(rows), float(iou[rows, cols].sum()), *tps)
        return out
    return compare


def _thresholds(values, caller):
    values = [values] if isinstance(values, (int, float)) else list(values)
    for t in values:
        check_fraction(t, param="iou_thresholds", caller=caller, inclusive_zero=False)
    names = [f"f1_iou_{round(t * 100):02d}" for t in values]
    if len(set(names)) != len(names):
        raise ValidationError(f"The 'iou_thresholds' parameter of {caller} must not repeat a threshold. "
                              f"Got {values!r} instead.")
    return values, names


def box_agreement(df: pd.DataFrame, *, iou_thresholds: Sequence[float] = (0.5, 0.75),
                  kind: Optional[str] = "boxes", item_col: str = "item_id", annotator_col: str = "annotator",
                  label_col: str = "label") -> pd.DataFrame:
    """Box agreement between every pair of annotators: matches, mean IoU, F1 at IoU thresholds.

    Parameters
    ----------
    df : pandas.DataFrame
        Long box answers (see the module docs for the payload and the matching).
    iou_thresholds : sequence of float in (0, 1], default (0.5, 0.75)
        One ``f1_iou_<100 t>`` column per threshold (``f1_iou_50``, ``f1_iou_75``).
    kind : str or None, default 'boxes'
        When ``df`` has a ``kind`` column, only rows of this kind are used (None: all rows).
    item_col, annotator_col, label_col : str

    Returns
    -------
    pandas.DataFrame
        Columns ``annotator_a, annotator_b, label, n_items, n_boxes_a, n_boxes_b,
        n_matched, mean_iou, f1_iou_50, f1_iou_75``. Rows per (pair, class); per pair
        over all classes (``label`` missing); per class over all pairs (annotators missing);
        overall, last. ``mean_iou`` averages the IoU of the matched boxes; values with
        nothing to average or match are NaN (with a WorkbenchWarning).

    Examples
    --------
    >>> import pandas as pd
    >>> a = [{"x": 0, "y": 0, "w": 10, "h": 10, "label": "dog"}, {"x": 50, "y": 50, "w": 10, "h": 10, "label": "cat"}]
    >>> b = [{"x": 1, "y": 0, "w": 10, "h": 10, "label": "dog"}, {"x": 53, "y": 50, "w": 10, "h": 10, "label": "cat"}]
    >>> df = pd.DataFrame({"item_id": ["img1", "img1"], "annotator": ["ana", "ben"], "label": [a, b]})
    >>> box_agreement(df).tail(1)[["n_matched", "mean_iou", "f1_iou_50", "f1_iou_75"]].round(4)
       n_matched  mean_iou  f1_iou_50  f1_iou_75
    5          2    0.6783        1.0        0.5
    """
    caller = "box_agreement"
    thresholds, names = _thresholds(iou_thresholds, caller)
    answers = read_region_answers(df, parse=_parse_box, kind=kind, caller=caller, item_col=item_col,
                                  annotator_col=annotator_col, label_col=label_col)
    tp_names = [f"tp_{k}" for k in range(len(thresholds))]
    table = rollup(*pair_rows(answers, _comparer(thresholds)),
                   ["n_boxes_a", "n_boxes_b", "n_matched", "iou_sum", *tp_names])
    with np.errstate(divide="ignore", invalid="ignore"):
        table["mean_iou"] = np.where(table.n_matched > 0, table.iou_sum / table.n_matched.where(table.n_matched > 0, 1),
                                     np.nan)
    for name, tp in zip(names, tp_names):
        table[name] = f1(table[tp], table.n_boxes_a, table.n_boxes_b)
    warn_undefined(table, ["mean_iou", *names], caller)
    return table[["annotator_a", "annotator_b", "label", "n_items", "n_boxes_a", "n_boxes_b", "n_matched",
                  "mean_iou", *names]]


def consensus_boxes(df: pd.DataFrame, *, iou: float = 0.5, min_share: float = 0.5, kind: Optional[str] = "boxes",
                    item_col: str = "item_id", annotator_col: str = "annotator",
                    label_col: str = "label") -> pd.DataFrame:
    """Consensus boxes: cluster the annotators' matching boxes of a class, keep the well-supported clusters.

    Annotators are taken in sorted order; each one's boxes are matched (Hungarian, IoU >=
    ``iou``) to the clusters so far, whose position is the mean of their members; unmatched
    boxes start new clusters. A cluster holds at most one box per annotator. Clusters with
    at least ``min_share`` of the item's annotators (empty answers included) are kept, as
    the mean of their boxes' coordinates.

    Parameters
    ----------
    df : pandas.DataFrame
        Long box answers.
    iou : float in (0, 1], default 0.5
        IoU a box needs with a cluster to join it.
    min_share : float in (0, 1], default 0.5
    kind : str or None, default 'boxes'
    item_col, annotator_col, label_col : str

    Returns
    -------
    pandas.DataFrame
        Columns ``item_id, label, x, y, w, h, support, n_annotators, share, mean_iou``
        (``support``: boxes in the cluster; ``mean_iou``: their mean IoU with the consensus
        box), items in order of first appearance, then by class and position.

    Examples
    --------
    >>> import pandas as pd
    >>> box = lambda x, y: {"x": x, "y": y, "w": 10, "h": 10, "label": "dog"}
    >>> df = pd.DataFrame({"item_id": [1, 1, 1], "annotator": ["a", "b", "c"],
    ...                    "label": [[box(0, 0)], [box(2, 0)], [box(1, 0), box(40, 40)]]})
    >>> consensus_boxes(df)[["label", "x", "y", "w", "h", "support", "share"]]
      label    x    y     w     h  support  share
    0   dog  1.0  0.0  10.0  10.0        3    1.0
    """
    caller = "consensus_boxes"
    threshold = check_fraction(iou, param="iou", caller=caller, inclusive_zero=False)
    min_share = check_fraction(min_share, param="min_share", caller=caller, inclusive_zero=False)
    answers = read_region_answers(df, parse=_parse_box, kind=kind, caller=caller, item_col=item_col,
                                  annotator_col=annotator_col, label_col=label_col)
    rows = []
    for item, by in answers.items():
        for label in sorted({bx[4] for boxes in by.values() for bx in boxes}):
            clusters: list = []  # each: list of member boxes (x, y, w, h)
            for boxes in by.values():
                mine = np.array([bx[:4] for bx in boxes if bx[4] == label]).reshape(-1, 4)
                taken: Dict[int, int] = {}
                if clusters and len(mine):
                    centres = np.array([np.mean(c, axis=0) for c in clusters])
                    r, c = _match(box_iou(mine, centres), threshold)
                    taken = dict(zip(r.tolist(), c.tolist()))
                for k, box in enumerate(mine):
                    if k in taken:
                        clusters[taken[k]].append(box)
                    else:
                        clusters.append([box])
            for members in clusters:
                share = len(members) / len(by)
                if share >= min_share - 1e-12:
                    centre = np.mean(members, axis=0)
                    fit = float(box_iou(np.array(members), centre).mean())
                    rows.append((item, label, *centre.tolist(), len(members), len(by), share, fit))
    out = pd.DataFrame(rows, columns=CONSENSUS_COLUMNS)
    if len(out):
        position = {item: k for k, item in enumerate(answers)}
        out = out.assign(_order=out.item_id.map(position)).sort_values(
            ["_order", "label", "x", "y"], kind="stable").drop(columns="_order").reset_index(drop=True)
    return out


def box_disagreements(df: pd.DataFrame, *, iou: float = 0.5, kind: Optional[str] = "boxes",
                      item_col: str = "item_id", annotator_col: str = "annotator",
                      label_col: str = "label") -> pd.DataFrame:
    """Images ranked by how little their annotators' boxes agree (lowest mean pairwise F1 first).

    The F1 of a pair on one image is ``2 * matches / (n_a + n_b)`` over all classes, a match
    being two boxes of one class with IoU >= ``iou`` (one-to-one, as in :func:`box_agreement`);
    two empty answers agree fully (F1 = 1). Images with fewer than two answers are left out.

    Parameters
    ----------
    df : pandas.DataFrame
        Long box answers.
    iou : float in (0, 1], default 0.5
    kind : str or None, default 'boxes'
    item_col, annotator_col, label_col : str

    Returns
    -------
    pandas.DataFrame
        Columns ``item_id, n_annotators, n_boxes, labels, mean_f1, min_f1, mean_iou``
        (``mean_iou``: of the matched boxes, NaN when none match), ascending by ``mean_f1``
        (ties in item order).

    Examples
    --------
    >>> import pandas as pd
    >>> box = lambda x: {"x": x, "y": 0, "w": 10, "h": 10, "label": "dog"}
    >>> df = pd.DataFrame({"item_id": [1, 1, 2, 2], "annotator": ["a", "b"] * 2,
    ...                    "label": [[box(0)], [box(1)], [box(0)], [box(30)]]})
    >>> box_disagreements(df)[["item_id", "mean_f1", "mean_iou"]].round(3)
       item_id  mean_f1  mean_iou
    0        2      0.0       NaN
    1        1      1.0     0.818
    """
    caller = "box_disagreements"
    (threshold,), _ = _thresholds(iou, caller)
    answers = read_region_answers(df, parse=_parse_box, kind=kind, caller=caller, item_col=item_col,
                                  annotator_col=annotator_col, label_col=label_col)
    compare = _comparer([threshold])
    rows = []
    for item, by in answers.items():
        if len(by) < 2:
            continue
        scores, matched, iou_sum = [], 0, 0.0
        for A, B in combinations(by.values(), 2):
            counts = np.sum(list(compare(A, B).values()), axis=0) if (A or B) else None
            if counts is None:
                scores.append(1.0)
                continue
            n_a, n_b, n_matched, sum_iou, tp = counts
            scores.append(2 * tp / (n_a + n_b))
            matched += int(n_matched)
            iou_sum += float(sum_iou)
        labels = sorted({bx[4] for boxes in by.values() for bx in boxes})
        rows.append((item, len(by), sum(len(v) for v in by.values()), labels, float(np.mean(scores)),
                     float(np.min(scores)), iou_sum / matched if matched else np.nan))
    out = pd.DataFrame(rows, columns=["item_id", "n_annotators", "n_boxes", "labels", "mean_f1", "min_f1", "mean_iou"])
    order = np.lexsort((np.arange(len(out)), out["mean_f1"].to_numpy()))
    return out.iloc[order].reset_index(drop=True)
