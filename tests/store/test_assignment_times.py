"""Schema 4: every assignment records when the work was handed over (for turnaround)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from workbench.exceptions import DataError
from workbench.store import AnnotationStore
from workbench.store import _schema as S
from tests.store.test_store import make_store


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_that_an_assignment_gets_the_time_of_the_call_or_its_own(tmp_path, request, backend):
    url = f"sqlite:///{tmp_path / 'a.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    store = make_store(url)
    before = pd.Timestamp.now(tz="UTC")
    store.assign(pd.DataFrame({"item_id": ["a"], "annotator": "ana"}), round=1)
    after = pd.Timestamp.now(tz="UTC")
    given = pd.Timestamp("2026-11-02 09:30:00", tz="UTC")
    store.assign(pd.DataFrame({"item_id": ["b", "c"], "annotator": "ben",
                               "assigned_at": [given, None]}), round=1)
    plan = store.assignments(round=1).set_index(["annotator", "item_id"])["assigned_at"]
    assert str(plan.dtype) == "datetime64[ns, UTC]" or str(plan.dtype).startswith("datetime64")
    assert before - pd.Timedelta(seconds=1) <= plan[("ana", "a")] <= after + pd.Timedelta(seconds=1)
    assert plan[("ben", "b")] == given
    assert before - pd.Timedelta(seconds=1) <= plan[("ben", "c")] <= after + pd.Timedelta(seconds=1)  # empty: now
    store.close()


def test_that_reassigned_work_starts_its_turnaround_at_the_move(sqlite_url):
    store = make_store(sqlite_url)
    old = pd.Timestamp("2026-11-01 08:00", tz="UTC")
    store.assign(pd.DataFrame({"item_id": ["a", "b"], "annotator": "ana", "assigned_at": old}), round=1)
    store.reassign(round=1, source="ana", target="ben", actor="lena")
    moved = store.assignments(round=1, annotator="ben")
    assert moved["item_id"].tolist() == ["a", "b"]
    assert (moved["assigned_at"] > old + pd.Timedelta(days=1)).all()  # the move, not ana's hand-over


def test_that_a_bad_assigned_at_is_refused_and_nothing_is_written(sqlite_url):
    store = make_store(sqlite_url)
    with pytest.raises(DataError, match="assigned_at must hold dates and times"):
        store.assign(pd.DataFrame({"item_id": ["a"], "annotator": "ana", "assigned_at": ["next tuesday"]}), round=1)
    assert store.assignments(round=1).empty


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_that_a_version_3_store_gains_assigned_at_in_place(tmp_path, request, backend):
    url = f"sqlite:///{tmp_path / 'v3.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    store = make_store(url)
    store.assign(pd.DataFrame({"item_id": ["a"], "annotator": "ana"}), round=1)
    with store.engine.connect() as conn:  # back to what schema 3 wrote
        conn.exec_driver_sql("ALTER TABLE assignments DROP COLUMN assigned_at")
        conn.exec_driver_sql("DELETE FROM workbench_schema")
        conn.exec_driver_sql("INSERT INTO workbench_schema (version, applied_at) VALUES (3, '2026-06-01')")
        conn.commit()
    store.close()
    again = AnnotationStore(url)
    assert again.schema_version == S.SCHEMA_VERSION == 4
    with again.engine.connect() as conn:
        assert "assigned_at" in {c["name"] for c in sa.inspect(conn).get_columns("assignments")}
    plan = again.assignments(round=1)
    assert plan["item_id"].tolist() == ["a"] and plan["assigned_at"].isna().all()  # unknown, not invented
    again.assign(pd.DataFrame({"item_id": ["b"], "annotator": "ana"}), round=1)
    assert again.assignments(round=1)["assigned_at"].notna().tolist() == [False, True]
    again.close()
