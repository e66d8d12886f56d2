# %% tags=["parameters"]
# Which program and which targets.
db_url = "sqlite:///demo-project/workbench.db"  # store URL or SQLite file path
targets_path = "targets.yaml"  # quality targets per vendor (docs/quality-operations.md shows the format)
start = None  # first day of the date range (e.g. "2026-11-02"); None means the first judgement
end = None  # day after the last day (e.g. "2026-12-01"); None means up to now
rounds = None  # only these rounds (a list of ints); None means every round
title = None  # page title; None means "Vendor targets, <start> to <end>"
confidence = 0.95  # level of every interval
period = "W-SUN"  # trend periods (pandas frequency): W-SUN gives weeks from Monday to Sunday
max_labelers = 40  # labelers listed per table (the lowest first); metrics.json has everyone
out_dir = "."  # where metrics.json is written

# %% tags=["remove-cell"]
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown, display

from workbench import charts
from workbench import error_analysis as ea
from workbench import monitoring as mon
from workbench.report import figures
from workbench.report import narrative as nv
from workbench.store import AnnotationStore

figures.enable()  # static SVG charts with alt text: the exported page needs no script and no network
warnings.filterwarnings("ignore", category=FutureWarning)

store = AnnotationStore(db_url, create=False)  # a report never creates a store
targets = mon.QualityTargets.read(targets_path)
rows = store.annotations()
plan = store.assignments()
if rounds is not None:
    rows, plan = rows[rows["round"].isin(list(rounds))], plan[plan["round"].isin(list(rounds))]
users = store.users()
items = store.items()
gold = items[["item_id", "gold_label"]].dropna() if "gold_label" in items.columns else None
if rows.empty:
    raise ValueError(f"{db_url} has no judgements{' in rounds ' + str(rounds) if rounds is not None else ''}; "
                     "a vendor report needs labeled work. Label or import some first.")
first_day = pd.Timestamp(start, tz="UTC") if start else rows["created_at"].min().normalize()
last_day = pd.Timestamp(end, tz="UTC") if end else pd.Timestamp.now(tz="UTC")
title = title or f"Vendor targets, {first_day:%Y-%m-%d} to {(last_day - pd.Timedelta(seconds=1)):%Y-%m-%d}"
verdicts = mon.sla_table(rows, teams=users, targets=targets, gold=gold, assignments=plan, start=first_day,
                         end=last_day, confidence=confidence)
trend = mon.sla_trend_table(rows, teams=users, targets=targets, gold=gold, assignments=plan, start=first_day,
                            end=last_day, freq=period, confidence=confidence)
activity = mon.vendor_activity_table(rows, teams=users, start=first_day, end=last_day)
weekly_activity = mon.vendor_activity_table(rows, teams=users, start=first_day, end=last_day, freq=period)
team_of = dict(zip(users["user_id"], users["team"]))

# %% tags=["remove-cell"]
# ---- Labelers: quality against gold, then adjudication, then the others' majority; speed ----
window = rows[(rows["created_at"] >= first_day) & (rows["created_at"] < last_day)]
judged = window[window["kind"].isin(["label", "quiz"])]
labeler_table = None
if len(judged) and not judged["label"].astype(str).str.startswith("[").any():
    judged = judged.assign(item_id=judged["round"].astype(str) + ":" + judged["item_id"].astype(str))
    keyed_gold = None
    if gold is not None and len(gold):
        by_item = dict(zip(gold["item_id"].astype(str), gold["gold_label"]))
        keyed_gold = {k: by_item[k.split(":", 1)[1]] for k in judged["item_id"].unique() if k.split(":", 1)[1] in by_item}
    adjudicated = window[window["kind"] == "adjudication"]
    adjudicated = dict(zip(adjudicated["round"].astype(str) + ":" + adjudicated["item_id"].astype(str),
                           adjudicated["label"])) if len(adjudicated) else None
    reference = ea.reference_labels(judged, gold=keyed_gold or None, adjudications=adjudicated)
    quality = ea.labeler_quality_table(judged, reference, reference_name="reference", confidence=confidence)
    speed = judged.groupby("annotator").agg(median_seconds=("duration_ms", lambda s: s.median() / 1000),
                                            n_answers=("item_id", "size")).reset_index()
    labeler_table = quality.merge(speed, on="annotator", how="left")
    labeler_table.insert(1, "team", labeler_table["annotator"].map(team_of).fillna(mon.NO_TEAM))

