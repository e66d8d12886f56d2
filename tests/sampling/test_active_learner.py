"""ActiveLearner: fitting, the learning-curve log, batches, background retraining."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from workbench.exceptions import DataError, ValidationError
from workbench.sampling import ActiveLearner

TEXTS = {
    "refund": ["I want my money back", "refund my purchase please", "please refund the order",
               "how do I get a refund", "money back for this order", "refund the duplicate charge"],
    "card": ["my card has not arrived", "where is my new card", "card delivery is late",
             "lost my card yesterday", "the card never came", "track my card delivery"],
    "pin": ["I forgot my pin", "how to change my pin", "pin is blocked", "reset the pin code",
            "my pin does not work", "unblock my pin please"],
}


@pytest.fixture
def toy():
    texts = [t for ts in TEXTS.values() for t in ts]
    labels = [lab for lab, ts in TEXTS.items() for _ in ts]
    return texts, np.array(labels)


@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


def test_fit_logs_a_learning_curve_row_with_the_cross_validated_score(toy):
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    from workbench.sampling._learner_fit import default_model

    texts, labels = toy
    learner = ActiveLearner(cv=3, random_state=5).fit(texts, labels)
    curve = learner.learning_curve
    assert list(curve.columns) == ["n_labels", "n_classes", "cv_score", "cv_std", "strategy",
                                   "timestamp", "fit_seconds"]
    assert curve.loc[0, "n_labels"] == 18 and curve.loc[0, "n_classes"] == 3
    assert curve.loc[0, "strategy"] == "default"
    seed = int(np.random.default_rng(5).integers(2**31 - 1))
    expected = cross_val_score(default_model(), texts, labels,
                               cv=StratifiedKFold(3, shuffle=True, random_state=seed)).mean()
    assert curve.loc[0, "cv_score"] == pytest.approx(expected)
    assert list(learner.classes_) == ["card", "pin", "refund"]


def test_update_adds_labels_and_extends_the_curve(toy):
    texts, labels = toy
    learner = ActiveLearner(cv=None, random_state=0).fit(texts[:12], labels[:12])
    learner.update(texts[12:], labels[12:])
    curve = learner.learning_curve
    assert curve["n_labels"].tolist() == [12, 18]
    assert curve["cv_score"].isna().all()  # cv=None logs no score
    assert learner.predict_proba(["reset my pin"]).argmax() == list(learner.classes_).index("pin")


def test_next_batch_serves_unlabeled_pool_items(toy):
    texts, labels = toy
    pool = texts + ["refund or new card?", "pin for the card", "hello there", "refund pin card"]
    learner = ActiveLearner(batch_size=3, random_state=0).fit(texts[::2], labels[::2])
    mask = np.zeros(len(pool), dtype=bool)
    mask[: len(texts)] = True
    batch = learner.next_batch(pool, labeled_mask=mask)
    assert len(batch) == 3 and (batch >= len(texts)).all()
    again = ActiveLearner(batch_size=3, random_state=0).fit(texts[::2], labels[::2])
    assert again.next_batch(pool, labeled_mask=mask).tolist() == batch.tolist()


def test_cold_start_batch_before_any_model(toy):
    texts, _ = toy
    learner = ActiveLearner(batch_size=3, random_state=0)
    batch = learner.next_batch(texts)
    assert len(set(batch.tolist())) == 3
    learner.set_pool(texts)
    assert len(learner.next_batch(labeled_mask=np.arange(10))) == 3


def test_set_pool_fits_the_featurizer_once_and_retrains_only_the_classifier(toy):
    texts, labels = toy
    learner = ActiveLearner(cv=2, random_state=0).set_pool(texts)
    vocab = learner._featurizer[0].vocabulary_
    learner.fit(texts[::2], labels[::2])
    learner.update(texts[1::2], labels[1::2])
    assert learner._featurizer[0].vocabulary_ is vocab
    assert not hasattr(learner.model_, "steps")  # a bare classifier on cached features
    assert learner.next_batch(n=4, labeled_mask=np.arange(0, 18, 3)).size == 4


def test_numeric_features_use_the_classifier_alone(digits):
    X, y = digits
    learner = ActiveLearner(cv=3, random_state=0).fit(X[:300], y[:300])
    assert learner.learning_curve.loc[0, "cv_score"] > 0.85
    batch = learner.next_batch(X[300:], 10)
    assert len(batch) == 10


def test_retrain_async_does_not_block_and_swaps_the_model_in(digits):
    X, y = digits
    learner = ActiveLearner(cv=3, random_state=0, similarity_threshold=None)
    learner.set_pool(X)
    learner.fit(X[:50], y[:50])
    learner.update(X[50:1200], y[50:1200])
    old_model = learner.model_
    future = learner.retrain_async()
    batch = learner.next_batch(n=5, labeled_mask=np.arange(1200))  # served meanwhile
    assert len(batch) == 5
    row = future.result(timeout=120)
    assert row["n_labels"] == 1200
    assert learner.model_ is not old_model
    assert learner.learning_curve["n_labels"].tolist() == [50, 1200, 1200]
    assert learner.learning_curve["cv_score"].iloc[2] > learner.learning_curve["cv_score"].iloc[0]
    assert not learner.is_training
    learner.close()


def test_fit_frame_trains_on_the_majority_label_per_item():
    items = pd.DataFrame({"item_id": ["a", "b", "c", "d"],
                          "text": ["refund me", "card lost", "refund now", "card gone"]})
    ann = pd.DataFrame({"item_id": ["a", "a", "a", "b", "c", "d"],
                        "annotator": ["x", "y", "z", "x", "x", "x"],
                        "label": ["refund", "refund", "card", "card", "refund", "card"]})
    learner = ActiveLearner(cv=None, random_state=0).fit_frame(items, ann)
    assert learner.learning_curve.loc[0, "n_labels"] == 4
    assert sorted(learner._labels.tolist()) == ["card", "card", "refund", "refund"]


def test_margin_learner_beats_random_on_digits_with_100_labels(digits):
    """The learning loop works: uncertainty sampling learns faster than random."""
    X, y = digits
    pool, test = np.arange(0, 1200), np.arange(1200, len(y))
    scores = {}
    for strategy in ("margin", "random"):
        accs = []
        for seed in range(3):
            rng = np.random.default_rng(seed)
            labeled = np.zeros(pool.size, dtype=bool)
            labeled[rng.choice(pool.size, 10, replace=False)] = True
            learner = ActiveLearner(strategy=strategy, cv=None, batch_size=10, random_state=seed,
                                    similarity_threshold=None).set_pool(X[pool])
            while labeled.sum() < 100:
                learner.fit(X[pool][labeled], y[pool][labeled])
                labeled[learner.next_batch(labeled_mask=labeled)] = True
            learner.fit(X[pool][labeled], y[pool][labeled])
            accs.append(np.mean(learner.model_.predict(X[test]) == y[test]))
        scores[strategy] = np.mean(accs)
    assert scores["margin"] > scores["random"] + 0.01


def test_learner_errors_say_what_to_do(toy):
    texts, labels = toy
    with pytest.raises(DataError, match="one label per text"):
        ActiveLearner().fit(texts, labels[:3])
    with pytest.raises(DataError, match="two distinct labels"):
        ActiveLearner().fit(texts[:3], ["a", "a", "a"])
    with pytest.raises(DataError, match="fit_frame"):
        ActiveLearner().fit(pd.DataFrame({"text": texts}), labels)
    with pytest.raises(ValidationError, match="'strategy'"):
        ActiveLearner(strategy="smart")
    with pytest.raises(ValidationError, match="needs a pool"):
        ActiveLearner().next_batch()
    with pytest.raises(DataError, match="fit"):
        ActiveLearner().retrain_async()
    with pytest.raises(DataError, match="fitted model"):
        ActiveLearner().predict_proba(["x"])


def test_progress_bar_and_status_while_training(toy, capsys):
    texts, labels = toy
    learner = ActiveLearner(cv=2, progress=True, random_state=0)
    assert learner.status == "not fitted"
    learner.fit(texts, labels)
    assert learner.status == "fitted on 18 labels"
    assert "retraining" in capsys.readouterr().err


_GATES: dict = {}


class _SlowLogReg:
    """A logistic regression whose fit waits on an event: lets a test look inside a retrain."""

    def __init__(self, gate=None):
        self.gate = gate  # a key of _GATES (clone deep-copies params; an Event cannot be)

    def get_params(self, deep=True):
        return {"gate": self.gate}

    def set_params(self, **params):
        for k, v in params.items():
            setattr(self, k, v)
        return self

    def fit(self, X, y):
        from sklearn.linear_model import LogisticRegression

        if self.gate is not None:
            assert _GATES[self.gate].wait(timeout=30)
        self._m = LogisticRegression(max_iter=300).fit(X, y)
        self.classes_ = self._m.classes_
        return self

    def predict_proba(self, X):
        return self._m.predict_proba(X)

    def predict(self, X):
        return self._m.predict(X)


def test_the_old_model_serves_batches_while_a_background_retrain_runs(digits):
    import threading

    X, y = digits
    gate = _GATES.setdefault("retrain", threading.Event())
    learner = ActiveLearner(_SlowLogReg("retrain"), cv=None, strategy="margin", random_state=0,
                            similarity_threshold=None).set_pool(X)
    gate.set()
    learner.fit(X[:40], y[:40])
    first = learner.model_
    gate.clear()
    learner._texts, learner._labels = X[:400], y[:400]
    future = learner.retrain_async()
    time.sleep(0.2)
    assert learner.is_training and not future.done()
    batch = learner.next_batch(n=5, labeled_mask=np.arange(400))  # does not wait for the fit
    assert len(batch) == 5 and learner.model_ is first
    gate.set()
    assert future.result(timeout=60)["n_labels"] == 400
    assert learner.model_ is not first and not learner.is_training
    assert learner.status == "fitted on 400 labels"
    learner.close()
