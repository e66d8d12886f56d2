"""Quality targets per team or vendor (``targets.yaml``), and whether each is met, week by week.

A labeler's team or vendor is a store attribute (``workbench users add NAME --team acme``);
``targets.yaml`` sets what each vendor owes::

    currency: EUR
    turnaround_quantile: 0.9      # turnaround is judged at this quantile of hours per item
    min_items: 20                 # fewer judgements than this in a period: no verdict
    defaults:                     # every vendor, unless it overrides a key
      min_agreement: 0.75         # share of labels equal to the other labelers' majority
      min_gold_accuracy: 0.90     # share of labels of gold items equal to the gold label
      max_turnaround_hours: 48    # hours from assignment to answer, at turnaround_quantile
      max_cost_per_item: 0.12     # what an answered item costs
    vendors:
      acme:
        price_per_item: 0.10      # billing: a price per item ...
      northwind:
        hourly_rate: 15.0         # ... or an hourly rate times the recorded labeling time
        min_gold_accuracy: 0.85

How each target is measured (``TARGETS``):

- **agreement**: of the vendor's labels on items that other labelers (of any vendor) also
  labeled in the round, the share equal to the plurality of those *others* (leave-one-out:
  nobody agrees with themselves; items where the others tie are left out). Wilson interval.
- **gold accuracy**: of the vendor's labels and quiz answers on gold items, the share equal to
  the gold label. Wilson interval.
- **turnaround**: hours from ``assigned_at`` (store schema 4) to the labeler's first answer of
  the item, at ``turnaround_quantile``; assigned items still open past the limit are counted.
- **cost per item**: ``price_per_item``, or ``hourly_rate`` x recorded labeling hours (the
  answers' ``duration_ms``) / answered items.

A verdict is ``pass`` or ``fail`` when the period has at least ``min_items`` judgements for
the target, ``too few`` below that, ``no data`` without any, ``no target`` when the vendor
has none set. ``clear`` says whether the interval (rates only) lies wholly on the verdict's
side of the threshold.

Analysis layer: DataFrames in, DataFrames out, never the store.

Examples
--------
>>> import pandas as pd
>>> targets = QualityTargets.from_yaml('''
... min_items: 1
... defaults: {min_agreement: 0.6}
... vendors: {acme: {price_per_item: 0.1, max_cost_per_item: 0.2}}
... ''')
>>> ann = pd.DataFrame({"item_id": ["a", "a", "a", "b", "b", "b"], "annotator": ["x", "y", "z"] * 2,
...                     "label": ["p", "p", "q", "p", "p", "p"],
...                     "created_at": pd.Timestamp("2026-11-02 10:00", tz="UTC")})
>>> t = sla_table(ann, teams={"x": "acme", "y": "acme", "z": "in-house"}, targets=targets)
>>> t[["vendor", "target", "value", "status"]].to_string(index=False)
'  vendor    target  value status\\n    acme agreement    1.0   pass\\n    acme      cost    0.1   pass\\nin-house agreement    0.5   fail'
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple

import numpy as np
import pandas as pd

from .._internal.intervals import wilson_interval
from .._internal.labelsets import is_label_list, label_set
from .._internal.validation import check_columns
from .._internal.yamlfile import YamlProblem, did_you_mean, line_of, parse_yaml
from ..exceptions import DataError, ValidationError

__all__ = ["QualityTargets", "TARGETS", "NO_TEAM", "sla_table", "sla_trend_table", "vendor_activity_table"]

#: Each target: (the targets.yaml key, what is measured, ``min`` or ``max``).
TARGETS: Dict[str, Tuple[str, str, str]] = {
    "agreement": ("min_agreement", "agreement with the other labelers' majority", "min"),
    "gold_accuracy": ("min_gold_accuracy", "accuracy on gold items", "min"),
    "turnaround": ("max_turnaround_hours", "turnaround in hours", "max"),
    "cost": ("max_cost_per_item", "cost per answered item", "max"),
}
_TARGET_KEYS = {key: name for name, (key, _, _) in TARGETS.items()}
_BILLING_KEYS = ("price_per_item", "hourly_rate")
_VENDOR_KEYS = tuple(_TARGET_KEYS) + _BILLING_KEYS
_TOP_KEYS = ("currency", "turnaround_quantile", "min_items", "defaults", "vendors")
#: The vendor of labelers without a team.
NO_TEAM = "(no team)"
#: Kinds whose rows are a labeler's judgement of an item (answers that count as work done).
_JUDGED = ("label", "quiz")
_ANSWERS = ("label", "quiz", "skip", "pairwise", "ranking", "rubric", "spans", "boxes", "review", "response",
            "audio_segment", "polygon", "point")
_SLA_COLUMNS = ["vendor", "target", "measure", "value", "threshold", "status", "clear", "n", "ci_low", "ci_high",
                "evidence"]


@dataclasses.dataclass(frozen=True)
class QualityTargets:
    """Targets per vendor, read from ``targets.yaml`` (see the module docstring for the format).

    Attributes
    ----------
    defaults : dict
        Targets and billing that apply to every vendor.
    vendors : dict
        Per vendor, the keys it sets (they override ``defaults``).
    currency : str
    turnaround_quantile : float
    min_items : int
    source : str
        Where the targets came from, for messages and reports.

    Examples
    --------
    >>> t = QualityTargets.from_yaml("defaults: {min_agreement: 0.8}\\nvendors: {acme: {min_agreement: 0.7}}")
    >>> t.for_vendor("acme")["min_agreement"], t.for_vendor("other")["min_agreement"]
    (0.7, 0.8)
    >>> QualityTargets.from_yaml("vendors: {acme: {min_agrement: 0.7}}")
    Traceback (most recent call last):
    ...
    workbench.exceptions.ValidationError: <targets> has 1 problem:
      line 1: vendors.acme.min_agrement is not a target or billing key. Did you mean 'min_agreement'? Keys: min_agreement, min_gold_accuracy, max_turnaround_hours, max_cost_per_item, price_per_item, hourly_rate.
    """

    defaults: Mapping[str, float] = dataclasses.field(default_factory=dict)
    vendors: Mapping[str, Mapping[str, float]] = dataclasses.field(default_factory=dict)
    currency: str = ""
    turnaround_quantile: float = 0.9
    min_items: int = 20
    source: str = "<targets>"

    @classmethod
    def read(cls, path: Any) -> "QualityTargets":
        """Read ``targets.yaml`` from ``path``."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ValidationError(f"Cannot read the quality targets file {path} ({exc.strerror or exc}). Check the "
                                  "path; docs/quality-operations.md shows an example targets.yaml.") from None
        return cls.from_yaml(text, source=str(path))

    @classmethod
    def from_yaml(cls, text: str, *, source: str = "<targets>") -> "QualityTargets":
        """Parse and check targets YAML; every problem is listed with its line."""
        try:
            data, lines, duplicates = parse_yaml(text)
        except YamlProblem as exc:
            raise ValidationError(f"{source} is not valid YAML: line {exc.line}: {exc.message}") from None
        problems = [(line, f"the key {key!r} appears twice") for line, key in duplicates]
        data = {} if data is None else data
        if not isinstance(data, dict):
            raise ValidationError(f"{source} must be a mapping with 'defaults' and 'vendors'; got a "
                                  f"{type(data).__name__}. docs/quality-operations.md shows an example.")

        def problem(path, message):
            problems.append((line_of(lines, path) or 1, message))

        for key in data:
            if key not in _TOP_KEYS:
                problem((key,), f"{key!r} is not a top-level key.{did_you_mean(key, _TOP_KEYS)} "
                                f"Keys: {', '.join(_TOP_KEYS)}.")
        quantile = data.get("turnaround_quantile", 0.9)
        if not _number(quantile) or not 0 < quantile <= 1:
            problem(("turnaround_quantile",), f"turnaround_quantile must be a number in (0, 1]; got {quantile!r}.")
        min_items = data.get("min_items", 20)
        if isinstance(min_items, bool) or not isinstance(min_items, int) or min_items < 1:
            problem(("min_items",), f"min_items must be a whole number of at least 1; got {min_items!r}.")
        currency = data.get("currency", "")
        if not isinstance(currency, str):
            problem(("currency",), f"currency must be text such as EUR; got {currency!r}.")
        defaults = cls._section(data.get("defaults") or {}, ("defaults",), problem)
        vendors_in = data.get("vendors") or {}
        vendors = {}
        if not isinstance(vendors_in, dict):
            problem(("vendors",), "vendors must map each vendor (a team name in the store) to its keys.")
            vendors_in = {}
        for name, keys in vendors_in.items():
            vendors[str(name)] = cls._section(keys or {}, ("vendors", name), problem)
        if problems:
            problems.sort(key=lambda p: p[0])
            listed = "\n".join(f"  line {line}: {message}" for line, message in problems)
            raise ValidationError(f"{source} has {len(problems)} problem{'s' if len(problems) > 1 else ''}:\n{listed}")
        return cls(defaults=defaults, vendors=vendors, currency=currency, turnaround_quantile=float(quantile),
                   min_items=int(min_items), source=source)

    @staticmethod
    def _section(keys, path, problem) -> Dict[str, float]:
        where = ".".join(str(p) for p in path)
        if not isinstance(keys, dict):
            problem(path, f"{where} must be a mapping of target keys to numbers; got {keys!r}.")
            return {}
        out = {}
        for key, value in keys.items():
            if key not in _VENDOR_KEYS:
                problem(path + (key,), f"{where}.{key} is not a target or billing key."
                                       f"{did_you_mean(key, _VENDOR_KEYS)} Keys: {', '.join(_VENDOR_KEYS)}.")
                continue
            share = key in ("min_agreement", "min_gold_accuracy")
            if not _number(value) or value < 0 or (share and value > 1):
                bound = "between 0 and 1" if share else "of at least 0"
                problem(path + (key,), f"{where}.{key} must be a number {bound}; got {value!r}.")
                continue
            out[key] = float(value)
        if "price_per_item" in out and "hourly_rate" in out:
            problem(path, f"{where} sets both price_per_item and hourly_rate; a vendor bills one way. Keep one.")
        return out

    def for_vendor(self, vendor: str) -> Dict[str, float]:
        """The vendor's keys: ``defaults`` overlaid with its own (billing from one place only)."""
        own = dict(self.vendors.get(vendor, {}))
        merged = {k: v for k, v in self.defaults.items() if not (k in _BILLING_KEYS and set(_BILLING_KEYS) & set(own))}
        merged.update(own)
        return merged


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


