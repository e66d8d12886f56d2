# %% tags=["parameters"]
# Where the round lives and what to analyse.
db_url = "sqlite:///demo-project/workbench.db"  # store URL or SQLite file path
round = 1  # the pilot round to report on
taxonomy_path = None  # a taxonomy YAML file; None means the version the round was created with
title = None  # page title; None means Pilot round N, taxonomy name and version
# Analysis settings.
model = "default"  # "default" (TF-IDF + logistic regression, cross-validated) or "none"
cv = 5  # cross-validation folds of the baseline model
cv_large = 3  # folds when more than `large_round` items have a consensus label (None: always `cv`); see below
large_round = 2000
# Why fewer folds for a large round: each of 3 folds still trains on >= 1,333 items, and on the
# 5,000-item benchmark (benchmarks/results/report.md) 3 folds gave accuracy 0.924 vs 0.923 and macro F1
# 0.928 vs 0.927 with 5 folds, found 97 of the 101 label issues 5 folds found, and took 0.6x the time
# (5.8 s vs 9.9 s on an idle machine, 35 s vs 65 s on a busy one).
n_boot = 1000  # bootstrap resamples for every interval
random_state = 0  # seed of every random step: two renders of the same inputs give the same numbers
mask_pii = True  # mask emails, phone numbers, card numbers, IBANs and IP addresses in examples
max_examples = 3  # examples shown per confused pair / proposal
max_heatmap_annotators = 25  # above this many annotators, the pairwise heatmap shows the 25 who overlap most
max_listed_annotators = 25  # above this many, the annotator table shows distributions and the top and bottom 10
model_max_items = 20000  # above this many consensus items, the model learns from a stratified sample of this size
accept = "high"  # which proposals the draft next version accepts: "high", "medium", "all", "none" or a list of ids
rules = {}  # overrides of workbench.revisions.RevisionRules thresholds, e.g. {"merge_human_share": 0.3}
# Quality targets (pass / fail): for an in-house team or a vendor's acceptance criteria. span_f1 and box_f1
# (exact-match span F1, box F1 at IoU 0.5, between annotators) apply to rounds with spans or boxes.
targets = {"alpha_overall": 0.667, "kappa_per_category": 0.6, "gold_accuracy": 0.9, "span_f1": 0.8, "box_f1": 0.8}
out_dir = "."  # where metrics.json and the draft taxonomy are written

# %% tags=["remove-cell"]
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown, display

from workbench import agreement as ag
from workbench import charts
from workbench import error_analysis as ea
from workbench import monitoring as mon
from workbench.report import figures
from workbench.report import narrative as nv
from workbench import revisions as rv
from workbench.items import mask_pii as _mask
from workbench.store import AnnotationStore
from workbench.taxonomy import Taxonomy, diff

figures.enable()  # static SVG charts with alt text: the exported page needs no script and no network
warnings.filterwarnings("ignore", category=FutureWarning)
pd.set_option("display.max_colwidth", 120)

store = AnnotationStore(db_url, create=False)  # a report never creates a store
info = store.round_info(round)
taxonomy = Taxonomy.load(taxonomy_path) if taxonomy_path else store.taxonomy(info["taxonomy_version"])
rows = store.annotations(round=round)
labels = rows[rows["kind"] == "label"].copy()
adjudications = rows[rows["kind"] == "adjudication"].copy()
skips = rows[rows["kind"] == "skip"]
spans = rows[rows["kind"] == "spans"].copy()  # text spans (SpanTagger): JSON lists of {start, end, label}
boxes = rows[rows["kind"] == "boxes"].copy()  # image boxes (BoxAnnotator): JSON lists of {x, y, w, h, label}
has_labels = not labels.empty
answered = pd.concat([labels, spans, boxes], ignore_index=True)  # every answer this report analyses
items = store.items()
assignments = store.assignments(round=round)
categories = list(taxonomy.labels)
shown_text = _mask if mask_pii else (lambda text: text)  # for item text quoted in proposals, notes and drafts
title = title or f"Pilot round {round}: {taxonomy.name} v{taxonomy.version}"
if answered.empty:
    rated = sorted(set(rows["kind"]) & {"pairwise", "ranking", "rubric"})
    raise ValueError(f"Round {round} in {db_url} has no labels, spans or boxes yet"
                     + (f" (it has {', '.join(rated)} answers: render `workbench report evaluation` for those)"
                        if rated else ": label some items first (workbench.widgets.Labeller or store.record)")
                     + " and render again.")

# %% tags=["remove-cell"]
# ---- Scope ----
ratings_per_item = answered.groupby("item_id")["annotator"].nunique()
annotators = sorted(answered["annotator"].unique())
n_items = int(ratings_per_item.size)
n_multi = int((ratings_per_item >= 2).sum())
overlap = ratings_per_item.value_counts().sort_index()
hours = answered["duration_ms"].fillna(0).sum() / 3.6e6
median_seconds = (answered["duration_ms"].dropna().median() / 1000 if answered["duration_ms"].notna().any()
                  else float("nan"))
multilabel = taxonomy.task == "multilabel"  # labels are JSON lists: each category counted once per label set
def region_labels(frame):  # the label of every span or box given
    return frame["label"].map(lambda v: [e.get("label") for e in json.loads(v) if isinstance(e, dict)]).explode().dropna()


if has_labels:
    applied = labels["label"].map(json.loads).explode() if multilabel else labels["label"]
else:  # a spans or boxes round: how often each label was given to a region
    applied = pd.concat([region_labels(spans), region_labels(boxes)])
distribution = (applied.value_counts().reindex(categories, fill_value=0)
                .rename_axis("category").reset_index(name="count"))
distribution["share"] = distribution["count"] / max(1, distribution["count"].sum())
rare = distribution[(distribution["share"] < 0.02)]["category"].tolist()
used = distribution[distribution["count"] > 0]["count"]
imbalance_ratio = float(used.max() / used.min()) if len(used) > 1 else float("nan")
n_unsure = int(answered["unsure"].fillna(False).astype(bool).sum())
n_other = int((applied == taxonomy.other_label).sum()) if taxonomy.other_label else 0

