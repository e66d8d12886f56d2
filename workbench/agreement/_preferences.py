"""Pairwise preferences between systems: the preferences frame, win rates, Bradley-Terry scores.

The checks of the raters themselves (agreement, ties, position bias, transitivity) are in
:mod:`workbench.agreement._rater_checks`.

Private helper of :mod:`workbench.agreement` (re-exported there). The input is a
*preferences* frame, one row per judgement of one pair of systems:
``item_id, annotator, system_a, system_b, winner``, where ``system_a`` is the response
shown first (position a), and ``winner`` is ``system_a``'s or ``system_b``'s name, or
missing (None / NaN) for a tie. :func:`preferences_from_annotations` builds it from the
store's ``kind="pairwise"`` rows (``{"choice": "a", "ranking": ["a", "b"], "tie": false}``)
and the items' ``system_a``, ``system_b``, ... columns; a ranking of three or more
responses becomes every pair it orders.

Examples
--------
>>> import pandas as pd
>>> prefs = pd.DataFrame({"item_id": [1, 2, 3, 4], "annotator": ["ana"] * 4,
...                       "system_a": ["gpt", "gpt", "claude", "gpt"], "system_b": ["claude", "claude", "gpt", "llama"],
...                       "winner": ["gpt", None, "gpt", "llama"]})
>>> win_rates(prefs)[["system", "wins", "ties", "losses", "win_rate"]]
   system  wins  ties  losses  win_rate
0   llama     1     0       0  1.000000
1     gpt     2     1       1  0.625000
2  claude     0     1       2  0.166667
"""

from __future__ import annotations

import json
import warnings
from itertools import combinations
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from ._bootstrap import bootstrap_sums, percentile_interval
from .._internal.intervals import wilson_interval
from .._internal.validation import (check_columns, check_fraction, check_positive_int, check_random_state,
                                    shown)
from ..exceptions import DataError, ValidationError, WorkbenchWarning

__all__ = ["preferences_from_annotations", "win_rates", "bradley_terry", "PREFERENCE_COLUMNS", "TIE"]

PREFERENCE_COLUMNS = ["item_id", "annotator", "system_a", "system_b", "winner"]
TIE = "(tie)"  #: the winner label of a tie in :func:`preference_agreement`
LETTERS = "abcdefghi"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA


def _where(item, annotator) -> str:
    return f"the judgement of annotator {annotator!r} on item {item!r}"


def _checked(prefs, caller: str, item_col: str, annotator_col: str) -> pd.DataFrame:
    """A copy of ``prefs`` with ``_outcome`` (1: system_a won, 0: system_b won, 0.5: tie), validated."""
    if not isinstance(prefs, pd.DataFrame):
        raise DataError(f"{caller} expects a preferences DataFrame ({item_col}, {annotator_col}, system_a, system_b, "
                        f"winner); got {type(prefs).__name__}. Build one with preferences_from_annotations.",
                        reason="not_a_frame")
    check_columns(prefs, [item_col, annotator_col, "system_a", "system_b", "winner"],
                  what=f"The preferences passed to {caller}",
                  hint="Build them with preferences_from_annotations(annotations, items).")
    outcome = np.empty(len(prefs))
    for k, (item, ann, a, b, w) in enumerate(zip(prefs[item_col], prefs[annotator_col], prefs["system_a"],
                                                 prefs["system_b"], prefs["winner"])):
        if _missing(item) or _missing(ann) or _missing(a) or _missing(b) or a == b:
            raise DataError(f"{caller}: {_where(item, ann)} (row {k}) needs an item, an annotator and two different "
                            f"systems; got system_a={a!r}, system_b={b!r}.", reason="bad_preference")
        if _missing(w):
            outcome[k] = 0.5
        elif w in (a, b):
            outcome[k] = 1.0 if w == a else 0.0
        else:
            raise DataError(f"{caller}: {_where(item, ann)} (row {k}) names the winner {w!r}, which is neither "
                            f"system_a {a!r} nor system_b {b!r}; use one of them, or None for a tie.",
                            reason="bad_preference")
    frame = prefs.assign(_outcome=outcome, _lo=[min(str(a), str(b)) for a, b in zip(prefs.system_a, prefs.system_b)],
                         _hi=[max(str(a), str(b)) for a, b in zip(prefs.system_a, prefs.system_b)])
    dup = frame.duplicated([item_col, annotator_col, "_lo", "_hi"], keep=False)
    if dup.any():
        raise DataError(f"{caller}: {int(dup.sum())} rows judge the same pair of systems on the same item by the same "
                        f"annotator, e.g. {frame.loc[dup, [item_col, annotator_col]].head(3).to_dict('records')}. "
                        "Keep one judgement each (drop_duplicates(..., keep='last')).",
                        failure_cases=prefs[dup.to_numpy()], reason="duplicate_rating")
    return frame


