"""``ClassificationView``: the keyboard-driven classification screen (single- and multi-label).

Layout (top to bottom): header (round · taxonomy vN · annotator, progress bar),
the item (the largest thing on screen), the options grouped by parent with their
keys, the definitions panel of the hovered / arrow-selected option, and the
controls (unsure, note, skip, back, guide). Every key is printed on screen.

The view knows only the protocol of :mod:`workbench.widgets._protocol`;
:class:`workbench.widgets.labeller.Labeller` wires it to a
:class:`~workbench.widgets.session.LabelingSession`, which writes every submit to
the store before the next item is shown. Reuse it for any widget whose answer is
one (or several) options of a taxonomy, e.g. a calibration quiz.

Examples
--------
>>> from workbench.widgets._protocol import Item
>>> from types import SimpleNamespace as NS
>>> cats = {c: NS(id=c, name=c.title(), definition="", include=(), exclude=(), examples=())
...         for c in ("spam", "ham")}
>>> tax = NS(name="mail", version=1, task="multiclass", labels=("spam", "ham"), parent_of={},
...          other_label=None, category=cats.__getitem__, edge_cases_for=lambda c: [], edge_cases=())
>>> view = ClassificationView(tax)
>>> got = []
>>> view.on_submit(got.append)
>>> view.display(Item("m1", "Win a prize!"))
>>> view._handle_keystroke({"key": "1", "type": "keydown"})
>>> got[0].label
'spam'
"""

from __future__ import annotations

import time
from typing import Callable, List, Optional

import ipywidgets as widgets

from ..exceptions import WorkbenchError
from . import _keys
from ._definitions import DEFINITION_HINT, definition_html, guide_html, option_groups
from ._base import ActionView
from ._protocol import Item, Submission
from ._style import style_widget
from .renderers import escape, make_renderer

__all__ = ["ClassificationView"]



def _button(description: str, *, tooltip: str = "", classes=("wb-control",), width: Optional[str] = None):
    b = widgets.Button(description=description, tooltip=tooltip,
                       layout=widgets.Layout(width=width or "auto"))
    for c in classes:
        b.add_class(c)
    return b


