"""Vendor targets (targets.yaml) and the SLA tables, against hand-computed cases and real crowd data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.error_analysis import reference_labels
from workbench.exceptions import DataError, ValidationError
from workbench.monitoring import NO_TEAM, QualityTargets, sla_table, sla_trend_table, vendor_activity_table

T0 = pd.Timestamp("2026-11-02 09:00", tz="UTC")  # a Monday


def _row(item, who, label, hours, *, kind="label", ms=60_000, round=1):
    return {"round": round, "item_id": item, "annotator": who, "label": label, "kind": kind, "duration_ms": ms,
            "created_at": T0 + pd.Timedelta(hours=hours)}


@pytest.fixture
def program():
    """Acme (x, y) and northwind (z) on items a-d of round 1; d is a gold item."""
    ann = pd.DataFrame([
        _row("a", "x", "p", 2), _row("a", "y", "p", 10), _row("a", "z", "q", 50),  # z against p, p
        _row("b", "x", "p", 3), _row("b", "z", "p", 30),  # x and z agree
        _row("c", "y", "q", 4),  # alone: no agreement to judge
        _row("d", "x", "p", 5), _row("d", "y", "q", 6), _row("d", "z", "q", 20),  # gold d = q
    ])
    plan = pd.DataFrame({"round": 1, "item_id": ["a", "a", "a", "b", "b", "c", "d", "d", "d", "e"],
                         "annotator": ["x", "y", "z", "x", "z", "y", "x", "y", "z", "z"], "assigned_at": T0})
    teams = {"x": "acme", "y": "acme", "z": "northwind"}
    targets = QualityTargets.from_yaml("""
turnaround_quantile: 0.5
min_items: 2
defaults: {min_agreement: 0.6, min_gold_accuracy: 0.5, max_turnaround_hours: 24}
vendors:
  acme: {price_per_item: 0.1, max_cost_per_item: 0.2}
  northwind: {hourly_rate: 30, max_cost_per_item: 0.2}