def _systems_of(items, item_col: str, caller: str) -> dict:
    """item_id -> {letter: system} from an items frame (system_a, system_b, ... columns) or a mapping."""
    if isinstance(items, pd.DataFrame):
        letters = [c for c in LETTERS if f"system_{c}" in items.columns]
        check_columns(items, [item_col, "system_a", "system_b"], what=f"The items passed to {caller}",
                      hint="Give each item the names of the systems behind responses a, b, ... as metadata.")
        return {item: {c: s for c, s in zip(letters, row) if not _missing(s)}
                for item, *row in zip(items[item_col], *(items[f"system_{c}"] for c in letters))}
    if isinstance(items, Mapping):
        return {item: (dict(v) if isinstance(v, Mapping) else dict(zip(LETTERS, v))) for item, v in items.items()}
    raise DataError(f"{caller} needs items as a DataFrame ({item_col}, system_a, system_b, ...) or a dict item_id -> "
                    f"{{'a': system, 'b': system}}; got {type(items).__name__}.", reason="bad_items")


def _pairs(payload, systems: dict, where: str):
    """(letter_x, letter_y, winner letter or None) for every pair a judgement decides."""
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            raise DataError(f"{where} is not valid JSON: {payload[:80]!r}.", reason="bad_label") from None
    if not isinstance(payload, Mapping):
        raise DataError(f"{where} must be an object {{'choice', 'ranking', 'tie'}}; got {payload!r:.80}.",
                        reason="bad_label")
    choice, ranking, tie = payload.get("choice"), list(payload.get("ranking") or []), bool(payload.get("tie"))
    letters = sorted(systems)
    unknown = [x for x in ([choice] if choice is not None else []) + ranking if x not in systems]
    if unknown or len(set(ranking)) != len(ranking):
        raise DataError(f"{where} uses the responses {unknown or ranking}, but the item has {letters} (each once).",
                        reason="bad_label")
    if tie:
        return [(x, y, None) for x, y in combinations(letters, 2)]
    if len(ranking) >= 2:
        if choice is not None and choice != ranking[0]:
            raise DataError(f"{where} chooses {choice!r} but ranks {ranking[0]!r} first.", reason="bad_label")
        return sorted((x, y, x) if letters.index(x) < letters.index(y) else (y, x, x)
                      for x, y in combinations(ranking, 2))
    if choice is not None:
        return [(x, y, choice) for x, y in combinations(letters, 2) if choice in (x, y)]
    raise DataError(f"{where} has no choice, no ranking and no tie; record one, or drop the row.", reason="bad_label")


