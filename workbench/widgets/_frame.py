"""``ReviewFrame``: the common screen of the raters and taggers (header, item, answer, rationale).

Layout, top to bottom: a header (title, progress bar, ``done / total``), the item,
the widget's answer area, then a rationale box (required when ``rationale=True``),
the controls (submit, skip, back), the keys printed on screen and a status line.
Subclasses fill ``answer_box`` and implement ``_show(item)``, ``_answer()`` (the
label to store, or raise :class:`AnswerIncomplete` with a message for the labeler)
and ``_key(key)``. The frame implements
:class:`~workbench.widgets._protocol.LabelWidget`, so a
:class:`~workbench.widgets.session.LabelingSession` writes every submit to the store
before the next item shows. The keyboard listener (ipyevents) sits on the main box
and is never a child (an ``Event`` has no view); the rationale box is outside that box,
so typing in it never triggers a shortcut.

Examples
--------
>>> from workbench.widgets._protocol import Item
>>> class Echo(ReviewFrame):
...     def _answer(self):
...         return "ok"
>>> view = Echo(title="demo", rationale=True)
>>> got = []
>>> view.on_submit(got.append)
>>> view.display(Item("x", "some text"))
>>> view._submit()  # no rationale yet: refused, with a visible message
>>> got, "rationale" in view.status.value
([], True)
>>> view.rationale.value = "because"
>>> view._handle_keystroke({"key": "Enter", "type": "keydown"})
>>> got[0].label, got[0].note
('ok', 'because')
"""

from __future__ import annotations

import time
from typing import Any, Callable, List, Optional

import ipywidgets as widgets

from ..exceptions import WorkbenchError
from . import _keys
from ._base import ActionView
from ._protocol import Item, Submission
from ._style import style_widget
from .renderers import escape, make_renderer

__all__ = ["ReviewFrame", "AnswerIncomplete", "EXTRA_CSS", "button"]


