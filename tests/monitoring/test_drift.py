"""Label drift over N rounds and labelers drifting: numbers against scipy and hand computation."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from workbench.agreement import annotator_table
from workbench.exceptions import DataError
from workbench.monitoring import label_distribution_table, label_drift_table, labeler_drift_table, psi


def _rounds(counts):
    """counts: {round: {label: n}} -> long frame, one label per row."""
    rows = [(r, f"{r}-{k}-{j}", "ana", lab) for r, by in counts.items() for k, (lab, n) in enumerate(by.items())
            for j in range(n)]
    return pd.DataFrame(rows, columns=["round", "item_id", "annotator", "label"])


def test_psi_by_hand_and_with_a_label_missing_from_one_round():
    assert psi([30, 70], [30, 70]) == 0
    expected = (0.6 - 0.3) * math.log(0.6 / 0.3) + (0.4 - 0.7) * math.log(0.4 / 0.7)
    assert psi([30, 70], [60, 40]) == pytest.approx(expected)
    assert math.isfinite(psi([10, 0], [5, 5]))  # the floor keeps an absent label finite
    with pytest.raises(DataError, match="two non-empty distributions"):
        psi([0, 0], [1, 1])


def test_each_step_of_four_rounds_matches_scipy_and_the_stated_thresholds():
    counts = {1: {"a": 50, "b": 30, "c": 20}, 2: {"a": 52, "b": 29, "c": 19}, 3: {"a": 30, "b": 30, "c": 40},
              4: {"a": 31, "b": 29, "c": 40, "d": 3}}
    table = label_drift_table(_rounds(counts))
    assert table[["round_from", "round_to"]].values.tolist() == [[1, 2], [2, 3], [3, 4]]
    for row, (a, b) in zip(table.itertuples(), [(1, 2), (2, 3), (3, 4)]):
        labels = sorted(set(counts[a]) | set(counts[b]))
        matrix = np.array([[counts[a].get(x, 0) for x in labels], [counts[b].get(x, 0) for x in labels]])
        stat, p, dof, _ = chi2_contingency(matrix, correction=False)
        assert row.chi2 == pytest.approx(stat) and row.p_value == pytest.approx(p) and row.dof == dof
        assert row.psi == pytest.approx(psi(matrix[0], matrix[1]))
    # round 4 is round 3 plus a label used for the first time: the floored share makes that a moderate shift
    assert table["verdict"].tolist() == ["stable", "major", "moderate"]
    assert [c[0] for c in table.loc[1, "largest_changes"]] == ["a", "c", "b"]  # a: 0.52 -> 0.30, c: 0.19 -> 0.40
    assert table.loc[2, "p_value"] > 0.05


def test_distribution_counts_every_label_in_every_round_and_multilabel_sets_once_each():
    df = pd.DataFrame({"round": [1, 1, 2], "label": [json.dumps(["x", "y"]), json.dumps(["x"]), json.dumps(["z"])],
                       "kind": "label"})
    dist = label_distribution_table(df, labels=["x", "y", "z"])
    assert dist[dist["round"] == 1].set_index("label")["count"].to_dict() == {"x": 2, "y": 1, "z": 0}
    assert dist[dist["round"] == 2]["share"].tolist() == [0.0, 0.0, 1.0]
    with pytest.raises(DataError, match="two or more rounds"):
        label_drift_table(df[df["round"] == 1])


def test_labeler_drift_is_the_per_round_annotator_table():
    rng = np.random.default_rng(0)
    rows = []
    for r in (1, 2, 3):
        for i in range(30):
            truth = rng.choice(["x", "y", "z"])
            for who in ("ana", "ben", "cy", "dee", "eve"):  # five: the others' majority holds when cy drifts
                noisy = who == "cy" and r == 3 and rng.random() < 0.6
                rows.append((r, f"i{i}", who, rng.choice(["x", "y", "z"]) if noisy else truth))
    df = pd.DataFrame(rows, columns=["round", "item_id", "annotator", "label"])
    table = labeler_drift_table(df)
    for r in (1, 2, 3):
        want = annotator_table(df[df["round"] == r]).set_index("annotator")["agreement_with_majority"]
        got = table[table["round"] == r].set_index("annotator")["agreement_with_majority"]
        assert got.to_dict() == pytest.approx(want.to_dict())
    flagged = table[table["drifting"]]
    assert set(flagged["annotator"]) == {"cy"} and flagged["round"].tolist() == [3]
