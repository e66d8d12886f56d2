"""Taxonomy as code: the categories, rules, edge cases and change log of a labeling task.

A taxonomy is a YAML document (see ``docs/architecture.md``) loaded into frozen dataclasses.
Loading validates everything at once and raises one :class:`~workbench.exceptions.TaxonomyError`
listing every problem with its YAML line. ``to_yaml`` is a lossless round trip that keeps the
author's key order. Changes go through :meth:`Taxonomy.apply`, which returns the next version
with a machine-readable changelog entry that :meth:`Taxonomy.migrate` replays on old labels.

Examples
--------
>>> from workbench.taxonomy import Taxonomy
>>> t = Taxonomy.from_yaml('''
... name: demo
... version: 1
... categories:
...   - {id: billing, definition: Money matters.}
...   - {id: refund, parent: billing, definition: Wants money back.}
...   - {id: other, other: true, definition: Fits nothing else.}
... ''')
>>> t.labels
('refund', 'other')
>>> t.roll_up("refund", 0)
'billing'
>>> t2 = t.apply([{"op": "rename", "category": "refund", "to": "refund_request"}], date="2026-11-02")
>>> t2.version, t2.labels
(2, ('refund_request', 'other'))
>>> t2.migrate(["refund", "other"], 1).status.tolist()
['renamed', 'unchanged']
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from functools import cached_property
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple

from .._internal.validation import check_positive_int
from ..exceptions import TaxonomyError, ValidationError
from ._changes import apply_changes
from ._migrate import migrate_labels
from ._models import Category, ChangelogEntry, EdgeCase, as_tuple, ordered
from ._validate import validate_document
from .._internal.yamlfile import YamlProblem, did_you_mean, dump_yaml, parse_yaml, shown

__all__ = ["Taxonomy"]


@dataclasses.dataclass(frozen=True)
class Taxonomy:
    """A validated, immutable taxonomy version. Build it with :meth:`load` or :meth:`from_yaml`.

    Constructing one directly validates it too (a ``TaxonomyError`` lists every problem).

    Examples
    --------
    >>> t = Taxonomy("demo", 1, categories=[Category("a", definition="A."), Category("b", definition="B.")])
    >>> t.labels, t.task
    (('a', 'b'), 'multiclass')
    """

    name: str
    version: int
    task: str = "multiclass"
    description: Optional[str] = None
    categories: Tuple[Category, ...] = ()
    edge_cases: Tuple[EdgeCase, ...] = ()
    changelog: Tuple[ChangelogEntry, ...] = ()
    source: Optional[str] = dataclasses.field(default=None, compare=False)
    key_order: Tuple[str, ...] = dataclasses.field(default=(), compare=False, repr=False)

    def __post_init__(self):
        for key, kind in (("categories", Category), ("edge_cases", EdgeCase), ("changelog", ChangelogEntry)):
            items = []
            for i, x in enumerate(as_tuple(getattr(self, key))):
                if isinstance(x, Mapping):
                    try:
                        x = kind(**x)
                    except TypeError as exc:  # unknown or missing keys
                        raise TaxonomyError([f"{key}[{i}]: cannot build a {kind.__name__} from {dict(x)!r} "
                                             f"({exc}); use Taxonomy.from_dict to get every problem listed."],
                                            source=self.source) from None
                items.append(x)
            object.__setattr__(self, key, tuple(items))
        object.__setattr__(self, "key_order", as_tuple(self.key_order))
        problems = validate_document(self.to_dict())
        if problems:
            raise TaxonomyError(problems, source=self.source)

    def __hash__(self) -> int:
        return hash(self.content_hash())

    def __repr__(self) -> str:
        return (f"Taxonomy(name={self.name!r}, version={self.version}, task={self.task!r}, "
                f"{len(self.categories)} categories, {len(self.labels)} labels, "
                f"{len(self.edge_cases)} edge cases, {len(self.changelog)} changelog entries)")

    def _repr_html_(self) -> str:
        """A compact summary table for Jupyter (the full page is ``guideline.render_guideline_html``)."""
        from .._internal.markup import escape_text as escape

        rows = []
        for c in self.categories:
            kind = "retired" if c.deprecated else "group" if c.id in self.groups else "label"
            pad = 1.2 * self.depth(c.id)
            rows.append(f'<tr><td style="padding-left:{pad:.1f}em"><code>{escape(c.id)}</code></td>'
                        f"<td>{escape(c.name)}</td><td>{kind}</td><td>{escape(c.definition)}</td></tr>")
        head = (f"<p><strong>{escape(self.name)}</strong> v{self.version} ({escape(self.task)}): "
                f"{len(self.labels)} labels in {len(self.groups)} groups, {len(self.edge_cases)} edge cases</p>")
        return (head + "<table><thead><tr><th>id</th><th>name</th><th>kind</th><th>definition</th></tr></thead>"
                "<tbody>" + "".join(rows) + "</tbody></table>")

    # ----------------------------------------------------------------- reading and writing
    @classmethod
    def from_yaml(cls, text: "str | bytes", *, source: Optional[str] = None) -> "Taxonomy":
        """Parse and validate a taxonomy document (``yaml.safe_load`` semantics).

        Parameters
        ----------
        text : str, bytes or a text file object
            The YAML document.
        source : str, optional
            Where it came from (a file name), used in error messages.

        Raises
        ------
        TaxonomyError
            Listing every problem, each with its line (``"line 12: ..."``).

        Examples
        --------
        >>> Taxonomy.from_yaml("name: t\\nversion: one\\ncategories:\\n  - id: a\\n")
        Traceback (most recent call last):
        ...
        workbench.exceptions.TaxonomyError: 2 problems in the taxonomy:
          - line 2: top level: 'version' must be an integer such as 3, got a string.
          - line 4: category 'a' (categories[0]): missing 'definition'; add `definition: ...`.
        """
        if hasattr(text, "read"):
            text = text.read()
        if not isinstance(text, (str, bytes)):
            hint = (" Use Taxonomy.load(path) for a file." if isinstance(text, Path) else
                    " Use Taxonomy.from_dict(data) for parsed data." if isinstance(text, Mapping) else "")
            raise ValidationError(f"The 'text' parameter of Taxonomy.from_yaml must be the YAML text (str or "
                                  f"bytes). Got {type(text).__name__} instead.{hint}")
        try:
            data, lines, duplicates = parse_yaml(text)
        except YamlProblem as exc:
            where = f"line {exc.line}: " if exc.line else ""
            raise TaxonomyError([where + exc.message], source=source) from None
        problems = [f"line {line}: {msg}" for line, msg in duplicates] + validate_document(data, lines)
        if problems:
            by_line = [int(p.split(":", 1)[0][5:]) if p.startswith("line ") else 10**9 for p in problems]
            raise TaxonomyError([p for _, _, p in sorted(zip(by_line, range(len(problems)), problems))],
                                source=source)
        return cls._build(data, source)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: Optional[str] = None) -> "Taxonomy":
        """Build a taxonomy from plain data (what ``yaml.safe_load`` returns).

        Parameters
        ----------
        data : mapping
            The document as plain data.
        source : str, optional
            Where it came from, used in error messages.

        Raises
        ------
        TaxonomyError
            Listing every problem (by category id and position: plain data has no lines).

        Examples
        --------
        >>> Taxonomy.from_dict({"name": "t", "version": 3, "categories": [{"id": "a", "definition": "A."}]}).version
        3
        """
        problems = validate_document(data)
        if problems:
            raise TaxonomyError(problems, source=source)
        return cls._build(data, source)

    @classmethod
    def _build(cls, data: Mapping[str, Any], source: Optional[str]) -> "Taxonomy":
        cats = tuple(Category(**c, key_order=tuple(c)) for c in data["categories"])
        edges = tuple(EdgeCase(**{k: v for k, v in e.items()}, key_order=tuple(e))
                      for e in data.get("edge_cases") or ())
        log = tuple(ChangelogEntry(**e, key_order=tuple(e)) for e in data.get("changelog") or ())
        top = {k: v for k, v in data.items() if k not in ("categories", "edge_cases", "changelog")}
        return cls(**top, categories=cats, edge_cases=edges, changelog=log, source=source,
                   key_order=tuple(data))

    @classmethod
    def load(cls, path: "str | Path") -> "Taxonomy":
        """Read and validate a taxonomy YAML file.

        Parameters
        ----------
        path : str or Path
            A UTF-8 YAML file.

        Returns
        -------
        Taxonomy
            With ``source`` set to the path.

        Raises
        ------
        TaxonomyError
            When the file cannot be read, or listing every problem with its line.

        Examples
        --------
        >>> import importlib.resources as r
        >>> Taxonomy.load(r.files("workbench.demo") / "data" / "taxonomy.yaml").name
        'support-intents'
        """
        path = Path(path)
        try:
            text = path.read_bytes()
        except OSError as exc:
            raise TaxonomyError([f"cannot read the taxonomy file: {exc.strerror or exc}; check the path"],
                                source=str(path)) from None
        return cls.from_yaml(text, source=str(path))

    def to_dict(self, *, canonical: bool = False) -> dict:
        """The taxonomy as plain data in the author's key order (what ``to_yaml`` writes).

        Parameters
        ----------
        canonical : bool, default False
            Leave out every value equal to its default and use the canonical key order
            (what :meth:`content_hash` hashes).

        Examples
        --------
        >>> list(Taxonomy("t", 1, categories=[Category("a", definition="A.")]).to_dict())
        ['name', 'version', 'categories']
        """
        return ordered(self, [
            ("name", self.name, None), ("version", self.version, None), ("task", self.task, "multiclass"),
            ("description", self.description, None),
            ("categories", [c.to_dict(canonical=canonical) for c in self.categories], None),
            ("edge_cases", [e.to_dict(canonical=canonical) for e in self.edge_cases], []),
            ("changelog", [c.to_dict(canonical=canonical) for c in self.changelog], []),
        ], canonical)

    def to_yaml(self) -> str:
        """The taxonomy as YAML; ``Taxonomy.from_yaml(t.to_yaml()) == t``.

        Keys keep the order the author wrote them in; values written explicitly (even
        defaults) stay. YAML comments are not kept, and long text may be re-wrapped.

        Examples
        --------
        >>> t = Taxonomy("t", 1, categories=[Category("a", definition="A.")])
        >>> Taxonomy.from_yaml(t.to_yaml()) == t
        True
        """
        return dump_yaml(self.to_dict())

    def save(self, path: "str | Path") -> Path:
        """Write ``to_yaml()`` to ``path`` (UTF-8); return the path.

        Comments of a hand-written file are not kept: save a new version next to it (for
        example ``taxonomy_v2.yaml``) rather than over it if they matter.

        Examples
        --------
        >>> import tempfile, os
        >>> t = Taxonomy("t", 1, categories=[Category("a", definition="A.")])
        >>> p = t.save(os.path.join(tempfile.mkdtemp(), "taxonomy.yaml"))
        >>> Taxonomy.load(p) == t
        True
        """
        path = Path(path)
        path.write_text(self.to_yaml(), encoding="utf-8")
        return path

    def content_hash(self) -> str:
        """sha256 hex digest of the canonical content (key order, formatting and defaults written
        out explicitly do not matter): sorted-key JSON of ``to_dict(canonical=True)``, which is
        the same on every machine whatever YAML emitter is installed.

        Examples
        --------
        >>> len(Taxonomy("t", 1, categories=[Category("a", definition="A.")]).content_hash())
        64
        """
        return self._content_hash

    @cached_property
    def _content_hash(self) -> str:
        canonical = json.dumps(self.to_dict(canonical=True), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    # ----------------------------------------------------------------- structure
    @cached_property
    def _by_id(self) -> Dict[str, Category]:
        return {c.id: c for c in self.categories}

    @cached_property
    def parent_of(self) -> Dict[str, Optional[str]]:
        """``{category id: parent id or None}`` for every category, in document order.

        Examples
        --------
        >>> Taxonomy("t", 1, categories=[Category("a", definition="A."),
        ...          Category("b", parent="a", definition="B.")]).parent_of
        {'a': None, 'b': 'a'}
        """
        return {c.id: c.parent for c in self.categories}

    @cached_property
    def groups(self) -> Tuple[str, ...]:
        """Ids of the categories that are some category's parent (not labels themselves).

        Examples
        --------
        >>> Taxonomy("t", 1, categories=[Category("a", definition="A."),
        ...          Category("b", parent="a", definition="B.")]).groups
        ('a',)
        """
        parents = {c.parent for c in self.categories if c.parent is not None}
        return tuple(c.id for c in self.categories if c.id in parents)

    @cached_property
    def labels(self) -> Tuple[str, ...]:
        """Valid labels: active leaf categories in document order (incl. the ``other`` one).

        Groups (categories with children) and retired (``deprecated``) categories are not labels.

        Examples
        --------
        >>> Taxonomy("t", 1, categories=[Category("a", definition="A."), Category("b", parent="a", definition="B."),
        ...          Category("c", definition="C.", deprecated=True), Category("n", other=True, definition="N.")]).labels
        ('b', 'n')
        """
        groups = set(self.groups)
        return tuple(c.id for c in self.categories if not c.deprecated and c.id not in groups)

    @property
    def other_label(self) -> Optional[str]:
        """Id of the active ``other: true`` catch-all category, or ``None``.

        Examples
        --------
        >>> Taxonomy("t", 1, categories=[Category("a", definition="A."),
        ...          Category("none", other=True, definition="Nothing fits.")]).other_label
        'none'
        """
        return next((c.id for c in self.categories if c.other and not c.deprecated), None)

    def category(self, id: str) -> Category:
        """The category with this id.

        Parameters
        ----------
        id : str
            A category id (label or group, active or retired).

        Returns
        -------
        Category

        Raises
        ------
        TaxonomyError
            For an unknown id, naming the closest id and listing the valid ones.

        Examples
        --------
        >>> t = Taxonomy("t", 1, categories=[Category("refund", definition="R.")])
        >>> t.category("refund").definition
        'R.'
        >>> t.category("refnd")
        Traceback (most recent call last):
        ...
        workbench.exceptions.TaxonomyError: 1 problem in the taxonomy:
          - unknown category 'refnd' in taxonomy 't' v1. Did you mean 'refund'? Valid ids: ['refund'].
        """
        try:
            return self._by_id[id]
        except (KeyError, TypeError):
            raise TaxonomyError([f"unknown category {id!r} in taxonomy {self.name!r} v{self.version}."
                                 f"{did_you_mean(id, self._by_id)} Valid ids: {shown(self._by_id)}."],
                                source=self.source) from None

    def ancestors(self, id: str) -> Tuple[str, ...]:
        """Ancestors of a category from the top level down (the category itself excluded).

        Parameters
        ----------
        id : str
            A category id; an unknown id raises a TaxonomyError listing the valid ones.

        Returns
        -------
        tuple of str
            ``()`` for a top-level category.

        Examples
        --------
        >>> t = Taxonomy("t", 1, categories=[Category("a", definition="A."),
        ...     Category("b", parent="a", definition="B."), Category("c", parent="b", definition="C.")])
        >>> t.ancestors("c"), t.depth("c"), t.max_depth
        (('a', 'b'), 2, 2)
        """
        out = []
        parent = self.category(id).parent
        while parent is not None:
            out.append(parent)
            parent = self._by_id[parent].parent
        return tuple(reversed(out))

    def depth(self, id: str) -> int:
        """0 for a top-level category, 1 for its children, and so on.

        Examples
        --------
        >>> t = Taxonomy("t", 1, categories=[Category("a", definition="A."), Category("b", parent="a", definition="B.")])
        >>> t.depth("a"), t.depth("b")
        (0, 1)
        """
        return len(self.ancestors(id))

    @cached_property
    def max_depth(self) -> int:
        """The largest :meth:`depth` of any category (0 for a flat taxonomy)."""
        return max((self.depth(c.id) for c in self.categories), default=0)

    def roll_up(self, label: Any, level: int) -> Any:
        """The ancestor of ``label`` at depth ``level`` (0 = top); shallower labels stay as they are.

        Parameters
        ----------
        label : str or list / tuple / set of str
            A category id, or several (multi-label): each rolls up, first occurrences kept.
        level : int
            Depth to roll up to, ``0`` for the top level.

        Returns
        -------
        str, or tuple of str for several labels

        Examples
        --------
        >>> t = Taxonomy("t", 1, categories=[Category("a", definition="A."),
        ...     Category("b", parent="a", definition="B."), Category("c", definition="C.")])
        >>> t.roll_up("b", 0), t.roll_up("c", 0), t.roll_up(["b", "c"], 0)
        ('a', 'c', ('a', 'c'))
        """
        level = check_positive_int(level, param="level", caller="Taxonomy.roll_up", minimum=0)
        if isinstance(label, (list, tuple, set, frozenset)):
            return tuple(dict.fromkeys(self.roll_up(x, level) for x in label))
        path = self.ancestors(label) + (label,)
        return path[min(level, len(path) - 1)]

    def edge_cases_for(self, id: str) -> Tuple[EdgeCase, ...]:
        """The edge cases whose ``categories`` include ``id``.

        Parameters
        ----------
        id : str
            A category id; an unknown id raises a TaxonomyError listing the valid ones.

        Returns
        -------
        tuple of EdgeCase
            In document order.

        Examples
        --------
        >>> t = Taxonomy("t", 1, categories=[Category("a", definition="A."), Category("b", definition="B.")],
        ...              edge_cases=[EdgeCase("a beats b", ["a", "b"])])
        >>> [e.rule for e in t.edge_cases_for("b")]
        ['a beats b']
        """
        self.category(id)
        return tuple(e for e in self.edge_cases if id in e.categories)

    # ----------------------------------------------------------------- changes
    def apply(self, changes: Any, *, author: Optional[str] = None, date: Optional[str] = None,
              summary: Optional[str] = None) -> "Taxonomy":
        """Apply change operations; return version + 1 with a changelog entry recording them.

        Parameters
        ----------
        changes : dict or list of dict
            Operations ``add, retire, rename, merge, split, redefine, add_rule, add_edge_case``
            (see ``docs/architecture.md``); each may carry a ``rationale``.
        author, summary : str, optional
            Recorded in the changelog entry.
        date : str, optional
            ISO date of the entry; today's UTC date when omitted.

        Raises
        ------
        TaxonomyError
            Listing every invalid operation (unknown category -> the valid ones).

        Examples
        --------
        >>> t = Taxonomy("t", 1, categories=[Category("a", definition="A."), Category("b", definition="B.")])
        >>> t2 = t.apply({"op": "merge", "categories": ["a", "b"], "into": "ab", "definition": "A or B."},
        ...              date="2026-11-02", author="lead")
        >>> t2.labels, t2.changelog[-1].changes[0]["op"]
        (('ab',), 'merge')
        """
        return apply_changes(self, changes, author=author, date=date, summary=summary)

    def migrate(self, labels: Any, from_version: int, to_version: Optional[int] = None):
        """Map labels given under ``from_version`` to ``to_version`` (default: this version).

        Replays the operations of this taxonomy's changelog entries after ``from_version``:
        labels follow renames and merges; labels of a split category are never guessed.

        Parameters
        ----------
        labels : str, list, tuple, numpy array or pandas Series
            One label per row. A multi-label value is a list / tuple / set of ids or a JSON
            list string (as the store returns it); it migrates element by element and comes back
            in the same form (a tuple, or a sorted JSON list string).
        from_version : int
            The taxonomy version the labels were given under.
        to_version : int, optional
            Target version (at most this taxonomy's version); default this version.

        Returns
        -------
        pandas.DataFrame
            ``label, migrated_label, status, candidates`` (index of a Series input kept).
            ``status``: ``unchanged``, ``renamed``, ``merged`` (``migrated_label`` set), or
            ``needs_relabel`` (split, or the category became a group; ``candidates`` lists the
            labels to choose from), ``retired``, ``unknown`` (not a label), ``missing``
            (None / NaN), with ``migrated_label`` None.

        Raises
        ------
        TaxonomyError
            When the changelog has no entry for a version in between, or the versions go backwards.

        Examples
        --------
        >>> t = Taxonomy("t", 1, categories=[Category("a", definition="A."), Category("b", definition="B.")])
        >>> t2 = t.apply({"op": "split", "category": "a", "into": [{"id": "a1", "definition": "A1."},
        ...                                                         {"id": "a2", "definition": "A2."}]})
        >>> t2.migrate(["a", "b"], 1)[["migrated_label", "status"]].values.tolist()
        [[None, 'needs_relabel'], ['b', 'unchanged']]
        """
        return migrate_labels(self, labels, from_version, to_version)
