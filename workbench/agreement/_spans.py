"""Span agreement: pairwise span F1 (exact and overlap), token-level kappa, consensus spans.

Private helper of :mod:`workbench.agreement` (re-exported there). A span answer is the
store's ``kind="spans"`` label: a JSON list (or a Python list) of
``{"start": 10, "end": 20, "label": "PROBLEM", "text": "money back"}`` with character
offsets, ``end`` exclusive. An empty list is a valid answer (no spans); a missing label
(NaN / None) is no answer. The same span given twice by one annotator counts once.

Matching is within a label. *Exact*: same ``(start, end, label)``. *Overlap*: same
label and at least one common character, matched one-to-one (a maximum matching, so a
long span cannot match three short ones). Pairwise F1 is symmetric:
``2 * matches / (n_a + n_b)``.

It also holds the reader of region answers that :mod:`workbench.agreement._boxes` shares.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"item_id": ["t1", "t1"], "annotator": ["ana", "ben"], "label": [
...     '[{"start": 0, "end": 4, "label": "ORG"}, {"start": 10, "end": 15, "label": "LOC"}]',
...     '[{"start": 0, "end": 4, "label": "ORG"}, {"start": 9, "end": 15, "label": "LOC"}]']})
>>> span_agreement(df).query("annotator_a.notna() and label.isna()")[["exact_f1", "overlap_f1"]]
   exact_f1  overlap_f1
2       0.5         1.0
"""

from __future__ import annotations

import json
import re
import warnings
from itertools import combinations
from typing import Callable, Dict, Mapping, Optional, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from ._tables import pairwise_table
from .._internal.validation import check_columns, check_fraction, check_option
from ..exceptions import DataError, WorkbenchWarning

__all__ = ["span_agreement", "span_token_kappa", "consensus_spans", "span_disagreements"]

SPAN_COLUMNS = ["annotator_a", "annotator_b", "label", "n_items", "n_spans_a", "n_spans_b", "exact_matches",
                "exact_f1", "overlap_matches", "overlap_f1"]
TOKEN_COLUMNS = ["annotator_a", "annotator_b", "n_items", "n_tokens", "percent_agreement", "cohen_kappa"]
CONSENSUS_COLUMNS = ["item_id", "start", "end", "label", "text", "support", "n_annotators", "share"]
DISAGREEMENT_COLUMNS = ["item_id", "n_annotators", "n_spans", "labels", "mean_exact_f1", "min_exact_f1",
                        "mean_overlap_f1", "min_overlap_f1"]


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def payload_number(element: dict, key: str, where: str, *, integer: bool) -> float:
    """``element[key]`` if it is a finite number (an int when ``integer``); otherwise a DataError saying where."""
    value = element.get(key)
    ok = isinstance(value, (int, np.integer)) if integer else isinstance(value, (int, float, np.integer, np.floating))
    if not ok or isinstance(value, bool) or not np.isfinite(value):
        kind = "an integer" if integer else "a finite number"
        raise DataError(f"{where}: every object needs {key!r} as {kind}; got {value!r} in {element!r}.",
                        reason="bad_label")
    return value


def payload_label(element: dict, where: str) -> str:
    """``element["label"]`` if it is a non-empty string; otherwise a DataError saying where."""
    label = element.get("label")
    if not isinstance(label, str) or not label:
        raise DataError(f"{where}: every object needs a non-empty string 'label'; got {label!r} in {element!r}. "
                        "Give each span / box its category.", reason="bad_label")
    return label


