"""The revision rules that cluster item texts and notes: split and add.

Private helper of :mod:`workbench.revisions`; shares :class:`~workbench.revisions._rules.Evidence`
and the output format (plain dicts of :class:`~workbench.revisions.Proposal` fields) with
:mod:`workbench.revisions._rules`.

Examples
--------
>>> from workbench.revisions._text_rules import _names_a_category
>>> _names_a_category("between refund_request and cancel", ["refund_request", "how_to"])
True
>>> _names_a_category("customer wants a dark mode", ["refund_request", "how_to"])
False
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from ._note_clusters import cluster_texts, split_in_two
from ._evidence import texts_for
from ._rules import Evidence, _clip, _definition, _r, _short, items_with, majority_items, slug, taken_ids

__all__ = ["split_rule", "add_rule"]


def _neighbours(ev: Evidence, c: str, item_ids) -> Counter:
    """Other labels given to ``item_ids`` by annotators and by the model.

    Multi-label: only the sets *without* ``c`` count (what annotators applied instead of it);
    labels applied together with ``c`` are not errors.
    """
    ids = set(item_ids)
    lab = ev.ann[ev.ann["item_id"].isin(ids)]
    if ev.multilabel:
        with_c = lab.groupby(["item_id", "annotator"], sort=False)["label"].transform(lambda s: (s == c).any())
        lab = lab[~with_c.astype(bool)]
    lab = lab[lab["label"].notna()]
    counts = Counter(lab.loc[lab["label"] != c, "label"].tolist())
    if ev.model is not None:
        m = ev.model[ev.model["item_id"].isin(ids)]
        counts.update(m.loc[m["predicted"] != c, "predicted"].tolist())
    counts.pop(c, None)
    return counts


def _distinct_neighbours(neigh, tops, r) -> bool:
    """Each group's errors concentrate on its own top neighbour, and the two differ."""
    if None in tops or tops[0] == tops[1]:
        return False
    for counter, top in zip(neigh, tops):
        total = sum(counter.values())
        if counter[top] < r.min_pair_disagreements + 1 or counter[top] / total < r.split_neighbour_share:
            return False
    return True


def split_rule(ev: Evidence) -> list:
    """split: a category whose items form two clusters whose errors go to different neighbours.

    Items whose majority label is the category are split by KMeans (k = 2) on TF-IDF;
    fires when ``silhouette >= split_silhouette``, both groups have ``split_min_cluster``
    items, and (with ``split_require_neighbours``) the most frequent other label (human or
    model) differs between the groups and takes at least ``split_neighbour_share`` of each
    group's errors (and more than ``min_pair_disagreements`` of them). Score = ``silhouette + 0.1`` clipped.
    """
    r, out = ev.rules, []
    if ev.items is None:
        return out
    for c in ev.labels:
        ids = majority_items(ev, c)
        if len(ids) < r.split_min_items:
            continue
        if r.split_require_neighbours:  # necessary: two neighbours with enough errors each (cheap check first)
            strong = [n for n, k in _neighbours(ev, c, ids).items() if k >= r.min_pair_disagreements + 1]
            if len(strong) < 2:
                continue
        res = split_in_two(texts_for(ids, ev.items), random_state=ev.rng)
        if res is None or np.isnan(res["silhouette"]) or res["silhouette"] < r.split_silhouette:
            continue
        groups = [[i for i, g in zip(ids, res["labels"]) if g == k] for k in (0, 1)]
        if min(len(g) for g in groups) < r.split_min_cluster:
            continue
        neigh = [_neighbours(ev, c, g) for g in groups]
        tops = [n.most_common(1)[0][0] if n else None for n in neigh]
        if r.split_require_neighbours and not _distinct_neighbours(neigh, tops, r):
            continue
        taken = taken_ids(ev)
        new_ids = []
        for terms in res["top_terms"]:
            new_ids.append(slug(terms, taken=taken | set(new_ids), prefix=f"{c}_"))
        base = (_definition(ev, c) or c.replace("_", " ")).rstrip(".")
        into = [{"id": new_ids[k], "definition": f"{base}: the cases about {', '.join(res['top_terms'][k][:3])}. "
                 "[Draft: edit.]"} for k in (0, 1)]
        rationale = (f"'{c}' items form two distinct groups ({' / '.join(', '.join(t[:2]) for t in res['top_terms'])}, "
                     f"silhouette {res['silhouette']:.2f}) whose errors go to "
                     f"{' vs '.join(repr(t) for t in tops)}: consider splitting it.")
        out.append({"kind": "split", "categories": (c,), "rationale": rationale,
                    "evidence": {"support": len(ids), "silhouette": _r(res["silhouette"]),
                                 "group_sizes": tuple(len(g) for g in groups),
                                 "group_terms": tuple(tuple(t) for t in res["top_terms"]),
                                 "group_neighbours": tuple(tuple(n.most_common(3)) for n in neigh)},
                    "rule": r.describe("split"),
                    "example_item_ids": tuple(g[0] for g in groups) + tuple(groups[0][1:2] + groups[1][1:2]),
                    "score": _clip(res["silhouette"] + 0.1),
                    "change": ({"op": "split", "category": c, "into": into, "rationale": rationale},),
                    "relabel": {"categories": (c,), "item_ids": items_with(ev, c),
                                "reason": f"every item labeled '{c}' gets one of {new_ids}"}})
    return out


