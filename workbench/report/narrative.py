"""Building blocks for report notebooks: escaped HTML, sentences with intervals, provenance.

Report templates (``templates/*.ipynb``) stay readable by delegating formatting here.
Every piece of untrusted text (items, notes, labels, annotator names, taxonomy text, round
names) goes through :func:`esc` or :func:`frame_html` before it becomes HTML *or* Markdown:
:func:`esc` is the package's one escaping path (``workbench._internal.markup.escape_text``),
inert in both, so ``display(Markdown(f"... {esc(x)} ..."))`` can make no link, image or tag.
Never put its output in a Markdown code span (backticks): write ``<code>{esc(x)}</code>``.

Examples
--------
>>> from workbench.report.narrative import esc, fmt_interval
>>> esc("<script>alert(1)</script>")
'&lt;script&gt;alert&#40;1&#41;&lt;/script&gt;'
>>> esc("[x](javascript:alert(1))")
'&#91;x&#93;&#40;javascript&#58;alert&#40;1&#41;&#41;'
>>> fmt_interval(0.7123, 0.65, 0.77)
'0.71 (95% CI 0.65 to 0.77)'
"""

from __future__ import annotations

import hashlib
import json
import math
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from .._internal.intervals import wilson_interval
from .._internal.markup import escape_text as esc, shown_controls
from .._internal.paths import path_inside, safe_filename
from ..items import mask_pii as mask_text

__all__ = [
    "esc",
    "fmt_interval",
    "fmt_share",
    "name_list",
    "verdict_html",
    "frame_html",
    "span_examples_html",
    "examples_html",
    "callout_html",
    "code_html",
    "proportion_interval",
    "frame_hash",
    "package_versions",
    "to_jsonable",
    "write_metrics",
    "output_path",
    "chart_data",
    "shown_controls",
]

_CALLOUT_COLOURS = {"good": ("#e8f5e9", "#2e7d32"), "warn": ("#fff8e1", "#b26a00"),
                    "bad": ("#fdecea", "#c62828"), "info": ("#e8f0fe", "#1a4fa0")}


def fmt_interval(value: float, low: float, high: float, *, digits: int = 2) -> str:
    """Format a point estimate with its 95% interval; NaN prints as "undefined".

    Examples
    --------
    >>> fmt_interval(float("nan"), 0, 1)
    'undefined'
    >>> fmt_interval(0.5, float("nan"), float("nan"))
    '0.50'
    """
    if value is None or not np.isfinite(value):
        return "undefined"
    if low is None or high is None or not (np.isfinite(low) and np.isfinite(high)):
        return f"{value:.{digits}f}"
    return f"{value:.{digits}f} (95% CI {low:.{digits}f} to {high:.{digits}f})"


def name_list(names: Iterable[Any], *, limit: int = 10) -> str:
    """Escaped names joined by commas, at most ``limit`` of them, then how many more.

    A crowd round has hundreds of annotators: a sentence lists the first few, never all.

    Examples
    --------
    >>> name_list(["ana", "ben"])
    'ana, ben'
    >>> name_list([f"w{k}" for k in range(219)], limit=3)
    'w0, w1, w2 and 216 more'
    """
    names = [esc(n) for n in names]
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f" and {len(names) - limit} more"


def fmt_share(part: float, whole: float) -> str:
    """``"12 of 40 (30%)"``.

    Examples
    --------
    >>> fmt_share(12, 40)
    '12 of 40 (30%)'
    """
    share = part / whole if whole else float("nan")
    pct = f"{share:.0%}" if np.isfinite(share) else "n/a"
    return f"{int(part)} of {int(whole)} ({pct})"


def verdict_html(passed: Optional[bool]) -> str:
    """A coloured PASS / FAIL / n/a badge.

    Examples
    --------
    >>> "PASS" in verdict_html(True), "FAIL" in verdict_html(False), "n/a" in verdict_html(None)
    (True, True, True)
    """
    if passed is None:
        text, (bg, fg) = "n/a", ("#eeeeee", "#555555")
    else:
        text, (bg, fg) = ("PASS", _CALLOUT_COLOURS["good"]) if passed else ("FAIL", _CALLOUT_COLOURS["bad"])
    return (f'<span style="background:{bg};color:{fg};font-weight:600;padding:1px 8px;'
            f'border-radius:10px;font-size:12px">{text}</span>')


def callout_html(text_html: str, *, tone: str = "info") -> str:
    """A coloured box around already-escaped HTML (``tone``: good, warn, bad, info)."""
    bg, fg = _CALLOUT_COLOURS.get(tone, _CALLOUT_COLOURS["info"])
    return (f'<div style="background:{bg};border-left:4px solid {fg};padding:10px 14px;'
            f'margin:8px 0;border-radius:4px">{text_html}</div>')