# %% tags=["remove-cell"]
# ---- Agreement ----
# Classification agreement; spans and boxes have their own cell below.
overall = per_category = alpha_row = levels = pairwise = annotator_stats = disagreements = consensus = None
human_pairs = pd.DataFrame()
if has_labels:
    if multilabel:  # set agreement (MASI distance) overall; each category as a yes/no decision; exact sets per pair
        sets = ag.multilabel_agreement(labels, labels=categories, n_boot=n_boot, random_state=random_state)
        overall = sets[sets["level"] == "set"].assign(
            metric=lambda d: d["metric"].replace({"krippendorff_alpha_masi": "krippendorff_alpha"}),
            n_annotators=labels["annotator"].nunique())[["metric", "value", "ci_low", "ci_high", "n_items", "n_annotators",
                                                         "n_pairable"]].reset_index(drop=True)
        per_category = ag.per_label_table(labels, labels=categories, n_boot=n_boot, random_state=random_state)
        human_pairs = ag.label_split_table(labels, n_examples=max_examples)
    else:
        overall = ag.agreement_table(labels, categories=categories, n_boot=n_boot, random_state=random_state)
        per_category = ag.per_category_table(labels, categories=categories, n_boot=n_boot, random_state=random_state)
        human_pairs = ag.confusion_table(labels, n_examples=max_examples)
    alpha_row = overall.set_index("metric").loc["krippendorff_alpha"]
    pairwise = ag.pairwise_table(labels)  # multi-label: agreement on the exact label set
    annotator_stats = ag.annotator_table(labels)
    levels = (ag.hierarchy_table(labels, parent_of=taxonomy.parent_of) if taxonomy.max_depth > 0 and not multilabel
              else None)
    disagreements = ag.disagreement_table(labels)
    consensus = ag.consensus_table(labels, adjudications=adjudications if len(adjudications) else None)

# %% tags=["remove-cell"]
# ---- Spans and boxes ----
span_table = span_kappa = span_consensus = span_worst = None
if len(spans):  # pairwise span F1 (exact and overlap), token-level kappa, consensus spans, worst items
    span_table = ag.span_agreement(spans)
    span_overall = span_table[span_table["annotator_a"].isna() & span_table["label"].isna()].iloc[0]
    span_per_label = span_table[span_table["annotator_a"].isna() & span_table["label"].notna()].sort_values("exact_f1")
    span_pairs = span_table[span_table["annotator_a"].notna() & span_table["label"].isna()]
    span_kappa = ag.span_token_kappa(spans, items)
    span_consensus = ag.consensus_spans(spans)
    span_worst = ag.span_disagreements(spans)
box_table = box_consensus = box_worst = None
if len(boxes):  # IoU-matched boxes: mean IoU and F1 at IoU 0.5 and 0.75, per class; consensus boxes
    box_table = ag.box_agreement(boxes)
    box_overall = box_table[box_table["annotator_a"].isna() & box_table["label"].isna()].iloc[0]
    box_per_label = box_table[box_table["annotator_a"].isna() & box_table["label"].notna()].sort_values("f1_iou_50")
    box_pairs = box_table[box_table["annotator_a"].notna() & box_table["label"].isna()]
    box_consensus = ag.consensus_boxes(boxes)
    box_worst = ag.box_disagreements(boxes)
# %% tags=["remove-cell"]
# ---- Model ----
predictions = ml_predictions = None  # single-label Predictions, or one-vs-rest MultilabelPredictions
model_note = ""
model_sampled = False
if model != "none" and not has_labels:
    model_note = "The baseline model learns category labels; this round has none (only spans or boxes)."
elif model != "none":
    trainable = consensus.merge(items[["item_id", "text"]], on="item_id")
    model_sampled = bool(model_max_items) and len(trainable) > model_max_items
    if model_sampled and multilabel:  # label sets: a seeded random sample
        trainable = trainable.sample(n=model_max_items, random_state=random_state).sort_values("item_id")
    elif model_sampled:  # stratified: each category keeps its share, and at least two items
        draw = pd.Series(np.random.default_rng(random_state).random(len(trainable)), index=trainable.index)
        size = trainable["label"].map(trainable["label"].value_counts())
        quota = np.maximum(2, np.round(size * model_max_items / len(trainable)))
        trainable = trainable[draw.groupby(trainable["label"]).rank(method="first") <= quota].sort_values("item_id")
    folds = cv if (cv_large is None or len(trainable) <= large_round) else min(cv, cv_large)
    if multilabel and len(trainable) >= max(2 * folds, 10):
        ml_predictions = ea.multilabel_predictions(items, trainable[["item_id", "label"]], labels_list=categories,
                                                   cv=folds, random_state=random_state, progress=False)
    elif multilabel:
        model_note = (f"The one-vs-rest model was not trained: it needs at least {max(2 * folds, 10)} items with a "
                      f"consensus label set; this round has {len(trainable)}.")
    else:
        counts = trainable["label"].value_counts()
        if len(counts) >= 2 and counts.min() >= 2:
            predictions = ea.cross_validated_predictions(items, trainable[["item_id", "label"]], cv=folds,
                                                         random_state=random_state, progress=False)
        else:
            model_note = ("The baseline model was not trained: it needs at least two categories with two "
                          "consensus-labeled items each.")
if predictions is not None:
    quality = ea.classification_table(predictions)
    model_pairs = ea.model_confusion_table(predictions, n_examples=max_examples)
    issues = ea.label_issue_table(predictions)
    evidence = ea.confusion_evidence_table(labels, predictions)
    n_correct = int((predictions.predicted == predictions.labels).sum())
    model_accuracy, accuracy_low, accuracy_high = nv.proportion_interval(n_correct, len(predictions.labels))
if ml_predictions is not None:
    ml_quality = ea.multilabel_classification_table(ml_predictions)
    ml_per_label = ml_quality[ml_quality["level"] == "label"]
    ml_averages = ml_quality[ml_quality["level"] == "average"].set_index("label")
    issues = ea.multilabel_label_issue_table(ml_predictions)
    issues_per_label = ea.per_label_issue_table(ml_predictions, n_examples=max_examples)
    n_exact = int(ml_predictions.to_frame()["exact_match"].sum())
    exact_share, exact_low, exact_high = nv.proportion_interval(n_exact, len(ml_predictions.item_ids))
