"""Rubric ratings: scores per criterion, their agreement, distribution, correlations and rationales.

Analysis layer: a long annotation frame in (one row per rubric answer, the label a JSON
object such as ``{"helpful": 4, "honest": 5}``, as ``store.annotations(kind="rubric")``
gives, or another tool's export), DataFrames out. :func:`rubric_scores` turns it into one
row per (item, annotator, criterion); every other function takes either frame (a frame with
``criterion`` and ``score`` columns is taken as scores already).

Agreement is Krippendorff's alpha per criterion at the ordinal and interval levels, from the
package's alpha engine, with item-bootstrap intervals that share their resamples between the
levels. Pass the round's :class:`~workbench.taxonomy.Rubric` (``store.round_rubric(round)``)
to check every answer against it, keep its criterion order and declared scale points, and
mark each criterion's declared level.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"item_id": ["a", "a", "b", "b", "c", "c"], "annotator": ["x", "y"] * 3,
...                    "kind": "rubric",
...                    "label": ['{"helpful": 4, "honest": 5}', '{"helpful": 5, "honest": 5}',
...                              '{"helpful": 2, "honest": 4}', '{"helpful": 2, "honest": 3}',
...                              '{"helpful": 1, "honest": 5}', '{"helpful": 2, "honest": 5}']})
>>> rubric_scores(df).head(3)
  item_id annotator criterion  score
0       a         x   helpful      4
1       a         x    honest      5
2       a         y   helpful      5
>>> rubric_agreement(df, n_boot=0)[["criterion", "level", "alpha", "n_items", "n_pairable"]].round(3)
  criterion     level  alpha  n_items  n_pairable
0   helpful   ordinal  0.731        3           6
1   helpful  interval  0.853        3           6
2    honest   ordinal  0.933        3           6
3    honest  interval  0.762        3           6
"""

from __future__ import annotations

import warnings
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import pandas as pd

from . import _engine as eng
from ._bootstrap import bootstrap_many, percentile_interval
from ._core import count_matrix
from .._internal.validation import (check_columns, check_fraction, check_option, check_positive_int,
                                    check_random_state, shown)
from ..exceptions import DataError, ValidationError, WorkbenchWarning
from ..taxonomy import Rubric, check_rubric_answer

__all__ = ["rubric_scores", "rubric_agreement", "rubric_distribution", "rubric_correlations",
           "rationale_coverage"]

SCORE_COLUMNS = ["criterion", "score"]
AGREEMENT_COLUMNS = ["criterion", "level", "alpha", "ci_low", "ci_high", "n_items", "n_annotators", "n_pairable",
                     "declared"]
DISTRIBUTION_COLUMNS = ["criterion", "score", "count", "share"]
COVERAGE_COLUMNS = ["scope", "annotator", "n_rows", "n_rationale", "share", "median_chars"]
CORRELATION_METHODS = ("pearson", "spearman", "kendall")


def _rubric(rubric: Any, caller: str) -> Optional[Rubric]:
    if rubric is None or isinstance(rubric, Rubric):
        return rubric
    return Rubric.from_dict(rubric, source=f"the 'rubric' parameter of {caller}")


def _frame(df: Any, caller: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"{caller} expects a pandas DataFrame of rubric annotations (item_id, annotator, label "
                        f"holding a JSON object of scores); got {type(df).__name__}. Build one with "
                        "store.annotations(kind='rubric') or pandas.DataFrame(...).", reason="not_a_frame")
    return df


def _of_kind(df: pd.DataFrame, kind: Optional[str], kind_col: str) -> pd.DataFrame:
    """The rows of ``kind`` when the frame has a kind column (all rows otherwise)."""
    if kind is None or kind_col not in df.columns:
        return df
    return df[df[kind_col] == kind]


