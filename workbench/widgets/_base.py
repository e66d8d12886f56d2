"""The base of every labeling screen: status messages, answer timing, guarded callbacks.

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

import ipywidgets as widgets

from typing import Any, Callable

from ..exceptions import WorkbenchError
from ._protocol import Submission, check_callable
from .renderers import escape

__all__ = ["ActionView"]

log = logging.getLogger(__name__)


class ActionView(widgets.VBox):
    """A VBox with a ``status`` line, the time since the item was shown, and re-entrancy-safe callbacks.

    Subclasses create ``self.status`` (an ``ipywidgets.HTML`` placed in their children) and the
    callback lists ``_submit_cbs``, ``_skip_cbs``, ``_undo_cbs``, and reset
    ``self._shown_at = time.monotonic()`` whenever they display an item.
    """

    _busy = False
    _shown_at = 0.0

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