# %%
display(HTML(f"<h1>{nv.esc(title)}</h1><p>Rendered from <code>{nv.esc(Path(str(db_url)).name)}</code> with the "
             f"targets in <code>{nv.esc(Path(str(targets_path)).name)}</code>"
             + (f", rounds {nv.esc(', '.join(str(r) for r in rounds))}" if rounds is not None else "") + ".</p>"))

# %% [markdown]
# ## 1. Verdict per vendor

# %%
judged_targets = verdicts[verdicts["status"].isin(["pass", "fail"])]
failing = judged_targets[judged_targets["status"] == "fail"]
vendors = sorted(verdicts["vendor"].unique())
lines = []
for vendor in vendors:
    mine = judged_targets[judged_targets["vendor"] == vendor]
    bad = mine[mine["status"] == "fail"]
    if mine.empty:
        lines.append(f"<li><b>{nv.esc(vendor)}</b>: no target could be judged (too little data or none set).</li>")
    elif bad.empty:
        lines.append(f"<li><b>{nv.esc(vendor)}</b> meets all {len(mine)} of its targets.</li>")
    else:
        lines.append(f"<li><b>{nv.esc(vendor)}</b> misses {len(bad)} of {len(mine)}: "
                     + "; ".join(f"{nv.esc(r['measure'])} {r['value']:.3g} against {r['threshold']:g} "
                                 f"({nv.esc(r['evidence'])})" for _, r in bad.iterrows()) + ".</li>")
display(HTML(nv.callout_html(
    f"<b>{len(vendors) - failing['vendor'].nunique()} of {len(vendors)} vendors meet every judged target</b> "
    f"between {first_day:%Y-%m-%d} and {(last_day - pd.Timedelta(seconds=1)):%Y-%m-%d}.<ul>{''.join(lines)}</ul>",
    tone="good" if failing.empty else "bad")))
grid = verdicts.pivot_table(index="vendor", columns="target", values="status", aggfunc="first")
grid = grid.reindex(columns=[t for t in mon.TARGETS if t in grid.columns]).fillna("—")
display(HTML(nv.frame_html(grid.map(lambda s: nv.verdict_html({"pass": True, "fail": False}.get(s)) if s in ("pass", "fail")
                                    else nv.esc(s)).reset_index(), raw_columns=list(grid.columns))))

# %% [markdown]
# ## 2. The evidence

# %%
display(Markdown(
    f"Every target of every vendor over the whole range, with the numbers behind it. Rates carry a "
    f"{confidence:.0%} Wilson interval; *clear* says whether the whole interval is on the verdict's side of the "
    f"threshold (a pass that is not clear may be luck). A period needs {targets.min_items} judgements for a "
    "verdict (`min_items`)."))
shown = verdicts.assign(result=[nv.verdict_html({"pass": True, "fail": False}.get(s)) for s in verdicts["status"]],
                        interval=[nv.fmt_interval(v, lo, hi) if np.isfinite(lo) else "" for v, lo, hi in
                                  zip(verdicts["value"], verdicts["ci_low"], verdicts["ci_high"])])
display(HTML(nv.frame_html(shown[["vendor", "measure", "threshold", "value", "interval", "status", "result", "clear",
                                  "n", "evidence"]], raw_columns=["result"], max_rows=200)))
display(Markdown("**Volume**: labelers active, items answered and recorded labeling hours per vendor."))
display(HTML(nv.frame_html(activity)))

# %% [markdown]
# ## 3. Week by week

# %%
if trend.empty:
    display(Markdown("No judgement falls in the range."))
else:
    weeks = trend["period"].nunique()
    worst = (trend[trend["status"] == "fail"].groupby(["vendor", "measure"]).size().sort_values(ascending=False))
    display(Markdown(
        f"{weeks} weeks. " + ("**Failing most often**: " + "; ".join(
            f"{nv.esc(v)}, {nv.esc(m)} ({n} of {weeks} weeks)" for (v, m), n in worst.head(3).items()) + "."
            if len(worst) else "No vendor failed a target in any week.")
        + " A week's turnaround counts the items answered that week, and open work is judged at the week's end."))
    for target in mon.TARGETS:
        if trend[(trend["target"] == target)]["value"].notna().any():
            display(charts.plot_target_trend(nv.chart_data(trend), target=target))
    status_grid = trend.pivot_table(index=["vendor", "target"], columns="period", values="status", aggfunc="first")
    display(HTML(nv.frame_html(status_grid.fillna("—").reset_index(), max_rows=200)))
    display(HTML(nv.frame_html(weekly_activity, max_rows=200)))

