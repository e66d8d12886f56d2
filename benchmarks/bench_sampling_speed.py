"""Speed of the active-learning loop: one query, and retrain + re-score.

1. One ``select_batch`` query (n=50) over 1,000,000 x 77 probabilities (float64,
   Dirichlet), per strategy; median of 3 runs.
2. ``ActiveLearner`` on a 100,000-item TF-IDF pool (banking77 train+test texts, each
   repeated with one random word dropped so texts differ) with 5,000 labels:
   ``set_pool`` once (featurizer fitted on the pool), then retrain (``update``) +
   re-score and serve the next batch (``next_batch``), median of 3 runs, without the
   cross-validated score (which runs in the background with ``retrain_async``; also timed).
   Each cycle adds 50 labels to ~5,000 (the model warm-starts from the previous fit).

Run::

    nice -n 10 .venv/bin/python benchmarks/bench_sampling_speed.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workbench.sampling import ActiveLearner, select_batch  # noqa: E402

DATA = Path(os.environ.get("WORKBENCH_SHARED_DATA", ROOT.parent / "shared" / "data"))


def timed(fn, repeat=3):
    """Median wall-clock and CPU seconds of ``repeat`` calls (CPU time is what the work
    would take on an idle core; the box these numbers come from is shared)."""
    walls, cpus = [], []
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return float(np.median(walls)), float(np.median(cpus)), out


def query_speed():
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(77), size=1_000_000)
    labeled = np.zeros(len(probs), dtype=bool)
    labeled[rng.choice(len(probs), 5000, replace=False)] = True
    print("one query, n=50, over 1,000,000 x 77 probabilities (float64):")
    for strategy in ["margin", "least_confidence", "entropy", "random", "default"]:
        wall, cpu, batch = timed(lambda: select_batch(probs, 50, strategy=strategy,
                                                      labeled_mask=labeled, random_state=0))
        assert len(batch) == 50 and not labeled[batch].any()
        print(f"  {strategy:>18}: {wall:.3f} s wall, {cpu:.3f} s CPU")


def pool_texts(n_pool=100_000, seed=0):
    rng = np.random.default_rng(seed)
    frames = [pd.read_csv(DATA / "banking77" / f) for f in ("train.csv", "test.csv")]
    base = pd.concat(frames, ignore_index=True)
    texts, labels = [], []
    while len(texts) < n_pool:
        for text, label in zip(base["text"], base["category"]):
            words = text.split()
            if len(texts) >= len(base) and len(words) > 2:
                del words[int(rng.integers(len(words)))]
            texts.append(" ".join(words))
            labels.append(label)
    return texts[:n_pool], np.array(labels[:n_pool])


def retrain_speed():
    texts, labels = pool_texts()
    rng = np.random.default_rng(1)
    labeled = np.zeros(len(texts), dtype=bool)
    labeled[rng.choice(len(texts), 5000, replace=False)] = True
    order = rng.permutation(np.flatnonzero(labeled))
    learner = ActiveLearner(cv=None, batch_size=50, random_state=0)
    t0 = time.perf_counter()
    learner.set_pool(texts)
    print(f"pool of {len(texts):,} texts; set_pool (TF-IDF fitted once): "
          f"{time.perf_counter() - t0:.2f} s; features {learner._pool_features.shape}")
    first = order[:4850]
    t0 = time.perf_counter()
    learner.fit([texts[i] for i in first], labels[first])
    print(f"first fit on {first.size:,} labels (cold): {time.perf_counter() - t0:.2f} s")
    state = {"next": 4850}

    def cycle():  # a labeler hands in 50 more labels: retrain, re-score, serve the next batch
        new = order[state["next"]:state["next"] + 50]
        state["next"] += 50
        learner.update([texts[i] for i in new], labels[new])
        return learner.next_batch(labeled_mask=labeled)

    for strategy in ("default", "margin"):
        learner.strategy = strategy
        wall, cpu, batch = timed(cycle)
        assert len(batch) == 50 and not labeled[batch].any()
        print(f"retrain (~5,000 labels, +50) + re-score 100,000 + next batch of 50, "
              f"strategy={strategy!r}: {wall:.2f} s wall, {cpu:.2f} s CPU (median of 3)")
    learner.strategy = "default"
    learner.cv = 3
    t0 = time.perf_counter()
    future = learner.retrain_async()
    t_submit = time.perf_counter() - t0
    t1 = time.perf_counter()
    learner.next_batch(labeled_mask=labeled)  # served by the current model meanwhile
    t_serve = time.perf_counter() - t1
    row = future.result()
    print(f"retrain_async with cv=3: submit {t_submit * 1000:.1f} ms, a batch served meanwhile in "
          f"{t_serve:.2f} s, background job done after {time.perf_counter() - t0:.1f} s "
          f"(cv_score {row['cv_score']:.3f})")
    learner.close()


if __name__ == "__main__":
    print(f"load average at start: {os.getloadavg()}")
    query_speed()
    retrain_speed()
    print(f"load average at end: {os.getloadavg()}")