# ----------------------------------------------------------------------------- inputs

def _teams(teams) -> Dict[str, str]:
    if isinstance(teams, pd.DataFrame):
        check_columns(teams, ["user_id", "team"], what="The users passed as teams",
                      hint="Pass store.users(), or a dict annotator -> team.")
        teams = dict(zip(teams["user_id"].astype(str), teams["team"]))
    if not isinstance(teams, Mapping):
        raise ValidationError("teams must be store.users() (user_id, team) or a dict annotator -> team; got "
                              f"{type(teams).__name__}.")
    return {str(k): (NO_TEAM if v is None or (isinstance(v, float) and math.isnan(v)) or v == "" else str(v))
            for k, v in teams.items()}


def _gold(gold) -> Dict[str, str]:
    if gold is None:
        return {}
    if isinstance(gold, pd.DataFrame):
        column = "gold_label" if "gold_label" in gold.columns else "label"
        check_columns(gold, ["item_id", column], what="The gold labels")
        gold = dict(zip(gold["item_id"], gold[column]))
    elif isinstance(gold, pd.Series):
        gold = gold.to_dict()
    return {str(k): _key(v) for k, v in dict(gold).items() if v is not None and v == v}


def _key(value) -> str:
    """A comparable form of a label: a label set becomes its sorted members."""
    return "\x1f".join(sorted(label_set(value))) if is_label_list(value) else str(value)