class ClassificationView(ActionView):
    """The classification screen; implements :class:`~workbench.widgets._protocol.LabelWidget`.

    Parameters
    ----------
    taxonomy : Taxonomy
        Options, order, groups and definitions come from it; ``task == "multilabel"``
        switches to toggles + Enter.
    item_renderer : callable, optional
        ``render(item) -> str | ipywidget``; default :func:`~workbench.widgets.renderers.render_item`.
    mask_pii : bool, default False
        Used by the default renderer.
    title : str, optional
        Header text.
    """

    def __init__(self, taxonomy, *, item_renderer: Optional[Callable] = None, mask_pii: bool = False,
                 title: str = ""):
        self.taxonomy = taxonomy
        self.multilabel = getattr(taxonomy, "task", "multiclass") == "multilabel"
        self.render = item_renderer or make_renderer(mask_pii=mask_pii)
        self._submit_cbs: List[Callable] = []
        self._skip_cbs: List[Callable] = []
        self._undo_cbs: List[Callable] = []
        self.item: Optional[Item] = None
        self._shown_at = time.monotonic()
        self._selected: set = set()
        self._cursor: Optional[int] = None
        self._busy = False

        groups, self.options = option_groups(taxonomy)
        other = getattr(taxonomy, "other_label", None)
        self.shortcuts = _keys.option_keys(len(self.options), other_index=(
            self.options.index(other) if other in self.options else None))
        self.title = widgets.HTML(f'<div class="wb-title">{escape(title)}</div>')
        self.bar = widgets.IntProgress(value=0, min=0, max=1, layout=widgets.Layout(width="260px"))
        self.bar.add_class("wb-bar")
        self.count = widgets.HTML('<div class="wb-progress-label">0 / 0</div>')
        header = widgets.HBox([self.title, widgets.HBox([self.bar, self.count])])
        header.add_class("wb-header")
        self.item_html = widgets.HTML()
        self.item_box = widgets.Box([self.item_html], layout=widgets.Layout(display="block"))
        self.item_box.add_class("wb-item")

        self.buttons: List[widgets.Button] = []
        rows = []
        for header_text, ids in groups:
            row_buttons = []
            for cid in ids:
                i = self.options.index(cid)
                cat = taxonomy.category(cid)
                b = _button(f"{self.shortcuts[i]} · {getattr(cat, 'name', None) or cid}",
                            tooltip=(getattr(cat, "definition", None) or "")[:300], classes=("wb-option",))
                if cid == other:
                    b.add_class("wb-other")
                b.on_click(lambda _b, i=i: self._choose(i))
                self.buttons.append(b)
                row_buttons.append(b)
            label = widgets.HTML(f'<div>{escape(header_text)}</div>')
            label.add_class("wb-group-label")
            row = widgets.HBox(([label] if any(h for h, _ in groups) else []) + row_buttons)
            row.add_class("wb-group")
            rows.append(row)
        self.options_box = widgets.VBox(rows)
        self.options_box.add_class("wb-options")
        self.definition = widgets.HTML(DEFINITION_HINT)
        self.definition.add_class("wb-definition")
        self._hover = [_keys.attach_hover(b, lambda _e, i=i: self._show_definition(i))
                       for i, b in enumerate(self.buttons)]

        self.unsure = widgets.ToggleButton(value=False, description="Unsure (u)", icon="question",
                                           layout=widgets.Layout(width="auto"))
        self.unsure.add_class("wb-control")
        self.unsure.add_class("wb-unsure")
        self.note = widgets.Text(placeholder="Note (optional): why, or which category is missing",
                                 continuous_update=True, layout=widgets.Layout(width="auto"))
        self.note.add_class("wb-note")
        self.skip_button = _button("Skip (s)", tooltip="Skip this item; it comes back at the end")
        self.back_button = _button("Back (⌫)", tooltip="Take back the last label and show that item again")
        self.guide_button = _button("Guide (?)", tooltip="Show the labeling guideline")
        self.submit_button = _button("Submit (Enter)", tooltip="Save the selected labels")
        self.submit_button.button_style = "primary"
        self.submit_button.layout.display = None if self.multilabel else "none"
        self.skip_button.on_click(lambda _b: self._skip())
        self.back_button.on_click(lambda _b: self._undo())
        self.guide_button.on_click(lambda _b: self._toggle_guide())
        self.submit_button.on_click(lambda _b: self._submit_multi())
        self.actions = widgets.HBox([self.unsure, self.submit_button, self.skip_button, self.back_button,
                                     self.guide_button])
        self.actions.add_class("wb-actions")
        controls = widgets.HBox([self.note, self.actions])
        controls.add_class("wb-controls")
        hint = ("<kbd>1</kbd>…<kbd>9</kbd> toggle · <kbd>Enter</kbd> submit" if self.multilabel
                else "<kbd>1</kbd>…<kbd>9</kbd> choose")
        none = "<kbd>0</kbd> None of these · " if other in self.options else ""
        self.keys_help = widgets.HTML(f'<div class="wb-keys">Keys (mouse over the item or the buttons): {hint} · {none}'
                                      '<kbd>u</kbd> unsure · <kbd>s</kbd> skip · '
                                      '<kbd>⌫</kbd> back · <kbd>?</kbd> guide · <kbd>←</kbd><kbd>→</kbd> '
                                      'definitions</div>')
        self.guide = widgets.HTML("", layout=widgets.Layout(display="none"))
        self.guide.add_class("wb-guide")
        self.status = widgets.HTML("")
        self.status.add_class("wb-status")
        self.main = widgets.VBox([header, self.item_box, self.options_box, self.definition])
        self.main.add_class("wb-main")
        super().__init__([style_widget(), self.main, controls, self.keys_help, self.guide, self.status])
        self.add_class("wb-root")
        # the key listener is an attribute, never a child (it has no view)
        self._key_event = _keys.attach_keys(self.main, self._handle_keystroke)
        # keys also work over the action buttons; never over the note (typing must reach it)
        self._key_event_actions = _keys.attach_keys(self.actions, self._handle_keystroke)

    # ------------------------------------------------------------------ protocol
    def display(self, item: Optional[Item]) -> None:
        """Show ``item`` (reset unsure, note, selection), or the done message for ``None``."""
        self.item = item
        self._selected.clear()
        self._cursor = None
        with self.hold_trait_notifications():
            for b in self.buttons:
                b.remove_class("wb-selected")
                b.remove_class("wb-cursor")
            self.unsure.value = False
            self.note.value = ""
            self.definition.value = DEFINITION_HINT
            if item is None:
                self._set_item_content(self._done_html())
                self.options_box.layout.display = "none"
                self.definition.layout.display = "none"
            else:
                self.options_box.layout.display = None
                self.definition.layout.display = None
                self._set_item_content(self._render(item))
        self._shown_at = time.monotonic()

    def restore(self, answer: Submission) -> None:
        """Show a taken-back answer on its item again: note, unsure, and the option(s) chosen."""
        self.unsure.value = bool(answer.unsure)
        self.note.value = answer.note or ""
        chosen = answer.label if isinstance(answer.label, (list, tuple)) else [answer.label]
        idx = [self.options.index(c) for c in chosen if c in self.options]
        if self.multilabel:
            for i in idx:
                self._toggle(i)
        elif idx:
            self._cursor = idx[0]
            self.buttons[idx[0]].add_class("wb-cursor")
            self._show_definition(idx[0])

    def set_progress(self, done: int, total: int, n_skipped: int = 0) -> None:
        """Update the progress bar and the ``done / total`` counter."""
        self._done_total = (done, total, n_skipped)
        self.bar.max = max(total, 1)
        self.bar.value = min(done, total)
        extra = f" · {n_skipped} skipped" if n_skipped else ""
        self.count.value = f'<div class="wb-progress-label">{done} / {total}{extra}</div>'

    # ------------------------------------------------------------------ rendering
    def _render(self, item: Item):
        try:
            return self.render(item)
        except WorkbenchError as exc:  # a broken item must not stop the session: show why, allow skip
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
        done, total, skipped = getattr(self, "_done_total", (0, 0, 0))
        if total == 0:
            return ('<div class="wb-done" style="color:#57606a">Nothing to label: this round has no items for you.'
                    '<small>Ask the taxonomy lead to add items or assign some to you '
                    '(store.assign), then open the labeller again.</small></div>')
        more = (f"<small>{skipped} skipped item(s) remain; they come back when you re-open the session.</small>"
                if skipped else "<small>Every acknowledged label is saved. You can close this page.</small>")
        return f'<div class="wb-done">✓ All done: {done} of {total} items labeled. Thank you!{more}</div>'

    def _show_definition(self, index: int) -> None:
        if 0 <= index < len(self.options):
            self.definition.value = definition_html(self.taxonomy, self.options[index], key=self.shortcuts[index])


    def _choose(self, index: int) -> None:
        if self.item is None or not 0 <= index < len(self.options):
            return
        if self.multilabel:
            self._toggle(index)
            return
        label = self.options[index]
        sub = Submission(label=label, unsure=self.unsure.value, note=self.note.value,
                         duration_ms=self._elapsed_ms())
        if self._emit(self._submit_cbs, sub):
            self._say(f"Saved “{getattr(self.taxonomy.category(label), 'name', label)}”.")

    def _toggle(self, index: int) -> None:
        cid, other = self.options[index], getattr(self.taxonomy, "other_label", None)
        if cid in self._selected:
            self._selected.discard(cid)
        else:  # "None of these" excludes every other label, and the reverse
            self._selected = {c for c in self._selected if other not in (c, cid)} | {cid}
        for i, b in enumerate(self.buttons):
            (b.add_class if self.options[i] in self._selected else b.remove_class)("wb-selected")
        self._show_definition(index)

    def _submit_multi(self) -> None:
        if self.item is None:
            return
        if not self._selected:
            self._say("Select at least one label (number keys), or use 0 for None of these.", error=True)
            return
        chosen = [c for c in self.options if c in self._selected]
        sub = Submission(label=chosen, unsure=self.unsure.value, note=self.note.value,
                         duration_ms=self._elapsed_ms())
        if self._emit(self._submit_cbs, sub):
            self._say(f"Saved {len(chosen)} label(s).")

    def _skip(self) -> None:
        if self.item is not None and self._emit(self._skip_cbs, duration_ms=self._elapsed_ms(),
                                                note=self.note.value):
            self._say("Skipped; the item comes back at the end.")

    def _undo(self) -> None:
        if self._emit(self._undo_cbs):
            self._say("Took back the last answer.")

    def _toggle_guide(self, show: Optional[bool] = None) -> None:
        show = self.guide.layout.display == "none" if show is None else show
        if show and not self.guide.value:
            self.guide.value = guide_html(self.taxonomy)
        self.guide.layout.display = None if show else "none"

    def _move(self, step: int) -> None:
        if not self.options or self.item is None:
            return
        if self._cursor is not None:
            self.buttons[self._cursor].remove_class("wb-cursor")
        n = len(self.options)
        if self._cursor is None:
            self._cursor = 0 if step > 0 else n - 1
        else:
            self._cursor = (self._cursor + step) % n
        self.buttons[self._cursor].add_class("wb-cursor")
        self._show_definition(self._cursor)

    def _handle_keystroke(self, event: dict) -> None:
        """Act on an ipyevents key event (``{"key": "1", "type": "keydown"}``)."""
        found = _keys.key_action(event, self.shortcuts)
        if found is None:
            return
        action, arg = found
        if action == "choose":
            self._choose(arg)
        elif action == "unsure":
            self.unsure.value = not self.unsure.value
        elif action == "skip":
            self._skip()
        elif action == "undo":
            self._undo()
        elif action == "guide":
            self._toggle_guide()
        elif action == "close":
            self._toggle_guide(False)
        elif action in ("next", "prev"):
            self._move(1 if action == "next" else -1)
        elif action == "space" and self.multilabel and self._cursor is not None:
            self._choose(self._cursor)
        elif action == "enter":
            if self.multilabel:
                self._submit_multi()
            elif self._cursor is not None:
                self._choose(self._cursor)