def code_html(text: str, *, caption: Optional[str] = None) -> str:
    """A block of code or YAML, escaped, in a monospace box that reads as code.

    Parameters
    ----------
    text : str
        Plain text (escaped here).
    caption : str, optional
        A short bold label above the box (escaped).

    Examples
    --------
    >>> out = code_html("op: add\\nrule: '<b>x</b>'", caption="Change")
    >>> out.startswith("<p><b>Change</b></p><pre") and "&lt;b&gt;x&lt;/b&gt;" in out and "monospace" in out
    True
    """
    head = f"<p><b>{esc(caption)}</b></p>" if caption else ""
    return (f"{head}<pre style=\"font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;"
            "line-height:1.45;background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:10px 12px;"
            f"margin:4px 0 12px 0;white-space:pre-wrap;overflow-x:auto\"><code>{esc(text)}</code></pre>")


def chart_data(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells are safe to chart: control characters shown as ``⟨U+XXXX⟩``.

    The charts are rendered to SVG (XML), which cannot hold C0 control characters or U+FFFE /
    U+FFFF; vl-convert aborts the whole kernel on one (a category id or annotator name with a
    ``\x07`` in it). The labels then read as the report's tables show them (:func:`esc`).

    Examples
    --------
    >>> chart_data(pd.DataFrame({"category": ["a\x07b", "c"], "n": [1, 2]}))["category"].tolist()
    ['a⟨U+0007⟩b', 'c']
    """
    out = df.copy()
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col])):
            out[col] = out[col].map(lambda v: shown_controls(v) if isinstance(v, str) else v)
    return out


def proportion_interval(successes: float, total: float, *, z: float = 1.959964) -> tuple:
    """A proportion and its 95% Wilson score interval: ``(p, low, high)`` (NaNs when ``total`` is 0).

    Deterministic (no resampling), so a report's accuracy interval is the same on every render.

    Examples
    --------
    >>> p, lo, hi = proportion_interval(81, 100)
    >>> round(p, 2), round(lo, 3), round(hi, 3)
    (0.81, 0.722, 0.875)
    """
    if not total:
        return float("nan"), float("nan"), float("nan")
    low, high = wilson_interval(successes, total, z=z)
    return float(successes / total), float(low), float(high)


def frame_html(df: pd.DataFrame, *, digits: int = 3, max_rows: int = 50, raw_columns: Sequence[str] = ()) -> str:
    """Render a DataFrame as an escaped HTML table (floats rounded, lists joined).

    Parameters
    ----------
    df : pandas.DataFrame
    digits : int, default 3
    max_rows : int, default 50
        Longer frames are cut, with a note saying how many rows were left out.
    raw_columns : sequence of str
        Columns whose values are already safe HTML (e.g. :func:`verdict_html` badges).

    Examples
    --------
    >>> html_table = frame_html(pd.DataFrame({"text": ["<b>x</b>"], "v": [0.12345]}))
    >>> "&lt;b&gt;x&lt;/b&gt;" in html_table and "0.123" in html_table
    True
    >>> ">0<" in frame_html(pd.DataFrame({"level": [0, 1], "alpha": [0.8, 0.7]}))
    True
    """
    shown = df.head(max_rows)
    head = "".join(f"<th style='text-align:left'>{esc(c)}</th>" for c in shown.columns)
    rows = []
    for i in range(len(shown)):  # positional access keeps each column's dtype (iterrows upcasts ints)
        cells = []
        for j, col in enumerate(shown.columns):
            value = shown.iat[i, j]
            cell = value if col in raw_columns else esc(_plain(value, digits))
            numeric = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
            align = "right" if numeric else "left"
            cells.append(f"<td style='vertical-align:top;text-align:{align}'>{cell}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = f"<p><em>{len(df) - max_rows} more rows not shown.</em></p>" if len(df) > max_rows else ""
    return (f"<table class='dataframe' style='border-collapse:collapse'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>{more}")


def _plain(value: Any, digits: int) -> str:
    if isinstance(value, (float, np.floating)):
        return "" if not np.isfinite(value) else f"{value:.{digits}f}".rstrip("0").rstrip(".") if abs(value) >= 1 \
            else f"{value:.{digits}f}"
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _rows_of(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Rows of ``frame`` whose ``item_id``, as a string, is one of ``keys`` (without converting every id)."""
    ids = frame["item_id"]
    hit = ids.isin(keys)
    if not hit.any() and ids.dtype != object:
        hit = ids.astype(str).isin(keys)
    return frame[hit.to_numpy()]


def examples_html(
    item_ids: Iterable[Any],
    items: pd.DataFrame,
    annotations: Optional[pd.DataFrame] = None,
    *,
    mask_pii: bool = True,
    max_chars: int = 280,
) -> str:
    """Example items as an escaped table: text (PII-masked), every annotator's label, notes.

    Parameters
    ----------
    item_ids : iterable
        The items to show, in order.
    items : pandas.DataFrame
        With ``item_id`` and ``text``.
    annotations : pandas.DataFrame, optional
        Long format with ``item_id, annotator, label`` and optionally ``note``, ``unsure``.
    mask_pii : bool, default True
        Mask emails, phone numbers, card numbers, IBANs and IP addresses.
    max_chars : int, default 280
        Longer texts are cut with an ellipsis.

    Examples
    --------
    >>> items = pd.DataFrame({"item_id": ["a"], "text": ["mail me at x@y.com <script>"]})
    >>> ann = pd.DataFrame({"item_id": ["a", "a"], "annotator": ["p", "q"], "label": ["bug", "how_to"]})
    >>> out = examples_html(["a"], items, ann)
    >>> "&lt;script&gt;" in out and "x@y.com" not in out and "p: <b>bug</b>" in out
    True
    """

    item_ids = list(item_ids)
    keys = [str(i) for i in item_ids]
    shown = _rows_of(items, keys)  # only the shown items: a report calls this often on large rounds
    text_of = dict(zip(shown["item_id"].astype(str), shown["text"].astype(str)))
    judged_rows = _rows_of(annotations, keys) if annotations is not None else None
    rows = []
    for item_id in item_ids:
        key = str(item_id)
        text = text_of.get(key, "")
        if mask_pii:
            text = mask_text(text)
        if len(text) > max_chars:
            text = text[: max_chars - 1] + "…"
        judged = ""
        if judged_rows is not None and len(judged_rows):
            sub = judged_rows[judged_rows["item_id"].astype(str) == key]
            parts = []
            for _, r in sub.iterrows():
                flag = " (unsure)" if bool(r.get("unsure", False)) is True else ""
                note = r.get("note")
                note_txt = f" — “{esc(note)}”" if isinstance(note, str) and note.strip() else ""
                parts.append(f"{esc(r['annotator'])}: <b>{esc(r['label'])}</b>{flag}{note_txt}")
            judged = "<br>".join(parts)
        rows.append(f"<tr><td style='vertical-align:top;white-space:nowrap;text-align:left'><code style='white-space:nowrap'>{esc(key)}</code></td>"
                    f"<td style='vertical-align:top;max-width:560px;text-align:left'>{esc(text)}</td>"
                    f"<td style='vertical-align:top;text-align:left'>{judged}</td></tr>")
    return ("<table class='dataframe'><thead><tr><th>item</th><th style='text-align:left'>text</th>"
            f"<th style='text-align:left'>labels</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _marked(text: str, spans, mask_pii: bool) -> str:
    """``text`` with ``spans`` (start, end, label) as ``<mark>``; every piece escaped (and masked) on its own."""
    def piece(t):
        return esc(mask_text(t) if mask_pii else t)

    out, at = [], 0
    for start, end, label in sorted((int(s), int(e), str(lab)) for s, e, lab in spans):
        if start < at or end > len(text) or start >= end:  # overlapping or out of range: listed, not drawn
            continue
        out += [piece(text[at:start]), f"<mark title='{esc(label)}'>{piece(text[start:end])}"
                f"<sub>{esc(label)}</sub></mark>"]
        at = end
    return "".join(out) + piece(text[at:])


def span_examples_html(item_ids: Iterable[Any], items: pd.DataFrame, answers: pd.DataFrame, *,
                       mask_pii: bool = True) -> str:
    """Each item's text once per annotator, with that annotator's spans marked and labeled.

    Parameters
    ----------
    item_ids : iterable
        The items to show, in order.
    items : pandas.DataFrame
        With ``item_id`` and ``text``.
    answers : pandas.DataFrame
        ``item_id, annotator, label`` where ``label`` is the JSON list of
        ``{"start", "end", "label"}`` objects of a ``kind="spans"`` answer.
    mask_pii : bool, default True
        Mask emails, phone numbers, card numbers, IBANs and IP addresses in the text. Each
        piece between span edges is masked separately.

    Examples
    --------
    >>> items = pd.DataFrame({"item_id": ["t"], "text": ["Acme <b> in Paris"]})
    >>> ans = pd.DataFrame({"item_id": ["t"], "annotator": ["ana"],
    ...                     "label": ['[{"start": 0, "end": 4, "label": "ORG"}]']})
    >>> out = span_examples_html(["t"], items, ans)
    >>> "<mark title='ORG'>Acme<sub>ORG</sub></mark>" in out and "&lt;b&gt; in Paris" in out
    True
    """
    import json

    item_ids = list(item_ids)
    keys = [str(i) for i in item_ids]
    shown = _rows_of(items, keys)
    text_of = dict(zip(shown["item_id"].astype(str), shown["text"].astype(str)))
    answers = _rows_of(answers, keys)
    rows = []
    for item_id in item_ids:
        key = str(item_id)
        sub = answers[answers["item_id"].astype(str) == key]
        for n, (_, r) in enumerate(sub.iterrows()):
            value = json.loads(r["label"]) if isinstance(r["label"], str) else (r["label"] or [])
            spans = [(e.get("start"), e.get("end"), e.get("label")) for e in value if isinstance(e, dict)]
            first = f"<code>{esc(key)}</code>" if n == 0 else ""
            rows.append(f"<tr><td style='vertical-align:top;text-align:left'>{first}</td>"
                        f"<td style='vertical-align:top;text-align:left'>{esc(r['annotator'])}</td>"
                        f"<td style='vertical-align:top;max-width:640px;text-align:left'>"
                        f"{_marked(text_of.get(key, ''), spans, mask_pii)}</td></tr>")
    return ("<table class='dataframe'><thead><tr><th>item</th><th>annotator</th><th style='text-align:left'>"
            f"spans</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")


def frame_hash(df: pd.DataFrame, columns: Optional[Sequence[str]] = None) -> str:
    """SHA-256 of a frame's content, independent of row order (for reproducibility records).

    Examples
    --------
    >>> a = pd.DataFrame({"x": [1, 2], "y": ["a", "b"]})
    >>> frame_hash(a) == frame_hash(a.iloc[::-1])
    True
    """
    cols = list(columns) if columns is not None else list(df.columns)
    canon = df[cols].astype(str).sort_values(cols).to_csv(index=False)
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()


def package_versions(names: Sequence[str] = ("taxonomy-workbench", "numpy", "pandas", "scikit-learn", "scipy",
                                             "cleanlab", "altair", "papermill", "sqlalchemy")) -> dict:
    """Installed versions of the packages that shape a report's numbers.

    Examples
    --------
    >>> "pandas" in package_versions(["pandas"])
    True
    """
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def to_jsonable(value: Any) -> Any:
    """Convert numpy / pandas scalars and containers to plain JSON types (NaN and NaT become None).

    Examples
    --------
    >>> to_jsonable({"a": np.float64(0.5), "b": [np.int64(2), float("nan")]})
    {'a': 0.5, 'b': [2, None]}
    """
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray, pd.Series)):
        return [to_jsonable(v) for v in list(value)]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, pd.DataFrame):
        return to_jsonable(value.to_dict(orient="records"))
    if value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    return value


