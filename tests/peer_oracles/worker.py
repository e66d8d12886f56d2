"""Reference libraries that pin old stacks (irrCAC, modAL, small-text), answering in their own venv.

Run by ``tests/peer_oracles/client.py`` with the Python of ``.venv-peers`` (``make peers``): it
reads one JSON request per line on stdin and writes one JSON answer per line on stdout. Models
cannot cross a process boundary, so the client sends what the libraries read from a model:
class probabilities (``predict_proba``) and predictions (``predict``); small stand-in estimators
replay them here, indexed by row number.
"""

from __future__ import annotations

import json
import math
import sys
import traceback

import numpy as np
import pandas as pd


class _Replay:
    """An estimator that answers ``predict_proba`` / ``predict`` for row numbers from recorded values."""

    def __init__(self, proba=None, predictions=None, classes=None):
        self.proba = None if proba is None else np.asarray(proba, dtype=float)
        self.predictions = None if predictions is None else np.asarray(predictions)
        n_classes = self.proba.shape[1] if self.proba is not None else len(classes)
        self.classes_ = np.asarray(classes) if classes is not None else np.arange(n_classes)

    def _rows(self, X):
        return np.asarray(X).reshape(len(X), -1)[:, 0].astype(int)

    def predict_proba(self, X):
        return self.proba[self._rows(X)]

    def predict(self, X):
        return self.predictions[self._rows(X)]

    def fit(self, *args, **kwargs):
        return self


def _rows(n):
    return np.arange(n).reshape(-1, 1)


def _finite(value):
    value = float(value)
    return value if math.isfinite(value) else None


def irrcac(wide, categories=None, weights="identity", as_str=False):
    from irrCAC.raw import CAC

    frame = pd.DataFrame(np.array([[np.nan if v is None else v for v in row] for row in wide], dtype=float))
    if as_str:
        frame = frame.map(lambda v: np.nan if np.isnan(v) else f"c{int(v)}")
    cac = CAC(frame, categories=categories, weights=weights, digits=15)
    out = {}
    for name in ("gwet", "fleiss", "conger", "bp"):
        try:
            with np.errstate(all="ignore"):
                est = getattr(cac, name)()["est"]
            out[name] = {"coefficient_value": _finite(est["coefficient_value"]), "pa": _finite(est["pa"])}
        except (ZeroDivisionError, ValueError, FloatingPointError) as exc:
            out[name] = {"error": type(exc).__name__}
    return out


def modal_uncertainty(function, proba, n_instances):
    import modAL.uncertainty as mu

    proba = np.asarray(proba, dtype=float)
    chosen = getattr(mu, function)(_Replay(proba), _rows(len(proba)), n_instances=n_instances)
    chosen = chosen[0] if isinstance(chosen, tuple) else chosen
    return np.asarray(chosen).tolist()


def modal_vote_entropy(member_predictions, classes):
    from modAL.disagreement import vote_entropy
    from modAL.models import ActiveLearner, Committee

    members = [ActiveLearner(estimator=_Replay(predictions=p, classes=classes)) for p in member_predictions]
    pool = _rows(len(member_predictions[0]))
    return np.asarray(vote_entropy(Committee(learner_list=members), pool), dtype=float).tolist()


def small_text_query(strategy, proba, labeled, y_labeled, n):
    import small_text.query_strategies as qs

    proba = np.asarray(proba, dtype=float)
    labeled = np.asarray(labeled, dtype=int)
    unlabeled = np.setdiff1d(np.arange(len(proba)), labeled)
    chosen = getattr(qs, strategy)().query(_Replay(proba), _rows(len(proba)), unlabeled, labeled,
                                           np.asarray(y_labeled), n=n)
    return np.asarray(chosen).tolist()


def versions():
    from importlib import metadata

    return {name: metadata.version(name) for name in ("irrCAC", "modAL-python", "small-text", "numpy", "pandas",
                                                      "scipy", "scikit-learn")}


FUNCTIONS = {f.__name__: f for f in (irrcac, modal_uncertainty, modal_vote_entropy, small_text_query, versions)}


def main() -> None:
    for line in sys.stdin:
        request = json.loads(line)
        try:
            answer = {"ok": FUNCTIONS[request["function"]](**request.get("kwargs", {}))}
        except Exception:  # noqa: BLE001 - the client raises it with the worker's traceback
            answer = {"error": traceback.format_exc()}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