def _prepared(annotations, teams) -> pd.DataFrame:
    if not isinstance(annotations, pd.DataFrame):
        raise ValidationError(f"annotations must be a pandas DataFrame (store.annotations()); got "
                              f"{type(annotations).__name__}.")
    check_columns(annotations, ["item_id", "annotator", "created_at"], what="The annotations passed to the SLA tables",
                  hint="Pass store.annotations(): every row needs the time it was recorded.")
    df = annotations
    if "kind" in df.columns:
        df = df[df["kind"].isin(_ANSWERS)]
    when = pd.to_datetime(df["created_at"], utc=True, errors="coerce")
    if when.isna().any():
        bad = df.index[when.isna()][0]
        raise DataError(f"The annotations have {int(when.isna().sum())} rows without a valid created_at (e.g. row "
                        f"{bad!r}); the SLA tables place every judgement in time. Fill or drop them.",
                        reason="bad_time")
    out = pd.DataFrame({"round": df["round"].to_numpy() if "round" in df.columns else 0,
                        "item_id": df["item_id"].astype(str).to_numpy(),
                        "annotator": df["annotator"].astype(str).to_numpy(),
                        "label": df["label"].to_numpy(dtype=object) if "label" in df.columns else None,
                        "kind": df["kind"].to_numpy() if "kind" in df.columns else "label",
                        "duration_ms": (pd.to_numeric(df["duration_ms"], errors="coerce").to_numpy()
                                        if "duration_ms" in df.columns else np.nan),
                        "created_at": when.to_numpy()})
    out["created_at"] = pd.to_datetime(out["created_at"], utc=True)
    if "id" in df.columns:
        out = out.iloc[np.argsort(df["id"].to_numpy(), kind="stable")]
    out = out.drop_duplicates(["round", "item_id", "annotator", "kind"], keep="last")
    out["vendor"] = out["annotator"].map(teams).fillna(NO_TEAM)
    # agreement is judged among all labels of the round, so the others are found before the window cuts
    out["agrees"] = _leave_one_out_agreement(out)
    return out.reset_index(drop=True)


