"""The one way to import a dependency that may be missing: a clear error with the install line."""

from __future__ import annotations

import importlib
from types import ModuleType

from ..exceptions import MissingDependencyError

__all__ = ["import_optional"]


def import_optional(module: str, *, needed_for: str, install: str) -> ModuleType:
    """Import ``module``, or raise :class:`MissingDependencyError` saying how to install it.

    Parameters
    ----------
    module : str
        Dotted module name, e.g. ``"papermill"`` or ``"cleanlab.filter"``.
    needed_for : str
        What needs it, as the start of a sentence ("Rendering reports").
    install : str
        The pip requirement to install, e.g. ``"papermill>=2.6"``.

    Examples
    --------
    >>> import_optional("json", needed_for="Reading JSON", install="json").__name__
    'json'
    >>> import_optional("no_such_module_xyz", needed_for="The frobnicator", install="frob>=1")
    Traceback (most recent call last):
    ...
    workbench.exceptions.MissingDependencyError: The frobnicator needs no_such_module_xyz, which cannot be imported (No module named 'no_such_module_xyz'). Install it with: pip install 'frob>=1'
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"{needed_for} needs {module.split('.')[0]}, which cannot be imported ({exc}). "
            f"Install it with: pip install '{install}'"
        ) from exc
