"""Package-level promises: a light import, one face per package, the layer contracts, no cycles."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

import workbench

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = sorted(f"workbench.{m.name}" for m in pkgutil.iter_modules(workbench.__path__)
                  if m.ispkg and not m.name.startswith("_") and m.name != "data")
FACES = ["workbench", *PACKAGES]


def test_the_packages_are_the_components_of_the_design():
    assert PACKAGES == [f"workbench.{name}" for name in (
        "agreement", "charts", "demo", "error_analysis", "interop", "monitoring", "report", "revisions", "sampling", "store",
        "taxonomy", "widgets")]


def test_the_top_level_keeps_at_most_twelve_modules():
    modules = [m.name for m in pkgutil.iter_modules(workbench.__path__) if not m.ispkg]
    assert len(modules) + 1 <= 12, modules  # + __init__


def test_importing_workbench_loads_no_widgets_papermill_or_altair():
    code = ("import sys, workbench, workbench.taxonomy, workbench.store, workbench.agreement, "
            "workbench.sampling, workbench.error_analysis, workbench.revisions, workbench.widgets, "
            "workbench.charts, workbench.report; "
            "workbench.Taxonomy, workbench.AnnotationStore, workbench.agreement.cohen_kappa_score; "
            "print(sorted(set(sys.modules) & {'ipywidgets', 'papermill', 'altair', 'nbconvert'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("face", FACES)
def test_dir_of_every_package_is_its_all(face):
    module = importlib.import_module(face)
    assert dir(module) == sorted(module.__all__)


@pytest.mark.parametrize("face", FACES)
def test_every_exported_name_resolves(face):
    module = importlib.import_module(face)
    for name in module.__all__:
        assert getattr(module, name) is not None, f"{face}.{name}"


@pytest.mark.parametrize("face", PACKAGES)
def test_reexported_classes_name_their_face_as_module(face):
    module = importlib.import_module(face)
    classes = [getattr(module, n) for n in module.__all__ if isinstance(getattr(module, n), type)]
    for cls in classes:
        private = any(part.startswith("_") for part in cls.__module__.split("."))
        assert not private, f"{face}.{cls.__name__} says it lives in {cls.__module__}"


def test_a_misspelled_name_suggests_the_right_one():
    with pytest.raises(AttributeError, match="Did you mean: 'select_batch'"):
        workbench.sampling.select_bach  # noqa: B018


def test_layer_contracts_hold():
    linter = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:]


def _cycles(graph) -> list:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    modules = sorted(graph.modules)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in modules}
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]
    for root in modules:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter[0]
                counter[0] += 1
                stack.append(node)
                on_stack.add(node)
            children = edges[node]
            if i < len(children):
                work.append((node, i + 1))
                child = children[i]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            for child in children:
                if child in on_stack:
                    low[node] = min(low[node], low[child])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle_between_modules_function_local_imports_included():
    graph = grimp.build_graph("workbench")  # grimp reads every import statement, in functions too
    assert _cycles(graph) == []


def test_the_cycle_check_finds_a_planted_cycle(tmp_path, monkeypatch):
    pkg = tmp_path / "cyclic_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from . import b\n")
    (pkg / "b.py").write_text("from . import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert _cycles(grimp.build_graph("cyclic_pkg")) == [["cyclic_pkg.a", "cyclic_pkg.b"]]


def test_the_lock_is_the_stack_users_get_numpy_2_and_pandas_3():
    lock = dict(line.split("==") for line in (ROOT / "requirements" / "lock.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    assert int(lock["numpy"].split(".")[0]) >= 2 and int(lock["pandas"].split(".")[0]) >= 3
    assert not {"irrCAC", "modAL-python", "small-text"} & set(lock)  # they live in .venv-peers