def _utc(value) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _window(rows: pd.DataFrame, start, end) -> pd.DataFrame:
    keep = np.ones(len(rows), dtype=bool)
    if start is not None:
        keep &= (rows["created_at"] >= _utc(start)).to_numpy()
    if end is not None:
        keep &= (rows["created_at"] < _utc(end)).to_numpy()
    return rows[keep]


def _leave_one_out_agreement(df: pd.DataFrame) -> np.ndarray:
    """Per row: 1.0 / 0.0 when a ``label`` row equals / differs from the others' plurality, NaN otherwise."""
    out = np.full(len(df), np.nan)
    labels = df["kind"].to_numpy() == "label"
    if not labels.any():
        return out
    sub = df[labels]
    rows = np.flatnonzero(labels)
    frame = pd.DataFrame({"g": sub["round"].astype(str).to_numpy() + "\x1f" + sub["item_id"].to_numpy(),
                          "k": sub["label"].map(_key).to_numpy(), "r": rows})
    counts = frame.groupby(["g", "k"], sort=False).size().rename("n").reset_index()
    pairs = frame.merge(counts, on="g", suffixes=("", "_other"))
    pairs["n"] -= (pairs["k_other"] == pairs["k"]).astype(int)  # leave the own vote out
    pairs = pairs[pairs["n"] > 0]
    best = pairs[pairs["n"] == pairs.groupby("r")["n"].transform("max")]
    top = best.groupby("r").agg(n_best=("k_other", "size"), top=("k_other", "first"), own=("k", "first"))
    single = top[top["n_best"] == 1]
    out[single.index.to_numpy()] = (single["top"] == single["own"]).to_numpy(dtype=float)
    return out


# ----------------------------------------------------------------------------- measures

