"""A tiny ready-made store for examples and doctests (behind ``AnnotationStore.example``).

Examples
--------
>>> from workbench.store import AnnotationStore
>>> store = fill_example_store(AnnotationStore("sqlite://"))
>>> store.items()["item_id"].tolist(), store.taxonomy().labels
(['m1', 'm2', 'm3'], ('refund', 'cancel', 'bug'))
"""

from __future__ import annotations

import pandas as pd

from ..taxonomy import Taxonomy

__all__ = ["fill_example_store"]

_EXAMPLE_TAXONOMY = """\
name: support-intents
version: 1
task: {task}
categories:
  - {{id: refund, name: Refund request, definition: The customer wants money back.}}
  - {{id: cancel, name: Cancellation, definition: The customer wants to stop the subscription.}}
  - {{id: bug, name: Bug report, definition: Something in the product is broken.}}
"""


def fill_example_store(store, *, task: str = "multiclass"):
    """Give an empty store taxonomy v1, items m1-m3 and round 1; return the store."""
    version = store.save_taxonomy(Taxonomy.from_yaml(_EXAMPLE_TAXONOMY.format(task=task)))
    store.add_items(pd.DataFrame({"item_id": ["m1", "m2", "m3"],
                                  "text": ["I want my money back", "Please stop my plan", "The app crashes"],
                                  "channel": ["chat", "mail", "chat"]}))
    store.create_round(1, taxonomy_version=version, name="pilot")
    return store
