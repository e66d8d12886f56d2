"""Doctest collection for classes re-exported by a package face.

A face sets ``__module__`` of the classes it re-exports to its own name
(``workbench.taxonomy.Taxonomy``), so :mod:`doctest` would no longer find their examples in
the private module that defines them. Collect a class (and so its methods) in its defining
module, and only there.
"""

from __future__ import annotations

import doctest
import inspect

from workbench._internal.lazy import defining_module

_from_module = doctest.DocTestFinder._from_module


def _from_defining_module(self, module, obj):
    if inspect.isclass(obj) and defining_module(obj) != obj.__module__:
        return module is not None and module.__name__ == defining_module(obj)
    return _from_module(self, module, obj)


doctest.DocTestFinder._from_module = _from_defining_module


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _no_identity_left_bound():
    """A doctest or test that binds a signed-in identity must not leak it into the next one."""
    yield
    from workbench.widgets import identity

    identity.reset_for_tests()