# A learning curve is shown only when the round recorded one (e.g. an active-learning loop saved
# ActiveLearner.learning_curve records into the round's params under "learning_curve").
curve_records = (info.get("params") or {}).get("learning_curve")
learning_curve = pd.DataFrame(curve_records) if curve_records else None
if learning_curve is not None and not {"n_labels"} <= set(learning_curve.columns):
    learning_curve = None

# %% tags=["remove-cell"]
# ---- Revisions ----
rule_set = rv.RevisionRules(**rules)
proposals = (rv.propose_revisions(taxonomy, labels, predictions=predictions if ml_predictions is None
                                  else ml_predictions, items=items, rules=rule_set,
                                  random_state=random_state) if has_labels else [])
if isinstance(accept, str):
    wanted = {"high": {"high"}, "medium": {"high", "medium"}, "all": {"high", "medium", "low"}, "none": set()}[accept]
    candidates = [p.id for p in proposals if p.severity in wanted]
else:
    candidates = list(accept)
accepted = []
for pid in candidates:  # greedily accept proposals that do not conflict with those accepted before
    try:
        rv.draft_taxonomy(taxonomy, proposals, accept=accepted + [pid])
        accepted.append(pid)
    except Exception as exc:  # noqa: BLE001 - a conflicting proposal is reported, not fatal
        print(f"not accepted in the draft: {pid}: {exc}")
draft = rv.draft_taxonomy(taxonomy, proposals, accept=accepted) if accepted else None
plan = None
if draft is not None:
    # The name comes from data: slugged, and refused unless it stays in out_dir.
    draft_path = nv.output_path(out_dir, taxonomy.name, f"-v{draft.version}-draft.yaml")
    draft.save(draft_path)
    plan = rv.relabel_plan(taxonomy, draft, labels)  # computed once: summary and section 9
    carried = int((plan["action"] != "relabel").sum())
    to_relabel = plan[plan["action"] == "relabel"]
    # Items the accepted proposals ask to review (e.g. "other" items that may now fit a new category).
    review_ids = sorted({str(i) for p in proposals if p.id in accepted for i in p.relabel.get("item_ids", ())}
                        | set(to_relabel["item_id"]))

# %% tags=["remove-cell"]
# ---- Quality targets ----
gold = items[["item_id", "gold_label"]].dropna() if "gold_label" in items.columns else pd.DataFrame()
gold_accuracy = float("nan")
if len(gold):
    judged = labels.merge(gold, on="item_id")
    gold_accuracy = float((judged["label"] == judged["gold_label"]).mean()) if len(judged) else float("nan")
target_rows = []
weak = pd.DataFrame(columns=["category", "kappa", "kappa_low", "kappa_high"])
if has_labels:
    weak = per_category[(per_category["support"] > 0) & (per_category["kappa"] < targets.get("kappa_per_category", 0.6))]
    target_rows += [
        ("Krippendorff's alpha, overall", alpha_row["value"], targets.get("alpha_overall"),
         f"{nv.fmt_interval(alpha_row['value'], alpha_row['ci_low'], alpha_row['ci_high'])}"),
        ("one-vs-rest kappa, every category", per_category["kappa"].min(), targets.get("kappa_per_category"),
         f"{len(weak)} of {int((per_category['support'] > 0).sum())} categories below target"
         + (": " + "; ".join(f"{c} {nv.fmt_interval(k, lo, hi)}" for c, k, lo, hi in zip(
             weak["category"], weak["kappa"], weak["kappa_low"], weak["kappa_high"])) if len(weak) else "")),
        ("accuracy on gold items", gold_accuracy, targets.get("gold_accuracy"),
         f"{len(gold)} gold items" if len(gold) else "no gold items in this round"),
    ]
if span_table is not None:
    target_rows.append(("span F1 between annotators (exact match)", span_overall["exact_f1"], targets.get("span_f1"),
                        f"{int(span_overall['exact_matches'])} matches over {int(span_overall['n_items'])} "
                        f"item pairs; overlap F1 {span_overall['overlap_f1']:.3f}"))
if box_table is not None:
    target_rows.append(("box F1 between annotators (IoU 0.5)", box_overall["f1_iou_50"], targets.get("box_f1"),
                        f"mean IoU of matched boxes {box_overall['mean_iou']:.3f}; F1 at IoU 0.75 "
                        f"{box_overall['f1_iou_75']:.3f}"))
quality_targets = pd.DataFrame(
    [{"target": name, "value": value, "threshold": threshold,
      "passed": None if (threshold is None or not np.isfinite(value)) else bool(value >= threshold),
      "evidence": ev} for name, value, threshold, ev in target_rows])

# %%
# The title is HTML, not a Markdown heading: nbconvert would make its id and anchor link from the text.
round_name = f" ({nv.esc(info['name'])})" if info.get("name") else ""
display(HTML(f"<h1>{nv.esc(title)}</h1><p>Rendered from <code>{nv.esc(Path(str(db_url)).name)}</code>, "
             f"round {nv.esc(round)}{round_name}, taxonomy <b>{nv.esc(taxonomy.name)} v{taxonomy.version}</b>.</p>"))

# %% [markdown]
# ## 1. Summary

# %%
first_ok = quality_targets["passed"].iloc[0] if len(quality_targets) else None  # the round's main agreement target
ready = bool(quality_targets["passed"].dropna().all()) and not any(p.severity == "high" for p in proposals)
tone = "good" if ready else ("warn" if first_ok else "bad")
main_agreement = []
if has_labels:
    main_agreement.append(f"Overall agreement (Krippendorff's alpha) is "
                          f"{nv.esc(nv.fmt_interval(alpha_row['value'], alpha_row['ci_low'], alpha_row['ci_high']))} "
                          f"against a target of {nv.esc(targets.get('alpha_overall'))}")
if span_table is not None:
    main_agreement.append(f"span F1 between annotators is {span_overall['exact_f1']:.3f} on exact matches and "
                          f"{span_overall['overlap_f1']:.3f} on overlapping ones (target {nv.esc(targets.get('span_f1'))})")
if box_table is not None:
    main_agreement.append(f"box F1 at IoU 0.5 is {box_overall['f1_iou_50']:.3f} with a mean IoU of "
                          f"{box_overall['mean_iou']:.3f} (target {nv.esc(targets.get('box_f1'))})")
