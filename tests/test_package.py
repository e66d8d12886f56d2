"""Package-level promises: a light import, a complete public surface, the layer contract."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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


def test_every_private_helper_module_is_placed_in_a_layer():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        tomllib = pytest.importorskip("tomli")

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    listed = {name.strip() for c in contracts if c["type"] == "layers" for layer in c["layers"]
              for name in layer.replace("|", ":").split(":")}
    helpers = {f"workbench.{p.stem}" for p in (ROOT / "workbench").glob("_*.py") if not p.stem.startswith("__")}
    assert helpers - listed == set(), "add these modules to the layers contract in pyproject.toml"
