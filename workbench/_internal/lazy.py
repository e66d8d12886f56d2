"""The one way a package face re-exports its names: lazily, with ``__all__`` and ``__dir__``.

Built on ``lazy_loader`` (Scientific Python SPEC 1, as in scikit-image and NetworkX): a name
is imported from its private module on first use, so ``import workbench`` loads no
ipywidgets, papermill or altair. Classes re-exported from a private module get the face as
their ``__module__`` (``workbench.taxonomy.Taxonomy``, not ``workbench.taxonomy._taxonomy``),
the way scikit-learn's faces present their estimators.

Examples
--------
>>> import workbench.taxonomy as taxonomy
>>> taxonomy.Taxonomy.__module__
'workbench.taxonomy'
>>> dir(taxonomy) == taxonomy.__all__
True
>>> taxonomy.Taxonmy
Traceback (most recent call last):
...
AttributeError: module 'workbench.taxonomy' has no attribute 'Taxonmy'. Did you mean: 'Taxonomy'?
"""

from __future__ import annotations

import difflib
from typing import Callable, Dict, Iterable, List, Sequence, Tuple

import lazy_loader

__all__ = ["attach", "defining_module"]

#: The private module that defined a re-exported class (its ``__module__`` names the face).
_ORIGINS: Dict[type, str] = {}


def defining_module(cls: type) -> str:
    """The module that defined ``cls``, before its face renamed its ``__module__``."""
    return _ORIGINS.get(cls, cls.__module__)


def _is_private_below(module: str, package: str) -> bool:
    if not module.startswith(package + "."):
        return False
    return any(part.startswith("_") for part in module[len(package) + 1:].split("."))


def attach(package: str, exports: Dict[str, Sequence[str]], *,
           submodules: Iterable[str] = ()) -> Tuple[Callable, Callable, List[str]]:
    """Lazy ``__getattr__``, ``__dir__`` and ``__all__`` for a package face.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    exports : dict
        Submodule name (relative, e.g. ``"_scores"``) to the public names it defines.
    submodules : iterable of str, optional
        Subpackages or public submodules reachable as attributes (e.g. ``"agreement"``).

    Returns
    -------
    tuple
        ``(__getattr__, __dir__, __all__)``, to assign at the top of ``__init__.py``.

    Examples
    --------
    >>> getattr_, dir_, all_ = attach("workbench.taxonomy", {"_taxonomy": ["Taxonomy"]})
    >>> all_, getattr_("Taxonomy").__name__
    (['Taxonomy'], 'Taxonomy')
    """
    load, list_names, names = lazy_loader.attach(package, submodules=list(submodules),
                                                 submod_attrs={k: list(v) for k, v in exports.items()})

    def __getattr__(name: str):
        if name not in names:
            hint = difflib.get_close_matches(name, names, n=1)
            suffix = f". Did you mean: {hint[0]!r}?" if hint else f". Its public names: {', '.join(names)}."
            raise AttributeError(f"module {package!r} has no attribute {name!r}{suffix}")
        value = load(name)
        if isinstance(value, type) and _is_private_below(value.__module__, package):
            _ORIGINS.setdefault(value, value.__module__)
            value.__module__ = package
        return value

    return __getattr__, list_names, names