""")
    return ann, plan, teams, targets


def test_that_each_target_equals_the_hand_computed_value(program):
    ann, plan, teams, targets = program
    t = sla_table(ann, teams=teams, targets=targets, gold={"d": "q"}, assignments=plan,
                  now=T0 + pd.Timedelta(hours=100)).set_index(["vendor", "target"])
    # agreement, leave-one-out: x on a (others p, z's q: tie between y=p and z=q -> left out)... by hand:
    # a: x vs {y:p, z:q} tie -> none; y vs {x:p, z:q} tie -> none; z vs {x:p, y:p} -> p != q: 0
    # b: x vs {z:p} -> 1; z vs {x:p} -> 1.  d: x vs {y:q, z:q} -> 0; y vs {x:p, z:q} tie; z vs {x:p, y:q} tie
    # acme judged: x@b (1), x@d (0) -> 1 of 2; northwind: z@a (0), z@b (1) -> 1 of 2
    assert t.loc[("acme", "agreement"), ["value", "n"]].tolist() == [0.5, 2]
    assert t.loc[("northwind", "agreement"), ["value", "n"]].tolist() == [0.5, 2]
    assert t.loc[("acme", "agreement"), "status"] == "fail"  # 0.5 < 0.6
    low, high = t.loc[("acme", "agreement"), ["ci_low", "ci_high"]]
    assert low == pytest.approx(0.0945, abs=1e-4) and high == pytest.approx(0.9055, abs=1e-4)  # Wilson, 1 of 2
    assert t.loc[("acme", "agreement"), "clear"] is False or not t.loc[("acme", "agreement"), "clear"]
    # gold accuracy on d: x wrong, y right (acme 1 of 2); z right (northwind 1 of 1: too few for min_items 2)
    assert t.loc[("acme", "gold_accuracy"), ["value", "n", "status"]].tolist() == [0.5, 2, "pass"]
    assert t.loc[("northwind", "gold_accuracy"), ["value", "n", "status"]].tolist() == [1.0, 1, "too few"]
    # turnaround median: acme hours 2, 10, 3, 4, 5, 6 -> 4.5; northwind 50, 30, 20 -> 30, over 24
    assert t.loc[("acme", "turnaround"), "value"] == pytest.approx(4.5)
    assert t.loc[("northwind", "turnaround"), ["value", "status"]].tolist() == [pytest.approx(30.0), "fail"]
    # z's item e was assigned at T0 and is still open at T0 + 100 h: late
    assert "1 assigned items still open past 24 h" in t.loc[("northwind", "turnaround"), "evidence"]
    # cost: acme price 0.1; northwind 30/h x 3 minutes / 3 items = 0.5 > 0.2
    assert t.loc[("acme", "cost"), ["value", "status"]].tolist() == [0.1, "pass"]
    assert t.loc[("northwind", "cost"), ["value", "status"]].tolist() == [pytest.approx(0.5), "fail"]


def test_that_open_work_past_the_limit_fails_an_otherwise_passing_turnaround(program):
    ann, plan, teams, targets = program
    fast = ann.assign(created_at=T0 + pd.Timedelta(hours=1))
    t = sla_table(fast, teams=teams, targets=targets, assignments=plan, now=T0 + pd.Timedelta(hours=100))
    row = t[(t["vendor"] == "northwind") & (t["target"] == "turnaround")].iloc[0]
    assert row["value"] == pytest.approx(1.0) and row["status"] == "fail" and "open work is late" in row["evidence"]
    early = sla_table(fast, teams=teams, targets=targets, assignments=plan, now=T0 + pd.Timedelta(hours=10))
    assert early[(early["vendor"] == "northwind") & (early["target"] == "turnaround")]["status"].item() == "pass"


def test_that_the_window_cuts_by_time_but_agreement_still_sees_every_label_of_the_item(program):
    ann, plan, teams, targets = program
    t = sla_table(ann, teams=teams, targets=targets, start=T0 + pd.Timedelta(hours=25), end=T0 + pd.Timedelta(days=7))
    # only z's answers at 30 h and 50 h are in the window; their agreement uses x and y's earlier labels
    z = t[(t["vendor"] == "northwind") & (t["target"] == "agreement")].iloc[0]
    assert (z["value"], z["n"]) == (0.5, 2)
    assert set(t["vendor"]) == {"northwind"} | {v for v in targets.vendors if v in teams.values()}


def test_that_agreement_matches_the_leave_one_out_reference_of_error_analysis(program):
    ann, _, teams, targets = program
    ref = reference_labels(ann)
    ref = ref[ref["reference_source"] == "consensus"]
    by_vendor = (ref["label"] == ref["reference_label"]).groupby(ref["annotator"].map(teams)).agg(["mean", "size"])
    t = sla_table(ann, teams=teams, targets=targets).set_index(["vendor", "target"])
    for vendor, (mean, size) in by_vendor.iterrows():
        assert t.loc[(vendor, "agreement"), ["value", "n"]].tolist() == [mean, size]


def test_that_the_trend_judges_each_week_on_its_own(program):
    ann, plan, teams, targets = program
    later = ann.assign(created_at=ann["created_at"] + pd.Timedelta(days=7), round=2, label="p")
    trend = sla_trend_table(pd.concat([ann, later]), teams=teams, targets=targets, gold={"d": "q"})
    acme = trend[(trend["vendor"] == "acme") & (trend["target"] == "agreement")]
    assert acme[["period", "value", "status"]].values.tolist() == [["2026-11-02", 0.5, "fail"],
                                                                   ["2026-11-09", 1.0, "pass"]]
    gold = trend[(trend["vendor"] == "acme") & (trend["target"] == "gold_accuracy")]
    assert gold["value"].tolist() == [0.5, 0.0]  # week 2: everyone said p on gold item d (q)


def test_that_labelers_without_a_team_are_reported_together():
    ann = pd.DataFrame([_row("a", "x", "p", 1), _row("a", "w", "p", 1)])
    t = sla_table(ann, teams=pd.DataFrame({"user_id": ["x", "w"], "team": ["acme", None]}),
                  targets=QualityTargets.from_yaml("min_items: 1\ndefaults: {min_agreement: 0.5}"))
    assert sorted(t["vendor"]) == sorted(["acme", NO_TEAM])
    activity = vendor_activity_table(ann, teams={"x": "acme"})
    assert activity.values.tolist() == [[NO_TEAM, 1, 1, 1 / 60], ["acme", 1, 1, 1 / 60]]


def test_that_targets_yaml_problems_are_all_listed_with_their_lines():
    text = """currency: EUR
