"""The lead's Dashboard: its numbers, who may open it, escaping, and refreshing itself in a running loop."""

from __future__ import annotations

import asyncio
import concurrent.futures

import pandas as pd
import pytest

from workbench.demo import labeling_program
from workbench.exceptions import AccessDenied
from workbench.monitoring import progress_speed_table
from workbench.store import AnnotationStore
from workbench.widgets import Dashboard, identity


@pytest.fixture(scope="module")
def program(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('dash') / 'program.db'}"
    labeling_program(AnnotationStore(url), weeks=2, items_per_week=40).close()
    return url


def test_the_numbers_are_the_progress_table_of_the_round(program):
    store = AnnotationStore(program)
    now = pd.Timestamp("2026-11-20", tz="UTC")
    board = Dashboard(store, round=2, annotator="lena")
    snap = board.snapshot(now=now)
    expected = progress_speed_table(store.assignments(round=2), store.annotations(round=2), now=now)
    got = snap["labelers"].set_index("annotator")
    for row in expected.itertuples():
        assert got.loc[row.annotator, ["assigned", "done", "remaining"]].tolist() == [row.assigned, row.done,
                                                                                      row.remaining]
        assert got.loc[row.annotator, "items_per_hour"] == pytest.approx(row.items_per_hour)
    assert snap["totals"]["done"] == expected["done"].sum() and snap["totals"]["assigned"] == 80
    assert dict(zip(got.index, got["team"])) == {"acme-1": "acme", "acme-2": "acme", "nw-1": "northwind",
                                                 "nw-2": "northwind", "ida": "in-house"}
    teams = snap["teams"].set_index("team")
    assert teams.loc["northwind", "done"] == got.loc[["nw-1", "nw-2"], "done"].sum()
    assert got["accuracy"].between(0, 1).all()
    html = board.body.value
    assert "Labelers" in html and 'aria-label="Scatter plot of speed against quality' in html
    assert "<script" not in html


def test_only_a_lead_opens_it(program):
    store = AnnotationStore(program)
    store.add_user("rita", role="reviewer", actor="lena")
    identity.bind("rita", "reviewer")
    with pytest.raises(AccessDenied, match="cannot open the dashboard view; it needs the role lead"):
        Dashboard(store, round=1)
    identity.reset_for_tests()
    identity.bind("nw-1", "labeler")
    with pytest.raises(AccessDenied, match="A labeler cannot open the dashboard view"):
        Dashboard(store, round=1)


def test_names_and_labels_are_escaped(tmp_path):
    store = AnnotationStore.example(f"sqlite:///{tmp_path / 'x.db'}")
    hostile = '<img src=x onerror="alert(1)">'
    store.record("m1", hostile, "refund", round=1, note=hostile)
    board = Dashboard(store, round=1, annotator="lena", refresh_seconds=0)
    assert "<img" not in board.body.value and "&lt;img src=x" in board.body.value
    assert "press Refresh" in board.header.value


def test_it_refreshes_itself_while_the_loop_runs_and_stops_when_closed(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    store = AnnotationStore.example(url)

    async def scenario():
        board = Dashboard(store, round=1, annotator="lena", refresh_seconds=0.2)
        assert board.auto_refresh and "refreshes every 0.2 s" in board.header.value
        before = board.refreshes
        assert board.snapshot()["totals"]["answers_last_hour"] == 0
        AnnotationStore(url).record("m1", "ann", "refund", round=1, duration_ms=3000)  # another writer
        for _ in range(50):
            await asyncio.sleep(0.1)
            if "ann" in board.body.value:
                break
        assert "ann" in board.body.value and board.refreshes > before
        board.close()
        stopped = board.refreshes
        await asyncio.sleep(0.5)
        assert board.refreshes == stopped

    # in a thread of its own: in the full suite the browser tests' playwright holds this thread's loop
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, scenario()).result()
