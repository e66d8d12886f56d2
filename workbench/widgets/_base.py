"""The base of every labeling screen: header, item panel, status line, keys, timing, guarded callbacks.

:class:`ActionView` holds what the classification screen (``_view``) and the review screen
(``_frame``) share: the header with the progress bar, the item panel and its renderer, the
status line, the three callback lists of the protocol, skip / back, and the key path
(ipyevents event -> :func:`~workbench.widgets._keys.pressed_key` -> :meth:`ActionView.press`).

Examples
--------
>>> from workbench.widgets._base import ActionView
>>> view = ActionView()
>>> view._emit([lambda: None])
True
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable, List, Optional

import ipywidgets as widgets

from ..exceptions import WorkbenchError
from . import _keys
from ._protocol import Item, Submission, check_callable
from .renderers import escape, make_renderer

__all__ = ["ActionView", "button"]

log = logging.getLogger(__name__)


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


class ActionView(widgets.VBox):
    """A VBox with a header, an item panel, a ``status`` line, answer timing and re-entrancy-safe callbacks.

    Subclasses call :meth:`_build_screen` first in their ``__init__``, set ``self._note_input``
    (the text field whose value a skip keeps), implement :meth:`press` and reset
    ``self._shown_at = time.monotonic()`` whenever they display an item.
    """

    _busy = False
    _shown_at = 0.0
    _done_total = (0, 0, 0)

    def _build_screen(self, *, title: str, item_renderer: Optional[Callable], mask_pii: bool) -> None:
        """Create the callback lists, the header (``title``, ``bar``, ``count``), the item panel and ``status``."""
        self.render = item_renderer or make_renderer(mask_pii=mask_pii)
        self._submit_cbs: List[Callable] = []
        self._skip_cbs: List[Callable] = []
        self._undo_cbs: List[Callable] = []
        self.item: Optional[Item] = None
        self._shown_at = time.monotonic()
        self.title = widgets.HTML(f'<div class="wb-title">{escape(title)}</div>')
        self.bar = widgets.IntProgress(value=0, min=0, max=1, layout=widgets.Layout(width="260px"))
        self.bar.add_class("wb-bar")
        self.count = widgets.HTML('<div class="wb-progress-label">0 / 0</div>')
        self.header = widgets.HBox([self.title, widgets.HBox([self.bar, self.count])])
        self.header.add_class("wb-header")
        self.item_html = widgets.HTML()
        self.item_box = widgets.Box([self.item_html], layout=widgets.Layout(display="block"))
        self.item_box.add_class("wb-item")
        self.status = widgets.HTML("")
        self.status.add_class("wb-status")

    # ------------------------------------------------------------------ protocol
    def on_submit(self, callback: Callable[[Submission], Any]) -> None:
        """Register ``callback(submission)``, called on every submit."""
        self._submit_cbs.append(check_callable(callback, where="on_submit"))

    def on_skip(self, callback: Callable[..., Any]) -> None:
        """Register ``callback(duration_ms=..., note=...)``, called on skip."""
        self._skip_cbs.append(check_callable(callback, where="on_skip"))

    def on_undo(self, callback: Callable[[], Any]) -> None:
        """Register ``callback()``, called on back / undo."""
        self._undo_cbs.append(check_callable(callback, where="on_undo"))

    def set_progress(self, done: int, total: int, n_skipped: int = 0) -> None:
        """Update the progress bar and the ``done / total`` counter."""
        self._done_total = (done, total, n_skipped)
        self.bar.max = max(total, 1)
        self.bar.value = min(done, total)
        extra = f" · {n_skipped} skipped" if n_skipped else ""
        self.count.value = f'<div class="wb-progress-label">{done} / {total}{extra}</div>'

    # ------------------------------------------------------------------ keys
    #: The option keys (``choose`` actions), in the order of the options; none by default.
    shortcuts: List[str] = []

    def press(self, key: str) -> None:
        """Act as if ``key`` was pressed over the screen (``"1"``, ``"Enter"``, ``"s"``, ``"Backspace"``...).

        The widget's own keys come first (``_key``), then the option keys and the action keys
        of :data:`~workbench.widgets._keys.ACTION_KEYS`: ``s`` skip and ``Backspace`` back on
        every screen, the others through ``_act``.
        """
        if self.item is not None and self._key(key):
            return
        found = _keys.key_of(key, self.shortcuts)
        if found is None:
            return
        action, arg = found
        if action == "skip":
            self._skip()
        elif action == "undo":
            self._undo()
        else:
            self._act(action, arg)

    def _key(self, key: str) -> bool:
        """Handle a widget-specific key; return True when handled."""
        return False

    def _act(self, action: str, arg: Any) -> None:
        """Do a key action of :func:`~workbench.widgets._keys.key_of` other than skip and undo."""

    def _handle_keystroke(self, event: dict) -> None:
        """The ipyevents listener: a plain ``keydown`` becomes :meth:`press`."""
        key = _keys.pressed_key(event)
        if key is not None:
            self.press(key)

    # ------------------------------------------------------------------ item panel
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

    def _done_html(self, *, items: str = "items", answers: str = "answer") -> str:
        done, total, skipped = self._done_total
        more = (f"<small>{skipped} skipped item(s) remain; they come back when you re-open the session.</small>"
                if skipped else f"<small>Every acknowledged {answers} is saved. You can close this page.</small>")
        return f'<div class="wb-done">✓ All done: {done} of {total} {items}. Thank you!{more}</div>'

    # ------------------------------------------------------------------ actions
    def _skip(self) -> None:
        if self.item is not None and self._emit(self._skip_cbs, duration_ms=self._elapsed_ms(),
                                                note=self._note_input.value):
            self._say("Skipped; the item comes back at the end.")

    def _undo(self) -> None:
        if self._emit(self._undo_cbs):
            self._say("Took back the last answer.")

    def _say(self, message: str, *, error: bool = False) -> None:
        self.status.value = f'<span class="wb-error">{escape(message)}</span>' if error else escape(message)

    def _elapsed_ms(self) -> int:
        return int(round((time.monotonic() - self._shown_at) * 1000))

    def _emit(self, callbacks, *args, **kwargs) -> bool:
        """Run the callbacks once (a second key press while they run is ignored); a WorkbenchError
        is shown on screen ("Not saved: ...") instead of escaping into the kernel log."""
        if self._busy:
            return False
        self._busy = True
        try:
            for cb in callbacks:
                cb(*args, **kwargs)
            return True
        except WorkbenchError as exc:
            self._say(f"Not saved: {exc}", error=True)
            log.warning("labeling action failed: %s", exc)
            return False
        finally:
            self._busy = False
