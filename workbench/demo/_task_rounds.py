"""SIMULATED rounds of every task type, for example reports, docs and tests.

Each builder writes one round into a store through the public API: a taxonomy, items, and
answers drawn from a known truth with planted, documented errors, so a report has something
to find. None of it is real data.

- :func:`multilabel_round`: 40 support messages, 3 annotators, label sets (30% get one label flipped).
- :func:`spans_round`: 24 sentences, 3 annotators marking ORG / LOC / PER (boundary slips, misses).
- :func:`boxes_round`: 16 images, 3 annotators boxing cars and people (position jitter, misses).
- :func:`evaluation_round`: 30 prompts, 3 systems of known strength, 4 raters comparing pairs (one
  favours the response shown first) and scoring a declared rubric with rationales.

Examples
--------
>>> from workbench.store import AnnotationStore
>>> store = spans_round(AnnotationStore("sqlite://"))
>>> store.annotations(round=1, kind="spans")["annotator"].value_counts().to_dict()
{'ana': 24, 'ben': 24, 'cy': 24}
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

__all__ = ["multilabel_round", "spans_round", "boxes_round", "evaluation_round", "SYSTEM_STRENGTH"]

_WORDS = ["Acme", "opened", "an", "office", "in", "Berlin", "and", "Paris", "with", "Bo", "Lee", "today"]
_ENTITY = {"Acme": "ORG", "Berlin": "LOC", "Paris": "LOC", "Bo": "PER", "Lee": "PER"}

#: Bradley-Terry log-strengths of the simulated systems of :func:`evaluation_round`.
SYSTEM_STRENGTH = {"alpha-7b": 1.2, "beta-13b": 0.4, "gamma-3b": -0.8}


def _taxonomy(name: str, labels, task: str = "multiclass"):
    from ..taxonomy import Taxonomy

    return Taxonomy.from_yaml(f"name: {name}\nversion: 1\ntask: {task}\ncategories:\n"
                              + "".join(f"  - {{id: {c}, definition: {c.replace('_', ' ').title()} things.}}\n"
                                        for c in labels))


def multilabel_round(store, *, random_state: int = 0):
    """Round 1 of 40 messages with label sets from 3 annotators; 30% of answers flip one label."""
    rng = np.random.default_rng(random_state)
    labels = ["billing", "tech", "account", "shipping"]
    store.create_round(1, taxonomy_version=store.save_taxonomy(_taxonomy("topics", labels, task="multilabel")),
                       name="multi-label pilot")
    words = {"billing": "pay", "tech": "bug", "account": "login", "shipping": "box"}
    rows, texts = [], []
    for k in range(40):
        truth = set(rng.choice(labels, size=int(rng.integers(1, 3)), replace=False))
        texts.append(f"message {k}: " + " ".join(words[c] for c in sorted(truth)) + " "
                     + " ".join(rng.choice(list(words.values()), 2)))
        for who in ("ana", "ben", "cy"):
            got = truth ^ {rng.choice(labels)} if rng.random() < 0.3 else set(truth)
            rows.append({"item_id": f"i{k}", "annotator": who, "label": sorted(got or {labels[0]})})
    store.add_items(pd.DataFrame({"item_id": [f"i{k}" for k in range(40)], "text": texts}))
    store.record_many(pd.DataFrame(rows), round=1)
    return store


def spans_round(store, *, random_state: int = 1):
    """Round 1 of 24 sentences; ana marks every entity, ben and cy slip on boundaries and miss some."""
    rng = np.random.default_rng(random_state)
    store.create_round(1, taxonomy_version=store.save_taxonomy(_taxonomy("entities", ["ORG", "LOC", "PER"])),
                       name="entity pilot")
    texts, truths = [], []
    for _ in range(24):
        words = list(rng.choice(_WORDS, size=8))
        at, spans = 0, []
        for w in words:
            if w in _ENTITY:
                spans.append({"start": at, "end": at + len(w), "label": _ENTITY[w]})
            at += len(w) + 1
        texts.append(" ".join(words))
        truths.append(spans)
    store.add_items(pd.DataFrame({"item_id": [f"s{k}" for k in range(24)], "text": texts}))
    rows = []
    for k, truth in enumerate(truths):
        for who, slip in (("ana", 0.0), ("ben", 0.2), ("cy", 0.4)):
            given = []
            for span in truth:
                if rng.random() < slip / 2:
                    continue  # missed
                if rng.random() < slip:
                    span = {**span, "end": span["end"] - 1}  # boundary slip: overlaps, not exact
                given.append(span)
            rows.append({"item_id": f"s{k}", "annotator": who, "label": json.dumps(given), "kind": "spans",
                         "duration_ms": 4000})
    store.record_many(pd.DataFrame(rows), round=1)
    return store


def boxes_round(store, *, random_state: int = 2):
    """Round 1 of 16 images; boxes jittered by 1, 4 and 9 pixels (sd) and missed more by the sloppier."""
    rng = np.random.default_rng(random_state)
    store.create_round(1, taxonomy_version=store.save_taxonomy(_taxonomy("objects", ["car", "person"])),
                       name="box pilot")
    store.add_items(pd.DataFrame({"item_id": [f"img{k}" for k in range(16)],
                                  "text": [f"images/{k}.png" for k in range(16)]}))
    rows = []
    for k in range(16):
        truth = [{"x": float(rng.integers(0, 200)), "y": float(rng.integers(0, 200)), "w": 40.0, "h": 30.0,
                  "label": str(rng.choice(["car", "person"]))} for _ in range(int(rng.integers(1, 4)))]
        for who, jitter in (("ana", 1.0), ("ben", 4.0), ("cy", 9.0)):
            given = [{**b, "x": b["x"] + float(rng.normal(0, jitter)), "y": b["y"] + float(rng.normal(0, jitter))}
                     for b in truth if rng.random() > jitter / 60]
            rows.append({"item_id": f"img{k}", "annotator": who, "label": json.dumps(given), "kind": "boxes"})
    store.record_many(pd.DataFrame(rows), round=1)
    return store


def evaluation_round(store, *, random_state: int = 7):
    """Round 1: 30 prompts, each comparing two of three systems; 4 raters compare and score a rubric.

    A rater prefers response a with the Bradley-Terry probability of :data:`SYSTEM_STRENGTH`;
    10% of judgements are ties; dee adds 0.35 to the first response's chance (position bias);
    cy writes no rationales. Rubric scores follow the first system's strength, ``honest``
    with twice the noise of ``helpful``.
    """
    rng = np.random.default_rng(random_state)
    store.create_round(1, taxonomy_version=store.save_taxonomy(_taxonomy("evaluation", ["ok"])),
                       name="model comparison",
                       rubric={"helpful": {"question": "Does it answer the question?", "scale": [1, 5]},
                               "honest": {"question": "Is everything it says true?", "scale": [1, 5]}})
    systems = list(SYSTEM_STRENGTH)
    items = []
    for k in range(30):
        a, b = rng.choice(systems, 2, replace=False)
        items.append({"item_id": f"p{k}", "text": f"Prompt {k}", "response_a": f"answer of {a}",
                      "response_b": f"answer of {b}", "system_a": a, "system_b": b})
    store.add_items(pd.DataFrame(items))
    rows = []
    for item in items:
        p_a = 1 / (1 + np.exp(SYSTEM_STRENGTH[item["system_b"]] - SYSTEM_STRENGTH[item["system_a"]]))
        for rater in ("ana", "ben", "cy", "dee"):
            first = 0.35 if rater == "dee" else 0.0
            if rng.random() < 0.1:
                choice = {"choice": None, "tie": True}
            else:
                pick = "a" if rng.random() < min(1.0, p_a + first) else "b"
                choice = {"choice": pick, "ranking": [pick, "b" if pick == "a" else "a"], "tie": False}
            note = "" if rater == "cy" else "a is clearer and answers the question"
            rows.append({"item_id": item["item_id"], "annotator": rater, "kind": "pairwise",
                         "label": json.dumps(choice), "note": note, "duration_ms": 9000})
            quality = 3 + SYSTEM_STRENGTH[item["system_a"]]
            rows.append({"item_id": item["item_id"], "annotator": rater, "kind": "rubric",
                         "label": json.dumps({"helpful": int(np.clip(round(quality + rng.normal(0, 0.6)), 1, 5)),
                                              "honest": int(np.clip(round(quality + rng.normal(0, 1.2)), 1, 5))}),
                         "note": "" if rater == "cy" else "checked the facts", "duration_ms": 12000})
    store.record_many(pd.DataFrame(rows), round=1)
    return store
