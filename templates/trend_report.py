# %% tags=["parameters"]
# Which rounds to follow over time.
db_url = "sqlite:///demo-project/workbench.db"  # store URL or SQLite file path
rounds = None  # the rounds, in order (a list of ints); None means every round of the store
title = None  # page title; None means Rounds <first> to <last>
alpha = 0.05  # level of the chi-square test of each step between rounds
drop = 0.1  # a labeler whose agreement with the others falls by more than this from one round to the next is flagged
n_boot = 500  # bootstrap resamples (items) for each round's agreement interval
random_state = 0  # seed of every random step
production_path = None  # optional CSV / JSONL / Parquet of production texts (a `text` column): pool vs production drift
out_dir = "."  # where metrics.json is written

# %% tags=["remove-cell"]
import warnings
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Markdown, display

from workbench import agreement as ag
from workbench import charts
from workbench import monitoring as mon
from workbench.report import figures
from workbench.report import narrative as nv
from workbench.store import AnnotationStore

figures.enable()  # static SVG charts with alt text: the exported page needs no script and no network
warnings.filterwarnings("ignore", category=FutureWarning)

store = AnnotationStore(db_url, create=False)  # a report never creates a store
known = store.rounds()
rounds = list(known["round"]) if rounds is None else [int(r) for r in rounds]
missing = sorted(set(rounds) - set(known["round"]))
if missing:
    raise ValueError(f"Round(s) {missing} are not in {db_url}; it has {sorted(known['round'])}.")
if len(rounds) < 2:
    raise ValueError(f"A trend needs at least two rounds; got {rounds}. For one round render `workbench report pilot`.")
rows = store.annotations()
rows = rows[rows["round"].isin(rounds)]
labels = rows[rows["kind"] == "label"]
if labels.empty:
    raise ValueError(f"Rounds {rounds} of {db_url} have no category labels to follow over time.")
title = title or f"Rounds {rounds[0]} to {rounds[-1]}: labels and labelers over time"
names = dict(zip(known["round"], known["name"]))
universe = []
for version in dict.fromkeys(known[known["round"].isin(rounds)]["taxonomy_version"]):
    universe += [c for c in store.taxonomy(int(version)).labels if c not in universe]
distribution = mon.label_distribution_table(labels, labels=universe)
distribution["round"] = pd.Categorical(distribution["round"], categories=rounds, ordered=True)
distribution = distribution.sort_values(["round", "label"]).astype({"round": int})
ordered = pd.concat([labels[labels["round"] == r] for r in rounds])
steps = mon.label_drift_table(ordered, labels=universe, alpha=alpha)
labeler_trend = mon.labeler_drift_table(labels, drop=drop)
per_round = []
for r in rounds:
    mine = labels[labels["round"] == r]
    if mine.groupby("item_id")["annotator"].nunique().max() < 2:
        continue
    table = ag.agreement_table(mine, metrics=["krippendorff_alpha"], n_boot=n_boot, random_state=random_state)
    row = table.iloc[0]
    per_round.append({"round": r, "name": names.get(r), "alpha": row["value"], "ci_low": row["ci_low"],
                      "ci_high": row["ci_high"], "n_items": int(row["n_items"]), "labels": len(mine),
                      "annotators": mine["annotator"].nunique()})
per_round = pd.DataFrame(per_round, columns=["round", "name", "alpha", "ci_low", "ci_high", "n_items", "labels",
                                             "annotators"])
progress = []
for r in rounds:
    table = mon.progress_speed_table(store.assignments(round=r), rows[rows["round"] == r])
    if len(table):
        progress.append({"round": r, "assigned": int(table["assigned"].sum()), "done": int(table["done"].sum()),
                         "remaining": int(table["remaining"].sum()),
                         "median_seconds": float(table["median_seconds"].median())})
progress = pd.DataFrame(progress, columns=["round", "assigned", "done", "remaining", "median_seconds"])
pool_check = None
if production_path:
    from workbench.items import read_items

    production = read_items(production_path)
    pooled = store.items(item_ids=sorted(set(rows["item_id"].astype(str))))
    pool_check = mon.pool_drift_report(pooled["text"], production["text"])

# %%
display(HTML(f"<h1>{nv.esc(title)}</h1><p>Rendered from <code>{nv.esc(Path(str(db_url)).name)}</code>, rounds "
             f"{nv.esc(', '.join(str(r) for r in rounds))}.</p>"))

# %% [markdown]
# ## 1. Summary

# %%
moved = steps[steps["verdict"].isin(["major", "moderate"])]
drifting = labeler_trend[labeler_trend["drifting"]]
lines = [f"{len(rounds)} rounds, {len(labels)} labels by {labels['annotator'].nunique()} labelers."]
if len(moved):
    lines.append("<b>The label mix shifted</b> " + "; ".join(
        f"from round {int(s['round_from'])} to {int(s['round_to'])} ({s['verdict']}, PSI {s['psi']:.2f}; most: "
        + ", ".join(f"{nv.esc(lab)} {a:.0%} to {b:.0%}" for lab, a, b in s["largest_changes"][:2]) + ")"
        for _, s in moved.iterrows()) + ".")
