"""Real data: Stanford Politeness (5 crowd ratings per request, 1-25, with worker ids).

Needs ../shared/data (fixture ``shared_data``); the oracle is the krippendorff package.
Items are the CSV rows (stack-exchange repeats some request ids).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench import agreement as ag

pytestmark = pytest.mark.data
krippendorff = pytest.importorskip("krippendorff")


def load(shared_data, name):
    wide = pd.read_csv(shared_data / "stanford_politeness" / f"{name}.annotated.csv")
    scores = wide[[f"Score{i}" for i in range(1, 6)]].to_numpy()
    workers = wide[[f"TurkId{i}" for i in range(1, 6)]].to_numpy()
    long = pd.DataFrame({"item_id": np.repeat(np.arange(len(wide)), 5), "annotator": workers.ravel(),
                         "label": scores.ravel()})
    return long


def reliability(long, values):
    """The krippendorff package's input: annotators x items, NaN where a worker did not rate."""
    table = long.assign(v=values).pivot(index="annotator", columns="item_id", values="v")
    return table.to_numpy(dtype=float)


def binned(scores):
    return np.select([scores <= 10, scores <= 15], ["impolite", "neutral"], "polite")


@pytest.mark.parametrize("name", ["wikipedia", "stack-exchange"])
@pytest.mark.parametrize("level", ["interval", "ordinal"])
def test_alpha_on_politeness_scores_matches_krippendorff(shared_data, name, level):
    long = load(shared_data, name)
    expected = krippendorff.alpha(reliability_data=reliability(long, long.label), level_of_measurement=level)
    assert ag.krippendorff_alpha_score(long, level=level) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("name", ["wikipedia", "stack-exchange"])
def test_nominal_alpha_after_binning_matches_krippendorff(shared_data, name):
    long = load(shared_data, name)
    labels = binned(long.label.to_numpy())
    codes = pd.Series(labels).map({"impolite": 0, "neutral": 1, "polite": 2}).to_numpy()
    expected = krippendorff.alpha(reliability_data=reliability(long, codes), level_of_measurement="nominal")
    df = long.assign(label=labels)
    assert ag.krippendorff_alpha_score(df) == pytest.approx(expected, abs=1e-9)
    ordinal = ag.krippendorff_alpha_score(df, level="ordinal", categories=["impolite", "neutral", "polite"])
    assert ordinal == pytest.approx(krippendorff.alpha(reliability_data=reliability(long, codes),
                                                       level_of_measurement="ordinal"), abs=1e-9)


@pytest.mark.parametrize("name, fleiss", [("wikipedia", 0.24), ("stack-exchange", 0.14)])
def test_binned_fleiss_matches_the_dataset_notes_and_tables_run(shared_data, name, fleiss):
    long = load(shared_data, name)
    df = long.assign(label=binned(long.label.to_numpy()))
    assert round(ag.fleiss_kappa_score(df), 2) == fleiss  # SOURCE.md of the dataset
    table = ag.agreement_table(df, n_boot=200, random_state=0)
    assert (table.ci_low <= table.value).all() and (table.value <= table.ci_high).all()
    assert ag.pairwise_table(df).n_items.sum() == 10 * df.item_id.nunique()  # 5 raters -> 10 pairs per item
    annotators = ag.annotator_table(df)
    assert annotators.n_items.sum() == len(df)
    per_cat = ag.per_category_table(df, n_boot=50, random_state=0)
    assert per_cat.category.tolist() == ["impolite", "neutral", "polite"]
