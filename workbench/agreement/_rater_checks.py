"""Checks of the raters of pairwise preferences: agreement, tie rate, position bias, transitivity.

Private helper of :mod:`workbench.agreement` (re-exported there). Input: the preferences
frame of :mod:`workbench.agreement._preferences` (``item_id, annotator, system_a, system_b,
winner``; a missing winner is a tie).

Examples
--------
>>> import pandas as pd
>>> prefs = pd.DataFrame({"item_id": [1, 2, 3], "annotator": ["ana"] * 3, "system_a": ["x", "x", "y"],
...                       "system_b": ["y", "y", "x"], "winner": ["x", None, "y"]})
>>> round(float(tie_rate(prefs)["tie_rate"].iloc[0]), 3)
0.333
"""

from __future__ import annotations

import warnings
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats

from ._preferences import TIE, _checked, _missing
from .._internal.intervals import wilson_interval
from ._tables import agreement_table
from .._internal.validation import check_columns, check_fraction, check_positive_int
from ..exceptions import WorkbenchWarning

__all__ = ["preference_agreement", "tie_rate", "position_bias", "transitivity_violations"]


def preference_agreement(prefs: pd.DataFrame, *, n_boot: int = 1000, random_state=None, confidence: float = 0.95,
                         item_col: str = "item_id", annotator_col: str = "annotator",
                         progress: bool = False) -> pd.DataFrame:
    """Do raters pick the same winner of the same pair? Percent agreement and Krippendorff's nominal alpha.

    The unit is (item, unordered pair of systems), so raters who saw the pair in
    different orders are compared on the winner's name; the values are the winning
    system or ``'(tie)'``. Intervals are item-unit bootstraps, as :func:`agreement_table`.

    Parameters
    ----------
    prefs : pandas.DataFrame
        Preferences (see the module docs).
    n_boot : int, default 1000
    random_state : None, int or numpy Generator
    confidence : float, default 0.95
    item_col, annotator_col : str
    progress : bool

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`agreement_table` (``metric, value, ci_low, ci_high, n_items,
        n_annotators, n_pairable``), rows ``percent_agreement`` and ``krippendorff_alpha``;
        ``n_items`` counts (item, pair) units.

    Examples
    --------
    >>> import pandas as pd
    >>> prefs = pd.DataFrame({"item_id": [1, 1, 2, 2, 3, 3], "annotator": ["ana", "ben"] * 3,
    ...                       "system_a": ["x", "y", "x", "x", "x", "x"], "system_b": ["y", "x", "y", "y", "y", "y"],
    ...                       "winner": ["x", "x", "y", "y", "x", None]})
    >>> preference_agreement(prefs, n_boot=0)[["metric", "value", "n_items"]].round(4)
                   metric   value  n_items
    0   percent_agreement  0.6667        3
    1  krippendorff_alpha  0.5455        3
    """
    caller = "preference_agreement"
    frame = _checked(prefs, caller, item_col, annotator_col)
    units, _ = pd.MultiIndex.from_arrays([frame[item_col], frame._lo, frame._hi]).factorize()
    long = pd.DataFrame({"unit": units, "annotator": frame[annotator_col].to_numpy(object),
                         "label": [TIE if _missing(w) else w for w in frame.winner]})
    return agreement_table(long, metrics=["percent_agreement", "krippendorff_alpha"], n_boot=n_boot,
                           random_state=random_state, confidence=confidence, item_col="unit", progress=progress)


def _rates(prefs, by, confidence, caller, item_col, annotator_col, count):
    """Per group of ``by`` (one row for None): ``count(group) -> (hits, n)``, the share and its Wilson interval."""
    confidence = check_fraction(confidence, param="confidence", caller=caller, inclusive_zero=False)
    frame = _checked(prefs, caller, item_col, annotator_col)
    by = [] if by is None else ([by] if isinstance(by, str) else list(by))
    check_columns(frame, by, what=f"The preferences passed to {caller}", hint="Choose 'by' among its columns.")
    groups = frame.groupby(by, sort=True, dropna=False) if by else [((), frame)]
    rows = [(*(key if isinstance(key, tuple) else (key,)), *count(g)) for key, g in groups]
    out = pd.DataFrame(rows, columns=[*by, "hits", "n"])
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share"] = np.where(out.n > 0, out.hits / out.n.clip(lower=1), np.nan)
    out["ci_low"], out["ci_high"] = wilson_interval(out.hits, out.n, confidence=confidence)
    return by, out