def _is_scores(df: pd.DataFrame) -> bool:
    return all(c in df.columns for c in SCORE_COLUMNS)


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def rubric_scores(df: pd.DataFrame, *, item_col: str = "item_id", annotator_col: str = "annotator",
                  label_col: str = "label", kind: Optional[str] = "rubric", kind_col: str = "kind",
                  rubric: Any = None) -> pd.DataFrame:
    """One row per (item, annotator, criterion) from rubric answers.

    Parameters
    ----------
    df : pandas.DataFrame
        Annotations in long format; the label of a rubric row is a JSON object (or a dict)
        of criterion scores. Rows with a missing label are left out.
    item_col, annotator_col, label_col : str
        Column names.
    kind : str or None, default 'rubric'
        Keep only rows of this kind when the frame has a ``kind_col`` column (None: every row).
    kind_col : str, default 'kind'
    rubric : Rubric or dict, optional
        Check every answer against it (:meth:`Rubric.check <workbench.taxonomy.Rubric.check>`)
        and order the criteria as it does. Without one, an answer must map criterion names
        to finite numbers.

    Returns
    -------
    pandas.DataFrame
        Columns ``item_col, annotator_col, criterion, score``, in row order and, within an
        answer, in rubric (or answer) order. ``score`` is int64 when every score is a whole
        number, float64 otherwise.

    Raises
    ------
    DataError
        Answers that are not objects of scores (or do not fit ``rubric``): the message names
        the first one by row index, item and annotator; ``failure_cases`` holds every bad row.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"item_id": ["a", "b"], "annotator": "x", "label": ['{"helpful": 4}', '[4]']})
    >>> rubric_scores(df)
    Traceback (most recent call last):
    ...
    workbench.exceptions.DataError: rubric_scores: 1 rubric answer is not an object of scores; the first, row at index 1 (item 'b', annotator 'x'): The rubric answer must be a JSON object mapping criterion names to scores, e.g. {"helpful": 4, "honest": 5}; got '[4]'. Declare the round's rubric with store.create_round(..., rubric=...) to check criteria and scales too. Fix those rows or drop them (index [1]).
    """
    caller = "rubric_scores"
    df = _frame(df, caller)
    rubric = _rubric(rubric, caller)
    check_columns(df, [item_col, annotator_col, label_col], what=f"The annotations passed to {caller}")
    rows = _of_kind(df, kind, kind_col)
    check = (lambda v: check_rubric_answer(v)) if rubric is None else (lambda v: rubric.check(v))
    memo: Dict[str, Any] = {}
    items: List[Any] = []
    annotators: List[Any] = []
    criteria: List[str] = []
    scores: List[Any] = []
    bad: List[Any] = []
    first = None
    for index, item, annotator, label in zip(rows.index, rows[item_col].to_numpy(), rows[annotator_col].to_numpy(),
                                             rows[label_col].to_numpy()):
        if _missing(label):
            continue
        try:
            if isinstance(label, str):
                if label not in memo:
                    memo[label] = check(label)
                answer = memo[label]
            else:
                answer = check(label)
        except DataError as exc:
            bad.append(index)
            if first is None:
                first = f"row at index {index!r} (item {item!r}, annotator {annotator!r}): {exc}"
            continue
        for name, score in answer.items():
            items.append(item)
            annotators.append(annotator)
            criteria.append(name)
            scores.append(score)
    if bad:
        n = len(bad)
        raise DataError(f"{caller}: {n} rubric answer{'s are' if n != 1 else ' is'} not an object of scores"
                        f"{' fitting the rubric' if rubric is not None else ''}; the first, {first} Fix those rows "
                        f"or drop them (index {shown(bad)}).", failure_cases=rows.loc[bad], reason="bad_rubric_answer")
    values = np.asarray(scores, dtype=float)
    whole = bool(len(values) == 0 or np.all(values == np.round(values)))
    return pd.DataFrame({item_col: pd.Series(items, dtype=object), annotator_col: pd.Series(annotators, dtype=object),
                         "criterion": pd.Series(criteria, dtype=object),
                         "score": values.astype("int64") if whole else values})