min_items: 0
defaults:
  min_agreement: 1.5
vendors:
  acme:
    price_per_item: 0.1
    hourly_rate: 20
  northwind:
    max_turnarund_hours: 24
colour: red
"""
    with pytest.raises(ValidationError) as info:
        QualityTargets.from_yaml(text, source="targets.yaml")
    message = str(info.value)
    assert message.startswith("targets.yaml has 5 problems:")
    assert "line 2: min_items must be a whole number of at least 1; got 0." in message
    assert "line 4: defaults.min_agreement must be a number between 0 and 1; got 1.5." in message
    assert "line 6: vendors.acme sets both price_per_item and hourly_rate" in message
    assert "line 10: vendors.northwind.max_turnarund_hours is not a target or billing key. Did you mean " \
           "'max_turnaround_hours'?" in message
    assert "line 11: 'colour' is not a top-level key." in message
    with pytest.raises(ValidationError, match="not valid YAML: line 2: YAML syntax error"):
        QualityTargets.from_yaml("defaults: [unclosed")


def test_that_a_vendor_overrides_the_defaults_and_bills_one_way():
    t = QualityTargets.from_yaml("defaults: {hourly_rate: 20, min_agreement: 0.8}\n"
                                 "vendors: {acme: {price_per_item: 0.1}}")
    assert t.for_vendor("acme") == {"min_agreement": 0.8, "price_per_item": 0.1}
    assert t.for_vendor("other") == {"hourly_rate": 20.0, "min_agreement": 0.8}


def test_that_rows_without_a_time_are_refused():
    ann = pd.DataFrame([_row("a", "x", "p", 1)]).assign(created_at=[None])
    with pytest.raises(DataError, match="1 rows without a valid created_at"):
        sla_table(ann, teams={}, targets=QualityTargets())


@pytest.mark.data
def test_sla_tables_on_real_crowd_data(shared_data):
    """Stanford Politeness: real labels by real MTurk workers (5 per request). The dataset has no times or
    vendors, so workers are put in three teams by a stated rule and their requests spread over 4 weeks."""
    df = pd.read_csv(shared_data / "stanford_politeness" / "wikipedia.annotated.csv").head(1200)
    long = []
    for k in range(1, 6):
        part = df[["Id", f"Score{k}", f"TurkId{k}"]].set_axis(["item_id", "score", "annotator"], axis=1)
        long.append(part)
    ann = pd.concat(long, ignore_index=True)
    ann["label"] = pd.cut(ann["score"], [0, 9, 16, 25], labels=["impolite", "neutral", "polite"]).astype(str)
    ann["item_id"] = ann["item_id"].astype(str)
    order = ann["item_id"].rank(method="dense").to_numpy()
    ann["created_at"] = T0 + pd.to_timedelta((order - 1) % 28, unit="D")
    workers = sorted(ann["annotator"].unique())
    teams = {w: ["team-a", "team-b", "team-c"][k % 3] for k, w in enumerate(workers)}  # the stated rule
    targets = QualityTargets.from_yaml("defaults: {min_agreement: 0.5}")
    t = sla_table(ann, teams=teams, targets=targets)
    ref = reference_labels(ann)
    ref = ref[ref["reference_source"] == "consensus"]
    expected = (ref["label"] == ref["reference_label"]).groupby(ref["annotator"].map(teams)).agg(["mean", "size"])
    got = t.set_index("vendor")
    for team, (mean, size) in expected.iterrows():
        assert got.loc[team, "value"] == pytest.approx(mean, abs=1e-12) and got.loc[team, "n"] == size
    trend = sla_trend_table(ann, teams=teams, targets=targets)
    assert trend["period"].nunique() == 4
    weekly = trend.groupby("vendor")["n"].sum()
    assert (weekly == got["n"]).all()  # the weeks partition the judgements
    assert np.isfinite(trend["value"]).all()