def _measure(rows: pd.DataFrame, *, vendor: str, targets: QualityTargets, gold: Dict[str, str],
             assignments: Optional[pd.DataFrame], now: Optional[pd.Timestamp], confidence: float,
             every_answer: Optional[pd.DataFrame] = None) -> list:
    keys = targets.for_vendor(vendor)
    cur = f" {targets.currency}" if targets.currency else ""
    out = []

    def add(name, value, n, ci=(np.nan, np.nan), evidence=""):
        key, measure, side = TARGETS[name]
        threshold = keys.get(key)
        if n == 0 or value is None or not np.isfinite(value):
            status = "no data"
        elif threshold is None:
            status = "no target"
        elif n < targets.min_items:
            status = "too few"
        else:
            ok = value >= threshold if side == "min" else value <= threshold
            status = "pass" if ok else "fail"
        clear = None
        if status in ("pass", "fail") and np.isfinite(ci[0]):
            clear = bool(ci[0] >= threshold) if status == "pass" else bool(ci[1] < threshold)
            clear = clear if side == "min" else None
        out.append({"vendor": vendor, "target": name, "measure": measure, "value": value, "threshold": threshold,
                    "status": status, "clear": clear, "n": int(n), "ci_low": ci[0], "ci_high": ci[1],
                    "evidence": evidence})

    judged = rows[rows["agrees"].notna()]
    k, n = float(judged["agrees"].sum()), len(judged)
    low, high = wilson_interval(k, n, confidence) if n else (np.nan, np.nan)
    add("agreement", k / n if n else np.nan, n, (float(low), float(high)),
        f"{int(k)} of {n} labels equal the majority of the item's other labelers" if n else
        "no label shares an item with other labelers")

    on_gold = rows[rows["kind"].isin(_JUDGED) & rows["item_id"].isin(gold)]
    right = on_gold["label"].map(_key).to_numpy() == on_gold["item_id"].map(gold).to_numpy()
    k, n = float(right.sum()), len(on_gold)
    low, high = wilson_interval(k, n, confidence) if n else (np.nan, np.nan)
    add("gold_accuracy", k / n if n else np.nan, n, (float(low), float(high)),
        f"{int(k)} of {n} answers on gold items are right" if n else "no answer on a gold item")

    q = targets.turnaround_quantile
    hours, open_late = _turnaround(rows, assignments, limit=keys.get("max_turnaround_hours"), now=now,
                                   every_answer=every_answer)
    n = len(hours)
    value = float(np.quantile(hours, q)) if n else np.nan
    late = f"; {open_late} assigned items still open past {keys['max_turnaround_hours']:g} h" if open_late else ""
    add("turnaround", value, n, evidence=(f"{_ordinal(q)} of {n} items: {value:.1f} h from assignment to answer"
                                          f"{late}" if n else "no answered item with an assignment time" + late))
    if open_late and out[-1]["status"] == "pass":
        out[-1]["status"] = "fail"  # work left to age past the limit breaks the target too
        out[-1]["evidence"] += " (fails: open work is late)"

    answered = rows[rows["kind"] != "skip"].drop_duplicates(["round", "item_id", "annotator"])
    n = len(answered)
    if "price_per_item" in keys:
        add("cost", keys["price_per_item"], n, evidence=f"price {keys['price_per_item']:g}{cur} per item, {n} items")
    elif "hourly_rate" in keys:
        ms = answered["duration_ms"].dropna()
        hours_worked = float(ms.sum()) / 3.6e6
        value = keys["hourly_rate"] * hours_worked / len(ms) if len(ms) else np.nan
        add("cost", value, len(ms), evidence=(f"{keys['hourly_rate']:g}{cur}/h x {hours_worked:.1f} h recorded over "
                                              f"{len(ms)} items" if len(ms) else "no recorded labeling time"))
    elif keys.get("max_cost_per_item") is not None:
        add("cost", np.nan, 0, evidence="no price_per_item or hourly_rate in the targets")
    return [r for r in out if not (r["status"] == "no data" and r["threshold"] is None)]


def _ordinal(q: float) -> str:
    return "median" if q == 0.5 else f"p{q * 100:g}"


