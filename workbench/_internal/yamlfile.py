"""Line-aware YAML reading and faithful YAML writing: taxonomies, quality targets, any YAML we read.

Reading uses PyYAML's *safe* loader only (``yaml.safe_load`` semantics, libyaml's parser when
available): the document is
composed into nodes, a depth-limited walk records the line of every key and list item that
validation may need to point at, then the nodes are constructed with ``SafeConstructor``.
Writing uses ``SafeDumper`` with key order kept and multi-line text in literal block style.

Examples
--------
>>> from workbench._internal.yamlfile import parse_yaml, line_of
>>> data, lines, duplicates = parse_yaml("name: x\\ncategories:\\n  - id: a\\n    parent: b\\n")
>>> data["categories"][0]["parent"]
'b'
>>> line_of(lines, ("categories", 0, "parent"))
4
>>> line_of(lines, ("categories", 0, "nothing", "here"))
3
"""

from __future__ import annotations

import difflib
from typing import Any, Dict, Iterable, List, Optional, Tuple

import yaml
from yaml.constructor import SafeConstructor

__all__ = ["parse_yaml", "line_of", "dump_yaml", "did_you_mean", "shown", "YamlProblem"]

Path = Tuple[Any, ...]

#: How deep the line index goes (root keys = depth 1; changelog[i].changes[j].key = depth 5).
_MAX_INDEX_DEPTH = 6
#: Upper bound on indexed paths, so alias bombs cannot make the walk explode.
_MAX_INDEX_SIZE = 200_000


#: Limits on the document once aliases are expanded: a taxonomy of thousands of categories stays
#: far below them, an alias bomb ("billion laughs") hits them after bounded work.
MAX_EXPANDED_NODES = 200_000
MAX_EXPANDED_CHARS = 10_000_000

#: libyaml's parser when PyYAML was built with it (about 10x faster); same safe constructor.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlProblem(Exception):
    """The text is not a single well-formed YAML document; carries ``line`` and ``message``."""

    def __init__(self, message: str, line: Optional[int] = None):
        super().__init__(message)
        self.message = message
        self.line = line


def parse_yaml(text: "str | bytes") -> Tuple[Any, Dict[Path, int], List[Tuple[int, str]]]:
    """Parse ``text`` with safe-load semantics; return ``(data, lines, duplicate_keys)``.

    ``lines`` maps a path such as ``("categories", 2, "parent")`` to its 1-based line.
    The third element lists ``(line, message)`` for keys repeated inside one mapping
    (PyYAML silently keeps the last one; a taxonomy treats that as a mistake).

    Raises
    ------
    YamlProblem
        For syntax errors, several documents, unhashable keys or absurd nesting depth.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise YamlProblem(f"the file is not UTF-8 text ({exc}); save it as UTF-8") from None
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:  # a control character the YAML spec forbids
        line = text[:exc.position].count("\n") + 1 if isinstance(exc.position, int) else None
        raise YamlProblem(f"YAML error: character {exc.character!r} is not allowed in YAML; delete it", line) from None
    try:
        node = loader.get_single_node()
        lines: Dict[Path, int] = {}
        dups: List[Tuple[int, str]] = []
        if node is not None:
            lines[()] = node.start_mark.line + 1
            _index(node, (), lines, dups, SafeConstructor(), 0)
            _check_expansion(node)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise YamlProblem(f"YAML syntax error: {what}; fix the YAML at this line", line) from None
    except yaml.reader.ReaderError as exc:
        line = text[:exc.position].count("\n") + 1 if isinstance(exc.position, int) else None
        raise YamlProblem(f"YAML error: character {exc.character!r} is not allowed in YAML; delete it", line) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"YAML error: {exc}") from None
    except RecursionError:
        raise YamlProblem("the YAML nests too deeply to be a taxonomy; flatten the document") from None
    finally:
        loader.dispose()
    return data, lines, dups


def _check_expansion(root) -> None:
    """Refuse documents whose aliases expand past :data:`MAX_EXPANDED_NODES` / ``_CHARS``.

    Walks the node graph as the constructor would see it after alias expansion, stopping as
    soon as a limit is passed, so the work is bounded whatever the document.
    """
    nodes = chars = 0
    stack = [root]
    while stack:
        node = stack.pop()
        nodes += 1
        if isinstance(node, yaml.ScalarNode):
            chars += len(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        if nodes > MAX_EXPANDED_NODES or chars > MAX_EXPANDED_CHARS:
            what = f"{MAX_EXPANDED_NODES:,} values" if nodes > MAX_EXPANDED_NODES else f"{MAX_EXPANDED_CHARS:,} characters"
            raise YamlProblem(f"the document expands to more than {what} once its aliases (*name) are "
                              "resolved; a taxonomy never needs that -- write the repeated parts out or remove "
                              "the aliases", node.start_mark.line + 1)


def _index(node, path: Path, lines: Dict[Path, int], dups, constructor, depth: int) -> None:
    """Record the line of keys and items below ``node`` (bounded depth and size)."""
    if depth >= _MAX_INDEX_DEPTH or len(lines) > _MAX_INDEX_SIZE:
        return
    if isinstance(node, yaml.MappingNode):
        seen: Dict[Any, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue
            try:
                key = constructor.construct_object(key_node)
                hash(key)
            except Exception:  # noqa: BLE001 - an odd key is reported when constructing the document
                continue
            line = key_node.start_mark.line + 1
            if key in seen:
                dups.append((line, f"key {key!r} appears twice in one mapping (first on line "
                                   f"{seen[key]}); YAML would silently keep only the last one -- "
                                   "remove or merge the duplicate"))
            seen[key] = line
            lines[path + (key,)] = line
            _index(value_node, path + (key,), lines, dups, constructor, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[path + (i,)] = item.start_mark.line + 1
            _index(item, path + (i,), lines, dups, constructor, depth + 1)


def line_of(lines: Dict[Path, int], path: Iterable[Any]) -> Optional[int]:
    """Line of ``path``, or of its nearest recorded ancestor; ``None`` when nothing is known."""
    path = tuple(path)
    while True:
        try:
            if path in lines:
                return lines[path]
        except TypeError:  # an unhashable component cannot be in the index
            pass
        if not path:
            return None
        path = path[:-1]


class _Dumper(yaml.SafeDumper):
    """SafeDumper that indents lists under their key and writes multi-line text as ``|``."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


#: Line breaks YAML knows besides \n and \r; PyYAML writes them raw and they read back as spaces.
_ODD_BREAKS = ("\x85", "\u2028", "\u2029")


def _represent_str(dumper: yaml.SafeDumper, value: str):
    if any(ch in value for ch in _ODD_BREAKS):
        style = '"'  # escaped as \N, \L, \P
    elif "\n" in value.rstrip("\n"):
        style = "|"
    else:
        style = None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    """Dump plain data (dicts, lists, scalars) as block YAML, keeping key order."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100)


def did_you_mean(word: Any, valid: Iterable[str]) -> str:
    """``" Did you mean 'x'?"`` for the closest valid word, or ``""``."""
    match = difflib.get_close_matches(str(word), [str(v) for v in valid], n=1, cutoff=0.6)
    return f" Did you mean {match[0]!r}?" if match else ""


def shown(ids: Iterable[Any], limit: int = 20) -> str:
    """A list of ids for a message, cut after ``limit`` with the count of the rest."""
    ids = list(ids)
    if len(ids) <= limit:
        return repr(ids)
    return repr(ids[:limit])[:-1] + f", ... and {len(ids) - limit} more]"