#: CSS of the raters, adjudicator, quiz and taggers (on top of ``_style.CSS``).
EXTRA_CSS = """
.wb-answer { padding: 10px 14px; border: 1px solid #d0d7de; background: #f6f8fa; gap: 4px; }
.wb-answer-row { align-items: center; flex-wrap: wrap; gap: 2px; }
.wb-answer-label { width: 150px; min-width: 150px; font-size: 13px; font-weight: 600; color: #57606a;
  text-transform: uppercase; letter-spacing: .04em; }
.wb-answer-hint { font-size: 13px; color: #57606a; }
.wb-root .wb-rationale { width: 100%; }
.wb-root .wb-rationale textarea { font-size: 14px; border-radius: 6px; min-height: 56px; font-family: inherit; }
.wb-rationale-box { padding: 8px 12px 0 12px; border-left: 1px solid #d0d7de; border-right: 1px solid #d0d7de; }
.wb-rationale-box.wb-missing textarea { border-color: #cf222e; box-shadow: 0 0 0 2px rgba(207,34,46,.2); }
.wb-root .wb-option.wb-rank { background: #ddf4ff; border-color: #0969da; }
.wb-root .wb-option.wb-voted { border-color: #8250df; box-shadow: inset 0 -3px 0 #8250df; }
.wb-root .wb-option.wb-right { background: #1a7f37; color: #fff; border-color: #1a7f37; }
.wb-root .wb-option.wb-wrong { background: #cf222e; color: #fff; border-color: #cf222e; }
.wb-response.wb-chosen { border: 2px solid #0969da; background: #f5faff; }
.wb-response.wb-tied { border: 2px dashed #bf8700; }
.wb-role kbd, .wb-answer-hint kbd, .wb-feedback kbd { font-family: ui-monospace, monospace; font-size: 11px;
  padding: 0 5px; border: 1px solid #d0d7de; border-bottom-width: 2px; border-radius: 4px; background: #fff;
  color: #24292f; text-transform: none; }
.wb-feedback-box { border-left: 1px solid #d0d7de; border-right: 1px solid #d0d7de; background: #fff; }
.wb-root .wb-next { align-self: flex-start; margin: 0 16px 10px 16px; height: 32px; border-radius: 6px; }
.wb-rank-badge { float: right; font-size: 12px; font-weight: 700; color: #fff; background: #0969da;
  border-radius: 10px; padding: 1px 8px; }
.wb-votes { padding: 10px 16px; border-left: 1px solid #d0d7de; border-right: 1px solid #d0d7de; background: #fbf8ff; }
.wb-votes table { border-collapse: collapse; font-size: 14px; width: 100%; }
.wb-votes th { text-align: left; font-size: 12px; color: #57606a; text-transform: uppercase; letter-spacing: .04em;
  padding: 2px 10px 4px 0; }
.wb-votes td { padding: 3px 10px 3px 0; border-top: 1px solid #eaeef2; vertical-align: top; }
.wb-unsure-flag { color: #bf8700; font-weight: 600; }
.wb-feedback { padding: 12px 16px; font-size: 15px; line-height: 1.5; border-left: 1px solid #d0d7de;
  border-right: 1px solid #d0d7de; }
.wb-feedback.wb-ok { background: #dafbe1; } .wb-feedback.wb-ko { background: #ffebe9; }
.wb-feedback .wb-verdict { font-size: 18px; font-weight: 700; }
.wb-feedback .wb-rule { margin-top: 6px; color: #24292f; }
.wb-tokens { display: flex; flex-wrap: wrap; gap: 2px 0; padding: 0; background: #fff; border: none; }
.wb-root .wb-token { height: 30px; font-size: 18px; padding: 0 4px; margin: 1px 1px; border: 1px solid transparent;
  background: transparent; border-radius: 4px; color: #1f2328; box-shadow: none; }
.wb-root .wb-break { flex-basis: 100%; height: 6px; }
.wb-root .wb-token:hover { border-color: #0969da; }
.wb-root .wb-token.wb-pick { background: #fff3b0; border-color: #bf8700; }
.wb-chips { flex-wrap: wrap; gap: 4px; align-items: center; min-height: 34px; }
.wb-root .wb-chip { height: 28px; font-size: 13px; border-radius: 14px; margin: 2px 3px; }
.wb-canvas { position: relative; display: inline-block; line-height: 0; cursor: crosshair; }
.wb-canvas img { display: block; image-rendering: pixelated; user-select: none; -webkit-user-drag: none; }
.wb-bbox { position: absolute; border: 2px solid; box-sizing: border-box; pointer-events: none; }
.wb-bbox span { position: absolute; left: -2px; top: -20px; font: 600 12px/18px system-ui, sans-serif;
  color: #fff; padding: 0 5px; border-radius: 3px 3px 0 0; white-space: nowrap; }
.wb-corner { position: absolute; width: 10px; height: 10px; margin: -5px 0 0 -5px; border-radius: 5px;
  background: #bf8700; pointer-events: none; }
.wb-root .wb-image-box { padding: 0; background: #fff; border: none; }
.wb-root .wb-item.wb-item-image { max-height: none; }
""" + "".join(
    f".wb-root .wb-tag-{i} {{ background: {bg}; border-color: {fg}; }} .wb-root .wb-option.wb-tag-{i} {{ border-left: 6px solid {fg}; }}"
    f" .wb-bbox.wb-tag-{i} {{ border-color: {fg}; background: transparent; }} .wb-bbox.wb-tag-{i} span {{ background: {fg}; }}\n"
    for i, (bg, fg) in enumerate([("#ddf4ff", "#0969da"), ("#dafbe1", "#1a7f37"), ("#fbefff", "#8250df"),
                                  ("#fff8c5", "#9a6700"), ("#ffebe9", "#cf222e"), ("#ffeff7", "#bf3989"),
                                  ("#e6fffa", "#0f766e"), ("#f6f8fa", "#57606a")]))
N_TAG_COLORS = 8


class AnswerIncomplete(Exception):
    """Raised by ``_answer()`` when the labeler has not finished; the message is shown."""


def button(description: str, *, tooltip: str = "", classes=("wb-control",), style: str = "") -> widgets.Button:
    """A ``Button`` with the ``wb-*`` classes (auto width).

    Examples
    --------
    >>> button("Go", classes=("wb-option",))._dom_classes
    ('wb-option',)
    """
    b = widgets.Button(description=description, tooltip=tooltip, layout=widgets.Layout(width="auto"))
    if style:
        b.button_style = style
    for c in classes:
        b.add_class(c)
    return b


