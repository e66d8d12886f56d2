"""Every walkthrough notebook in notebooks/ runs top to bottom (papermill, small parameters)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SMALL = {
    "01_first_pilot_round.ipynb": {"n_items": 80, "render": True},
    "04_active_learning.ipynb": {"simulate_batches": 2, "batch_size": 8},
}

pytestmark = pytest.mark.notebook


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_walkthrough_notebook_runs(path, tmp_path):
    import papermill as pm

    out = tmp_path / path.name
    pm.execute_notebook(str(path), str(out), parameters=SMALL.get(path.name, {}), cwd=str(tmp_path),
                        kernel_name="python3", progress_bar=False, execution_timeout=600)
    nb = nbformat.read(str(out), as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    if path.name == "01_first_pilot_round.ipynb":  # the first walkthrough ends with a rendered report
        report = tmp_path / "my-pilot" / "reports" / "round-1"
        assert (report / "report.html").exists() and (report / "metrics.json").exists()
        assert (tmp_path / "my-pilot" / "guideline.html").exists()


def test_committed_notebooks_have_no_outputs_and_the_python3_kernel():
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        assert nb["metadata"]["kernelspec"]["name"] == "python3", path.name
        assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code"), path.name
