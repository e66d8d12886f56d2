"""The exception hierarchy of Taxonomy Workbench.

Every error the package raises on purpose is a :class:`WorkbenchError`, and also
subclasses the builtin a caller would naturally catch (``ValueError``,
``KeyError``, ``RuntimeError``), so ``except ValueError`` keeps working.

Messages follow one order: *what rule* was broken, *what was received* (and where:
file, line, row, item id), and *how to fix it*.

Examples
--------
>>> from workbench.exceptions import TaxonomyError, WorkbenchError
>>> err = TaxonomyError(["line 3: duplicate category id 'refund'"])
>>> isinstance(err, WorkbenchError), isinstance(err, ValueError)
(True, True)
>>> print(err)
1 problem in the taxonomy:
  - line 3: duplicate category id 'refund'
"""

from __future__ import annotations

from typing import Iterable, Optional

__all__ = [
    "AccessDenied",
    "WorkbenchError",
    "WorkbenchWarning",
    "ValidationError",
    "TaxonomyError",
    "DataError",
    "StoreError",
    "LabelNotInTaxonomyError",
    "ReportError",
    "ReportExecutionError",
    "MissingDependencyError",
]


class WorkbenchError(Exception):
    """Root of every error raised on purpose by Taxonomy Workbench."""


class WorkbenchWarning(UserWarning):
    """Root of every warning issued by Taxonomy Workbench (e.g. an undefined metric)."""


class ValidationError(WorkbenchError, ValueError):
    """A parameter has a value outside what the function accepts."""


class TaxonomyError(WorkbenchError, ValueError):
    """One or more problems in a taxonomy document or a taxonomy change.

    Parameters
    ----------
    problems : str or iterable of str
        Every problem found, each already saying where (``"line 12: ..."``).
    source : str, optional
        The file the taxonomy came from, prefixed to the message.
    """

    def __init__(self, problems: "str | Iterable[str]", *, source: Optional[str] = None):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        self.source = source
        where = f" {source}" if source else " the taxonomy"
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in{where}:"
        super().__init__("\n".join([head] + [f"  - {p}" for p in self.problems]))


class DataError(WorkbenchError, ValueError):
    """Input data (items, annotations) does not have the expected shape or content.

    Parameters
    ----------
    message : str
        What was wrong, where, and how to fix it.
    failure_cases : pandas.DataFrame, optional
        The offending rows, for programmatic inspection.
    reason : str, optional
        A machine-readable reason code such as ``"missing_column"``.
    """

    def __init__(self, message: str, *, failure_cases=None, reason: Optional[str] = None):
        super().__init__(message)
        self.failure_cases = failure_cases
        self.reason = reason


class StoreError(WorkbenchError, RuntimeError):
    """The annotation store cannot do what was asked (bad URL, unknown round, ...)."""


class AccessDenied(WorkbenchError, PermissionError):
    """The signed-in user may not do this: label under another name, or open a view their role does not allow."""


class LabelNotInTaxonomyError(StoreError, ValueError):
    """A label was recorded that the taxonomy version does not define."""


class ReportError(WorkbenchError, RuntimeError):
    """A report could not be produced."""


class ReportExecutionError(ReportError):
    """A report template failed while executing; the partial notebook was saved.

    Attributes
    ----------
    notebook_path : str
        Where the executed (partial) notebook was written.
    cell_index : int or None
        The index of the failing cell in the template.
    """

    def __init__(self, message: str, *, notebook_path=None, cell_index=None):
        super().__init__(message)
        self.notebook_path = notebook_path
        self.cell_index = cell_index


class MissingDependencyError(WorkbenchError, ImportError):
    """An optional dependency is not installed; the message gives the install command."""