def read_region_answers(df: pd.DataFrame, *, parse: Callable[[dict, str], tuple], kind: Optional[str],
                        caller: str, item_col: str, annotator_col: str, label_col: str) -> Dict:
    """``{item_id: {annotator: tuple of parsed regions}}`` from a long frame of JSON list labels.

    Rows of another ``kind`` (when the frame has a ``kind`` column) and rows with no label are
    left out. Items keep their order of first appearance; annotators are sorted. A payload that
    is not a list of objects, or a repeated (item, annotator), raises a DataError naming them.
    """
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"{caller} expects a pandas DataFrame in long format (item_id, annotator, label); "
                        f"got {type(df).__name__}.", reason="not_a_frame")
    check_columns(df, [item_col, annotator_col, label_col], what=f"The annotations passed to {caller}")
    if kind is not None and "kind" in df.columns:
        df = df.loc[(df["kind"] == kind).to_numpy(dtype=bool)]
    df = df.loc[df[label_col].notna().to_numpy(dtype=bool)]
    dup = df.duplicated([item_col, annotator_col], keep=False)
    if dup.any():
        cases = df[dup]
        raise DataError(f"{caller} needs at most one answer per ({item_col}, {annotator_col}); {int(dup.sum())} rows "
                        f"repeat a pair, e.g. {cases[[item_col, annotator_col]].head(3).to_dict('records')}. Filter "
                        "to one round, or keep the newest with drop_duplicates(..., keep='last').",
                        failure_cases=cases, reason="duplicate_rating")
    answers: Dict = {}
    for item, annotator, value in zip(df[item_col], df[annotator_col], df[label_col]):
        where = f"{caller}: the answer of annotator {annotator!r} on item {item!r}"
        if _is_missing(item) or _is_missing(annotator):
            raise DataError(f"{caller} needs a value in {item_col!r} and {annotator_col!r} for every row.",
                            reason="missing_id")
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise DataError(f"{where} is not valid JSON: {value[:80]!r}.", reason="bad_label") from None
        if not isinstance(value, (list, tuple)) or not all(isinstance(e, dict) for e in value):
            raise DataError(f"{where} must be a list of objects (an empty list for none); got {value!r:.80}.",
                            reason="bad_label")
        answers.setdefault(item, {})[annotator] = tuple(dict.fromkeys(parse(e, where) for e in value))
    return {item: dict(sorted(by.items(), key=lambda kv: str(kv[0]))) for item, by in answers.items()}


def pair_rows(answers: Dict, compare: Callable) -> tuple:
    """Compare every pair of annotators on every item: (records, compared).

    ``compare(A, B)`` returns ``{label: tuple of counts}``; records are
    ``(a, b, item, label, *counts)`` and ``compared`` lists ``(a, b, item)``.
    """
    records, compared = [], []
    for item, by in answers.items():
        for (a, A), (b, B) in combinations(by.items(), 2):
            compared.append((a, b, item))
            records.extend((a, b, item, label, *counts) for label, counts in compare(A, B).items())
    return records, compared


def rollup(records, compared, counts: Sequence[str]) -> pd.DataFrame:
    """Sums of ``counts`` per (pair, label), per pair (label None), per label and overall (pair None)."""
    frame = pd.DataFrame(records, columns=["annotator_a", "annotator_b", "item", "label", *counts])
    seen = pd.DataFrame(compared, columns=["annotator_a", "annotator_b", "item"])
    pairs = seen.groupby(["annotator_a", "annotator_b"], sort=True).size().rename("n_items")
    n_all = seen["item"].nunique()
    parts = [frame.groupby(["annotator_a", "annotator_b", "label"], sort=True)[list(counts)].sum().reset_index(),
             frame.groupby(["annotator_a", "annotator_b"], sort=True)[list(counts)].sum()
             .reindex(pairs.index, fill_value=0).reset_index().assign(label=None),
             frame.groupby("label", sort=True)[list(counts)].sum().reset_index()
             .assign(annotator_a=None, annotator_b=None, n_items=n_all),
             pd.DataFrame([frame[list(counts)].sum().to_dict()]).assign(
                 annotator_a=None, annotator_b=None, label=None, n_items=n_all)]
    for k in (0, 1):
        parts[k] = parts[k].merge(pairs.reset_index(), on=["annotator_a", "annotator_b"], how="left")
    out = pd.concat([p.astype({"annotator_a": object, "annotator_b": object, "label": object}) for p in parts],
                    ignore_index=True)
    return out[["annotator_a", "annotator_b", "label", "n_items", *counts]].astype(
        {c: "int64" for c in ["n_items", *counts] if not c.endswith("_sum")})


def f1(matches, n_a, n_b):
    """``2 m / (n_a + n_b)``, NaN where both are 0."""
    total = np.asarray(n_a, dtype=float) + np.asarray(n_b, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, 2.0 * np.asarray(matches, dtype=float) / np.where(total > 0, total, 1.0), np.nan)


def _parse_span(element: dict, where: str) -> tuple:
    start = payload_number(element, "start", where, integer=True)
    end = payload_number(element, "end", where, integer=True)
    if not 0 <= start < end:
        raise DataError(f"{where}: a span needs 0 <= start < end (end exclusive); got start={start}, end={end}.",
                        reason="bad_label")
    return int(start), int(end), payload_label(element, where), element.get("text")


