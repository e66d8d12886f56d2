# %% [markdown]
# # 02 · A labeling session, from start to finish
#
# This notebook is what a labeler sees and does in one pilot round, with the bundled demo
# project (`support-intents`, example data written for the project):
#
# 1. the taxonomy lead sets up a round and assigns items (normally done once, elsewhere);
# 2. the labeler opens the **Labeller** and labels: one key or one click per item, definitions
#    one hover away, *unsure* and a note when nothing fits, skip, back;
# 3. every label is in the store **before** the next item shows, so closing the notebook or
#    restarting the kernel loses nothing: re-opening resumes at the first unlabeled item;
# 4. labelers who never open Jupyter get the same screen in a browser tab (`workbench serve`).
#
# Everything runs offline. Run the cells in order (or *Run All*).

# %% [markdown]
# ## 1. The round (taxonomy lead)
#
# A SQLite store in a temporary folder; in a real project it is a file such as `labels.db` (or a PostgreSQL URL) shared by the team.

# %%
import tempfile
from pathlib import Path

import pandas as pd

import workbench
from workbench.store import AnnotationStore
from workbench.taxonomy import Taxonomy

demo = Path(workbench.__file__).parent / "demo" / "data"
folder = Path(tempfile.mkdtemp(prefix="labeling-session-"))
db_url = f"sqlite:///{folder / 'labels.db'}"

store = AnnotationStore(db_url)
taxonomy = Taxonomy.load(demo / "taxonomy.yaml")
version = store.save_taxonomy(taxonomy)
items = pd.read_csv(demo / "items.csv").head(12)
store.add_items(items)
store.create_round(1, taxonomy_version=version, name="pilot")
store.assign(pd.DataFrame({"item_id": items["item_id"], "annotator": "alice",
                           "position": range(len(items))}), round=1)
print(f"{taxonomy.name} v{taxonomy.version}: {len(taxonomy.labels)} labels; 12 items assigned to alice")

# %% [markdown]
# ## 2. Labeling (the labeler)
#
# | key | action |
# |---|---|
# | `1` … `9`, then `a`, `b`… | choose the option with that number (multi-label taxonomies: toggle, then `Enter`) |
# | `0` | *None of these* (write a note: it is how new categories are found) |
# | `u` | flag the answer as unsure |
# | `s` | skip (the item comes back at the end) |
# | `Backspace` | back: takes back the last label and shows that item again |
# | `←` `→` | walk through the options: their definition, include / exclude rules and edge cases |
# | `?` | the labeling guide |
#
# ![The Labeller with the demo taxonomy: the item, 12 options in 3 groups, the definition of the hovered option](../docs/screenshots/labeller_demo_taxonomy.png)
#
# Keys work while the mouse is over the item or the options; the note field is outside that
# area so typing a note is never taken for shortcuts. `mask_pii=True` hides e-mails, phone
# numbers, card numbers, IBANs and IP addresses on screen (the store keeps the original).

# %%
from workbench.widgets import Labeller

labeller = Labeller(db_url, annotator="alice", round=1, mask_pii=True)
labeller

# %% [markdown]
# When this notebook runs unattended (CI, papermill) nobody presses keys, so the next cell
# presses the keys a labeler would (`labeller.press(key)` is what a keystroke does): two
# labels, a skip, a *None of these* with a note, and a step back. In a live session, just use
# the widget above.

# %%
press = labeller.press

press("8")                      # 8th option, in the order shown
labeller.buttons[0].click()      # a click works too
press("s")                      # skip
labeller.note.value = "asks for a lyrics feature: no category fits"
press("u"); press("0")          # unsure + None of these, with the note
press("1"); press("Backspace")  # a label, then back: it is retracted and the item shows again
print(labeller.session.progress, "->", labeller.item.item_id)

# %% [markdown]
# ## 3. What is in the store
#
# One row per judgement, appended (an undo is a `retract` row, never a deletion).

# %%
store.annotations(round=1, current_only=False)[
    ["id", "item_id", "annotator", "label", "unsure", "note", "duration_ms", "kind"]]

# %% [markdown]
# ## 4. Closing and coming back
#
# A new `Labeller` for the same annotator and round (after a kernel restart, the next day,
# on another machine with the same store) starts at the first unlabeled assignment; skipped
# items come after the fresh ones.

# %%
again = Labeller(db_url, annotator="alice", round=1)
print("resumes at", again.item.item_id, "| done / assigned:", again.session.progress)
again

# %% [markdown]
# ## 5. Labelers who never open Jupyter
#
# ```bash
# workbench serve --db labels.db --round 1          # http://127.0.0.1:8866/?annotator=alice
# ```
# starts Voilà on a generated page: the labeler types their name and gets the same screen,
# with no code and nothing else of Jupyter. From Python: `workbench.widgets.serve(db_url, 1)`.
# Voilà has no login, so keep it on 127.0.0.1 or behind your own authenticating proxy.

# %% [markdown]
# ## 6. Other kinds of items
#
# The item panel takes any renderer: text (escaped, optional masking and term highlighting),
# images (arrays or files), audio clips, and conversations / prompt + model responses.
# Below, handwritten digits from scikit-learn (8×8 arrays) labeled with a 10-class taxonomy.

# %%
from sklearn.datasets import load_digits

from workbench.widgets.renderers import render_image

digits = load_digits()
digit_tax = Taxonomy.from_yaml("name: digits\nversion: 1\ncategories:\n" + "".join(
    f"  - {{id: d{k}, name: '{k}', definition: 'The digit {k}.'}}\n" for k in range(10)))
digit_store = AnnotationStore(f"sqlite:///{folder / 'digits.db'}")
dv = digit_store.save_taxonomy(digit_tax)
digit_store.add_items(pd.DataFrame({"item_id": [f"digit-{i}" for i in range(20)],
                                    "text": [f"sample {i}" for i in range(20)],
                                    "image": [digits.images[i].tolist() for i in range(20)]}))
digit_store.create_round(1, taxonomy_version=dv)
Labeller(digit_store, annotator="alice", round=1, item_renderer=render_image)
