"""The bundled demo project and its SIMULATED annotators.

Everything here serves the demo: ``taxonomy.yaml``, ``items.csv`` and ``gold.csv`` under
``workbench/demo/data/`` are **example data written by hand for this project** (a fictional
subscription app, "Tunely"; no real customer wrote any message), and the three annotators
below are **simulated**: their labels are drawn from the gold labels with documented
confusion rates. They exist so that ``make demo`` can run a whole pilot round, through the
same :class:`~workbench.store.AnnotationStore` API the labeling widgets use, without people.

- :func:`load_demo_project` -> ``(taxonomy, items, gold)`` from the package data.
- :func:`write_demo_project` writes a project folder (``workbench init DIR --demo``).
- :func:`simulate_labels` draws simulated judgements (pure: DataFrames in, DataFrame out).
- :func:`simulate_round` records them for a round's assignments into a store
  (:func:`gold_for_taxonomy` maps the v1 gold labels when the round uses a later version).
- :func:`run_demo_round` runs a whole simulated pilot round on a project folder.

The simulated behaviour (see :data:`SIMULATED_ANNOTATORS`), per judgement, in this order:

1. start from the gold label;
2. on a planted hard item (``gold.ambiguity == "a|b"``) take the other label of the pair
   with probability ``ambiguity_flip``;
3. a *confusion* ``(gold, wrong, rate)``: label ``wrong`` with probability ``rate``;
4. *noise*: with probability ``noise`` any other label, uniformly;
5. ``unsure`` with probability ``unsure_on_ambiguous`` on planted hard items; a note
   ("between a and b") with probability ``note_on_unsure`` when unsure, and a note saying
   what the customer wants with probability ``note_on_other`` when the label is the
   taxonomy's "other" category;
6. ``duration_ms`` log-normal around ``median_seconds`` (x1.5 on hard items).

So for a gold label with one confusion of rate ``r`` the expected share of ``wrong`` is
``r * (1 - noise) + (1 - r) * noise / (k - 1)`` with ``k`` labels.

======  =====  ================================================  ==========  ===========  ======
name    noise  confusions (gold -> label: rate)                  hard items  other/notes  median
======  =====  ================================================  ==========  ===========  ======
ana     0.05   cancel_subscription -> refund_request 0.15        flip 0.25,  note 0.6     9 s
                                                                 unsure 0.1
ben     0.08   refund_request -> cancel_subscription 0.35,       flip 0.45,  no notes     4.5 s
               bug_report <-> how_to 0.25 each way,              never
               none_of_these -> how_to 0.3                       unsure
chen    0.04   cancel_subscription -> close_account 0.15         flip 0.35,  note 0.95    12 s
                                                                 unsure 0.8
======  =====  ================================================  ==========  ===========  ======

Examples
--------
>>> from workbench.demo import SIMULATED_ANNOTATORS
>>> sorted(SIMULATED_ANNOTATORS)
['ana', 'ben', 'chen']
>>> SIMULATED_ANNOTATORS["ben"].confusions[0]
('refund_request', 'cancel_subscription', 0.35)
"""

from __future__ import annotations

import builtins
import shutil
from importlib.resources import files
from pathlib import Path
from typing import Any, Dict, List

import pandas as pd
import yaml

from ._simulated_annotators import (
    SIMULATED_ANNOTATORS,
    SimulatedAnnotator,
    _annotator_list,
    gold_for_taxonomy,
    simulate_labels,
    summarise_simulation,
)
from .._internal.validation import check_positive_int, check_random_state
from ..exceptions import StoreError, WorkbenchError

__all__ = [
    "SimulatedAnnotator",
    "SIMULATED_ANNOTATORS",
    "load_demo_project",
    "write_demo_project",
    "simulate_labels",
    "gold_for_taxonomy",
    "simulate_round",
    "run_demo_round",
]

_DATA = ("workbench.demo", "data")
_DEMO_FILES = ("taxonomy.yaml", "items.csv", "gold.csv")


def _demo_file(name: str):
    return files(_DATA[0]).joinpath(_DATA[1], name)


