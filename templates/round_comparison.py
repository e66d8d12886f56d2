# %% [markdown]
# # Round comparison

# %% tags=["parameters"]
db_url = "sqlite:///demo-project/workbench.db"  # store URL or SQLite file path
round = 2  # the newer round
previous_round = None  # the older round; None means round - 1
n_boot = 1000  # bootstrap resamples for every interval
random_state = 0  # seed of every random step
title = None  # page title; None means Round N vs round N-1
out_dir = "."  # where metrics.json is written

# %% tags=["remove-cell"]
import warnings

import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown, display

from workbench import agreement as ag
from workbench import charts
from workbench.report import figures
from workbench.report import narrative as nv
from workbench.store import AnnotationStore
from workbench.taxonomy import diff

figures.enable()  # static SVG charts with alt text: the exported page needs no script and no network
warnings.filterwarnings("ignore", category=FutureWarning)

store = AnnotationStore(db_url, create=False)  # a report never creates a store
previous_round = round - 1 if previous_round is None else previous_round
rounds = {}
for r in (previous_round, round):
    info = store.round_info(r)
    tax = store.taxonomy(info["taxonomy_version"])
    ann = store.annotations(round=r, kind="label")
    if ann.empty:
        raise ValueError(f"Round {r} has no labels in {db_url}; label it before comparing.")
    rounds[r] = {"taxonomy": tax, "labels": ann}
old, new = rounds[previous_round], rounds[round]
old_tax, new_tax = old["taxonomy"], new["taxonomy"]
title = title or f"Round {round} vs round {previous_round}"

# Old labels expressed in the new taxonomy (renames and merges carried over; splits need relabel).
if old_tax.version != new_tax.version:
    mapping = new_tax.migrate(sorted(old["labels"]["label"].unique()), old_tax.version, new_tax.version)
    mapped = dict(zip(mapping["label"], mapping["migrated_label"]))
else:
    mapping, mapped = None, {}
old_mapped = old["labels"].assign(label=old["labels"]["label"].map(lambda v: mapped.get(v, v)))
categories = list(new_tax.labels)


def summary(labels, cats):
    table = ag.agreement_table(labels, categories=cats, metrics=["krippendorff_alpha", "fleiss_kappa",
                                                                 "percent_agreement"],
                               n_boot=n_boot, random_state=random_state).set_index("metric")
    per_cat = ag.per_category_table(labels, categories=cats, n_boot=n_boot, random_state=random_state)
    return table, per_cat


old_overall, old_per_cat = summary(old_mapped.dropna(subset=["label"]), categories)
new_overall, new_per_cat = summary(new["labels"], categories)

# %% tags=["remove-cell"]
display(HTML(f"<h1>{nv.esc(title)}</h1>"))  # HTML: no id or anchor made from the text

# %% [markdown]
# ## 1. Did the revision help?

# %%
a_old, a_new = old_overall.loc["krippendorff_alpha"], new_overall.loc["krippendorff_alpha"]
delta = a_new["value"] - a_old["value"]
better = np.isfinite(delta) and a_new["ci_low"] > a_old["ci_high"]
worse = np.isfinite(delta) and a_new["ci_high"] < a_old["ci_low"]
verdict = ("improved clearly (the intervals do not overlap)" if better else
           "got worse clearly (the intervals do not overlap)" if worse else
           "changed within the uncertainty of the estimates")
display(HTML(nv.callout_html(
    f"Krippendorff's alpha went from {nv.esc(nv.fmt_interval(a_old['value'], a_old['ci_low'], a_old['ci_high']))} "
    f"in round {nv.esc(previous_round)} ({nv.esc(old_tax.name)} v{old_tax.version}) to "
    f"{nv.esc(nv.fmt_interval(a_new['value'], a_new['ci_low'], a_new['ci_high']))} in round {nv.esc(round)} "
    f"(v{new_tax.version}): it {verdict}.", tone="good" if better else "bad" if worse else "info")))
both = pd.concat([old_overall.assign(round=previous_round), new_overall.assign(round=round)]).reset_index()
display(HTML(nv.frame_html(both[["round", "metric", "value", "ci_low", "ci_high", "n_items", "n_annotators"]])))

# %% [markdown]
# ## 2. Taxonomy changes between the rounds

# %%
if old_tax.version == new_tax.version:
    display(Markdown("Both rounds used the same taxonomy version."))
else:
    display(HTML(nv.frame_html(diff(old_tax, new_tax))))
    display(Markdown("How the old labels map into the new version:"))
    display(HTML(nv.frame_html(mapping)))

# %% [markdown]
# ## 3. Agreement per category, before and after

# %%
per_cat = old_per_cat[["category", "support", "kappa", "kappa_low", "kappa_high"]].merge(
    new_per_cat[["category", "support", "kappa", "kappa_low", "kappa_high"]], on="category", how="outer",
    suffixes=(f"_round{previous_round}", f"_round{round}"))
per_cat["kappa_change"] = per_cat[f"kappa_round{round}"] - per_cat[f"kappa_round{previous_round}"]
long = nv.chart_data(pd.concat([  # SVG labels: control characters shown, as in the tables
    old_per_cat.assign(round=f"round {previous_round}"), new_per_cat.assign(round=f"round {round}")]))
display(charts.plot_category_change(long))
display(HTML(nv.frame_html(per_cat.sort_values("kappa_change"))))

# %% [markdown]
# ## 4. Label distribution drift

# %%
shares = pd.concat([
    old_mapped["label"].value_counts(normalize=True).rename(f"share_round{previous_round}"),
    new["labels"]["label"].value_counts(normalize=True).rename(f"share_round{round}")], axis=1).fillna(0.0)
shares["change"] = shares[f"share_round{round}"] - shares[f"share_round{previous_round}"]
tvd = 0.5 * shares["change"].abs().sum()
display(Markdown(f"Total variation distance between the two label distributions: **{tvd:.3f}** "
                 "(0 = identical, 1 = disjoint). The largest shifts:"))
display(HTML(nv.frame_html(shares.rename_axis("category").reset_index().sort_values("change", key=abs, ascending=False))))

# %% [markdown]
# ## 5. Speed

# %%
speed = pd.concat([
    old["labels"].assign(round=previous_round), new["labels"].assign(round=round)])
speed = speed.assign(seconds=speed["duration_ms"] / 1000.0)
per_annotator = speed.groupby(["round", "annotator"])["seconds"].median().unstack("round")
display(Markdown("Median seconds per item, per annotator and round:"))
display(HTML(nv.frame_html(per_annotator.reset_index())))
medians = speed.groupby("round")["seconds"].median()

# %% tags=["remove-cell"]
nv.write_metrics(out_dir, {
    "rounds": [previous_round, round],
    "taxonomy_versions": [old_tax.version, new_tax.version],
    "alpha": {str(previous_round): dict(a_old[["value", "ci_low", "ci_high"]]),
              str(round): dict(a_new[["value", "ci_low", "ci_high"]])},
    "alpha_change": delta, "verdict": verdict, "label_tvd": tvd,
    "median_seconds": {str(k): v for k, v in medians.items()},
    "per_category": per_cat,
})
