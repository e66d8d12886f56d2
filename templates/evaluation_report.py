# %% tags=["parameters"]
# Where the round lives: a round where people rate model outputs (pairwise, ranking, rubric).
db_url = "sqlite:///demo-project/workbench.db"  # store URL or SQLite file path
round = 1  # the evaluation round to report on
title = None  # page title; None means Evaluation round N
n_boot = 1000  # bootstrap resamples (items resampled) for every interval
random_state = 0  # seed of every random step: two renders of the same inputs give the same numbers
mask_pii = True  # mask emails, phone numbers, card numbers, IBANs and IP addresses in quoted rationales
max_examples = 3  # examples quoted per finding
max_listed_annotators = 25  # above this many raters, per-rater tables show the 10 most extreme
min_rationale_chars = 10  # a rationale shorter than this does not count as one
# Quality targets (pass / fail): rater agreement on preferences and on each rubric criterion,
# the largest acceptable share of decisive judgements won by the response shown first.
targets = {"preference_alpha": 0.667, "rubric_alpha": 0.667, "max_first_position_share": 0.6}
out_dir = "."  # where metrics.json is written

# %% tags=["remove-cell"]
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown, display

from workbench import agreement as ag
from workbench import charts
from workbench.items import mask_pii as _mask
from workbench.report import figures
from workbench.report import narrative as nv
from workbench.store import AnnotationStore

figures.enable()  # static SVG charts with alt text: the exported page needs no script and no network
warnings.filterwarnings("ignore", category=FutureWarning)
shown_text = _mask if mask_pii else (lambda text: text)

store = AnnotationStore(db_url, create=False)  # a report never creates a store
info = store.round_info(round)
rows = store.annotations(round=round)
items = store.items()
pairwise_rows = rows[rows["kind"].isin(["pairwise", "ranking"])]
rubric_rows = rows[rows["kind"] == "rubric"].copy()
rubric = store.round_rubric(round)  # the round's declared rubric (criteria and scales), or None
title = title or f"Evaluation round {round}" + (f" ({info['name']})" if info.get("name") else "")
if pairwise_rows.empty and rubric_rows.empty:
    kinds = ", ".join(sorted(set(rows["kind"]))) or "no answers"
    raise ValueError(f"Round {round} in {db_url} has no pairwise, ranking or rubric answers ({kinds}). "
                     "An evaluation report needs people's ratings of model outputs; for labels, spans or boxes "
                     "render `workbench report pilot`.")

# %% tags=["remove-cell"]
# ---- Preferences ----
prefs = wins = strengths = rater_agreement = ties = ties_by_rater = position = position_by_rater = cycles = None
if len(pairwise_rows):
    prefs = ag.preferences_from_annotations(pairwise_rows, items)
    wins = ag.win_rates(prefs)
    strengths = ag.bradley_terry(prefs, prior=0.5, n_boot=n_boot, random_state=random_state)
    rater_agreement = ag.preference_agreement(prefs, n_boot=n_boot, random_state=random_state)
    ties = ag.tie_rate(prefs)
    ties_by_rater = ag.tie_rate(prefs, by="annotator")
    position = ag.position_bias(prefs)
    position_by_rater = ag.position_bias(prefs, by="annotator")
    cycles = ag.transitivity_violations(prefs)
    pref_alpha = rater_agreement.set_index("metric").loc["krippendorff_alpha"]

# %% tags=["remove-cell"]
# ---- Rubric ----
scores = rubric_alpha = distribution = correlations = coverage = None
if len(rubric_rows):
    scores = ag.rubric_scores(rubric_rows)
    rubric_alpha = ag.rubric_agreement(rubric_rows, n_boot=n_boot, random_state=random_state)
    distribution = ag.rubric_distribution(rubric_rows)
    correlations = ag.rubric_correlations(rubric_rows)
    coverage = ag.rationale_coverage(rubric_rows, min_chars=min_rationale_chars)

# %% tags=["remove-cell"]
# ---- Quality targets ----
target_rows = []
if prefs is not None:
    target_rows.append(("rater agreement on preferences (Krippendorff's alpha)", pref_alpha["value"],
                        targets.get("preference_alpha"), nv.fmt_interval(pref_alpha["value"], pref_alpha["ci_low"],
                                                                          pref_alpha["ci_high"])))
    first = position.iloc[0]
    target_rows.append(("share of decisive judgements won by the first response", first["first_win_share"],
                        targets.get("max_first_position_share"),
                        f"{int(first['first_wins'])} of {int(first['n_decisive'])} (p = {first['p_value']:.3g})"))
if rubric_alpha is not None:
    ordinal = rubric_alpha[rubric_alpha["level"] == "ordinal"].rename(columns={"alpha": "value"})
    low = ordinal.sort_values("value").iloc[0]
    target_rows.append(("rubric agreement, every criterion (ordinal alpha)", low["value"], targets.get("rubric_alpha"),
                        f"lowest: {low['criterion']} {nv.fmt_interval(low['value'], low['ci_low'], low['ci_high'])}"))