headline = (
    f"<b>{'The taxonomy looks ready for production labeling.' if ready else 'The taxonomy is not ready yet.'}</b> "
    f"{'; '.join(main_agreement)[:1].upper() + '; '.join(main_agreement)[1:]}, over {n_items} items labeled by "
    f"{len(annotators)} annotators."
)
top = proposals[:3]
if top:
    bullets = "".join(f"<li><b>{nv.esc(p.kind)}</b> {nv.esc(', '.join(p.categories))}: {nv.esc(shown_text(p.rationale))}</li>" for p in top)
    headline += f"<p>The three most important proposed changes:</p><ol>{bullets}</ol>"
    if draft is not None:
        which = f"{nv.esc(accept)}-severity" if isinstance(accept, str) else "selected"
        mapped = int((plan["action"] == "carry_over").sum())
        headline += (
            f"<p><b>If the {len(accepted)} {which} proposal(s) are accepted</b> "
            f"({nv.esc(', '.join(accepted))}), <b>{nv.esc(taxonomy.name)} v{draft.version}</b> has "
            f"{len(draft.labels)} labels instead of {len(taxonomy.labels)}. "
            f"{nv.fmt_share(carried, len(plan))} existing labels carry over"
            + (f" ({mapped} of them to a new id by a rename or merge)" if mapped else " unchanged")
            + (f"; {len(to_relabel)} labels on {to_relabel['item_id'].nunique()} items must be relabeled"
               if len(to_relabel) else "; no label becomes invalid")
            + (f"; labelers review {len(review_ids)} items in all "
               f"({nv.esc('; '.join(sorted({p.relabel.get('reason', '') for p in proposals if p.id in accepted} - {''})))})"
               if review_ids else "")
            + ". Section 9 shows the diff and the list.</p>")
    else:
        headline += ("<p>No proposal is accepted in the draft (parameter <code>accept</code>), so no label "
                     "changes yet; section 8 lists what to review.</p>")
else:
    headline += ("<p>No revision is proposed: no rule found strong enough evidence.</p>" if has_labels else
                 "<p>The revision rules read category labels; this round has none, so none is proposed.</p>")
display(HTML(nv.callout_html(headline, tone=tone)))

# %% [markdown]
# ## 2. Scope

# %%
display(Markdown(
    f"{n_items} items were labeled by {len(annotators)} annotators ({nv.name_list(annotators)}); "
    f"{nv.fmt_share(n_multi, n_items)} items have two or more answers, which is what agreement is measured on. "
    + (f"{len(answered)} answers took {hours:.1f} hours in all, a median of {median_seconds:.1f} seconds per item. "
       if np.isfinite(median_seconds) else f"{len(answered)} answers; no timings were recorded. ")
    + (f"The answers are {', '.join(f'{int(n)} {k}' for k, n in answered['kind'].value_counts().items())}. "
       if answered["kind"].nunique() > 1 or not has_labels else "")
    + f"{n_unsure} labels were marked unsure, {len(skips)} items were skipped, and "
    f"{n_other} labels said *none of these*."
))
# Charts are SVG (XML): nv.chart_data shows control characters as the tables do, or vl-convert aborts.
display(charts.plot_label_distribution(nv.chart_data(distribution), rare=[nv.shown_controls(c) for c in rare],
                                      title="Labels per category" if has_labels else "Spans and boxes per label"))
display(HTML(nv.frame_html(overlap.rename_axis("answers per item").reset_index(name="items"))))
if rare or (np.isfinite(imbalance_ratio) and imbalance_ratio > 10):
    display(HTML(nv.callout_html(
        f"Class imbalance: the most used category has {imbalance_ratio:.0f}x the labels of the least used one"
        + (f"; under 2% of labels: {nv.esc(', '.join(rare))}." if rare else "."), tone="warn")))

# %% [markdown]
# ## 3. Agreement

# %%
if not has_labels:
    display(Markdown('This round has no category labels; agreement on its spans and boxes is in sections 6 and 7.'))
else:
    strong = per_category[per_category["support"] > 0].sort_values("kappa", ascending=False)
    level = ("reliable" if alpha_row["value"] >= 0.8 else "good enough for tentative conclusions"
             if alpha_row["value"] >= 0.667 else "too low to trust the labels")
    display(Markdown(
        f"**Agreement is {level}**: Krippendorff's alpha {nv.fmt_interval(alpha_row['value'], alpha_row['ci_low'], alpha_row['ci_high'])}. "
        f"People apply {', '.join(f'*{nv.esc(c)}*' for c in strong['category'].head(3))} most consistently"
        + (f"; {', '.join(f'*{nv.esc(c)}*' for c in weak['category'])} fall below the per-category target of "
           f"{nv.esc(targets.get('kappa_per_category', 0.6))}." if len(weak) else "; every category meets the per-category target.")
        + "\n\n<small>Chance-corrected agreement with 95% bootstrap intervals (items resampled). Alpha and kappa of 1 "
        "mean perfect agreement, 0 no better than chance; 0.667 is the usual floor for tentative conclusions and 0.8 "
        "for reliable ones (Krippendorff).</small>"))
    display(charts.plot_agreement_intervals(nv.chart_data(overall)))
    display(HTML(nv.frame_html(pd.DataFrame({
        "metric": overall["metric"],
        "value (95% CI)": [nv.fmt_interval(v, lo, hi) for v, lo, hi in zip(overall["value"], overall["ci_low"], overall["ci_high"])],
        "items": overall["n_items"], "annotators": overall["n_annotators"], "pairable values": overall["n_pairable"]}))))
    display(Markdown("**Per category.** Specific (positive) agreement and one-vs-rest kappa: which categories "
                     "people can apply consistently, and which they cannot."))
    display(charts.plot_category_agreement(nv.chart_data(per_category)))
    compact = pd.DataFrame({
        "category": per_category["category"], "support": per_category["support"],
        "kappa (one vs rest)": [nv.fmt_interval(v, lo, hi) for v, lo, hi in
                                zip(per_category["kappa"], per_category["kappa_low"], per_category["kappa_high"])],
        "specific agreement": [nv.fmt_interval(v, lo, hi) for v, lo, hi in zip(
            per_category["specific_agreement"], per_category["specific_agreement_low"],
            per_category["specific_agreement_high"])],
        "in disagreements": per_category["n_disagreements"],
    })
    display(HTML(nv.frame_html(compact.sort_values("support", ascending=False))))
    if levels is not None:
        display(Markdown("**Per hierarchy level.** Agreement on the parent group even when people split on the leaf."))
        display(HTML(nv.frame_html(levels.astype({"level": int}) if "level" in levels else levels)))
    display(Markdown("**Annotators.** Agreement of each annotator with the others and with the majority label: "
                     "is one person drifting?"))
    if len(annotators) > max_heatmap_annotators:  # a crowd round: the heatmap of everyone is unreadable
        overlap_by_annotator = pd.concat([pairwise.groupby("annotator_a")["n_items"].sum(),
                                          pairwise.groupby("annotator_b")["n_items"].sum()]).groupby(level=0).sum()
        shown_annotators = set(overlap_by_annotator.sort_values(ascending=False).head(max_heatmap_annotators).index)
        display(Markdown(f"The heatmap shows the {max_heatmap_annotators} annotators who share the most items with others "
                         f"(of {len(annotators)}); the table below has everyone."))
        display(charts.plot_annotator_matrix(nv.chart_data(pairwise[pairwise["annotator_a"].isin(shown_annotators)
                                                                    & pairwise["annotator_b"].isin(shown_annotators)])))
    else:
        display(charts.plot_annotator_matrix(nv.chart_data(pairwise)))
    if len(annotator_stats) > max_listed_annotators:  # a crowd: distributions, then the extremes
        display(Markdown(f"**{len(annotator_stats)} annotators.** How much each labeled, and how often each agreed "
                         "with the majority of the others:"))
        display(charts.plot_annotator_spread(annotator_stats, value="n_items", title="Items labeled per annotator"))
        display(charts.plot_annotator_spread(annotator_stats, value="agreement_with_majority",
                                             title="Agreement with the majority, per annotator"))
        ranked = annotator_stats[annotator_stats["n_items"] >= 20].sort_values("agreement_with_majority")
        display(Markdown(f"The 10 annotators who agree with the majority least and most, among the {len(ranked)} "
                         "with 20 or more items (metrics.json has everyone):"))
        display(HTML(nv.frame_html(pd.concat([ranked.head(10).assign(group="lowest"),
                                              ranked.tail(10).iloc[::-1].assign(group="highest")]))))
    else:
        display(HTML(nv.frame_html(annotator_stats)))

