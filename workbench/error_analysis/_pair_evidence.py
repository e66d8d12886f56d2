"""How often humans split between two categories on the same item (private helper).

Private helper of :mod:`workbench.error_analysis` (kept here rather than imported
from :mod:`workbench.agreement`: the two modules sit in the same layer).

For an item with ``n_a`` ratings of category ``a`` and ``n_b`` of ``b``, ``n_a * n_b``
annotator pairs split between ``a`` and ``b`` on it; the count of the pair ``{a, b}``
sums that over items (the off-diagonal of the unnormalised coincidence matrix, the
same definition as ``workbench.agreement.confusion_table``). Two annotators who
split a/b on an item count 1, three who rate a, a, b count 2, three who rate
a, b, c count 1 for each of the three pairs. Items rated once carry no pair information.

Examples
--------
>>> import pandas as pd
>>> from workbench.error_analysis._pair_evidence import human_pair_counts
>>> df = pd.DataFrame({"item_id": [1, 1, 2, 2, 2], "label": ["a", "b", "a", "a", "b"]})
>>> counts, examples = human_pair_counts(df, item_col="item_id", label_col="label")
>>> counts
{('a', 'b'): 3}
>>> examples[("a", "b")]
[2, 1]
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

import pandas as pd

__all__ = ["human_pair_counts", "pair_key"]


def pair_key(a, b) -> tuple:
    """The unordered pair ``(a, b)`` in a fixed order (by string form).

    Examples
    --------
    >>> from workbench.error_analysis._pair_evidence import pair_key
    >>> pair_key("z", "a")
    ('a', 'z')
    """
    return (a, b) if str(a) <= str(b) else (b, a)


def human_pair_counts(df: pd.DataFrame, *, item_col: str, label_col: str):
    """Number of disagreeing annotator pairs per unordered category pair, and example items.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per judgement, already cleaned (no missing labels).

    Returns
    -------
    counts : dict
        ``(category_a, category_b) -> int`` for every pair with a disagreement.
    examples : dict
        ``(category_a, category_b) -> list of item ids``, the items with the largest
        contribution first (ties: in order of first appearance).
    """
    counts: dict = defaultdict(int)
    contributions: dict = defaultdict(list)
    per_item = df.groupby([item_col, label_col], sort=False).size()
    for item, group in per_item.groupby(level=0, sort=False):
        if len(group) < 2:
            continue
        labels = group.index.get_level_values(1)
        for (a, n_a), (b, n_b) in combinations(zip(labels, group.to_numpy()), 2):
            key = pair_key(a, b)
            weight = int(n_a * n_b)
            counts[key] += weight
            contributions[key].append((weight, item))
    examples = {}
    for key, pairs in contributions.items():
        order = sorted(range(len(pairs)), key=lambda i: (-pairs[i][0], i))
        examples[key] = [pairs[i][1] for i in order]
    return dict(counts), examples