def tie_rate(prefs: pd.DataFrame, *, by=None, confidence: float = 0.95, item_col: str = "item_id",
             annotator_col: str = "annotator") -> pd.DataFrame:
    """Share of judgements that are ties, overall or per group (e.g. ``by="annotator"``), with Wilson intervals.

    Parameters
    ----------
    prefs : pandas.DataFrame
    by : str or list of str, optional
        Columns of ``prefs`` to group by; None gives one row.
    confidence : float, default 0.95
    item_col, annotator_col : str

    Returns
    -------
    pandas.DataFrame
        Columns ``[*by], n_judgements, n_ties, tie_rate, ci_low, ci_high``.

    Examples
    --------
    >>> import pandas as pd
    >>> prefs = pd.DataFrame({"item_id": [1, 2, 3, 4], "annotator": ["ana", "ana", "ben", "ben"],
    ...                       "system_a": "x", "system_b": "y", "winner": [None, "x", "y", "y"]})
    >>> tie_rate(prefs, by="annotator")[["annotator", "n_judgements", "n_ties", "tie_rate"]]
      annotator  n_judgements  n_ties  tie_rate
    0       ana             2       1       0.5
    1       ben             2       0       0.0
    """
    by, out = _rates(prefs, by, confidence, "tie_rate", item_col, annotator_col,
                     lambda g: (int((g._outcome == 0.5).sum()), len(g)))
    out = out.rename(columns={"hits": "n_ties", "n": "n_judgements", "share": "tie_rate"})
    return out[[*by, "n_judgements", "n_ties", "tie_rate", "ci_low", "ci_high"]]


def position_bias(prefs: pd.DataFrame, *, by=None, confidence: float = 0.95, item_col: str = "item_id",
                  annotator_col: str = "annotator") -> pd.DataFrame:
    """How often the first-shown response (``system_a``) wins, ties left out, with a two-sided binomial test.

    Without a position bias (and with systems shown first at random) the share is 0.5;
    ``p_value`` is ``scipy.stats.binomtest(first_wins, n_decisive, 0.5)``.

    Parameters
    ----------
    prefs : pandas.DataFrame
    by : str or list of str, optional
        Columns of ``prefs`` to group by (e.g. ``"annotator"``); None gives one row.
    confidence : float, default 0.95
    item_col, annotator_col : str

    Returns
    -------
    pandas.DataFrame
        Columns ``[*by], n_decisive, first_wins, first_win_share, ci_low, ci_high, p_value``
        (Wilson interval); NaN with a WorkbenchWarning for a group with no decisive judgement.

    Examples
    --------
    >>> import pandas as pd
    >>> prefs = pd.DataFrame({"item_id": range(10), "annotator": "ana", "system_a": ["x", "y"] * 5,
    ...                       "system_b": ["y", "x"] * 5, "winner": ["x", "y"] * 4 + ["x", None]})
    >>> position_bias(prefs)[["n_decisive", "first_wins", "first_win_share", "p_value"]].round(4)
       n_decisive  first_wins  first_win_share  p_value
    0           9           9              1.0   0.0039
    """
    caller = "position_bias"
    by, out = _rates(prefs, by, confidence, caller, item_col, annotator_col,
                     lambda g: (int((g._outcome == 1.0).sum()), int((g._outcome != 0.5).sum())))
    out["p_value"] = [stats.binomtest(int(k), int(n), 0.5).pvalue if n else np.nan for k, n in zip(out.hits, out.n)]
    if out.share.isna().any():
        warnings.warn(f"{caller}: the share is undefined (NaN) where no judgement is decisive (all ties).",
                      WorkbenchWarning, stacklevel=2)
    out = out.rename(columns={"hits": "first_wins", "n": "n_decisive", "share": "first_win_share"})
    return out[[*by, "n_decisive", "first_wins", "first_win_share", "ci_low", "ci_high", "p_value"]]