def _read_csv(source) -> pd.DataFrame:
    with source.open("r", encoding="utf-8") as fh:  # a Path or an importlib.resources Traversable
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def load_demo_project():
    """Load the bundled demo project (EXAMPLE data written for the project).

    Returns
    -------
    taxonomy : workbench.taxonomy.Taxonomy
        ``support-intents`` v1.
    items : pandas.DataFrame
        407 rows: ``item_id, text, channel, language, created_at`` (all str).
    gold : pandas.DataFrame
        ``item_id, gold_label, ambiguity, hidden_intent``; ``ambiguity`` is ``"a|b"`` for a
        planted hard item and ``""`` otherwise, ``hidden_intent`` is what a no-fit
        (``none_of_these``) item really is, e.g. ``"feature_request"``.

    Examples
    --------
    >>> from workbench.demo import load_demo_project
    >>> taxonomy, items, gold = load_demo_project()
    >>> taxonomy.name, taxonomy.version, len(items), list(gold.columns)
    ('support-intents', 1, 407, ['item_id', 'gold_label', 'ambiguity', 'hidden_intent'])
    """
    from ..taxonomy import Taxonomy

    taxonomy = Taxonomy.from_yaml(_demo_file("taxonomy.yaml").read_text(encoding="utf-8"),
                                  source="workbench/demo/data/taxonomy.yaml")
    return taxonomy, _read_csv(_demo_file("items.csv")), _read_csv(_demo_file("gold.csv"))


def _project_yaml(n_items: int, overlap: int) -> str:
    settings = {
        "name": "support-intents demo (EXAMPLE project)",
        "example_data": True,
        "db": "workbench.db",
        "taxonomy": "taxonomy.yaml",
        "items": "items.csv",
        "gold": "gold.csv",
        "reports": "reports",
        "rounds": [{"round": 1, "name": "pilot 1", "n_items": n_items, "overlap": overlap,
                    "stratify_by": "channel", "annotators": list(SIMULATED_ANNOTATORS),
                    "simulated_annotators": True, "random_state": 0}],
    }
    head = ("# EXAMPLE project written by `workbench init --demo` (Taxonomy Workbench).\n"
            "# The data is example data written for the project; the annotators are simulated.\n")
    return head + yaml.safe_dump(settings, sort_keys=False)


def write_demo_project(directory, *, overwrite: bool = False, n_items: int = 240, overlap: int = 2) -> List[Path]:
    """Write the demo project folder: taxonomy, items, gold labels, README and project.yaml.

    Parameters
    ----------
    directory : path-like
        Created if needed.
    overwrite : bool, default False
        Replace files that already exist; otherwise an existing file is an error.
    n_items, overlap : int
        Round settings recorded in ``project.yaml`` (read by :func:`run_demo_round`).

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    FileExistsError
        A file is already there and ``overwrite`` is False.

    Examples
    --------
    >>> import tempfile
    >>> from workbench.demo import write_demo_project
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     sorted(p.name for p in write_demo_project(tmp))
    ['README.md', 'gold.csv', 'items.csv', 'project.yaml', 'taxonomy.yaml']
    """
    target = Path(directory)
    names = [*_DEMO_FILES, "README.md", "project.yaml"]
    clashes = [n for n in names if (target / n).exists()]
    if clashes and not overwrite:
        raise FileExistsError(f"{target / clashes[0]} already exists (and {len(clashes) - 1} more demo files); "
                              "pass overwrite=True (--force on the command line) or choose an empty folder")
    target.mkdir(parents=True, exist_ok=True)
    for name in _DEMO_FILES:
        with _demo_file(name).open("rb") as src, open(target / name, "wb") as dst:
            shutil.copyfileobj(src, dst)
    readme = _demo_file("README.md").read_text(encoding="utf-8")
    (target / "README.md").write_text(
        readme + "\n## This folder\n\n`project.yaml` holds the store path (`workbench.db`, SQLite) and the "
        "round settings. Run a simulated pilot round with `workbench demo --dir .`, or label it "
        "yourself in a notebook.\n", encoding="utf-8")
    (target / "project.yaml").write_text(_project_yaml(n_items, overlap), encoding="utf-8")
    return [target / n for n in names]


