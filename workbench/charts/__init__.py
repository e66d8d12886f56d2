"""Pure altair chart builders: a DataFrame in, an ``alt.Chart`` out, nothing displayed.

Each submodule owns the charts of one analysis: ``agreement``, ``errors``, ``learning``
and ``scope``. Import altair lazily: importing ``workbench`` must not import it.
"""

from __future__ import annotations

import importlib
from typing import Any

_SUBMODULES = ("agreement", "errors", "learning", "scope")


def __getattr__(name: str) -> Any:
    if name.startswith("plot_"):
        for sub in _SUBMODULES:
            try:
                module = importlib.import_module(f".{sub}", __name__)
            except ModuleNotFoundError:
                continue
            if hasattr(module, name):
                return getattr(module, name)
    raise AttributeError(f"module 'workbench.charts' has no attribute {name!r}")