def transitivity_violations(prefs: pd.DataFrame, *, per_item: bool = False, n_examples: int = 3,
                            item_col: str = "item_id", annotator_col: str = "annotator") -> pd.DataFrame:
    """Cyclic triads in each rater's preferences (a > b, b > c, c > a), rankings' pairs included.

    A rater prefers ``a`` to ``b`` when they picked ``a`` over ``b`` more often than the
    reverse (ties and even splits decide nothing). A triad is three systems whose three
    pairs are all decided; it is cyclic when the preferences go round.

    Parameters
    ----------
    prefs : pandas.DataFrame
    per_item : bool, default False
        False pools each rater's judgements over items; True looks within each item
        (responses of one prompt judged pair by pair).
    n_examples : int, default 3
        Cycles to show per row.
    item_col, annotator_col : str

    Returns
    -------
    pandas.DataFrame
        Columns ``annotator, [item_id], n_judgements, n_systems, n_triads,
        n_cyclic_triads, cyclic_share, examples`` (``'a > b > c > a'`` strings), most
        cycles first; ``cyclic_share`` NaN (with a warning) without a decided triad.

    Examples
    --------
    >>> import pandas as pd
    >>> prefs = pd.DataFrame({"item_id": [1, 2, 3], "annotator": "ana", "system_a": ["x", "y", "z"],
    ...                       "system_b": ["y", "z", "x"], "winner": ["x", "y", "z"]})
    >>> transitivity_violations(prefs)[["annotator", "n_triads", "n_cyclic_triads", "examples"]]
      annotator  n_triads  n_cyclic_triads            examples
    0       ana         1                1  [x > y > z > x]
    """
    caller = "transitivity_violations"
    n_examples = check_positive_int(n_examples, param="n_examples", caller=caller, minimum=0)
    frame = _checked(prefs, caller, item_col, annotator_col)
    keys = [annotator_col, item_col] if per_item else [annotator_col]
    rows = []
    for key, g in (frame.groupby(keys, sort=True) if len(frame) else []):
        names = sorted(set(g.system_a) | set(g.system_b), key=str)
        code = {s: k for k, s in enumerate(names)}
        S = len(names)
        net = np.zeros((S, S))
        np.add.at(net, (g.system_a.map(code).to_numpy(int), g.system_b.map(code).to_numpy(int)), 2 * g._outcome - 1)
        net = net - net.T
        M = (net > 0).astype(float)
        D = M + M.T
        triads = int(round(np.trace(D @ D @ D) / 6))
        cyclic = int(round(np.trace(M @ M @ M) / 3))
        examples = []
        for a, b, c in combinations(range(S), 3) if cyclic and n_examples else []:
            for x, y, z in ((a, b, c), (a, c, b)):
                if M[x, y] and M[y, z] and M[z, x]:
                    examples.append(f"{names[x]} > {names[y]} > {names[z]} > {names[x]}")
            if len(examples) >= n_examples:
                break
        rows.append((*(key if isinstance(key, tuple) else (key,)), len(g), S, triads, cyclic,
                     cyclic / triads if triads else np.nan, examples[:n_examples]))
    out = pd.DataFrame(rows, columns=[*keys, "n_judgements", "n_systems", "n_triads", "n_cyclic_triads",
                                      "cyclic_share", "examples"])
    if out.cyclic_share.isna().any():
        warnings.warn(f"{caller}: the cyclic share is undefined (NaN) for {int(out.cyclic_share.isna().sum())} row(s) "
                      "without three systems whose pairs are all decided.", WorkbenchWarning, stacklevel=2)
    return out.sort_values(["n_cyclic_triads", *keys], ascending=[False] + [True] * len(keys),
                           kind="stable").reset_index(drop=True)
