"""The wheel is the product: built, installed (not editable) in a fresh venv, it renders the demo report."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True, text=True, timeout=600)
    (found,) = out.glob("taxonomy_workbench-*.whl")
    return found


@pytest.mark.slow
def test_wheel_ships_templates_and_data_as_real_files_and_no_build_sources(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("workbench/report/templates/pilot_report.ipynb",
                     "workbench/report/templates/round_comparison.ipynb",
                     "workbench/report/templates/calibration_report.ipynb",
                     "workbench/report/_nbconvert/offline/conf.json",
                     "workbench/report/_nbconvert/offline/index.html.j2",
                     "workbench/demo/data/taxonomy.yaml", "workbench/data/starter_taxonomy.yaml"):
        assert required in names, required
    assert not [n for n in names if "/src/" in n or n.endswith("_report.py") or n.startswith("tests/")]
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "License-Expression: Apache-2.0" in text


@pytest.mark.slow
def test_wheel_installed_in_a_fresh_venv_renders_the_demo_report(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-c", str(ROOT / "requirements" / "lock.txt"),
                    str(wheel)], check=True, capture_output=True, text=True, timeout=1200)
    project = tmp_path / "user"
    project.mkdir()
    proc = subprocess.run([str(env_dir / "bin" / "workbench"), "demo", "--dir", "demo-project"],
                          cwd=project, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    html = project / "reports" / "demo" / "round-1" / "report.html"
    assert html.exists() and (html.parent / "metrics.json").exists()
    assert "error:" not in proc.stderr and "[5/5] Pilot report:" in proc.stdout
    where = subprocess.run([str(python), "-c", "import workbench; print(workbench.__file__)"],
                           capture_output=True, text=True, check=True, cwd=project).stdout
    assert str(env_dir) in where  # the installed wheel ran, not the checkout
