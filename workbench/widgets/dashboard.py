"""``Dashboard``: the lead's live view of a round: progress, speed, quality and teams, refreshing itself.

It reads the store every ``refresh_seconds`` (in the kernel's event loop, so a served page or
a notebook cell keeps updating while it is open) and shows:

- the round's totals: assigned, done, remaining, answers and active labelers in the last hour,
  and the estimated finish at each labeler's own pace;
- per labeler (with their team): assigned, done, remaining, items per hour, median seconds,
  estimated finish, and accuracy against the best reference (gold, adjudication, else the
  majority of the others), as a table and a speed-against-quality chart (a static SVG with alt
  text: the page needs no chart script);
- per team: the same totals, and the targets of ``targets.yaml`` over the last 7 days when the
  dashboard is given one;
- the latest answers.

Only leads open it. Every name and label is escaped.

Examples
--------
>>> from workbench.store import AnnotationStore
>>> from workbench.widgets import identity
>>> store = AnnotationStore.example()
>>> _ = store.record("m1", "ann", "refund", round=1, duration_ms=4000)
>>> _ = identity.bind("lena", "lead")
>>> board = Dashboard(store, round=1)
>>> board.snapshot()["totals"]["done"], "refund" in board.body.value
(1, True)
>>> identity.reset_for_tests()
"""

from __future__ import annotations

import asyncio
from typing import Any, Optional

import ipywidgets as widgets
import pandas as pd

from ._bound import authorize
from ._style import style_html
from .renderers import escape
from .session import open_store

__all__ = ["Dashboard", "DEFAULT_REFRESH_SECONDS"]

#: How often the dashboard reads the store again, unless the round's params set ``dashboard_refresh_seconds``.
DEFAULT_REFRESH_SECONDS = 30
_RECENT = 12


def _table(df: pd.DataFrame, *, digits: int = 2) -> str:
    """``df`` as an escaped HTML table."""
    if df is None or df.empty:
        return '<p class="wb-def-hint">Nothing yet.</p>'

    def cell(value):
        if isinstance(value, float):
            return "" if value != value else f"{value:,.{digits}f}"
        if isinstance(value, pd.Timestamp):
            return "" if pd.isna(value) else f"{value:%Y-%m-%d %H:%M}"
        return escape("" if value is None or value is pd.NaT else value)

    head = "".join(f"<th>{escape(c)}</th>" for c in df.columns)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>"
                   for row in df.itertuples(index=False))
    return f'<table class="wb-dash-table"><tr>{head}</tr>{body}</table>'