# %% [markdown]
# ## 4. Labelers

# %%
if labeler_table is None:
    display(Markdown("Per-labeler quality needs single category labels in the range; there are none."))
else:
    display(Markdown(
        "Each labeler's accuracy against the best reference of each item (gold, else an adjudication, else the "
        "majority of the *other* labelers), with its interval, and their median seconds per item. Fast and "
        "careless sits bottom left; the lowest are listed first."))
    display(charts.plot_speed_quality(nv.chart_data(labeler_table), color="team",
                                      target=targets.defaults.get("min_gold_accuracy")))
    display(HTML(nv.frame_html(labeler_table.sort_values("accuracy")[[
        "annotator", "team", "n_items", "accuracy", "accuracy_ci_low", "accuracy_ci_high", "macro_f1",
        "median_seconds", "reference_sources"]].head(max_labelers), max_rows=max_labelers)))

# %% [markdown]
# ## 5. How each target is measured

# %%
display(HTML(nv.frame_html(pd.DataFrame([
    {"target": name, "targets.yaml key": key, "measured as": what, "pass when": "at least" if side == "min" else "at most"}
    for name, (key, what, side) in mon.TARGETS.items()]))))
display(Markdown(
    "- **Agreement**: of the vendor's labels on items other labelers also labeled in the round, the share equal "
    "to the plurality of those others (the labeler's own vote left out; items where the others tie are left out).\n"
    "- **Gold accuracy**: of the vendor's labels and quiz answers on gold items (`gold_label` on the item), the "
    "share that is right.\n"
    f"- **Turnaround**: hours from assignment (`assigned_at`) to the labeler's first answer, at the "
    f"{targets.turnaround_quantile:.0%} quantile; assigned work still open past the limit fails the target too.\n"
    "- **Cost per item**: `price_per_item`, or `hourly_rate` x recorded labeling hours / answered items."
    + (f" Amounts in {nv.esc(targets.currency)}." if targets.currency else "")))
display(HTML(nv.frame_html(pd.DataFrame([{"vendor": v, **targets.for_vendor(v)} for v in vendors]))))

# %% [markdown]
# ## 6. Reproducibility

# %%
provenance = {
    "parameters": {"db_url": db_url, "targets_path": str(targets_path), "start": str(first_day), "end": str(last_day),
                   "rounds": rounds, "confidence": confidence, "period": period},
    "targets_sha256": nv.frame_hash(pd.DataFrame([{"vendor": v, **targets.for_vendor(v)} for v in vendors]).astype(str)),
    "annotations_sha256": nv.frame_hash(window, ["item_id", "annotator", "kind", "label", "created_at"]),
    "packages": nv.package_versions(),
}
display(HTML(nv.frame_html(pd.DataFrame([{"what": k, "value": v} for k, v in {
    **provenance["parameters"], "targets sha256": provenance["targets_sha256"],
    "annotations sha256": provenance["annotations_sha256"],
    **{f"package {k}": v for k, v in provenance["packages"].items()}}.items()]))))

# %% tags=["remove-cell"]
metrics = {
    "range": {"start": str(first_day), "end": str(last_day)},
    "vendors": {v: {"passed": bool((verdicts[(verdicts["vendor"] == v)]["status"] != "fail").all()),
                    "targets": {r["target"]: {k: r[k] for k in ("value", "threshold", "status", "clear", "n", "ci_low",
                                                                 "ci_high", "evidence")}
                                for _, r in verdicts[verdicts["vendor"] == v].iterrows()}} for v in vendors},
    "trend": nv.to_jsonable(trend),
    "activity": nv.to_jsonable(activity),
    "labelers": None if labeler_table is None else nv.to_jsonable(labeler_table),
    **provenance,
}
nv.write_metrics(out_dir, metrics)