# %% [markdown]
# ## 4. Where people split

# %%
if not has_labels:
    display(Markdown('This round has no category labels to split on; the items where spans or boxes differ most are in sections 6 and 7.'))
else:
    if human_pairs.empty:
        display(Markdown("Annotators never split between two categories on the same item."))
    else:
        first = human_pairs.iloc[0]
        display(Markdown(
            f"**Annotators split most often between *{nv.esc(first['category_a'])}* and *{nv.esc(first['category_b'])}*** "
            f"({int(first['n_disagreements'])} items, {first['share']:.0%} of all disagreements); the top three pairs "
            f"account for {human_pairs['share'].head(3).sum():.0%}. Below: the pairs ranked, then real examples with "
            "the notes labelers wrote."))
        display(charts.plot_split_pairs(nv.chart_data(human_pairs)))
        display(HTML(nv.frame_html(human_pairs.head(10))))
        for _, pair in human_pairs.head(5).iterrows():
            display(Markdown(f"**{nv.esc(pair['category_a'])} vs {nv.esc(pair['category_b'])}** "
                             f"({int(pair['n_disagreements'])} splits)"))
            display(HTML(nv.examples_html(list(pair["example_item_ids"])[:max_examples], items, labels,
                                          mask_pii=mask_pii)))

# %% [markdown]
# ## 5. Where the model splits

# %%
if ml_predictions is not None:
    worst = ml_per_label.iloc[0]
    display(Markdown(
        f"**A one-vs-rest baseline model trained on the consensus label sets of {len(ml_predictions.item_ids):,} items "
        f"predicts the whole set right for {exact_share:.0%} of them** (95% CI {exact_low:.0%} to {exact_high:.0%}; "
        f"micro F1 {ml_averages.loc['micro', 'f1']:.2f}, macro F1 {ml_averages.loc['macro', 'f1']:.2f}; out of fold; "
        + (f"a random sample of {len(ml_predictions.item_ids):,} of {len(consensus):,} items, parameter "
           "model_max_items; " if model_sampled else "")
        + f"{nv.esc(ml_predictions.method)}). It learns *{nv.esc(worst['label'])}* worst (F1 {worst['f1']:.2f}). "
        "Each category is a yes/no decision: below, per-category precision, recall and F1, then the label sets "
        "the model doubts, with the labels it would add or remove (cleanlab, multi-label)."))
    display(charts.plot_label_scores(nv.chart_data(ml_per_label), metrics=["f1", "precision", "recall"],
                                     title="Model quality per category (one vs rest)"))
    display(HTML(nv.frame_html(ml_quality)))
    display(Markdown(
        f"**Probable label issues**: the model doubts the consensus set of {nv.fmt_share(len(issues), len(ml_predictions.item_ids))} "
        "items. Per category: how many sets probably miss it, or hold it wrongly."))
    display(HTML(nv.frame_html(issues_per_label)))
    if len(issues):
        top_issues = issues.head(10)
        display(HTML(nv.frame_html(top_issues[["item_id", "given", "labels_to_add", "labels_to_remove", "label_quality"]])))
        display(HTML(nv.examples_html(top_issues["item_id"].head(max_examples), items, labels, mask_pii=mask_pii)))
elif predictions is None:
    display(Markdown(model_note or "No baseline model was requested (`model = \"none\"`)."))
