"""Evidence from a round, turned into taxonomy revision proposals, a draft and a relabel plan.

- ``_evidence``: per-category profiles and texts; ``_note_clusters``: clustering notes;
  ``_rules`` / ``_text_rules``: the proposal rules; ``_thresholds``: :class:`RevisionRules`.
- ``_proposals``: :class:`Proposal`, :func:`propose_revisions`, :func:`draft_taxonomy`,
  :func:`relabel_plan`.
"""

from .._internal.lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "_thresholds": ["RevisionRules", "KINDS"],
    "_proposals": ["Proposal", "propose_revisions", "proposals_table", "draft_taxonomy", "relabel_plan"],
})
