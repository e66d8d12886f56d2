# %% [markdown]
# # Your first pilot round, from an empty folder to a report
#
# This walkthrough runs a whole pilot round on the bundled demo project: a customer-support
# taxonomy and ~400 support messages **written for this project as example data**. You will
#
# 1. create a project folder and validate its taxonomy,
# 2. render the labeling guideline,
# 3. put the items in an annotation store and design the pilot (sample + overlap),
# 4. label a few items yourself in the widget,
# 5. let three **simulated** annotators label the rest (so the numbers below mean something),
# 6. measure agreement, look at model errors, read the revision proposals,
# 7. render the pilot report.
#
# Run the cells top to bottom. Everything is written to `my-pilot/` next to this notebook.

# %% tags=["parameters"]
project_dir = "my-pilot"  # the project folder this notebook creates
n_items = 120  # pilot sample size
random_state = 0  # seed of every random step
render = True  # render the HTML report at the end (about 20 s)

# %% [markdown]
# ## 1. A project folder and its taxonomy
# `workbench init DIR --demo` does the same from a terminal. The taxonomy is plain YAML: categories
# with definitions, include / exclude rules and examples, edge-case rules and a change log.

# %%
import shutil
from pathlib import Path

import altair as alt

from workbench.demo import write_demo_project
from workbench.taxonomy import Taxonomy

alt.renderers.enable("svg")  # charts render with no network (the default renderer loads from a CDN)
project = Path(project_dir)
shutil.rmtree(project, ignore_errors=True)  # start from an empty folder every time
write_demo_project(project)
taxonomy = Taxonomy.load(project / "taxonomy.yaml")
print(f"{taxonomy.name} v{taxonomy.version}: {len(taxonomy.labels)} labels in groups {list(taxonomy.groups)}")

# %% [markdown]
# A broken taxonomy is reported with every problem and its line number, not just the first one:

# %%
from workbench.exceptions import TaxonomyError

broken = (project / "taxonomy.yaml").read_text().replace("parent: billing", "parent: biling", 1)
try:
    Taxonomy.from_yaml(broken, source="taxonomy.yaml (edited)")
except TaxonomyError as err:
    print(err)

# %% [markdown]
# ## 2. The labeling guideline
# One self-contained HTML page (no external assets) that labelers keep open.

# %%
from workbench.guideline import write_guideline

guideline = write_guideline(taxonomy, project / "guideline.html")
print("guideline:", guideline)

# %% [markdown]
# ## 3. Store, pilot sample and assignments
# The store is a SQLite file by default (`postgresql+psycopg://...` for teams). Labels are
# append-only: a correction or an undo is a new row, so nothing is ever lost.

# %%
import pandas as pd

from workbench.sampling import assign, pilot_sample
from workbench.store import AnnotationStore

store = AnnotationStore(project / "workbench.db")
items = pd.read_csv(project / "items.csv")
store.add_items(items)
version = store.save_taxonomy(taxonomy)
store.create_round(1, taxonomy_version=version, name="pilot 1")

sample = pilot_sample(items, n_items, stratify_by="channel", random_state=random_state)
plan = assign(sample, ["ana", "ben", "chen"], overlap=2, random_state=random_state)
store.assign(plan, round=1)
plan.groupby("annotator").size().rename("items to label")

# %% [markdown]
# ## 4. Label a few items yourself
# You have no assignments, so the widget offers the round's items you have not labeled yet.
# Digits choose an option, `u` marks unsure, `s` skips, Backspace goes back, `?` opens the guideline.
# Every label is in the store before the next item shows; your labels join the analysis below.

# %%
from workbench.widgets import Labeller

Labeller(store, annotator="you", round=1, mask_pii=True)

# %% [markdown]
# ## 5. Three simulated annotators label the rest
# `ana` is careful, `ben` confuses refunds with cancellations and bugs with how-to questions, and
# `chen` marks ambiguous items unsure and writes notes on items that fit nowhere. They write through
# the same store API the widget uses.

# %%
from workbench.demo import simulate_round

simulate_round(store, 1, random_state=random_state, progress=False)

# %% [markdown]
# ## 6. Agreement, errors, proposals
# Chance-corrected agreement with bootstrap intervals, per category and per annotator.

# %%
from workbench import agreement as ag
from workbench import charts

labels = store.annotations(round=1, kind="label")
ag.agreement_table(labels, categories=taxonomy.labels, n_boot=500, random_state=random_state)

# %%
per_category = ag.per_category_table(labels, categories=taxonomy.labels, n_boot=500, random_state=random_state)
charts.plot_category_agreement(per_category)

# %% [markdown]
# Where a cross-validated baseline model trained on the consensus labels goes wrong, next to where
# the humans split:

# %%
from workbench import error_analysis as ea

consensus = ag.consensus_table(labels)
predictions = ea.cross_validated_predictions(store.items(), consensus[["item_id", "label"]], cv=3,
                                             random_state=random_state, progress=False)
ea.confusion_evidence_table(labels, predictions).head(8)

# %% [markdown]
# The evidence turned into reviewable proposals for the next taxonomy version:

# %%
from workbench.revisions import draft_taxonomy, proposals_table, propose_revisions

proposals = propose_revisions(taxonomy, labels, predictions=predictions, items=store.items(),
                              random_state=random_state)
proposals_table(proposals)

# %%
draft = draft_taxonomy(taxonomy, proposals, accept=[p.id for p in proposals if p.severity == "high"][:1])
print(draft.to_yaml()[-1200:])

# %% [markdown]
# ## 7. The pilot report
# The same analysis, told for a taxonomy lead, as an HTML page that opens offline
# (`workbench report pilot --db my-pilot/workbench.db --round 1 -o reports/round-1` does the same).

# %%
if render:
    from workbench.report import render_report

    result = render_report("pilot", project / "reports" / "round-1",
                           parameters={"db_url": str((project / "workbench.db").resolve()), "round": 1,
                                       "n_boot": 300, "random_state": random_state}, progress=False)
    print("report:", result.html_path)
