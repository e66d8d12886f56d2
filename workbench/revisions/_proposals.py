"""From a pilot round's evidence to reviewable proposals for the next taxonomy version.

:func:`propose_revisions` reads the annotations of a round (disagreements, "other"
answers, unsure flags and notes), optionally a model's out-of-fold predictions and the
item texts, and returns :class:`Proposal` records of six kinds:

========  ==================================================================================
merge     a pair that humans *and* the model confuse heavily and whose definitions overlap
clarify   a confused pair that is separable: an edge-case rule drafted from the disputed items
redefine  a category with low per-category agreement (kappa and its 95% interval)
split     a category whose items form two clusters whose errors go to different neighbours
add       a cluster of items put in "other" / left unlabeled / noted: a draft new category
retire    a category with too little support to learn or agree on
========  ==================================================================================

In a multi-label round (``taxonomy.task == "multilabel"``, or ratings holding two or more labels)
merge reads co-occurrence instead: two labels applied together almost always, in both
directions (:func:`workbench.agreement.label_cooccurrence`); clarify reads swaps (one
annotator applies ``a`` without ``b``, another ``b`` without ``a``); an empty or other-only set
counts as "outside" for add; support counts the items whose majority set holds the label
(:mod:`workbench.revisions._multilabel_rules`).

Every threshold lives in :class:`RevisionRules` (documented defaults); every proposal
says which rule fired, with its numbers. :func:`draft_taxonomy` applies the accepted
proposals with ``Taxonomy.apply`` (version n + 1, one change per proposal in the change
log), :func:`relabel_plan` says which existing labels carry over, and
:func:`proposals_table` gives the DataFrame a report shows.

Examples
--------
>>> import pandas as pd
>>> from workbench.revisions import RevisionRules, Proposal
>>> RevisionRules().describe("merge")
'merge: human_split_share >= 0.25 and model_confusion_share >= 0.2 and definition_overlap >= 0.3 (pairs with >= 5 items, >= 2 split)'
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Optional, Sequence

import pandas as pd

from . import _multilabel_rules
from . import _rules
from . import _text_rules
from ._evidence import (category_profile, definition_overlap, majority_labels, model_frame,
                                 pair_evidence, tidy_annotations, tidy_items)
from ._thresholds import KINDS, RevisionRules
from .._internal.validation import check_columns, check_random_state
from ..agreement import per_category_table
from ..exceptions import TaxonomyError, ValidationError, WorkbenchWarning
from ..taxonomy import migrate

__all__ = ["Proposal", "RevisionRules", "KINDS", "propose_revisions", "proposals_table",
           "draft_taxonomy", "relabel_plan"]

#: Kinds that remove or replace a category; they may not share a category with another accepted proposal.
_STRUCTURAL = {"merge", "split", "retire"}


@dataclass(frozen=True)
class Proposal:
    """One reviewable proposal for the next taxonomy version.

    Attributes
    ----------
    id : str
        Stable id, ``"<kind>:<categories joined by +>"`` (pairs sorted), e.g.
        ``"merge:cancel_subscription+refund_request"``.
    kind : {'merge', 'clarify', 'redefine', 'split', 'add', 'retire'}
    categories : tuple of str
        The categories involved (for ``add``, the drafted new id).
    rationale : str
        One line in plain language for the taxonomy lead.
    evidence : dict
        The numbers behind it, with 95% intervals where they apply (``*_ci`` tuples).
    rule : str
        Which rule fired, with its thresholds.
    example_item_ids : tuple of str
    severity : {'high', 'medium', 'low'}
    score : float
        In [0, 1]; proposals are ranked by it.
    change : tuple of dict
        The change operation(s) for ``Taxonomy.apply``.
    relabel : dict
        ``categories``, ``item_ids`` and ``reason``: what labelers re-label if accepted.

    Examples
    --------
    >>> p = Proposal(id="retire:fax", kind="retire", categories=("fax",), rationale="Used once in 400 items.",
    ...              change=({"op": "retire", "category": "fax"},))
    >>> p.kind, p.severity, p.change[0]["op"]
    ('retire', 'low', 'retire')
    """

    id: str
    kind: str
    categories: tuple
    rationale: str
    evidence: dict = field(default_factory=dict)
    rule: str = ""
    example_item_ids: tuple = ()
    severity: str = "low"
    score: float = 0.0
    change: tuple = ()
    relabel: dict = field(default_factory=dict)


def _severity(score: float, rules: RevisionRules) -> str:
    if score >= rules.severity_high:
        return "high"
    return "medium" if score >= rules.severity_medium else "low"


def _per_category(ann: pd.DataFrame, labels, rules: RevisionRules, rng):
    rated = ann.dropna(subset=["label"])[["item_id", "annotator", "label"]]
    if rated.empty or rated.groupby("item_id")["annotator"].nunique().max() < 2:
        return None  # one rating per item: no agreement to measure
    if rated.duplicated(["item_id", "annotator"]).any():  # multi-label: one sorted list per answer
        rated = rated.groupby(["item_id", "annotator"], sort=False)["label"].agg(sorted).reset_index()
    seed = int(rng.integers(0, 2**31 - 1))

    used = set(ann["label"].dropna())  # an unused category has no kappa (and would only warn)
    return per_category_table(rated, categories=[c for c in labels if c in used], n_boot=rules.n_boot,
                              random_state=seed)


def propose_revisions(taxonomy, annotations, *, predictions=None, items=None,
                      rules: Optional[RevisionRules] = None, random_state=None,
                      item_col: str = "item_id", annotator_col: str = "annotator", label_col: str = "label",
                      note_col: str = "note", unsure_col: str = "unsure", progress: bool = False) -> list:
    """Turn a pilot round's evidence into proposals for the next taxonomy version.

    Parameters
    ----------
    taxonomy : workbench.taxonomy.Taxonomy
        The version the round was labeled with.
    annotations : pandas.DataFrame
        Long format, one row per judgement: ``item_id, annotator, label`` and optionally
        ``unsure``, ``note``, ``kind`` (rows of another kind than ``label`` are ignored).
    predictions : workbench.error_analysis.Predictions or pandas.DataFrame, optional
        Out-of-fold model predictions (or a frame ``item_id, label, predicted``). Needed for
        merge proposals and used as extra evidence by clarify, split and retire. In a
        multi-label round: a ``MultilabelPredictions`` (``multilabel_predictions``) or a frame
        ``item_id, given, predicted`` of label sets, used by clarify (model swaps) and retire.
    items : pandas.DataFrame, optional
        ``item_id, text``; needed for split proposals and used to draft clarify rules and
        new categories.
    rules : RevisionRules, optional
        Thresholds (default ``RevisionRules()``).
    random_state : None, int or numpy Generator
        Seeds the clustering and the bootstrap intervals.
    item_col, annotator_col, label_col, note_col, unsure_col : str
        Column names of ``annotations``.
    progress : bool, default False
        Show a progress bar over the rules (the split rule clusters every category).

    Returns
    -------
    list of Proposal
        Highest score first (ties: kind in :data:`KINDS` order, then id); proposals scoring
        below ``rules.min_score`` are left out, and a redefine of a category that a merge
        proposal covers is left out too (the merge is the fix).

    Examples
    --------
    >>> import pandas as pd
    >>> from workbench.taxonomy import Taxonomy
    >>> from workbench.revisions import propose_revisions
    >>> tax = Taxonomy.from_yaml('''
    ... name: demo
    ... version: 1
    ... task: multiclass
    ... categories:
    ...   - {id: refund, name: Refund, definition: The customer wants money back.}
    ...   - {id: cancel, name: Cancel, definition: The customer wants to stop the subscription.}
    ...   - {id: bug, name: Bug, definition: Something in the app is broken.}
    ... ''')
    >>> rows = []
    >>> for i in range(30):
    ...     a = ["refund", "cancel", "bug"][i % 3]
    ...     b = "cancel" if (a == "refund" and i % 2) else a
    ...     rows += [(str(i), "ann1", a), (str(i), "ann2", b)]
    >>> ann = pd.DataFrame(rows, columns=["item_id", "annotator", "label"])
    >>> proposals = propose_revisions(tax, ann, random_state=0)
    >>> [(p.kind, p.categories) for p in proposals][:1]
    [('clarify', ('cancel', 'refund'))]
    >>> proposals[0].change[0]["op"]
    'add_edge_case'
    """
    caller = "propose_revisions"
    rules = RevisionRules() if rules is None else rules
    if not isinstance(rules, RevisionRules):
        raise ValidationError(f"The 'rules' parameter of {caller} must be a RevisionRules. "
                              f"Got {type(rules).__name__} instead.")
    rng = check_random_state(random_state)
    ann = tidy_annotations(annotations, item_col=item_col, annotator_col=annotator_col, label_col=label_col,
                           note_col=note_col, unsure_col=unsure_col, caller=caller)
    other = getattr(taxonomy, "other_label", None)
    labels = tuple(c for c in taxonomy.labels if c != other)
    unknown = sorted(set(ann["label"].dropna()) - set(taxonomy.labels))
    if unknown:
        warnings.warn(f"{caller}: {len(unknown)} label(s) are not in taxonomy {taxonomy.name!r} "
                      f"v{taxonomy.version} and are ignored: {unknown[:10]}. Map them with Taxonomy.migrate() "
                      "first if they come from another version.", WorkbenchWarning, stacklevel=2)
        ann = ann[ann["label"].isna() | ann["label"].isin(taxonomy.labels)]
    multilabel = _multilabel_rules.is_multilabel_round(taxonomy, ann)
    if multilabel:  # label sets: the model evidence is a MultilabelPredictions, not a Predictions
        model, sets_model = None, _multilabel_rules.model_sets(predictions, labels=taxonomy.labels, caller=caller)
    else:
        model, sets_model = model_frame(predictions, caller=caller), None
    item_frame = tidy_items(items, caller=caller)
    profiles = {c: category_profile(taxonomy.category(c)) for c in labels}
    ev = _rules.Evidence(
        taxonomy=taxonomy, labels=labels, other_label=other, ann=ann, majority=majority_labels(ann),
        model=model, items=item_frame,
        pairs=pair_evidence(ann, labels=taxonomy.labels, model=model, n_examples=rules.n_examples),
        overlap=definition_overlap(profiles), per_category=_per_category(ann, taxonomy.labels, rules, rng),
        rules=rules, rng=rng, multilabel=multilabel,
        majority_sets=_multilabel_rules.majority_sets(ann) if multilabel else None, model_sets=sets_model)
    from tqdm.auto import tqdm

    found = []
    if multilabel:  # merge what travels together; clarify what is swapped (except merged pairs)
        def swaps(ev):
            merged_pairs = {tuple(d["categories"]) for d in found if d["kind"] == "merge"}
            return _multilabel_rules.swap_rule(ev, skip=merged_pairs)

        steps = (_multilabel_rules.cooccurrence_rule, swaps, _rules.redefine_rule, _text_rules.split_rule,
                 _text_rules.add_rule, _rules.retire_rule)
    else:
        steps = (_rules.pair_rules, _rules.redefine_rule, _text_rules.split_rule, _text_rules.add_rule,
                 _rules.retire_rule)
    for rule in tqdm(steps, desc="revision rules", disable=not progress, leave=False):
        found.extend(rule(ev))
    merged = {c for d in found if d["kind"] == "merge" for c in d["categories"]}
    found = [d for d in found if d["score"] >= rules.min_score
             and not (d["kind"] == "redefine" and d["categories"][0] in merged)]
    proposals = [Proposal(id=f"{d['kind']}:{'+'.join(d['categories'])}", severity=_severity(d["score"], rules),
                          **{k: v for k, v in d.items() if k != "severity"}) for d in found]
    proposals.sort(key=lambda p: (-round(p.score, 9), KINDS.index(p.kind), p.id))
    return proposals


def proposals_table(proposals: Sequence[Proposal]) -> pd.DataFrame:
    """Proposals as a DataFrame for reports, one row per proposal in the given order.

    Returns
    -------
    pandas.DataFrame
        ``rank, id, kind, severity, score, categories`` (comma-joined), ``rationale``,
        ``evidence`` (``key=value`` pairs, intervals as ``[low, high]``), ``rule``,
        ``example_item_ids`` (comma-joined), ``n_relabel`` (items to re-label), ``change``
        (the op names).

    Examples
    --------
    >>> from workbench.revisions import Proposal, proposals_table
    >>> p = Proposal(id="retire:fax", kind="retire", categories=("fax",), rationale="Too rare.",
    ...              evidence={"support": 1, "kappa_ci": (0.1, 0.5)}, score=0.2,
    ...              change=({"op": "retire", "category": "fax"},), relabel={"item_ids": ("7",)})
    >>> proposals_table([p])[["id", "evidence", "n_relabel", "change"]].to_dict("records")
    [{'id': 'retire:fax', 'evidence': 'support=1; kappa_ci=[0.1, 0.5]', 'n_relabel': 1, 'change': 'retire'}]
    """
    def fmt(v):
        if isinstance(v, tuple) and len(v) == 2 and all(isinstance(x, (int, float)) or x is None for x in v):
            return f"[{v[0]}, {v[1]}]"
        return str(v)

    rows = [{"rank": i + 1, "id": p.id, "kind": p.kind, "severity": p.severity, "score": round(p.score, 3),
             "categories": ", ".join(p.categories), "rationale": p.rationale,
             "evidence": "; ".join(f"{k}={fmt(v)}" for k, v in p.evidence.items()), "rule": p.rule,
             "example_item_ids": ", ".join(map(str, p.example_item_ids)),
             "n_relabel": len(p.relabel.get("item_ids", ())), "change": ", ".join(c["op"] for c in p.change)}
            for i, p in enumerate(proposals)]
    columns = ["rank", "id", "kind", "severity", "score", "categories", "rationale", "evidence", "rule",
               "example_item_ids", "n_relabel", "change"]
    return pd.DataFrame(rows, columns=columns)


def _accepted(proposals: Sequence[Proposal], accept) -> list:
    if accept is None:
        return list(proposals)
    if isinstance(accept, (str, int)):
        accept = [accept]
    by_id = {p.id: p for p in proposals}
    out, seen = [], set()
    for key in accept:
        if isinstance(key, bool) or not isinstance(key, (str, int)):
            raise ValidationError(f"The 'accept' parameter of draft_taxonomy must hold proposal ids or indices. "
                                  f"Got {key!r} instead.")
        if isinstance(key, int):
            if not -len(proposals) <= key < len(proposals):
                raise ValidationError(f"The 'accept' parameter of draft_taxonomy has index {key}, but there are "
                                      f"{len(proposals)} proposals (valid indices 0..{len(proposals) - 1}).")
            p = proposals[key]
        elif key in by_id:
            p = by_id[key]
        else:
            raise ValidationError(f"The 'accept' parameter of draft_taxonomy names the unknown proposal {key!r}. "
                                  f"Valid ids: {sorted(by_id)}.")
        if p.id not in seen:
            seen.add(p.id)
            out.append(p)
    return out


def _conflicts(accepted: Sequence[Proposal]) -> list:
    problems = []
    for i, p in enumerate(accepted):
        for q in accepted[i + 1:]:
            shared = sorted(set(p.categories) & set(q.categories))
            clash = shared and (p.kind in _STRUCTURAL or q.kind in _STRUCTURAL
                                or p.kind == q.kind == "redefine")
            if clash:
                problems.append(f"proposals {p.id!r} and {q.id!r} both change {', '.join(map(repr, shared))}; "
                                "accept only one of them (or edit one and accept it alone).")
    return problems


def draft_taxonomy(taxonomy, proposals: Sequence[Proposal], *, accept=None, author: Optional[str] = None,
                   date: Optional[str] = None, summary: Optional[str] = None):
    """Apply the accepted proposals and return the next taxonomy version.

    Parameters
    ----------
    taxonomy : workbench.taxonomy.Taxonomy
        The version the proposals were made for.
    proposals : sequence of Proposal
        As returned by :func:`propose_revisions` (possibly edited with ``dataclasses.replace``).
    accept : sequence of str or int, optional
        Proposal ids or indices into ``proposals`` (default: all).
    author, date, summary : str, optional
        Recorded in the change-log entry (the summary defaults to the accepted ids).

    Returns
    -------
    workbench.taxonomy.Taxonomy
        Version n + 1; its change-log entry lists one change per accepted proposal, each
        with the rationale ``"<proposal id>: <rationale>"``.

    Raises
    ------
    TaxonomyError
        When accepted proposals conflict (e.g. a merge and a split of the same category),
        or a change cannot be applied.

    Examples
    --------
    >>> from workbench.taxonomy import Taxonomy
    >>> from workbench.revisions import Proposal, draft_taxonomy
    >>> tax = Taxonomy.from_yaml('''
    ... name: demo
    ... version: 1
    ... categories:
    ...   - {id: refund, name: Refund, definition: Money back.}
    ...   - {id: fax, name: Fax, definition: Sent a fax.}
    ... ''')
    >>> p = Proposal(id="retire:fax", kind="retire", categories=("fax",), rationale="Too rare.",
    ...              change=({"op": "retire", "category": "fax", "rationale": "Too rare."},))
    >>> new = draft_taxonomy(tax, [p], accept=["retire:fax"], date="2026-11-23")
    >>> new.version, new.labels
    (2, ('refund',))
    """
    accepted = _accepted(list(proposals), accept)
    if not accepted:
        raise ValidationError("draft_taxonomy needs at least one accepted proposal; "
                              "pass accept=[ids] (see proposals_table(proposals)).")
    problems = _conflicts(accepted)
    if problems:
        raise TaxonomyError(problems)
    changes = []
    for p in accepted:
        for op in p.change:
            op = dict(op)  # the change log says which proposal each change came from
            op["rationale"] = f"{p.id}: {op.get('rationale') or p.rationale}"
            changes.append(op)
    summary = summary or f"Accepted {len(accepted)} revision proposal(s): {', '.join(p.id for p in accepted)}."
    return taxonomy.apply(changes, author=author, date=date, summary=summary)


def relabel_plan(old, new, annotations, *, item_col: str = "item_id", annotator_col: str = "annotator",
                 label_col: str = "label") -> pd.DataFrame:
    """Which existing labels carry over to the new version and which items need relabeling.

    Parameters
    ----------
    old, new : workbench.taxonomy.Taxonomy
        The version the annotations were made with and the drafted next version.
    annotations : pandas.DataFrame
        Long format ``item_id, annotator, label`` made with ``old``.

    Returns
    -------
    pandas.DataFrame
        One row per annotation: ``item_id, annotator, old_label, new_label`` (None when it
        does not carry over), ``status`` (from :func:`workbench.taxonomy.migrate`:
        ``unchanged, renamed, merged, needs_relabel, retired, unknown``), ``candidates`` (the
        labels to choose from when relabeling, e.g. the parts of a split) and ``action``:
        ``keep`` (same label), ``carry_over`` (mapped to another id by a merge or rename) or
        ``relabel``.

    Examples
    --------
    >>> import pandas as pd
    >>> from workbench.taxonomy import Taxonomy
    >>> from workbench.revisions import relabel_plan
    >>> old = Taxonomy.from_yaml('''
    ... name: demo
    ... version: 1
    ... categories:
    ...   - {id: refund, name: Refund, definition: Money back.}
    ...   - {id: fax, name: Fax, definition: Sent a fax.}
    ... ''')
    >>> new = old.apply([{"op": "retire", "category": "fax"}], date="2026-11-23")
    >>> ann = pd.DataFrame({"item_id": ["1", "2"], "annotator": ["a", "a"], "label": ["refund", "fax"]})
    >>> relabel_plan(old, new, ann)[["item_id", "new_label", "action"]].to_dict("records")
    [{'item_id': '1', 'new_label': 'refund', 'action': 'keep'}, {'item_id': '2', 'new_label': None, 'action': 'relabel'}]
    """

    check_columns(annotations, [item_col, annotator_col, label_col], what="annotations passed to relabel_plan")
    old_labels = annotations[label_col].tolist()
    mapped = migrate(old_labels, old, new).reset_index(drop=True)
    new_labels = [None if (m is None or (isinstance(m, float) and pd.isna(m))) else m
                  for m in mapped["migrated_label"]]
    actions = ["relabel" if n is None else ("keep" if n == o else "carry_over")
               for o, n in zip(old_labels, new_labels)]
    return pd.DataFrame({"item_id": annotations[item_col].astype(str).to_numpy(),
                         "annotator": annotations[annotator_col].astype(str).to_numpy(),
                         "old_label": old_labels, "new_label": new_labels,
                         "status": mapped["status"].to_numpy(), "candidates": mapped["candidates"].to_numpy(),
                         "action": actions}, dtype=object)  # None stays None (pandas 3 infers str/NaN)
