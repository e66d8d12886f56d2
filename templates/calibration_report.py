# %% [markdown]
# # Calibration quiz report

# %% tags=["parameters"]
db_url = "sqlite:///demo-project/workbench.db"  # store URL or SQLite file path
round = 1  # the round whose quiz answers are scored
gold_column = "gold_label"  # item metadata column holding the right answer
pass_mark = 0.9  # a labeler passes with at least this share of right answers
title = None  # page title
out_dir = "."  # where metrics.json is written

# %% tags=["remove-cell"]
import pandas as pd
from IPython.display import HTML, Markdown, display

from workbench import charts
from workbench.report import figures
from workbench.report import narrative as nv
from workbench.store import AnnotationStore

figures.enable()  # static SVG charts with alt text: the exported page needs no script and no network
store = AnnotationStore(db_url, create=False)  # a report never creates a store
info = store.round_info(round)
taxonomy = store.taxonomy(info["taxonomy_version"])
quiz = store.annotations(round=round, kind="quiz")
items = store.items()
if gold_column not in items.columns:
    raise ValueError(f"The items have no {gold_column!r} column, so quiz answers cannot be scored. "
                     f"Import gold items with a {gold_column!r} column, or set the gold_column parameter.")
if quiz.empty:
    raise ValueError(f"Round {round} has no quiz answers (kind='quiz'); run workbench.widgets.CalibrationQuiz first.")
scored = quiz.merge(items[["item_id", gold_column]].dropna(), on="item_id", how="inner")
scored["correct"] = scored["label"] == scored[gold_column]
title = title or f"Calibration quiz, round {round}: {taxonomy.name} v{taxonomy.version}"

per_labeler = (scored.groupby("annotator")
               .agg(answers=("correct", "size"), right=("correct", "sum"), score=("correct", "mean"),
                    median_seconds=("duration_ms", lambda s: s.median() / 1000.0))
               .reset_index().sort_values("score"))
per_labeler["passed"] = per_labeler["score"] >= pass_mark
per_category = (scored.groupby(gold_column)
                .agg(answers=("correct", "size"), accuracy=("correct", "mean")).reset_index()
                .rename(columns={gold_column: "category"}).sort_values("accuracy"))
mistakes = scored[~scored["correct"]]
confusions = (mistakes.groupby([gold_column, "label"]).size().rename("count").reset_index()
              .rename(columns={gold_column: "right_answer", "label": "given_answer"})
              .sort_values("count", ascending=False))


def deciding_rules(right, given):
    """Edge-case rules that mention both the right and the given answer, else the right one's exclude rules."""
    rules = [e.rule for e in taxonomy.edge_cases_for(right) if given in e.categories]
    if not rules:
        rules = [r for r in taxonomy.category(right).exclude] if right in taxonomy.labels else []
    return rules


missed_rules = (pd.DataFrame([{"rule": rule, "right_answer": r["right_answer"], "given_answer": r["given_answer"],
                               "misses": r["count"]}
                              for _, r in confusions.iterrows() for rule in deciding_rules(r["right_answer"],
                                                                                         r["given_answer"])])
                if len(confusions) else pd.DataFrame(columns=["rule", "right_answer", "given_answer", "misses"]))
if len(missed_rules):
    missed_rules = missed_rules.groupby("rule", as_index=False).agg(
        misses=("misses", "sum"), pairs=("right_answer", lambda s: ", ".join(sorted(set(s))))
    ).sort_values("misses", ascending=False)

# %% tags=["remove-cell"]
display(HTML(f"<h1>{nv.esc(title)}</h1>"))  # HTML: no id or anchor made from the text

# %% [markdown]
# ## 1. Who is calibrated

# %%
n_pass = int(per_labeler["passed"].sum())
display(HTML(nv.callout_html(
    f"{n_pass} of {len(per_labeler)} labelers reach the pass mark of {pass_mark:.0%} on "
    f"{scored['item_id'].nunique()} gold items ({len(scored)} answers).",
    tone="good" if n_pass == len(per_labeler) else "warn")))
display(charts.plot_gold_scores(nv.chart_data(per_labeler), pass_mark=pass_mark))  # SVG: control characters shown
display(HTML(nv.frame_html(per_labeler.assign(result=[nv.verdict_html(p) for p in per_labeler["passed"]])
                           .drop(columns=["passed"]), raw_columns=["result"])))

# %% [markdown]
# ## 2. Which categories are hard

# %%
display(HTML(nv.frame_html(per_category)))

# %% [markdown]
# ## 3. The rules most often missed
# For each wrong answer, the guideline rule that decides between the right and the given answer.

# %%
if len(missed_rules):
    display(HTML(nv.frame_html(missed_rules)))
else:
    display(Markdown("No rule was missed."))
display(Markdown("Wrong answers, by right and given answer:"))
display(HTML(nv.frame_html(confusions)))

# %% tags=["remove-cell"]
nv.write_metrics(out_dir, {
    "round": round, "pass_mark": pass_mark, "gold_items": int(scored["item_id"].nunique()),
    "labelers": {r["annotator"]: {"score": r["score"], "answers": r["answers"], "passed": r["passed"]}
                 for _, r in per_labeler.iterrows()},
    "per_category_accuracy": {r["category"]: r["accuracy"] for _, r in per_category.iterrows()},
    "missed_rules": missed_rules,
})
