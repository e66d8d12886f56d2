"""Taxonomy as code: categories, rules, edge cases and the change log of a labeling task.

- ``_models``: the frozen dataclasses (:class:`Category`, :class:`Example`, ...).
- ``_yaml``: YAML with line numbers; ``_validate``: every problem at once, with its line.
- ``_ops`` / ``_changes``: the change operations behind :meth:`Taxonomy.apply`.
- ``_taxonomy``: :class:`Taxonomy`; ``_diff`` / ``_migrate``: the comparison engines;
  ``_compare``: :func:`diff` and :func:`migrate` between two taxonomies.
- ``_rubric``: :class:`Rubric` and :class:`Criterion`, the criteria and scales of a rubric rating;
  :func:`check_rubric_answer`, the shape of an answer when no rubric is declared.
"""

from .._internal.lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "_models": ["Category", "EdgeCase", "Example", "ChangelogEntry"],
    "_taxonomy": ["Taxonomy"],
    "_compare": ["diff", "migrate"],
    "_rubric": ["Rubric", "Criterion", "check_rubric_answer"],
})
