"""Thresholds of the revision rules: :class:`RevisionRules` (re-exported by :mod:`workbench.revisions`).

Examples
--------
>>> from workbench.revisions._thresholds import RevisionRules
>>> RevisionRules(clarify_human_share=0.2).describe("clarify")
'clarify: not merge and (human_split_share >= 0.2 or model_confusion_share >= 0.15) (pairs with >= 5 items, >= 2 split)'
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from .._internal.validation import check_fraction, check_option, check_positive_int

__all__ = ["KINDS", "RevisionRules"]

#: The proposal kinds, in the order used to break ties of equal score.
KINDS = ("merge", "split", "add", "redefine", "clarify", "retire")


@dataclass(frozen=True)
class RevisionRules:
    """Thresholds of the revision rules (every field has a documented default).

    Parameters
    ----------
    min_pair_items : int, default 5
        A pair is judged only when at least this many items were given either label.
    min_pair_disagreements : int, default 2
        ... and at least this many items were split between the two (or confused by the model).
    merge_human_share, merge_model_share, merge_definition_overlap : float, default 0.25, 0.20, 0.30
        merge fires when the share of the pair's items that annotators split between them,
        the model's confusion share and the TF-IDF cosine of their definitions all reach these.
    clarify_human_share, clarify_model_share : float, default 0.10, 0.15
        clarify fires (when merge does not) if either share reaches its threshold. Multi-label
        rounds use the same thresholds on the same quantity: the share of the pair's items on
        which one annotator applied ``a`` without ``b`` and another ``b`` without ``a`` (a swap;
        for the model: the given set has one, the predicted set the other).
    merge_cooccurrence : float, default 0.8
        Multi-label rounds: merge fires when both ``P(b | a)`` and ``P(a | b)`` (over ratings: of
        the sets holding one label, the share holding the other too) reach this. Two labels
        that travel together that often carry one decision, not two; 0.8 still allows one
        annotator in five to forget the second label. When only one direction is high, one
        label implies the other (a sub-category), which is not a merge.
    merge_min_ratings : int, default 10
        ... and each label is in at least this many ratings: 10 of 10 together still has a
        Wilson 95% lower bound of 0.72, so fewer ratings cannot tell "always together" from a
        coincidence.
    redefine_kappa : float, default 0.6
        Target per-category kappa: redefine fires when the 95% upper bound is below it, or the
        point value is below it with ``redefine_min_support`` support.
    redefine_min_support : int, default 10
    redefine_relative : bool, default True
        For the point-value path, also require the category's 95% upper bound to lie below
        the median kappa of all categories (a category worse than the rest, not a noisy round).
    redefine_min_items : int, default 3
        Below this support a category is not judged at all (too few items for a kappa).
    split_min_items, split_min_cluster : int, default 12, 4
        Categories with fewer majority items are not split; each half needs this many items.
    split_silhouette : float, default 0.12
        Minimum cosine silhouette of the KMeans (k = 2) split of the category's item texts.
    split_require_neighbours : bool, default True
        Require that the two halves' most frequent other label (human or model) differ ...
    split_neighbour_share : float, default 0.5
        ... and take at least this share of each half's errors.
    add_min_items : int, default 4
        Minimum size of a cluster of "other" / unlabeled / noted items.
    add_min_signal : float, default 0.4
        Minimum ``other_share + 0.75 * note_share`` of the cluster's ratings.
    add_min_similarity : float, default 0.12
        Clusters of candidate items are joined while their mean TF-IDF cosine reaches this.
    add_note_weight : float, default 0.7
        Weight of the annotators' notes against the item text in that cosine.
    retire_max_support : int, default 2
        retire fires when a category is the majority label of at most this many items ...
    retire_max_share : float, default 0.01
        ... and of at most this share of the items.
    retire_min_items : int, default 100
        ... in a round (or model data) of at least this many items.
    severity_high, severity_medium : float, default 0.5, 0.25
        Score cut-offs of the severity levels (below medium: low).
    min_score : float, default 0.05
        Proposals scoring below this are dropped (e.g. a kappa of 0.59 against a 0.6 target).
    n_examples : int, default 3
        Example items per proposal.
    n_boot : int, default 200
        Bootstrap resamples for the per-category kappa intervals.

    Examples
    --------
    >>> rules = RevisionRules(merge_human_share=0.3, retire_max_support=0)
    >>> rules.merge_human_share, rules.describe("retire")
    (0.3, 'retire: majority label of <= 0 items and <= 1% of items, in a round of >= 100 items')
    >>> RevisionRules(merge_human_share=1.5)
    Traceback (most recent call last):
    ...
    workbench.exceptions.ValidationError: The 'merge_human_share' parameter of RevisionRules must be a number in [0, 1]. Got 1.5 instead.
    """

    min_pair_items: int = 5
    min_pair_disagreements: int = 2
    merge_human_share: float = 0.25
    merge_model_share: float = 0.20
    merge_definition_overlap: float = 0.30
    clarify_human_share: float = 0.10
    clarify_model_share: float = 0.15
    merge_cooccurrence: float = 0.8
    merge_min_ratings: int = 10
    redefine_kappa: float = 0.6
    redefine_min_support: int = 10
    redefine_relative: bool = True
    redefine_min_items: int = 3
    split_min_items: int = 12
    split_min_cluster: int = 4
    split_silhouette: float = 0.12
    split_require_neighbours: bool = True
    split_neighbour_share: float = 0.5
    add_min_items: int = 4
    add_min_signal: float = 0.4
    add_min_similarity: float = 0.12
    add_note_weight: float = 0.7
    retire_max_support: int = 2
    retire_max_share: float = 0.01
    retire_min_items: int = 100
    severity_high: float = 0.5
    severity_medium: float = 0.25
    min_score: float = 0.05
    n_examples: int = 3
    n_boot: int = 200

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if f.type == "float":
                check_fraction(value, param=f.name, caller="RevisionRules")
            elif f.type == "int":
                check_positive_int(value, param=f.name, caller="RevisionRules", minimum=0)

    def describe(self, kind: str, *, multilabel: bool = False) -> str:
        """The rule of ``kind`` with its thresholds, as shown in each proposal's ``rule``.

        ``multilabel=True`` gives the rule used on rounds of label sets (merge, clarify, add and
        retire read the sets differently).
        """
        check_option(kind, KINDS, param="kind", caller="RevisionRules.describe")
        pair = f"(pairs with >= {self.min_pair_items} items, >= {self.min_pair_disagreements} split)"
        if multilabel and kind in ("merge", "clarify", "add", "retire"):
            return {
                "merge": f"merge (label sets): P(b|a) >= {self.merge_cooccurrence} and P(a|b) >= "
                         f"{self.merge_cooccurrence} over ratings, each label in >= {self.merge_min_ratings} ratings",
                "clarify": f"clarify (label sets): not merge and (human_split_share >= {self.clarify_human_share} "
                           f"or model_confusion_share >= {self.clarify_model_share}), a split being a swap (one "
                           f"set has a without b, another b without a) (pairs with >= {self.min_pair_items} "
                           f"items, >= {self.min_pair_disagreements} split)",
                "add": f"add (label sets): cluster (mean cosine >= {self.add_min_similarity}) of >= "
                       f"{self.add_min_items} items with empty / other-only / noted sets, other_share + 0.75 * "
                       f"note_share >= {self.add_min_signal}",
                "retire": f"retire (label sets): in the majority set of <= {self.retire_max_support} items and "
                          f"<= {self.retire_max_share:.0%} of items, in a round of >= {self.retire_min_items} items",
            }[kind]
        return {
            "merge": f"merge: human_split_share >= {self.merge_human_share} "
                     f"and model_confusion_share >= {self.merge_model_share} "
                     f"and definition_overlap >= {self.merge_definition_overlap} {pair}",
            "clarify": f"clarify: not merge and (human_split_share >= {self.clarify_human_share} "
                       f"or model_confusion_share >= {self.clarify_model_share}) {pair}",
            "redefine": f"redefine: kappa_high < {self.redefine_kappa} or (kappa < {self.redefine_kappa} "
                        f"and support >= {self.redefine_min_support}"
                        + (" and kappa_high < median category kappa" if self.redefine_relative else "")
                        + f"); support >= {self.redefine_min_items}",
            "split": f"split: KMeans k=2 silhouette >= {self.split_silhouette} with >= {self.split_min_cluster} "
                     f"items per group of >= {self.split_min_items}"
                     + (f" and different top neighbours taking >= {self.split_neighbour_share} of each group's errors"
                        if self.split_require_neighbours else ""),
            "add": f"add: cluster (mean cosine >= {self.add_min_similarity}) of >= {self.add_min_items} "
                   f"other/unlabeled/noted items with other_share + 0.75 * note_share >= {self.add_min_signal}",
            "retire": f"retire: majority label of <= {self.retire_max_support} items and "
                      f"<= {self.retire_max_share:.0%} of items, in a round of >= {self.retire_min_items} items",
        }[kind]
