"""Every hostile or broken input the CLI can meet: one error line, a non-zero exit, nothing written.

Each case of the issue "Hostile and broken input" is one parameter below. A case builds its
files in ``tmp_path`` and returns the command line; the test runs it in-process and checks:
exit code 1, exactly one line on stderr that says what went wrong and where, no traceback,
and that the store (when there is one) is exactly as it was before.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from workbench.cli import main
from workbench.store import AnnotationStore
from workbench.taxonomy import Taxonomy

ROOT = Path(__file__).resolve().parents[1]

TAX = """name: intents
version: 1
categories:
  - {id: refund, definition: Money back.}
  - {id: bug, definition: Something broke.}
"""


def store_at(tmp_path) -> Path:
    """A store with taxonomy v1, round 1, items a and b, one label."""
    path = tmp_path / "w.db"
    store = AnnotationStore(path)
    store.save_taxonomy(Taxonomy.from_yaml(TAX))
    store.create_round(1, taxonomy_version=1)
    store.add_items(pd.DataFrame({"item_id": ["a", "b"], "text": ["refund me", "it broke"]}))
    store.record("a", "ana", "refund", round=1)
    store.close()
    return path


def snapshot(path: Path):
    if not path.exists():
        return None
    con = sqlite3.connect(path)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("items", "annotations", "taxonomies", "rounds", "imports")}
    finally:
        con.close()


def write(tmp_path, name, content) -> str:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return str(path)


def parquet_bytes() -> bytes:
    buf = io.BytesIO()
    pd.DataFrame({"item_id": ["a", "b"], "text": ["x", "y"]}).to_parquet(buf)
    return buf.getvalue()


def ls_file(tmp_path, tasks_text):
    return write(tmp_path, "ls.json", tasks_text)


# Each case: (id, build(tmp_path, db) -> argv, words the one error line must contain)
CASES = [
    # ---- silent corruption and strict readers (workbench import)
    ("csv-unquoted-comma", lambda t, db: ["import", write(t, "i.csv", "item_id,text\na,fine\nb,not, fine\n"),
                                          "--db", db], ["i.csv", "line 3"]),
    ("csv-empty", lambda t, db: ["import", write(t, "i.csv", ""), "--db", db], ["i.csv", "empty"]),
    ("csv-binary", lambda t, db: ["import", write(t, "i.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20),
                                  "--db", db], ["i.csv"]),
    ("csv-mixed-encoding", lambda t, db: ["import", write(t, "i.csv", "item_id,text\na,caf\u00e9\n".encode("utf-8")
                                                          + b"b,caf\xe9\n"), "--db", db],
     ["i.csv", "line 3", "UTF-8"]),
    ("csv-unterminated-quote", lambda t, db: ["import", write(t, "i.csv", 'item_id,text\na,"never closed\nb,x\n'),
                                              "--db", db], ["i.csv", "quote"]),
    ("csv-nul-byte", lambda t, db: ["import", write(t, "i.csv", "item_id,text\na,cut\x00here\n"), "--db", db],
     ["i.csv", "line 2", "NUL"]),
    ("jsonl-not-an-object", lambda t, db: ["import", write(t, "i.jsonl", '{"text": "ok"}\n[1, 2]\n'), "--db", db],
     ["i.jsonl", "line 2"]),
    ("jsonl-bad-json", lambda t, db: ["import", write(t, "i.jsonl", '{"text": "ok"}\n{"text": \n'), "--db", db],
     ["i.jsonl", "line 2"]),
    ("parquet-truncated", lambda t, db: ["import", write(t, "i.parquet", parquet_bytes()[:300]), "--db", db],
     ["i.parquet", "Parquet"]),
    ("parquet-not-parquet", lambda t, db: ["import", write(t, "i.parquet", "item_id,text\na,b\n"), "--db", db],
     ["i.parquet", "Parquet"]),
    ("one-id-two-texts", lambda t, db: ["import", write(t, "i.csv", "item_id,text\na,first\na,second\n"),
                                        "--db", db], ["'a'"]),
    ("changed-text-of-a-stored-item", lambda t, db: ["import", write(t, "i.csv", "item_id,text\na,other text\n"),
                                                     "--db", db], ["'a'", "different text"]),
    # ---- writes are all-or-nothing
    ("import-with-bad-taxonomy", lambda t, db: ["import", write(t, "i.csv", "item_id,text\nc,new\n"), "--db", db,
                                                "--taxonomy", write(t, "bad.yaml", "name: x\nversion: 1\n")],
     ["bad.yaml", "categories"]),
    ("taxonomy-23-digit-version", lambda t, db: ["import", write(t, "i.csv", "item_id,text\nc,new\n"), "--db", db,
                                                 "--taxonomy", write(t, "big.yaml", TAX.replace(
                                                     "version: 1", "version: 12345678901234567890123"))],
     ["big.yaml", "2,147,483,647"]),
    ("label-studio-bad-label", lambda t, db: ["import-annotations", ls_file(t, json.dumps(
        [{"data": {"text": f"t{k}", "item_id": f"n{k}"}, "annotations": [{"completed_by": "kim", "result": [
            {"type": "choices", "value": {"choices": ["refund" if k < 9 else "refnd"]}}]}]} for k in range(10)])),
        "--db", db, "--round", "1"], ["refnd", "Valid labels"]),
    ("label-studio-string-choices", lambda t, db: ["import-annotations", ls_file(t, json.dumps(
        [{"data": {"text": "x"}, "annotations": [{"completed_by": "kim", "result": [
            {"type": "choices", "value": {"choices": "refund"}}]}]}])), "--db", db, "--round", "1"],
     ["value.choices must be a list"]),
    ("label-studio-truncated", lambda t, db: ["import-annotations", ls_file(t, '[{"data": {"text": "x"'), "--db", db,
                                              "--round", "1"], ["ls.json", "not valid JSON at line 1"]),
    ("label-studio-deeply-nested", lambda t, db: ["import-annotations", ls_file(t, "[" * 50_000 + "]" * 50_000),
                                                  "--db", db, "--round", "1"], ["nests too deeply"]),
    ("label-studio-wrong-types", lambda t, db: ["import-annotations", ls_file(t, '[{"data": {"text": 3}}]'),
                                                "--db", db, "--round", "1"], ["must be text; got int"]),
    ("annotations-infinite-duration", lambda t, db: ["import-annotations", write(
        t, "l.csv", "item_id,annotator,label,duration_ms\nb,ben,bug,inf\n"), "--db", db, "--round", "1"],
     ["l.csv", "duration_ms must be a finite number"]),
    # ---- data that goes nowhere
    ("db-in-memory", lambda t, db: ["import", write(t, "i.csv", "item_id,text\nc,x\n"), "--db", "sqlite://"],
     ["in memory only"]),
    ("db-memory-url", lambda t, db: ["export", "--db", "sqlite:///:memory:", "-o", str(t / "o.csv")],
     ["in memory only"]),
    ("export-mistyped-db", lambda t, db: ["export", "--db", str(t / "typo.db"), "-o", str(t / "o.csv")],
     ["typo.db", "no such file"]),
    ("export-missing-round", lambda t, db: ["export", "--db", db, "--round", "99", "-o", str(t / "o.csv")],
     ["Round 99 does not exist", "[1]"]),
    ("export-round-10-to-the-30", lambda t, db: ["export", "--db", db, "--round", str(10**30), "-o",
                                                 str(t / "o.csv")], ["from 0 to 2147483647"]),
    ("export-missing-folder", lambda t, db: ["export", "--db", db, "-o", str(t / "nope" / "o.csv")],
     ["nope", "does not exist"]),
    ("report-missing-round", lambda t, db: ["report", "pilot", "--db", db, "--round", "7", "-o", str(t / "r")],
     ["Round 7 does not exist"]),
    ("serve-missing-db", lambda t, db: ["serve", "--db", str(t / "typo.db"), "--round", "1"], ["no such file"]),
    # ---- the database itself
    ("db-not-a-database", lambda t, db: ["export", "--db", write(t, "notes.db", "just text\n" * 500), "-o",
                                         str(t / "o.csv")], ["notes.db", "not a database"]),
    ("db-read-only", lambda t, db: ["import", write(t, "i.csv", "item_id,text\nc,x\n"), "--db",
                                    f"sqlite:///file:{db}?mode=ro&uri=true"], ["readonly", "Nothing of this write"]),
    ("yaml-alias-bomb", lambda t, db: ["validate", write(t, "bomb.yaml", "\n".join(
        ["name: bomb", "version: 1", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
        + [f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * 9) + "]" for k in range(1, 9)]))],
     ["expands to more than"]),
]


@pytest.mark.parametrize("build, words", [pytest.param(b, w, id=i) for i, b, w in CASES])
def test_that_each_broken_input_gives_one_error_line_and_writes_nothing(tmp_path, capsys, build, words):
    db = store_at(tmp_path)
    before = snapshot(db)
    argv = build(tmp_path, str(db))
    code = main(argv)
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code == 1, (out, err)
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and "Traceback" not in err
    for word in words:
        assert word in err, (word, err)
    assert snapshot(db) == before
    assert not (tmp_path / "o.csv").exists() and not (tmp_path / "typo.db").exists()
    assert not (tmp_path / "r").exists()


def test_that_traceback_shows_the_rest(tmp_path, capsys):
    with pytest.raises(Exception, match="no such file"):
        main(["--traceback", "export", "--db", str(tmp_path / "typo.db"), "-o", str(tmp_path / "o.csv")])


def test_that_reimporting_a_file_is_idempotent_and_says_so(tmp_path, capsys):
    db = store_at(tmp_path)
    items = write(tmp_path, "i.csv", "item_id,text\na,refund me\nc,new one\n")
    assert main(["import", items, "--db", str(db)]) == 0
    assert "(1 new, 1 already there)" in capsys.readouterr().out
    labels = write(tmp_path, "l.csv", "item_id,annotator,label\nb,ben,bug\nc,ben,refund\n")
    assert main(["import-annotations", labels, "--db", str(db), "--round", "1"]) == 0
    assert "2 new annotations" in capsys.readouterr().out
    assert main(["import-annotations", labels, "--db", str(db), "--round", "1"]) == 0
    assert "0 new annotations, 2 already there" in capsys.readouterr().out
    assert snapshot(db)["annotations"] == 3


def test_that_csv_export_neutralises_formulas_unless_raw_cells(tmp_path, capsys):
    db = store_at(tmp_path)
    store = AnnotationStore(db)
    for who in ("=HYPERLINK(\"http://x\")", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        store.record("b", who, "bug", round=1, note=who)
    store.close()
    out = tmp_path / "safe.csv"
    assert main(["export", "--db", str(db), "-o", str(out)]) == 0
    cells = pd.read_csv(out, dtype=str, keep_default_na=False)
    hostile = cells[cells["annotator"] != "ana"]
    assert all(v.startswith("'") for v in hostile["annotator"]) and all(v.startswith("'") for v in hostile["note"])
    raw = tmp_path / "raw.csv"
    assert main(["export", "--db", str(db), "-o", str(raw), "--raw-cells"]) == 0
    assert "=HYPERLINK(\"http://x\")" in set(pd.read_csv(raw, dtype=str)["annotator"])


def test_that_a_full_disk_is_one_error_line_and_keeps_the_store(tmp_path):
    """A file-size limit (RLIMIT_FSIZE) makes SQLite's writes fail as on a full disk."""
    db = store_at(tmp_path)
    items = tmp_path / "big.csv"
    pd.DataFrame({"item_id": [f"x{k}" for k in range(20_000)], "text": ["y" * 200] * 20_000}).to_csv(items, index=False)
    before = snapshot(db)
    limit = db.stat().st_size + 200_000
    script = (f"import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
              f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit})); "
              f"from workbench.cli import main; sys.exit(main(['import', {str(items)!r}, '--db', {str(db)!r}]))")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1 and len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert "Traceback" not in proc.stderr
    assert snapshot(db) == before