def _overlap_matches(A, B) -> int:
    """Maximum one-to-one matching of overlapping spans (same label already)."""
    if not A or not B:
        return 0
    sa, ea = np.array([s[0] for s in A]), np.array([s[1] for s in A])
    sb, eb = np.array([s[0] for s in B]), np.array([s[1] for s in B])
    overlap = (sa[:, None] < eb[None, :]) & (sb[None, :] < ea[:, None])
    rows, cols = linear_sum_assignment(overlap, maximize=True)
    return int(overlap[rows, cols].sum())


def _compare_spans(A, B) -> dict:
    out = {}
    for label in sorted({s[2] for s in A} | {s[2] for s in B}):
        a = list(dict.fromkeys(s[:3] for s in A if s[2] == label))
        b = list(dict.fromkeys(s[:3] for s in B if s[2] == label))
        out[label] = (len(a), len(b), len(set(a) & set(b)), _overlap_matches(a, b))
    return out


def warn_undefined(table, columns, caller):
    """One WorkbenchWarning when some rows of ``table`` have NaN in ``columns``."""
    bad = table[columns].isna().any(axis=1)
    if bad.any():
        warnings.warn(f"{caller}: {int(bad.sum())} row(s) have undefined (NaN) values: the annotators compared "
                      "there gave no spans / boxes at all, so there is nothing to match.", WorkbenchWarning,
                      stacklevel=3)


def span_agreement(df: pd.DataFrame, *, kind: Optional[str] = "spans", item_col: str = "item_id",
                   annotator_col: str = "annotator", label_col: str = "label") -> pd.DataFrame:
    """Span F1 between every pair of annotators, exact and overlap match, per label and overall (micro).

    Parameters
    ----------
    df : pandas.DataFrame
        Long span answers (see the module docs for the payload).
    kind : str or None, default 'spans'
        When ``df`` has a ``kind`` column, only rows of this kind are used (None: all rows).
    item_col, annotator_col, label_col : str

    Returns
    -------
    pandas.DataFrame
        Columns ``annotator_a, annotator_b, label, n_items, n_spans_a, n_spans_b,
        exact_matches, exact_f1, overlap_matches, overlap_f1``. Rows per (pair, label); per
        pair over all labels (``label`` missing); per label over all pairs (``annotator_a``
        and ``annotator_b`` missing); and the overall micro F1 (all three missing), last.
        ``n_items``: items both annotators answered (pooled rows: items with two answers).
        F1 is NaN (with a WorkbenchWarning) where neither side has a span.

    Examples
    --------
    >>> import pandas as pd
    >>> one = [{"start": 0, "end": 5, "label": "A"}, {"start": 8, "end": 12, "label": "B"}]
    >>> two = [{"start": 0, "end": 5, "label": "A"}, {"start": 9, "end": 12, "label": "B"},
    ...        {"start": 20, "end": 25, "label": "A"}]
    >>> df = pd.DataFrame({"item_id": [1, 1], "annotator": ["x", "y"], "label": [one, two]})
    >>> span_agreement(df).tail(1)[["n_spans_a", "n_spans_b", "exact_f1", "overlap_f1"]]
       n_spans_a  n_spans_b  exact_f1  overlap_f1
    5          2          3       0.4         0.8
    """
    caller = "span_agreement"
    answers = read_region_answers(df, parse=_parse_span, kind=kind, caller=caller, item_col=item_col,
                                  annotator_col=annotator_col, label_col=label_col)
    table = rollup(*pair_rows(answers, _compare_spans), ["n_spans_a", "n_spans_b", "exact_matches",
                                                         "overlap_matches"])
    table["exact_f1"] = f1(table.exact_matches, table.n_spans_a, table.n_spans_b)
    table["overlap_f1"] = f1(table.overlap_matches, table.n_spans_a, table.n_spans_b)
    warn_undefined(table, ["exact_f1"], caller)
    return table[SPAN_COLUMNS]


def _texts(texts, text_col: str, item_col: str, caller: str) -> Mapping:
    if isinstance(texts, pd.DataFrame):
        check_columns(texts, [item_col, text_col], what=f"The texts passed to {caller}")
        return dict(zip(texts[item_col], texts[text_col]))
    if isinstance(texts, (Mapping, pd.Series)):
        return dict(texts)
    raise DataError(f"{caller} needs the item texts as a DataFrame ({item_col}, {text_col}), a Series or a dict "
                    f"item_id -> text; got {type(texts).__name__}.", reason="bad_texts")


