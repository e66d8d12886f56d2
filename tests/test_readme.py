"""The Python snippets of README.md run, in order, on a fresh demo project."""

from __future__ import annotations

import re
from pathlib import Path

from workbench.demo import run_demo_round

ROOT = Path(__file__).resolve().parents[1]


def test_readme_python_snippets_run_on_the_demo_project(tmp_path, monkeypatch):
    run_demo_round(tmp_path / "demo-project", n_items=90, overlap=2, random_state=0, progress=False)
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 5
    namespace: dict = {}
    exec(compile("\n".join(blocks), "README.md", "exec"), namespace)  # noqa: S102 - our own documentation
    assert namespace["draft"].version == namespace["taxonomy"].version + 1
    assert len(namespace["learner"].next_batch()) == 50