def _round_taxonomy(store, round):
    try:
        version = store.round_info(round)["taxonomy_version"]
    except (WorkbenchError, KeyError) as exc:
        raise StoreError(f"Round {round} is not in {store.url}: create it first with "
                         "store.create_round(round, taxonomy_version=...).") from exc
    return store.taxonomy(version)


def simulate_round(store, round, *, annotators=SIMULATED_ANNOTATORS, gold=None, gold_version=1,
                   random_state=0, progress=True) -> pd.DataFrame:
    """Label a round's open assignments with SIMULATED annotators, through ``store.record``.

    Each judgement is one ``store.record(item_id, annotator, label, round=..., unsure=...,
    note=..., duration_ms=..., session_id="simulated-<annotator>")`` call, as a widget
    click would be. Assignments that already have a current label are left alone, so a
    second call does not duplicate work.

    Parameters
    ----------
    store : workbench.store.AnnotationStore
    round : int
        An existing round with assignments.
    annotators : mapping or sequence of SimulatedAnnotator, default SIMULATED_ANNOTATORS
    gold : pandas.DataFrame, optional
        Default: the bundled demo ``gold.csv``.
    gold_version : int, default 1
        The taxonomy version the gold labels were written for. When the round uses a later
        version they are mapped to it (:func:`gold_for_taxonomy`): a ``hidden_intent`` that
        became a category is the new gold label, renames and merges follow the change log,
        and a split category becomes a hard item between its parts. So a round 2 on the
        revised taxonomy can be simulated too.
    random_state : None, int or numpy Generator, default 0
    progress : bool, default True
        Show a progress bar.

    Returns
    -------
    pandas.DataFrame
        One row per annotator: ``annotator, n_labels, n_unsure, n_notes, gold_accuracy,
        median_seconds`` (of the judgements recorded by this call; no rows when nothing
        was left to label).

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from workbench.demo import load_demo_project, simulate_round
    >>> from workbench.store import AnnotationStore
    >>> taxonomy, items, gold = load_demo_project()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     store = AnnotationStore(f"{tmp}/demo.db")
    ...     _ = store.add_items(items.head(5))
    ...     _ = store.create_round(1, taxonomy_version=store.save_taxonomy(taxonomy))
    ...     _ = store.assign(pd.DataFrame({"item_id": items.item_id[:5], "annotator": "chen"}), round=1)
    ...     summary = simulate_round(store, 1, progress=False)
    ...     len(store.annotations(round=1))
    5
    """
    from tqdm.auto import tqdm

    taxonomy = _round_taxonomy(store, round)
    todo = store.assignments(round=round)
    if len(todo):
        done = store.annotations(round=round, kind="label")
        if len(done):
            seen = set(zip(done["item_id"].astype(str), done["annotator"]))
            todo = todo[[k not in seen for k in zip(todo["item_id"].astype(str), todo["annotator"])]]
    gold = gold_for_taxonomy(load_demo_project()[2] if gold is None else gold, taxonomy, gold_version=gold_version)
    sim = simulate_labels(todo, gold, labels=taxonomy.labels, other_label=taxonomy.other_label,
                          annotators=annotators, random_state=random_state)
    for row in tqdm(sim.itertuples(index=False), total=len(sim), disable=not progress,
                    desc=f"simulated labels, round {round}"):
        store.record(str(row.item_id), str(row.annotator), str(row.label), round=int(round),
                     unsure=bool(row.unsure), note=row.note if isinstance(row.note, str) else None,
                     duration_ms=int(row.duration_ms), session_id=f"simulated-{row.annotator}")
    return summarise_simulation(sim, gold)


def _project_settings(directory: Path) -> Dict[str, Any]:
    path = directory / "project.yaml"
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.exists() else {}