def _token_labels(text: str, spans, where: str):
    """Each whitespace token's label: the span overlapping it most (earliest on ties), else 'O'."""
    if spans and max(s[1] for s in spans) > len(text):
        raise DataError(f"{where} has a span ending at {max(s[1] for s in spans)}, past the end of the item's text "
                        f"({len(text)} characters). Are these the right texts?", reason="span_out_of_text")
    out = []
    for tok in re.finditer(r"\S+", text):
        best, label = 0, "O"
        for start, end, name, _ in sorted(spans):
            common = min(end, tok.end()) - max(start, tok.start())
            if common > best:
                best, label = common, name
        out.append(label)
    return out


def span_token_kappa(df: pd.DataFrame, texts, *, kind: Optional[str] = "spans", text_col: str = "text",
                     item_col: str = "item_id", annotator_col: str = "annotator",
                     label_col: str = "label") -> pd.DataFrame:
    """Token-level Cohen's kappa for every pair of annotators: each whitespace token's label, or ``'O'``.

    A token takes the label of the span that covers most of its characters (the earliest
    span on a tie); a token outside every span is ``'O'``. Tokens of all items both
    annotators answered form one sequence per annotator, scored as in
    :func:`pairwise_table` (Cohen 1960; equal to ``sklearn.metrics.cohen_kappa_score`` on
    the two sequences).

    Parameters
    ----------
    df : pandas.DataFrame
        Long span answers.
    texts : DataFrame, Series or dict
        The text of every answered item: a frame with ``item_col`` and ``text_col`` (e.g.
        ``store.items()``), or a mapping item_id -> text.
    kind : str or None, default 'spans'
    text_col, item_col, annotator_col, label_col : str

    Returns
    -------
    pandas.DataFrame
        Columns ``annotator_a, annotator_b, n_items, n_tokens, percent_agreement,
        cohen_kappa``, one row per pair who answered a common item.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"item_id": [1, 1], "annotator": ["x", "y"], "label": [
    ...     [{"start": 0, "end": 5, "label": "ORG"}], [{"start": 0, "end": 5, "label": "ORG"},
    ...                                                {"start": 15, "end": 21, "label": "LOC"}]]})
    >>> span_token_kappa(df, {1: "Acme opened in Berlin today"})
      annotator_a annotator_b  n_items  n_tokens  percent_agreement  cohen_kappa
    0           x           y        1         5                0.8     0.583333
    """
    caller = "span_token_kappa"
    answers = read_region_answers(df, parse=_parse_span, kind=kind, caller=caller, item_col=item_col,
                                  annotator_col=annotator_col, label_col=label_col)
    lookup = _texts(texts, text_col, item_col, caller)
    missing = [item for item in answers if not isinstance(lookup.get(item), str)]
    if missing:
        raise DataError(f"{caller} has no text for item(s) {missing[:10]}; pass the texts of every answered item.",
                        reason="missing_text")
    units, annotators, labels, per_pair = [], [], [], {}
    offset = 0
    for item, by in answers.items():
        n_tok = 0
        for annotator, spans in by.items():
            tokens = _token_labels(lookup[item], spans, f"{caller}: the answer of annotator {annotator!r} on "
                                                        f"item {item!r}")
            n_tok = len(tokens)
            units.extend(range(offset, offset + n_tok))
            annotators.extend([annotator] * n_tok)
            labels.extend(tokens)
        offset += n_tok
        for a, b in combinations(by, 2):
            per_pair[(a, b)] = per_pair.get((a, b), 0) + 1
    long = pd.DataFrame({"unit": units, "annotator": pd.Series(annotators, dtype=object), "label": labels})
    table = pairwise_table(long, item_col="unit").rename(columns={"n_items": "n_tokens"})
    table["n_items"] = [per_pair.get((a, b), per_pair.get((b, a), 0))
                        for a, b in zip(table.annotator_a, table.annotator_b)]
    return table[TOKEN_COLUMNS]