def preferences_from_annotations(annotations: pd.DataFrame, items, *, kinds: Sequence[str] = ("pairwise", "ranking"),
                                 item_col: str = "item_id", annotator_col: str = "annotator",
                                 label_col: str = "label") -> pd.DataFrame:
    """The preferences frame from pairwise / ranking annotations and the systems behind each response.

    A tie is every pair of the item's responses tied; a ranking of n responses gives its
    n (n - 1) / 2 ordered pairs; a choice alone (no ranking) beats each other response.

    Parameters
    ----------
    annotations : pandas.DataFrame
        Long rows whose label is ``{"choice": "a" | "b" | None, "ranking": [...], "tie": bool}``
        (JSON or a dict); rows with no label are skipped.
    items : DataFrame or dict
        ``store.items()``-like frame with ``item_col`` and ``system_a``, ``system_b`` (,
        ``system_c``, ...) columns, or a dict item_id -> ``{"a": system, "b": system}`` /
        ``[system_a, system_b]``.
    kinds : sequence of str, default ('pairwise', 'ranking')
        When ``annotations`` has a ``kind`` column, only rows of these kinds are read.
    item_col, annotator_col, label_col : str

    Returns
    -------
    pandas.DataFrame
        Columns ``item_id, annotator, system_a, system_b, winner`` (``system_a`` shown
        before ``system_b``; ``winner`` None for a tie).

    Examples
    --------
    >>> import pandas as pd
    >>> ann = pd.DataFrame({"item_id": ["p1", "p2"], "annotator": ["ana", "ana"], "kind": ["pairwise"] * 2,
    ...                     "label": ['{"choice": "b", "ranking": ["b", "a"], "tie": false}',
    ...                               '{"choice": null, "ranking": [], "tie": true}']})
    >>> items = pd.DataFrame({"item_id": ["p1", "p2"], "system_a": ["gpt", "llama"], "system_b": ["claude", "gpt"]})
    >>> preferences_from_annotations(ann, items)
      item_id annotator system_a system_b  winner
    0      p1       ana      gpt   claude  claude
    1      p2       ana    llama      gpt    None
    """
    caller = "preferences_from_annotations"
    if not isinstance(annotations, pd.DataFrame):
        raise DataError(f"{caller} expects the annotations as a DataFrame; got {type(annotations).__name__}.",
                        reason="not_a_frame")
    check_columns(annotations, [item_col, annotator_col, label_col], what=f"The annotations passed to {caller}")
    if "kind" in annotations.columns:
        annotations = annotations.loc[annotations["kind"].isin(list(kinds)).to_numpy(dtype=bool)]
    annotations = annotations.loc[annotations[label_col].notna().to_numpy(dtype=bool)]
    systems = _systems_of(items, item_col, caller)
    missing = [i for i in dict.fromkeys(annotations[item_col]) if len(systems.get(i, {})) < 2]
    if missing:
        raise DataError(f"{caller}: item(s) {shown(missing)} have no systems for responses a and b in the items; "
                        "add system_a / system_b to their metadata.", reason="missing_systems")
    rows = []
    for item, ann, payload in zip(annotations[item_col], annotations[annotator_col], annotations[label_col]):
        names = systems[item]
        for x, y, w in _pairs(payload, names, f"{caller}: {_where(item, ann)}"):
            rows.append((item, ann, names[x], names[y], None if w is None else names[w]))
    return pd.DataFrame({c: pd.Series([r[k] for r in rows], dtype=object) for k, c in enumerate(PREFERENCE_COLUMNS)})


