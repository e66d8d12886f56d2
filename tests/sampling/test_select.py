"""select_batch and the strategy registry: behaviour, reproducibility, trusted oracles."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from workbench.exceptions import ValidationError
from workbench.sampling import DEFAULT_STRATEGY, STRATEGIES, select_batch

ALL_2D = ["random", "least_confidence", "margin", "entropy", "density", "cluster_margin",
          "kcenter", "cold_start", "default"]


@pytest.fixture(scope="module")
def digits_model():
    """A real fitted model: logistic regression on 300 digits, scoring the other 1,497."""
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    model = LogisticRegression(max_iter=300).fit(X[:300], y[:300])
    return model, X[300:], y[300:]


@pytest.fixture
def pool():
    rng = np.random.default_rng(7)
    probs = rng.dirichlet(np.ones(6) * 0.5, size=400)
    features = sp.random(400, 50, density=0.1, random_state=7, format="csr")
    return probs, features


# -- oracles: the same items as modAL and small-text --------------------------------

@pytest.mark.parametrize("strategy, modal_fn", [("least_confidence", "uncertainty_sampling"),
                                                 ("margin", "margin_sampling"),
                                                 ("entropy", "entropy_sampling")])
def test_uncertainty_strategies_pick_the_same_items_as_modal(peers, digits_model, strategy, modal_fn):
    model, X_pool, _ = digits_model
    proba = model.predict_proba(X_pool)
    ours = select_batch(proba, 25, strategy=strategy, random_state=0)
    theirs = peers.call("modal_uncertainty", function=modal_fn, proba=proba, n_instances=25)
    assert len(theirs) == 25 and set(ours.tolist()) == set(theirs)


@pytest.mark.parametrize("strategy, small_text_cls", [("least_confidence", "LeastConfidence"),
                                                       ("margin", "BreakingTies"),
                                                       ("entropy", "PredictionEntropy")])
def test_uncertainty_strategies_pick_the_same_items_as_small_text(peers, digits_model, strategy,
                                                                  small_text_cls):
    model, X_pool, y_pool = digits_model
    labeled = np.arange(0, 200)
    unlabeled = np.arange(200, X_pool.shape[0])
    mask = np.zeros(X_pool.shape[0], dtype=bool)
    mask[labeled] = True
    ours = select_batch(model.predict_proba(X_pool), 30, strategy=strategy, labeled_mask=mask,
                        random_state=0)
    theirs = peers.call("small_text_query", strategy=small_text_cls, proba=model.predict_proba(X_pool),
                        labeled=labeled, y_labeled=y_pool[labeled], n=30)
    assert len(theirs) == 30 and set(ours.tolist()) == set(theirs)


def test_disagreement_scores_match_cleanlab_activelab_with_one_label_per_item(digits_model):
    from cleanlab.multiannotator import get_active_learning_scores

    from workbench.sampling._informativeness import activelab_scores

    model, X_pool, y_pool = digits_model
    probs = model.predict_proba(X_pool)
    labeled = np.arange(100)
    votes = np.zeros_like(probs, dtype=int)
    votes[labeled, y_pool[labeled]] = 1
    lab, unlab = get_active_learning_scores(y_pool[labeled][:, None].astype(float), probs[labeled],
                                            probs[100:])
    ours = activelab_scores(probs, votes)
    np.testing.assert_allclose(1 - ours[:100], lab, rtol=1e-9)
    np.testing.assert_allclose(1 - ours[100:], unlab, rtol=1e-9)


def test_disagreement_sends_disputed_items_back_before_agreed_ones():
    probs = np.tile([0.6, 0.4], (6, 1))
    votes = np.array([[3, 0], [2, 1], [0, 3], [3, 0], [1, 1], [3, 0]])  # item 4 is a tie
    order = select_batch(probs, 6, strategy="disagreement", votes=votes, random_state=0)
    assert order[0] == 4
    assert set(order[:3].tolist()) == {4, 1, 2}  # disputed or against the model first
    with pytest.raises(ValidationError, match="votes="):
        select_batch(probs, 2, strategy="disagreement")


# -- behaviour --------------------------------------------------------------------

def test_margin_ranks_by_gap_between_top_two_classes_best_first():
    p = np.array([[0.5, 0.4, 0.1], [0.34, 0.33, 0.33], [0.9, 0.05, 0.05], [0.45, 0.45, 0.1]])
    assert select_batch(p, 4, strategy="margin", random_state=0).tolist() == [3, 1, 0, 2]


def test_entropy_and_least_confidence_prefer_the_flat_distribution():
    p = np.array([[0.98, 0.01, 0.01], [1 / 3, 1 / 3, 1 / 3], [0.6, 0.3, 0.1]])
    for s in ("entropy", "least_confidence"):
        assert select_batch(p, 1, strategy=s, random_state=0).tolist() == [1]


def test_labeled_items_are_never_selected(pool):
    probs, features = pool
    mask = np.zeros(400, dtype=bool)
    mask[::2] = True
    for s in ALL_2D:
        batch = select_batch(probs, 20, strategy=s, features=features, labeled_mask=mask,
                             random_state=1)
        assert len(batch) == 20, s
        assert not mask[batch].any(), s
        assert len(set(batch.tolist())) == 20, s
    idx_mask = np.flatnonzero(mask)
    assert not mask[select_batch(probs, 5, strategy="margin", labeled_mask=idx_mask)].any()


@pytest.mark.parametrize("strategy", sorted(STRATEGIES))
def test_every_strategy_is_reproducible_with_random_state(pool, strategy):
    probs, features = pool
    if strategy.startswith("qbc"):
        probs = np.stack([probs, np.roll(probs, 1, axis=1), probs[:, ::-1]])
    options = {"votes": np.zeros((400, 6), dtype=int)} if strategy == "disagreement" else {}
    a = select_batch(probs, 15, strategy=strategy, features=features, random_state=3, **options)
    b = select_batch(probs, 15, strategy=strategy, features=features, random_state=3, **options)
    assert a.tolist() == b.tolist()
    assert len(a) == 15


def test_random_strategy_depends_on_the_seed(pool):
    probs, _ = pool
    a = select_batch(probs, 20, strategy="random", random_state=1)
    b = select_batch(probs, 20, strategy="random", random_state=2)
    assert a.tolist() != b.tolist()


def test_ties_are_broken_at_random_but_reproducibly():
    p = np.full((100, 2), 0.5)
    picks = {tuple(select_batch(p, 3, strategy="margin", random_state=s)) for s in range(10)}
    assert len(picks) > 1


def test_unknown_strategy_lists_the_valid_names():
    with pytest.raises(ValidationError, match="'margin'") as err:
        select_batch(np.full((3, 2), 0.5), 1, strategy="entrpy")
    assert "'entrpy'" in str(err.value) and "'kcenter'" in str(err.value)


def test_default_strategy_is_softrank_for_batches_and_margin_for_one_item(pool):
    probs, _ = pool
    assert DEFAULT_STRATEGY == "softrank_margin"
    assert all(s.description for s in STRATEGIES.values())
    for seed in range(3):
        assert (select_batch(probs, 10, random_state=seed).tolist()
                == select_batch(probs, 10, strategy="softrank_margin", random_state=seed).tolist())
    assert (select_batch(probs, 1, random_state=0).tolist()
            == select_batch(probs, 1, strategy="margin", random_state=0).tolist())


@pytest.mark.parametrize("bad, match", [
    (np.ones(5), "shape"), (np.ones((0, 3)), "shape"), (np.ones((2, 3, 4)), "shape")])
def test_probabilities_of_the_wrong_shape_are_rejected(bad, match):
    with pytest.raises(ValidationError, match=match):
        select_batch(bad, 1, strategy="margin")


def test_parameter_errors_say_what_and_how_to_fix(pool):
    probs, features = pool
    with pytest.raises(ValidationError, match="'n' parameter"):
        select_batch(probs, 0)
    with pytest.raises(ValidationError, match="needs features"):
        select_batch(probs, 2, strategy="kcenter")
    with pytest.raises(ValidationError, match="one row per pool item"):
        select_batch(probs, 2, features=features[:10])
    with pytest.raises(ValidationError, match="labeled_mask"):
        select_batch(probs, 2, labeled_mask=np.zeros(3, dtype=bool))
    with pytest.raises(ValidationError, match="does not take"):
        select_batch(probs, 2, strategy="margin", votes=None)
    with pytest.raises(ValidationError, match="cold_start"):
        select_batch(None, 2, strategy="margin")


def test_fewer_eligible_items_than_n_returns_what_is_left():
    p = np.full((4, 2), 0.5)
    assert sorted(select_batch(p, 10, labeled_mask=[True, False, True, False]).tolist()) == [1, 3]


# -- committee, density, diversity --------------------------------------------------

def test_query_by_committee_picks_items_the_members_disagree_on():
    agree = np.array([[0.9, 0.1]] * 5)
    committee = np.stack([agree.copy(), agree.copy(), agree.copy()])
    committee[:, 3] = [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]
    committee[:, 1] = [[0.7, 0.3], [0.6, 0.4], [0.8, 0.2]]  # soft differences, same vote
    assert select_batch(committee, 1, strategy="qbc_vote_entropy", random_state=0).tolist() == [3]
    assert select_batch(committee, 2, strategy="qbc_kl", random_state=0).tolist() == [3, 1]


def test_kl_divergence_equals_scipy_on_a_random_committee():
    from scipy.stats import entropy

    from workbench.sampling._informativeness import kl_divergence_scores

    c = np.random.default_rng(0).dirichlet(np.ones(4), size=(3, 20))
    consensus = c.mean(axis=0)
    expected = np.mean([[entropy(c[m, i], consensus[i]) for i in range(20)] for m in range(3)],
                       axis=0)
    np.testing.assert_allclose(kl_divergence_scores(c), expected, rtol=1e-10)


def test_diversity_guard_never_puts_near_duplicates_in_one_batch():
    rng = np.random.default_rng(0)
    base = rng.random((30, 20))
    features = np.vstack([base, base + 1e-3 * rng.random((30, 20))])  # 30 near-duplicate pairs
    probs = np.full((60, 3), 1 / 3)
    probs[:30] = [0.34, 0.33, 0.33]      # originals least certain...
    probs[30:] = [0.35, 0.33, 0.32]      # ...their copies next: margin alone would take both
    plain = select_batch(probs, 40, strategy="margin", random_state=0)
    assert len({i % 30 for i in plain}) < 40
    guarded = select_batch(probs, 40, strategy="margin", features=features,
                           similarity_threshold=0.999, random_state=0)
    from sklearn.metrics.pairwise import cosine_similarity

    sims = cosine_similarity(features[guarded])
    np.fill_diagonal(sims, 0)
    assert sims.max() < 0.999
    assert len(guarded) == 30  # only 30 distinct items exist


def test_kcenter_covers_separate_clusters_first():
    rng = np.random.default_rng(0)
    centers = np.eye(4) * 10
    X = np.vstack([c + rng.normal(0, 0.1, (25, 4)) for c in centers])
    batch = select_batch(None, 4, strategy="kcenter", features=X, random_state=0)
    assert sorted(batch // 25) == [0, 1, 2, 3]


def test_cold_start_stratified_covers_every_stratum():
    strata = np.array(["a"] * 90 + ["b"] * 8 + ["c"] * 2)
    batch = select_batch(None, 10, strategy="cold_start", strata=strata,
                         labeled_mask=np.zeros(100, bool), random_state=0)
    assert sorted(set(strata[batch])) == ["a", "b", "c"]
    assert (strata[batch] == "a").sum() >= 6


def test_cold_start_cluster_representatives_hit_every_cluster():
    rng = np.random.default_rng(1)
    X = np.vstack([c + rng.normal(0, 0.05, (40, 3)) for c in np.eye(3) * 5])
    batch = select_batch(None, 3, strategy="cold_start", features=X, random_state=0)
    assert sorted(batch // 40) == [0, 1, 2]


def test_density_prefers_typical_items_among_equally_uncertain_ones():
    X = np.array([[1.0, 0.0]] * 8 + [[0.0, 1.0]])
    p = np.full((9, 2), 0.5)
    assert select_batch(p, 1, strategy="density", features=X, random_state=0)[0] < 8


def test_cluster_margin_spreads_the_batch_over_clusters():
    rng = np.random.default_rng(2)
    X = np.vstack([c + rng.normal(0, 0.05, (12, 3)) for c in np.eye(3) * 5])
    p = np.tile([0.9, 0.1], (36, 1))
    p[:12] = [0.52, 0.48]           # cluster 0 most uncertain
    p[12:24] = [0.6, 0.4]
    p[24:] = [0.65, 0.35]
    assert (select_batch(p, 3, strategy="margin", random_state=0) // 12).tolist() == [0, 0, 0]
    batch = select_batch(p, 3, strategy="cluster_margin", features=X, random_state=0,
                         similarity_threshold=None)
    assert sorted(batch // 12) == [0, 1, 2]
    assert batch[0] < 12  # the most uncertain cluster's item first


def test_one_query_over_a_large_pool_is_fast():
    import time

    p = np.random.default_rng(0).dirichlet(np.ones(77), size=200_000)
    t0 = time.perf_counter()
    batch = select_batch(p, 50, strategy="margin", random_state=0)
    assert time.perf_counter() - t0 < 2.0  # ~0.1 s here; generous for a busy CI box
    assert len(batch) == 50


def test_softrank_draws_each_rank_with_probability_proportional_to_rank_power():
    """Gumbel top-1 with keys -beta*log(rank) picks rank r with probability r**-beta / Z."""
    n_pool = 200
    p = np.column_stack([np.linspace(0.5, 0.99, n_pool), 1 - np.linspace(0.5, 0.99, n_pool)])
    # item 0 has the smallest margin (rank 1), item 1 rank 2, ...
    firsts = np.array([select_batch(p, 1, strategy="softrank_margin", random_state=s)[0]
                       for s in range(1500)])
    z = (np.arange(1, n_pool + 1) ** -2.0).sum()
    for rank in (1, 2, 3):
        expected = rank ** -2.0 / z
        observed = np.mean(firsts == rank - 1)
        assert abs(observed - expected) < 4 * np.sqrt(expected * (1 - expected) / 1500)


def test_softrank_with_a_large_beta_is_plain_margin():
    p = np.random.default_rng(0).dirichlet(np.ones(4), size=300)
    greedy = select_batch(p, 10, strategy="margin", random_state=0)
    soft = select_batch(p, 10, strategy="softrank_margin", beta=200.0, random_state=0)
    assert set(soft.tolist()) == set(greedy.tolist())


def test_badge_prefers_uncertain_items_and_spreads_them():
    rng = np.random.default_rng(0)
    X = np.vstack([c + rng.normal(0, 0.05, (20, 3)) for c in np.eye(3) * 5])
    p = np.tile([0.99, 0.01], (60, 1))
    p[:10] = [0.5, 0.5]          # uncertain, cluster 0
    p[20:30] = [0.55, 0.45]      # uncertain, cluster 1
    batch = select_batch(p, 2, strategy="badge", features=X, random_state=0,
                         similarity_threshold=None)
    assert sorted(batch // 20) == [0, 1]


def test_softrank_on_a_large_pool_ranks_only_the_head_but_keeps_its_promises():
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.ones(5), size=30_000)
    mask = np.zeros(30_000, dtype=bool)
    mask[:1000] = True
    a = select_batch(p, 20, strategy="softrank_margin", labeled_mask=mask, random_state=1)
    b = select_batch(p, 20, strategy="softrank_margin", labeled_mask=mask, random_state=1)
    assert a.tolist() == b.tolist() and len(set(a.tolist())) == 20 and not mask[a].any()
    from workbench.sampling._informativeness import margin_scores

    ranks = np.argsort(np.argsort(-np.where(mask, -np.inf, margin_scores(p))))
    assert np.median(ranks[a]) < 100  # rank r is drawn with probability ~ r**-2


def test_vote_entropy_equals_modal_on_a_real_committee(peers, digits_model):
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression

    from workbench.sampling._informativeness import vote_entropy_scores

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    members = [LogisticRegression(max_iter=300).fit(X[k * 60:(k + 1) * 60], y[k * 60:(k + 1) * 60])
               for k in range(4)]
    pool = X[300:700]
    probs = np.stack([m.predict_proba(pool) for m in members])
    # modAL's Committee votes with each member's predict(); the worker replays those votes
    theirs = np.asarray(peers.call("modal_vote_entropy", member_predictions=[m.predict(pool) for m in members],
                                   classes=members[0].classes_))
    np.testing.assert_allclose(vote_entropy_scores(probs), theirs, atol=1e-12)
    ours = select_batch(probs, 10, strategy="qbc_vote_entropy", random_state=0)
    assert theirs[ours].min() >= np.sort(theirs)[-10]
