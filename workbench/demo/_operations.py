"""A SIMULATED labeling program over several weeks: vendors, gold items, turnaround and a drifting labeler.

:func:`labeling_program` writes one round per week into a store, with the bundled demo items
and taxonomy, so the SLA, trend and dashboard views have a program to show. Everything is
simulated from the demo's gold labels, with documented, planted behaviour:

- vendor **acme** (``acme-1``, ``acme-2``): careful, about a day from assignment to answer;
- vendor **northwind** (``nw-1``, ``nw-2``): fast per item but slow to turn work around (median
  about 40 hours, so its 90th percentile misses a 48-hour target); ``nw-2`` **drifts**: from the
  third week on, half of its labels are random;
- **in-house** (``ida``): careful and quick.

Each week 120 items are sampled (billing intents weigh four times as much from the third week on: a
planted label drift), each labeled by two labelers; 30% of the demo items are gold items
(``gold_label`` in the item metadata). In the last week, a few of northwind's items stay open.

Examples
--------
>>> from workbench.store import AnnotationStore
>>> store = labeling_program(AnnotationStore("sqlite://"), weeks=2, items_per_week=20)
>>> store.rounds()["round"].tolist(), sorted(store.users()["team"].unique())
([1, 2], ['acme', 'in-house', 'northwind'])
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from ._project import load_demo_project
from ._simulated_annotators import SIMULATED_ANNOTATORS, simulate_labels

__all__ = ["labeling_program", "PROGRAM_TEAMS", "PROGRAM_TARGETS_YAML"]

#: Labeler -> (team, simulated behaviour, median hours from assignment to answer).
PROGRAM_TEAMS = {
    "acme-1": ("acme", "ana", 18.0), "acme-2": ("acme", "ana", 18.0),
    "nw-1": ("northwind", "ben", 40.0), "nw-2": ("northwind", "ana", 40.0),
    "ida": ("in-house", "ana", 6.0),
}

#: Quality targets of the simulated program (what a lead writes into targets.yaml).
PROGRAM_TARGETS_YAML = """\
# Quality targets of the SIMULATED demo program (workbench.demo.labeling_program).
currency: EUR
turnaround_quantile: 0.9
min_items: 20
defaults:
  min_agreement: 0.70
  min_gold_accuracy: 0.85
  max_turnaround_hours: 48
  max_cost_per_item: 0.12
vendors:
  acme:
    price_per_item: 0.10
  northwind:
    hourly_rate: 30.0
  in-house:
    hourly_rate: 40.0
    max_cost_per_item: 0.20
"""


def labeling_program(store, *, weeks: int = 4, items_per_week: int = 120, start: str = "2026-11-02",
                     random_state: int = 0):
    """Write ``weeks`` weekly rounds of a SIMULATED vendor program into ``store`` (see the module docstring).

    Parameters
    ----------
    store : AnnotationStore
        An empty store (the demo taxonomy is saved as version 1).
    weeks : int, default 4
    items_per_week : int, default 120
    start : str, default "2026-11-02"
        The Monday of the first week (UTC).
    random_state : int, default 0

    Returns
    -------
    AnnotationStore
        ``store``, with users in teams, rounds 1..weeks, assignments with ``assigned_at`` and
        answers with their simulated times.
    """
    rng = np.random.default_rng(random_state)
    taxonomy, items, gold = load_demo_project()
    version = store.save_taxonomy(taxonomy)
    is_gold = rng.random(len(items)) < 0.3
    meta = items.merge(gold[["item_id", "gold_label"]], on="item_id")
    meta["gold_label"] = meta["gold_label"].where(is_gold)
    store.add_items(meta[["item_id", "text", "channel", "language", "gold_label"]])
    for name, (team, _, _) in PROGRAM_TEAMS.items():
        store.add_user(name, role="labeler", team=team, actor="demo")
    store.add_user("lena", role="lead", team="in-house", actor="demo")
    billing = set(taxonomy.children_of("billing")) if hasattr(taxonomy, "children_of") else set()
    billing = billing or {c for c in taxonomy.labels if c in ("refund_request", "duplicate_charge", "billing")}
    gold_of = gold.set_index("item_id")["gold_label"]
    names = list(PROGRAM_TEAMS)
    monday = pd.Timestamp(start, tz="UTC")
    for week in range(1, weeks + 1):
        store.create_round(week, taxonomy_version=version, name=f"week {week}")
        weight = np.where(items["item_id"].map(gold_of).isin(billing) & (week >= 3), 4.0, 1.0)
        picked = rng.choice(len(items), size=min(items_per_week, len(items)), replace=False, p=weight / weight.sum())
        handed = monday + pd.Timedelta(weeks=week - 1, hours=9)
        plan = []
        for k in picked:
            for who in rng.choice(names, size=2, replace=False):
                plan.append({"item_id": items["item_id"].iloc[k], "annotator": str(who),
                             "assigned_at": handed + pd.Timedelta(minutes=int(rng.integers(0, 240)))})
        plan = pd.DataFrame(plan)
        store.assign(plan, round=week)
        behaviours = {}
        for name, (_, like, _) in PROGRAM_TEAMS.items():
            sim = replace(SIMULATED_ANNOTATORS[like], name=name)
            if name == "nw-2" and week >= 3:
                sim = replace(sim, noise=0.5, description="SIMULATED drifting labeler")
            behaviours[name] = sim
        answers = simulate_labels(plan, gold, labels=taxonomy.labels, annotators=behaviours,
                                  random_state=rng)
        lag = np.array([PROGRAM_TEAMS[a][2] for a in plan["annotator"]])
        hours = np.exp(rng.normal(np.log(lag), 0.45))
        answers["created_at"] = (plan["assigned_at"] + pd.to_timedelta(hours, unit="h")).dt.strftime(
            "%Y-%m-%dT%H:%M:%SZ")
        open_now = (week == weeks) & (plan["annotator"].str.startswith("nw-")).to_numpy() & (rng.random(len(plan)) < 0.1)
        answers = answers[~open_now]
        answers["source_key"] = [f"program:{week}:{i}:{a}" for i, a in zip(answers["item_id"], answers["annotator"])]
        store.import_records(annotations=answers.to_dict("records"), round=week, source="simulated-program")
    return store