def _turnaround(rows, assignments, *, limit, now, every_answer=None) -> Tuple[np.ndarray, int]:
    """Hours from assignment to first answer of the items answered in ``rows``, and open items past ``limit``.

    ``every_answer`` (all rows, not only the window's) decides what is still open at ``now``.
    """
    if assignments is None or "assigned_at" not in assignments.columns or assignments.empty:
        return np.array([]), 0
    plan = pd.DataFrame({"round": assignments["round"].to_numpy() if "round" in assignments.columns else 0,
                         "item_id": assignments["item_id"].astype(str).to_numpy(),
                         "annotator": assignments["annotator"].astype(str).to_numpy()})
    plan["assigned_at"] = pd.to_datetime(assignments["assigned_at"].to_numpy(), utc=True)
    key = ["round", "item_id", "annotator"]
    first = rows.groupby(key, as_index=False)["created_at"].min()
    done = first.merge(plan, on=key).dropna(subset=["assigned_at"])
    hours = ((done["created_at"] - done["assigned_at"]).dt.total_seconds() / 3600.0).clip(lower=0).to_numpy()
    open_late = 0
    if limit is not None and now is not None:
        answers = rows if every_answer is None else every_answer
        seen = answers[answers["created_at"] <= now].groupby(key, as_index=False)["created_at"].min()
        waiting = plan.merge(seen, on=key, how="left")
        waiting = waiting[waiting["created_at"].isna() & waiting["assigned_at"].notna()
                          & (waiting["assigned_at"] <= now)]
        open_late = int(((now - waiting["assigned_at"]).dt.total_seconds() / 3600.0 > limit).sum())
    return hours, open_late


# ----------------------------------------------------------------------------- tables

def sla_table(annotations: pd.DataFrame, *, teams, targets: QualityTargets, gold=None,
              assignments: Optional[pd.DataFrame] = None, start=None, end=None, now=None,
              confidence: float = 0.95) -> pd.DataFrame:
    """Per vendor and target, over ``[start, end)``: the value, the threshold and the verdict, with evidence.

    Parameters
    ----------
    annotations : pandas.DataFrame
        ``store.annotations()`` of the rounds in question: ``item_id, annotator, created_at``,
        and ``label``, ``kind``, ``round``, ``duration_ms`` when present.
    teams : DataFrame or dict
        ``store.users()`` (``user_id, team``) or ``{annotator: team}``; others are ``NO_TEAM``.
    targets : QualityTargets
    gold : DataFrame, Series or dict, optional
        Gold labels by item (``item_id, gold_label`` such as the store's items).
    assignments : pandas.DataFrame, optional
        ``store.assignments()`` with ``assigned_at``; needed for turnaround.
    start, end : date-like, optional
        The window, by the time each judgement was recorded (UTC when naive).
    now : date-like, optional
        When open work is judged late (default: ``end`` if given, else the current time).
    confidence : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        ``vendor, target, measure, value, threshold, status, clear, n, ci_low, ci_high, evidence``,
        one row per vendor and target that has a threshold or data. See the module docstring
        for the measures and statuses.

    Examples
    --------
    See the module docstring.
    """
    teams = _teams(teams)
    every = _prepared(annotations, teams)
    rows = _window(every, start, end)
    now = _utc(now if now is not None else (end if end is not None else pd.Timestamp.now(tz="UTC")))
    gold = _gold(gold)
    found = []
    for vendor in sorted(set(rows["vendor"]) | (set(targets.vendors) & set(teams.values()))):
        found += _measure(rows[rows["vendor"] == vendor], vendor=vendor, targets=targets, gold=gold,
                          assignments=_vendor_plan(assignments, teams, vendor), now=now, confidence=confidence,
                          every_answer=every[every["vendor"] == vendor])
    return pd.DataFrame(found, columns=_SLA_COLUMNS)


def _vendor_plan(assignments, teams, vendor):
    if assignments is None or assignments.empty:
        return assignments
    owner = assignments["annotator"].astype(str).map(teams).fillna(NO_TEAM)
    return assignments[owner.to_numpy() == vendor]