def _scores(df: pd.DataFrame, caller: str, *, item_col: str, annotator_col: str, label_col: str,
            kind: Optional[str], kind_col: str, rubric: Optional[Rubric]) -> pd.DataFrame:
    """The scores frame of ``df`` (parsed unless it has ``criterion`` and ``score`` already)."""
    df = _frame(df, caller)
    if not _is_scores(df):
        return rubric_scores(df, item_col=item_col, annotator_col=annotator_col, label_col=label_col, kind=kind,
                             kind_col=kind_col, rubric=rubric)
    check_columns(df, [item_col, annotator_col], what=f"The rubric scores passed to {caller}")
    scores = df[[item_col, annotator_col, "criterion", "score"]]
    scores = scores[~scores["score"].isna()]
    numbers = pd.to_numeric(scores["score"], errors="coerce")
    bad = numbers.isna() | ~np.isfinite(numbers.astype(float))
    if bad.any():
        raise DataError(f"{caller}: the 'score' column must hold finite numbers; {int(bad.sum())} row(s) do not, "
                        f"e.g. {scores.loc[bad, 'score'].head(3).tolist()} (index {shown(scores.index[bad])}). "
                        "Fix or drop them, or pass the annotations with their JSON labels instead.",
                        failure_cases=scores[bad], reason="bad_score")
    if rubric is not None:
        unknown = sorted(set(scores["criterion"]) - set(rubric.names), key=str)
        if unknown:
            raise DataError(f"{caller}: criteria {unknown} are not in the rubric ({rubric.describe()}). Drop those "
                            "rows, or pass the rubric that defines them.",
                            failure_cases=scores[scores["criterion"].isin(unknown)], reason="unknown_criterion")
        low = scores["criterion"].map({c.name: c.low for c in rubric})
        high = scores["criterion"].map({c.name: c.high for c in rubric})
        out = (numbers < low) | (numbers > high) | (numbers != np.round(numbers))
        if out.any():
            raise DataError(f"{caller}: {int(out.sum())} score(s) are not whole numbers on their criterion's "
                            f"scale ({rubric.describe()}), e.g. "
                            f"{scores.loc[out, ['criterion', 'score']].head(3).to_dict('records')}. Fix or drop them.",
                            failure_cases=scores[out], reason="bad_score")
        numbers = numbers.astype("int64")
    return scores.assign(score=numbers)


def _criteria(scores: pd.DataFrame, rubric: Optional[Rubric]) -> List[str]:
    if rubric is not None:
        return list(rubric.names)
    return list(pd.unique(scores["criterion"]))