else:
    display(Markdown(
        f"**A baseline model trained on the consensus labels of {len(predictions.labels)} items is right "
        f"{model_accuracy:.0%} of the time** (95% CI {accuracy_low:.0%} to {accuracy_high:.0%}, out of fold; "
        + (f"a stratified sample of {len(predictions.labels):,} of the {len(consensus):,} consensus items, "
           "parameter model_max_items; " if model_sampled else "")
        + f"{nv.esc(predictions.method)}). It learns *{nv.esc(quality.sort_values('f1')['category'].iloc[0])}* worst "
        f"(F1 {quality['f1'].min():.2f}). Below: per-category quality, the pairs it confuses next to the pairs "
        "people confuse, and items whose label is probably wrong."))
    display(charts.plot_classification_quality(nv.chart_data(quality)))
    display(HTML(nv.frame_html(quality)))
    display(Markdown("**Human and model confusion side by side**: a pair both confuse is a taxonomy problem, "
                     "not a labeler problem."))
    display(charts.plot_confusion_evidence(nv.chart_data(evidence)))
    display(HTML(nv.frame_html(evidence.head(10))))
    display(Markdown(
        f"**Probable label issues**: the model doubts the consensus label of {nv.fmt_share(len(issues), len(predictions.labels))} "
        "items" + ("; the ten it doubts most, with the label it suggests, then their texts and every annotator's label:"
                   if len(issues) else ".")
        + (" With a model this weak (accuracy under 80%), many of these are the model's mistakes rather than "
           "labeling mistakes: read them as items worth a second look, not as errors."
           if len(issues) and model_accuracy < 0.8 else "")
        + (f"\n\n<small>Method: {nv.esc(issues['method'].iloc[0])}</small>" if len(issues) else "")))
    if len(issues):
        top_issues = issues.head(10)
        display(HTML(nv.frame_html(top_issues[["item_id", "label", "suggested_label", "label_quality"]].rename(
            columns={"label": "consensus label", "suggested_label": "model suggests", "label_quality": "label quality"}))))
        display(HTML(nv.examples_html(top_issues["item_id"], items, labels, mask_pii=mask_pii)))
if learning_curve is not None:
    display(Markdown("**Learning curve** (recorded by the round's active-learning loop): how the model's "
                     "cross-validated score grew with the number of labels."))
    display(charts.plot_learning_curve(nv.chart_data(learning_curve)))

# %% [markdown]
# ## 6. Spans

# %%
if span_table is None:
    display(Markdown("This round has no text spans."))
else:
    display(Markdown(
        f"**Span F1 between annotators is {span_overall['exact_f1']:.3f} on exact matches** (same start, end and "
        f"label) and {span_overall['overlap_f1']:.3f} when an overlap of one character or more counts, over "
        f"{int(span_overall['n_items'])} item pairs. "
        + (f"People mark *{nv.esc(span_per_label['label'].iloc[-1])}* most consistently and "
           f"*{nv.esc(span_per_label['label'].iloc[0])}* least (exact F1 {span_per_label['exact_f1'].iloc[0]:.2f}). "
           if len(span_per_label) > 1 else "")
        + f"Token-level kappa (each token's label, or outside every span) has a median of "
        f"{span_kappa['cohen_kappa'].median():.3f} over {len(span_kappa)} annotator pairs."
        + "\n\n<small>Exact F1 much below overlap F1 means people find the same things but draw different "
        "boundaries: write a boundary rule (e.g. include or leave out articles and punctuation).</small>"))
    display(charts.plot_label_scores(nv.chart_data(span_per_label), metrics=["exact_f1", "overlap_f1"],
                                     title="Span agreement per label"))
    display(HTML(nv.frame_html(span_per_label.drop(columns=["annotator_a", "annotator_b"]))))
    display(Markdown("**Annotator pairs**: span F1 and token-level kappa of every pair"
                     + (f" (the {max_listed_annotators} pairs with most items in common)"
                        if len(span_pairs) > max_listed_annotators else "") + "."))
    pair_view = span_pairs.drop(columns=["label"]).merge(
        span_kappa[["annotator_a", "annotator_b", "n_tokens", "cohen_kappa"]], on=["annotator_a", "annotator_b"], how="left")
    display(HTML(nv.frame_html(pair_view.sort_values("n_items", ascending=False).head(max_listed_annotators))))
    display(Markdown(f"**Where spans differ most**: the items with the lowest mean pairwise exact F1, each "
                     f"annotator's spans marked. {len(span_consensus)} consensus spans (given by at least half of "
                     "an item's annotators) are in the metrics and the table after."))
    worst_ids = span_worst["item_id"].head(max_examples).tolist()
    display(HTML(nv.frame_html(span_worst.head(10))))
    display(HTML(nv.span_examples_html(worst_ids, items, spans, mask_pii=mask_pii)))
    display(HTML(nv.frame_html(span_consensus.assign(text=span_consensus["text"].map(
        lambda t: shown_text(t) if isinstance(t, str) else t)), max_rows=20)))

# %% [markdown]
# ## 7. Boxes

# %%
if box_table is None:
    display(Markdown("This round has no image boxes."))
else:
    display(Markdown(
        f"**Box F1 between annotators is {box_overall['f1_iou_50']:.3f} at IoU 0.5 and {box_overall['f1_iou_75']:.3f} "
        f"at IoU 0.75**; matched boxes overlap with a mean IoU of {box_overall['mean_iou']:.3f}, over "
        f"{int(box_overall['n_items'])} image pairs. "
        + (f"Hardest class: *{nv.esc(box_per_label['label'].iloc[0])}* (F1 at IoU 0.5 "
           f"{box_per_label['f1_iou_50'].iloc[0]:.2f}). " if len(box_per_label) > 1 else "")
        + "\n\n<small>Boxes of one class are matched one-to-one (Hungarian) by IoU; F1 = 2 x matches / "
        "(boxes of one + boxes of the other). A low F1 at 0.75 next to a high F1 at 0.5 means people find the "
        "same objects but draw them loosely: a rule on tight boxes helps.</small>"))
    display(charts.plot_label_scores(nv.chart_data(box_per_label), metrics=["f1_iou_50", "f1_iou_75", "mean_iou"],
                                     title="Box agreement per class"))
    display(HTML(nv.frame_html(box_per_label.drop(columns=["annotator_a", "annotator_b"]))))
    display(HTML(nv.frame_html(box_pairs.drop(columns=["label"]).sort_values("n_items", ascending=False)
                               .head(max_listed_annotators))))
    display(Markdown(f"**Where boxes differ most** (lowest mean pairwise F1 at IoU 0.5), then the "
                     f"{len(box_consensus)} consensus boxes (kept by at least half of an image's annotators):"))
    display(HTML(nv.frame_html(box_worst.head(10))))
    display(HTML(nv.frame_html(box_consensus, max_rows=20)))

# %% [markdown]
# ## 8. Proposed revisions

# %%
if not has_labels:
    display(Markdown("The revision rules read category labels; this round has none, so none is proposed."))
elif not proposals:
    display(Markdown("**No revision is proposed**: no rule found strong enough evidence in this round."))
