"""Taxonomy Workbench: design labeling taxonomies and run pilot labeling rounds in Jupyter.

Importing the package is cheap: it loads no ipywidgets, papermill or altair. The
stable entry points are re-exported lazily, so ``workbench.Taxonomy`` imports
``workbench.taxonomy`` only when first used.

One subpackage per component (layers in ``docs/architecture.md``): ``taxonomy``, ``store``,
``agreement``, ``sampling``, ``error_analysis``, ``revisions``, ``charts``, ``widgets``,
``report`` and ``demo``; helpers shared by them live in ``_internal``.

Examples
--------
>>> import workbench
>>> isinstance(workbench.__version__, str)
True
>>> workbench.Taxonomy.__name__
'Taxonomy'
"""

from ._internal.lazy import attach

__version__ = "0.1.0"

__getattr__, __dir__, __all__ = attach(__name__, {
    "taxonomy": ["Taxonomy", "Category"],
    "store": ["AnnotationStore"],
    "items": ["read_items", "mask_pii"],
    "agreement": ["agreement_table", "krippendorff_alpha_score"],
    "error_analysis": ["cross_validated_predictions"],
    "sampling": ["select_batch", "pilot_sample", "assign"],
    "revisions": ["Proposal", "propose_revisions", "draft_taxonomy"],
    "report": ["render_report"],
    "exceptions": ["WorkbenchError", "TaxonomyError", "StoreError", "DataError", "ValidationError",
                   "ReportError"],
}, submodules=["taxonomy", "store", "agreement", "sampling", "error_analysis", "revisions",
               "report", "charts", "widgets", "demo", "items", "guideline", "exceptions"])
