"""Tables, indexes, engine set-up and schema version of the annotation store.

SQLAlchemy Core only (no ORM). The same tables serve SQLite (the default, one file)
and PostgreSQL (``postgresql+psycopg://``). :func:`open_engine` turns a URL or a plain
path into an engine with the SQLite settings the store relies on, and
:func:`ensure_schema` creates the tables on first open and records the schema version
(later versions add entries to ``MIGRATIONS``).

SQLite settings, and why:

- ``journal_mode=WAL``: readers never block the writer and the writer never blocks
  readers, so a report can read while labelers click.
- ``synchronous=FULL``: a commit is fsynced to the WAL before ``record()`` returns, so an
  acknowledged label survives a power cut, not only a killed process. The price is one
  fsync per click: about 1,900 commits/s on the development VM when lightly loaded, far
  fewer when its disk is busy (see benchmarks/results/store.md).
- ``busy_timeout=30000``: concurrent writers wait for the lock instead of failing.
- ``foreign_keys=ON``: an annotation of an unknown item or round is refused by the database.
- Write transactions start with ``BEGIN IMMEDIATE`` (take the write lock first, so a
  transaction never has to be retried half-way); read transactions with plain ``BEGIN``.

Examples
--------
>>> engine = open_engine("sqlite://")
>>> ensure_schema(engine)
4
>>> sorted(metadata.tables)  # doctest: +NORMALIZE_WHITESPACE
['annotations', 'assignments', 'audit_log', 'imports', 'items', 'rounds', 'taxonomies', 'user_tokens', 'users',
 'workbench_schema']
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import threading
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Sequence

try:  # POSIX only; elsewhere SQLite's busy timeout alone serialises writers
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.pool import StaticPool

from .._internal.validation import MAX_INT as _MAX_INT
from ..exceptions import MissingDependencyError, StoreError

__all__ = ["SCHEMA_VERSION", "KINDS", "LABEL_KINDS", "metadata", "items", "taxonomies", "rounds",
           "assignments", "annotations", "schema_info", "normalize_url", "open_engine",
           "ensure_schema", "write_transaction", "utcnow", "imports", "is_memory_url", "MAX_INT",
           "db_time", "bulk_insert", "ROLES", "ERASED", "users", "user_tokens", "audit_log"]

#: Version of the table layout written by this code; bump it and add a migration when it changes.
SCHEMA_VERSION = 4

#: Largest value of an ``INTEGER`` column (round, taxonomy version, position) on PostgreSQL.
MAX_INT = _MAX_INT

#: Every annotation kind the store accepts.
KINDS = ("label", "retract", "adjudication", "quiz", "skip", "pairwise", "rubric", "spans", "boxes",
         "review", "ranking", "response", "prompt", "audio_segment", "polygon", "point")
#: The kinds schema version 1 allowed (its CHECK constraint lists exactly these).
_KINDS_V1 = KINDS[:9]
#: Kinds whose label is checked against the round's taxonomy version.
LABEL_KINDS = frozenset({"label", "adjudication", "quiz"})
#: Roles of a user (schema version 3), from the least to the most allowed.
ROLES = ("labeler", "reviewer", "lead")
#: ``content_hash`` of an erased item (its tombstone): no sha256 hex digest is ever this.
ERASED = "erased"

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # INTEGER PRIMARY KEY = rowid on SQLite
_TS = sa.DateTime(timezone=True)

metadata = sa.MetaData()

schema_info = sa.Table(
    "workbench_schema", metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied_at", _TS, nullable=False),
)

items = sa.Table(
    "items", metadata,
    sa.Column("item_id", sa.String, primary_key=True),
    sa.Column("seq", sa.BigInteger, nullable=False),  # import order
    sa.Column("dataset", sa.String, nullable=True),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("meta", sa.Text, nullable=True),  # JSON object
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("erased_at", _TS, nullable=True),  # schema 3: set when the item's text was purged (a tombstone)
)
sa.Index("ix_items_dataset", items.c.dataset)
sa.Index("ix_items_seq", items.c.seq)
# the few erased items: "is any item erased?" stays one index probe on every write of annotations
_ix_items_erased = sa.Index("ix_items_erased", items.c.erased_at, sqlite_where=items.c.erased_at.isnot(None),
                            postgresql_where=items.c.erased_at.isnot(None))

taxonomies = sa.Table(
    "taxonomies", metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("yaml", sa.Text, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("created_at", _TS, nullable=False),
)

rounds = sa.Table(
    "rounds", metadata,
    sa.Column("round", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String, nullable=True),
    sa.Column("taxonomy_version", sa.Integer, sa.ForeignKey("taxonomies.version"), nullable=False),
    sa.Column("params", sa.Text, nullable=True),  # JSON object
    sa.Column("created_at", _TS, nullable=False),
)

assignments = sa.Table(
    "assignments", metadata,
    sa.Column("round", sa.Integer, sa.ForeignKey("rounds.round"), primary_key=True),
    sa.Column("item_id", sa.String, sa.ForeignKey("items.item_id"), primary_key=True),
    sa.Column("annotator", sa.String, primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("assigned_at", _TS, nullable=True),  # schema 4: when the item was handed over (turnaround)
)
# an annotator's queue in a round, in order
sa.Index("ix_assignments_annotator", assignments.c.round, assignments.c.annotator, assignments.c.position)

annotations = sa.Table(
    "annotations", metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("item_id", sa.String, sa.ForeignKey("items.item_id"), nullable=False),
    sa.Column("annotator", sa.String, nullable=False),
    sa.Column("round", sa.Integer, sa.ForeignKey("rounds.round"), nullable=False),
    sa.Column("label", sa.Text, nullable=True),
    sa.Column("taxonomy_version", sa.Integer, nullable=False),
    sa.Column("unsure", sa.Boolean, nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("duration_ms", sa.BigInteger, nullable=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("session_id", sa.String, nullable=True),
    sa.Column("retracts", _ID, sa.ForeignKey("annotations.id"), nullable=True),
    sa.CheckConstraint("kind IN (%s)" % ", ".join(f"'{k}'" for k in KINDS), name="ck_annotations_kind"),
    sa.CheckConstraint("(kind = 'retract') = (retracts IS NOT NULL)", name="ck_annotations_retracts"),
)
# "current" = max(id) per (round, item_id, annotator, kind): a covering index for that GROUP BY
sa.Index("ix_annotations_current", annotations.c.round, annotations.c.item_id, annotations.c.annotator,
         annotations.c.kind, annotations.c.id)
# per-(annotator, round) progress and an annotator's history
sa.Index("ix_annotations_annotator", annotations.c.annotator, annotations.c.round, annotations.c.id)
# a row is retracted at most once; the partial index keeps the NOT EXISTS probe tiny
sa.Index("ux_annotations_retracts", annotations.c.retracts, unique=True,
         sqlite_where=annotations.c.retracts.isnot(None), postgresql_where=annotations.c.retracts.isnot(None))

#: One row per annotation that came from a file: the key of its source row makes re-imports idempotent.
imports = sa.Table(
    "imports", metadata,
    sa.Column("source_key", sa.String(64), primary_key=True),  # sha256 of the source row (see _imports)
    sa.Column("annotation_id", _ID, sa.ForeignKey("annotations.id"), nullable=False),
    sa.Column("source", sa.String, nullable=True),  # the file name, for people
    sa.Column("meta", sa.Text, nullable=True),  # JSON: what the source said beyond the row (e.g. a ground-truth star)
    sa.Column("created_at", _TS, nullable=False),
)

#: Schema 3: the people who sign in; a user's id is the ``annotator`` of their annotations.
users = sa.Table(
    "users", metadata,
    sa.Column("user_id", sa.String, primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("team", sa.String, nullable=True),  # a team or a vendor
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("disabled_at", _TS, nullable=True),
    sa.CheckConstraint("role IN (%s)" % ", ".join(f"'{r}'" for r in ROLES), name="ck_users_role"),
)

#: Sign-in tokens: only the sha256 hex digest of a token is stored, never the token.
user_tokens = sa.Table(
    "user_tokens", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String, sa.ForeignKey("users.user_id"), nullable=False),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("expires_at", _TS, nullable=True),  # None: never expires
    sa.Column("revoked_at", _TS, nullable=True),
)
sa.Index("ix_user_tokens_user", user_tokens.c.user_id)

#: Who did what: users and tokens managed, exports, erasures (append-only).
audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("at", _TS, nullable=False),
    sa.Column("actor", sa.String, nullable=False),
    sa.Column("action", sa.String, nullable=False),
    sa.Column("target", sa.String, nullable=True),
    sa.Column("detail", sa.Text, nullable=True),  # JSON
)
sa.Index("ix_audit_log_action", audit_log.c.action, audit_log.c.id)

#: from_version -> function(connection) upgrading the tables to from_version + 1. ``create_all``
#: runs first, so a version that only adds tables needs no statement of its own.
def _kind_list(kinds: Sequence[str]) -> str:
    return ", ".join(f"'{k}'" for k in kinds)


def _widen_kinds(conn: sa.Connection) -> None:
    """Schema 1 -> 2: the ``kind`` CHECK constraint admits every kind in :data:`KINDS`.

    PostgreSQL swaps the constraint. SQLite cannot alter a CHECK constraint; widening one only
    relaxes it, for which SQLite documents editing the table's SQL in ``sqlite_schema`` in place
    (https://sqlite.org/lang_altertable.html, "making other kinds of table schema changes").
    The ``imports`` table of version 2 was already made by ``create_all``.
    """
    old, new = f"kind IN ({_kind_list(_KINDS_V1)})", f"kind IN ({_kind_list(KINDS)})"
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ALTER TABLE annotations DROP CONSTRAINT ck_annotations_kind, "
                             f"ADD CONSTRAINT ck_annotations_kind CHECK ({new})")
        return
    sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'annotations'").scalar()
    if new in sql:
        return
    if old not in sql:  # pragma: no cover - a store edited by hand
        raise StoreError("Cannot upgrade the annotations table: its kind constraint is not the one schema "
                         "version 1 wrote. Export the annotations and import them into a new store.")
    version = conn.exec_driver_sql("PRAGMA schema_version").scalar()
    conn.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        conn.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'annotations'",
                             (sql.replace(old, new),))
        conn.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        conn.exec_driver_sql("PRAGMA writable_schema = OFF")


def _add_erased_at(conn: sa.Connection) -> None:
    """Schema 2 -> 3: ``items.erased_at`` and its index; tables ``users``, ``user_tokens`` and
    ``audit_log`` were already made by ``create_all``.

    Both SQLite and PostgreSQL add a nullable column in place (no table rewrite). A column
    already there (a store downgraded by hand, or a half-applied upgrade) is kept.
    """
    present = {c["name"] for c in sa.inspect(conn).get_columns("items")}
    if "erased_at" not in present:
        column_type = items.c.erased_at.type.compile(dialect=conn.dialect)
        conn.exec_driver_sql(f"ALTER TABLE items ADD COLUMN erased_at {column_type}")
    _ix_items_erased.create(conn, checkfirst=True)


def _add_assigned_at(conn: sa.Connection) -> None:
    """Schema 3 -> 4: ``assignments.assigned_at``, in place (nullable: older assignments have no time)."""
    present = {c["name"] for c in sa.inspect(conn).get_columns("assignments")}
    if "assigned_at" not in present:
        column_type = assignments.c.assigned_at.type.compile(dialect=conn.dialect)
        conn.exec_driver_sql(f"ALTER TABLE assignments ADD COLUMN assigned_at {column_type}")


#: 1 -> 2: more kinds, table imports; 2 -> 3: users, sign-in tokens, audit log, erasable items;
#: 3 -> 4: the time each assignment was made.
MIGRATIONS: Dict[int, Callable[[sa.Connection], None]] = {1: _widen_kinds, 2: _add_erased_at, 3: _add_assigned_at}


def utcnow() -> _dt.datetime:
    """The current time in UTC (timezone-aware)."""
    return _dt.datetime.now(_dt.timezone.utc)


def db_time(conn: sa.Connection, value: _dt.datetime) -> Any:
    """``value`` as a raw DBAPI parameter: SQLAlchemy's SQLite text format, or the datetime itself."""
    if conn.dialect.name == "sqlite":
        return value.astimezone(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def bulk_insert(conn: sa.Connection, table: sa.Table, columns: Sequence[str], rows: List[tuple], *,
                ignore_conflicts: bool = False) -> None:
    """``executemany`` of plain tuples straight on the DBAPI cursor (no per-row SQLAlchemy work).

    ``ignore_conflicts`` skips rows whose primary key exists (``ON CONFLICT DO NOTHING``);
    foreign-key and check violations still fail the whole transaction.
    """
    if not rows:
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
           + (" ON CONFLICT DO NOTHING" if ignore_conflicts else ""))
    conn.exec_driver_sql(sql, rows)


def normalize_url(url: Any) -> str:
    """Turn a path or URL into an SQLAlchemy URL string.

    Examples
    --------
    >>> normalize_url("sqlite://")
    'sqlite://'
    >>> normalize_url("postgresql://u@h/db")
    'postgresql+psycopg://u@h/db'
    >>> normalize_url("/tmp/x.db")
    'sqlite:////tmp/x.db'

    A relative path, plain or in a ``sqlite:///`` URL, is resolved against the current working
    directory now, so the URL means the same file wherever it is used later (a report kernel
    runs in its output folder):

    >>> import os
    >>> normalize_url("sqlite:///labels.db") == "sqlite:///" + os.path.join(os.getcwd(), "labels.db")
    True
    """
    if isinstance(url, sa.URL):
        url = url.render_as_string(hide_password=False)
    if isinstance(url, os.PathLike):
        url = os.fspath(url)
    if not isinstance(url, str) or not url.strip():
        raise StoreError(f"The store URL must be a non-empty string such as 'sqlite:///labels.db', a path, or "
                         f"'postgresql+psycopg://user@host/db'. Got {url!r} instead.")
    url = url.strip()
    if "://" not in url:
        return "sqlite:///" + str(Path(url).expanduser().resolve())
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        path, sep, query = url[len("sqlite:///"):].partition("?")
        if path and path != ":memory:" and not path.startswith("file:") and not Path(path).is_absolute():
            return "sqlite:///" + str(Path(path).expanduser().resolve()) + sep + query
    return url


class _FileWriteLock:
    """Serialise SQLite writers of one file across processes and threads.

    SQLite's own busy handler polls with sleeps of up to 100 ms, so four processes
    committing at once spend most of their time asleep. A blocking ``flock`` on a
    side file ``<db>-wlock`` wakes the next writer as soon as the lock is free. The
    kernel drops the lock when a process dies (even by SIGKILL), so it never goes stale.
    """

    def __init__(self, path: str):
        self.path = path
        self._thread_lock = threading.Lock()
        self._fd = None
        self._pid = None

    def __enter__(self):
        self._thread_lock.acquire()
        try:
            if self._fd is None or self._pid != os.getpid():  # reopen after a fork
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
                self._pid = os.getpid()
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._thread_lock.release()
            raise
        return self

    def __exit__(self, *exc):
        try:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()


@contextlib.contextmanager
def write_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection in a write transaction, committed on exit (rolled back on error).

    On SQLite the transaction starts with ``BEGIN IMMEDIATE`` and, for a file database,
    holds the cross-process writer lock (see :class:`_FileWriteLock`) until the commit is done.
    """
    lock = getattr(engine, "_workbench_write_lock", None) or contextlib.nullcontext()
    try:
        with lock, engine.connect().execution_options(wb_write=True) as conn, conn.begin():
            yield conn
    except sa.exc.OperationalError as exc:  # read-only file, full disk, lost server: nothing was written
        raise StoreError(f"Cannot write to the annotation store at {_shown_url(engine)}: {_first_line(exc.orig)}. "
                         "Nothing of this write was stored; check free disk space, that the file and its "
                         "folder are writable, and that the server is up, then try again.") from exc


def _shown_url(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _first_line(exc: Any) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__


def is_memory_url(url: str) -> bool:
    """True for SQLite URLs whose data lives only in memory (gone when the process ends).

    Examples
    --------
    >>> is_memory_url("sqlite://"), is_memory_url("sqlite:///:memory:"), is_memory_url("sqlite:////tmp/x.db")
    (True, True, False)
    """
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return False
    database = parsed.database or ""
    return database in ("", ":memory:") or database.startswith("file::memory:") or "mode=memory" in url


def _sqlite_events(engine: sa.Engine, *, memory: bool, synchronous: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every test
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout = 30000")
        cur.execute("PRAGMA foreign_keys = ON")
        if not memory:
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute(f"PRAGMA synchronous = {synchronous}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover - exercised by every test
        write = conn.get_execution_options().get("wb_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def open_engine(url: str, *, synchronous: str = "FULL", create: bool = True) -> sa.Engine:
    """Create the engine for ``url`` (already normalised), with the SQLite settings above.

    With ``create=False`` a missing SQLite file is an error instead of a new empty store.
    """
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise StoreError(f"Cannot parse the store URL {url!r} ({exc}). Use 'sqlite:///path.db', a plain "
                         "path, or 'postgresql+psycopg://user@host:5432/db'.") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or ""
        memory = is_memory_url(url)
        if database.startswith("file:"):  # an SQLite URI filename (uri=true), e.g. file:/x.db?mode=ro
            database = database[len("file:"):].split("?")[0]
        if not memory and not create and not Path(database).expanduser().is_file():
            raise StoreError(f"There is no annotation store at {database!r} (no such file). Check the --db path; "
                             "a store is created by `workbench import` or `workbench demo`.")
        if memory:
            engine = sa.create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
        else:
            folder = Path(database).expanduser().resolve().parent
            if not folder.is_dir():
                raise StoreError(f"The folder of the SQLite file {database!r} does not exist ({folder}). "
                                 "Create it first, or give another path.")
            engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
            if fcntl is not None:
                engine._workbench_write_lock = _FileWriteLock(str(Path(database).expanduser().resolve()) + "-wlock")
        _sqlite_events(engine, memory=memory, synchronous=synchronous)
        return engine
    if backend == "postgresql":
        try:
            return sa.create_engine(url, pool_pre_ping=True)
        except ImportError as exc:
            raise MissingDependencyError(
                "PostgreSQL needs the psycopg driver: pip install 'taxonomy-workbench[postgres]'."
            ) from exc
    raise StoreError(f"The store supports SQLite and PostgreSQL; got a {backend!r} URL ({url!r}). Use "
                     "'sqlite:///path.db' or 'postgresql+psycopg://user@host/db'.")


def _current_version(engine: sa.Engine) -> Any:
    """``(version or None, every table present)`` read without taking the write lock."""
    with engine.connect() as conn:
        present = set(sa.inspect(conn).get_table_names())
        if schema_info.name not in present:
            return None, False
        found = conn.execute(sa.select(sa.func.max(schema_info.c.version))).scalar()
        return found, set(metadata.tables) <= present


def ensure_schema(engine: sa.Engine, *, create: bool = True) -> int:
    """Create missing tables, record or check the schema version; return the version in use.

    A store already at this version is only read (so a read-only file can be exported).
    With ``create=False`` a database without the store's tables is an error: read commands
    never turn a mistyped database into an empty store.
    """
    try:
        found, complete = _current_version(engine)
        if found is None and not create:
            raise StoreError(f"{_shown_url(engine)} holds no annotation store (no workbench tables). Check the "
                             "--db URL; a store is created by `workbench import` or `workbench demo`.")
        if found is not None and found > SCHEMA_VERSION:
            raise StoreError(f"The store at {_shown_url(engine)} has schema version {found}, newer than this "
                             f"workbench understands ({SCHEMA_VERSION}). Upgrade taxonomy-workbench.")
        if found == SCHEMA_VERSION and complete:
            return found
        with write_transaction(engine) as conn:
            if engine.dialect.name == "postgresql":  # serialise concurrent first opens
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(717171)")
            metadata.create_all(conn, checkfirst=True)
            found = conn.execute(sa.select(sa.func.max(schema_info.c.version))).scalar()
            if found is None:
                conn.execute(schema_info.insert().values(version=SCHEMA_VERSION, applied_at=utcnow()))
                return SCHEMA_VERSION
            while found < SCHEMA_VERSION:
                MIGRATIONS[found](conn)
                found += 1
                conn.execute(schema_info.insert().values(version=found, applied_at=utcnow()))
            return found
    except sa.exc.DatabaseError as exc:  # OperationalError too: not a database, unreachable server
        raise StoreError(f"Cannot open the annotation store at {_shown_url(engine)}: {_first_line(exc.orig)}. "
                         "Check that the path names a workbench store (an SQLite file, not another file), "
                         "the server address, and that you may write there.") from exc
