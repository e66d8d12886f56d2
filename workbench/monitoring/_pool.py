"""Drift of the labeling pool against production data: text length, language, predicted labels.

A pool sampled months ago, or from one channel, stops looking like what the model meets in
production. Each check compares the two sides with a test and the population stability index
of :mod:`._drift` (``PSI`` below 0.1 stable, to 0.25 moderate, above major):

- **text length** in characters and in words: the two medians, the two-sample
  Kolmogorov-Smirnov test (``scipy.stats.ks_2samp``) and the PSI over ten bins cut at the
  pool's deciles (repeated cut points merged; a bin holds the values up to its cut point, the last one everything above);
- **language**: the share of each language, identified by ``py3langid`` (its model ships in
  the package, offline; the ``[language]`` extra), with the chi-square test of homogeneity and
  the PSI over the languages. Texts of fewer than three words are ``und`` (undetermined):
  identifiers guess wildly on them;
- **predicted labels**: the share of each label a model predicts on each side, with the same
  two tests.

Analysis layer: texts and labels in, DataFrames out.

Examples
--------
>>> pool = ["short one here"] * 50
>>> production = ["a much longer message that keeps going for a while"] * 50
>>> text_length_drift(pool, production)[["measure", "pool_median", "production_median", "verdict"]].values.tolist()
[['characters', 14.0, 50.0, 'major'], ['words', 3.0, 10.0, 'major']]
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .._internal.optional import import_optional
from ..exceptions import DataError
from ._drift import PSI_MAJOR, PSI_MODERATE, psi

__all__ = ["text_length_drift", "language_drift", "predicted_label_drift", "pool_drift_report",
           "identify_languages", "UNDETERMINED", "MIN_WORDS_FOR_LANGUAGE"]

#: The language of a text too short to identify.
UNDETERMINED = "und"
#: Texts with fewer words are not identified.
MIN_WORDS_FOR_LANGUAGE = 3
_REPORT_COLUMNS = ["check", "statistic", "p_value", "psi", "verdict", "finding"]


def _verdict(value: float) -> str:
    return "major" if value > PSI_MAJOR else "moderate" if value > PSI_MODERATE else "stable"


def _texts(values: Any, side: str, caller: str) -> pd.Series:
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise DataError(f"{caller}: the {side} must be a list or Series of texts; got {type(values).__name__}.",
                        reason="not_texts")
    series = pd.Series(list(values), dtype=object)
    missing = series.isna()
    if missing.all():
        raise DataError(f"{caller}: the {side} has no texts ({len(series)} values, all empty). Pass the texts "
                        "themselves, e.g. store.items()['text'].", reason="no_texts")
    bad = series[~missing].map(lambda v: not isinstance(v, str))
    if bad.any():
        first = series[~missing][bad].iloc[0]
        raise DataError(f"{caller}: the {side} holds {int(bad.sum())} values that are not text (e.g. {first!r} at "
                        f"position {int(series[~missing][bad].index[0])}). Convert them, or drop them.",
                        reason="not_texts")
    return series[~missing].astype(str).reset_index(drop=True)


def _binned_psi(pool: np.ndarray, production: np.ndarray, bins: int) -> float:
    edges = np.unique(np.quantile(pool, np.linspace(0, 1, bins + 1))[1:-1])
    counts_pool = np.bincount(np.searchsorted(edges, pool, side="left"), minlength=len(edges) + 1)
    counts_prod = np.bincount(np.searchsorted(edges, production, side="left"), minlength=len(edges) + 1)
    return psi(counts_pool, counts_prod)


def text_length_drift(pool_texts, production_texts, *, bins: int = 10) -> pd.DataFrame:
    """Text length of the pool against production, in characters and in words.

    Returns
    -------
    pandas.DataFrame
        ``measure`` (characters, words), ``pool_median``, ``production_median``, ``ks_statistic``,
        ``p_value``, ``psi``, ``verdict`` (by the PSI).
    """
    from scipy.stats import ks_2samp

    caller = "text_length_drift"
    pool, production = _texts(pool_texts, "pool", caller), _texts(production_texts, "production sample", caller)
    rows = []
    for measure, length in (("characters", lambda s: s.str.len()), ("words", lambda s: s.str.split().str.len())):
        a, b = length(pool).to_numpy(float), length(production).to_numpy(float)
        test = ks_2samp(a, b)
        value = _binned_psi(a, b, bins)
        rows.append({"measure": measure, "pool_median": float(np.median(a)), "production_median": float(np.median(b)),
                     "ks_statistic": float(test.statistic), "p_value": float(test.pvalue), "psi": value,
                     "verdict": _verdict(value)})
    return pd.DataFrame(rows)


def _share_table(pool: pd.Series, production: pd.Series, name: str) -> pd.DataFrame:
    from scipy.stats import chi2_contingency

    counts = pd.DataFrame({"pool_count": pool.value_counts(), "production_count": production.value_counts()})
    counts = counts.fillna(0).astype(int).sort_values(["pool_count", "production_count"], ascending=False)
    out = counts.rename_axis(name).reset_index()
    out.insert(1, "pool_share", out["pool_count"] / out["pool_count"].sum())
    out.insert(2, "production_share", out["production_count"] / out["production_count"].sum())
    value = psi(out["pool_count"].to_numpy(), out["production_count"].to_numpy())
    if len(out) > 1:
        stat, p_value, dof, _ = chi2_contingency(out[["pool_count", "production_count"]].to_numpy().T)
    else:
        stat, p_value, dof = 0.0, 1.0, 0
    out.attrs.update({"chi2": float(stat), "p_value": float(p_value), "dof": int(dof), "psi": value,
                      "verdict": _verdict(value)})
    return out


def identify_languages(texts: Sequence[str]) -> pd.Series:
    """The ISO 639-1 code of each text (``py3langid``), ``'und'`` below three words."""
    langid = import_optional("py3langid", needed_for="Identifying the language of texts",
                             install="taxonomy-workbench[language]")
    series = pd.Series(list(texts), dtype=object).astype(str)
    return series.map(lambda t: langid.classify(t)[0] if len(t.split()) >= MIN_WORDS_FOR_LANGUAGE else UNDETERMINED)


def language_drift(pool_texts, production_texts) -> pd.DataFrame:
    """The language mix of the pool against production.

    Returns
    -------
    pandas.DataFrame
        One row per language: ``language, pool_share, production_share, pool_count,
        production_count`` (most frequent first); ``.attrs`` hold the chi-square test of
        homogeneity (``chi2``, ``dof``, ``p_value``), ``psi`` and ``verdict``.

    Examples
    --------
    >>> t = language_drift(["Where is my refund please"] * 8, ["¿Dónde está mi reembolso por favor?"] * 8)
    >>> t[["language", "pool_share", "production_share"]].values.tolist(), t.attrs["verdict"]
    ([['en', 1.0, 0.0], ['es', 0.0, 1.0]], 'major')
    """
    caller = "language_drift"
    pool, production = _texts(pool_texts, "pool", caller), _texts(production_texts, "production sample", caller)
    return _share_table(identify_languages(pool), identify_languages(production), "language")


def predicted_label_drift(pool_predictions, production_predictions) -> pd.DataFrame:
    """The predicted label mix of the pool against production (same columns and ``attrs`` as :func:`language_drift`).

    Examples
    --------
    >>> t = predicted_label_drift(["a"] * 5 + ["b"] * 5, ["a"] * 2 + ["b"] * 8)
    >>> round(t.attrs["psi"], 3), t.attrs["verdict"]
    (0.416, 'major')
    """
    caller = "predicted_label_drift"
    pool = _texts(pd.Series(list(pool_predictions), dtype=object).map(lambda v: v if v is None or v != v else str(v)),
                  "pool predictions", caller)
    production = _texts(pd.Series(list(production_predictions), dtype=object).map(
        lambda v: v if v is None or v != v else str(v)), "production predictions", caller)
    return _share_table(pool, production, "label")


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def pool_drift_report(pool_texts, production_texts, *, pool_predictions=None,
                      production_predictions=None) -> pd.DataFrame:
    """Every check in one table: ``check, statistic, p_value, psi, verdict, finding`` (a sentence).

    Language is left out, with a finding that says so, when ``py3langid`` is not installed.

    Examples
    --------
    >>> r = pool_drift_report(["short one here"] * 40, ["a much longer message that keeps going"] * 40)
    >>> r.loc[0, "finding"]
    'Production texts are longer: median 38 vs 14 characters (PSI 18.42, major).'
    """
    lengths = text_length_drift(pool_texts, production_texts)
    rows = []
    for row in lengths.itertuples():
        moved = ("longer" if row.production_median > row.pool_median else "shorter"
                 if row.production_median < row.pool_median else "as long")
        finding = (f"Production texts are {moved}: median {_fmt(row.production_median)} vs {_fmt(row.pool_median)} "
                   f"{row.measure} (PSI {row.psi:.2f}, {row.verdict}).")
        rows.append({"check": f"text length ({row.measure})", "statistic": row.ks_statistic, "p_value": row.p_value,
                     "psi": row.psi, "verdict": row.verdict, "finding": finding})
    try:
        languages = language_drift(pool_texts, production_texts)
    except ImportError as exc:  # MissingDependencyError: the [language] extra is not installed
        rows.append({"check": "language", "statistic": math.nan, "p_value": math.nan, "psi": math.nan,
                     "verdict": "not checked", "finding": str(exc)})
    else:
        rows.append(_mix_row("language", languages, "language"))
    if pool_predictions is not None and production_predictions is not None:
        rows.append(_mix_row("predicted labels", predicted_label_drift(pool_predictions, production_predictions),
                             "label"))
    return pd.DataFrame(rows, columns=_REPORT_COLUMNS)


def _mix_row(check: str, table: pd.DataFrame, key: str) -> dict:
    change = (table["production_share"] - table["pool_share"])
    top = table.loc[change.abs().idxmax()]
    finding = (f"The {check} mix {'is stable' if table.attrs['verdict'] == 'stable' else 'moved'}: largest change "
               f"{top[key]} from {top['pool_share']:.0%} of the pool to {top['production_share']:.0%} of production "
               f"(PSI {table.attrs['psi']:.2f}, {table.attrs['verdict']}).")
    return {"check": check, "statistic": table.attrs["chi2"], "p_value": table.attrs["p_value"],
            "psi": table.attrs["psi"], "verdict": table.attrs["verdict"], "finding": finding}