else:
    overview = rv.proposals_table(proposals)
    by_severity = pd.Series([p.severity for p in proposals]).value_counts()
    display(Markdown(
        f"**{len(proposals)} changes are proposed** ("
        + ", ".join(f"{int(by_severity[s])} {s}" for s in ("high", "medium", "low") if s in by_severity)
        + f" severity); {len(accepted)} are accepted in the draft of section 9. Each proposal below says what "
        "to change, why (the rule that fired, with its numbers), the exact change, and what labelers must "
        "relabel if it is accepted."))
    display(HTML(nv.frame_html(overview[[c for c in ("rank", "kind", "categories", "severity", "rationale")
                                         if c in overview.columns]])))
    import yaml

    evidence_of = dict(zip(overview["id"], overview["evidence"]))
    for p in proposals:
        change = yaml.safe_dump(list(p.change), sort_keys=False, allow_unicode=True, width=100)
        ids = [str(i) for i in p.relabel.get("item_ids", ())]
        relabel = (f"{len(ids)} items ({nv.esc(p.relabel.get('reason', ''))}): "
                   f"<code>{nv.esc(', '.join(ids[:12]))}</code>{' …' if len(ids) > 12 else ''}") if ids else "nothing"
        display(HTML(
            f"<h3>{nv.esc(p.kind)}: {nv.esc(', '.join(p.categories))} "
            f"<small>({nv.esc(p.severity)}{', accepted in the draft' if p.id in accepted else ''})</small></h3>"
            f"<p>{nv.esc(shown_text(p.rationale))}</p><p><b>Rule that fired:</b> <code>{nv.esc(p.rule)}</code></p>"
            f"<p><b>Evidence:</b> <small>{nv.esc(shown_text(evidence_of.get(p.id, '')))}</small></p>"
            + nv.code_html(shown_text(change), caption="Change to the taxonomy")
            + f"<p><b>Relabel if accepted:</b> {relabel}</p>"))
        if len(p.example_item_ids):
            display(HTML(nv.examples_html(list(p.example_item_ids)[:max_examples], items, labels, mask_pii=mask_pii)))

# %% [markdown]
# ## 9. Draft next version

# %%
if draft is None:
    display(Markdown("No proposal was accepted for the draft (parameter `accept`)."))
else:
    entry = draft.changelog[-1]
    display(Markdown(f"The draft **{nv.esc(draft.name)} v{draft.version}** was written to <code>{nv.esc(draft_path.name)}</code>. "
                     "Review it, edit the drafted rules, and save it as the next version."))
    display(HTML(nv.frame_html(diff(taxonomy, draft).map(lambda v: shown_text(v) if isinstance(v, str) else v))))
    display(HTML(nv.code_html(shown_text(__import__("yaml").safe_dump(entry.to_dict(), sort_keys=False,
                                                                       allow_unicode=True, width=100)),
                              caption="Change-log entry")))
    changes = plan.groupby(["status", "action"]).size().rename("labels").reset_index()
    display(Markdown(f"**What changes for the labelers**: {nv.fmt_share(carried, len(plan))} of the round's labels "
                     f"carry over to v{draft.version}; {len(to_relabel)} must be relabeled"
                     + (f", and the accepted proposals ask to review {len(review_ids)} items." if review_ids else ".")))
    display(HTML(nv.frame_html(changes)))
    if len(to_relabel):
        display(Markdown(f"{to_relabel['item_id'].nunique()} items need a new label under the draft:"))
        display(HTML(nv.frame_html(to_relabel, max_rows=20)))
    review_only = [i for i in review_ids if i not in set(to_relabel["item_id"])]
    if review_only:
        display(Markdown(f"{len(review_only)} items keep a valid label but should be reviewed under the draft: "
                         f"<code>{nv.esc(', '.join(review_only[:30]))}</code>{' …' if len(review_only) > 30 else ''}"))

# %% [markdown]
# ## 10. Quality targets

# %%
judged_targets = quality_targets.dropna(subset=["passed"])
failed = judged_targets[~judged_targets["passed"].astype(bool)]
display(Markdown(
    f"**{int(judged_targets['passed'].astype(bool).sum())} of {len(judged_targets)} quality targets pass**"
    + (". Failing: " + "; ".join(f"{nv.esc(r['target'])} ({nv.esc(r['evidence'])})" for _, r in failed.iterrows()) + "."
       if len(failed) else ".")
    + (f" Not measured: {', '.join(nv.esc(t) for t in quality_targets[quality_targets['passed'].isna()]['target'])}."
       if quality_targets["passed"].isna().any() else "")))
shown = quality_targets.assign(result=[nv.verdict_html(p) for p in quality_targets["passed"]])
display(HTML(nv.frame_html(shown[["target", "threshold", "value", "result", "evidence"]], raw_columns=["result"])))

# %% tags=["remove-cell"]
# ---- Progress and speed ----
progress = mon.progress_speed_table(assignments, rows) if len(assignments) else None
speed_quality = None
if has_labels and not multilabel:
    reference = ea.reference_labels(labels, gold=gold.rename(columns={"gold_label": "label"}) if len(gold) else None,
                                    adjudications=adjudications[["item_id", "label"]] if len(adjudications) else None)
    if reference["reference_label"].notna().any():
        labeler_scores = ea.labeler_quality_table(labels, reference, reference_name="reference")
        seconds = labels.groupby("annotator")["duration_ms"].median().div(1000).rename("median_seconds")
        speed_quality = labeler_scores.merge(seconds.reset_index(), on="annotator", how="left")

# %% [markdown]
# ## 11. Progress and speed

# %%
if progress is None:
    display(Markdown("The round has no assignments, so there is no plan to measure progress against."))
else:
    total = progress[["assigned", "done", "remaining"]].sum()
    rate = progress["items_per_hour"].dropna()
    finish = progress["estimated_finish"].dropna()
    display(Markdown(
        f"**{int(total['done'])} of {int(total['assigned'])} assigned items are done** ({total['done'] / max(1, total['assigned']):.0%}); "
        f"{int(total['remaining'])} remain"
        + (f", and at each labeler's own pace the last should be done by {finish.max():%Y-%m-%d %H:%M} UTC" if len(finish) else "")
        + ". Items per hour count recorded labeling time (the time each answer took), not time away from the screen."
        + (f" Labelers work at {rate.min():.0f} to {rate.max():.0f} items per hour." if len(rate) else "")))
    display(HTML(nv.frame_html(progress, max_rows=max_listed_annotators)))
