"""Keyboard handling for the labeling widgets: a key map and an ipyevents listener.

The listener is an ``ipyevents.Event`` whose ``source`` is a widget; it is kept as an
attribute of the labeling widget and is **never placed in a children list** (an
``Event`` has no view: ipyannotations 0.5.1 puts one into ``VBox.children`` and
JupyterLab 4 then shows "Class null not found"). ipyevents captures keys only while
the mouse is over the source, so text fields (the note) are kept outside the source.

Examples
--------
>>> keys = option_keys(12, other_index=11)
>>> keys[:3], keys[9:]
(['1', '2', '3'], ['a', 'b', '0'])
>>> key_action({"key": "3", "type": "keydown"}, keys)
('choose', 2)
>>> key_action({"key": "Backspace", "type": "keydown"}, keys)
('undo', None)
>>> key_action({"key": "3", "type": "keyup"}, keys) is None
True
"""

from __future__ import annotations

from typing import Any, Callable, List, Mapping, Optional, Tuple

__all__ = ["option_keys", "pressed_key", "key_of", "key_action", "attach_keys", "attach_hover", "attach_click",
           "ACTION_KEYS"]

#: Keys bound to actions (never used as option keys).
ACTION_KEYS = {
    "u": "unsure", "U": "unsure",
    "s": "skip", "S": "skip",
    "Backspace": "undo",
    "?": "guide", "g": "guide",
    "Escape": "close",
    "Enter": "enter",
    " ": "space",
    "ArrowDown": "next", "ArrowRight": "next",
    "ArrowUp": "prev", "ArrowLeft": "prev",
}

_EXTRA = [c for c in "abcdefhijklmopqrtvwxyz" if c not in ACTION_KEYS]


def option_keys(n_options: int, *, other_index: Optional[int] = None) -> List[str]:
    """Key of each visible option, in order: 1-9, then 0 for the 10th, then letters.

    When the taxonomy has a "None of these" option (``other_index``), it always gets
    ``0``; the others get 1-9 and then letters not bound to actions.

    Examples
    --------
    >>> option_keys(4)
    ['1', '2', '3', '4']
    >>> option_keys(10)[-1], option_keys(4, other_index=3)
    ('0', ['1', '2', '3', '0'])
    """
    if other_index is None and n_options <= 10:
        return [str((i + 1) % 10) for i in range(n_options)]
    pool = [str(d) for d in range(1, 10)] + ([] if other_index is not None else ["0"]) + _EXTRA
    keys, it = [], iter(pool)
    for i in range(n_options):
        keys.append("0" if i == other_index else next(it, ""))
    return keys


def pressed_key(event: Mapping[str, Any]) -> Optional[str]:
    """The key of an ipyevents ``keydown`` event; ``None`` for other events and for Ctrl / Alt / Meta chords.

    Every widget's key listener goes through this, then hands the key to the view's ``press(key)``.

    Examples
    --------
    >>> pressed_key({"key": "Enter", "type": "keydown"}), pressed_key({"key": "s", "type": "keyup"})
    ('Enter', None)
    >>> pressed_key({"key": "c", "type": "keydown", "ctrlKey": True}) is None
    True
    """
    if event.get("type", "keydown") != "keydown":
        return None
    if event.get("ctrlKey") or event.get("altKey") or event.get("metaKey"):
        return None
    key = event.get("key")
    return key if isinstance(key, str) and key else None


def key_of(key: Optional[str], keys: List[str]) -> Optional[Tuple[str, Any]]:
    """Translate a pressed key into ``(action, argument)``; ``None`` when it is bound to nothing.

    Actions: ``choose`` (argument: the index of ``key`` in ``keys``), ``unsure``, ``skip``,
    ``undo``, ``guide``, ``close``, ``enter``, ``space``, ``next``, ``prev``.

    Examples
    --------
    >>> key_of("2", ["1", "2"]), key_of("s", ["1", "2"]), key_of("x", ["1", "2"])
    (('choose', 1), ('skip', None), None)
    """
    if not key:
        return None
    if key in keys:
        return ("choose", keys.index(key))
    if key in ACTION_KEYS:
        return (ACTION_KEYS[key], None)
    return None


def key_action(event: Mapping[str, Any], keys: List[str]) -> Optional[Tuple[str, Any]]:
    """Translate an ipyevents key event into ``(action, argument)``; ``None`` to ignore it.

    :func:`pressed_key` then :func:`key_of`: only ``keydown`` events count; events with
    Ctrl / Alt / Meta held are ignored.

    Examples
    --------
    >>> key_action({"key": "u", "type": "keydown"}, ["1"])
    ('unsure', None)
    >>> key_action({"key": "1", "type": "keydown", "ctrlKey": True}, ["1"]) is None
    True
    """
    return key_of(pressed_key(event), keys)


def attach_keys(source, handler: Callable[[dict], Any]):
    """Listen to ``keydown`` on ``source``; returns the ``ipyevents.Event`` (keep a reference).

    Examples
    --------
    >>> import ipywidgets as w
    >>> ev = attach_keys(w.VBox(), lambda e: None)
    >>> ev.watched_events
    ['keydown']
    """
    return _listen(source, "keydown", handler, prevent_default_action=True, ignore_modifier_key_events=True)


def attach_hover(source, handler: Callable[[dict], Any]):
    """Call ``handler(event)`` when the mouse enters ``source``; returns the ``ipyevents.Event``.

    Examples
    --------
    >>> import ipywidgets as w
    >>> attach_hover(w.Button(), lambda e: None).watched_events
    ['mouseenter']
    """
    return _listen(source, "mouseenter", handler)


def attach_click(source, handler: Callable[[dict], Any]):
    """Call ``handler(event)`` on a click on ``source`` (with ``relativeX`` / ``relativeY``); returns the ``Event``.

    Examples
    --------
    >>> import ipywidgets as w
    >>> attach_click(w.HTML(), lambda e: None).watched_events
    ['click']
    """
    return _listen(source, "click", handler, prevent_default_action=True)


def _listen(source, event_name: str, handler: Callable[[dict], Any], **options):
    from ipyevents import Event  # imported on first use: the key maps above need no ipyevents

    event = Event(source=source, watched_events=[event_name], **options)
    event.on_dom_event(handler)
    return event
