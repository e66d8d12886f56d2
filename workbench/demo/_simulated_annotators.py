"""SIMULATED annotators for the demo: the behaviour model behind :mod:`workbench.demo`.

Private helper of :mod:`workbench.demo` (which re-exports the public names). The
annotators described here are **simulated**, not people: their labels are drawn from
gold labels with documented confusion rates, see :mod:`workbench.demo`.

Examples
--------
>>> from workbench.demo._simulated_annotators import SIMULATED_ANNOTATORS
>>> SIMULATED_ANNOTATORS["ana"].noise
0.05
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from .._internal.validation import check_columns, check_random_state
from ..exceptions import DataError

__all__ = ["SimulatedAnnotator", "SIMULATED_ANNOTATORS", "simulate_labels", "summarise_simulation",
           "gold_for_taxonomy"]

_SIM_COLUMNS = ["item_id", "annotator", "label", "unsure", "note", "duration_ms"]

#: What a note-writing simulated annotator writes on a no-fit item, by hidden intent.
_NOTES: Dict[str, Tuple[str, ...]] = {
    "feature_request": ("feature request", "customer asks for a feature", "feature request, no category for it",
                        "feature request - wants something added to the app", "asks for a new feature"),
    "partnership": ("partnership or business inquiry", "wants a business partnership, not support"),
    "praise": ("just praise, nothing to do", "positive feedback only"),
    "gift_card": ("asks about buying a gift card", "gift card purchase question"),
    "other": ("not a support question", "press or job question, not support"),
    "": ("does not fit any category", "nothing fits this message"),
}


@dataclass(frozen=True)
class SimulatedAnnotator:
    """A SIMULATED annotator: how its labels deviate from the gold labels.

    Parameters
    ----------
    name : str
        The annotator id written to the store.
    description : str
        One line for people reading a report.
    noise : float
        Probability of replacing the label by a uniformly drawn other label.
    confusions : tuple of (gold, wrong, rate)
        Systematic confusions: an item whose gold label is ``gold`` gets ``wrong`` with
        probability ``rate`` (several for one gold label share one draw).
    ambiguity_flip : float
        Probability of choosing the other label of a planted hard pair.
    unsure_on_ambiguous : float
        Probability of ticking "unsure" on a planted hard item.
    note_on_unsure, note_on_other : float
        Probability of a note when unsure / when choosing the "other" category.
    median_seconds, sigma : float
        Log-normal time per item (median in seconds, sigma of its log).
    """

    name: str
    description: str
    noise: float = 0.05
    confusions: Tuple[Tuple[str, str, float], ...] = ()
    ambiguity_flip: float = 0.3
    unsure_on_ambiguous: float = 0.0
    note_on_unsure: float = 0.0
    note_on_other: float = 0.0
    median_seconds: float = 8.0
    sigma: float = 0.5


#: The three SIMULATED annotators of the demo (not people; see the module docstring).
SIMULATED_ANNOTATORS: Mapping[str, SimulatedAnnotator] = MappingProxyType({
    "ana": SimulatedAnnotator(
        "ana", "SIMULATED careful annotator: 5% random noise, cancel_subscription -> refund_request 15%, "
               "notes on 60% of the no-fit items",
        noise=0.05, confusions=(("cancel_subscription", "refund_request", 0.15),), ambiguity_flip=0.25, unsure_on_ambiguous=0.1, note_on_unsure=0.5,
        note_on_other=0.6, median_seconds=9.0, sigma=0.45),
    "ben": SimulatedAnnotator(
        "ben", "SIMULATED fast annotator: refund_request -> cancel_subscription 35%, "
               "bug_report <-> how_to 25%, feature requests often as how_to; never unsure, no notes",
        noise=0.08, confusions=(("refund_request", "cancel_subscription", 0.35),
                                ("bug_report", "how_to", 0.25), ("how_to", "bug_report", 0.25),
                                ("none_of_these", "how_to", 0.3)),
        ambiguity_flip=0.45, median_seconds=4.5, sigma=0.6),
    "chen": SimulatedAnnotator(
        "chen", "SIMULATED cautious annotator: unsure on 80% of hard items with a note, "
                "none_of_these + a note on no-fit items, cancel_subscription -> close_account 15%",
        noise=0.04, confusions=(("cancel_subscription", "close_account", 0.15),),
        ambiguity_flip=0.35, unsure_on_ambiguous=0.8, note_on_unsure=0.8, note_on_other=0.95,
        median_seconds=12.0, sigma=0.5),
})


def _annotator_list(annotators) -> List[SimulatedAnnotator]:
    values = list(annotators.values()) if isinstance(annotators, Mapping) else list(annotators)
    bad = [a for a in values if not isinstance(a, SimulatedAnnotator)]
    if bad or not values:
        raise DataError(f"annotators must be a non-empty mapping or sequence of SimulatedAnnotator; got {bad or values!r}. "
                        "Use workbench.demo.SIMULATED_ANNOTATORS or build SimulatedAnnotator(...) objects.")
    return values


def _draw(sim: SimulatedAnnotator, gold: str, pair: Sequence[str], hidden: str, labels: Sequence[str],
          other: Optional[str], rng: np.random.Generator) -> Tuple[str, bool, Optional[str], int]:
    label = gold
    if len(pair) == 2 and rng.random() < sim.ambiguity_flip:
        label = pair[1] if gold == pair[0] else pair[0]
    u, acc = rng.random(), 0.0
    for src, dst, rate in sim.confusions:
        if src == gold:
            acc += rate
            if u < acc:
                label = dst
                break
    if rng.random() < sim.noise:
        choices = [lab for lab in labels if lab != label]
        label = choices[int(rng.integers(len(choices)))]
    unsure = len(pair) == 2 and rng.random() < sim.unsure_on_ambiguous
    note = None
    if label == other and rng.random() < sim.note_on_other:
        options = _NOTES.get(hidden if gold == other else "", _NOTES[""])
        note = options[int(rng.integers(len(options)))]
    elif unsure and rng.random() < sim.note_on_unsure:
        note = f"between {pair[0]} and {pair[1]}"
    seconds = np.exp(rng.normal(np.log(sim.median_seconds), sim.sigma)) * (1.5 if len(pair) == 2 else 1.0)
    return label, bool(unsure), note, int(np.clip(seconds * 1000, 800, 600_000))


def simulate_labels(assignments, gold, *, labels, other_label="none_of_these",
                    annotators=SIMULATED_ANNOTATORS, random_state=0) -> pd.DataFrame:
    """Draw SIMULATED judgements for assignments from gold labels.

    Parameters
    ----------
    assignments : pandas.DataFrame
        ``item_id, annotator`` (e.g. ``store.assignments(round=1)``); every annotator must
        be one of ``annotators``.
    gold : pandas.DataFrame
        ``item_id, gold_label`` and optionally ``ambiguity`` (``"a|b"``), ``hidden_intent``.
    labels : sequence of str
        The valid labels (``taxonomy.labels``); noise draws from them.
    other_label : str or None, default "none_of_these"
        The catch-all label, on which note-writing annotators leave a note.
    annotators : mapping or sequence of SimulatedAnnotator, default SIMULATED_ANNOTATORS
    random_state : None, int or numpy Generator, default 0

    Returns
    -------
    pandas.DataFrame
        ``item_id, annotator, label, unsure, note, duration_ms``, one row per assignment,
        in assignment order.

    Examples
    --------
    >>> import pandas as pd
    >>> from workbench.demo import simulate_labels
    >>> gold = pd.DataFrame({"item_id": ["m1", "m2"], "gold_label": ["how_to", "bug_report"]})
    >>> todo = pd.DataFrame({"item_id": ["m1", "m2", "m1"], "annotator": ["ana", "ana", "ben"]})
    >>> out = simulate_labels(todo, gold, labels=["how_to", "bug_report", "none_of_these"])
    >>> list(out.columns), len(out)
    (['item_id', 'annotator', 'label', 'unsure', 'note', 'duration_ms'], 3)
    """
    check_columns(assignments, ["item_id", "annotator"], what="the assignments")
    check_columns(gold, ["item_id", "gold_label"], what="the gold labels")
    valid = set(labels)  # a confusion into a label this taxonomy version lacks cannot happen
    sims = {a.name: replace(a, confusions=tuple(c for c in a.confusions if c[1] in valid))
            for a in _annotator_list(annotators)}
    unknown = sorted(set(assignments["annotator"]) - set(sims))
    if unknown:
        raise DataError(f"No simulated behaviour for annotator(s) {unknown}; known: {sorted(sims)}. "
                        "Assign the round to simulated annotators or pass annotators=[SimulatedAnnotator(...)].",
                        reason="unknown_annotator")
    info = gold.drop_duplicates("item_id").astype({"item_id": str}).set_index("item_id")
    missing = sorted(set(assignments["item_id"].astype(str)) - set(info.index))
    if missing:
        raise DataError(f"{len(missing)} assigned item(s) have no gold label, e.g. {missing[:5]}; "
                        "simulated annotators can only label items that are in the gold table.",
                        reason="missing_gold")
    blank = pd.Series("", index=info.index)
    gold_of = info["gold_label"].astype(str).to_dict()
    amb_of = info.get("ambiguity", blank).fillna("").astype(str).to_dict()
    hidden_of = info.get("hidden_intent", blank).fillna("").astype(str).to_dict()
    labels = list(labels)
    rng = check_random_state(random_state)
    rows = []
    for item_id, annotator in zip(assignments["item_id"].astype(str), assignments["annotator"]):
        pair = amb_of[item_id].split("|") if amb_of[item_id] else []
        rows.append((item_id, annotator, *_draw(sims[annotator], gold_of[item_id], pair, hidden_of[item_id],
                                                labels, other_label, rng)))
    return pd.DataFrame(rows, columns=_SIM_COLUMNS)


def summarise_simulation(sim: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    merged = sim.merge(gold[["item_id", "gold_label"]].drop_duplicates("item_id"), on="item_id", how="left")
    merged["correct"] = merged["label"] == merged["gold_label"]
    out = merged.groupby("annotator", sort=True).agg(
        n_labels=("label", "size"), n_unsure=("unsure", "sum"), n_notes=("note", "count"),
        gold_accuracy=("correct", "mean"), median_seconds=("duration_ms", "median"))
    out["median_seconds"] = out["median_seconds"] / 1000.0
    return out.reset_index().astype({"n_unsure": int, "n_notes": int})


def gold_for_taxonomy(gold: pd.DataFrame, taxonomy, *, gold_version: int = 1) -> pd.DataFrame:
    """Express gold labels written for ``gold_version`` in the labels of ``taxonomy``.

    A ``hidden_intent`` that became a category (e.g. ``feature_request`` added in v2) is the
    new gold label; other labels go through ``taxonomy.migrate`` (renames, merges). The
    label of a split category is never guessed: the item becomes a hard item between the
    first two parts. Ambiguity pairs are mapped alike and dropped when they collapse.

    Examples
    --------
    >>> import pandas as pd
    >>> from workbench.taxonomy import Category, Taxonomy
    >>> v1 = Taxonomy("t", 1, categories=[Category("a", definition="A."), Category("o", definition="O.", other=True)])
    >>> v2 = v1.apply({"op": "add", "category": {"id": "feature_request", "name": "F", "definition": "F."}})
    >>> gold = pd.DataFrame({"item_id": ["1", "2"], "gold_label": ["a", "o"], "hidden_intent": ["", "feature_request"]})
    >>> gold_for_taxonomy(gold, v2)["gold_label"].tolist()
    ['a', 'feature_request']
    """
    out = gold.copy()
    for col in ("ambiguity", "hidden_intent"):
        out[col] = out[col].fillna("").astype(str) if col in out else ""
    labels = set(taxonomy.labels)
    promoted = out["hidden_intent"].isin(labels)
    out.loc[promoted, "gold_label"] = out.loc[promoted, "hidden_intent"]
    out.loc[promoted, "ambiguity"] = ""
    names = set(out["gold_label"]) | {x for a in out["ambiguity"] if a for x in a.split("|")}
    unknown = sorted(names - labels)
    mapping, splits = {}, {}
    if unknown and taxonomy.version != gold_version:
        table = taxonomy.migrate(unknown, gold_version)
        for old, new, cands in zip(table["label"], table["migrated_label"], table["candidates"]):
            if isinstance(new, str) and new in labels:
                mapping[old] = new
            elif isinstance(cands, (list, tuple)) and len(cands) >= 2:
                splits[old] = f"{cands[0]}|{cands[1]}"
    left = sorted(set(unknown) - set(mapping) - set(splits))
    if left:
        raise DataError(f"Gold labels {left} are not in taxonomy {taxonomy.name!r} v{taxonomy.version} and its "
                        f"change log does not map them from v{gold_version}; pass gold labels for this version.",
                        reason="gold_not_in_taxonomy")
    for old, pair in splits.items():
        hit = out["gold_label"] == old
        out.loc[hit, "gold_label"], out.loc[hit, "ambiguity"] = pair.split("|")[0], pair

    def _pair(value: str) -> str:
        parts = [mapping.get(x, x) for x in value.split("|")] if value else []
        return "|".join(parts) if len(set(parts)) == 2 and set(parts) <= labels else ""

    out["gold_label"] = out["gold_label"].map(lambda x: mapping.get(x, x))
    out["ambiguity"] = out["ambiguity"].map(_pair)
    return out