class Dashboard(widgets.VBox):
    """The lead's live dashboard of one round (see the module docstring).

    Parameters
    ----------
    store : AnnotationStore or str
    round : int, optional
        Default: the newest round.
    annotator : str, optional
        Who opens it (a lead); default the signed-in user.
    refresh_seconds : float, optional
        Default: the round's ``dashboard_refresh_seconds`` param, else 30. ``0`` turns the
        automatic refresh off (the "Refresh" button still works).
    targets : QualityTargets or path, optional
        Vendor targets, judged over the last 7 days.
    """

    kind = "dashboard"

    def __init__(self, store: Any, *, round: Optional[int] = None, annotator: Optional[str] = None,
                 refresh_seconds: Optional[float] = None, targets: Any = None):
        self.store = open_store(store)
        self.identity = authorize(self.store, annotator, self.kind)
        rounds = self.store.rounds()
        if round is None:
            if rounds.empty:
                from ..exceptions import StoreError

                raise StoreError("The store has no round yet: create one with store.create_round(...).")
            round = int(rounds["round"].max())
        self.round = int(round)
        params = self.store.round_info(self.round).get("params") or {}
        if refresh_seconds is None:
            refresh_seconds = params.get("dashboard_refresh_seconds", DEFAULT_REFRESH_SECONDS) if isinstance(
                params, dict) else DEFAULT_REFRESH_SECONDS
        self.refresh_seconds = float(refresh_seconds)
        if targets is not None and not hasattr(targets, "for_vendor"):
            from ..monitoring import QualityTargets

            targets = QualityTargets.read(targets)
        self.targets = targets
        self.header = widgets.HTML()
        self.body = widgets.HTML()
        self.body.add_class("wb-dash")
        self.refresh_button = widgets.Button(description="Refresh")  # no icon: icons need a CDN font
        self.refresh_button.on_click(lambda _: self.refresh())
        self.refreshes = 0
        super().__init__([widgets.HTML(style_html() + _DASH_CSS),
                          widgets.HBox([self.header, self.refresh_button]), self.body])
        self.add_class("wb-dashboard")
        try:
            loop = asyncio.get_running_loop()  # a kernel (notebook, Voilà) runs one; plain Python does not
        except RuntimeError:
            loop = None
        self.auto_refresh = self.refresh_seconds > 0 and loop is not None
        self.refresh()
        self._task = loop.create_task(self._refresh_forever()) if self.auto_refresh else None

    async def _refresh_forever(self) -> None:
        while True:
            await asyncio.sleep(self.refresh_seconds)
            try:
                self.refresh()
            except Exception as exc:  # noqa: BLE001 - a failed read (a locked file) must not stop the loop
                self.header.value = f'<div class="wb-error">Could not refresh: {escape(exc)}</div>'

    def close(self) -> None:
        """Stop refreshing and close the widgets."""
        if getattr(self, "_task", None) is not None:
            self._task.cancel()
        super().close()

    # ------------------------------------------------------------------ data
    def snapshot(self, *, now: Optional[pd.Timestamp] = None) -> dict:
        """The numbers on screen: ``totals`` (dict), ``labelers``, ``teams``, ``recent`` and ``targets`` frames."""
        from .. import error_analysis as ea
        from ..monitoring import NO_TEAM, progress_speed_table, sla_table

        now = pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now)
        rows = self.store.annotations(round=self.round)
        plan = self.store.assignments(round=self.round)
        users = self.store.users()
        team_of = dict(zip(users["user_id"], users["team"])) if len(users) else {}
        answers = rows[rows["kind"] != "retract"]
        progress = progress_speed_table(plan, rows, now=now) if len(plan) else pd.DataFrame(
            columns=["annotator", "assigned", "done", "remaining", "share_done", "items_per_hour", "median_seconds",
                     "estimated_finish"])
        if len(answers):  # labelers working without a plan still show up
            extra = sorted(set(answers["annotator"]) - set(progress["annotator"]))
            if extra:
                done = answers[answers["annotator"].isin(extra)].groupby("annotator")["item_id"].nunique()
                seconds = answers.groupby("annotator")["duration_ms"].median() / 1000
                progress = pd.concat([progress, pd.DataFrame({
                    "annotator": extra, "assigned": 0, "done": [int(done[a]) for a in extra], "remaining": 0,
                    "median_seconds": [seconds.get(a) for a in extra]})], ignore_index=True)
        progress.insert(1, "team", [team_of.get(a) or NO_TEAM for a in progress["annotator"]])
        labels = rows[rows["kind"] == "label"]
        accuracy = pd.DataFrame(columns=["annotator", "accuracy", "n_scored"])
        if len(labels) and not labels["label"].astype(str).str.startswith("[").any():
            items = self.store.items(item_ids=sorted(set(labels["item_id"].astype(str))))
            gold = (items[["item_id", "gold_label"]].dropna().rename(columns={"gold_label": "label"})
                    if "gold_label" in items.columns else None)
            adjudicated = rows[rows["kind"] == "adjudication"][["item_id", "label"]]
            reference = ea.reference_labels(labels, gold=gold if gold is not None and len(gold) else None,
                                            adjudications=adjudicated if len(adjudicated) else None)
            if reference["reference_label"].notna().any():
                scored = ea.labeler_quality_table(labels, reference, reference_name="reference")
                accuracy = scored[["annotator", "accuracy", "n_items"]].rename(columns={"n_items": "n_scored"})
        labelers = progress.merge(accuracy, on="annotator", how="left")
        teams = (labelers.groupby("team", as_index=False)
                 .agg(labelers=("annotator", "size"), assigned=("assigned", "sum"), done=("done", "sum"),
                      remaining=("remaining", "sum")))
        hour_ago = now - pd.Timedelta(hours=1)
        last_hour = answers[answers["created_at"] >= hour_ago]
        finish = pd.to_datetime(labelers["estimated_finish"], utc=True).dropna() if len(labelers) else pd.Series([])
        totals = {"assigned": int(labelers["assigned"].sum()), "done": int(labelers["done"].sum()),
                  "remaining": int(labelers["remaining"].sum()), "answers_last_hour": int(len(last_hour)),
                  "active_last_hour": int(last_hour["annotator"].nunique()),
                  "estimated_finish": finish.max() if len(finish) else None}
        recent = answers.sort_values("id", ascending=False).head(_RECENT)[
            ["created_at", "annotator", "item_id", "kind", "label"]]
        targets = None
        if self.targets is not None and len(answers):
            everything = self.store.annotations()
            targets = sla_table(everything, teams=users, targets=self.targets, assignments=self.store.assignments(),
                                gold=None, start=now - pd.Timedelta(days=7), end=now, now=now)
        return {"totals": totals, "labelers": labelers, "teams": teams, "recent": recent, "targets": targets,
                "now": now}

    # ------------------------------------------------------------------ screen
    def refresh(self) -> None:
        """Read the store again and redraw."""
        snap = self.snapshot()
        self.refreshes += 1
        totals, labelers = snap["totals"], snap["labelers"]
        every = (f"refreshes every {self.refresh_seconds:g} s" if self.auto_refresh
                 else "press Refresh for new numbers")
        self.header.value = (f'<div class="wb-dash-head"><b>Round {self.round}</b> · updated '
                             f'<span class="wb-dash-time">{snap["now"]:%H:%M:%S} UTC</span> · {every}</div>')
        share = totals["done"] / totals["assigned"] if totals["assigned"] else 0.0
        finish = totals["estimated_finish"]
        cards = [("done", f"{totals['done']} of {totals['assigned']}", f"{share:.0%}"),
                 ("remaining", str(totals["remaining"]), "items"),
                 ("last hour", str(totals["answers_last_hour"]), f"answers by {totals['active_last_hour']} labelers"),
                 ("estimated finish", "—" if finish is None else f"{finish:%a %H:%M}", "UTC, at each labeler's pace")]
        cards_html = "".join(f'<div class="wb-dash-card" data-card="{escape(k)}"><small>{escape(k)}</small>'
                             f'<b>{escape(v)}</b><span>{escape(note)}</span></div>' for k, v, note in cards)
        chart = ""
        scored = labelers.dropna(subset=["accuracy", "median_seconds"]) if len(labelers) else labelers
        if len(scored):
            from ..charts import chart_svg, plot_speed_quality

            frame = scored.rename(columns={"n_scored": "n_items"})
            chart = f'<div class="wb-dash-chart">{chart_svg(plot_speed_quality(frame, color="team"))}</div>'
        shown = labelers[["annotator", "team", "assigned", "done", "remaining", "items_per_hour", "median_seconds",
                          "accuracy", "estimated_finish"]] if len(labelers) else labelers
        parts = [f'<div class="wb-dash-cards">{cards_html}</div>', "<h3>Labelers</h3>", _table(shown), chart,
                 "<h3>Teams</h3>", _table(snap["teams"])]
        if snap["targets"] is not None:
            grid = snap["targets"][["vendor", "target", "value", "threshold", "status", "n"]]
            parts += ["<h3>Targets, last 7 days</h3>", _table(grid, digits=3)]
        recent = snap["recent"].assign(created_at=pd.to_datetime(snap["recent"]["created_at"], utc=True))
        parts += ["<h3>Latest answers</h3>", _table(recent)]
        self.body.value = "".join(parts)

_DASH_CSS = """<style>
.wb-dash-head { padding: 6px 0; font-size: 14px; }
.wb-dash-cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 8px 0 4px; }
.wb-dash-card { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 12px; min-width: 150px;
                display: flex; flex-direction: column; }
.wb-dash-card small { color: #57606a; text-transform: uppercase; font-size: 11px; }
.wb-dash-card b { font-size: 22px; }
.wb-dash-card span { color: #57606a; font-size: 12px; }
.wb-dash-table { border-collapse: collapse; font-size: 13px; }
.wb-dash-table th, .wb-dash-table td { border-bottom: 1px solid #eaeef2; padding: 3px 8px; text-align: left; }
.wb-dash h3 { margin: 14px 0 4px; font-size: 15px; }
</style>"""