def passed(name, value, threshold):
    if threshold is None or not np.isfinite(value):
        return None
    return bool(value <= threshold) if name.startswith("share of decisive") else bool(value >= threshold)


quality_targets = pd.DataFrame([{"target": n, "value": v, "threshold": t, "passed": passed(n, v, t), "evidence": e}
                                for n, v, t, e in target_rows])

# %%
display(HTML(f"<h1>{nv.esc(title)}</h1><p>Rendered from <code>{nv.esc(Path(str(db_url)).name)}</code>, "
             f"round {nv.esc(round)}.</p>"))

# %% [markdown]
# ## 1. Summary

# %%
judged = quality_targets.dropna(subset=["passed"])
lines = []
if wins is not None:
    best, second = strengths.iloc[0], (strengths.iloc[1] if len(strengths) > 1 else None)
    separated = second is not None and best["ci_low"] > second["ci_high"]
    lines.append(f"<b>{nv.esc(best['system'])}</b> is preferred most (Bradley-Terry score {best['score']:.2f}, 95% CI "
                 f"{best['ci_low']:.2f} to {best['ci_high']:.2f}; win rate "
                 f"{wins.set_index('system').loc[best['system'], 'win_rate']:.0%})"
                 + ("" if second is None else
                    f", {'clearly ahead of' if separated else 'not clearly separated from'} "
                    f"<b>{nv.esc(second['system'])}</b> ({second['score']:.2f}, {second['ci_low']:.2f} to "
                    f"{second['ci_high']:.2f})") + ".")
if rubric_alpha is not None:
    means = scores.groupby("criterion")["score"].mean()
    lines.append(f"On the rubric, {len(means)} criteria were scored {len(rubric_rows)} times; mean scores range from "
                 f"{means.min():.2f} ({nv.esc(means.idxmin())}) to {means.max():.2f} ({nv.esc(means.idxmax())}).")
lines.append(f"{int(judged['passed'].astype(bool).sum())} of {len(judged)} quality targets pass.")
display(HTML(nv.callout_html(" ".join(lines), tone="good" if judged["passed"].astype(bool).all() else "warn")))

# %% [markdown]
# ## 2. Scope

# %%
raters = sorted(pd.concat([pairwise_rows, rubric_rows])["annotator"].unique())
judgements = pd.concat([pairwise_rows, rubric_rows])
display(Markdown(
    f"{judgements['item_id'].nunique()} items were rated by {len(raters)} raters ({nv.name_list(raters)}): "
    + ", ".join(f"{int(n)} {k} answers" for k, n in judgements["kind"].value_counts().items()) + ". "
    + (f"The pairwise answers give {len(prefs)} judgements between {len(wins)} systems. " if prefs is not None else "")
    + (f"A median of {judgements['duration_ms'].dropna().median() / 1000:.1f} seconds per answer."
       if judgements["duration_ms"].notna().any() else "No timings were recorded.")))

# %% [markdown]
# ## 3. Which system people prefer

# %%
if prefs is None:
    display(Markdown("This round has no pairwise or ranking answers."))
else:
    display(Markdown(
        "**Win rate**: the share of a system's comparisons it won, a tie counting half, with a 95% Wilson interval. "
        "**Bradley-Terry**: one strength per system fitted to every comparison at once (so a win over a strong "
        "system counts more), with 95% intervals from resampling items; 0.5 virtual ties per pair keep the "
        "estimate finite when a system never loses."))
    display(charts.plot_win_rates(nv.chart_data(wins)))
    display(charts.plot_bradley_terry(nv.chart_data(strengths)))
    display(HTML(nv.frame_html(wins.merge(strengths[["system", "score"]].rename(columns={"score": "bradley_terry"}),
                                          on="system"))))

# %% [markdown]
# ## 4. Can the raters' preferences be trusted

# %%
if prefs is None:
    display(Markdown("This round has no pairwise or ranking answers."))
else:
    overall_ties, first = ties.iloc[0], position.iloc[0]
    display(Markdown(
        f"**Raters agree on the winner with Krippendorff's alpha {nv.fmt_interval(pref_alpha['value'], pref_alpha['ci_low'], pref_alpha['ci_high'])}** "
        f"(ties as a third answer; items two or more raters judged). "
        f"{overall_ties['tie_rate']:.0%} of judgements are ties (95% CI {overall_ties['ci_low']:.0%} to "
        f"{overall_ties['ci_high']:.0%}). The response shown first wins {first['first_win_share']:.0%} of decisive "
        f"judgements (95% CI {first['ci_low']:.0%} to {first['ci_high']:.0%}, binomial test against 50%: "
        f"p = {first['p_value']:.3g})" + (": **a position bias**; randomise the order per rater and check who drives it."
                                           if first["p_value"] < 0.05 else ": no sign of position bias.")))
    display(HTML(nv.frame_html(rater_agreement)))
    per_rater = (ties_by_rater[["annotator", "n_judgements", "tie_rate"]]
                 .merge(position_by_rater[["annotator", "n_decisive", "first_win_share", "p_value"]], on="annotator")
                 .merge(cycles[["annotator", "n_triads", "n_cyclic_triads", "cyclic_share", "examples"]],
                        on="annotator", how="left"))
    display(Markdown("**Each rater**: ties, the share of decisive judgements given to the first response, and "
                     "transitivity (a rater who prefers a to b, b to c and c to a across items is inconsistent)"
                     + (f"; the {max_listed_annotators} raters with the most cyclic triads." if len(per_rater) > max_listed_annotators
                        else ".")))
    display(HTML(nv.frame_html(per_rater.sort_values(["cyclic_share", "n_judgements"], ascending=[False, False])
                               .head(max_listed_annotators))))