def rubric_agreement(df: pd.DataFrame, *, levels: Sequence[str] = ("ordinal", "interval"), rubric: Any = None,
                     n_boot: int = 1000, random_state=None, confidence: float = 0.95, item_col: str = "item_id",
                     annotator_col: str = "annotator", label_col: str = "label", kind: Optional[str] = "rubric",
                     kind_col: str = "kind", progress: bool = False) -> pd.DataFrame:
    """Krippendorff's alpha per criterion and level of measurement, with bootstrap intervals.

    Each criterion is its own rating task: the scores annotators gave it, items with fewer
    than two scores not pairable (Krippendorff 2011). The ordinal level uses the ranks of the
    scores, the interval level their differences; the intervals of one criterion resample the
    same items for every level.

    Parameters
    ----------
    df : pandas.DataFrame
        Rubric annotations (JSON labels), or the output of :func:`rubric_scores`.
    levels : sequence of {'nominal', 'ordinal', 'interval', 'ratio'}, default ('ordinal', 'interval')
    rubric : Rubric or dict, optional
        Check the answers against it, keep its criterion order (criteria nobody scored get
        NaN) and declare its scale points; ``declared`` marks each criterion's level.
    n_boot : int, default 1000
        Item-bootstrap resamples; 0 skips the intervals (NaN).
    random_state : None, int or numpy Generator
    confidence : float, default 0.95
    item_col, annotator_col, label_col, kind, kind_col
        As for :func:`rubric_scores`.
    progress : bool
        Show a progress bar over the bootstrap.

    Returns
    -------
    pandas.DataFrame
        One row per criterion and level: ``criterion, level, alpha, ci_low, ci_high,
        n_items, n_annotators, n_pairable, declared``. ``n_items``: items with a score for
        the criterion; ``n_pairable``: scores in items with at least two; ``declared``:
        whether ``level`` is the level the rubric declares for the criterion (False without
        a rubric). ``alpha`` is NaN (with a WorkbenchWarning) when undefined, e.g. no item
        has two scores.

    Examples
    --------
    Krippendorff (2011), section C (four observers, twelve units, values 1-5), as one criterion:

    >>> import json, pandas as pd
    >>> table = {"A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    ...          "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    ...          "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    ...          "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]}
    >>> long = pd.DataFrame(table).rename_axis("item_id").reset_index().melt(
    ...     id_vars="item_id", var_name="annotator", value_name="v").dropna()
    >>> long["label"] = [json.dumps({"quality": int(v)}) for v in long["v"]]
    >>> t = rubric_agreement(long, rubric={"quality": {"scale": [1, 5], "level": "interval"}}, n_boot=200,
    ...                      random_state=0)
    >>> t[["criterion", "level", "alpha", "declared"]].round(3)
      criterion     level  alpha  declared
    0   quality   ordinal  0.815     False
    1   quality  interval  0.849      True
    >>> bool((t.ci_low <= t.alpha).all() and (t.alpha <= t.ci_high).all())
    True
    """
    caller = "rubric_agreement"
    levels = [levels] if isinstance(levels, str) else list(levels)
    if not levels:
        raise ValidationError(f"The 'levels' parameter of {caller} must name at least one level of "
                              f"{{'nominal', 'ordinal', 'interval', 'ratio'}}. Got {levels!r} instead.")
    for level in levels:
        check_option(level, ("nominal", "ordinal", "interval", "ratio"), param="levels", caller=caller)
    n_boot = check_positive_int(n_boot, param="n_boot", caller=caller, minimum=0)
    check_fraction(confidence, param="confidence", caller=caller, inclusive_zero=False)
    rng = check_random_state(random_state)
    rubric = _rubric(rubric, caller)
    scores = _scores(df, caller, item_col=item_col, annotator_col=annotator_col, label_col=label_col, kind=kind,
                     kind_col=kind_col, rubric=rubric)
    rows = []
    for name in _criteria(scores, rubric):
        sub = scores[scores["criterion"] == name]
        declared = rubric.criterion(name) if rubric is not None else None
        if sub.empty:
            warnings.warn(f"{caller}: nobody scored criterion {name!r} of the rubric; its alpha is NaN.",
                          WorkbenchWarning, stacklevel=2)
            for level in levels:
                rows.append((name, level, np.nan, np.nan, np.nan, 0, 0, 0,
                             declared is not None and declared.level == level))
            continue
        r = eng.parse_ratings(sub, item_col=item_col, annotator_col=annotator_col, label_col="score",
                              categories=list(declared.points) if declared is not None else None,
                              caller=f"{caller} (criterion {name!r})", multilabel=False)
        counts = count_matrix(r)
        m = counts.sum(axis=1)
        pairable = int(m[m >= 2].sum())
        cache: dict = {}
        stats = [eng.build_statistic("krippendorff_alpha", r, counts=counts, level=level, caller=caller, cache=cache)
                 for level in levels]
        boots = (bootstrap_many(stats, n_boot=n_boot, random_state=rng, progress=progress) if n_boot
                 else [np.zeros(0)] * len(stats))
        for level, stat, boot in zip(levels, stats, boots):
            value = eng.evaluate("krippendorff_alpha", r, caller=f"{caller} ({name!r}, {level})", stat=stat)
            low, high = percentile_interval(boot, confidence=confidence)
            rows.append((name, level, value, low, high, r.n_items, r.n_annotators, pairable,
                         declared is not None and declared.level == level))
    out = pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)
    return out.astype({"n_items": "int64", "n_annotators": "int64", "n_pairable": "int64", "declared": bool})


