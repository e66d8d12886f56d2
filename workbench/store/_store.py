"""The annotation store: items, taxonomy versions, rounds, assignments and judgements.

An :class:`AnnotationStore` is a SQLite file by default and a PostgreSQL database for a
team (``postgresql+psycopg://...``), on SQLAlchemy Core. Annotations are append-only: a
correction is a new row, an undo is a ``retract`` row pointing at the row it takes back.
The *current* judgement of (item, annotator, round, kind) is the newest non-retracted row.
:meth:`AnnotationStore.record` returns only after the row is committed (durable).

Examples
--------
>>> import pandas as pd
>>> from workbench.taxonomy import Taxonomy
>>> store = AnnotationStore("sqlite://")          # in memory; use a file path for real work
>>> tax = Taxonomy.from_yaml('''
... name: intents
... version: 1
... categories:
...   - {id: refund, definition: Money back.}
...   - {id: bug, definition: Something broke.}
... ''')
>>> store.save_taxonomy(tax)
1
>>> store.add_items(pd.DataFrame({"item_id": ["m1", "m2"], "text": ["I want my money", "App crashes"]}))
2
>>> store.create_round(1, taxonomy_version=1)
1
>>> first = store.record("m1", "ana", "bug", round=1)
>>> fixed = store.record("m1", "ana", "refund", round=1)      # a correction is a new row
>>> store.annotations(round=1)[["item_id", "annotator", "label"]]
  item_id annotator   label
0      m1       ana  refund
>>> store.record("m2", "ana", "refnd", round=1)
Traceback (most recent call last):
...
workbench.exceptions.LabelNotInTaxonomyError: Label 'refnd' is not in taxonomy 'intents' v1. Valid labels: ['refund', 'bug']. Record one of them, or save a new taxonomy version that defines 'refnd' and use it in a new round.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

import pandas as pd
import sqlalchemy as sa

from . import _schema as S
from . import _meta as M
from ._items import add_items as _add_items, read_items_table
from ._labels import LabelRules
from ._read import read_annotations
from ._example import fill_example_store
from ._imports import ImportResult, import_batch
from ._io import export_annotations, import_annotations
from ._records import check_round, insert_annotations, insert_assignments, insert_retract, progress_table
from .._internal.validation import check_columns, check_option
from ..exceptions import StoreError
from ..taxonomy import Rubric, Taxonomy

__all__ = ["AnnotationStore", "KINDS"]

KINDS = S.KINDS


class AnnotationStore:
    """Append-only store of items, taxonomy versions, rounds, assignments and annotations.

    Parameters
    ----------
    url : str or path-like
        ``"sqlite:///path.db"`` (or a plain path: SQLite), ``"sqlite://"`` (in memory, for
        tests), or ``"postgresql+psycopg://user@host:5432/db"``. The tables are created on
        first open.
    synchronous : {'FULL', 'NORMAL'}, default='FULL'
        SQLite only. ``FULL`` fsyncs every commit (an acknowledged label survives a power
        cut); ``NORMAL`` survives a killed process but may lose the last commits on power loss.
    create : bool, default=True
        Create the store when it does not exist. ``False`` (what read-only tools use) makes a
        missing SQLite file or a database without the store's tables a
        :class:`~workbench.exceptions.StoreError`.

    Attributes
    ----------
    url : str
        The normalised SQLAlchemy URL.
    schema_version : int
        Version of the table layout.

    Examples
    --------
    >>> store = AnnotationStore("sqlite://")
    >>> store.taxonomy_versions()
    []
    """

    def __init__(self, url: Any, *, synchronous: str = "FULL", create: bool = True):
        check_option(synchronous, {"FULL", "NORMAL"}, param="synchronous", caller="AnnotationStore")
        self.url = S.normalize_url(url)
        self._engine = S.open_engine(self.url, synchronous=synchronous, create=create)
        try:
            self.schema_version = S.ensure_schema(self._engine, create=create)
        except BaseException:
            self._engine.dispose()
            raise
        self._round_versions: Dict[int, int] = {}
        self._round_rubrics: Dict[int, Optional[Rubric]] = {}
        self._rules: Dict[int, LabelRules] = {}
        self._taxonomies: Dict[int, Any] = {}

    @classmethod
    def example(cls, url: str = "sqlite://", *, task: str = "multiclass") -> "AnnotationStore":
        """A small ready-made store for trying things out: taxonomy v1 (``refund``, ``cancel``,
        ``bug``), items ``m1``-``m3`` and round 1.

        Examples
        --------
        >>> store = AnnotationStore.example()
        >>> len(store.items()), store.rounds()["round"].tolist()
        (3, [1])
        """
        return fill_example_store(cls(url), task=task)

    def __repr__(self) -> str:
        return f"AnnotationStore({sa.make_url(self.url).render_as_string(hide_password=True)!r})"

    def __enter__(self) -> "AnnotationStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections (the store can be reopened from its URL)."""
        self._engine.dispose()

    @property
    def engine(self) -> sa.Engine:
        """The SQLAlchemy engine (for read-only ad-hoc queries)."""
        return self._engine

    # ----------------------------------------------------------------- items
    def add_items(self, df: pd.DataFrame, *, id_col: str = "item_id", text_col: str = "text",
                  dataset: Optional[str] = None, progress: Optional[bool] = None) -> int:
        """Add items; return how many were new.

        Idempotent: an item id already stored with the same text is skipped; the same id
        with a different text raises :class:`~workbench.exceptions.DataError` naming the ids.
        Columns other than the id, text and ``dataset`` are stored as metadata (JSON).

        Parameters
        ----------
        df : pandas.DataFrame
            One row per item (see :func:`workbench.items.read_items`).
        id_col, text_col : str
            Names of the id and text columns.
        dataset : str, optional
            Dataset name for every row (default: a ``dataset`` column if present, else none).
        progress : bool, optional
            Show a progress bar (default: only for more than 200,000 rows).

        Returns
        -------
        int
            Number of items inserted.

        Examples
        --------
        >>> import pandas as pd
        >>> store = AnnotationStore("sqlite://")
        >>> df = pd.DataFrame({"item_id": ["a", "b"], "text": ["x", "y"], "lang": ["en", "de"]})
        >>> store.add_items(df), store.add_items(df)
        (2, 0)
        """
        return _add_items(self._engine, df, id_col=id_col, text_col=text_col, dataset=dataset,
                          progress=progress)

    def items(self, *, item_ids: Optional[Sequence[str]] = None, dataset: Optional[str] = None) -> pd.DataFrame:
        """Items as a DataFrame ``item_id, dataset, text, content_hash`` + one column per metadata key.

        Examples
        --------
        >>> AnnotationStore.example().items(item_ids=["m3", "m1"])[["item_id", "text", "channel"]]
          item_id                  text channel
        0      m3       The app crashes    chat
        1      m1  I want my money back    chat
        """
        return read_items_table(self._engine, item_ids=item_ids, dataset=dataset)

    # ----------------------------------------------------------------- taxonomies
    def save_taxonomy(self, taxonomy) -> int:
        """Store a taxonomy version (its YAML); return its version number.

        Saving the same content again is a no-op; a different document under an existing
        version number raises :class:`~workbench.exceptions.StoreError`.

        Examples
        --------
        >>> store = AnnotationStore.example()
        >>> t = store.taxonomy(1)
        >>> store.save_taxonomy(t), store.taxonomy_versions()
        (1, [1])
        """
        return M.save_taxonomy(self._engine, taxonomy, where=repr(self))

    def taxonomy_versions(self) -> List[int]:
        """Saved taxonomy versions, ascending.

        Examples
        --------
        >>> AnnotationStore("sqlite://").taxonomy_versions()
        []
        """
        return M.taxonomy_versions(self._engine)

    def taxonomy(self, version: Optional[int] = None):
        """The saved :class:`~workbench.taxonomy.Taxonomy` of ``version`` (the latest when None).

        Examples
        --------
        >>> AnnotationStore.example().taxonomy().labels
        ('refund', 'cancel', 'bug')
        """
        if version is None:
            versions = self.taxonomy_versions()
            if not versions:
                raise StoreError(f"No taxonomy is saved in {self!r}. Save one first with store.save_taxonomy(t).")
            version = versions[-1]
        version = int(version)
        if version not in self._taxonomies:
            text = M.taxonomy_yaml(self._engine, version, where=repr(self))
            self._taxonomies[version] = Taxonomy.from_yaml(text, source=f"{self.url} (taxonomy v{version})")
        return self._taxonomies[version]

    def _label_rules(self, version: int) -> LabelRules:
        rules = self._rules.get(version)
        if rules is None:
            rules = self._rules[version] = LabelRules.from_taxonomy(self.taxonomy(version))
        return rules

    # ----------------------------------------------------------------- rounds
    def create_round(self, round: int, *, taxonomy_version: int, name: Optional[str] = None,
                     params: Optional[dict] = None, rubric: Any = None) -> int:
        """Create labeling round ``round`` against a saved taxonomy version; return ``round``.

        Creating the same round again with the same settings (the same rubric included) is a
        no-op; other settings raise :class:`~workbench.exceptions.StoreError`. ``params`` must
        be JSON-serialisable.

        Parameters
        ----------
        round : int
        taxonomy_version : int
            A saved taxonomy version.
        name : str, optional
        params : dict, optional
            Settings of the round (JSON-serialisable). The key ``"rubric"`` holds its rubric.
        rubric : Rubric or dict, optional
            The rubric that ``kind="rubric"`` answers of this round must fit (a
            :class:`~workbench.taxonomy.Rubric`, or any form :meth:`Rubric.from_dict
            <workbench.taxonomy.Rubric.from_dict>` reads, e.g. ``{"helpful": [1, 5]}``). Kept in
            ``params["rubric"]`` in its canonical form. Every rubric answer recorded in the round
            must then score each required criterion with a whole number on its scale and name
            no other criterion.

        Examples
        --------
        >>> store = AnnotationStore.example()
        >>> store.create_round(2, taxonomy_version=1, name="second", params={"overlap": 2})
        2
        >>> store.round_info(2)["params"]
        {'overlap': 2}
        >>> store.create_round(3, taxonomy_version=1, rubric={"helpful": [1, 5], "honest": [1, 5]})
        3
        >>> store.record("m1", "ana", {"helpful": 4, "honest": 9}, round=3, kind="rubric")
        Traceback (most recent call last):
        ...
        workbench.exceptions.DataError: The rubric answer of round 3 does not fit the rubric: 'honest' is 9, outside its scale 1-5. The rubric's criteria: helpful 1-5, honest 1-5. Score every required criterion with a whole number on its scale, and leave out names the rubric does not define (or declare them in the rubric of a new round).
        """
        return M.create_round(self._engine, round, taxonomy_version=taxonomy_version, name=name, params=params,
                              rubric=rubric)

    def rounds(self) -> pd.DataFrame:
        """Rounds as a DataFrame ``round, name, taxonomy_version, params, created_at``.

        Examples
        --------
        >>> AnnotationStore.example().rounds()[["round", "name", "taxonomy_version"]]
           round   name  taxonomy_version
        0      1  pilot                 1
        """
        return M.rounds_table(self._engine)

    def round_info(self, round: int) -> dict:
        """``{'round', 'name', 'taxonomy_version', 'params', 'created_at'}`` of one round.

        Raises :class:`~workbench.exceptions.StoreError` listing the rounds when it does not exist.

        Examples
        --------
        >>> AnnotationStore.example().round_info(1)["taxonomy_version"]
        1
        """
        info = M.round_row(self._engine, round, where=repr(self))
        self._round_versions[int(round)] = int(info["taxonomy_version"])
        return info

    def round_rubric(self, round: int) -> Optional[Rubric]:
        """The :class:`~workbench.taxonomy.Rubric` round ``round`` declares, or None.

        Examples
        --------
        >>> store = AnnotationStore.example()
        >>> store.round_rubric(1) is None
        True
        >>> _ = store.create_round(2, taxonomy_version=1, rubric={"helpful": {"question": "Useful?", "scale": [1, 5]}})
        >>> store.round_rubric(2).describe()
        'helpful 1-5'
        """
        round = check_round(round, "round_rubric")
        if round not in self._round_rubrics:
            info = self.round_info(round)
            self._round_rubrics[round] = M.rubric_of(info, where=repr(self))
        return self._round_rubrics[round]

    def _round_version(self, round: int) -> int:
        version = self._round_versions.get(round)
        if version is None:
            version = self.round_info(round)["taxonomy_version"]
        return version

    # ----------------------------------------------------------------- assignments
    def assign(self, df: pd.DataFrame, *, round: int) -> int:
        """Assign items to annotators in ``round`` (columns ``item_id, annotator``, optional ``position``).

        Existing assignments are kept; returns the number of new ones. Without ``position``
        each annotator's new items are queued after their existing ones, in frame order.

        Examples
        --------
        >>> import pandas as pd
        >>> store = AnnotationStore.example()
        >>> store.assign(pd.DataFrame({"item_id": ["m2", "m1"], "annotator": "ana"}), round=1)
        2
        >>> store.assignments(round=1)
           round item_id annotator  position
        0      1      m2       ana         0
        1      1      m1       ana         1
        """

        check_columns(df, ["item_id", "annotator"], what="assign(df)")
        self._round_version(int(round))
        return insert_assignments(self._engine, df, round=int(round))

    def assignments(self, *, round: Optional[int] = None, annotator: Optional[str] = None) -> pd.DataFrame:
        """Assignments as a DataFrame ``round, item_id, annotator, position`` (queue order).

        Examples
        --------
        >>> AnnotationStore.example().assignments(round=1).columns.tolist()
        ['round', 'item_id', 'annotator', 'position']
        """
        a = S.assignments
        query = sa.select(a.c.round, a.c.item_id, a.c.annotator, a.c.position)
        if round is not None:
            query = query.where(a.c.round == int(round))
        if annotator is not None:
            query = query.where(a.c.annotator == str(annotator))
        query = query.order_by(a.c.round, a.c.annotator, a.c.position, a.c.item_id)
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        df = pd.DataFrame(rows, columns=["round", "item_id", "annotator", "position"])
        return df.astype({"round": "int64", "position": "int64"})

    # ----------------------------------------------------------------- annotations
    def record(self, item_id: str, annotator: str, label: Any, *, round: int, unsure: bool = False,
               note: Optional[str] = None, duration_ms: Optional[int] = None, kind: str = "label",
               session_id: Optional[str] = None) -> int:
        """Append one judgement; return its row id once the transaction is committed.

        Parameters
        ----------
        item_id, annotator : str
        label : str, list of str, or None
            A label id; a list for multi-label (stored as a sorted JSON list string); ``None``
            for kinds without a label (``skip``). Kinds ``label``, ``adjudication``, ``quiz``
            are checked against the round's taxonomy version. A ``rubric`` answer is a dict
            (or its JSON text) of criterion scores, checked against the round's rubric
            (:meth:`round_rubric`); without one, it must map criterion names to finite numbers.
        round : int
        unsure : bool, default=False
        note : str, optional
        duration_ms : int, optional
        kind : {'label', 'adjudication', 'quiz', 'skip', 'pairwise', 'rubric'}, default='label'
        session_id : str, optional

        Returns
        -------
        int
            The new row id (durable when returned).

        Raises
        ------
        LabelNotInTaxonomyError
            The label is not a label of the round's taxonomy version.
        DataError
            A rubric answer that does not fit the round's rubric (or is no object of scores).
        StoreError
            Unknown round or item.

        Examples
        --------
        >>> store = AnnotationStore.example()
        >>> rid = store.record("m1", "ana", "refund", round=1, duration_ms=2300)
        >>> store.annotations().loc[0, ["id", "label", "duration_ms"]].tolist() == [rid, "refund", 2300]
        True
        """
        row = {"item_id": item_id, "annotator": annotator, "label": label, "unsure": unsure, "note": note,
               "duration_ms": duration_ms, "kind": kind, "session_id": session_id}
        return insert_annotations(self, [row], round=round, caller="record")[0]

    def record_many(self, df: pd.DataFrame, *, round: int) -> List[int]:
        """Append many judgements in one transaction (columns ``item_id, annotator, label`` and
        optionally ``unsure, note, duration_ms, kind, session_id``); return the new ids in row order.

        Every row is checked first; nothing is written if one fails.

        Examples
        --------
        >>> import pandas as pd
        >>> store = AnnotationStore.example()
        >>> df = pd.DataFrame({"item_id": ["m1", "m2"], "annotator": "ana", "label": ["refund", "cancel"]})
        >>> len(store.record_many(df, round=1))
        2
        """
        check_columns(df, ["item_id", "annotator", "label"], what="record_many(df)")
        optional = ["unsure", "note", "duration_ms", "kind", "session_id"]
        cols = ["item_id", "annotator", "label"] + [c for c in optional if c in df.columns]
        rows = df[cols].to_dict("records")
        return insert_annotations(self, rows, round=round, caller="record_many")

    def retract(self, annotation_id: int) -> int:
        """Take back annotation ``annotation_id`` (undo); return the id of the new ``retract`` row.

        Examples
        --------
        >>> store = AnnotationStore.example()
        >>> rid = store.record("m1", "ana", "bug", round=1)
        >>> _ = store.retract(rid)
        >>> len(store.annotations()), len(store.annotations(current_only=False))
        (0, 2)
        """

        return insert_retract(self, int(annotation_id))

    def annotations(self, *, round: Optional[int] = None, current_only: bool = True,
                    kind: Any = None) -> pd.DataFrame:
        """Annotations in long format.

        Parameters
        ----------
        round : int, optional
            Only this round.
        current_only : bool, default=True
            Only the newest non-retracted row per (item_id, annotator, round, kind); retract
            rows are left out. ``False`` gives every row, with a ``retracts`` column.
        kind : str or list of str, optional
            Only these kinds.

        Returns
        -------
        pandas.DataFrame
            ``id, item_id, annotator, round, label, taxonomy_version, unsure, note,
            duration_ms, kind, created_at, session_id``, ordered by ``id``. Text columns are
            ``object`` dtype and a missing value is ``None`` (a ``skip`` row's label, an empty
            note), on pandas 2 and pandas 3 alike; ``duration_ms`` is a nullable ``Int64``.

        Examples
        --------
        >>> store = AnnotationStore.example()
        >>> _ = store.record("m1", "ana", "bug", round=1)
        >>> _ = store.record("m1", "ana", "refund", round=1)
        >>> store.annotations()[["item_id", "label"]].values.tolist()
        [['m1', 'refund']]
        >>> len(store.annotations(current_only=False))
        2
        """
        kinds = None
        if kind is not None:
            kinds = [kind] if isinstance(kind, str) else list(kind)
            for k in kinds:
                check_option(k, KINDS, param="kind", caller="annotations")
        return read_annotations(self._engine, round=None if round is None else int(round), kinds=kinds,
                                current_only=bool(current_only))

    def progress(self, *, round: int) -> pd.DataFrame:
        """Per annotator of ``round``: ``annotator, n_assigned, n_done`` (current ``label`` rows).

        Examples
        --------
        >>> import pandas as pd
        >>> store = AnnotationStore.example()
        >>> _ = store.assign(pd.DataFrame({"item_id": ["m1", "m2"], "annotator": "ana"}), round=1)
        >>> _ = store.record("m1", "ana", "bug", round=1)
        >>> store.progress(round=1)
          annotator  n_assigned  n_done
        0       ana           2       1
        """

        return progress_table(self._engine, round=int(round))

    # ----------------------------------------------------------------- export / import
    def export(self, path_or_buffer: Any, *, format: str = "csv", round: Optional[int] = None,
               current_only: bool = True, neutralize: bool = True) -> int:
        """Write annotations as ``csv``, ``jsonl`` or ``parquet``; return the row count.

        Label Studio JSON: :func:`workbench.interop.export_label_studio`.

        A file appears only once completely written. CSV text cells that a spreadsheet would
        run as a formula (``= + - @``, tab, CR first) get a leading ``'``; pass
        ``neutralize=False`` for raw cells. An unknown ``round`` is a
        :class:`~workbench.exceptions.StoreError`.

        Examples
        --------
        >>> import io
        >>> store = AnnotationStore.example()
        >>> _ = store.record("m1", "=cmd|' /C calc'!A0", "bug", round=1)
        >>> buf = io.StringIO(); store.export(buf, format="csv")
        1
        >>> buf.getvalue().splitlines()[1].split(",")[2]
        "'=cmd|' /C calc'!A0"
        """

        return export_annotations(self, path_or_buffer, format=format, round=round, current_only=current_only,
                                  neutralize=neutralize)

    def import_items(self, df: pd.DataFrame, *, taxonomy=None, progress: Optional[bool] = None) -> ImportResult:
        """Add items, and save ``taxonomy`` with them, in one transaction; return an :class:`ImportResult`.

        Nothing is stored when any part fails. Items already stored (same id and text) are
        counted in ``items_existing``.

        Examples
        --------
        >>> import pandas as pd
        >>> store = AnnotationStore.example()
        >>> store.import_items(pd.DataFrame({"item_id": ["m1", "m9"], "text": ["I want my money back", "Hi"]})).summary()
        '1 new item, 1 already there'
        """
        return import_batch(self, items=df, taxonomy=taxonomy, progress=progress)

    def import_records(self, *, items: Optional[pd.DataFrame] = None, annotations: Optional[list] = None,
                       round: Optional[int] = None, source: Optional[str] = None, ignored: Sequence = ()) -> ImportResult:
        """Write items and keyed annotation rows from another tool in one transaction.

        The building block of every import (:mod:`workbench.interop` uses it): each row of
        ``annotations`` is a dict as for :meth:`record_many` plus a ``source_key`` (the
        identity of its source record; rows whose key was imported before are skipped) and
        optionally ``source_meta`` (a JSON-able dict kept with the key) and ``origin_id`` (the
        id of the row of this store it was exported from: an unchanged one is already there).
        Everything is checked before the first write; nothing is stored when anything fails.

        Examples
        --------
        >>> store = AnnotationStore.example()
        >>> row = {"item_id": "m1", "annotator": "ana", "label": "bug", "source_key": "tool-a:17"}
        >>> store.import_records(annotations=[row], round=1).summary()
        '1 new annotation'
        >>> store.import_records(annotations=[row], round=1).summary()
        '0 new annotations, 1 already there'
        """
        return import_batch(self, items=items, annotations=annotations, round=round, source=source, ignored=ignored)

    def import_annotations(self, path: Any, *, round: int, format: Optional[str] = None, encoding: str = "utf-8",
                           restore: bool = True) -> ImportResult:
        """Import an annotation file (CSV, JSON Lines, Parquet as :meth:`export` writes) into ``round``.

        All rows are checked first and written in one transaction; importing the same file
        again adds nothing and reports the rows as ``annotations_existing``.

        Examples
        --------
        >>> import tempfile, os
        >>> store = AnnotationStore.example()
        >>> _ = store.record("m1", "ana", "bug", round=1)
        >>> path = os.path.join(tempfile.mkdtemp(), "labels.csv"); store.export(path)
        1
        >>> other = AnnotationStore.example()
        >>> other.import_annotations(path, round=1).summary(), other.import_annotations(path, round=1).summary()
        ('1 new annotation', '0 new annotations, 1 already there')
        """
        return import_annotations(self, path, round=round, format=format, encoding=encoding, restore=restore)
