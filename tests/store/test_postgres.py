"""The same store semantics and the concurrency test on the real PostgreSQL server."""

from __future__ import annotations

import io
import time

import pandas as pd
import pytest

from workbench.exceptions import DataError, LabelNotInTaxonomyError, StoreError
from workbench.store import AnnotationStore
from workbench.store._schema import SCHEMA_VERSION
from workbench.taxonomy import Taxonomy

from tests.store.test_concurrency import TAX, acked, prepare, spawn

pytestmark = pytest.mark.postgres


def test_that_the_store_works_the_same_on_postgres(postgres_url):
    store = prepare(postgres_url)
    assert store.url.startswith("postgresql+psycopg://")
    first = store.record("i1", "ana", "bug", round=1, note='a "note"\nwith, commas', duration_ms=5)
    second = store.record("i1", "ana", "refund", round=1, unsure=True)
    store.record("i2", "ana", None, round=1, kind="skip")
    undo = store.retract(second)
    cur = store.annotations()
    assert cur["id"].tolist() == [first, cur["id"].iloc[1]] and cur["kind"].tolist() == ["label", "skip"]
    row = cur.iloc[0]
    assert row.note == 'a "note"\nwith, commas' and row.duration_ms == 5 and not row.unsure
    assert row.label == "bug" and row.session_id is None and str(row.created_at.tz) == "UTC"
    assert cur.iloc[1].label is None
    allrows = store.annotations(current_only=False)
    assert len(allrows) == 4 and allrows.set_index("id").loc[undo, "retracts"] == second
    assert bool(allrows.set_index("id").loc[second, "unsure"])
    with pytest.raises(LabelNotInTaxonomyError, match="'refnd'.*'support' v1"):
        store.record("i1", "ana", "refnd", round=1)
    with pytest.raises(StoreError, match="unknown item"):
        store.record("nope", "ana", "bug", round=1)
    with pytest.raises(StoreError, match="already retracted"):
        store.retract(second)
    with pytest.raises(DataError, match="different text"):
        store.add_items(pd.DataFrame({"item_id": ["i1"], "text": ["changed"]}))
    assert store.add_items(pd.DataFrame({"item_id": ["i1", "new"], "text": ["t1", "n"], "k": [1, 2]})) == 1
    assert store.items(item_ids=["new"])["k"].tolist() == [2]
    ids = store.record_many(pd.DataFrame({"item_id": ["i3", "i4"], "annotator": "ben", "label": ["bug", "cancel"]}),
                            round=1)
    assert store.annotations(round=1, kind="label").set_index("id").loc[ids, "label"].tolist() == ["bug", "cancel"]
    store.assign(pd.DataFrame({"item_id": ["i3", "i4", "i5"], "annotator": "ben"}), round=1)
    assert store.progress(round=1).set_index("annotator").loc["ben"].tolist() == [3, 2]
    buf = io.StringIO()
    store.export(buf, format="csv")
    assert len(pd.read_csv(io.StringIO(buf.getvalue()))) == len(store.annotations())
    assert store.taxonomy(1) == Taxonomy.from_yaml(TAX)


@pytest.mark.slow
def test_that_four_processes_writing_to_postgres_give_exactly_10000_rows(postgres_url, tmp_path):
    prepare(postgres_url).close()
    go = tmp_path / "go"
    procs = [spawn(postgres_url, f"w{k}", 2500, go) for k in range(4)]
    time.sleep(0.5)
    go.touch()
    results = [p.communicate(timeout=240) for p in procs]
    for p, (_, err) in zip(procs, results):
        assert p.returncode == 0, err
    ids = [i for out, _ in results for i in acked(out)]
    assert len(set(ids)) == 10_000
    store = AnnotationStore(postgres_url)
    everything = store.annotations(current_only=False)
    assert len(everything) == 10_000 and set(everything["id"]) == set(ids)
    assert everything.groupby("annotator").size().to_dict() == {f"w{k}": 2500 for k in range(4)}
    assert len(store.annotations()) == 200
    store.close()


def test_that_concurrent_first_opens_of_a_fresh_database_do_not_race(postgres_url):
    import concurrent.futures as cf

    with cf.ThreadPoolExecutor(4) as pool:
        stores = list(pool.map(AnnotationStore, [postgres_url] * 4))
    assert {s.schema_version for s in stores} == {SCHEMA_VERSION}
    for s in stores:
        s.close()
