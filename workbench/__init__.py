"""Taxonomy Workbench: design labeling taxonomies and run pilot labeling rounds in Jupyter.

Importing the package is cheap: it loads no ipywidgets, papermill or altair. The
stable entry points are re-exported lazily, so ``workbench.Taxonomy`` imports
``workbench.taxonomy`` only when first used.

Examples
--------
>>> import workbench
>>> isinstance(workbench.__version__, str)
True
>>> workbench.Taxonomy.__name__
'Taxonomy'
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# name -> submodule that defines it
_EXPORTS = {
    "Taxonomy": "taxonomy",
    "Category": "taxonomy",
    "AnnotationStore": "store",
    "read_items": "items",
    "mask_pii": "items",
    "agreement_table": "agreement",
    "krippendorff_alpha_score": "agreement",
    "cross_validated_predictions": "error_analysis",
    "select_batch": "sampling",
    "pilot_sample": "sampling",
    "assign": "sampling",
    "Proposal": "revisions",
    "propose_revisions": "revisions",
    "draft_taxonomy": "revisions",
    "render_report": "report",
    "WorkbenchError": "exceptions",
    "TaxonomyError": "exceptions",
    "StoreError": "exceptions",
    "DataError": "exceptions",
    "ValidationError": "exceptions",
    "ReportError": "exceptions",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module = importlib.import_module(f".{_EXPORTS[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'workbench' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
