"""Active-learning learning curves on banking77 and sklearn's digits.

banking77 (../shared/data/banking77): train.csv is the pool, test.csv the official test
split. TF-IDF (unigrams, sublinear tf, fitted once on the unlabeled pool) + logistic
regression (lbfgs, C=10). Seed set of 20 random labels (the same for every strategy
of a seed), batches of 50 up to 3,000 labels. Reported: labels needed to reach 90% of
the full-data test accuracy (linear interpolation between checkpoints), mean of the
seeds, and test accuracy at checkpoints.

digits (bundled with scikit-learn): 2/3 pool, 1/3 test, standardised pixels +
logistic regression, seed 10 labels, batches of 10 up to 300: labels to reach 95% of
the full-data accuracy.

Run (bounded, a few minutes per strategy on a busy 2-core box)::

    nice -n 10 .venv/bin/python benchmarks/bench_active_learning.py \\
        --dataset banking77 --strategies random margin default --seeds 0 1 2

Curves go to --out (default /tmp/workbench_al_<dataset>_curves.csv, appended per
strategy/seed); ``--summarize CSV...`` prints the markdown tables of
benchmarks/results/active_learning.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workbench.sampling import select_batch  # noqa: E402

DATA = Path(os.environ.get("WORKBENCH_SHARED_DATA", ROOT.parent / "shared" / "data"))


def load_banking77():
    from sklearn.feature_extraction.text import TfidfVectorizer

    train = pd.read_csv(DATA / "banking77" / "train.csv")
    test = pd.read_csv(DATA / "banking77" / "test.csv")
    vec = TfidfVectorizer(sublinear_tf=True)
    X = vec.fit_transform(train["text"])
    return X, train["category"].to_numpy(), vec.transform(test["text"]), test["category"].to_numpy()


def load_digits():
    from sklearn.datasets import load_digits as _load
    from sklearn.model_selection import train_test_split

    d = _load()
    X = d.data / 16.0
    Xp, Xt, yp, yt = train_test_split(X, d.target, test_size=1 / 3, random_state=0,
                                      stratify=d.target)
    return Xp, yp, Xt, yt


def make_model(dataset):
    from sklearn.linear_model import LogisticRegression

    if dataset == "banking77":
        return LogisticRegression(C=10.0, max_iter=200, tol=1e-3)
    return LogisticRegression(C=1.0, max_iter=500)


def probabilities_over(model, X, n_classes_total, class_index):
    """Model probabilities widened to every class (unseen classes get 0)."""
    p = model.predict_proba(X)
    full = np.zeros((X.shape[0], n_classes_total))
    full[:, class_index[model.classes_]] = p
    return full


def run_curve(dataset, X, y, Xt, yt, strategy, seed, *, n_seed, batch, budget, threshold,
              options=None):
    rng = np.random.default_rng(seed)
    classes = np.unique(y)
    class_index = pd.Series(np.arange(classes.size), index=classes)
    labeled = np.zeros(X.shape[0], dtype=bool)
    labeled[rng.choice(X.shape[0], n_seed, replace=False)] = True
    rows = []
    while True:
        model = make_model(dataset)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X[labeled], y[labeled])
        acc = float((model.predict(Xt) == yt).mean())
        n_labels = int(labeled.sum())
        rows.append({"dataset": dataset, "strategy": strategy, "seed": seed,
                     "n_labels": n_labels, "accuracy": acc})
        if n_labels >= budget:
            break
        probs = probabilities_over(model, X, classes.size, class_index)
        k = min(batch, budget - n_labels)
        picked = select_batch(probs, k, strategy=strategy, features=X, labeled_mask=labeled,
                              random_state=int(rng.integers(2**31)),
                              similarity_threshold=threshold, **(options or {}))
        labeled[picked] = True
    return pd.DataFrame(rows)


def labels_to_reach(curve: pd.DataFrame, target: float) -> float:
    """First crossing of ``target`` by linear interpolation; inf when never reached."""
    n = curve["n_labels"].to_numpy()
    a = curve["accuracy"].to_numpy()
    above = np.flatnonzero(a >= target)
    if above.size == 0:
        return float("inf")
    i = above[0]
    if i == 0:
        return float(n[0])
    return float(n[i - 1] + (target - a[i - 1]) / (a[i] - a[i - 1]) * (n[i] - n[i - 1]))


CHECKPOINTS = {"banking77": ((520, 1020, 1520, 2020, 2520, 3000), 500),
               "digits": ((50, 80, 100, 150, 200, 300), 50)}


def summarize(paths, *, baseline="random"):
    """Markdown summary of curves CSVs: labels to reach the target (mean, per seed), accuracy
    at checkpoints, and whether each strategy beats ``baseline`` at every checkpoint >= 500."""
    df = pd.concat([pd.read_csv(p) for p in paths], ignore_index=True)
    df = df.drop_duplicates(["dataset", "strategy", "seed", "n_labels"], keep="last")
    lines = []
    for dataset, d in df.groupby("dataset"):
        frac = 0.90 if dataset == "banking77" else 0.95
        target = frac * d["full_accuracy"].iloc[0]
        lines.append(f"### {dataset}: full-data accuracy {d['full_accuracy'].iloc[0]:.4f}, "
                     f"target {frac:.0%} = {target:.4f}\n")
        mean = d.groupby(["strategy", "n_labels"])["accuracy"].mean().unstack(0)
        checkpoints, start = CHECKPOINTS[dataset]
        cps = [c for c in checkpoints if c in mean.index]
        head = "| strategy | seeds | labels to target (mean) | per seed | " + \
               " | ".join(f"acc@{c}" for c in cps) + f" | beats random at every checkpoint >= {start} |"
        lines += [head, "|" + "---|" * (head.count("|") - 1)]
        rows = []
        for strategy, g in d.groupby("strategy"):
            reach = [labels_to_reach(c, target) for _, c in g.groupby("seed")]
            later = mean.index[mean.index >= start]
            beats = ("-" if strategy == baseline or baseline not in mean else
                     "yes" if (mean.loc[later, strategy] > mean.loc[later, baseline]).all()
                     else "no")
            rows.append((np.mean(reach), f"| {strategy} | {g['seed'].nunique()} | "
                         f"{np.mean(reach):.0f} | {', '.join(f'{r:.0f}' for r in reach)} | "
                         + " | ".join(f"{mean.loc[c, strategy]:.3f}" for c in cps)
                         + f" | {beats} |"))
        lines += [r for _, r in sorted(rows)] + [""]
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", choices=["banking77", "digits"], default="banking77")
    ap.add_argument("--strategies", nargs="+", default=["random", "margin", "default"])
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument("--threshold", type=float, default=None,
                    help="near-duplicate guard (cosine); default off to compare strategies alone")
    ap.add_argument("--tag", default="", help="suffix for the strategy name in the output")
    ap.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                    help="strategy option passed to select_batch (numbers parsed), repeatable")
    ap.add_argument("--batch", type=int, default=None, help="batch size override")
    ap.add_argument("--seed-size", type=int, default=None, help="seed-set size override")
    ap.add_argument("--out", default=None, help="curves CSV (default al_<dataset>_curves.csv)")
    ap.add_argument("--summarize", nargs="+", metavar="CSV",
                    help="only print a markdown summary of these curves CSVs")
    args = ap.parse_args(argv)
    if args.summarize:
        print(summarize(args.summarize))
        return

    if args.dataset == "banking77":
        X, y, Xt, yt = load_banking77()
        cfg = dict(n_seed=20, batch=50, budget=3000)
        frac = 0.90
    else:
        X, y, Xt, yt = load_digits()
        cfg = dict(n_seed=10, batch=10, budget=300)
        frac = 0.95
    if args.batch:
        cfg["batch"] = args.batch
    if args.seed_size:
        cfg["n_seed"] = args.seed_size
    full = make_model(args.dataset).fit(X, y)
    full_acc = float((full.predict(Xt) == yt).mean())
    target = frac * full_acc
    print(f"{args.dataset}: pool {X.shape}, full-data accuracy {full_acc:.4f}, "
          f"target {frac:.0%} = {target:.4f}", flush=True)
    out = Path(args.out) if args.out else Path(f"/tmp/workbench_al_{args.dataset}_curves.csv")
    options = {k: float(v) for k, v in (o.split("=", 1) for o in args.option)}
    for strategy in args.strategies:
        for seed in args.seeds:
            t0 = time.perf_counter()
            curve = run_curve(args.dataset, X, y, Xt, yt, strategy, seed,
                              threshold=args.threshold, options=options, **cfg)
            curve["strategy"] = strategy + args.tag
            curve["full_accuracy"] = full_acc
            curve["seconds"] = time.perf_counter() - t0
            curve.to_csv(out, mode="a", header=not out.exists(), index=False)
            print(f"{strategy + args.tag:>22} seed {seed}: reach {labels_to_reach(curve, target):7.0f}"
                  f" labels; final acc {curve['accuracy'].iloc[-1]:.4f}; "
                  f"{time.perf_counter() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