class ReviewFrame(ActionView):
    """Base screen for widgets whose answer needs several clicks and (often) a rationale.

    Parameters
    ----------
    title : str
        Header text.
    rationale : bool, default True
        Require a non-empty rationale (stored in ``note``) before submitting.
    rationale_placeholder : str
        Hint shown in the empty rationale box.
    item_renderer : callable, optional
        ``render(item) -> str | ipywidget``; default :func:`~workbench.widgets.renderers.render_item`.
    mask_pii : bool, default False
        Used by the default renderer.
    """

    keys_html = "<kbd>Enter</kbd> submit"

    def __init__(self, *, title: str = "", rationale: bool = True,
                 rationale_placeholder: str = "Rationale (required): why this answer?",
                 item_renderer: Optional[Callable] = None, mask_pii: bool = False):
        self.require_rationale = bool(rationale)
        self.render = item_renderer or make_renderer(mask_pii=mask_pii)
        self._submit_cbs: List[Callable] = []
        self._skip_cbs: List[Callable] = []
        self._undo_cbs: List[Callable] = []
        self.item: Optional[Item] = None
        self._shown_at = time.monotonic()
        self._busy = False
        self._done_total = (0, 0, 0)

        self.title = widgets.HTML(f'<div class="wb-title">{escape(title)}</div>')
        self.bar = widgets.IntProgress(value=0, min=0, max=1, layout=widgets.Layout(width="260px"))
        self.bar.add_class("wb-bar")
        self.count = widgets.HTML('<div class="wb-progress-label">0 / 0</div>')
        self.header = widgets.HBox([self.title, widgets.HBox([self.bar, self.count])])
        self.header.add_class("wb-header")
        self.item_html = widgets.HTML()
        self.item_box = widgets.Box([self.item_html], layout=widgets.Layout(display="block"))
        self.item_box.add_class("wb-item")
        self.answer_box = widgets.VBox([])
        self.answer_box.add_class("wb-answer")
        self.rationale = widgets.Textarea(placeholder=rationale_placeholder, continuous_update=True,
                                          layout=widgets.Layout(width="100%"))
        self.rationale.add_class("wb-rationale")
        self.rationale_box = widgets.Box([self.rationale], layout=widgets.Layout(display="block"))
        self.rationale_box.add_class("wb-rationale-box")
        self.submit_button = button("Submit (Enter)", tooltip="Save this answer and show the next item",
                                    style="primary")
        self.skip_button = button("Skip (s)", tooltip="Skip this item; it comes back at the end")
        self.back_button = button("Back (⌫)", tooltip="Take back the last answer and show that item again")
        self.submit_button.on_click(lambda _b: self._submit())
        self.skip_button.on_click(lambda _b: self._skip())
        self.back_button.on_click(lambda _b: self._undo())
        self.controls = widgets.HBox([self.submit_button, self.skip_button, self.back_button])
        self.controls.add_class("wb-controls")
        self.keys_help = widgets.HTML("")
        self.status = widgets.HTML("")
        self.status.add_class("wb-status")
        self.main = widgets.VBox(self._main_children())
        self.main.add_class("wb-main")
        extra = widgets.HTML(f"<style>{EXTRA_CSS}</style>", layout=widgets.Layout(display="none"))
        super().__init__([style_widget(), extra, self.main, self.rationale_box, self.controls,
                          self.keys_help, self.status])
        self.add_class("wb-root")
        self._set_keys_help()
        if not self.require_rationale:
            self.rationale.placeholder = "Note (optional)"
        # the key listener is an attribute, never a child (it has no view)
        self._key_event = _keys.attach_keys(self.main, self._handle_keystroke)

    def _main_children(self) -> list:
        return [self.header, self.item_box, self.answer_box]

    def _set_keys_help(self) -> None:
        self.keys_help.value = (f'<div class="wb-keys">Keys (mouse over the item or the buttons): {self.keys_html} · '
                                '<kbd>s</kbd> skip · <kbd>⌫</kbd> back</div>')

    # ------------------------------------------------------------------ protocol
    def display(self, item: Optional[Item]) -> None:
        """Show ``item`` with an empty answer, or the done message for ``None``."""
        self.item = item
        with self.hold_trait_notifications():
            self.rationale.value = ""
            self.rationale_box.remove_class("wb-missing")
            if item is None:
                self._set_item_content(self._done_html())
                for w in (self.answer_box, self.rationale_box, self.submit_button, self.skip_button):
                    w.layout.display = "none"
            else:
                for w in (self.answer_box, self.submit_button, self.skip_button):
                    w.layout.display = None
                self.rationale_box.layout.display = "block"
                self._set_item_content(self._render(item))
                self._show(item)
        self._shown_at = time.monotonic()

    def restore(self, answer: Submission) -> None:
        """Show a taken-back answer again (its rationale; subclasses restore the rest)."""
        self.rationale.value = answer.note or ""

    def set_progress(self, done: int, total: int, n_skipped: int = 0) -> None:
        """Update the progress bar and the ``done / total`` counter."""
        self._done_total = (done, total, n_skipped)
        self.bar.max = max(total, 1)
        self.bar.value = min(done, total)
        extra = f" · {n_skipped} skipped" if n_skipped else ""
        self.count.value = f'<div class="wb-progress-label">{done} / {total}{extra}</div>'

    # ------------------------------------------------------------------ for subclasses
    def _show(self, item: Item) -> None:
        """Reset the answer area for ``item``."""

    def _answer(self) -> Any:
        """The label to store; raise :class:`AnswerIncomplete` when not ready."""
        raise AnswerIncomplete("Nothing to submit.")

    def _key(self, key: str) -> bool:
        """Handle a widget-specific key; return True when handled."""
        return False

    # ------------------------------------------------------------------ rendering
    def _render(self, item: Item):
        try:
            return self.render(item)
        except WorkbenchError as exc:
            return (f'<div class="wb-status"><span class="wb-error">Item {escape(item.item_id)} cannot be '
                    f'shown: {escape(exc)}</span><br>Skip it with <kbd>s</kbd>.</div>')

    def _set_item_content(self, content) -> None:
        if isinstance(content, widgets.Widget):
            self.item_box.children = (content,)
        else:
            self.item_html.value = content
            if self.item_box.children != (self.item_html,):
                self.item_box.children = (self.item_html,)

    def _done_html(self) -> str:
        done, total, skipped = self._done_total
        more = (f"<small>{skipped} skipped item(s) remain; they come back when you re-open the session.</small>"
                if skipped else "<small>Every acknowledged answer is saved. You can close this page.</small>")
        return f'<div class="wb-done">✓ All done: {done} of {total} items. Thank you!{more}</div>'

    # ------------------------------------------------------------------ actions
    def _submission(self) -> Optional[Submission]:
        """Build the submission, or show why it cannot be submitted yet (``None``)."""
        try:
            label = self._answer()
        except AnswerIncomplete as exc:
            self._say(str(exc), error=True)
            return None
        note = self.rationale.value.strip()
        if self.require_rationale and not note:
            self.rationale_box.add_class("wb-missing")
            self._say("Write a rationale first (the box under the item): why is this the right answer?",
                      error=True)
            return None
        return Submission(label=label, note=note or None, duration_ms=self._elapsed_ms())

    def _submit(self) -> None:
        if self.item is None:
            return
        sub = self._submission()
        if sub is not None and self._emit(self._submit_cbs, sub):
            self._say("Saved.")

    def _skip(self) -> None:
        if self.item is not None and self._emit(self._skip_cbs, duration_ms=self._elapsed_ms(),
                                                note=self.rationale.value):
            self._say("Skipped; the item comes back at the end.")

    def _undo(self) -> None:
        if self._emit(self._undo_cbs):
            self._say("Took back the last answer.")

    def _handle_keystroke(self, event: dict) -> None:
        """Act on an ipyevents key event (``{"key": "1", "type": "keydown"}``)."""
        if event.get("type", "keydown") != "keydown" or event.get("ctrlKey") or event.get("altKey") \
                or event.get("metaKey"):
            return
        key = event.get("key")
        if not isinstance(key, str) or not key:
            return
        if self.item is not None and self._key(key):
            return
        if key == "Enter":
            self._submit()
        elif key in ("s", "S"):
            self._skip()
        elif key == "Backspace":
            self._undo()