def sla_trend_table(annotations: pd.DataFrame, *, teams, targets: QualityTargets, gold=None,
                    assignments: Optional[pd.DataFrame] = None, start=None, end=None, freq: str = "W-SUN",
                    confidence: float = 0.95) -> pd.DataFrame:
    """The :func:`sla_table` of every period (default: weeks, Monday to Sunday), stacked, with ``period``.

    A week's turnaround counts the items answered that week; open work is judged at the end
    of each week. ``period`` is the period's first day (UTC).

    Examples
    --------
    >>> import pandas as pd
    >>> ann = pd.DataFrame({"item_id": ["a", "a", "b", "b"], "annotator": ["x", "y"] * 2, "label": "p",
    ...                     "created_at": pd.to_datetime(["2026-11-02", "2026-11-02", "2026-11-10", "2026-11-10"],
    ...                                                  utc=True)})
    >>> t = QualityTargets.from_yaml("min_items: 1\\ndefaults: {min_agreement: 0.7}")
    >>> trend = sla_trend_table(ann, teams={"x": "acme", "y": "acme"}, targets=t)
    >>> trend[["period", "vendor", "value", "status"]].astype(str).values.tolist()
    [['2026-11-02', 'acme', '1.0', 'pass'], ['2026-11-09', 'acme', '1.0', 'pass']]
    """
    teams = _teams(teams)
    every = _prepared(annotations, teams)
    rows = _window(every, start, end)
    if rows.empty:
        return pd.DataFrame(columns=["period"] + _SLA_COLUMNS)
    gold = _gold(gold)
    periods = rows["created_at"].dt.tz_localize(None).dt.to_period(freq)
    found = []
    for period in sorted(periods.unique()):
        week = rows[(periods == period).to_numpy()]
        week_end = period.end_time.tz_localize("UTC")
        for vendor in sorted(set(week["vendor"])):
            found += [dict(r, period=period.start_time.date().isoformat()) for r in _measure(
                week[week["vendor"] == vendor], vendor=vendor, targets=targets, gold=gold,
                assignments=_vendor_plan(assignments, teams, vendor), now=week_end, confidence=confidence,
                every_answer=every[every["vendor"] == vendor])]
    out = pd.DataFrame(found, columns=["period"] + _SLA_COLUMNS)
    order = {name: k for k, name in enumerate(TARGETS)}
    out["_order"] = out["target"].map(order)
    return out.sort_values(["period", "vendor", "_order"], kind="stable").drop(columns="_order").reset_index(drop=True)


def vendor_activity_table(annotations: pd.DataFrame, *, teams, start=None, end=None,
                          freq: Optional[str] = None) -> pd.DataFrame:
    """Per vendor (and period, with ``freq``): labelers active, items answered, recorded labeling hours.

    Examples
    --------
    >>> import pandas as pd
    >>> ann = pd.DataFrame({"item_id": ["a", "b", "a"], "annotator": ["x", "x", "y"], "duration_ms": 1800000,
    ...                     "created_at": pd.Timestamp("2026-11-02", tz="UTC")})
    >>> vendor_activity_table(ann, teams={"x": "acme"}).values.tolist()
    [['(no team)', 1, 1, 0.5], ['acme', 1, 2, 1.0]]
    """
    teams = _teams(teams)
    rows = _window(_prepared(annotations, teams), start, end)
    keys = ["vendor"]
    if freq is not None:
        rows["period"] = rows["created_at"].dt.tz_localize(None).dt.to_period(freq).map(
            lambda p: p.start_time.date().isoformat())
        keys = ["period", "vendor"]
    answered = rows[rows["kind"] != "skip"].drop_duplicates(["round", "item_id", "annotator"])
    out = answered.groupby(keys).agg(labelers=("annotator", "nunique"), items=("item_id", "size"),
                                     hours=("duration_ms", lambda s: float(s.sum()) / 3.6e6)).reset_index()
    return out