def win_rates(prefs: pd.DataFrame, *, confidence: float = 0.95, item_col: str = "item_id",
              annotator_col: str = "annotator") -> pd.DataFrame:
    """Each system's win rate over its comparisons, a tie counting as half a win, with a Wilson interval.

    The interval treats every comparison as an independent trial; judgements of one item
    by several raters are not, so prefer :func:`bradley_terry`'s item bootstrap for claims.

    Parameters
    ----------
    prefs : pandas.DataFrame
        Preferences (see the module docs).
    confidence : float, default 0.95
    item_col, annotator_col : str

    Returns
    -------
    pandas.DataFrame
        Columns ``system, n_comparisons, wins, ties, losses, win_rate, ci_low, ci_high``,
        ``win_rate = (wins + ties / 2) / n_comparisons``, highest first.

    Examples
    --------
    >>> import pandas as pd
    >>> prefs = pd.DataFrame({"item_id": range(10), "annotator": "ana", "system_a": "x", "system_b": "y",
    ...                       "winner": ["x"] * 7 + ["y"] * 2 + [None]})
    >>> win_rates(prefs).round(3)
      system  n_comparisons  wins  ties  losses  win_rate  ci_low  ci_high
    0      x             10     7     1       2      0.75   0.442    0.919
    1      y             10     2     1       7      0.25   0.081    0.558
    """
    caller = "win_rates"
    confidence = check_fraction(confidence, param="confidence", caller=caller, inclusive_zero=False)
    frame = _checked(prefs, caller, item_col, annotator_col)
    o = frame["_outcome"].to_numpy()
    long = pd.DataFrame({"system": np.concatenate([frame.system_a.to_numpy(object), frame.system_b.to_numpy(object)]),
                         "score": np.concatenate([o, 1 - o])})
    g = long.groupby("system", sort=True)["score"]
    out = pd.DataFrame({"n_comparisons": g.size(), "wins": g.apply(lambda s: int((s == 1).sum())),
                        "ties": g.apply(lambda s: int((s == 0.5).sum())), "score": g.sum()}).reset_index()
    out["losses"] = out.n_comparisons - out.wins - out.ties
    out["win_rate"] = out.score / out.n_comparisons
    out["ci_low"], out["ci_high"] = wilson_interval(out.score, out.n_comparisons, confidence)
    out = out.sort_values(["win_rate", "system"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return out[["system", "n_comparisons", "wins", "ties", "losses", "win_rate", "ci_low", "ci_high"]]


def _exists(W: np.ndarray) -> bool:
    """Hunter's (2004) condition: the 'beat or tied' graph is strongly connected."""
    return connected_components(sp.csr_matrix(W > 0), directed=True, connection="strong")[0] == 1


def _mm(W: np.ndarray, theta0: np.ndarray, max_iter: int, tol: float):
    """Hunter's (2004) MM iterations on a batch of win matrices (B, S, S): log-strengths (mean 0), converged."""
    N = W + np.swapaxes(W, -1, -2)
    wins = W.sum(axis=-1)
    p = np.exp(theta0 - theta0.mean(axis=-1, keepdims=True))
    active = np.arange(len(W))
    for _ in range(max_iter):
        if not len(active):
            break
        P = p[active]
        new = wins[active] / (N[active] / (P[:, :, None] + P[:, None, :])).sum(axis=-1)
        new /= np.exp(np.log(new).mean(axis=-1, keepdims=True))
        step = np.abs(np.log(new) - np.log(P)).max(axis=-1)
        p[active] = new
        active = active[step >= tol]
    converged = np.ones(len(W), dtype=bool)
    converged[active] = False
    return np.log(p), converged


def bradley_terry(prefs: pd.DataFrame, *, prior: float = 0.0, n_boot: int = 1000, random_state=None,
                  confidence: float = 0.95, max_iter: int = 10_000, tol: float = 1e-10, progress: bool = False,
                  item_col: str = "item_id", annotator_col: str = "annotator") -> pd.DataFrame:
    """Bradley-Terry scores by maximum likelihood (Hunter's 2004 MM algorithm), with item-bootstrap intervals.

    ``P(i beats j) = s_i / (s_i + s_j)``; a tie counts as half a win for each side. The
    score is ``log s``, normalised to mean 0 over the systems. The estimate exists when the
    "beat or tied" graph is strongly connected (Hunter 2004), i.e. no group of systems
    never loses to the rest; otherwise scores are NaN with a WorkbenchWarning. ``prior``
    adds that many virtual ties between every pair of systems (shrinkage toward equal
    strength), which makes the estimate always exist.

    Parameters
    ----------
    prefs : pandas.DataFrame
        Preferences (see the module docs).
    prior : float, default 0
    n_boot : int, default 1000
        Item resamples (all judgements of an item travel together); 0 skips intervals.
    random_state : None, int or numpy Generator
    confidence : float, default 0.95
    max_iter : int, default 10000
    tol : float, default 1e-10
        Stop when no log-strength moves more than this.
    progress : bool
    item_col, annotator_col : str

    Returns
    -------
    pandas.DataFrame
        Columns ``system, score, ci_low, ci_high, strength, n_comparisons``
        (``strength = exp(score)``), highest score first. Resamples without an estimate
        are left out of the intervals (with a warning saying how many).

    Examples
    --------
    With two systems the estimate is closed-form: ``s_x / (s_x + s_y) = 3 / 4``.

    >>> import numpy as np, pandas as pd
    >>> prefs = pd.DataFrame({"item_id": range(4), "annotator": "ana", "system_a": "x", "system_b": "y",
    ...                       "winner": ["x", "x", "x", "y"]})
    >>> bt = bradley_terry(prefs, n_boot=0)
    >>> bt[["system", "score", "strength"]].round(4)
      system   score  strength
    0      x  0.5493    1.7321
    1      y -0.5493    0.5774
    >>> round(float(np.exp(bt.score[0] - bt.score[1])), 6)
    3.0
    """
    caller = "bradley_terry"
    n_boot = check_positive_int(n_boot, param="n_boot", caller=caller, minimum=0)
    max_iter = check_positive_int(max_iter, param="max_iter", caller=caller)
    confidence = check_fraction(confidence, param="confidence", caller=caller, inclusive_zero=False)
    if isinstance(prior, bool) or not isinstance(prior, (int, float)) or not prior >= 0:
        raise ValidationError(f"The 'prior' parameter of {caller} must be a number >= 0. Got {prior!r} instead.")
    rng = check_random_state(random_state)
    frame = _checked(prefs, caller, item_col, annotator_col)
    names = sorted(set(frame.system_a) | set(frame.system_b), key=str)
    S = len(names)
    code = {s: k for k, s in enumerate(names)}
    i, j = frame.system_a.map(code).to_numpy(int), frame.system_b.map(code).to_numpy(int)
    o = frame["_outcome"].to_numpy()
    items, _ = pd.factorize(frame[item_col])
    F = sp.csr_matrix((np.concatenate([o, 1 - o]), (np.tile(items, 2), np.concatenate([i * S + j, j * S + i]))),
                      shape=(items.max() + 1 if len(items) else 0, S * S))  # per item: who beat whom
    extra = prior / 2.0 * (1.0 - np.eye(S))
    W = np.asarray(F.sum(axis=0)).reshape(S, S) + extra
    n_comp = np.bincount(np.concatenate([i, j]), minlength=S)
    score = np.full(S, np.nan)
    if S >= 2 and _exists(W):
        theta, ok = _mm(W[None], np.zeros((1, S)), max_iter, tol)
        score = theta[0]
        if not ok[0]:
            warnings.warn(f"{caller}: the MM iterations did not converge to tol={tol} in {max_iter} steps; raise "
                          "max_iter.", WorkbenchWarning, stacklevel=2)
    else:
        never_lost = [names[k] for k in range(S) if W[:, k].sum() == 0]
        never_won = [names[k] for k in range(S) if W[k].sum() == 0]
        warnings.warn(f"{caller}: the maximum-likelihood scores do not exist (NaN): "
                      + (f"there are {S} system(s); at least two are needed." if S < 2 else
                         f"never lost: {never_lost[:5]}, never won: {never_won[:5]} (or a group of systems never "
                         "lost to the rest). Pass prior=1 (one virtual tie per pair) to shrink toward equal strength.")
                      , WorkbenchWarning, stacklevel=2)
    low = high = np.full(S, np.nan)
    if n_boot and np.isfinite(score).all() and S >= 2:
        sums = bootstrap_sums(F, n_boot=n_boot, random_state=rng, progress=progress).reshape(n_boot, S, S) + extra
        fine = np.array([_exists(Wb) for Wb in sums])
        boot = np.full((n_boot, S), np.nan)
        if fine.any():
            boot[fine] = _mm(sums[fine], np.tile(score, (int(fine.sum()), 1)), max_iter, tol)[0]
        if not fine.all():
            warnings.warn(f"{caller}: {int((~fine).sum())} of {n_boot} bootstrap resamples have no finite scores (a "
                          "system never lost or never won in them) and are left out, so the intervals may be too "
                          "narrow; prior > 0 avoids this.", WorkbenchWarning, stacklevel=2)
        low, high = np.array([percentile_interval(boot[:, k], confidence=confidence) for k in range(S)]).T
    out = pd.DataFrame({"system": pd.Series(names, dtype=object), "score": score, "ci_low": low, "ci_high": high,
                        "strength": np.exp(score), "n_comparisons": n_comp})
    return out.sort_values(["score", "system"], ascending=[False, True], kind="stable").reset_index(drop=True)
