"""Package-level promises: a light import, a complete public surface, the layer contract."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import workbench

ROOT = Path(__file__).resolve().parents[1]


def test_importing_workbench_loads_no_widgets_papermill_or_altair():
    code = ("import sys, workbench, workbench.taxonomy, workbench.store, workbench.agreement, "
            "workbench.sampling, workbench.error_analysis, workbench.revisions; "
            "print(sorted(set(sys.modules) & {'ipywidgets', 'papermill', 'altair', 'nbconvert'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_every_exported_name_resolves():
    for name in workbench.__all__:
        assert getattr(workbench, name) is not None, name


def test_layer_contract_holds():
    linter = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
