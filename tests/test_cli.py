"""The `workbench` command: every subcommand on real files, one-line errors, exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from workbench.cli import main
from workbench.store import AnnotationStore
from workbench.taxonomy import Taxonomy

ROOT = Path(__file__).resolve().parents[1]
BROKEN = ROOT / "tests" / "fixtures" / "taxonomy_broken.yaml"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_init_demo_then_validate_and_render_the_guideline(tmp_path, capsys):
    project = tmp_path / "proj"
    code, out, _ = run(capsys, "init", str(project), "--demo")
    assert code == 0 and "taxonomy.yaml" in out and "items.csv" in out
    code, out, _ = run(capsys, "validate", str(project / "taxonomy.yaml"))
    assert code == 0 and out.startswith("ok:") and "support-intents" in out
    for suffix in ("html", "md"):
        target = tmp_path / f"guide.{suffix}"
        code, out, _ = run(capsys, "guideline", str(project / "taxonomy.yaml"), "-o", str(target))
        assert code == 0 and target.exists()
    html = (tmp_path / "guide.html").read_text(encoding="utf-8")
    assert "Refund request" in html and "<script src=" not in html


def test_init_refuses_to_overwrite_without_force(tmp_path, capsys):
    assert run(capsys, "init", str(tmp_path / "p"))[0] == 0
    code, _, err = run(capsys, "init", str(tmp_path / "p"))
    assert code == 1 and "already exists" in err and "--force" in err
    assert run(capsys, "init", str(tmp_path / "p"), "--force")[0] == 0
    Taxonomy.load(tmp_path / "p" / "taxonomy.yaml")  # the starter taxonomy is valid


def test_validate_prints_every_problem_with_its_line(capsys):
    code, out, err = run(capsys, "validate", str(BROKEN))
    assert code == 1 and out == ""
    expected = [i for i, line in enumerate(BROKEN.read_text().splitlines(), 1) if "#!" in line]
    reported = {int(n) for n in re.findall(r"line (\d+)", err)}
    assert set(expected) <= reported, f"lines without a reported problem: {sorted(set(expected) - reported)}"
    assert err.count("\n  - ") >= len(expected)
    assert "Traceback" not in err


def test_validate_missing_file_says_so_without_a_traceback(tmp_path, capsys):
    code, _, err = run(capsys, "validate", str(tmp_path / "nope.yaml"))
    assert code == 1 and "nope.yaml" in err and "No such file" in err and "Traceback" not in err


def test_import_and_export_every_format(tmp_path, capsys):
    project = tmp_path / "proj"
    run(capsys, "init", str(project), "--demo")
    db = tmp_path / "w.db"
    code, out, _ = run(capsys, "import", str(project / "items.csv"), "--db", str(db), "--id-col", "item_id",
                       "--taxonomy", str(project / "taxonomy.yaml"))
    assert code == 0 and "Saved taxonomy 'support-intents' version 1" in out
    store = AnnotationStore(db)
    n_items = len(pd.read_csv(project / "items.csv"))
    assert len(store.items()) == n_items
    store.create_round(1, taxonomy_version=1)
    store.record("msg-0001", "ana", "refund_request", round=1, note="a note, with a comma")
    store.record("msg-0002", "ben", "bug_report", round=1, unsure=True)
    for fmt, name in (("csv", "a.csv"), ("jsonl", "a.jsonl"), ("parquet", "a.parquet"), ("label-studio", "ls.json")):
        code, _, err = run(capsys, "export", "--db", str(db), "--format", fmt, "-o", str(tmp_path / name))
        assert code == 0, err
    assert list(pd.read_csv(tmp_path / "a.csv")["label"]) == ["refund_request", "bug_report"]
    assert len(pd.read_parquet(tmp_path / "a.parquet")) == 2
    assert len((tmp_path / "a.jsonl").read_text().splitlines()) == 2
    tasks = json.loads((tmp_path / "ls.json").read_text())
    assert {t["data"]["text"] for t in tasks} >= {store.items(item_ids=["msg-0001"])["text"].iloc[0]}


def test_import_with_a_missing_column_names_the_columns_present(tmp_path, capsys):
    src = tmp_path / "items.csv"
    pd.DataFrame({"id": [1], "body": ["hello"]}).to_csv(src, index=False)
    code, _, err = run(capsys, "import", str(src), "--db", str(tmp_path / "x.db"))
    assert code == 1 and "body" in err and "text" in err and "Traceback" not in err


def test_python_dash_m_and_console_script_help():
    proc = subprocess.run([sys.executable, "-m", "workbench", "--help"], capture_output=True, text=True, check=True)
    for command in ("init", "validate", "guideline", "import", "export", "demo", "serve", "report"):
        assert command in proc.stdout
    version = subprocess.run([sys.executable, "-m", "workbench", "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("workbench ")


# -------------------------------------------------------------- paths and report parameters

def _workbench(cwd, *argv, timeout=600):
    """Run the console script as a user types it, in the folder ``cwd``."""
    exe = Path(sys.executable).with_name("workbench")
    return subprocess.run([str(exe), *argv], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def test_relative_paths_mean_the_callers_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    run(capsys, "init", "proj", "--demo")
    code, _, err = run(capsys, "import", "proj/items.csv", "--db", "proj/w.db", "--id-col", "item_id",
                       "--taxonomy", "proj/taxonomy.yaml")
    assert code == 0, err
    store = AnnotationStore(tmp_path / "proj" / "w.db")
    store.create_round(1, taxonomy_version=1)
    store.record("msg-0001", "ana", "refund_request", round=1)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    code, _, err = run(capsys, "export", "--db", "sqlite:///../proj/w.db", "-o", "out/../a.csv")
    assert code == 0, err
    assert pd.read_csv(tmp_path / "elsewhere" / "a.csv")["label"].tolist() == ["refund_request"]


def test_report_parameters_are_typed_like_papermill():
    from workbench.report import parse_parameter

    assert parse_parameter("n_boot=200") == ("n_boot", 200)
    assert parse_parameter("mask_pii=False") == ("mask_pii", False)
    assert parse_parameter("cv_large=None") == ("cv_large", None)
    assert parse_parameter("ratio=0.25") == ("ratio", 0.25)
    assert parse_parameter("accept=['a', 'b']") == ("accept", ["a", "b"])
    assert parse_parameter('rules={"merge_human_share": 0.3}') == ("rules", {"merge_human_share": 0.3})
    assert parse_parameter("title=Round 2 [draft]") == ("title", "Round 2 [draft]")
    assert parse_parameter("title=[not a literal") == ("title", "[not a literal")


def test_report_refuses_an_unknown_parameter_before_any_kernel_starts(tmp_path, capsys):
    code, _, err = run(capsys, "report", "pilot", "--db", str(tmp_path / "none.db"), "--round", "1",
                       "-o", str(tmp_path / "r"), "-p", "n_bot=200")
    assert code == 1 and "'n_bot'" in err and "did you mean 'n_boot'" in err and "Traceback" not in err
    assert not (tmp_path / "r").exists()  # refused before the output folder, papermill or a kernel


def test_report_list_params_prints_names_and_defaults(capsys):
    code, out, _ = run(capsys, "report", "pilot", "--list-params")
    assert code == 0
    lines = dict(line.split(" = ", 1) for line in out.splitlines())
    assert lines["n_boot"].startswith("1000") and lines["mask_pii"].startswith("True") and "round" in lines


@pytest.mark.notebook
def test_readme_command_lines_run_as_written_with_relative_paths(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(r"^workbench report pilot --db demo-project/\S+ .*$", readme, re.M).group(0)
    proc = _workbench(tmp_path, "demo", "--dir", "demo-project", "--no-report")
    assert proc.returncode == 0, proc.stderr
    proc = _workbench(tmp_path, *command.split()[1:])
    assert proc.returncode == 0, proc.stderr[-2000:]
    out_dir = tmp_path / command.split("-o ")[1].strip()
    assert (out_dir / "report.html").exists()
    metrics = json.loads((out_dir / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["parameters"]["db_url"] == f"sqlite:///{tmp_path / 'demo-project' / 'workbench.db'}"
    alpha = metrics["agreement"]["krippendorff_alpha"]
    assert 0 < alpha["ci_low"] <= alpha["value"] <= alpha["ci_high"] <= 1
