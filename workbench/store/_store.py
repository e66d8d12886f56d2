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

import datetime as _dt
import os
import warnings
from typing import Any, Dict, List, Optional, Sequence

import pandas as pd
import sqlalchemy as sa

from . import _schema as S
from . import _meta as M
from . import _users as U
from ._erase import erase_item as _erase_item
from ._items import add_items as _add_items, read_items_table
from ._labels import LabelRules
from ._read import read_annotations
from ._example import fill_example_store
from ._imports import ImportResult, import_batch
from ._io import export_annotations, import_annotations
from ._records import (check_round, insert_annotations, insert_assignments, insert_retract, progress_table,
                       reassign_assignments)
from .._internal.validation import check_columns, check_option
from ..exceptions import StoreError, WorkbenchWarning
from ..taxonomy import Rubric, Taxonomy

__all__ = ["AnnotationStore", "KINDS", "ROLES"]

KINDS = S.KINDS
ROLES = S.ROLES


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

    def items(self, *, item_ids: Optional[Sequence[str]] = None, dataset: Optional[str] = None,
              include_erased: bool = True) -> pd.DataFrame:
        """Items as a DataFrame ``item_id, dataset, text, content_hash, erased_at`` + one column per metadata key.

        Parameters
        ----------
        item_ids : list of str, optional
            Only these items, in this order.
        dataset : str, optional
            Only items of this dataset.
        include_erased : bool, default=True
            Include erased items (see :meth:`erase_item`): their tombstone has an empty ``text``,
            no metadata, ``content_hash`` ``'erased'`` and ``erased_at`` set (``NaT`` for every
            other item). ``False`` leaves them out, as anything that shows items to people should.

        Examples
        --------
        >>> store = AnnotationStore.example()
        >>> store.items(item_ids=["m3", "m1"])[["item_id", "text", "channel"]]
          item_id                  text channel
        0      m3       The app crashes    chat
        1      m1  I want my money back    chat
        >>> _ = store.erase_item("m1", actor="lead")
        >>> store.items(include_erased=False)["item_id"].tolist()
        ['m2', 'm3']
        """
        return read_items_table(self._engine, item_ids=item_ids, dataset=dataset,
                                include_erased=bool(include_erased))

    def erase_item(self, item_id: str, *, actor: str, annotations: bool = False) -> dict:
        """Purge a sensitive item's text, payload and metadata, keeping a tombstone row.

        The item row stays (so the foreign keys of its annotations and assignments hold), with
        an empty text, no metadata, ``content_hash`` ``'erased'`` and ``erased_at`` set. An erased
        item cannot be added again (:meth:`add_items` refuses its id) nor annotated. An audit row
        (action ``'erase'``) records who erased it. Then the database is compacted so the bytes
        are gone from it, not only from query results: on SQLite a WAL checkpoint (TRUNCATE),
        ``VACUUM`` and a second checkpoint; on PostgreSQL ``VACUUM`` of the touched tables (dead
        row versions are removed; the bytes can linger in the table files until overwritten and
        in the server's WAL and backups; ``VACUUM FULL`` rewrites the tables).

        Parameters
        ----------
        item_id : str
        actor : str
            Who erases (recorded in the audit log).
        annotations : bool, default=False
            Also delete the item's annotation rows (notes and span answers may quote its text)
            and their import keys: the one exception to the append-only rule. ``False`` keeps
            every annotation row as it is.

        Returns
        -------
        dict
            ``item_id``, ``already_erased`` (bool), ``item_purged`` (bool: this call purged the
            text), ``annotations_deleted``, ``imports_deleted`` (int), ``erased_at``
            (pandas.Timestamp, UTC) and ``vacuumed`` (bool). Erasing an erased item again is a
            no-op that returns ``already_erased=True`` and zero counts (unless
            ``annotations=True`` finds rows left to delete).

        Raises
        ------
        StoreError
            Unknown item; or the erase was committed but compacting the file failed (the message
            says how to finish it).

        Examples
        --------
        >>> store = AnnotationStore.example()
        >>> _ = store.record("m1", "ana", "bug", round=1, note="call me at +1 555 0100")
        >>> done = store.erase_item("m1", actor="lead", annotations=True)
        >>> done["item_purged"], done["annotations_deleted"], len(store.annotations())
        (True, 1, 0)
        >>> store.erase_item("m1", actor="lead")["already_erased"]
        True
        >>> store.audit_log(action="erase")[["actor", "action", "target"]]
          actor action target
        0  lead  erase     m1
        """
        return _erase_item(self, item_id, actor=actor, annotations=annotations)

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
        """Assign items to annotators in ``round`` (``item_id, annotator``, optional ``position``, ``assigned_at``).

        Existing assignments are kept; returns the number of new ones. Without ``position``
        each annotator's new items are queued after their existing ones, in frame order.

        Examples
        --------
        >>> import pandas as pd
        >>> store = AnnotationStore.example()
        >>> store.assign(pd.DataFrame({"item_id": ["m2", "m1"], "annotator": "ana"}), round=1)
        2
        >>> store.assignments(round=1)[["item_id", "annotator", "position"]]
          item_id annotator  position
        0      m2       ana         0
        1      m1       ana         1

        An ``assigned_at`` column (when the work was handed over elsewhere) is kept; by default
        it is the time of the call.
        """

        check_columns(df, ["item_id", "annotator"], what="assign(df)")
        self._round_version(int(round))
        return insert_assignments(self._engine, df, round=int(round))

    def reassign(self, *, round: int, source: str, target: str, actor: str) -> List[str]:
        """Move a labeler's remaining (unanswered) items in ``round`` to another labeler; return their ids.

        Items ``source`` already answered stay theirs; the moved items go to the end of
        ``target``'s queue in ``source``'s order. One transaction and one audit row
        (action ``reassign``).

        Examples
        --------
        >>> import pandas as pd
        >>> store = AnnotationStore.example()
        >>> _ = store.assign(pd.DataFrame({"item_id": ["m1", "m2"], "annotator": "ana"}), round=1)
        >>> _ = store.record("m1", "ana", "refund", round=1)
        >>> store.reassign(round=1, source="ana", target="ben", actor="lead")
        ['m2']
        >>> store.assignments(round=1)[["item_id", "annotator"]].values.tolist()
        [['m1', 'ana'], ['m2', 'ben']]
        """
        return reassign_assignments(self._engine, round=check_round(round, "reassign"), source=source,
                                    target=target, actor=actor)

    def assignments(self, *, round: Optional[int] = None, annotator: Optional[str] = None) -> pd.DataFrame:
        """Assignments as a DataFrame ``round, item_id, annotator, position, assigned_at`` (queue order).

        ``assigned_at`` is when the item was handed to the annotator (UTC; NaT for
        assignments made before schema version 4).

        Examples
        --------
        >>> AnnotationStore.example().assignments(round=1).columns.tolist()
        ['round', 'item_id', 'annotator', 'position', 'assigned_at']
        """
        a = S.assignments
        query = sa.select(a.c.round, a.c.item_id, a.c.annotator, a.c.position, a.c.assigned_at)
        if round is not None:
            query = query.where(a.c.round == int(round))
        if annotator is not None:
            query = query.where(a.c.annotator == str(annotator))
        query = query.order_by(a.c.round, a.c.annotator, a.c.position, a.c.item_id)
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        df = pd.DataFrame(rows, columns=["round", "item_id", "annotator", "position", "assigned_at"])
        df["assigned_at"] = pd.to_datetime(df["assigned_at"], utc=True)
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
               current_only: bool = True, neutralize: bool = True, actor: Optional[str] = None) -> int:
        """Write annotations as ``csv``, ``jsonl`` or ``parquet``; return the row count.

        Every export writes an audit row (action ``'export'``, target the path or, for a buffer,
        the format, detail the row count); ``actor`` defaults to the operating-system account.
        A store that cannot be written (a read-only file) is still exported, with a warning that
        the export was not recorded.

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

        actor = U.default_actor() if actor is None else U.check_name(actor, param="actor", caller="export")
        n = export_annotations(self, path_or_buffer, format=format, round=round, current_only=current_only,
                               neutralize=neutralize)
        target = format if hasattr(path_or_buffer, "write") else os.fspath(path_or_buffer)
        try:
            U.audit(self._engine, "export", actor=actor, target=str(target),
                    detail={"rows": n, "format": format, "round": round, "current_only": bool(current_only)})
        except StoreError as exc:  # a read-only store can still be exported
            warnings.warn(f"The export to {target} was written but could not be recorded in the audit log: {exc}",
                          WorkbenchWarning, stacklevel=2)
        return n

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

    # ----------------------------------------------------------------- users, tokens, audit log
    def add_user(self, user_id: str, *, role: str = "labeler", team: Optional[str] = None,
                 actor: str = "lead") -> dict:
        """Add a user who may sign in; return them as :meth:`user` does.

        Adding an existing user with the same role and team is a no-op; with another role or
        team it is a :class:`~workbench.exceptions.StoreError` pointing to :meth:`set_role` /
        :meth:`set_team`. Writes an audit row (``'add_user'``).

        Parameters
        ----------
        user_id : str
            The name they label under (the ``annotator`` of their annotations): non-empty, at
            most 200 characters, no control characters, no leading or trailing spaces.
        role : {'labeler', 'reviewer', 'lead'}, default='labeler'
        team : str, optional
            Their team or vendor.
        actor : str, default='lead'
            Who adds them (recorded in the audit log).

        Examples
        --------
        >>> store = AnnotationStore.example()
        >>> store.add_user("ana", role="reviewer", team="vendor-a")["role"]
        'reviewer'
        >>> store.add_user("ben", role="admin")
        Traceback (most recent call last):
        ...
        workbench.exceptions.ValidationError: The 'role' parameter of add_user must be one of {'labeler', 'lead', 'reviewer'}. Got 'admin' instead.
        """
        return U.add_user(self._engine, user_id, role=role, team=team, actor=actor)

    def set_role(self, user_id: str, role: str, *, actor: str) -> dict:
        """Give a user another role (``'labeler'``, ``'reviewer'``, ``'lead'``); return the user.

        The same role again is a no-op; a change writes an audit row (``'set_role'``).

        Examples
        --------
        >>> store = AnnotationStore.example()
        >>> _ = store.add_user("ana")
        >>> store.set_role("ana", "lead", actor="boss")["role"]
        'lead'
        """
        return U.set_role(self._engine, user_id, role, actor=actor, where=repr(self))

    def set_team(self, user_id: str, team: Optional[str], *, actor: str) -> dict:
        """Move a user to another team or vendor (None: no team); return the user.

        Examples
        --------
        >>> store = AnnotationStore.example()
        >>> _ = store.add_user("ana")
        >>> store.set_team("ana", "vendor-b", actor="lead")["team"]
        'vendor-b'
        """
        return U.set_team(self._engine, user_id, team, actor=actor, where=repr(self))

    def disable_user(self, user_id: str, *, actor: str) -> dict:
        """Stop a user signing in: set ``disabled_at`` and revoke all their tokens; return the user.

        The user and their annotations stay. Disabling a disabled user is a no-op.

        Examples
        --------
        >>> store = AnnotationStore.example()
        >>> _ = store.add_user("ana")
        >>> token = store.issue_token("ana", actor="lead")
        >>> store.disable_user("ana", actor="lead")["disabled_at"] is not None, store.authenticate(token)
        (True, None)
        """
        return U.disable_user(self._engine, user_id, actor=actor, where=repr(self))

    def user(self, user_id: str) -> Optional[dict]:
        """``{'user_id', 'role', 'team', 'created_at', 'disabled_at'}`` of a user, or None when unknown.

        Times are UTC :class:`pandas.Timestamp` (``disabled_at`` None while enabled).

        Examples
        --------
        >>> store = AnnotationStore.example()
        >>> _ = store.add_user("ana", team="vendor-a")
        >>> {k: v for k, v in store.user("ana").items() if k != "created_at"}
        {'user_id': 'ana', 'role': 'labeler', 'team': 'vendor-a', 'disabled_at': None}
        >>> store.user("nobody") is None
        True
        """
        return U.user_row(self._engine, user_id)

    def users(self) -> pd.DataFrame:
        """Every user: ``user_id, role, team, created_at, disabled_at, active_tokens`` (never a token).

        ``active_tokens`` counts tokens that would sign in now (not revoked, not expired; 0
        for a disabled user).

        Examples
        --------
        >>> store = AnnotationStore.example()
        >>> _ = store.add_user("ben", role="reviewer"); _ = store.add_user("ana")
        >>> _ = store.issue_token("ana", actor="lead")
        >>> store.users()[["user_id", "role", "active_tokens"]]
          user_id      role  active_tokens
        0     ana   labeler              1
        1     ben  reviewer              0
        """
        return U.users_table(self._engine)

    def issue_token(self, user_id: str, *, expires_in: Optional[_dt.timedelta] = None, actor: str) -> str:
        """Make a sign-in token for a user and return it; only its sha256 hex digest is stored.

        The raw token (``secrets.token_urlsafe(32)``, 43 characters) is returned once and written
        nowhere, the audit row (``'issue_token'``) included; give it to the person (a sign-in link)
        and forget it. A disabled or unknown user is a :class:`~workbench.exceptions.StoreError`.

        Parameters
        ----------
        user_id : str
        expires_in : datetime.timedelta, optional
            How long the token signs in (default: until revoked).
        actor : str
            Who issues it (recorded in the audit log).

        Examples
        --------
        >>> import datetime
        >>> store = AnnotationStore.example()
        >>> _ = store.add_user("ana")
        >>> token = store.issue_token("ana", expires_in=datetime.timedelta(days=7), actor="lead")
        >>> len(token), store.authenticate(token)["user_id"]
        (43, 'ana')
        """
        return U.issue_token(self._engine, user_id, expires_in=expires_in, actor=actor, where=repr(self))

    def authenticate(self, token: Any) -> Optional[dict]:
        """The user a sign-in token belongs to, or None.

        Returns the :meth:`user` dict plus ``token_expires_at`` (None: never) when the token's
        hash is stored, not revoked, not expired, and the user is not disabled. Anything else
        (unknown, empty, huge or non-string input) gives None, never an error.

        Examples
        --------
        >>> store = AnnotationStore.example()
        >>> _ = store.add_user("ana", role="reviewer")
        >>> token = store.issue_token("ana", actor="lead")
        >>> store.authenticate(token)["role"], store.authenticate(token)["token_expires_at"]
        ('reviewer', None)
        >>> store.authenticate("x" * 10_000), store.authenticate(None), store.authenticate("")
        (None, None, None)
        """
        return U.authenticate(self._engine, token)

    def revoke_tokens(self, user_id: str, *, actor: str) -> int:
        """Revoke every token of a user (they can no longer sign in with them); return how many.

        Examples
        --------
        >>> store = AnnotationStore.example()
        >>> _ = store.add_user("ana")
        >>> token = store.issue_token("ana", actor="lead")
        >>> store.revoke_tokens("ana", actor="lead"), store.authenticate(token)
        (1, None)
        """
        return U.revoke_tokens(self._engine, user_id, actor=actor, where=repr(self))

    def audit(self, action: str, *, actor: str, target: Optional[str] = None,
              detail: Optional[dict] = None) -> int:
        """Append a row to the audit log (who did what to what); return its id.

        The store writes its own rows (users and tokens managed, exports, erasures); call this
        for other actions worth recording, such as a review.

        Parameters
        ----------
        action : str
            E.g. ``'review'``; a name (non-empty, no control characters).
        actor : str
        target : str, optional
            What it was done to (an item id, a file, a user).
        detail : dict, optional
            JSON-serialisable details.

        Examples
        --------
        >>> store = AnnotationStore.example()
        >>> store.audit("review", actor="rita", target="m2", detail={"round": 1})
        1
        """
        return U.audit(self._engine, action, actor=actor, target=target, detail=detail)

    def audit_log(self, *, action: Optional[str] = None, actor: Optional[str] = None) -> pd.DataFrame:
        """The audit log, oldest first: ``id, at, actor, action, target, detail`` (detail a dict or None).

        Examples
        --------
        >>> store = AnnotationStore.example()
        >>> _ = store.add_user("ana", actor="lena")
        >>> _ = store.issue_token("ana", actor="lena")
        >>> store.audit_log(actor="lena")[["actor", "action", "target"]]
          actor       action target
        0  lena     add_user    ana
        1  lena  issue_token    ana
        """
        return U.audit_log_table(self._engine, action=action, actor=actor)
