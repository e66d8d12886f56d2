"""A multi-label answer as a set: the store's JSON list string, a list, or a lone label.

Examples
--------
>>> sorted(label_set('["b", "a"]')), sorted(label_set(["x"])), label_set("refund"), label_set(None)
(['a', 'b'], ['x'], frozenset({'refund'}), frozenset())
"""

from __future__ import annotations

import json
from typing import Any, FrozenSet

__all__ = ["label_set", "is_label_list"]


def is_label_list(value: Any) -> bool:
    """A list / tuple / set of labels, or a JSON list string such as ``'["a", "b"]'``."""
    if isinstance(value, str):
        return value.startswith("[")
    return isinstance(value, (list, tuple, set, frozenset))


def label_set(value: Any) -> FrozenSet[str]:
    """``value`` as a frozenset of label strings (missing: empty; a string that is not JSON: itself)."""
    if isinstance(value, str) and value.startswith("["):
        try:
            value = json.loads(value)
        except ValueError:
            return frozenset([value])
    if isinstance(value, (list, tuple, set, frozenset)):
        return frozenset(str(v) for v in value)
    return frozenset() if value is None or (isinstance(value, float) and value != value) else frozenset([str(value)])
