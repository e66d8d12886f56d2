"""The registry of batch-selection strategies used by :func:`workbench.sampling.select_batch`.

A strategy is a :class:`Strategy` record: a function
``fn(probabilities, n, *, features, eligible, rng, **options) -> ranked indices``
(best first; it may return more than ``n`` so the near-duplicate guard can skip some),
whether it needs model probabilities and/or features, and the options it accepts.
``STRATEGIES`` is a plain dict filled with the built-ins; register your own with
``STRATEGIES["mine"] = Strategy(...)``.

Examples
--------
>>> from workbench.sampling._strategies import STRATEGIES
>>> sorted(STRATEGIES)[:4]
['badge', 'class_margin', 'cluster_margin', 'cold_start']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, FrozenSet, Optional

import numpy as np

from . import _diversity as div
from . import _informativeness as sc
from ._pilot import allocate
from ..exceptions import ValidationError

__all__ = ["Strategy", "STRATEGIES", "DEFAULT_STRATEGY"]


@dataclass(frozen=True)
class Strategy:
    """One named batch-selection strategy.

    Attributes
    ----------
    fn : callable
        ``fn(probabilities, n, *, features, eligible, rng, **options)`` returning pool
        indices, most informative first.
    needs_probabilities : {"2d", "3d", "optional", "no"}
        ``"2d"``: (n_pool, n_classes); ``"3d"``: a committee (n_members, n_pool, n_classes).
    needs_features : bool
        True when ``features`` must be given.
    options : frozenset of str
        Extra keyword options the strategy accepts.
    description : str
    """

    fn: Callable
    needs_probabilities: str = "2d"
    needs_features: bool = False
    options: FrozenSet[str] = field(default_factory=frozenset)
    description: str = ""


def _spares(n: int) -> int:
    # rank a few more than asked, so the near-duplicate guard can skip some
    return 2 * n + 16


def _ranked(score_fn):
    def strategy(probabilities, n, *, features, eligible, rng):
        return sc.top_n(score_fn(probabilities), _spares(n), rng=rng, eligible=eligible)
    return strategy


def _random(probabilities, n, *, features, eligible, rng):
    return sc.top_n(rng.random(eligible.size), _spares(n), rng=rng, eligible=eligible)


def _disagreement(probabilities, n, *, features, eligible, rng, votes=None):
    if votes is None:
        raise ValidationError(
            "The 'disagreement' strategy of select_batch needs the option votes=, an "
            "(n_pool, n_classes) array counting the human labels each item got per class "
            "(all-zero rows for unlabeled items). Pass votes=..., or use strategy='margin'."
        )
    return sc.top_n(sc.activelab_scores(probabilities, votes), _spares(n), rng=rng,
                    eligible=eligible)


def _density(probabilities, n, *, features, eligible, rng, density_power=1.0):
    dens = np.clip(div.density_scores(features), 0.0, None) ** float(density_power)
    return sc.top_n(sc.margin_scores(probabilities) * dens, _spares(n), rng=rng,
                    eligible=eligible)


def _cluster_margin(probabilities, n, *, features, eligible, rng, candidates=10):
    """Margin, then one item per k-means cluster among the ``candidates * n`` most uncertain."""
    if features is None:
        return sc.top_n(sc.margin_scores(probabilities), _spares(n), rng=rng, eligible=eligible)
    scores = sc.margin_scores(probabilities)
    pool = sc.top_n(scores, max(n, int(candidates * n)), rng=rng, eligible=eligible)
    return div.best_per_cluster(pool, scores, features, n, rng=rng)


def _class_margin(probabilities, n, *, features, eligible, rng, candidates=10):
    """Margin order, but at most one item per predicted class per round among the
    ``candidates * n`` smallest margins, so a batch spreads over the classes the model
    confuses instead of piling onto one confusion."""
    scores = sc.margin_scores(probabilities)
    pool = sc.top_n(scores, max(n, int(candidates * n)), rng=rng, eligible=eligible)
    predicted = probabilities[pool].argmax(axis=1)
    # rank of each candidate within its predicted class (0 = best), then by score
    order = np.lexsort((np.arange(pool.size), predicted))
    within = np.empty(pool.size, dtype=np.int64)
    starts = np.r_[0, np.flatnonzero(np.diff(predicted[order])) + 1]
    for a, b in zip(starts, np.r_[starts[1:], pool.size]):
        within[order[a:b]] = np.arange(b - a)
    return pool[np.lexsort((np.arange(pool.size), within))]


def _softrank_margin(probabilities, n, *, features, eligible, rng, beta=2.0):
    """Stochastic batch acquisition (Kirsch et al., 2023, "Stochastic Batch Acquisition: A
    Simple Baseline for Deep Active Learning", TMLR): rank the pool by margin and draw the
    batch without replacement with probability proportional to ``rank ** -beta`` (the
    Gumbel top-k trick). Top-n margin sends near-identical boundary items in one batch;
    sampling mixes in slightly less uncertain items, which the benchmark shows is worth
    it (banking77: 1,389 labels to target vs 1,441 for margin, mean of 5 seeds)."""
    scores = sc.margin_scores(probabilities)
    head = max(10_000, 200 * n)
    if float(beta) >= 1.5 and np.count_nonzero(eligible) > head:
        # large pools: ranks beyond `head` carry < 1/(1.6 * head) of the mass per draw
        # (beta=2; less for larger beta); rank only the head instead of sorting the pool
        top = sc.top_n(scores, head, rng=rng, eligible=eligible)
        keys = -float(beta) * np.log(np.arange(1.0, top.size + 1)) + rng.gumbel(size=top.size)
        return top[np.argsort(-keys, kind="stable")[:_spares(n)]]
    scores = np.where(eligible, scores, -np.inf)
    order = np.argsort(-scores, kind="stable")
    ranks = np.empty(order.size, dtype=np.float64)
    ranks[order] = np.arange(1, order.size + 1)
    keys = -float(beta) * np.log(ranks) + rng.gumbel(size=ranks.size)
    return sc.top_n(keys, _spares(n), rng=rng, eligible=eligible)


def _badge(probabilities, n, *, features, eligible, rng):
    return div.badge(probabilities, features, n, eligible=eligible, rng=rng)


def _kcenter(probabilities, n, *, features, eligible, rng):
    labeled = np.flatnonzero(~eligible)
    return div.kcenter_greedy(features, n, eligible=eligible, rng=rng, labeled=labeled)


def _cold_start(probabilities, n, *, features, eligible, rng, strata=None):
    if strata is not None:
        return _stratified(np.asarray(strata), n, eligible=eligible, rng=rng)
    if features is not None:
        return div.cluster_representatives(features, n, eligible=eligible, rng=rng)
    return _random(None, n, features=None, eligible=eligible, rng=rng)


def _stratified(strata: np.ndarray, n: int, *, eligible: np.ndarray, rng) -> np.ndarray:
    """Proportional allocation (largest remainder), at least one per stratum when n allows."""
    if strata.shape[0] != eligible.size:
        raise ValidationError(
            f"The 'strata' option must have one value per pool item ({eligible.size}). "
            f"Got {strata.shape[0]} values instead."
        )
    idx = np.flatnonzero(eligible)
    groups, inverse = np.unique(strata[idx].astype(str), return_inverse=True)
    sizes = np.bincount(inverse, minlength=groups.size)
    alloc = allocate(sizes, min(n, idx.size))
    picks = [rng.choice(idx[inverse == g], alloc[g], replace=False) for g in range(groups.size)]
    out = np.concatenate(picks) if picks else np.empty(0, dtype=np.intp)
    return out[rng.permutation(out.size)]


STRATEGIES = {
    "random": Strategy(_random, needs_probabilities="optional",
                       description="uniform at random (the baseline)"),
    "least_confidence": Strategy(_ranked(sc.least_confidence_scores),
                                 description="lowest top-class probability first"),
    "margin": Strategy(_ranked(sc.margin_scores),
                       description="smallest gap between the two best classes first"),
    "entropy": Strategy(_ranked(sc.entropy_scores),
                        description="highest predictive entropy first"),
    "qbc_vote_entropy": Strategy(_ranked(sc.vote_entropy_scores), needs_probabilities="3d",
                                 description="query by committee: entropy of the members' votes"),
    "qbc_kl": Strategy(_ranked(sc.kl_divergence_scores), needs_probabilities="3d",
                       description="query by committee: mean KL divergence from the consensus"),
    "density": Strategy(_density, needs_features=True, options=frozenset({"density_power"}),
                        description="margin weighted by mean cosine similarity to the pool"),
    "cluster_margin": Strategy(_cluster_margin, options=frozenset({"candidates"}),
                               description="the most uncertain item of each k-means cluster "
                                           "among the candidates*n smallest margins"),
    "class_margin": Strategy(_class_margin, options=frozenset({"candidates"}),
                             description="margin, spread over the predicted classes (one per "
                                         "class per round among the candidates*n smallest)"),
    "softrank_margin": Strategy(_softrank_margin, options=frozenset({"beta"}),
                                description="stochastic batch acquisition: margin ranks "
                                            "sampled with probability rank**-beta (beta=2)"),
    "badge": Strategy(_badge, needs_features=True,
                      description="BADGE: k-means++ on gradient embeddings (uncertain and "
                                  "diverse)"),
    "kcenter": Strategy(_kcenter, needs_probabilities="optional", needs_features=True,
                        description="greedy k-center core-set in cosine distance"),
    "disagreement": Strategy(_disagreement, options=frozenset({"votes"}),
                             description="ActiveLab-style: disputed labeled items and "
                                         "ambiguous unlabeled items first"),
    "cold_start": Strategy(_cold_start, needs_probabilities="optional",
                           options=frozenset({"strata"}),
                           description="before any model: stratified or cluster-representative"),
}

#: The batch strategy ``"default"`` uses (chosen by benchmarks/bench_active_learning.py).
DEFAULT_STRATEGY = "softrank_margin"


def _default(probabilities, n, *, features, eligible, rng):
    """softrank_margin for batches; plain margin for a single pick, where there is no batch
    redundancy to break (digits, one label at a time: 70 labels to target vs 85)."""
    if n == 1:
        return STRATEGIES["margin"].fn(probabilities, n, features=features, eligible=eligible,
                                       rng=rng)
    return STRATEGIES[DEFAULT_STRATEGY].fn(probabilities, n, features=features,
                                           eligible=eligible, rng=rng)


STRATEGIES["default"] = Strategy(_default, description="the project's recommendation: "
                                 "softrank_margin (beta=2) for batches, margin for one item")


def get_strategy(name, *, caller: str = "select_batch") -> Optional[Strategy]:
    """Look a strategy up by name; an unknown name lists the valid ones.

    Examples
    --------
    >>> get_strategy("margin").needs_probabilities
    '2d'
    """
    if isinstance(name, Strategy):
        return name
    if not isinstance(name, str) or name not in STRATEGIES:
        shown = "{" + ", ".join(repr(k) for k in sorted(STRATEGIES)) + "}"
        raise ValidationError(
            f"The 'strategy' parameter of {caller} must be one of {shown}. Got {name!r} instead. "
            "Register a custom one with workbench.sampling.STRATEGIES[name] = Strategy(...)."
        )
    return STRATEGIES[name]