def rubric_distribution(df: pd.DataFrame, *, rubric: Any = None, item_col: str = "item_id",
                        annotator_col: str = "annotator", label_col: str = "label", kind: Optional[str] = "rubric",
                        kind_col: str = "kind") -> pd.DataFrame:
    """How often each score was given, per criterion.

    Parameters
    ----------
    df : pandas.DataFrame
        Rubric annotations (JSON labels), or the output of :func:`rubric_scores`.
    rubric : Rubric or dict, optional
        Check the answers against it and list every point of each scale (unused ones with
        count 0), in rubric order.
    item_col, annotator_col, label_col, kind, kind_col
        As for :func:`rubric_scores`.

    Returns
    -------
    pandas.DataFrame
        ``criterion, score, count, share``: ``share`` is the count over the criterion's
        scores (NaN for a criterion nobody scored). Scores ascend within a criterion.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"item_id": ["a", "b", "c"], "annotator": "x",
    ...                    "label": ['{"helpful": 4}', '{"helpful": 5}', '{"helpful": 4}']})
    >>> rubric_distribution(df, rubric={"helpful": [3, 5]})
      criterion  score  count     share
    0   helpful      3      0  0.000000
    1   helpful      4      2  0.666667
    2   helpful      5      1  0.333333
    """
    caller = "rubric_distribution"
    rubric = _rubric(rubric, caller)
    scores = _scores(df, caller, item_col=item_col, annotator_col=annotator_col, label_col=label_col, kind=kind,
                     kind_col=kind_col, rubric=rubric)
    whole = bool(len(scores) == 0 or np.all(scores["score"] == np.round(scores["score"])))
    rows = []
    for name in _criteria(scores, rubric):
        counts = scores.loc[scores["criterion"] == name, "score"].value_counts()
        points = list(rubric.criterion(name).points) if rubric is not None else sorted(counts.index.tolist())
        total = int(counts.sum())
        for point in points:
            n = int(counts.get(point, 0))
            rows.append((name, point, n, n / total if total else np.nan))
    out = pd.DataFrame(rows, columns=DISTRIBUTION_COLUMNS)
    return out.astype({"score": "int64" if whole else "float64", "count": "int64", "share": "float64"})


def rubric_correlations(df: pd.DataFrame, *, method: str = "spearman", rubric: Any = None, min_items: int = 3,
                        item_col: str = "item_id", annotator_col: str = "annotator", label_col: str = "label",
                        kind: Optional[str] = "rubric", kind_col: str = "kind") -> pd.DataFrame:
    """Correlation between criteria over items, on each item's mean score per criterion.

    Criteria that move together (an item scored helpful is scored honest too) may measure
    one thing; criteria that do not are separate judgements.

    Parameters
    ----------
    df : pandas.DataFrame
        Rubric annotations (JSON labels), or the output of :func:`rubric_scores`.
    method : {'spearman', 'pearson', 'kendall'}, default 'spearman'
    rubric : Rubric or dict, optional
        Check the answers against it and order the criteria as it does.
    min_items : int, default 3
        Fewest items scored on both criteria for a correlation (NaN below).
    item_col, annotator_col, label_col, kind, kind_col
        As for :func:`rubric_scores`.

    Returns
    -------
    pandas.DataFrame
        Square, criterion by criterion (index and columns named ``criterion``); each cell
        uses the items scored on both criteria (pairwise complete, as ``DataFrame.corr``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"item_id": ["a", "b", "c", "d"], "annotator": "x",
    ...                    "label": ['{"helpful": 1, "honest": 2}', '{"helpful": 2, "honest": 1}',
    ...                              '{"helpful": 3, "honest": 4}', '{"helpful": 4, "honest": 5}']})
    >>> rubric_correlations(df)
    criterion  helpful  honest
    criterion
    helpful        1.0     0.8
    honest         0.8     1.0
    """
    caller = "rubric_correlations"
    check_option(method, CORRELATION_METHODS, param="method", caller=caller)
    min_items = check_positive_int(min_items, param="min_items", caller=caller, minimum=2)
    rubric = _rubric(rubric, caller)
    scores = _scores(df, caller, item_col=item_col, annotator_col=annotator_col, label_col=label_col, kind=kind,
                     kind_col=kind_col, rubric=rubric)
    criteria = _criteria(scores, rubric)
    means = scores.astype({"score": float}).pivot_table(index=item_col, columns="criterion", values="score",
                                                        aggfunc="mean")
    means = means.reindex(columns=criteria)
    out = means.corr(method=method, min_periods=min_items)
    out.index.name = out.columns.name = "criterion"
    return out