def consensus_spans(df: pd.DataFrame, *, min_share: float = 0.5, kind: Optional[str] = "spans",
                    item_col: str = "item_id", annotator_col: str = "annotator",
                    label_col: str = "label") -> pd.DataFrame:
    """The spans whose exact ``(start, end, label)`` at least ``min_share`` of the item's annotators gave.

    Parameters
    ----------
    df : pandas.DataFrame
        Long span answers.
    min_share : float in (0, 1], default 0.5
        Share of the annotators who answered the item (empty answers included); with two
        annotators, 0.5 keeps a span either of them gave and 1.0 only the common ones.
    kind : str or None, default 'spans'
    item_col, annotator_col, label_col : str

    Returns
    -------
    pandas.DataFrame
        Columns ``item_id, start, end, label, text, support, n_annotators, share``
        (``support``: annotators who gave the span; ``text`` as the first of them wrote it),
        items in order of first appearance, spans by position.

    Examples
    --------
    >>> import pandas as pd
    >>> s = lambda a, b, l: {"start": a, "end": b, "label": l}
    >>> df = pd.DataFrame({"item_id": [1, 1, 1], "annotator": ["x", "y", "z"],
    ...                    "label": [[s(0, 4, "A")], [s(0, 4, "A"), s(6, 9, "B")], []]})
    >>> consensus_spans(df, min_share=0.6)
       item_id  start  end label  text  support  n_annotators     share
    0        1      0    4     A  None        2             3  0.666667
    """
    caller = "consensus_spans"
    min_share = check_fraction(min_share, param="min_share", caller=caller, inclusive_zero=False)
    answers = read_region_answers(df, parse=_parse_span, kind=kind, caller=caller, item_col=item_col,
                                  annotator_col=annotator_col, label_col=label_col)
    rows = []
    for item, by in answers.items():
        votes: Dict[tuple, list] = {}
        for spans in by.values():
            for key in dict.fromkeys(s[:3] for s in spans):
                votes.setdefault(key, []).append(next(s[3] for s in spans if s[:3] == key))
        for key in sorted(votes):
            share = len(votes[key]) / len(by)
            if share >= min_share - 1e-12:
                text = next((t for t in votes[key] if t is not None), None)
                rows.append((item, *key, text, len(votes[key]), len(by), share))
    out = pd.DataFrame(rows, columns=CONSENSUS_COLUMNS)
    out["text"] = pd.Series([row[4] for row in rows], dtype=object)
    return out


def span_disagreements(df: pd.DataFrame, *, match: str = "exact", kind: Optional[str] = "spans",
                       item_col: str = "item_id", annotator_col: str = "annotator",
                       label_col: str = "label") -> pd.DataFrame:
    """Items ranked by how little their annotators' spans agree (lowest mean pairwise F1 first).

    The F1 of a pair on one item is ``2 * matches / (n_a + n_b)`` over all labels; two
    empty answers agree fully (F1 = 1). Items with fewer than two answers are left out.

    Parameters
    ----------
    df : pandas.DataFrame
        Long span answers.
    match : {'exact', 'overlap'}, default 'exact'
        Which F1 orders the items.
    kind : str or None, default 'spans'
    item_col, annotator_col, label_col : str

    Returns
    -------
    pandas.DataFrame
        Columns ``item_id, n_annotators, n_spans, labels, mean_exact_f1, min_exact_f1,
        mean_overlap_f1, min_overlap_f1`` (``n_spans``: all spans given; ``labels``: the
        sorted labels used), ascending by ``mean_<match>_f1`` (ties in item order).

    Examples
    --------
    >>> import pandas as pd
    >>> s = lambda a, b, l: {"start": a, "end": b, "label": l}
    >>> df = pd.DataFrame({"item_id": [1, 1, 2, 2], "annotator": ["x", "y"] * 2,
    ...                    "label": [[s(0, 4, "A")], [s(0, 4, "A")], [s(0, 4, "A")], [s(1, 4, "A")]]})
    >>> span_disagreements(df)[["item_id", "mean_exact_f1", "mean_overlap_f1"]]
       item_id  mean_exact_f1  mean_overlap_f1
    0        2            0.0              1.0
    1        1            1.0              1.0
    """
    caller = "span_disagreements"
    check_option(match, ("exact", "overlap"), param="match", caller=caller)
    answers = read_region_answers(df, parse=_parse_span, kind=kind, caller=caller, item_col=item_col,
                                  annotator_col=annotator_col, label_col=label_col)
    rows = []
    for item, by in answers.items():
        if len(by) < 2:
            continue
        scores = []
        for A, B in combinations(by.values(), 2):
            sums = np.sum([c for c in _compare_spans(A, B).values()], axis=0) if (A or B) else None
            scores.append((1.0, 1.0) if sums is None else tuple(f1(sums[[2, 3]], sums[0], sums[1])))
        exact, overlap = np.array(scores).T
        labels = sorted({s[2] for spans in by.values() for s in spans})
        rows.append((item, len(by), sum(len(v) for v in by.values()), labels,
                     exact.mean(), exact.min(), overlap.mean(), overlap.min()))
    out = pd.DataFrame(rows, columns=DISAGREEMENT_COLUMNS)
    order = np.lexsort((np.arange(len(out)), out[f"mean_{match}_f1"].to_numpy()))
    return out.iloc[order].reset_index(drop=True)