# %% [markdown]
# ## 5. Rubric

# %%
if rubric_alpha is None:
    display(Markdown("This round has no rubric answers."))
else:
    ordinal = rubric_alpha[rubric_alpha["level"] == "ordinal"].rename(columns={"alpha": "value"}).sort_values("value")
    display(Markdown(
        (f"The round's rubric declares {len(rubric.criteria)} criteria. " if rubric is not None else
         "The round declares no rubric, so answers were checked only for shape. ")
        + f"**Raters agree least on *{nv.esc(ordinal['criterion'].iloc[0])}*** (ordinal alpha "
        f"{nv.fmt_interval(ordinal['value'].iloc[0], ordinal['ci_low'].iloc[0], ordinal['ci_high'].iloc[0])}) and most on "
        f"*{nv.esc(ordinal['criterion'].iloc[-1])}* ({ordinal['value'].iloc[-1]:.3f}). Ordinal alpha counts a 4 against "
        "a 5 as a smaller disagreement than a 1 against a 5; interval alpha also treats the steps as equal."
        f" {coverage.iloc[0]['share']:.0%} of answers have a rationale of {min_rationale_chars} or more characters."))
    display(HTML(nv.frame_html(rubric_alpha.assign(**{"value (95% CI)": [nv.fmt_interval(v, lo, hi) for v, lo, hi in zip(
        rubric_alpha["alpha"], rubric_alpha["ci_low"], rubric_alpha["ci_high"])]}).drop(columns=["alpha", "ci_low", "ci_high"]))))
    display(charts.plot_score_distribution(nv.chart_data(distribution)))
    if correlations.shape[0] > 1:
        display(Markdown("**Correlation between criteria** (Spearman, on each item's mean scores): two criteria "
                         "that always move together may be one criterion to raters."))
        display(charts.plot_criterion_correlations(correlations))
    display(Markdown("**Rationales** per rater:"))
    display(HTML(nv.frame_html(coverage.head(max_listed_annotators + 1))))

# %% [markdown]
# ## 6. Quality targets

# %%
if quality_targets.empty:
    display(Markdown("No quality target applies to this round."))
else:
    display(HTML(nv.frame_html(quality_targets.assign(result=[nv.verdict_html(p) for p in quality_targets["passed"]])
                               [["target", "threshold", "value", "result", "evidence"]], raw_columns=["result"])))

# %% [markdown]
# ## 7. Reproducibility

# %%
provenance = {
    "parameters": {"db_url": db_url, "round": round, "n_boot": n_boot, "random_state": random_state,
                   "mask_pii": mask_pii, "min_rationale_chars": min_rationale_chars, "targets": targets},
    "annotations_sha256": nv.frame_hash(judgements, ["item_id", "annotator", "kind", "label"]),
    "packages": nv.package_versions(),
}
display(HTML(nv.frame_html(pd.DataFrame(
    [{"what": k, "value": v} for k, v in {**provenance["parameters"], "annotations sha256": provenance["annotations_sha256"],
                                          **{f"package {k}": v for k, v in provenance["packages"].items()}}.items()]))))

# %% tags=["remove-cell"]
metrics = {
    "round": round,
    "scope": {"items": int(judgements["item_id"].nunique()), "raters": raters,
              "answers": {k: int(n) for k, n in judgements["kind"].value_counts().items()}},
    "preferences": None if prefs is None else {
        "judgements": len(prefs), "win_rates": nv.to_jsonable(wins), "bradley_terry": nv.to_jsonable(strengths),
        "rater_agreement": nv.to_jsonable(rater_agreement), "tie_rate": nv.to_jsonable(ties.iloc[0].to_dict()),
        "position_bias": nv.to_jsonable(position.iloc[0].to_dict()), "transitivity": nv.to_jsonable(cycles)},
    "rubric": None if rubric_alpha is None else {
        "declared": None if rubric is None else rubric.to_dict(), "agreement": nv.to_jsonable(rubric_alpha),
        "distribution": nv.to_jsonable(distribution), "correlations": nv.to_jsonable(correlations.reset_index()),
        "rationale_coverage": nv.to_jsonable(coverage)},
    "quality_targets": {r["target"]: {"value": r["value"], "threshold": r["threshold"], "passed": r["passed"],
                                      "evidence": r["evidence"]} for _, r in quality_targets.iterrows()},
    **provenance,
}
nv.write_metrics(out_dir, metrics)