def output_path(out_dir: "str | Path", stem: Any, suffix: str) -> Path:
    """Where to write a side file whose name comes from data (e.g. the taxonomy name).

    ``stem`` is slugged (:func:`workbench._internal.paths.safe_filename`: letters, digits,
    ``- _ .``; no folder part, never empty) and ``suffix`` appended; the result is refused
    unless it resolves inside ``out_dir``, so a taxonomy called ``../../x`` or ``a/b`` writes
    ``out_dir/x...`` or ``out_dir/a-b...``.

    Parameters
    ----------
    out_dir : path-like
    stem : Any
        The data-derived part of the name.
    suffix : str
        Written by the template, e.g. ``"-v2-draft.yaml"``.

    Returns
    -------
    pathlib.Path
        A resolved path inside ``out_dir``.

    Raises
    ------
    workbench.exceptions.DataError
        The path would resolve outside ``out_dir`` (e.g. through a symbolic link).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = output_path(tmp, "../../support intents/EU", "-v2-draft.yaml")
    ...     path.name, path.parent == Path(tmp).resolve()
    ('support-intents-EU-v2-draft.yaml', True)
    """
    return path_inside(out_dir, safe_filename(stem, suffix))


def write_metrics(out_dir: "str | Path", metrics: Mapping[str, Any], *, name: str = "metrics.json") -> Path:
    """Write ``metrics`` as pretty, key-sorted JSON into ``out_dir``."""
    path = Path(out_dir) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_jsonable(metrics), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
