"""``ReviewFrame``: the common screen of the raters and taggers (header, item, answer, rationale).

Layout, top to bottom: a header (title, progress bar, ``done / total``), the item,
the widget's answer area, then a rationale box (required when ``rationale=True``),
the controls (submit, skip, back), the keys printed on screen and a status line.
Subclasses fill ``answer_box`` and implement ``_show(item)``, ``_answer()`` (the
label to store, or raise :class:`AnswerIncomplete` with a message for the labeler)
and ``_key(key)`` (a key of their own, before the frame's Enter / s / Backspace).
The frame implements
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
>>> view.press("Enter")  # no rationale yet: refused, with a visible message
>>> got, "rationale" in view.status.value
([], True)
>>> view.rationale.value = "because"
>>> view.press("Enter")
>>> got[0].label, got[0].note
('ok', 'because')
"""

from __future__ import annotations

import time
from typing import Any, Callable, Optional

import ipywidgets as widgets

from . import _keys
from ._base import ActionView, button
from ._protocol import Item, Submission
from ._style import REVIEW_CSS, style_widget

__all__ = ["ReviewFrame", "AnswerIncomplete"]


class AnswerIncomplete(Exception):
    """Raised by ``_answer()`` when the labeler has not finished; the message is shown."""


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
    taxonomy : Taxonomy, optional
        Kept as ``self.taxonomy`` for subclasses that use it.
    """

    keys_html = "<kbd>Enter</kbd> submit"

    def __init__(self, *, title: str = "", rationale: bool = True,
                 rationale_placeholder: str = "Rationale (required): why this answer?",
                 item_renderer: Optional[Callable] = None, mask_pii: bool = False, taxonomy=None):
        self.taxonomy = taxonomy
        self.require_rationale = bool(rationale)
        self._build_screen(title=title, item_renderer=item_renderer, mask_pii=mask_pii)
        self.answer_box = widgets.VBox([])
        self.answer_box.add_class("wb-answer")
        self.rationale = widgets.Textarea(placeholder=rationale_placeholder, continuous_update=True,
                                          layout=widgets.Layout(width="100%"))
        self.rationale.add_class("wb-rationale")
        self._note_input = self.rationale
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
        self.main = widgets.VBox(self._main_children())
        self.main.add_class("wb-main")
        super().__init__([style_widget(), style_widget(REVIEW_CSS), self.main, self.rationale_box, self.controls,
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

    # ------------------------------------------------------------------ for subclasses
    def _show(self, item: Item) -> None:
        """Reset the answer area for ``item``."""

    def _answer(self) -> Any:
        """The label to store; raise :class:`AnswerIncomplete` when not ready."""
        raise AnswerIncomplete("Nothing to submit.")

    def _act(self, action: str, arg: Any) -> None:
        if action == "enter":
            self._submit()

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