else:
    lines.append("The label mix is stable from round to round (every step's PSI is at most 0.1).")
if len(drifting):
    lines.append("<b>Labelers drifting</b> (agreement with the others down by more than "
                 f"{drop:g} from their previous round): " + "; ".join(
                     f"{nv.esc(d['annotator'])} in round {int(d['round'])} ({d['agreement_with_majority']:.2f}, "
                     f"{d['change']:+.2f})" for _, d in drifting.iterrows()) + ".")
else:
    lines.append(f"No labeler's agreement with the others fell by more than {drop:g} between rounds.")
if len(per_round) >= 2:
    lines.append(f"Agreement (Krippendorff's alpha) went from {per_round['alpha'].iloc[0]:.2f} in round "
                 f"{int(per_round['round'].iloc[0])} to {per_round['alpha'].iloc[-1]:.2f} in round "
                 f"{int(per_round['round'].iloc[-1])}.")
display(HTML(nv.callout_html(" ".join(lines), tone="warn" if len(moved) or len(drifting) else "good")))

# %% [markdown]
# ## 2. The label mix, round by round

# %%
display(Markdown(
    "Each step between consecutive rounds gets two tests. The **chi-square test of homogeneity** asks whether the "
    f"change is larger than sampling noise (level {alpha:g}; with thousands of labels it flags tiny changes). The "
    "**population stability index** (PSI) says how large it is: below 0.1 stable, 0.1 to 0.25 moderate, above "
    "0.25 major. A shift is not a labeling error by itself: the incoming data may have changed; the pool-vs-"
    "production section and the labelers below tell which."))
display(charts.plot_label_shares(nv.chart_data(distribution)))
shown_steps = steps.assign(largest_changes=steps["largest_changes"].map(
    lambda changes: "; ".join(f"{lab}: {a:.1%} → {b:.1%}" for lab, a, b in changes)))
display(HTML(nv.frame_html(shown_steps)))
wide = distribution.pivot_table(index="label", columns="round", values="share", aggfunc="sum").reindex(columns=rounds)
display(HTML(nv.frame_html(wide.map(lambda v: f"{v:.1%}").reset_index(), max_rows=200)))

# %% [markdown]
# ## 3. Agreement over time

# %%
if per_round.empty:
    display(Markdown("No round has items labeled by two or more labelers, so agreement cannot be followed."))
else:
    display(Markdown("Krippendorff's alpha of each round with a 95% bootstrap interval (items resampled)."))
    display(charts.plot_round_trend(nv.chart_data(per_round), value="alpha", low="ci_low", high="ci_high",
                                    title="Agreement (Krippendorff's alpha) per round"))
    display(HTML(nv.frame_html(per_round)))

# %% [markdown]
# ## 4. Labelers over time

# %%
display(Markdown(
    "Each labeler's agreement with the majority label of the *other* labelers of the same items, per round. A drop "
    f"of more than {drop:g} from the labeler's previous round is flagged: retraining, a misread rule, or fatigue."))
display(charts.plot_round_trend(nv.chart_data(labeler_trend), value="agreement_with_majority", by="annotator",
                                highlight="drifting", title="Agreement with the others, per labeler and round"))
display(HTML(nv.frame_html(labeler_trend.sort_values(["drifting", "annotator", "round"], ascending=[False, True, True]),
                           max_rows=200)))

# %% [markdown]
# ## 5. Pool against production

# %%
if pool_check is None:
    display(Markdown("No production sample was given (parameter `production_path`): the labeled pool is not "
                     "compared with production data."))
else:
    display(Markdown("The labeled pool against the production sample: text length, language and, when predictions "
                     "are given, the predicted label mix. PSI thresholds as above."))
    display(HTML(nv.frame_html(pool_check)))

# %% [markdown]
# ## 6. Progress per round

# %%
display(HTML(nv.frame_html(progress)))

# %% [markdown]
# ## 7. Reproducibility

# %%
provenance = {
    "parameters": {"db_url": db_url, "rounds": rounds, "alpha": alpha, "drop": drop, "n_boot": n_boot,
                   "random_state": random_state, "production_path": production_path},
    "annotations_sha256": nv.frame_hash(labels, ["round", "item_id", "annotator", "label"]),
    "packages": nv.package_versions(),
}
display(HTML(nv.frame_html(pd.DataFrame([{"what": k, "value": v} for k, v in {
    **provenance["parameters"], "annotations sha256": provenance["annotations_sha256"],
    **{f"package {k}": v for k, v in provenance["packages"].items()}}.items()]))))

# %% tags=["remove-cell"]
metrics = {
    "rounds": rounds,
    "distribution": nv.to_jsonable(distribution),
    "steps": nv.to_jsonable(steps.assign(largest_changes=steps["largest_changes"].map(list))),
    "agreement": nv.to_jsonable(per_round),
    "labelers": nv.to_jsonable(labeler_trend),
    "drifting": [{"annotator": d["annotator"], "round": int(d["round"])} for _, d in drifting.iterrows()],
    "pool_vs_production": None if pool_check is None else nv.to_jsonable(pool_check),
    "progress": nv.to_jsonable(progress),
    **provenance,
}
nv.write_metrics(out_dir, metrics)