def _names_a_category(note: str, labels) -> bool:
    """A note that names an existing category ("between refund and cancel") is about confusion."""
    text = " " + re.sub(r"[^a-z0-9_]+", " ", note.lower()) + " "
    return any(f" {c.lower()} " in text or ("_" in c and f" {c.lower().replace('_', ' ')} " in text)
               for c in labels)


def add_rule(ev: Evidence) -> list:
    """add: clusters of items that annotators put in "other", left unlabeled, or wrote notes about.

    A note that names an existing category id is about a confusion and does not count. In a
    multi-label round a rating is outside when its set is empty or holds only the "other" label.
    Candidate items have at least one such rating; their texts and notes are clustered
    (average linkage on TF-IDF, notes weighted ``add_note_weight``, groups joined while the
    mean cosine is >= ``add_min_similarity``). A cluster fires when it has ``add_min_items`` items and
    its signal ``other_share + 0.75 * note_share`` (shares of its ratings) reaches
    ``add_min_signal``. Score = ``signal * (0.3 + 10 * cluster_items / all_items)`` clipped.
    """
    r, ann = ev.rules, ev.ann
    outside = ann["label"].isna() | (ann["label"] == ev.other_label if ev.other_label else False)
    noted = ann["note"].astype(str).map(lambda n: bool(n) and not _names_a_category(n, ev.taxonomy.labels))
    flagged = ann.assign(outside=outside, noted=noted)
    if ev.multilabel:  # one row per rating: a set is outside when it is empty or holds only "other"
        flagged = flagged.groupby(["item_id", "annotator"], sort=False).agg(
            outside=("outside", "all"), noted=("noted", "any"), note=("note", "first")).reset_index()
    hit = flagged.loc[flagged["outside"] | flagged["noted"], "item_id"].unique()
    if len(hit) < r.add_min_items:
        return []
    flagged = flagged[flagged["item_id"].isin(hit)]
    per_item = flagged.groupby("item_id").agg(outside=("outside", "sum"), noted=("noted", "sum"),
                                              n=("annotator", "size"),
                                              notes=("note", lambda s: " ".join(dict.fromkeys(x for x in s if x))))
    cand = per_item[(per_item.outside > 0) | (per_item.noted > 0)]
    if len(cand) < r.add_min_items:
        return []
    ids = cand.index.tolist()
    res = cluster_texts(texts_for(ids, ev.items), notes=cand["notes"].tolist(), note_weight=r.add_note_weight,
                        min_similarity=r.add_min_similarity)
    n_all = ann["item_id"].nunique()
    taken = taken_ids(ev)
    out = []
    for cl in res["clusters"]:
        members = [ids[i] for i in cl["indices"]]
        terms_all = list(cl["note_terms"]) + list(cl["top_terms"])
        if len(members) < r.add_min_items or not terms_all:
            continue
        sub = cand.loc[members]
        other_share = float(sub.outside.sum() / sub.n.sum())
        note_share = float(sub.noted.sum() / sub.n.sum())
        signal = _clip(other_share + 0.75 * note_share)
        if signal < r.add_min_signal:
            continue
        # name it after what annotators wrote when they wrote something, else after the texts
        new_id = slug(cl["note_terms"][:2] if len(cl["note_terms"]) >= 2 else terms_all[:2], taken=taken)
        taken.add(new_id)
        examples = [_short(t) for t in texts_for(members[: r.n_examples], ev.items) if t]
        notes = [_short(n, 100) for n in sub["notes"].tolist() if n][: r.n_examples]
        terms = ", ".join(cl["top_terms"] or cl["note_terms"])
        said = f" Annotators' notes mention: {', '.join(cl['note_terms'])}." if cl["note_terms"] else ""
        definition = (f"Items about {terms}.{said} [Draft from {len(members)} items that annotators put in "
                      f"'other', left unlabeled or wrote notes about; edit.]")
        rationale = (f"{len(members)} items that annotators marked as not fitting ({other_share:.0%} 'other' / "
                     f"unlabeled, {note_share:.0%} with notes) share the terms {', '.join(terms_all[:6])}: "
                     "consider a new category.")
        category = {"id": new_id, "name": new_id.replace("_", " ").capitalize(), "definition": definition,
                    "examples": examples}
        out.append({"kind": "add", "categories": (new_id,), "rationale": rationale,
                    "evidence": {"n_items": len(members), "share_of_items": _r(len(members) / n_all),
                                 "other_share": _r(other_share), "note_share": _r(note_share),
                                 "cohesion": _r(cl["cohesion"]), "top_terms": tuple(cl["top_terms"]),
                                 "note_terms": tuple(cl["note_terms"]),
                                 "notes": tuple(notes)},
                    "rule": r.describe("add", multilabel=ev.multilabel),
                    "example_item_ids": tuple(members[: r.n_examples]),
                    "score": _clip(signal * (0.3 + 10 * len(members) / n_all)),
                    "change": ({"op": "add", "category": category, "rationale": rationale},),
                    "relabel": {"categories": ((ev.other_label,) if ev.other_label else ()),
                                "item_ids": tuple(sorted(members)),
                                "reason": f"these items are re-labeled; some may now be '{new_id}'"}})
    return out
