"""Comparing two taxonomies: :func:`diff` (what changed) and :func:`migrate` (old labels, new ids).

Both take two :class:`~workbench.taxonomy.Taxonomy` objects and check them first; the work is
done by the engines in ``_diff`` and ``_migrate``, which :class:`Taxonomy` also uses.
"""

from __future__ import annotations

from typing import Any

from ..exceptions import ValidationError
from ._diff import diff_taxonomies
from ._migrate import migrate_labels
from ._taxonomy import Taxonomy

__all__ = ["diff", "migrate"]

def diff(old, new):
    """What changed between two taxonomies, as a DataFrame ``change, category, detail``.

    Uses the changelog operations of ``new`` for the versions after ``old.version`` when they
    exist, and infers the rest from content (hand edits).

    Parameters
    ----------
    old, new : Taxonomy

    Returns
    -------
    pandas.DataFrame
        One row per change: ``change`` (``added, removed, retired, reinstated, renamed, merged,
        split, redefined, name_changed, moved, rule_added, rule_removed, examples_changed,
        edge_case_added, edge_case_removed, edge_case_changed, task_changed``), ``category``
        (the id concerned; for edge cases their categories joined by ", "), ``detail``.

    Examples
    --------
    >>> from workbench.taxonomy import Taxonomy, Category, diff
    >>> t = Taxonomy("t", 1, categories=[Category("a", definition="A."), Category("b", definition="B.")])
    >>> t2 = t.apply([{"op": "retire", "category": "b"}, {"op": "redefine", "category": "a", "definition": "AA."}])
    >>> diff(t, t2)[["change", "category"]].values.tolist()
    [['retired', 'b'], ['redefined', 'a']]
    """
    _check_taxonomies(old, new, "diff")
    return diff_taxonomies(old, new)


def migrate(labels: Any, old, new):
    """Map labels valid under ``old`` to ``new`` through ``new``'s changelog.

    Like :meth:`Taxonomy.migrate`, and also flags labels that ``old`` does not define as
    ``unknown``.

    Parameters
    ----------
    labels : str, list, tuple, numpy array or pandas Series
        Labels given under ``old`` (multi-label values as in :meth:`Taxonomy.migrate`).
    old, new : Taxonomy
        The version the labels were given under, and a later version of the same taxonomy.

    Returns
    -------
    pandas.DataFrame
        ``label, migrated_label, status, candidates`` (see :meth:`Taxonomy.migrate`).

    Examples
    --------
    >>> from workbench.taxonomy import Taxonomy, Category, migrate
    >>> t = Taxonomy("t", 1, categories=[Category("a", definition="A."), Category("b", definition="B.")])
    >>> t2 = t.apply({"op": "rename", "category": "a", "to": "alpha"})
    >>> migrate(["a", "zzz"], t, t2)[["migrated_label", "status"]].values.tolist()
    [['alpha', 'renamed'], [None, 'unknown']]
    """
    _check_taxonomies(old, new, "migrate")
    return migrate_labels(new, labels, old.version, new.version, old_labels=old.labels)


def _check_taxonomies(old, new, caller: str) -> None:
    for name, value in (("old", old), ("new", new)):
        if not isinstance(value, Taxonomy):
            raise ValidationError(f"The {name!r} parameter of {caller} must be a workbench Taxonomy. Got "
                                  f"{type(value).__name__} instead; load one with Taxonomy.load(path).")
