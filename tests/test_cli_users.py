"""`workbench users`, `workbench erase` and `workbench audit`: output, one-line errors, store state."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

from workbench.cli import build_parser, main, parse_expiry
from workbench.store import AnnotationStore
from workbench.store._schema import ROLES
from workbench.taxonomy import Taxonomy

TAX = """name: intents
version: 1
categories:
  - {id: refund, definition: Money back.}
  - {id: bug, definition: Something broke.}
"""
SECRET = "SECRET-4f1c-phone-+1-555-0100"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "w.db"
    store = AnnotationStore(path)
    store.save_taxonomy(Taxonomy.from_yaml(TAX))
    store.add_items(pd.DataFrame({"item_id": ["a", "b"], "text": [f"call {SECRET}", "fine"]}))
    store.create_round(1, taxonomy_version=1)
    store.record("a", "ana", "bug", round=1, note=f"said {SECRET}")
    store.record("b", "ana", "refund", round=1)
    store.close()
    return path


def _link(out: str) -> str:
    links = re.findall(r"^  (https?://\S+)$", out, flags=re.M)
    assert len(links) == 1, out
    return links[0]


def test_that_users_add_prints_a_sign_in_link_once_and_the_token_signs_in(db, capsys):
    code, out, err = run(capsys, "users", "add", "ana", "--role", "reviewer", "--team", "vendor-a", "--db", db,
                         "--actor", "lena")
    assert code == 0 and err == ""
    assert "Added user 'ana' (reviewer, team vendor-a)" in out
    link = _link(out)
    assert link.startswith("http://127.0.0.1:8866/?token=")
    token = parse_qs(urlsplit(link).query)["token"][0]
    assert "shown once" in out and f"workbench users revoke ana --db sqlite:///{db}" in out
    assert re.search(r"expires \d{4}-\d\d-\d\d \d\d:\d\d UTC", out)  # 7 days by default
    with AnnotationStore(db) as store:
        who = store.authenticate(token)
        assert (who["user_id"], who["role"], who["team"]) == ("ana", "reviewer", "vendor-a")
        assert pd.Timedelta(days=6.9) < who["token_expires_at"] - pd.Timestamp.now(tz="UTC") <= pd.Timedelta(days=7)
        assert store.audit_log()[["actor", "action"]].values.tolist() == [["lena", "add_user"], ["lena", "issue_token"]]
        assert token not in store.audit_log().to_string()
    assert token.encode() not in db.read_bytes() + (Path(f"{db}-wal").read_bytes() if Path(f"{db}-wal").exists()
                                                     else b"")


def test_that_users_add_again_issues_another_link_and_keeps_the_user(db, capsys):
    run(capsys, "users", "add", "ana", "--role", "reviewer", "--db", db)
    code, out, _ = run(capsys, "users", "add", "ana", "--expires", "never", "--url",
                       "https://label.example.org/voila/render/label.ipynb?round=1", "--db", db)
    assert code == 0 and "User 'ana' (reviewer) is already in" in out and "never expires" in out
    link = _link(out)
    assert link.startswith("https://label.example.org/voila/render/label.ipynb?round=1&token=")
    code, _, err = run(capsys, "users", "add", "ana", "--role", "lead", "--db", db)
    assert code == 1 and err.count("\n") == 1
    assert "already exists with role 'reviewer', not 'lead'" in err and "workbench users role ana lead" in err
    with AnnotationStore(db) as store:
        assert store.users()[["user_id", "role", "active_tokens"]].values.tolist() == [["ana", "reviewer", 2]]


@pytest.mark.parametrize("argv, words", [
    (["users", "add", "ana", "--expires", "7 days"], ["--expires must be a number and a unit", "'7 days'"]),
    (["users", "add", "ana", "--expires", "0d"], ["--expires must be"]),
    (["users", "add", "ana", "--url", "javascript:alert(1)"], ["--url must be an http:// or https:// address"]),
    (["users", "add", "ana\u202e"], ["'user_id' parameter of add_user must be a name", "U+202E"]),
    (["users", "add", ""], ["'user_id' parameter of add_user must be a name"]),
    (["users", "revoke", "zed"], ["there is no user 'zed'", "workbench users add zed"]),
    (["users", "role", "zed", "lead"], ["there is no user 'zed'"]),
    (["erase", "--item", "zz", "--actor", "lena"], ["there is no item 'zz'", "nothing was erased"]),
    (["erase", "--item", "a", "--actor", " lena"], ["'actor' parameter of erase_item must be a name"]),
])
def test_that_bad_input_is_one_error_line_and_writes_nothing(db, capsys, argv, words):
    code, out, err = run(capsys, *argv, "--db", db)
    assert code == 1 and out == "" and err.count("\n") == 1 and "Traceback" not in err
    for word in words:
        assert word in err
    with AnnotationStore(db) as store:
        assert store.users().empty and store.audit_log().empty
        assert store.items()["erased_at"].isna().all() and len(store.annotations()) == 2


def test_that_users_commands_never_create_a_store(tmp_path, capsys):
    for argv in (["users", "add", "ana"], ["users", "list"], ["erase", "--item", "a", "--actor", "x"], ["audit"]):
        code, _, err = run(capsys, *argv, "--db", tmp_path / "typo.db")
        assert code == 1 and "There is no annotation store" in err
    assert not (tmp_path / "typo.db").exists()


def test_that_users_list_is_a_table_without_tokens(db, capsys):
    code, out, _ = run(capsys, "users", "list", "--db", db)
    assert code == 0 and "No users in" in out and "workbench users add NAME" in out
    _, added, _ = run(capsys, "users", "add", "ben", "--role", "lead", "--team", "core", "--db", db)
    token = parse_qs(urlsplit(_link(added)).query)["token"][0]
    run(capsys, "users", "add", "ana", "--db", db)
    code, out, _ = run(capsys, "users", "list", "--db", db)
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["user_id", "role", "team", "created", "disabled", "sign_in_links"]
    assert lines[1].split()[:3] == ["ana", "labeler", "-"] and lines[1].split()[-2:] == ["-", "1"]
    assert lines[2].split()[:3] == ["ben", "lead", "core"]
    assert "2 users in" in out and token not in out


def test_that_revoke_and_disable_stop_the_link_and_role_changes_the_role(db, capsys):
    _, out, _ = run(capsys, "users", "add", "ana", "--db", db)
    token = parse_qs(urlsplit(_link(out)).query)["token"][0]
    code, out, _ = run(capsys, "users", "role", "ana", "reviewer", "--db", db, "--actor", "lena")
    assert code == 0 and "from labeler to reviewer" in out
    assert "already has the role reviewer" in run(capsys, "users", "role", "ana", "reviewer", "--db", db)[1]
    with AnnotationStore(db) as store:
        assert store.authenticate(token)["role"] == "reviewer"
    code, out, _ = run(capsys, "users", "revoke", "ana", "--db", db)
    assert code == 0 and "Revoked 1 sign-in link of 'ana'" in out and "no longer sign in" in out
    assert "Revoked 0 sign-in links" in run(capsys, "users", "revoke", "ana", "--db", db)[1]
    with AnnotationStore(db) as store:
        assert store.authenticate(token) is None
    _, out, _ = run(capsys, "users", "add", "ana", "--db", db)
    second = parse_qs(urlsplit(_link(out)).query)["token"][0]
    code, out, _ = run(capsys, "users", "disable", "ana", "--db", db)
    assert code == 0 and "Disabled user 'ana'" in out
    assert "already disabled" in run(capsys, "users", "disable", "ana", "--db", db)[1]
    with AnnotationStore(db) as store:
        assert store.authenticate(second) is None and store.user("ana")["disabled_at"] is not None
    code, _, err = run(capsys, "users", "add", "ana", "--db", db)
    assert code == 1 and "is disabled" in err


def _subparser(parser, name):
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices[name]


def test_that_an_unknown_role_is_refused_by_argparse_with_the_stores_roles(db, capsys):
    with pytest.raises(SystemExit) as info:
        main(["users", "role", "ana", "admin", "--db", str(db)])
    assert info.value.code == 2 and "invalid choice: 'admin'" in capsys.readouterr().err
    users = _subparser(build_parser(), "users")
    for command, dest in (("role", "role"), ("add", "role")):
        choices = next(a.choices for a in _subparser(users, command)._actions if a.dest == dest)
        assert tuple(choices) == ROLES


def test_that_erase_purges_the_item_prints_what_was_removed_and_the_file_no_longer_holds_it(db, capsys):
    code, out, err = run(capsys, "erase", "--item", "a", "--actor", "lena", "--db", db)
    assert code == 0 and err == ""
    assert "Erased item 'a'" in out and "tombstone" in out and "vacuumed" in out
    assert "Its 1 annotation row was kept" in out and "Copies made before" in out and "--with-annotations" in out
    code, out, _ = run(capsys, "erase", "--item", "a", "--with-annotations", "--actor", "lena", "--db", db)
    assert code == 0 and "already erased; now 1 annotation row and 0 import keys deleted" in out
    code, out, _ = run(capsys, "erase", "--item", "a", "--actor", "lena", "--db", db)
    assert code == 0 and "was already erased (on " in out and "nothing to do" in out
    with AnnotationStore(db) as store:
        items = store.items().set_index("item_id")
        assert items.loc["a", "text"] == "" and items.loc["b", "text"] == "fine"
        assert store.annotations()["item_id"].tolist() == ["b"]
        assert store.audit_log(action="erase")["actor"].tolist() == ["lena", "lena"]
    data = b"".join(Path(f"{db}{s}").read_bytes() for s in ("", "-wal", "-shm") if Path(f"{db}{s}").exists())
    assert SECRET.encode() not in data


def test_that_audit_prints_the_log_and_filters_by_action(db, capsys, tmp_path):
    assert "No audit log rows in" in run(capsys, "audit", "--db", db)[1]
    run(capsys, "users", "add", "ana", "--db", db, "--actor", "lena")
    run(capsys, "export", "--db", db, "-o", tmp_path / "out.csv")
    run(capsys, "erase", "--item", "b", "--with-annotations", "--actor", "lena", "--db", db)
    code, out, _ = run(capsys, "audit", "--db", db)
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["id", "at", "actor", "action", "target", "detail"]
    assert [line.split()[4] for line in lines[1:]] == ["add_user", "issue_token", "export", "erase"]
    assert str(tmp_path / "out.csv") in out and '"rows": 2' in out
    code, out, _ = run(capsys, "audit", "--db", db, "--action", "erase")
    assert code == 0 and len(out.splitlines()) == 2 and '"annotations_deleted": 1' in out
    assert "matching the filter" in run(capsys, "audit", "--db", db, "--action", "nothing")[1]
    assert "token=" not in run(capsys, "audit", "--db", db)[1]


def test_that_expiry_parses_units():
    assert parse_expiry("30m").total_seconds() == 1800 and parse_expiry("12h").total_seconds() == 43200
    assert parse_expiry("2w").days == 14 and parse_expiry(" Never ") is None


def test_reassign_moves_the_unanswered_items_and_says_so(db, capsys):
    store = AnnotationStore(db)
    store.assign(pd.DataFrame({"item_id": ["a", "b"], "annotator": "cy"}), round=1)
    store.record("a", "cy", "refund", round=1)
    code, out, _ = run(capsys, "reassign", "--round", 1, "--from", "cy", "--to", "ben", "--actor", "lee", "--db", db)
    assert code == 0 and "Moved 1 unanswered item of 'cy' in round 1 to the end of 'ben'" in out
    plan = AnnotationStore(db).assignments(round=1)
    assert sorted(plan[["item_id", "annotator"]].values.tolist()) == [["a", "cy"], ["b", "ben"]]
    code, _, err = run(capsys, "reassign", "--round", 1, "--from", "zed", "--to", "ben", "--actor", "lee", "--db", db)
    assert code == 1 and "'zed' has no assignments in round 1" in err and err.count("\n") == 1
