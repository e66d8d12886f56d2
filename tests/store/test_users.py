"""Users, roles, hashed sign-in tokens, the audit log, and the schema 2 -> 3 upgrade."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import sqlite3
import warnings

import pandas as pd
import pytest
import sqlalchemy as sa

from workbench.exceptions import StoreError, ValidationError, WorkbenchWarning
from workbench.store import AnnotationStore
from workbench.store import _schema as S
from workbench.store._schema import SCHEMA_VERSION

from tests.store.test_store import make_store


@pytest.fixture
def store(sqlite_url):
    s = make_store(sqlite_url)
    yield s
    s.close()


def test_that_a_user_is_added_once_and_a_second_add_with_another_role_points_to_set_role(store):
    ana = store.add_user("ana", role="reviewer", team="vendor-a", actor="lena")
    assert {k: ana[k] for k in ("user_id", "role", "team", "disabled_at")} == {
        "user_id": "ana", "role": "reviewer", "team": "vendor-a", "disabled_at": None}
    assert str(ana["created_at"].tz) == "UTC"
    assert store.add_user("ana", role="reviewer", team="vendor-a", actor="lena") == ana  # a no-op
    with pytest.raises(StoreError, match=r"already exists with role 'reviewer', not 'lead'.*set_role\('ana', 'lead'"):
        store.add_user("ana", role="lead")
    with pytest.raises(StoreError, match=r"already exists in team 'vendor-a', not None.*set_team"):
        store.add_user("ana", role="reviewer")
    assert store.user("ana") == ana
    assert store.add_user("ben")["role"] == "labeler"  # the default role
    assert store.audit_log(action="add_user")["target"].tolist() == ["ana", "ben"]  # the no-op wrote nothing
    assert store.audit_log(action="add_user")["detail"].tolist()[0] == {"role": "reviewer", "team": "vendor-a"}


@pytest.mark.parametrize("bad, why", [
    ("", "Got '' instead"),
    ("a" * 201, "Got 201 characters"),
    ("ana\x00", "U\\+0000"),
    ("ana\tb", "U\\+0009"),
    ("\u202eana", "U\\+202E"),  # a bidi override would show another name
    ("ana ", "spaces at the start or end"),
    (17, "Got 17 instead"),
    (None, "Got None instead"),
])
def test_that_a_user_id_must_be_a_clean_name(store, bad, why):
    with pytest.raises(ValidationError, match=f"'user_id' parameter of add_user must be a name.*{why}"):
        store.add_user(bad)
    assert store.users().empty


def test_that_an_unknown_role_lists_the_roles(store):
    with pytest.raises(ValidationError, match=r"'role' parameter of add_user must be one of \{'labeler', 'lead', "
                                              r"'reviewer'\}. Got 'admin'"):
        store.add_user("ana", role="admin")
    store.add_user("ana")
    with pytest.raises(ValidationError, match="'role' parameter of set_role must be one of"):
        store.set_role("ana", "Lead", actor="lena")
    with pytest.raises(ValidationError, match="'team' parameter of add_user must be None or a team name"):
        store.add_user("ben", team="")


def test_that_roles_and_teams_change_with_an_audit_row_and_unknown_users_are_named(store):
    store.add_user("ana")
    assert store.set_role("ana", "reviewer", actor="lena")["role"] == "reviewer"
    assert store.set_role("ana", "reviewer", actor="lena")["role"] == "reviewer"  # no-op, no audit row
    assert store.set_team("ana", "vendor-b", actor="lena")["team"] == "vendor-b"
    assert store.set_team("ana", None, actor="lena")["team"] is None
    log = store.audit_log(actor="lena")
    assert log["action"].tolist() == ["set_role", "set_team", "set_team"]
    assert log["detail"].tolist() == [{"from": "labeler", "to": "reviewer"}, {"from": None, "to": "vendor-b"},
                                      {"from": "vendor-b", "to": None}]
    for call in (lambda: store.set_role("zed", "lead", actor="lena"), lambda: store.issue_token("zed", actor="l"),
                 lambda: store.revoke_tokens("zed", actor="l"), lambda: store.disable_user("zed", actor="l")):
        with pytest.raises(StoreError, match=r"there is no user 'zed' .*users: \['ana'\]. Add them first"):
            call()
    assert store.user("zed") is None and store.user(None) is None and store.user("x" * 10_000) is None


def _every_text_in(store) -> str:
    """Every value of every table, as one string."""
    out = []
    with store.engine.connect() as conn:
        for table in S.metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                out.extend(str(v) for v in row)
    return "\n".join(out)


def test_that_only_the_hash_of_a_token_is_stored_and_it_signs_the_user_in(store, sqlite_url):
    store.add_user("ana", role="reviewer", team="t1")
    token = store.issue_token("ana", actor="lena")
    assert len(token) == 43 and token != store.issue_token("ana", actor="lena")  # random, 256 bits
    who = store.authenticate(token)
    assert who == {**store.user("ana"), "token_expires_at": None}
    digest = hashlib.sha256(token.encode()).hexdigest()
    with store.engine.connect() as conn:
        hashes = conn.execute(sa.select(S.user_tokens.c.token_hash)).scalars().all()
    assert digest in hashes
    assert token not in _every_text_in(store)  # the audit log included
    store.close()
    path = sqlite_url[len("sqlite:///"):]
    for suffix in ("", "-wal", "-shm"):
        try:
            data = open(path + suffix, "rb").read()
        except FileNotFoundError:
            continue
        assert token.encode() not in data
    detail = AnnotationStore(sqlite_url).audit_log(action="issue_token")["detail"].tolist()
    assert detail[0] == {"expires_at": None, "token_hash_prefix": digest[:12]}  # the first token, never the token


@pytest.mark.parametrize("garbage", ["", None, 5, 3.5, b"x" * 43, ["a"], {"t": 1}, "x" * 1_000_000, "\x00" * 43,
                                     "a" * 43 + "\n", "ä" * 43, "' OR 1=1 --", "a" * 43])
def test_that_authenticate_answers_none_to_garbage_without_raising(store, garbage):
    store.add_user("ana")
    store.issue_token("ana", actor="lena")
    assert store.authenticate(garbage) is None


def test_that_an_expired_revoked_or_disabled_token_signs_no_one_in(store, monkeypatch):
    store.add_user("ana")
    store.add_user("ben")
    week = store.issue_token("ana", expires_in=dt.timedelta(days=7), actor="lena")
    forever = store.issue_token("ana", actor="lena")
    ben = store.issue_token("ben", actor="lena")
    expires = store.authenticate(week)["token_expires_at"]
    assert str(expires.tz) == "UTC" and dt.timedelta(days=6.9) < expires - pd.Timestamp.now(tz="UTC") <= \
        dt.timedelta(days=7)
    assert store.users().set_index("user_id")["active_tokens"].to_dict() == {"ana": 2, "ben": 1}
    real = S.utcnow
    monkeypatch.setattr(S, "utcnow", lambda: real() + dt.timedelta(days=8))
    assert store.authenticate(week) is None and store.authenticate(forever)["user_id"] == "ana"
    assert store.users().set_index("user_id")["active_tokens"].to_dict() == {"ana": 1, "ben": 1}
    monkeypatch.setattr(S, "utcnow", real)
    assert store.revoke_tokens("ana", actor="lena") == 2
    assert store.authenticate(week) is None and store.authenticate(forever) is None
    assert store.revoke_tokens("ana", actor="lena") == 0
    assert store.authenticate(ben)["user_id"] == "ben"
    disabled = store.disable_user("ben", actor="lena")
    assert disabled["disabled_at"] is not None and store.authenticate(ben) is None
    assert store.disable_user("ben", actor="lena") == disabled  # a no-op
    with pytest.raises(StoreError, match="user 'ben' is disabled .* cannot sign in"):
        store.issue_token("ben", actor="lena")
    assert store.users().set_index("user_id")["active_tokens"].to_dict() == {"ana": 0, "ben": 0}
    log = store.audit_log()
    assert log[log["action"].isin(["revoke_tokens", "disable_user"])][["action", "target", "detail"]].values.tolist() == [
        ["revoke_tokens", "ana", {"revoked": 2}], ["revoke_tokens", "ana", {"revoked": 0}],
        ["disable_user", "ben", {"tokens_revoked": 1}]]


@pytest.mark.parametrize("bad", [dt.timedelta(0), dt.timedelta(seconds=-1), 7, "7d", dt.timedelta(days=100_000)])
def test_that_expires_in_must_be_a_positive_timedelta(store, bad):
    store.add_user("ana")
    with pytest.raises(ValidationError, match="'expires_in' parameter of issue_token must be None .* or a "
                                              "datetime.timedelta"):
        store.issue_token("ana", expires_in=bad, actor="lena")


def test_that_users_is_a_table_of_people_and_never_of_tokens(store):
    store.add_user("ben", role="lead", team="core")
    store.add_user("ana")
    token = store.issue_token("ana", actor="ben")
    users = store.users()
    assert users.columns.tolist() == ["user_id", "role", "team", "created_at", "disabled_at", "active_tokens"]
    assert users["user_id"].tolist() == ["ana", "ben"] and users["team"].tolist() == [None, "core"]
    assert str(users["created_at"].dt.tz) == "UTC" and users["disabled_at"].isna().all()
    assert token not in users.to_string()
    assert AnnotationStore("sqlite://").users().columns.tolist() == users.columns.tolist()


def test_that_the_audit_log_takes_rows_and_filters_them(store):
    first = store.audit("review", actor="rita", target="a", detail={"round": 1, "verdict": "ok"})
    second = store.audit("review", actor="tom")
    assert second == first + 1
    log = store.audit_log(action="review")
    assert log.columns.tolist() == ["id", "at", "actor", "action", "target", "detail"]
    assert log[["actor", "target", "detail"]].values.tolist() == [["rita", "a", {"round": 1, "verdict": "ok"}],
                                                                 ["tom", None, None]]
    assert str(log["at"].dt.tz) == "UTC" and log["id"].dtype == "int64"
    assert store.audit_log(actor="tom")["id"].tolist() == [second]
    assert store.audit_log(action="nothing").empty
    with pytest.raises(ValidationError, match="'detail' parameter of audit must be a dict of JSON values"):
        store.audit("review", actor="rita", detail={"x": object()})
    with pytest.raises(ValidationError, match="'detail' parameter of audit must be None or a dict"):
        store.audit("review", actor="rita", detail=["x"])
    with pytest.raises(ValidationError, match="'action' parameter of audit must be an action name"):
        store.audit("", actor="rita")
    with pytest.raises(ValidationError, match="'actor' parameter of audit must be a name"):
        store.audit("review", actor="")
    with pytest.raises(ValidationError, match="'target' parameter of audit must be None or a string"):
        store.audit("review", actor="rita", target="a\x00b")
    assert len(store.audit_log()) == 2  # nothing of the refused calls was written


def test_that_every_export_is_in_the_audit_log(store, tmp_path):
    store.record("a", "ana", "bug", round=1)
    path = tmp_path / "out.csv"
    assert store.export(path, actor="lena") == 1
    buf = io.StringIO()
    store.export(buf, format="jsonl")
    log = store.audit_log(action="export")
    assert log[["actor", "target"]].values.tolist()[0] == ["lena", str(path)]
    assert log["detail"].tolist()[0] == {"rows": 1, "format": "csv", "round": None, "current_only": True}
    assert log["target"].tolist()[1] == "jsonl" and log["actor"].tolist()[1]  # the OS account by default


def test_that_a_read_only_store_is_still_exported_with_a_warning(sqlite_url, tmp_path):
    make_store(sqlite_url).close()
    path = sqlite_url[len("sqlite:///"):]
    ro = AnnotationStore(f"sqlite:///file:{path}?mode=ro&uri=true", create=False)
    with pytest.warns(WorkbenchWarning, match="could not be recorded in the audit log"):
        assert ro.export(tmp_path / "o.csv") == 0
    assert (tmp_path / "o.csv").exists()
    ro.close()


# --------------------------------------------------------------------------- schema 2 -> 3


def _make_version_2(store) -> None:
    """Turn a fresh store back into what schema version 2 wrote: no users, tokens, audit log, erased_at."""
    with store.engine.connect() as conn:
        for table in ("user_tokens", "users", "audit_log"):
            conn.exec_driver_sql(f"DROP TABLE {table}")
        conn.exec_driver_sql("DROP INDEX ix_items_erased")
        conn.exec_driver_sql("ALTER TABLE items DROP COLUMN erased_at")
        conn.exec_driver_sql("DELETE FROM workbench_schema")
        conn.exec_driver_sql("INSERT INTO workbench_schema (version, applied_at) VALUES (2, '2026-01-01')")
        conn.commit()
        assert "erased_at" not in {c["name"] for c in sa.inspect(conn).get_columns("items")}
    store.close()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_that_a_version_2_store_is_upgraded_in_place(tmp_path, request, backend):
    url = f"sqlite:///{tmp_path / 'v2.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    store = make_store(url)
    store.record("a", "ana", "bug", round=1, note="kept")
    _make_version_2(store)
    again = AnnotationStore(url)
    assert again.schema_version == SCHEMA_VERSION == 4
    with again.engine.connect() as conn:
        versions = conn.execute(sa.select(S.schema_info.c.version).order_by(S.schema_info.c.version)).scalars().all()
        indexes = {i["name"] for i in sa.inspect(conn).get_indexes("items")}
    assert versions == [2, 3, 4] and "ix_items_erased" in indexes
    assert again.annotations()[["item_id", "label", "note"]].values.tolist() == [["a", "bug", "kept"]]
    assert again.items()["erased_at"].isna().all() and again.items()["text"].tolist() == ["text a", "text b", "text c"]
    again.add_user("ana", role="lead")
    token = again.issue_token("ana", actor="ana")
    assert again.authenticate(token)["role"] == "lead"
    assert again.erase_item("b", actor="ana")["item_purged"]
    again.close()
    reopened = AnnotationStore(url)  # reopening does not migrate twice
    assert reopened.schema_version == SCHEMA_VERSION and reopened.authenticate(token)["user_id"] == "ana"
    assert reopened.audit_log()["action"].tolist() == ["add_user", "issue_token", "erase"]
    reopened.close()


def test_that_a_version_2_file_written_by_plain_sqlite_is_upgraded(tmp_path):
    """A v2 file made with the DDL of schema 2 alone (no code of this version involved)."""
    path = tmp_path / "plain-v2.db"
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE workbench_schema (version INTEGER PRIMARY KEY, applied_at DATETIME NOT NULL);
        INSERT INTO workbench_schema VALUES (1, '2025-01-01 00:00:00.000000'), (2, '2025-06-01 00:00:00.000000');
        CREATE TABLE items (item_id VARCHAR PRIMARY KEY, seq BIGINT NOT NULL, dataset VARCHAR, payload TEXT NOT NULL,
                            meta TEXT, content_hash VARCHAR(64) NOT NULL, created_at DATETIME NOT NULL);
        INSERT INTO items VALUES ('x', 1, NULL, 'hello', '{"k": 1}', 'h', '2025-06-01 00:00:00.000000');
    """)
    con.close()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        store = AnnotationStore(path)
    assert store.schema_version == SCHEMA_VERSION
    items = store.items()
    assert items[["item_id", "text", "k"]].values.tolist() == [["x", "hello", 1]] and items["erased_at"].isna().all()
    assert set(S.metadata.tables) <= set(sa.inspect(store.engine).get_table_names())
    store.close()
