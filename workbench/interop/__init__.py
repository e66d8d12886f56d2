"""Other tools' formats, both ways: Label Studio today.

- ``_label_studio``: :func:`import_label_studio` (JSON, JSON_MIN, CSV exports into a round;
  all-or-nothing, idempotent) and :func:`export_label_studio` (a round as tasks Label Studio
  imports unchanged).
- ``_ls_import`` / ``_ls_export``: the tag mapping each way; ``_ls_config``: the labeling
  config from a taxonomy; ``_annotators``: workbench names <-> Label Studio users;
  ``_ls_api``: listing and creating Label Studio users over its REST API.
"""

from .._internal.lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "_label_studio": ["import_label_studio", "export_label_studio"],
    "_ls_import": ["parse_label_studio_export", "read_label_studio_file", "LabelStudioExport"],
    "_ls_export": ["to_label_studio"],
    "_ls_config": ["label_studio_config", "config_controls"],
    "_annotators": ["AnnotatorMap", "read_annotator_map"],
    "_ls_api": ["label_studio_users", "create_label_studio_users", "LabelStudioAPI"],
})
