# %% [markdown]
# # Active learning: label the items the model is least sure of
#
# After the pilot, the next round does not need a random sample: a model trained on the labels so far
# can point at the items it is least sure of, and a labeler's time goes where it teaches the most.
# This notebook runs that loop **on the store, with the widget**:
#
# - the model is retrained (in a background thread, so you never wait) on every label in the store;
# - each batch is written to the store as your assignments, so a killed kernel resumes it;
# - the learning curve below the widget updates after each batch.
#
# The items are the bundled demo messages (example data written for this project).

# %% tags=["parameters"]
db_path = "active-learning.db"  # the SQLite store this notebook creates
batch_size = 10  # items per batch
strategy = "default"  # see workbench.sampling.STRATEGIES
simulate_batches = 3  # batches labeled automatically from the demo's gold labels (0 to label by hand)
random_state = 0

# %%
from pathlib import Path

import altair as alt

from workbench.demo import load_demo_project
from workbench.sampling import STRATEGIES
from workbench.store import AnnotationStore

alt.renderers.enable("svg")  # charts render with no network (the default renderer loads from a CDN)
for suffix in ("", "-wal", "-shm"):
    Path(db_path + suffix).unlink(missing_ok=True)  # a fresh store every run
taxonomy, items, gold = load_demo_project()
store = AnnotationStore(db_path)
store.add_items(items)
store.create_round(1, taxonomy_version=store.save_taxonomy(taxonomy), name="active learning")
print("strategies:", ", ".join(sorted(STRATEGIES)))

# %% [markdown]
# ## The loop
# Label with the digit keys as in any Labeller. The first batch is a cold-start seed set (no model
# exists yet); from the second batch on, the items come from the model.

# %%
from workbench.widgets.active import ActiveLabelingLoop

loop = ActiveLabelingLoop(store, annotator="you", round=1, batch_size=batch_size, strategy=strategy,
                          random_state=random_state)
loop

# %% [markdown]
# To see the loop move without clicking, this cell answers a few batches with the demo's gold labels,
# through the same session the widget uses (every answer is a durable store write).

# %%
from workbench.widgets._protocol import Submission

answers = dict(zip(gold["item_id"], gold["gold_label"]))
for _ in range(simulate_batches * batch_size):
    item = loop.labeller.session.current
    if item is None:
        break
    loop.labeller.session.submit(Submission(label=answers[item.item_id], duration_ms=4000))
print(f"{loop.batches} batches assigned, {len(store.annotations(round=1, kind='label'))} labels in the store")
loop.learner.learning_curve[["n_labels", "n_classes", "cv_score", "strategy"]]

# %% [markdown]
# The learning curve (cross-validated accuracy against labels), the same chart the widget shows:

# %%
from workbench.charts.learning import plot_learning_curve

plot_learning_curve(loop.learner.learning_curve.dropna(subset=["cv_score"]))
