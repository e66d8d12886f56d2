"""Majority vote over long-format annotations, shared by the modules that need one label per item.

Examples
--------
>>> import pandas as pd
>>> ann = pd.DataFrame({"item_id": [1, 1, 1, 2, 2], "label": ["x", "y", "y", "b", "a"]})
>>> majority_vote(ann).to_dict()
{1: 'y', 2: 'a'}
"""

from __future__ import annotations

import pandas as pd

__all__ = ["majority_vote"]


def majority_vote(annotations: pd.DataFrame, *, item_col: str = "item_id", label_col: str = "label") -> pd.Series:
    """The most frequent label of each item, as a Series indexed by item; ties go to the smallest label.

    Missing labels are ignored, so an item whose labels are all missing is absent. The tie rule
    makes the result deterministic (the same input always gives the same labels).

    Parameters
    ----------
    annotations : pandas.DataFrame
        Long format, one row per judgement.
    item_col, label_col : str

    Returns
    -------
    pandas.Series
        Named ``label_col``, indexed by ``item_col``.
    """
    votes = annotations.dropna(subset=[label_col])
    if votes.empty:
        return pd.Series(dtype=object, name=label_col, index=pd.Index([], name=item_col))
    counts = votes.groupby([item_col, label_col]).size().rename("n").reset_index()
    counts = counts.sort_values([item_col, "n", label_col], ascending=[True, False, True])
    return counts.drop_duplicates(item_col).set_index(item_col)[label_col]
