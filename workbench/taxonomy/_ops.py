"""The change operations of a taxonomy: their names and the shape each one must have.

Used twice: to validate the ``changes`` recorded in a changelog (so :meth:`Taxonomy.migrate`
can always replay them) and to check the operations given to :meth:`Taxonomy.apply`.

Examples
--------
>>> from workbench.taxonomy._ops import op_problems
>>> op_problems({"op": "rename", "category": "a"})
[(None, "op 'rename': missing 'to' (the new category id).")]
>>> op_problems({"op": "merj"})
[('op', "unknown op 'merj'. Did you mean 'merge'? Valid ops: ['add', 'retire', 'rename', 'merge', 'split', 'redefine', 'add_rule', 'add_edge_case'].")]
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, List, Optional, Tuple

from .._internal.yamlfile import did_you_mean

__all__ = ["OPS", "OP_SCHEMA", "op_problems", "type_name"]

OPS = ("add", "retire", "rename", "merge", "split", "redefine", "add_rule", "add_edge_case")


def type_name(value: Any) -> str:
    """A reader-friendly name of a YAML value's type (``'a string'``, ``'a list'`` ...)."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, (_dt.date, _dt.datetime)):
        return "a date"
    return f"a {type(value).__name__}"


def _id_or_mapping(value) -> bool:
    return isinstance(value, str) or (isinstance(value, dict) and isinstance(value.get("id"), str))


def _str_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _str_or_list(value) -> bool:
    return isinstance(value, str) or _str_list(value)


#: op -> {key: (required, check, what it must be)}; every op may also carry `rationale`.
OP_SCHEMA = {
    "add": {"category": (True, _id_or_mapping, "a category mapping {id, name, parent, definition, ...}")},
    "retire": {"category": (True, lambda v: isinstance(v, str), "a category id")},
    "rename": {"category": (True, lambda v: isinstance(v, str), "the old category id"),
               "to": (True, lambda v: isinstance(v, str), "the new category id"),
               "name": (False, lambda v: isinstance(v, str), "the new display name")},
    "merge": {"categories": (True, lambda v: _str_list(v) and len(v) >= 2, "a list of 2+ category ids"),
              "into": (True, lambda v: isinstance(v, str), "the id of the merged category"),
              "name": (False, lambda v: isinstance(v, str), "a display name"),
              "definition": (False, lambda v: isinstance(v, str), "a definition"),
              "parent": (False, lambda v: v is None or isinstance(v, str), "a parent id")},
    "split": {"category": (True, lambda v: isinstance(v, str), "the id of the category to split"),
              "into": (True, lambda v: isinstance(v, list) and len(v) >= 2 and all(map(_id_or_mapping, v)),
                       "a list of 2+ new categories ({id, definition, ...}) or existing ids")},
    "redefine": {"category": (True, lambda v: isinstance(v, str), "a category id"),
                 "definition": (True, lambda v: isinstance(v, str) and bool(v.strip()), "the new definition"),
                 "name": (False, lambda v: isinstance(v, str), "a new display name")},
    "add_rule": {"category": (True, lambda v: isinstance(v, str), "a category id"),
                 "include": (False, _str_or_list, "a rule (string) or a list of rules"),
                 "exclude": (False, _str_or_list, "a rule (string) or a list of rules")},
    "add_edge_case": {"rule": (True, lambda v: isinstance(v, str) and bool(v.strip()), "the rule text"),
                      "categories": (True, _str_list, "a list of category ids"),
                      "examples": (False, lambda v: isinstance(v, list), "a list of examples")},
}


def op_problems(op: Any) -> List[Tuple[Optional[str], str]]:
    """Shape problems of one change operation as ``(key or None, message)`` pairs."""
    if not isinstance(op, dict):
        return [(None, f"a change must be a mapping such as {{op: retire, category: x}}, got {type_name(op)}.")]
    name = op.get("op")
    if not isinstance(name, str) or name not in OP_SCHEMA:
        if not isinstance(name, str):
            return [(None, f"missing or invalid 'op' ({type_name(name)}); valid ops: {list(OPS)}.")]
        return [("op", f"unknown op {name!r}.{did_you_mean(name, OPS)} Valid ops: {list(OPS)}.")]
    schema = OP_SCHEMA[name]
    out: List[Tuple[Optional[str], str]] = []
    for key in op:
        if key not in schema and key not in ("op", "rationale"):
            valid = ["op", *schema, "rationale"]
            out.append((key, f"op {name!r}: unknown key {key!r}.{did_you_mean(key, valid)} "
                             f"Valid keys: {valid}."))
    for key, (required, check, what) in schema.items():
        if key not in op:
            if required:
                out.append((None, f"op {name!r}: missing {key!r} ({what})."))
        elif not check(op[key]):
            out.append((key, f"op {name!r}: {key!r} must be {what}, got {type_name(op[key])}."))
    if name == "add_rule" and "include" not in op and "exclude" not in op:
        out.append((None, "op 'add_rule': give 'include' or 'exclude' (the rule text)."))
    if "rationale" in op and not isinstance(op["rationale"], str):
        out.append(("rationale", f"op {name!r}: 'rationale' must be a string, got {type_name(op['rationale'])}."))
    return out