if speed_quality is not None and speed_quality["median_seconds"].notna().any():
    display(Markdown(
        "**Speed against quality.** Each labeler's accuracy against the best reference of each item (gold, else an "
        "adjudication, else the majority of the *other* labelers) and their median seconds per item: fast and "
        "careless labelers sit bottom left."))
    display(charts.plot_speed_quality(nv.chart_data(speed_quality), target=targets.get("gold_accuracy")))
    display(HTML(nv.frame_html(speed_quality[["annotator", "n_items", "accuracy", "accuracy_ci_low", "accuracy_ci_high",
                                              "macro_f1", "median_seconds", "reference_sources"]]
                               .sort_values("accuracy"), max_rows=max_listed_annotators)))

# %% [markdown]
# ## 12. Reproducibility

# %%
provenance = {
    "parameters": {"db_url": db_url, "round": round, "taxonomy_path": taxonomy_path, "model": model, "cv": cv,
                   "cv_large": cv_large, "large_round": large_round, "model_max_items": model_max_items,
                   "max_heatmap_annotators": max_heatmap_annotators, "max_listed_annotators": max_listed_annotators,
                   "n_boot": n_boot, "random_state": random_state, "accept": accept, "rules": rules,
                   "targets": targets, "mask_pii": mask_pii},
    "taxonomy": {"name": taxonomy.name, "version": taxonomy.version, "sha256": taxonomy.content_hash()},
    "annotations_sha256": nv.frame_hash(answered, ["item_id", "annotator", "kind", "label", "unsure"]),
    "items_sha256": nv.frame_hash(items[items["item_id"].isin(answered["item_id"])], ["item_id", "text"]),
    "packages": nv.package_versions(),
}
display(HTML(nv.frame_html(pd.DataFrame(
    [{"what": k, "value": v} for k, v in {**provenance["parameters"], **{
        "taxonomy": f"{taxonomy.name} v{taxonomy.version}", "taxonomy sha256": provenance["taxonomy"]["sha256"],
        "annotations sha256": provenance["annotations_sha256"], "items sha256": provenance["items_sha256"]},
        **{f"package {k}": v for k, v in provenance["packages"].items()}}.items()]))))

# %% tags=["remove-cell"]
metrics = {
    "round": round,
    "scope": {"items": n_items, "annotators": annotators, "labels": len(labels), "spans": len(spans), "boxes": len(boxes),
              "items_multi_rated": n_multi,
              "hours": hours, "median_seconds_per_item": median_seconds, "unsure": n_unsure,
              "skipped": len(skips), "none_of_these": n_other, "multilabel": multilabel,
              "distribution": dict(zip(distribution["category"], distribution["count"].astype(int)))},
    "agreement": {r["metric"]: {"value": r["value"], "ci_low": r["ci_low"], "ci_high": r["ci_high"]}
                  for _, r in (overall.iterrows() if overall is not None else [])},
    "per_category": {r["category"]: {"support": r["support"], "kappa": r["kappa"], "kappa_low": r["kappa_low"],
                                     "kappa_high": r["kappa_high"], "specific_agreement": r["specific_agreement"],
                                     "specific_agreement_low": r["specific_agreement_low"],
                                     "specific_agreement_high": r["specific_agreement_high"]}
                     for _, r in (per_category.iterrows() if per_category is not None else [])},
    "spans": None if span_table is None else {
        "exact_f1": span_overall["exact_f1"], "overlap_f1": span_overall["overlap_f1"],
        "token_kappa_median": span_kappa["cohen_kappa"].median(), "consensus_spans": len(span_consensus),
        "per_label": nv.to_jsonable(span_per_label.drop(columns=["annotator_a", "annotator_b"]))},
    "boxes": None if box_table is None else {
        "f1_iou_50": box_overall["f1_iou_50"], "f1_iou_75": box_overall["f1_iou_75"], "mean_iou": box_overall["mean_iou"],
        "consensus_boxes": len(box_consensus),
        "per_label": nv.to_jsonable(box_per_label.drop(columns=["annotator_a", "annotator_b"]))},
    "annotator_table": None if annotator_stats is None else nv.to_jsonable(annotator_stats),
    "multilabel_model": None if ml_predictions is None else {
        "method": ml_predictions.method, "folds": folds, "items": len(ml_predictions.item_ids), "sampled": model_sampled,
        "exact_set_accuracy": exact_share, "exact_set_ci_low": exact_low, "exact_set_ci_high": exact_high,
        "micro_f1": ml_averages.loc["micro", "f1"], "macro_f1": ml_averages.loc["macro", "f1"],
        "per_label": nv.to_jsonable(ml_per_label), "label_issues": len(issues),
        "issues_per_label": nv.to_jsonable(issues_per_label)},
    "model": None if predictions is None else {
        "method": predictions.method, "folds": folds, "items": len(predictions.labels), "sampled": model_sampled, "accuracy": model_accuracy,
        "accuracy_ci_low": accuracy_low, "accuracy_ci_high": accuracy_high, "macro_f1": float(quality["f1"].mean()),
        "label_issues": len(issues)},
    "learning_curve": None if learning_curve is None else nv.to_jsonable(learning_curve),
    "progress": None if progress is None else nv.to_jsonable(progress),
    "speed_quality": None if speed_quality is None else nv.to_jsonable(speed_quality),
    "proposals": [{"id": p.id, "kind": p.kind, "categories": list(p.categories), "severity": p.severity,
                   "accepted": p.id in accepted, "n_relabel": len(p.relabel.get("item_ids", ()))} for p in proposals],
    "draft_version": None if draft is None else draft.version,
    "relabel": None if plan is None else {"labels": len(plan), "carried_over": carried,
                                          "mapped": int((plan["action"] == "carry_over").sum()),
                                          "to_relabel": len(to_relabel), "items_to_review": len(review_ids)},
    "quality_targets": {r["target"]: {"value": r["value"], "threshold": r["threshold"], "passed": r["passed"],
                                         "evidence": r["evidence"]}
                        for _, r in quality_targets.iterrows()},
    **provenance,
}
nv.write_metrics(out_dir, metrics)
