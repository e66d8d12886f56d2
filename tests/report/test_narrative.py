"""The report's narrative blocks, tested directly (the templates and doctests reach them only in passing)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from workbench.report import narrative as nv

HOSTILE = '<img src=x onerror="alert(1)"> & \'quoted\''


def test_esc_leaves_no_markup_and_treats_missing_as_empty():
    out = nv.esc(HOSTILE)
    assert "<" not in out and ">" not in out and '"' not in out and "'" not in out
    assert nv.esc(None) == "" and nv.esc(float("nan")) == ""
    assert nv.esc(3) == "3"


@pytest.mark.parametrize("successes,total", [(0, 10), (1, 10), (81, 100), (50, 50), (7, 1234)])
def test_proportion_interval_is_the_wilson_interval_of_statsmodels(successes, total):
    p, low, high = nv.proportion_interval(successes, total)
    ref_low, ref_high = proportion_confint(successes, total, alpha=0.05, method="wilson")
    assert p == pytest.approx(successes / total)
    assert low == pytest.approx(ref_low, abs=1e-6) and high == pytest.approx(ref_high, abs=1e-6)


def test_proportion_interval_of_nothing_is_undefined():
    assert all(math.isnan(v) for v in nv.proportion_interval(0, 0))


def test_fmt_interval_and_share_read_as_sentences():
    assert nv.fmt_interval(0.6666, 0.5, 0.8, digits=3) == "0.667 (95% CI 0.500 to 0.800)"
    assert nv.fmt_interval(None, 0, 1) == "undefined"
    assert nv.fmt_share(3, 4) == "3 of 4 (75%)"
    assert nv.fmt_share(0, 0) == "0 of 0 (n/a)"


def test_callout_falls_back_to_info_and_keeps_its_html():
    assert nv.callout_html("<b>x</b>", tone="nonsense") == nv.callout_html("<b>x</b>", tone="info")
    assert "<b>x</b>" in nv.callout_html("<b>x</b>", tone="bad")
    assert nv.callout_html("x", tone="good") != nv.callout_html("x", tone="bad")


def test_code_html_escapes_text_and_caption():
    out = nv.code_html(HOSTILE, caption=HOSTILE)
    assert "<img" not in out and out.count("&lt;img") == 2


def test_frame_html_escapes_cells_and_headers_but_not_raw_columns():
    df = pd.DataFrame({HOSTILE: ["<b>bold</b>"], "badge": [nv.verdict_html(True)], "n": [np.int64(7)]})
    out = nv.frame_html(df, raw_columns=["badge"])
    assert "<img" not in out and "<b>bold</b>" not in out and "&lt;b&gt;bold" in out
    assert ">PASS</span>" in out                       # the raw column stays live
    assert "text-align:right'>7<" in out                # integers keep their dtype and align right


def test_frame_html_cuts_long_frames_and_says_so():
    out = nv.frame_html(pd.DataFrame({"x": range(60)}), max_rows=50)
    assert out.count("<tr>") == 51 and "10 more rows not shown" in out


def test_examples_html_masks_pii_escapes_notes_and_cuts_long_texts():
    items = pd.DataFrame({"item_id": ["a", "b"], "text": ["call +44 20 7946 0958 now", "x" * 400]})
    ann = pd.DataFrame({"item_id": ["a"], "annotator": ["<i>ann</i>"], "label": ["bug"],
                        "note": [HOSTILE], "unsure": [True]})
    out = nv.examples_html(["a", "b"], items, ann, max_chars=50)
    assert "7946" not in out and "<i>ann</i>" not in out and "<img" not in out
    assert "(unsure)" in out and "x" * 49 + "…" in out and "x" * 51 not in out
    assert "7946" in nv.examples_html(["a"], items, ann, mask_pii=False)


def test_frame_hash_ignores_row_order_but_not_content():
    a = pd.DataFrame({"x": [1, 2, 3], "y": ["p", "q", "r"]})
    assert nv.frame_hash(a) == nv.frame_hash(a.sample(frac=1, random_state=1))
    assert nv.frame_hash(a) != nv.frame_hash(a.assign(y=["p", "q", "s"]))
    assert nv.frame_hash(a, ["x"]) == nv.frame_hash(a.assign(y="z"), ["x"])


def test_metrics_are_plain_json_with_nan_as_null(tmp_path):
    metrics = {"kappa": np.float64(0.5), "n": np.int64(3), "ok": np.bool_(True), "missing": float("nan"),
               "per_label": pd.Series([0.1, 0.2]), 1: [np.float32(0.25)]}
    path = nv.write_metrics(tmp_path / "out", metrics)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == {"kappa": 0.5, "n": 3, "ok": True, "missing": None, "per_label": [0.1, 0.2], "1": [0.25]}


def test_package_versions_names_missing_packages_as_none():
    versions = nv.package_versions(["pandas", "no-such-package-xyz"])
    assert versions["pandas"] == pd.__version__ and versions["no-such-package-xyz"] is None