def rationale_coverage(df: pd.DataFrame, *, note_col: str = "note", min_chars: int = 1,
                       annotator_col: str = "annotator", kind: Optional[str] = "rubric",
                       kind_col: str = "kind") -> pd.DataFrame:
    """How many rubric answers carry a rationale, overall and per annotator.

    Parameters
    ----------
    df : pandas.DataFrame
        Annotations with a rationale column (the store keeps it in ``note``).
    note_col : str, default 'note'
    min_chars : int, default 1
        A rationale counts when it has at least this many characters (surrounding white
        space left out).
    annotator_col : str, default 'annotator'
    kind : str or None, default 'rubric'
        Count only rows of this kind when the frame has a ``kind_col`` column.
    kind_col : str, default 'kind'

    Returns
    -------
    pandas.DataFrame
        ``scope, annotator, n_rows, n_rationale, share, median_chars``: the first row is
        ``scope='overall'`` (``annotator`` None), then one ``scope='annotator'`` row per
        annotator (sorted). ``median_chars`` is the median length of the rationales that
        count (NaN when none does).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"annotator": ["ana", "ana", "ben"], "kind": "rubric",
    ...                    "note": ["Correct but terse.", None, "  ok "]})
    >>> rationale_coverage(df, min_chars=3).round(3)
           scope annotator  n_rows  n_rationale  share  median_chars
    0    overall      None       3            1  0.333          18.0
    1  annotator       ana       2            1  0.500          18.0
    2  annotator       ben       1            0  0.000           NaN
    """
    caller = "rationale_coverage"
    df = _frame(df, caller)
    min_chars = check_positive_int(min_chars, param="min_chars", caller=caller, minimum=1)
    check_columns(df, [note_col, annotator_col], what=f"The annotations passed to {caller}",
                  hint="Pass the rationale column as note_col=... (the store keeps it in 'note').")
    rows = _of_kind(df, kind, kind_col)
    text = rows[note_col].map(lambda v: "" if _missing(v) else str(v).strip())
    length = text.str.len()
    counted = length >= min_chars
    frame = pd.DataFrame({"annotator": rows[annotator_col].to_numpy(), "counted": counted.to_numpy(),
                          "length": length.where(counted).to_numpy(dtype=float)})

    def summary(part: pd.DataFrame) -> tuple:
        n = len(part)
        k = int(part["counted"].sum())
        return n, k, (k / n if n else np.nan), (float(part["length"].median()) if k else np.nan)

    out = [("overall", None) + summary(frame)]
    for annotator, part in sorted(frame.groupby("annotator", sort=False), key=lambda kv: str(kv[0])):
        out.append(("annotator", annotator) + summary(part))
    result = pd.DataFrame(out, columns=COVERAGE_COLUMNS).astype({"n_rows": "int64", "n_rationale": "int64"})
    result["annotator"] = pd.Series([a for _, a, *_ in out], dtype=object)
    result["scope"] = pd.Series([s for s, *_ in out], dtype=object)
    return result
