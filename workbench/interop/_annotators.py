"""Who is who across tools: workbench annotator names and Label Studio users (emails, ids).

Label Studio knows people by email (and a numeric user id); the workbench by the name they
label under. An :class:`AnnotatorMap` holds that mapping explicitly, read from a file with
:func:`read_annotator_map` (CSV ``name,email[,label_studio_id]``, or a JSON / YAML mapping
``{name: email}``). Without a file the documented default applies: a name that is an email
is its own email, any other name ``ana`` becomes ``ana@workbench.local`` (and back).

Examples
--------
>>> m = AnnotatorMap({"ana": "ana.silva@example.org"})
>>> m.email("ana"), m.email("ben"), m.email("kim@x.org")
('ana.silva@example.org', 'ben@workbench.local', 'kim@x.org')
>>> m.name("ana.silva@example.org"), m.name("ben@workbench.local")
('ana', 'ben')
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any, Dict, Mapping, Optional

from ..exceptions import DataError

__all__ = ["AnnotatorMap", "read_annotator_map", "DEFAULT_DOMAIN"]

#: Domain of the default email of a name that is not an email (``.local`` is never routed).
DEFAULT_DOMAIN = "workbench.local"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LOCAL_PART = re.compile(r"^[A-Za-z0-9._+-]+$")


class AnnotatorMap:
    """Workbench names <-> Label Studio emails (and, when known, Label Studio user ids).

    Parameters
    ----------
    emails : mapping, optional
        ``{name: email}``.
    ids : mapping, optional
        ``{label studio user id: email}``, e.g. from the Label Studio API.
    """

    def __init__(self, emails: Optional[Mapping[str, str]] = None, ids: Optional[Mapping[Any, str]] = None):
        self._email = {str(k): str(v).strip() for k, v in (emails or {}).items()}
        self._name = {v.lower(): k for k, v in self._email.items()}
        if len(self._name) != len(self._email):
            raise DataError("The annotator map gives two names the same email; every annotator needs their own "
                            "Label Studio user.", reason="bad_annotator_map")
        self.ids: Dict[int, str] = {int(k): str(v) for k, v in (ids or {}).items()}

    def __repr__(self) -> str:
        return f"AnnotatorMap({len(self._email)} names, {len(self.ids)} user ids)"

    def email(self, name: str) -> str:
        """The Label Studio email of workbench annotator ``name``."""
        name = str(name)
        if name in self._email:
            return self._email[name]
        if _EMAIL.match(name):
            return name
        if not _LOCAL_PART.match(name):
            raise DataError(f"Annotator {name!r} has no Label Studio email in the annotator map, and the default "
                            f"(name@{DEFAULT_DOMAIN}) needs a name of letters, digits and . _ + -. Add a line "
                            f"'{name},their.email@example.org' to the map (--annotator-map FILE).",
                            reason="unmapped_annotator")
        return f"{name}@{DEFAULT_DOMAIN}"

    def name(self, email: str) -> str:
        """The workbench name of Label Studio user ``email``."""
        key = str(email).strip().lower()
        if key in self._name:
            return self._name[key]
        local, _, domain = key.partition("@")
        return str(email).strip().split("@")[0] if domain == DEFAULT_DOMAIN else str(email).strip()

    def resolve(self, completed_by: Any, *, where: str) -> str:
        """The workbench name behind a Label Studio ``completed_by`` (an id, an email or a user object)."""
        value = completed_by
        if isinstance(value, dict):
            if value.get("email"):
                return self.name(value["email"])
            value = value.get("id")
        if isinstance(value, bool) or value in (None, ""):
            raise DataError(f"{where} has no annotator (completed_by is empty).", reason="no_annotator")
        if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().isdigit()):
            uid = int(value)
            if uid in self.ids:
                return self.name(self.ids[uid])
            raise DataError(f"{where}: Label Studio user id {uid} is not in the annotator map. Pass the Label Studio "
                            "URL and token so the import can look the users up, or a map file with a "
                            "label_studio_id column (name,email,label_studio_id).", reason="unknown_user_id")
        if isinstance(value, str):
            return self.name(value)
        raise DataError(f"{where}: completed_by must be a user id, an email or a user object; got "
                        f"{type(value).__name__}.", reason="bad_annotator")


def read_annotator_map(path: Any) -> AnnotatorMap:
    """Read an annotator map: CSV ``name,email[,label_studio_id]``, or JSON / YAML ``{name: email}``.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "people.csv")
    >>> _ = open(path, "w").write("name,email,label_studio_id\\nana,ana@x.org,3\\n")
    >>> m = read_annotator_map(path)
    >>> m.email("ana"), m.resolve(3, where="annotation 1")
    ('ana@x.org', 'ana')
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"The annotator map {path} does not exist. Write a CSV with the header name,email "
                        "(and optionally label_studio_id).", reason="missing_file")
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() in (".json", ".yaml", ".yml"):
        import yaml

        try:
            data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
        except (ValueError, yaml.YAMLError) as exc:
            raise DataError(f"{path} is not valid {path.suffix[1:].upper()} ({str(exc).splitlines()[0]}).",
                            reason="bad_annotator_map") from None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise DataError(f"{path} must map each annotator name to an email, e.g. {{\"ana\": \"ana@x.org\"}}.",
                            reason="bad_annotator_map")
        return AnnotatorMap(data)
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or not {"name", "email"} <= set(rows[0]):
        raise DataError(f"{path} must be a CSV with the header name,email (and optionally label_studio_id).",
                        reason="bad_annotator_map")
    emails, ids = {}, {}
    for n, row in enumerate(rows, start=2):
        name, email = (row.get("name") or "").strip(), (row.get("email") or "").strip()
        if not name or not _EMAIL.match(email):
            raise DataError(f"{path} line {n}: needs a name and a valid email; got {name!r}, {email!r}.",
                            reason="bad_annotator_map")
        emails[name] = email
        uid = (row.get("label_studio_id") or "").strip()
        if uid:
            if not uid.isdigit():
                raise DataError(f"{path} line {n}: label_studio_id must be a number; got {uid!r}.",
                                reason="bad_annotator_map")
            ids[int(uid)] = email
    return AnnotatorMap(emails, ids)
