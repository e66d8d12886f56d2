"""Benchmark: label-issue detection on banking77 with 10% of the labels flipped at random.

(``--dataset sms_spam`` runs the same on the binary SMS spam collection, ``--rate`` sets the noise.)

For each seed, flip 10% of the training labels to a uniformly chosen *other* class,
compute out-of-fold probabilities once with ``cross_validated_predictions`` (default
model), then score every label-issue method on the same probabilities: precision,
recall and F1 of the flagged set against the flipped items.

Run (bounded: ~2.5 min per seed on 2 cores shared with other jobs, ~45 s idle)::

    nice -n 10 .venv/bin/python benchmarks/bench_label_issues.py            # seeds 0 1
    nice -n 10 .venv/bin/python benchmarks/bench_label_issues.py --seeds 0 1 2 --rate 0.2

Writes a Markdown table to stdout (paste into benchmarks/results/error_analysis.md).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workbench.error_analysis import cross_validated_predictions, label_issue_table  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


def load(dataset: str) -> pd.DataFrame:
    """``text, category`` rows of a dataset in ../shared/data."""
    if dataset == "banking77":
        return pd.read_csv(SHARED / "banking77" / "train.csv")
    if dataset == "sms_spam":  # binary: where a uniform random-label component is weakest
        df = pd.read_csv(SHARED / "sms_spam" / "SMSSpamCollection", sep="\t", quoting=3)
        return df.rename(columns={"SMS": "text", "Label": "category"})
    raise SystemExit(f"unknown dataset {dataset!r}; use banking77 or sms_spam")
METHODS = ["prune_by_noise_rate", "both", "low_self_confidence", "calibrated_self_confidence", "noise_mixture",
           "combined"]


def flip_labels(labels: np.ndarray, rate: float, seed: int):
    """Flip ``rate`` of ``labels`` to a uniformly chosen other class; return (noisy, flipped mask)."""
    rng = np.random.default_rng(seed)
    classes = np.array(sorted(set(labels)))
    codes = np.searchsorted(classes, labels)
    flipped = np.zeros(len(labels), dtype=bool)
    flipped[rng.choice(len(labels), size=int(round(rate * len(labels))), replace=False)] = True
    shift = rng.integers(1, len(classes), size=len(labels))
    noisy = codes.copy()
    noisy[flipped] = (codes[flipped] + shift[flipped]) % len(classes)
    return classes[noisy], flipped


def flip_to_nearest(texts, labels: np.ndarray, rate: float, seed: int):
    """Systematic noise: flip ``rate`` of the labels to the *closest* other class.

    Closeness = cosine similarity of the classes' TF-IDF centroids, so a flipped label
    is a plausible confusion rather than a random one (harder to detect).
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    rng = np.random.default_rng(seed)
    classes = np.array(sorted(set(labels)))
    codes = np.searchsorted(classes, labels)
    x = TfidfVectorizer(sublinear_tf=True).fit_transform(texts)
    centroids = normalize(np.vstack([np.asarray(x[codes == c].mean(axis=0)) for c in range(len(classes))]))
    similarity = centroids @ centroids.T
    np.fill_diagonal(similarity, -np.inf)
    nearest = similarity.argmax(axis=1)
    flipped = np.zeros(len(labels), dtype=bool)
    flipped[rng.choice(len(labels), size=int(round(rate * len(labels))), replace=False)] = True
    noisy = codes.copy()
    noisy[flipped] = nearest[codes[flipped]]
    return classes[noisy], flipped


def score(flagged_ids, flipped_ids) -> tuple:
    flagged_ids, flipped_ids = set(flagged_ids), set(flipped_ids)
    tp = len(flagged_ids & flipped_ids)
    precision = tp / len(flagged_ids) if flagged_ids else 0.0
    recall = tp / len(flipped_ids)
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return precision, recall, f1, len(flagged_ids)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--rate", type=float, default=0.10)
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--limit", type=int, default=None, help="use only the first N rows")
    parser.add_argument("--dataset", default="banking77", choices=["banking77", "sms_spam"])
    parser.add_argument("--noise", default="uniform", choices=["uniform", "nearest"],
                        help="flip to a random other class, or to the closest class (systematic)")
    args = parser.parse_args(argv)
    df = load(args.dataset)
    if args.limit:
        df = df.iloc[: args.limit]
    items = pd.DataFrame({"item_id": np.arange(len(df)), "text": df["text"]})
    rows = []
    for seed in args.seeds:
        if args.noise == "uniform":
            noisy, flipped = flip_labels(df["category"].to_numpy(), args.rate, seed)
        else:
            noisy, flipped = flip_to_nearest(df["text"], df["category"].to_numpy(), args.rate, seed)
        labels = pd.Series(noisy, index=items["item_id"])
        start = time.perf_counter()
        pred = cross_validated_predictions(items, labels, cv=args.cv, random_state=seed, progress=False)
        cv_seconds = time.perf_counter() - start
        accuracy_noisy = float(np.mean(pred.predicted == pred.labels))
        accuracy_true = float(np.mean(pred.predicted == df["category"].to_numpy()))
        for method in METHODS:
            start = time.perf_counter()
            table = label_issue_table(pred, method=method)
            seconds = time.perf_counter() - start
            p, r, f, n = score(table["item_id"], items["item_id"][flipped])
            detail = table["method"].iloc[0] if len(table) else ""
            detail = detail.split(";")[0].split(": ", 1)[-1][:90]
            rows.append(dict(seed=seed, method=method, detail=detail, precision=p, recall=r, f1=f, flagged=n,
                             flipped=int(flipped.sum()), method_seconds=seconds, cv_seconds=cv_seconds,
                             oof_acc_noisy=accuracy_noisy, oof_acc_true=accuracy_true))
            print(f"seed {seed} {method:28s} P={p:.3f} R={r:.3f} F1={f:.3f} flagged={n} "
                  f"({seconds:.1f}s; cv {cv_seconds:.0f}s)", file=sys.stderr, flush=True)
    result = pd.DataFrame(rows)
    print(result.to_markdown(index=False, floatfmt=".3f") if _has_tabulate() else result.to_string(index=False))
    summary = result.groupby("method", sort=False)[["precision", "recall", "f1"]].agg(["mean", "min"])
    print()
    print(summary.round(3).to_string())


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    main()
