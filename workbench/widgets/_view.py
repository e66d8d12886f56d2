"""``ClassificationView``: the keyboard-driven classification screen (single- and multi-label).

Layout (top to bottom): header (round · taxonomy vN · annotator, progress bar),
the item (the largest thing on screen), the options grouped by parent with their
keys, the definitions panel of the hovered / arrow-selected option, and the
controls (unsure, note, skip, back, guide). Every key is printed on screen.

The view knows only the protocol of :mod:`workbench.widgets._protocol`;
:class:`workbench.widgets.labeller.Labeller` wires it to a
:class:`~workbench.widgets.session.LabelingSession`, which writes every submit to
the store before the next item is shown. Reuse it for any widget whose answer is
one (or several) options of a taxonomy, e.g. a calibration quiz. The selection
(``_selected``, multi-label) and the highlighted option (``_cursor``) are traits: the
buttons are repainted by their observers, so the screen always shows the state.

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
>>> view.press("1")
>>> got[0].label
'spam'
"""

from __future__ import annotations

import time
from typing import Callable, List, Optional

import ipywidgets as widgets
import traitlets

from . import _keys
from ._base import ActionView, button
from ._definitions import DEFINITION_HINT, definition_html, guide_html, option_groups
from ._protocol import Item, Submission
from ._style import REVIEW_CSS, style_widget
from .renderers import escape

__all__ = ["ClassificationView"]


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

    #: The option ids toggled on (multi-label mode).
    _selected = traitlets.Set()
    #: The index of the option highlighted by the arrow keys (``None``: none).
    _cursor = traitlets.Int(None, allow_none=True)

    def __init__(self, taxonomy, *, item_renderer: Optional[Callable] = None, mask_pii: bool = False,
                 title: str = ""):
        self.taxonomy = taxonomy
        self.multilabel = getattr(taxonomy, "task", "multiclass") == "multilabel"
        self._build_screen(title=title, item_renderer=item_renderer, mask_pii=mask_pii)

        groups, self.options = option_groups(taxonomy)
        other = getattr(taxonomy, "other_label", None)
        self.shortcuts = _keys.option_keys(len(self.options), other_index=(
            self.options.index(other) if other in self.options else None))
        self.buttons: List[widgets.Button] = []
        rows = []
        for header_text, ids in groups:
            row_buttons = []
            for cid in ids:
                i = self.options.index(cid)
                cat = taxonomy.category(cid)
                b = button(f"{self.shortcuts[i]} · {getattr(cat, 'name', None) or cid}",
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
        self._note_input = self.note
        self.skip_button = button("Skip (s)", tooltip="Skip this item; it comes back at the end")
        self.back_button = button("Back (⌫)", tooltip="Take back the last label and show that item again")
        self.guide_button = button("Guide (?)", tooltip="Show the labeling guideline")
        self.submit_button = button("Submit (Enter)", tooltip="Save the selected labels", style="primary")
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
        self.main = widgets.VBox([self.header, self.item_box, self.options_box, self.definition])
        self.main.add_class("wb-main")
        super().__init__([style_widget(), self.main, controls, self.keys_help, self.guide, self.status])
        self.add_class("wb-root")
        # the key listener is an attribute, never a child (it has no view)
        self._key_event = _keys.attach_keys(self.main, self._handle_keystroke)
        # keys also work over the action buttons; never over the note (typing must reach it)
        self._key_event_actions = _keys.attach_keys(self.actions, self._handle_keystroke)

    def _add_panel(self, panel: widgets.Widget) -> None:
        """Show ``panel`` under the item (the adjudicator's votes, the quiz feedback), with the review CSS."""
        main = list(self.main.children)
        self.main.children = tuple(main[:2] + [panel] + main[2:])
        self.children = (self.children[0], style_widget(REVIEW_CSS)) + self.children[1:]

    # ------------------------------------------------------------------ protocol
    def display(self, item: Optional[Item]) -> None:
        """Show ``item`` (reset unsure, note, selection), or the done message for ``None``."""
        self.item = item
        with self.hold_trait_notifications():
            self._selected = set()
            self._cursor = None
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
            self._show_definition(idx[0])

    def _act(self, action: str, arg) -> None:
        """An option key chooses (toggles), ``u`` unsure, ``?`` guide, arrows move the highlight,
        ``Enter`` submits (multi-label) or confirms the highlighted option."""
        if action == "choose":
            self._choose(arg)
        elif action == "unsure":
            self.unsure.value = not self.unsure.value
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

    # ------------------------------------------------------------------ painting (the state's observers)
    @traitlets.observe("_selected")
    def _paint_selection(self, change) -> None:
        for cid, b in zip(self.options, self.buttons):
            (b.add_class if cid in change["new"] else b.remove_class)("wb-selected")

    @traitlets.observe("_cursor")
    def _paint_cursor(self, change) -> None:
        if change["old"] is not None:
            self.buttons[change["old"]].remove_class("wb-cursor")
        if change["new"] is not None:
            self.buttons[change["new"]].add_class("wb-cursor")

    def _done_html(self) -> str:
        if self._done_total[1] == 0:
            return ('<div class="wb-done wb-empty">Nothing to label: this round has no items for you.'
                    '<small>Ask the taxonomy lead to add items or assign some to you '
                    '(store.assign), then open the labeller again.</small></div>')
        return super()._done_html(items="items labeled", answers="label")

    def _show_definition(self, index: int) -> None:
        if 0 <= index < len(self.options):
            self.definition.value = definition_html(self.taxonomy, self.options[index], key=self.shortcuts[index])

    # ------------------------------------------------------------------ actions
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
            self._selected = self._selected - {cid}
        else:  # "None of these" excludes every other label, and the reverse
            self._selected = {c for c in self._selected if other not in (c, cid)} | {cid}
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

    def _toggle_guide(self, show: Optional[bool] = None) -> None:
        show = self.guide.layout.display == "none" if show is None else show
        if show and not self.guide.value:
            self.guide.value = guide_html(self.taxonomy)
        self.guide.layout.display = None if show else "none"

    def _move(self, step: int) -> None:
        if not self.options or self.item is None:
            return
        if self._cursor is None:
            self._cursor = 0 if step > 0 else len(self.options) - 1
        else:
            self._cursor = (self._cursor + step) % len(self.options)
        self._show_definition(self._cursor)
