"""The append-only annotation store over SQLAlchemy Core (SQLite or PostgreSQL).

- ``_schema``: tables, engines and the SQLite write lock; ``_meta``: taxonomies and rounds.
- ``_items``, ``_labels``, ``_records``: writing items, checking labels, writing annotations.
- ``_read``: the fast current-label read; ``_io``: export, annotation-file and Label Studio import.
- ``_imports``: all-or-nothing, idempotent imports (:class:`ImportResult`).
- ``_users``: users, roles, hashed sign-in tokens and the audit log; ``_erase``: erasure of an
  item (tombstone, then the database compacted).
- ``_store``: :class:`AnnotationStore`, the face over all of them; ``_example``: a demo store.
"""

from .._internal.lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {"_store": ["AnnotationStore", "KINDS", "ROLES"],
                                                  "_schema": ["normalize_url", "is_memory_url"],
                                                  "_imports": ["ImportResult"]})