def run_demo_round(directory, *, n_items=None, overlap=None, round=1, annotators=SIMULATED_ANNOTATORS,
                   random_state=0, progress=True) -> Dict[str, Any]:
    """Run a SIMULATED pilot round on a demo project folder, end to end.

    Opens the store named in ``project.yaml`` (SQLite ``workbench.db`` in the folder),
    adds the items, saves the taxonomy, creates the round, draws a pilot sample
    stratified by channel (:func:`workbench.sampling.pilot_sample`), assigns it to the
    simulated annotators with overlap (:func:`workbench.sampling.assign`), and records
    their labels with :func:`simulate_round`. The folder is written first with
    :func:`write_demo_project` when it has no ``taxonomy.yaml``.

    Parameters
    ----------
    directory : path-like
        The project folder.
    n_items : int, optional
        Pilot sample size; default from ``project.yaml`` (240).
    overlap : int, float or dict, optional
        Annotators per item, as :func:`workbench.sampling.assign` takes it (``2``: every
        item twice; ``{2: 0.3}``: 30% twice, the rest once); default from ``project.yaml`` (2).
    round : int, default 1
        Must not exist in the store yet.
    annotators : mapping or sequence of SimulatedAnnotator, default SIMULATED_ANNOTATORS
    random_state : None, int or numpy Generator, default 0
    progress : bool, default True

    Returns
    -------
    dict
        ``round, items, assignments, labels, unsure, notes, gold_accuracy, store``
        (counts over the round; ``gold_accuracy`` over all simulated labels).

    Raises
    ------
    StoreError
        The round already exists in the store (delete ``workbench.db`` or pass ``round=``).

    Examples
    --------
    >>> import tempfile
    >>> from workbench.demo import run_demo_round
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     summary = run_demo_round(tmp, n_items=30, overlap=2, progress=False)
    >>> summary["items"], summary["labels"]
    (30, 60)
    """
    from ..sampling import assign, pilot_sample
    from ..store import AnnotationStore
    from ..taxonomy import Taxonomy

    project = Path(directory)
    if not (project / "taxonomy.yaml").exists():
        write_demo_project(project)
    settings = _project_settings(project)
    planned = (settings.get("rounds") or [{}])[0]
    n_items = check_positive_int(n_items if n_items is not None else planned.get("n_items", 240),
                                 param="n_items", caller="run_demo_round")
    overlap = overlap if overlap is not None else planned.get("overlap", 2)  # checked by sampling.assign
    sims = _annotator_list(annotators)
    rng = check_random_state(random_state)

    store = AnnotationStore(str(project / settings.get("db", "workbench.db")))
    rounds = store.rounds()
    if len(rounds) and int(round) in set(rounds["round"].astype(int)):
        raise StoreError(f"Round {round} already exists in {store.url}; delete that file for a fresh demo "
                         "or pass another round number.")
    items = _read_csv(project / settings.get("items", "items.csv"))
    gold_path = project / settings.get("gold", "gold.csv")
    gold = _read_csv(gold_path) if gold_path.exists() else load_demo_project()[2]
    store.add_items(items)
    version = store.save_taxonomy(Taxonomy.load(project / settings.get("taxonomy", "taxonomy.yaml")))
    store.create_round(int(round), taxonomy_version=version, name=planned.get("name", f"pilot {round}"),
                       params={"n_items": n_items, "overlap": overlap, "stratify_by": "channel",
                               "annotators": [a.name for a in sims], "simulated_annotators": True,
                               "random_state": random_state if isinstance(random_state, int) else None})
    sample = pilot_sample(items, n_items, stratify_by="channel", random_state=rng)
    plan = assign(sample, [a.name for a in sims], overlap=overlap, random_state=rng)
    store.assign(plan, round=int(round))
    summary = simulate_round(store, int(round), annotators=sims, gold=gold, random_state=rng, progress=progress)
    n_labels = int(summary["n_labels"].sum())
    correct = float((summary["gold_accuracy"] * summary["n_labels"]).sum())
    return {"round": int(round), "items": int(plan["item_id"].nunique()), "assignments": int(len(plan)),
            "labels": n_labels, "unsure": int(summary["n_unsure"].sum()), "notes": int(summary["n_notes"].sum()),
            "gold_accuracy": builtins.round(correct / max(n_labels, 1), 3),  # ``round`` is a parameter here
            "store": store.url}
